package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/steps"
)

const canary = "CANARY-5e71c0d2a9f4"

var oauthEntry = `{"openai":{"type":"oauth","refresh":"rt_` + canary + `","access":"eyJhbGciOiJub25lIn0.eyJ` + canary + `In0.","expires":1900000000000,"accountId":"acct-fake-000"}}`

const oauthModels = "openai/gpt-5.3-codex-spark\nopenai/gpt-5.4\nopenai/gpt-5.5\n"

// runKey is the test heidi sends first: not the Pro-only spark listed first,
// but the newest mainline model (steps.RankTestModels).
const runKey = "opencode run say ok --model=openai/gpt-5.5"

// sparkKey is the Pro-only preview; a Plus account gets the real 400.
const sparkKey = "opencode run say ok --model=openai/gpt-5.3-codex-spark"

// fakeRunner answers commands by their joined arguments; funcs take
// precedence and may block on ctx or on the test's channels.
type fakeRunner struct {
	mu      sync.Mutex
	answers map[string]probe.Result
	funcs   map[string]func(ctx context.Context) (probe.Result, error)
	calls   []string
}

func (f *fakeRunner) Run(ctx context.Context, name string, args []string, _ []string) (probe.Result, error) {
	key := filepath.Base(name) + " " + strings.Join(args, " ")
	f.mu.Lock()
	f.calls = append(f.calls, key)
	fn, hasFn := f.funcs[key]
	r, ok := f.answers[key]
	f.mu.Unlock()
	if hasFn {
		return fn(ctx)
	}
	if ok {
		return r, nil
	}
	return probe.Result{ExitCode: 127, Stderr: []byte("no such fake: " + key)}, nil
}

func (f *fakeRunner) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == key {
			n++
		}
	}
	return n
}

// ctxErr is what probe.ExecRunner returns when ctx ends first.
func ctxErr(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("opencode: %w", probe.ErrTimeout)
	}
	return fmt.Errorf("opencode: %w", ctx.Err())
}

func okRunner() *fakeRunner {
	return &fakeRunner{
		answers: map[string]probe.Result{
			"opencode --version":     {Stdout: []byte("1.18.33\n")},
			"opencode models openai": {Stdout: []byte(oauthModels)},
			runKey:                   {Stdout: []byte("ok\n"), Stderr: []byte("\x1b[0m\n> build · gpt-5.5\n\x1b[0m\n")},
			sparkKey:                 {ExitCode: 1, Stderr: []byte(sparkRefusal)},
		},
		funcs: map[string]func(context.Context) (probe.Result, error){},
	}
}

type world struct {
	t      *testing.T
	home   string
	run    *fakeRunner
	deps   steps.Deps
	srv    *Server
	ts     *httptest.Server
	host   string // 127.0.0.1:port
	mu     sync.Mutex
	bodies []string // every response body and header block seen, for the canary check
}

// newWorld builds a fake machine (real temp dirs, fake runner) and serves
// the handler on a real loopback listener.
func newWorld(t *testing.T, run *fakeRunner, auth string, mod ...func(*steps.Deps)) *world {
	t.Helper()
	home := t.TempDir()
	if auth != "" {
		dir := filepath.Join(home, ".local", "share", "opencode")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "auth.json"), []byte(auth), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"HOME": home, "HEIDI_HOME": filepath.Join(home, "heidi"), "DISPLAY": ":0"}
	sys := probe.Sys{
		GOOS:    "linux",
		Getenv:  func(k string) string { return env[k] },
		Environ: func() []string { return nil },
		LookPath: func(n string) (string, error) {
			if n == "opencode" {
				return "/usr/bin/opencode", nil
			}
			return "", fmt.Errorf("%s: not found", n)
		},
		FS:          probe.OSFS{},
		Run:         run,
		Home:        home,
		ProcVersion: func() string { return "Linux version 6.1" },
		PortFree:    func(int) bool { return true },
		IsTerminal:  func(uintptr) bool { return false },
		Now:         time.Now,
	}
	d := steps.NewDeps(sys)
	for _, m := range mod {
		m(&d)
	}
	w := &world{t: t, home: home, run: run, deps: d}
	w.srv = New(d, Options{})
	w.ts = httptest.NewServer(w.srv.Handler())
	t.Cleanup(w.ts.Close)
	w.host = strings.TrimPrefix(w.ts.URL, "http://")
	t.Cleanup(func() { w.assertNoCanary() })
	return w
}

