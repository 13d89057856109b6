package server

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/redact"
	"github.com/heidi-cli/heidi/steps"
)

// The API paths.
const (
	StatusPath = "/connect/opencode/openai/status"
	TestPath   = "/connect/opencode/openai/test"
)

//go:embed web
var web embed.FS

// tokenSlot is where the page carries the session token (a meta tag).
const tokenSlot = "{{.Token}}"

// indexPage returns the page with the token filled in. A placeholder
// replacement, not html/template: the page has one slot, the token is
// escaped anyway, and html/template's package init cost every command
// about half a millisecond at start-up.
func indexPage(token string) ([]byte, error) {
	page, err := web.ReadFile("web/index.html")
	if err != nil {
		return nil, err
	}
	if bytes.Count(page, []byte(tokenSlot)) != 1 {
		return nil, errors.New("index.html: want exactly one token slot")
	}
	return bytes.Replace(page, []byte(tokenSlot), []byte(template.HTMLEscapeString(token)), 1), nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handleIndex)
	for name, ctype := range map[string]string{
		"app.css":     "text/css; charset=utf-8",
		"app.js":      "text/javascript; charset=utf-8",
		"favicon.svg": "image/svg+xml",
	} {
		data, err := web.ReadFile("web/" + name)
		if err != nil {
			panic(err)
		}
		mux.HandleFunc("GET /"+name, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ctype)
			_, _ = w.Write(data)
		})
	}
	mux.HandleFunc("GET "+StatusPath, s.handleStatus)
	mux.HandleFunc("POST "+TestPath, s.handleTest)
	mux.HandleFunc("POST "+LoginPath, s.handleLogin)
	mux.HandleFunc("DELETE "+LoginPath, s.handleLoginCancel)
	mux.HandleFunc("GET "+LoginEventsPath, s.handleLoginEvents)
	return s.guard(mux)
}

func (s *Server) handleIndex(w http.ResponseWriter, _ *http.Request) {
	page, err := indexPage(s.token)
	if err != nil {
		http.Error(w, "page error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(page)
}

type errorResponse struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// ---- status -------------------------------------------------------------------------

// StatusResponse is the answer of GET /connect/opencode/openai/status: the
// `heidi connect status --json` object plus what the page needs to choose
// what to show. It never holds a token.
type StatusResponse struct {
	steps.StatusJSON
	OpenCodeFound bool      `json:"opencodeFound"`
	NeedsPlugin   bool      `json:"needsPlugin"` // OpenCode < 1.1.11: the login comes from opencode-openai-codex-auth
	DataDir       string    `json:"dataDir"`
	LogDir        string    `json:"logDir"`
	LastTest      *LastTest `json:"lastTest,omitempty"`
	// TestModel is the model Test tries first (the one that passed last
	// time, else steps.RankTestModels' first).
	TestModel string `json:"testModel,omitempty"`
}

// LastTest is the outcome heidi recorded last (connect or test run).
type LastTest struct {
	Time      time.Time `json:"time"`
	Result    string    `json:"result"`
	Model     string    `json:"model,omitempty"`
	LastError string    `json:"lastError,omitempty"`
}

// statusCall is one status check shared by every request that arrives while
// it runs, so a burst of requests starts one set of opencode processes.
type statusCall struct {
	done chan struct{}
	res  StatusResponse
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	s.statusMu.Lock()
	c := s.statusCur
	if c == nil {
		if !s.begin() {
			s.statusMu.Unlock()
			writeJSON(w, http.StatusServiceUnavailable, errorResponse{Error: "heidi serve is shutting down"})
			return
		}
		c = &statusCall{done: make(chan struct{})}
		s.statusCur = c
		go func() {
			defer s.end()
			c.res = statusResponse(steps.CheckStatus(s.stop, s.deps), s.deps.Paths)
			s.statusMu.Lock()
			s.statusCur = nil
			s.statusMu.Unlock()
			close(c.done)
		}()
	}
	s.statusMu.Unlock()
	select {
	case <-c.done:
		if s.stop.Err() != nil {
			writeJSON(w, http.StatusServiceUnavailable, errorResponse{Error: "heidi serve is shutting down"})
			return
		}
		writeJSON(w, http.StatusOK, c.res)
	case <-r.Context().Done():
	}
}

func statusResponse(st steps.Status, p probe.Paths) StatusResponse {
	j := steps.ToJSON(st)
	j.LastError = redact.String(j.LastError)
	j.Next = redact.String(j.Next)
	for i, n := range j.Notes {
		j.Notes[i] = redact.String(n)
	}
	res := StatusResponse{
		StatusJSON:    j,
		OpenCodeFound: st.OpenCode.Found,
		NeedsPlugin:   st.OpenCode.Found && !st.OpenCode.Version.IsZero() && !st.OpenCode.Version.BuiltinChatGPT(),
		DataDir:       p.Data,
		LogDir:        p.Log,
	}
	if o := st.LastOutcome; o != nil {
		res.LastTest = &LastTest{Time: o.Time.UTC(), Result: o.Result, Model: o.Model, LastError: redact.String(o.LastError)}
	}
	last := ""
	if o := st.LastOutcome; o != nil && o.Result == "PASS" {
		last = o.Model
	}
	if cands, err := steps.TestCandidates(st.Models, "", last); err == nil {
		res.TestModel = cands[0]
	}
	return res
}

// ---- test run -----------------------------------------------------------------------

// TestRequest is the optional body of POST /connect/opencode/openai/test.
type TestRequest struct {
	Model string `json:"model"` // default: StatusResponse.TestModel, then other models when OpenAI refuses it for the plan
}

// TestResponse is the answer of POST /connect/opencode/openai/test.
type TestResponse struct {
	Pass       bool     `json:"pass"`
	Model      string   `json:"model"`
	DurationMs int64    `json:"durationMs"`
	Tail       string   `json:"run_output_tail"`
	Error      string   `json:"error,omitempty"`
	Step       string   `json:"step,omitempty"` // where it failed: "Models" or "Test run"
	Hints      []string `json:"hints,omitempty"`
	// Class names a known failure ("model-refused", "plan", "usage-limit", …).
	Class string `json:"class,omitempty"`
	// Refused are the models OpenAI refused for the plan before Model.
	Refused []steps.Refusal `json:"refused,omitempty"`
	Note    string          `json:"note,omitempty"`
}

// ErrBusy is the message of a 409: one test at a time.
const ErrBusy = "A test run is already in progress. Wait for it to finish, then try again."

func (s *Server) handleTest(w http.ResponseWriter, r *http.Request) {
	var req TestRequest
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorResponse{Error: "request body too large"})
			return
		}
		writeJSON(w, http.StatusBadRequest, errorResponse{Error: "cannot read the request body"})
		return
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			writeJSON(w, http.StatusBadRequest, errorResponse{Error: "the body must be a JSON object like {\"model\":\"openai/…\"} (or empty)"})
			return
		}
	}
	if !s.testMu.TryLock() {
		writeJSON(w, http.StatusConflict, errorResponse{Error: ErrBusy})
		return
	}
	defer s.testMu.Unlock()
	if !s.begin() {
		writeJSON(w, http.StatusServiceUnavailable, errorResponse{Error: "heidi serve is shutting down"})
		return
	}
	defer s.end()

	// The test ends when the page goes away or the server shuts down; the
	// runner then kills opencode's whole process group.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(s.stop, cancel)()

	res, outcome, code := s.runTest(ctx, req)
	// Only a check that ran is recorded: a rejected request (an unlisted
	// model, 400) leaves the last result alone.
	if code != http.StatusBadRequest {
		if err := steps.SaveOutcome(s.deps.Paths, outcome); err != nil {
			s.logf("could not record the outcome: %s", redact.String(err.Error()))
		}
	}
	s.logf("test run %s (%s, %d ms)%s", outcome.Result, orNone(res.Model), res.DurationMs, prefixed(": ", res.Error))
	writeJSON(w, code, res)
}

