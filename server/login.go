package server

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/skip2/go-qrcode"

	"github.com/heidi-cli/heidi/redact"
	"github.com/heidi-cli/heidi/steps"
)

// The one-button connect (issue 19): POST starts the connect flow
// (steps.Connect, the wizard's and plain mode's) with OpenCode's login on
// this machine, GET …/events streams what happens as server-sent events,
// DELETE cancels. One login at a time.
const (
	LoginPath       = "/connect/opencode/openai/login"
	LoginEventsPath = LoginPath + "/events"
)

// ErrLoginBusy is the message of a 409: one login at a time.
const ErrLoginBusy = "A login is already in progress: finish or cancel it first."

// loginGrace is how long a waiting login outlives its last page: a reload
// reconnects within it, a closed tab cancels the login after it.
var loginGrace = 30 * time.Second

// LoginRequest picks the login: "browser" (this computer's browser and
// OpenCode's callback on localhost), "headless" (a one-time code entered
// on any device), or "" (heidi decides from the session).
type LoginRequest struct {
	Method string `json:"method"`
}

// LoginEvent is one server-sent event. It never holds a secret: step rows,
// notes and OpenCode's output are redacted, and the authorization URL and
// the device code are what the user must see.
type LoginEvent struct {
	Type    string   `json:"type"` // step, note, url, code, output, trying, done
	Step    string   `json:"step,omitempty"`
	Status  string   `json:"status,omitempty"`
	Text    string   `json:"text,omitempty"`
	URL     string   `json:"url,omitempty"`
	Code    string   `json:"code,omitempty"`
	QR      string   `json:"qr,omitempty"` // a data: PNG of the verification URL`
	OK      bool     `json:"ok,omitempty"`
	Result  string   `json:"result,omitempty"`
	Summary []string `json:"summary,omitempty"`
}

// loginRun is the login in progress (or the last one): its events, kept
// so that a page that (re)connects gets them all.
type loginRun struct {
	mu       sync.Mutex
	events   []LoginEvent
	changed  chan struct{} // closed and replaced on every event
	done     bool
	cancel   context.CancelFunc
	watchers int
	orphan   *time.Timer // cancels a login no page watches
}

func newLoginRun(cancel context.CancelFunc) *loginRun {
	return &loginRun{changed: make(chan struct{}), cancel: cancel}
}

func (l *loginRun) emit(e LoginEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return
	}
	l.events = append(l.events, e)
	if e.Type == "done" {
		l.done = true
		if l.orphan != nil {
			l.orphan.Stop()
		}
	}
	close(l.changed)
	l.changed = make(chan struct{})
}

// since returns the events from i on, whether the run has ended, and a
// channel closed on the next event.
func (l *loginRun) since(i int) ([]LoginEvent, bool, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]LoginEvent(nil), l.events[min(i, len(l.events)):]...), l.done, l.changed
}

func (l *loginRun) running() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.done
}

// watch counts a page on the event stream; the last one to leave starts
// the grace period after which a waiting login is cancelled.
func (l *loginRun) watch(delta int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.watchers += delta
	if l.orphan != nil {
		l.orphan.Stop()
		l.orphan = nil
	}
	if l.watchers == 0 && !l.done {
		l.orphan = time.AfterFunc(loginGrace, l.cancel)
	}
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req LoginRequest
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorResponse{Error: "cannot read the request body"})
		return
	}
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &req) != nil {
		writeJSON(w, http.StatusBadRequest, errorResponse{Error: `the body must be {"method":"browser"} or {"method":"headless"} (or empty)`})
		return
	}
	opts := steps.ConnectOptions{}
	switch req.Method {
	case "browser":
		opts.Browser = true
	case "headless":
		opts.Headless = true
	case "":
	default:
		writeJSON(w, http.StatusBadRequest, errorResponse{Error: `method must be "browser" or "headless"`})
		return
	}
	s.loginMu.Lock()
	if s.login != nil && s.login.running() {
		s.loginMu.Unlock()
		writeJSON(w, http.StatusConflict, errorResponse{Error: ErrLoginBusy})
		return
	}
	if !s.begin() {
		s.loginMu.Unlock()
		writeJSON(w, http.StatusServiceUnavailable, errorResponse{Error: "heidi serve is shutting down"})
		return
	}
	ctx, cancel := context.WithCancel(s.stop)
	run := newLoginRun(cancel)
	s.login = run
	s.loginMu.Unlock()
	run.watch(0) // nobody watches yet: the grace period runs until a page does

	go func() {
		defer s.end()
		defer cancel()
		res := steps.Connect(ctx, s.deps, opts, &webUI{d: s.deps, run: run})
		if res.Outcome.Result != "" {
			if err := steps.SaveOutcome(s.deps.Paths, res.Outcome); err != nil {
				s.logf("could not record the outcome: %s", redact.String(err.Error()))
			}
		}
		summary := res.Summary
		if res.Cancelled && len(summary) == 0 {
			summary = []string{"Not connected: OpenCode → OpenAI (ChatGPT Plus/Pro)", "Login cancelled."}
		}
		for i, l := range summary {
			summary[i] = redact.String(l)
		}
		run.emit(LoginEvent{Type: "done", OK: res.OK, Result: res.Outcome.Result, Summary: summary})
		s.logf("login %s", res.Outcome.Result)
	}()
	writeJSON(w, http.StatusAccepted, map[string]string{"events": LoginEventsPath})
}