type req struct {
	method, path string
	host         string // "" = the server's own
	origin       string // "" = same origin for POST, none for GET; "-" = none
	token        string // "" = the right one for POST; "-" = none
	body         string
	header       map[string]string
}

type resp struct {
	code   int
	header http.Header
	body   string
}

func (w *world) do(r req) resp {
	w.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, w.ts.URL+r.path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	hr.Host = w.host
	if r.host != "" {
		hr.Host = r.host
	}
	post := r.method != http.MethodGet && r.method != http.MethodHead
	switch {
	case r.origin == "-":
	case r.origin != "":
		hr.Header.Set("Origin", r.origin)
	case post:
		hr.Header.Set("Origin", "http://"+w.host)
	}
	switch {
	case r.token == "-":
	case r.token != "":
		hr.Header.Set(TokenHeader, r.token)
	case post:
		hr.Header.Set(TokenHeader, w.srv.token)
	}
	if post && r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	res, err := w.ts.Client().Do(hr)
	if err != nil {
		w.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	out := resp{code: res.StatusCode, header: res.Header, body: string(b)}
	w.record(out)
	checkHeaders(w.t, r.method+" "+r.path, out)
	return out
}

func (w *world) record(r resp) {
	var hb bytes.Buffer
	_ = r.header.Write(&hb)
	w.mu.Lock()
	w.bodies = append(w.bodies, hb.String()+"\n"+r.body)
	w.mu.Unlock()
}

func (w *world) assertNoCanary() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, b := range w.bodies {
		if strings.Contains(b, canary) {
			w.t.Errorf("canary secret leaked in a response:\n%s", b)
		}
	}
}

// checkHeaders: the security headers on every response, and never CORS.
func checkHeaders(t *testing.T, what string, r resp) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": CSP,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
		"X-Frame-Options":         "DENY",
	}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s: header %s = %q, want %q", what, k, got, v)
		}
	}
	for k := range r.header {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			t.Errorf("%s: CORS header %s: %v", what, k, r.header[k])
		}
	}
}

func decode[T any](t *testing.T, r resp) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("bad JSON (%v): %s", err, r.body)
	}
	return v
}

// ---- status -----------------------------------------------------------------------------

func TestStatusConnected(t *testing.T) {
	w := newWorld(t, okRunner(), oauthEntry)
	r := w.do(req{method: "GET", path: StatusPath})
	if r.code != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("status: %d %s\n%s", r.code, r.header.Get("Content-Type"), r.body)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(r.body), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"connected", "authPath", "models", "lastError", "credentialType", "expires", "opencodeVersion", "headless", "checkedAt", "needsPlugin"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("status JSON lacks %q: %s", k, r.body)
		}
	}
	st := decode[StatusResponse](t, r)
	if !st.Connected || st.CredentialType != "oauth" || st.OpenCodeVersion != "1.18.33" || st.LastError != "" || st.NeedsPlugin {
		t.Fatalf("status = %+v", st)
	}
	if len(st.Models) != 3 || st.Models[0] != "openai/gpt-5.3-codex-spark" {
		t.Fatalf("models = %v", st.Models)
	}
	if want := filepath.Join(w.home, ".local", "share", "opencode", "auth.json"); st.AuthPath != want {
		t.Fatalf("authPath = %q, want %q", st.AuthPath, want)
	}
	if st.Expires == nil || *st.Expires != 1900000000000 {
		t.Fatalf("expires = %v", st.Expires)
	}
}