func (s *Server) runTest(ctx context.Context, req TestRequest) (TestResponse, steps.Outcome, int) {
	now := s.deps.Sys.Now
	models, err := steps.ListModels(ctx, s.deps)
	if err != nil {
		f := steps.ModelsFailure(err)
		res := TestResponse{Step: f.Step.String(), Error: redact.String(f.Why), Hints: f.Next}
		return res, outcome(now(), res, ctx), statusFor(ctx)
	}
	want := ""
	if req.Model != "" {
		want = req.Model
		if !strings.HasPrefix(want, "openai/") {
			want = "openai/" + want
		}
		if !slices.Contains(models, want) {
			res := TestResponse{Step: "Models", Model: probe.SafeText(req.Model, 80), Error: "`opencode models openai` does not list this model"}
			return res, outcome(now(), res, ctx), http.StatusBadRequest
		}
	}
	last := ""
	if o, err := steps.LoadOutcome(s.deps.Paths); err == nil && o.Result == "PASS" {
		last = o.Model
	}
	cands, err := steps.TestCandidates(models, want, last)
	if err != nil {
		f := steps.ModelChoiceFailure(err)
		res := TestResponse{Step: f.Step.String(), Error: redact.String(f.Why), Hints: f.Next}
		return res, outcome(now(), res, ctx), statusFor(ctx)
	}
	run := steps.TestWithFallback(ctx, s.deps, cands, nil)
	res := TestResponse{
		Pass:       run.Pass,
		Model:      run.Model,
		DurationMs: run.Duration.Milliseconds(),
		Tail:       redact.String(run.Tail),
		Error:      redact.String(run.Err),
		Refused:    run.Refused,
		Note:       run.Note(),
	}
	if !run.Pass {
		f := steps.TestFailure(run)
		res.Step, res.Class = f.Step.String(), string(run.Class.Class)
		res.Error = redact.String(run.Why())
		for _, h := range f.Next {
			res.Hints = append(res.Hints, redact.String(h))
		}
	}
	return res, outcome(now(), res, ctx), statusFor(ctx)
}

func outcome(t time.Time, res TestResponse, ctx context.Context) steps.Outcome {
	o := steps.Outcome{Time: t, Model: res.Model, Result: "PASS"}
	switch {
	case res.Pass:
	case ctx.Err() != nil:
		o.Result, o.Step, o.LastError = "CANCELLED", res.Step, "cancelled"
	default:
		o.Result, o.Step, o.LastError = "FAIL", res.Step, res.Error
	}
	return o
}

// statusFor: a finished test is 200 whatever its result; a cancelled one 503.
func statusFor(ctx context.Context) int {
	if ctx.Err() != nil {
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

func orNone(s string) string {
	if s == "" {
		return "no model"
	}
	return s
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// begin registers a piece of work that Serve must wait for; false once the
// server is shutting down.
func (s *Server) begin() bool {
	s.workMu.Lock()
	defer s.workMu.Unlock()
	if s.stopped {
		return false
	}
	s.work.Add(1)
	return true
}

func (s *Server) end() { s.work.Done() }