// handleLoginEvents streams the login's events (all of them, from the
// first) until it ends or the page goes away.
func (s *Server) handleLoginEvents(w http.ResponseWriter, r *http.Request) {
	s.loginMu.Lock()
	run := s.login
	s.loginMu.Unlock()
	if run == nil {
		writeJSON(w, http.StatusNotFound, errorResponse{Error: "no login has been started"})
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, errorResponse{Error: "streaming is not supported"})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	run.watch(1)
	defer run.watch(-1)
	for i := 0; ; {
		evs, done, changed := run.since(i)
		for _, e := range evs {
			b, _ := json.Marshal(e)
			if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
				return
			}
		}
		i += len(evs)
		fl.Flush()
		if done {
			return
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		}
	}
}

func (s *Server) handleLoginCancel(w http.ResponseWriter, _ *http.Request) {
	s.loginMu.Lock()
	run := s.login
	s.loginMu.Unlock()
	if run == nil || !run.running() {
		writeJSON(w, http.StatusNotFound, errorResponse{Error: "no login is running"})
		return
	}
	run.cancel() // the runner cancels a waiting browser login on its port, then kills the group
	writeJSON(w, http.StatusOK, map[string]bool{"cancelled": true})
}

// webUI is the connect flow's face for the page: every call is an event.
// It asks nothing (the flow then takes the safe default or stops with the
// hint), and it runs OpenCode's login with plain pipes, as plain mode does.
type webUI struct {
	d   steps.Deps
	run *loginRun
}

var statusNames = map[steps.StepStatus]string{
	steps.Pending: "pending", steps.Running: "running", steps.NeedsUser: "waiting",
	steps.Done: "done", steps.Failed: "failed", steps.Skipped: "skipped",
}

func (u *webUI) Interactive() bool { return false }

func (u *webUI) Step(s steps.StepUpdate) {
	u.run.emit(LoginEvent{Type: "step", Step: s.ID.String(), Status: statusNames[s.Status], Text: redact.String(s.Detail)})
}

func (u *webUI) Note(s string) { u.run.emit(LoginEvent{Type: "note", Text: redact.String(s)}) }
func (u *webUI) Log(string)    {}

func (u *webUI) Ask(context.Context, steps.Question) (int, bool) { return 0, false }

// Guide: the headless route the page runs is the device code (route 1).
func (u *webUI) Guide(context.Context, steps.GuideScreen) (int, bool) { return 0, true }

func (u *webUI) Trying(model string, refused []steps.Refusal) {
	text := "Test run with " + model
	if n := len(refused); n > 0 {
		text = refused[n-1].Model + " was refused (" + refused[n-1].Reason + "); trying " + model
	}
	u.run.emit(LoginEvent{Type: "trying", Text: redact.String(text)})
}

func (u *webUI) Run(ctx context.Context, c steps.Child) steps.ChildResult {
	if c.Kind != steps.ChildLogin {
		return steps.ChildResult{Exit: -1, Err: errors.New(c.Title + " needs a terminal: run heidi connect opencode openai")}
	}
	var sentURL, sentCode bool
	lw := &eventLines{emit: func(l string) { u.run.emit(LoginEvent{Type: "output", Text: l}) }}
	run, err := steps.RunLogin(ctx, u.d, c.Args, nil, lw, func(p steps.LoginProgress) {
		switch {
		case p.Code != "" && !sentCode:
			sentCode = true
			verify := cmp.Or(p.DeviceURL, "https://auth.openai.com/codex/device")
			u.run.emit(LoginEvent{Type: "code", Code: p.Code, URL: verify, QR: qrDataURL(verify)})
		case p.AuthURL != "" && !sentURL && p.Code == "":
			sentURL = true
			u.run.emit(LoginEvent{Type: "url", URL: p.AuthURL})
		}
	})
	lw.flush()
	return steps.ChildResult{Exit: run.ExitCode, Transcript: run.Transcript, Err: err}
}

// eventLines turns OpenCode's (already redacted) output into lines, escape
// sequences and spinner frames dropped.
type eventLines struct {
	emit func(string)
	buf  []byte
}

func (e *eventLines) Write(b []byte) (int, error) {
	e.buf = append(e.buf, b...)
	for {
		i := bytes.IndexByte(e.buf, '\n')
		if i < 0 {
			break
		}
		e.line(string(e.buf[:i]))
		e.buf = e.buf[i+1:]
	}
	if len(e.buf) > 64<<10 { // a spinner that never ends its line
		e.buf = e.buf[len(e.buf)-(4<<10):]
	}
	return len(b), nil
}

func (e *eventLines) line(s string) {
	s = ansi.Strip(s)
	if i := strings.LastIndexByte(s, '\r'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSpace(s)
	if s == "" || s == "│" || strings.Contains(s, "Waiting for authorization") {
		return
	}
	e.emit(s)
}

func (e *eventLines) flush() {
	if len(e.buf) > 0 {
		e.line(string(e.buf))
		e.buf = nil
	}
}

// qrDataURL is a QR code of the verification page (not of the code: that
// is typed), as a data: PNG the page may show (CSP img-src data:); "" when
// it cannot be made.
func qrDataURL(url string) string {
	png, err := qrcode.Encode(url, qrcode.Medium, 192)
	if err != nil {
		return ""
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}