func TestStatusNotConnected(t *testing.T) {
	for name, auth := range map[string]string{
		"no store": "",
		"api key":  `{"openai":{"type":"api","key":"sk-` + canary + `aaaaaaaaaaaaaaaaaaaa"}}`,
		"corrupt":  "{ broken " + canary,
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, okRunner(), auth)
			r := w.do(req{method: "GET", path: StatusPath})
			st := decode[StatusResponse](t, r)
			if r.code != 200 || st.Connected || st.LastError == "" || st.Next == "" {
				t.Fatalf("%d %+v", r.code, st)
			}
		})
	}
}

func TestStatusNeedsPlugin(t *testing.T) {
	run := okRunner()
	run.answers["opencode --version"] = probe.Result{Stdout: []byte("1.0.185\n")}
	w := newWorld(t, run, oauthEntry)
	st := decode[StatusResponse](t, w.do(req{method: "GET", path: StatusPath}))
	if !st.NeedsPlugin || st.OpenCodeVersion != "1.0.185" {
		t.Fatalf("an OpenCode older than 1.1.11 must need the plugin: %+v", st)
	}
}

// ---- test run ---------------------------------------------------------------------------

// sparkRefusal is what opencode 1.18.33 prints when the backend refuses the
// Pro-only preview for a Plus account (measured against the e2e stand-in).
const sparkRefusal = "\x1b[0m\n> build · gpt-5.3-codex-spark\n\x1b[0m\n\x1b[91m\x1b[1mError: \x1b[0mBad Request: {\"detail\":\"The 'gpt-5.3-codex-spark' model is not supported when using Codex with a ChatGPT account.\"}\n"

func TestTestPass(t *testing.T) {
	w := newWorld(t, okRunner(), oauthEntry)
	r := w.do(req{method: "POST", path: TestPath})
	res := decode[TestResponse](t, r)
	if r.code != 200 || !res.Pass || res.Model != "openai/gpt-5.5" || !strings.Contains(res.Tail, "ok") || res.Error != "" {
		t.Fatalf("%d %+v", r.code, res)
	}
	if !strings.Contains(r.body, `"run_output_tail"`) || !strings.Contains(r.body, `"durationMs"`) {
		t.Fatalf("response lacks the documented fields: %s", r.body)
	}
	o, err := steps.LoadOutcome(w.deps.Paths)
	if err != nil || o.Result != "PASS" || o.Model != "openai/gpt-5.5" {
		t.Fatalf("outcome = %+v, %v", o, err)
	}
	if n := w.run.count(sparkKey); n != 0 {
		t.Errorf("the Pro-only preview was tried %d times", n)
	}
	// the status shows it
	st := decode[StatusResponse](t, w.do(req{method: "GET", path: StatusPath}))
	if st.LastTest == nil || st.LastTest.Result != "PASS" {
		t.Fatalf("status lastTest = %+v", st.LastTest)
	}
}

// TestTestFallsBackAndRemembers: the model tried first is refused for the
// plan → the next one passes, the answer names the refusal, and the next
// Test starts with the model that passed.
func TestTestFallsBackAndRemembers(t *testing.T) {
	run := okRunner()
	run.answers[runKey] = probe.Result{ExitCode: 1, Stderr: []byte(strings.ReplaceAll(sparkRefusal, "gpt-5.3-codex-spark", "gpt-5.5"))}
	run.answers["opencode run say ok --model=openai/gpt-5.4"] = probe.Result{Stdout: []byte("ok\n")}
	w := newWorld(t, run, oauthEntry)
	res := decode[TestResponse](t, w.do(req{method: "POST", path: TestPath}))
	if !res.Pass || res.Model != "openai/gpt-5.4" || len(res.Refused) != 1 || res.Refused[0].Model != "openai/gpt-5.5" || !strings.Contains(res.Note, "gpt-5.5") {
		t.Fatalf("%+v", res)
	}
	st := decode[StatusResponse](t, w.do(req{method: "GET", path: StatusPath}))
	if st.TestModel != "openai/gpt-5.4" {
		t.Errorf("status testModel = %q, want the model that passed", st.TestModel)
	}
	res = decode[TestResponse](t, w.do(req{method: "POST", path: TestPath}))
	if !res.Pass || res.Model != "openai/gpt-5.4" || len(res.Refused) != 0 || run.count(runKey) != 1 {
		t.Fatalf("second Test: %+v; %d runs of the refused model", res, run.count(runKey))
	}
}

// TestTestClassifiedFailure: a known failure carries its class and hint.
func TestTestClassifiedFailure(t *testing.T) {
	run := okRunner()
	run.answers[runKey] = probe.Result{ExitCode: 1, Stderr: []byte("> build · gpt-5.5\n\nError: The usage limit has been reached\n")}
	w := newWorld(t, run, oauthEntry)
	res := decode[TestResponse](t, w.do(req{method: "POST", path: TestPath}))
	if res.Pass || res.Class != "usage-limit" || !strings.Contains(strings.Join(res.Hints, "\n"), steps.UsageURL) || !strings.Contains(res.Error, "usage limit") {
		t.Fatalf("%+v", res)
	}
	if run.count("opencode run say ok --model=openai/gpt-5.4") != 0 {
		t.Error("a usage limit was retried with another model")
	}
}

func TestTestChosenModel(t *testing.T) {
	run := okRunner()
	run.answers["opencode run say ok --model=openai/gpt-5.4"] = probe.Result{Stdout: []byte("ok\n")}
	w := newWorld(t, run, oauthEntry)
	res := decode[TestResponse](t, w.do(req{method: "POST", path: TestPath, body: `{"model":"gpt-5.4"}`}))
	if !res.Pass || res.Model != "openai/gpt-5.4" {
		t.Fatalf("%+v", res)
	}
	r := w.do(req{method: "POST", path: TestPath, body: `{"model":"openai/not-listed"}`})
	if r.code != 400 || run.count("opencode run say ok --model=openai/not-listed") != 0 {
		t.Fatalf("unlisted model: %d %s", r.code, r.body)
	}
	// nothing ran: the PASS of gpt-5.4 stays the recorded result (issue 15 item 9)
	if o, err := steps.LoadOutcome(w.deps.Paths); err != nil || o.Result != "PASS" || o.Model != "openai/gpt-5.4" {
		t.Fatalf("a rejected request overwrote the outcome: %+v, %v", o, err)
	}
	if r := w.do(req{method: "POST", path: TestPath, body: `not json`}); r.code != 400 {
		t.Fatalf("bad JSON: %d %s", r.code, r.body)
	}
}

func TestTestFail(t *testing.T) {
	run := okRunner()
	jwt := "eyJhbGciOiJub25lIn0.eyJjYW5hcnkiOiJ" + canary + "In0.sig"
	run.answers[runKey] = probe.Result{
		ExitCode: 1,
		Stdout:   []byte("token " + jwt + "\nrefresh_token=rt_" + canary + "\nOPENAI_API_KEY=sk-proj-" + canary + "\n"),
		Stderr:   []byte("Authorization: Bearer " + jwt + "\n\x1b[91m\x1b[1mError: \x1b[0mUnknownError rt_" + canary + "\n"),
	}
	w := newWorld(t, run, oauthEntry)
	r := w.do(req{method: "POST", path: TestPath})
	res := decode[TestResponse](t, r)
	if r.code != 200 || res.Pass || res.Error == "" || res.Step != "Test run" || len(res.Hints) == 0 {
		t.Fatalf("%d %+v", r.code, res)
	}
	if !strings.Contains(res.Tail, "UnknownError") {
		t.Fatalf("tail lacks the error line: %q", res.Tail)
	}
	o, err := steps.LoadOutcome(w.deps.Paths)
	if err != nil || o.Result != "FAIL" || o.Step != "Test run" {
		t.Fatalf("outcome = %+v, %v", o, err)
	}
	b, _ := os.ReadFile(filepath.Join(w.deps.Paths.HeidiHome, "last-connect.json"))
	if strings.Contains(string(b), canary) {
		t.Fatalf("canary in the recorded outcome: %s", b)
	}
}

func TestTestNotConnected(t *testing.T) {
	run := okRunner()
	run.answers["opencode models openai"] = probe.Result{ExitCode: 1, Stderr: []byte("\x1b[91m\x1b[1mError: \x1b[0mProvider not found: openai\n")}
	w := newWorld(t, run, "")
	r := w.do(req{method: "POST", path: TestPath})
	res := decode[TestResponse](t, r)
	if r.code != 200 || res.Pass || res.Step != "Models" || !strings.Contains(res.Error, "Provider not found") {
		t.Fatalf("%d %+v", r.code, res)
	}
	if n := run.count(runKey); n != 0 {
		t.Fatalf("opencode run was called %d times without models", n)
	}
}

func TestTestTimeout(t *testing.T) {
	run := okRunner()
	run.funcs[runKey] = func(ctx context.Context) (probe.Result, error) {
		<-ctx.Done()
		return probe.Result{ExitCode: -1, Stdout: []byte("thinking… refresh rt_" + canary)}, ctxErr(ctx)
	}
	w := newWorld(t, run, oauthEntry, func(d *steps.Deps) { d.Timeouts.Run = 50 * time.Millisecond })
	r := w.do(req{method: "POST", path: TestPath})
	res := decode[TestResponse](t, r)
	if r.code != 200 || res.Pass || !strings.Contains(res.Error, "did not finish within 50ms") {
		t.Fatalf("%d %+v", r.code, res)
	}
}

func TestTestConcurrent409(t *testing.T) {
	run := okRunner()
	started, release := make(chan struct{}), make(chan struct{})
	run.funcs[runKey] = func(ctx context.Context) (probe.Result, error) {
		close(started)
		select {
		case <-release:
			return probe.Result{Stdout: []byte("ok\n")}, nil
		case <-ctx.Done():
			return probe.Result{ExitCode: -1}, ctxErr(ctx)
		}
	}
	w := newWorld(t, run, oauthEntry)
	first := make(chan resp, 1)
	go func() { first <- w.do(req{method: "POST", path: TestPath}) }()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the first test never started")
	}
	r := w.do(req{method: "POST", path: TestPath})
	if r.code != http.StatusConflict || !strings.Contains(r.body, "already in progress") {
		t.Fatalf("second concurrent test: %d %s", r.code, r.body)
	}
	close(release)
	select {
	case r := <-first:
		if res := decode[TestResponse](t, r); r.code != 200 || !res.Pass {
			t.Fatalf("first test: %d %s", r.code, r.body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first test did not finish")
	}
	if n := run.count(runKey); n != 1 {
		t.Fatalf("opencode run called %d times, want 1", n)
	}
	// the slot is free again
	run.funcs = map[string]func(context.Context) (probe.Result, error){}
	if r := w.do(req{method: "POST", path: TestPath}); r.code != 200 {
		t.Fatalf("third test: %d %s", r.code, r.body)
	}
}

// ---- security ---------------------------------------------------------------------------

func TestHostCheck(t *testing.T) {
	w := newWorld(t, okRunner(), oauthEntry)
	_, port, _ := net.SplitHostPort(w.host)
	for _, c := range []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1:" + port, true},
		{"localhost:" + port, true},
		{"LOCALHOST:" + port, true},
		{"[::1]:" + port, true},
		{"127.0.0.2:" + port, true},
		{"evil.example:" + port, false},
		{"127.0.0.1.nip.io:" + port, false},
		{"localhost.evil.example:" + port, false},
		{"localhost:1", false},
		{"127.0.0.1", false},
		{"localhost", false},
		{"192.168.1.10:" + port, false},
		{"[fe80::1%25eth0]:" + port, false},
	} {
		for _, path := range []string{"/", StatusPath, "/app.js"} {
			r := w.do(req{method: "GET", path: path, host: c.host})
			if c.ok && r.code != 200 {
				t.Errorf("GET %s with Host %q: %d, want 200", path, c.host, r.code)
			}
			if !c.ok && r.code != http.StatusForbidden {
				t.Errorf("GET %s with Host %q: %d, want 403", path, c.host, r.code)
			}
		}
		if !c.ok {
			if r := w.do(req{method: "POST", path: TestPath, host: c.host, origin: "http://" + c.host}); r.code != http.StatusForbidden {
				t.Errorf("POST with Host %q: %d, want 403", c.host, r.code)
			}
		}
	}
	if n := w.run.count(runKey); n != 0 {
		t.Fatalf("a refused request ran opencode %d times", n)
	}
}

// Without a connection's local address (a recorder), Options.Addr decides;
// with neither, everything is refused.
func TestHostCheckWithoutConnection(t *testing.T) {
	d := steps.Deps{}
	for _, c := range []struct {
		addr, host string
		code       int
	}{
		{"127.0.0.1:7077", "127.0.0.1:7077", 200},
		{"127.0.0.1:7077", "localhost:7077", 200},
		{"127.0.0.1:7077", "evil.example:7077", 403},
		{"127.0.0.1:7077", "127.0.0.1:7078", 403},
		{"", "127.0.0.1:7077", 403},
	} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/app.css", nil)
		r.Host = c.host
		New(d, Options{Addr: c.addr}).Handler().ServeHTTP(rec, r)
		if rec.Code != c.code {
			t.Errorf("addr %q host %q: %d, want %d", c.addr, c.host, rec.Code, c.code)
		}
	}
}

func TestCrossOriginRefused(t *testing.T) {
	w := newWorld(t, okRunner(), oauthEntry)
	_, port, _ := net.SplitHostPort(w.host)
	for _, origin := range []string{
		"-", // none
		"null",
		"http://evil.example",
		"http://evil.example:" + port,
		"https://" + w.host,
		"http://localhost:" + port, // another origin than the page's (127.0.0.1)
		"http://" + w.host + ".evil.example",
	} {
		r := w.do(req{method: "POST", path: TestPath, origin: origin})
		if r.code != http.StatusForbidden || !strings.Contains(r.body, "cross-origin") {
			t.Errorf("Origin %q: %d %s, want 403", origin, r.code, r.body)
		}
	}
	// a browser's cross-site fetch of the API is refused even for GET
	for _, site := range []string{"cross-site", "same-site"} {
		r := w.do(req{method: "GET", path: StatusPath, header: map[string]string{"Sec-Fetch-Site": site}})
		if r.code != http.StatusForbidden {
			t.Errorf("GET status with Sec-Fetch-Site %s: %d, want 403", site, r.code)
		}
	}
	// a CORS preflight gets no CORS answer
	r := w.do(req{method: "OPTIONS", path: TestPath, origin: "http://evil.example", token: "-",
		header: map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-heidi-token"}})
	if r.code != http.StatusForbidden {
		t.Errorf("preflight: %d, want 403", r.code)
	}
	if n := w.run.count(runKey); n != 0 {
		t.Fatalf("a refused request ran opencode %d times", n)
	}
}

func TestTokenRequired(t *testing.T) {
	w := newWorld(t, okRunner(), oauthEntry)
	for _, tok := range []string{"-", "wrong", w.srv.token[:len(w.srv.token)-1], w.srv.token + "0", strings.ToUpper(w.srv.token)} {
		r := w.do(req{method: "POST", path: TestPath, token: tok})
		if r.code != http.StatusForbidden || !strings.Contains(r.body, TokenHeader) {
			t.Errorf("token %q: %d %s, want 403", tok, r.code, r.body)
		}
	}
	if n := w.run.count(runKey); n != 0 {
		t.Fatalf("a refused request ran opencode %d times", n)
	}
	// the page hands out the right token, and it works
	page := w.do(req{method: "GET", path: "/"})
	m := regexp.MustCompile(`<meta name="heidi-token" content="([0-9a-f]{64})">`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no token meta in the page:\n%s", page.body)
	}
	if r := w.do(req{method: "POST", path: TestPath, token: m[1]}); r.code != 200 {
		t.Fatalf("with the page's token: %d %s", r.code, r.body)
	}
	// another server has another token
	if other := New(w.deps, Options{}); other.token == w.srv.token {
		t.Fatal("the token is not per process/server")
	}
}

func TestBodyTooLarge(t *testing.T) {
	w := newWorld(t, okRunner(), oauthEntry)
	big := `{"model":"` + strings.Repeat("a", 64<<10) + `"}`
	r := w.do(req{method: "POST", path: TestPath, body: big})
	if r.code != http.StatusRequestEntityTooLarge {
		t.Fatalf("big body: %d %s, want 413", r.code, r.body)
	}
	if n := w.run.count("opencode models openai"); n != 0 {
		t.Fatalf("a refused request ran opencode %d times", n)
	}
}

func TestMethodsAndPaths(t *testing.T) {
	w := newWorld(t, okRunner(), oauthEntry)
	for _, c := range []struct {
		method, path string
		code         int
	}{
		{"GET", TestPath, 405},
		{"POST", StatusPath, 405},
		{"DELETE", TestPath, 405},
		{"GET", "/nope", 404},
		{"GET", "/web/index.html", 404},
		{"POST", "/", 405},
	} {
		if r := w.do(req{method: c.method, path: c.path}); r.code != c.code {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, r.code, c.code)
		}
	}
}

func TestPageAndAssets(t *testing.T) {
	w := newWorld(t, okRunner(), oauthEntry)
	page := w.do(req{method: "GET", path: "/"})
	if page.code != 200 || page.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("page: %d %s", page.code, page.header.Get("Content-Type"))
	}
	for _, want := range []string{
		"Connections", "OpenAI (ChatGPT Plus/Pro)", ">Connect OpenAI (ChatGPT Plus/Pro)<", ">Prefer a terminal?<", ">Verify<", ">Test<", "Troubleshooting",
		"npx -y opencode-openai-codex-auth@latest", "opencode auth login", "opencode models openai",
		"heidi connect opencode openai", "heidi connect opencode openai --headless", "codex login --device-auth",
		`<script src="/app.js" defer></script>`, `<link rel="stylesheet" href="/app.css">`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if want := `<meta name="heidi-token" content="` + w.srv.token + `">`; !strings.Contains(page.body, want) || strings.Contains(page.body, tokenSlot) {
		t.Errorf("page does not carry the session token in its meta tag")
	}
	// CSP forbids inline script and style: none may be present, nor anything remote.
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`<script(\s[^>]*)?>[^<]`),          // inline script
		regexp.MustCompile(`<script(?:\s(?:[^s>]|s[^r])*)?>`), // script without src
		regexp.MustCompile(`<style`),
		regexp.MustCompile(`\sstyle=`),
		regexp.MustCompile(`\son[a-z]+=`),
		regexp.MustCompile(`(src|href)="(https?:)?//`),
	} {
		if m := bad.FindString(page.body); m != "" {
			t.Errorf("page has %q (CSP or offline violation)", m)
		}
	}
	for path, ctype := range map[string]string{"/app.js": "text/javascript; charset=utf-8", "/app.css": "text/css; charset=utf-8", "/favicon.svg": "image/svg+xml"} {
		r := w.do(req{method: "GET", path: path})
		if r.code != 200 || r.header.Get("Content-Type") != ctype || len(r.body) < 100 {
			t.Errorf("%s: %d %q %d bytes", path, r.code, r.header.Get("Content-Type"), len(r.body))
		}
		body := strings.ReplaceAll(r.body, `xmlns="http://www.w3.org/2000/svg"`, "")
		if strings.Contains(body, "http://") || strings.Contains(body, "https://") || strings.Contains(body, "@import") {
			t.Errorf("%s refers to something remote", path)
		}
	}
	js := w.do(req{method: "GET", path: "/app.js"}).body
	for _, want := range []string{StatusPath, TestPath, TokenHeader, "heidi-token"} {
		if !strings.Contains(js, want) {
			t.Errorf("app.js lacks %q", want)
		}
	}
}

// ---- Serve ------------------------------------------------------------------------------

func TestServeShutdownCancelsTest(t *testing.T) {
	run := okRunner()
	started, ended := make(chan struct{}), make(chan error, 1)
	run.funcs[runKey] = func(ctx context.Context) (probe.Result, error) {
		close(started)
		<-ctx.Done()
		err := ctxErr(ctx)
		ended <- err
		return probe.Result{ExitCode: -1}, err
	}
	w := newWorld(t, run, oauthEntry)
	srv := New(w.deps, Options{Grace: 5 * time.Second})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	base := "http://" + ln.Addr().String()
	got := make(chan resp, 1)
	go func() {
		hr, _ := http.NewRequest("POST", base+TestPath, nil)
		hr.Header.Set("Origin", base)
		hr.Header.Set(TokenHeader, srv.token)
		res, err := http.DefaultClient.Do(hr)
		if err != nil {
			got <- resp{code: -1, body: err.Error()}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got <- resp{code: res.StatusCode, header: res.Header, body: string(b)}
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the test run never started")
	}
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Fatalf("the run's context ended with %v, want cancellation", err)
	}
	r := <-got
	w.record(r)
	if r.code != http.StatusServiceUnavailable || !strings.Contains(r.body, "cancelled") {
		t.Fatalf("in-flight test answered %d %s", r.code, r.body)
	}
	o, err := steps.LoadOutcome(w.deps.Paths)
	if err != nil || o.Result != "CANCELLED" {
		t.Fatalf("outcome = %+v, %v", o, err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Fatal("still listening after Serve returned")
	}
}

func TestIndexPageEscapesToken(t *testing.T) {
	page, err := indexPage(`"><script>x</script>`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(page), "<script>x") || !strings.Contains(string(page), `content="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"`) {
		t.Errorf("token not escaped in the page")
	}
}

// TestLoginOrphanGrace: a waiting login nobody watches is cancelled after
// the grace period; a page that watches stops the clock; an ended login
// is never cancelled.
func TestLoginOrphanGrace(t *testing.T) {
	old := loginGrace
	loginGrace = time.Millisecond
	defer func() { loginGrace = old }()
	cancelled := make(chan struct{})
	l := newLoginRun(func() { close(cancelled) })
	l.watch(1)
	if l.orphan != nil {
		t.Fatal("a watched login has an orphan timer")
	}
	l.watch(-1)
	if l.orphan == nil {
		t.Fatal("an unwatched login has no orphan timer")
	}
	<-cancelled // the grace period ends it

	l = newLoginRun(func() { t.Error("an ended login was cancelled") })
	l.emit(LoginEvent{Type: "done"})
	l.watch(0)
	if l.orphan != nil {
		t.Error("an ended login got an orphan timer")
	}
	if evs, done, _ := l.since(0); !done || len(evs) != 1 {
		t.Errorf("events %v done %v", evs, done)
	}
	l.emit(LoginEvent{Type: "note"})
	if evs, _, _ := l.since(0); len(evs) != 1 {
		t.Error("an event after done was kept")
	}
}
