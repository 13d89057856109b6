package e2e

// The real clients against the offline OpenAI stand-in (e2e/openaistandin):
// opencode's device and browser logins, its model list, a test request and a
// token refresh; codex's device login; then heidi's plain connect flow end to
// end on the real opencode. The real opencode is $HEIDI_REAL_OPENCODE, the
// real codex $HEIDI_REAL_CODEX; each test skips loudly without them.
//
// Every test has its own stand-in (its own proxy port and CA) and a throwaway
// HOME under /var/tmp (codex warns about a HOME under /tmp), with XDG_*
// unset. The browser logins share port 1455 and run one at a time.

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/e2e/openaistandin"
)

const (
	standinLoginTimeout = 120 * time.Second
	standinRunTimeout   = 240 * time.Second
	standinHeidiTimeout = 360 * time.Second
	standinHeadless     = "ChatGPT Pro/Plus (headless)"
	standinBrowser      = "ChatGPT Pro/Plus (browser)"
)

// standinPort1455 serialises the tests whose client listens on 1455.
var standinPort1455 sync.Mutex

// standinCodex returns $HEIDI_REAL_CODEX or skips the test saying how to
// enable it.
func standinCodex(t *testing.T) string {
	t.Helper()
	p := os.Getenv("HEIDI_REAL_CODEX")
	if p == "" {
		t.Skip("SKIPPED: the real codex test needs HEIDI_REAL_CODEX=/path/to/codex " +
			"(e.g. .cache/clients/node_modules/.bin/codex); it runs offline against the stand-in")
	}
	if !fileExists(p) {
		t.Fatalf("HEIDI_REAL_CODEX=%s does not exist", p)
	}
	return p
}

// standinSetup starts a stand-in whose tokens carry the env's canary and
// makes an Env for it: HOME, HEIDI_HOME and TMPDIR under a fresh /var/tmp
// dir, the stand-in's proxy and CA variables set, PATH without the fakes.
// At cleanup it kills anything the test left running, stops the stand-in
// and removes the dir.
func standinSetup(t *testing.T, opts openaistandin.Options) (*Env, *openaistandin.Server) {
	t.Helper()
	root, err := os.MkdirTemp("/var/tmp", "heidi-e2e-standin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	env := newEnv(t)
	env.Root = root
	env.Home = filepath.Join(root, "home")
	env.HeidiHome = filepath.Join(root, "heidi-home")
	for _, d := range []string{env.Home, filepath.Join(root, "tmp"), filepath.Join(root, "bin")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env.Set("HOME", env.Home).Set("HEIDI_HOME", env.HeidiHome).Set("TMPDIR", filepath.Join(root, "tmp"))
	env.Set("PATH", filepath.Join(root, "bin")+":/usr/local/bin:/usr/bin:/bin")

	opts.Canary = env.Canary
	s, err := openaistandin.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Close()
		if t.Failed() {
			for _, r := range s.Requests() {
				t.Logf("stand-in saw: %s", r)
			}
		}
	})
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env.Set(k, v)
	}
	t.Cleanup(func() { standinReap(t, env) })
	return env, s
}

// standinReap kills (by pid) whatever still carries this env's marker: the
// real clients may leave background work behind, which is theirs, not a
// heidi orphan (heidi's own runs are checked with noProcessesLeft).
func standinReap(t *testing.T, env *Env) {
	for _, p := range procsWithMarker(env.Marker) {
		t.Logf("killing leftover pid %d: %s", p.pid, p.cmdline)
		_ = syscall.Kill(p.pid, syscall.SIGKILL)
	}
}

// standinLinkOpenCode puts the real opencode on the env's PATH as `opencode`.
func standinLinkOpenCode(t *testing.T, env *Env) {
	t.Helper()
	abs, err := filepath.Abs(realOpenCode(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(env.Root, "bin", "opencode")); err != nil {
		t.Fatal(err)
	}
}

// standinRun runs the program and fails the test when it times out.
func standinRun(t *testing.T, env *Env, timeout time.Duration, argv ...string) Result {
	t.Helper()
	r := runWith(t, env, RunOpts{Timeout: timeout}, argv...)
	t.Logf("%s %q: rc %d in %v", filepath.Base(argv[0]), argv[1:], r.Code, r.Elapsed.Round(100*time.Millisecond))
	if r.TimedOut {
		t.Fatalf("%q timed out after %v\nstdout:\n%s\nstderr:\n%s", argv[1:], r.Elapsed, tail(ansi.Strip(r.Stdout), 3000), tail(ansi.Strip(r.Stderr), 3000))
	}
	return r
}

func standinDump(r Result) string {
	return fmt.Sprintf("rc %d after %v\nstdout:\n%s\nstderr:\n%s", r.Code, r.Elapsed.Round(time.Millisecond), tail(ansi.Strip(r.Stdout), 3000), tail(ansi.Strip(r.Stderr), 3000))
}

// standinOAuth is opencode's stored oauth entry.
type standinOAuth struct {
	Type      string `json:"type"`
	Refresh   string `json:"refresh"`
	Access    string `json:"access"`
	Expires   int64  `json:"expires"`
	AccountID string `json:"accountId"`
}

// standinReadAuth reads opencode's auth.json, checks it is mode 0600 and
// returns its openai entry.
func standinReadAuth(t *testing.T, env *Env) standinOAuth {
	t.Helper()
	fi, err := os.Stat(env.AuthPath())
	if err != nil {
		t.Fatalf("auth.json: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("auth.json mode %v, want 0600", fi.Mode().Perm())
	}
	var store map[string]standinOAuth
	if err := json.Unmarshal([]byte(env.ReadAuth()), &store); err != nil {
		t.Fatalf("auth.json is not JSON: %v", err)
	}
	return store["openai"]
}

// standinWantIssued checks that the openai entry is an oauth login with
// tokens the stand-in issued.
func standinWantIssued(t *testing.T, env *Env, s *openaistandin.Server) standinOAuth {
	t.Helper()
	e := standinReadAuth(t, env)
	if e.Type != "oauth" {
		t.Fatalf("openai entry type %q, want oauth", e.Type)
	}
	if !strings.HasPrefix(e.Refresh, "rt_"+s.Canary()+"_") {
		t.Error("the refresh token is not one the stand-in issued")
	}
	if e.AccountID != s.AccountID() {
		t.Errorf("accountId %q, want %q (from the id token)", e.AccountID, s.AccountID())
	}
	if exp := time.UnixMilli(e.Expires); exp.Before(time.Now()) || exp.After(time.Now().Add(2*time.Hour)) {
		t.Errorf("expires %v is not within the next 2 h (expires_in 3600)", exp)
	}
	return e
}

// standinGrants lists the grant types of the token requests, with status.
func standinGrants(s *openaistandin.Server) []string {
	var out []string
	for _, r := range s.Requests() {
		if r.Host == openaistandin.AuthHost && r.Path == openaistandin.PathToken {
			out = append(out, fmt.Sprintf("%s:%d", r.Grant, r.Status))
		}
	}
	return out
}

// standinResponses lists the Codex responses requests.
func standinResponses(s *openaistandin.Server) []openaistandin.Request {
	var out []openaistandin.Request
	for _, r := range s.Requests() {
		if r.Host == openaistandin.ChatGPTHost && r.Path == openaistandin.PathResponses {
			out = append(out, r)
		}
	}
	return out
}

// standinRunOK runs `opencode run "say ok"` with model and checks it
// printed ok through the stand-in.
func standinRunOK(t *testing.T, env *Env, s *openaistandin.Server, model string) {
	t.Helper()
	r := standinRun(t, env, standinRunTimeout, realOpenCode(t), "run", "say ok", "--model="+model)
	if r.Code != 0 || strings.TrimSpace(ansi.Strip(r.Stdout)) != "ok" {
		t.Fatalf("opencode run: want rc 0 and \"ok\"; %s", standinDump(r))
	}
	resp := standinResponses(s)
	if len(resp) == 0 {
		t.Fatal("opencode run printed ok without asking the Codex backend")
	}
	for _, q := range resp {
		if q.Status != 200 || q.Account != s.AccountID() {
			t.Errorf("responses request %v: want 200 with ChatGPT-Account-Id %s", q, s.AccountID())
		}
	}
	if "openai/"+resp[0].Model != model {
		t.Errorf("first responses request used model %q, want %s", resp[0].Model, model)
	}
}

// TestStandinOpenCodeDeviceLoginModelsRun: the headless login completes
// against the stand-in (after one pending poll), the ChatGPT model list
// shows, and a test request prints ok.
func TestStandinOpenCodeDeviceLoginModelsRun(t *testing.T) {
	t.Parallel()
	oc := realOpenCode(t)
	env, s := standinSetup(t, openaistandin.Options{PendingPolls: 1})

	r := standinRun(t, env, standinLoginTimeout, oc, "auth", "login", "-p", "openai", "-m", standinHeadless)
	out := ansi.Strip(r.Stdout)
	codes := s.UserCodes()
	if r.Code != 0 || len(codes) != 1 {
		t.Fatalf("login: want rc 0 and one user code (got %v); %s", codes, standinDump(r))
	}
	for _, want := range []string{"Go to: https://auth.openai.com/codex/device", "Enter code: " + codes[0], "Login successful"} {
		if !strings.Contains(out, want) {
			t.Errorf("login output lacks %q; %s", want, standinDump(r))
		}
	}
	standinWantIssued(t, env, s)
	if n := s.Count(openaistandin.AuthHost, openaistandin.PathDeviceToken); n != 2 {
		t.Errorf("%d device-token polls, want 2 (one pending, one success)", n)
	}
	if g := standinGrants(s); strings.Join(g, " ") != "authorization_code:200" {
		t.Errorf("token requests %v, want one authorization_code exchange", g)
	}

	r = standinRun(t, env, standinLoginTimeout, oc, "models", "openai")
	models := strings.Fields(ansi.Strip(r.Stdout))
	if r.Code != 0 || len(models) == 0 {
		t.Fatalf("models: %s", standinDump(r))
	}
	for _, m := range models {
		if !strings.HasPrefix(m, "openai/") {
			t.Errorf("models lists %q", m)
		}
	}
	t.Logf("%d models, first %s", len(models), models[0])

	// The first listed model is the Pro-only preview, which the stand-in
	// (as the real backend) refuses for this Plus account.
	standinRunOK(t, env, s, testOAuthModel)
}

// TestStandinOpenCodeBrowserLogin: the browser method completes when the
// test, playing the browser, follows the printed URL to the callback.
func TestStandinOpenCodeBrowserLogin(t *testing.T) {
	t.Parallel()
	oc := realOpenCode(t)
	standinPort1455.Lock()
	defer standinPort1455.Unlock()
	env, s := standinSetup(t, openaistandin.Options{})
	standinWaitPortFree(t, 1455, 60*time.Second)

	p := startPlain(t, env, nil, oc, "auth", "login", "-p", "openai", "-m", standinBrowser)
	p.WaitOutput(t, "Go to: https://auth.openai.com/oauth/authorize?", standinLoginTimeout)
	m := regexp.MustCompile(`Go to: (https://auth\.openai\.com/oauth/authorize\?\S+)`).FindStringSubmatch(ansi.Strip(p.Stdout()))
	if m == nil {
		t.Fatalf("no authorize URL in %q", ansi.Strip(p.Stdout()))
	}
	authURL, _ := url.Parse(m[1])
	state := authURL.Query().Get("state")
	if state == "" || authURL.Query().Get("redirect_uri") != "http://localhost:1455/auth/callback" {
		t.Fatalf("authorize URL %s", m[1])
	}
	// The opencode callback server is up once the URL is printed (it
	// listens before printing), so the browser can be sent there now.
	cb, err := s.Authorize(m[1])
	if err != nil {
		t.Fatal(err)
	}
	cbURL, _ := url.Parse(cb)
	if cbURL.Query().Get("state") != state {
		t.Fatalf("callback %s does not carry the printed state", cb)
	}
	direct := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}
	resp, err := direct.Get(cb)
	if err != nil {
		t.Fatalf("callback: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Authorization successful") {
		t.Errorf("callback answered %v: %.300s", resp.Status, body)
	}
	if code := p.Wait(t, standinLoginTimeout); code != 0 || !strings.Contains(ansi.Strip(p.Stdout()), "Login successful") {
		t.Fatalf("login rc %d\nstdout: %s\nstderr: %s", code, tail(ansi.Strip(p.Stdout()), 2000), ansi.Strip(p.Stderr()))
	}
	standinWantIssued(t, env, s)
	if g := standinGrants(s); strings.Join(g, " ") != "authorization_code:200" {
		t.Errorf("token requests %v, want one authorization_code exchange (PKCE checked)", g)
	}
}

// standinWaitPortFree waits until nothing listens on the TCP port (another
// suite may be using it); the real client fails at once when it is busy.
func standinWaitPortFree(t *testing.T, port int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		l, err := net.Listen("tcp", fmt.Sprintf(":%d", port))
		if err == nil {
			l.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("port %d stays busy (%v); the browser login needs it", port, err)
		}
		time.Sleep(250 * time.Millisecond) // polling a port: nothing to wait on
	}
}

// TestStandinOpenCodeRefresh: an expired entry is refreshed through
// /oauth/token before the request, and the rotated tokens are stored.
func TestStandinOpenCodeRefresh(t *testing.T) {
	t.Parallel()
	realOpenCode(t)
	env, s := standinSetup(t, openaistandin.Options{})
	env.PlantAuth("expired")
	planted := standinReadAuth(t, env)

	standinRunOK(t, env, s, testOAuthModel)
	if g := standinGrants(s); len(g) == 0 || g[0] != "refresh_token:200" {
		t.Fatalf("token requests %v, want a refresh first", g)
	}
	// the refresh came before the first responses request
	var order []string
	for _, r := range s.Requests() {
		if r.Path == openaistandin.PathToken || r.Path == openaistandin.PathResponses {
			order = append(order, r.Path)
		}
	}
	if order[0] != openaistandin.PathToken {
		t.Errorf("request order %v: the refresh must come first", order)
	}
	e := standinWantIssued(t, env, s)
	if e.Refresh == planted.Refresh || e.Access == planted.Access {
		t.Error("auth.json still holds the planted (expired) tokens")
	}
}

// TestStandinOpenCodeRefreshRejected: a refresh token the server says was
// already used fails the request and leaves the stored entry alone.
func TestStandinOpenCodeRefreshRejected(t *testing.T) {
	t.Parallel()
	oc := realOpenCode(t)
	env, s := standinSetup(t, openaistandin.Options{Faults: openaistandin.Faults{Refresh: openaistandin.RefreshReused}})
	env.PlantAuth("expired")
	before := env.ReadAuth()

	r := standinRun(t, env, standinRunTimeout, oc, "run", "say ok", "--model="+testOAuthModel)
	if r.Code == 0 || strings.Contains(ansi.Strip(r.Stdout), "ok") {
		t.Errorf("run with a rejected refresh: want a failure; %s", standinDump(r))
	}
	if g := standinGrants(s); len(g) == 0 || g[0] != "refresh_token:401" {
		t.Errorf("token requests %v, want a rejected refresh", g)
	}
	if n := len(standinResponses(s)); n != 0 {
		t.Errorf("%d responses requests with no valid token", n)
	}
	if env.ReadAuth() != before {
		t.Error("auth.json changed after a rejected refresh")
	}
	t.Logf("opencode says: %s", strings.TrimSpace(tail(ansi.Strip(r.Stderr+r.Stdout), 400)))
}

// TestStandinCodexDeviceLogin: `codex login --device-auth` completes
// against the stand-in and stores ChatGPT tokens.
func TestStandinCodexDeviceLogin(t *testing.T) {
	t.Parallel()
	cx := standinCodex(t)
	env, s := standinSetup(t, openaistandin.Options{PendingPolls: 1})
	if p, err := lookPathIn("node", "/usr/local/bin:/usr/bin:/bin"); err != nil {
		t.Skipf("codex's launcher needs node: %v", err)
	} else {
		env.Set("PATH", env.Get("PATH")+":"+filepath.Dir(p))
	}

	r := standinRun(t, env, standinLoginTimeout, cx, "login", "--device-auth")
	codes := s.UserCodes()
	if r.Code != 0 || len(codes) != 1 || !strings.Contains(ansi.Strip(r.Stdout), codes[0]) || !strings.Contains(r.Stderr, "Successfully logged in") {
		t.Fatalf("codex device login: want rc 0, the code %v and success; %s", codes, standinDump(r))
	}
	if strings.Contains(r.Stderr, "WARNING") {
		t.Errorf("codex warned: %s", r.Stderr)
	}
	path := filepath.Join(env.Home, ".codex", "auth.json")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("codex auth.json mode %v", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	var a struct {
		Mode   string `json:"auth_mode"`
		Tokens struct {
			Refresh   string `json:"refresh_token"`
			AccountID string `json:"account_id"`
		} `json:"tokens"`
	}
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if a.Mode != "chatgpt" || a.Tokens.AccountID != s.AccountID() || !strings.HasPrefix(a.Tokens.Refresh, "rt_"+s.Canary()) {
		t.Errorf("codex auth.json: mode %q account %q, refresh issued by the stand-in: %v", a.Mode, a.Tokens.AccountID, strings.HasPrefix(a.Tokens.Refresh, "rt_"+s.Canary()))
	}
	r = standinRun(t, env, 30*time.Second, cx, "login", "status")
	if r.Code != 0 || !strings.Contains(r.Stderr, "Logged in using ChatGPT") {
		t.Errorf("codex login status: %s", standinDump(r))
	}

	// With device-code login disabled, codex reports it (its text for a 404).
	s.SetFaults(openaistandin.Faults{DeviceCodeDisabled: true})
	env.Set("CODEX_HOME", filepath.Join(env.Root, "codex-home-2"))
	if err := os.MkdirAll(env.Get("CODEX_HOME"), 0o700); err != nil {
		t.Fatal(err)
	}
	r = standinRun(t, env, standinLoginTimeout, cx, "login", "--device-auth")
	if r.Code != 1 || !strings.Contains(r.Stderr, "device code login is not enabled") {
		t.Errorf("codex device login, disabled: want rc 1 and \"device code login is not enabled\"; %s", standinDump(r))
	}
	if fileExists(filepath.Join(env.Get("CODEX_HOME"), "auth.json")) {
		t.Error("codex stored credentials after a failed login")
	}
}

func lookPathIn(name, path string) (string, error) {
	for _, d := range filepath.SplitList(path) {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in %s", name, path)
}

// ---- heidi on the real opencode ----------------------------------------------------

// standinHeidiConnect runs `heidi connect opencode openai --plain --headless
// --yes` (stdin /dev/null, so plain mode anyway) and checks what every run
// must satisfy: no canary in its output or in HEIDI_HOME, nothing left
// running. --timeout lifts heidi's per-call limits (10 s for --version, 30 s
// for models): on a loaded 2-core machine the real client's start-up alone
// can take longer.
func standinHeidiConnect(t *testing.T, env *Env) Result {
	t.Helper()
	r := standinRun(t, env, standinHeidiTimeout, heidi(t), "connect", "opencode", "openai", "--plain", "--headless", "--yes", "--timeout=4m")
	assertNoCanary(t, env.Canary, r.Stdout, r.Stderr)
	assertNoCanaryInDir(t, env.Canary, env.HeidiHome)
	noProcessesLeft(t, env)
	return r
}

// TestStandinHeidiConnect: the whole plain flow on the real opencode:
// device login, models, a test run, the four summary lines; then status
// says CONNECTED.
func TestStandinHeidiConnect(t *testing.T) {
	t.Parallel()
	heidi(t)
	realOpenCode(t)
	env, s := standinSetup(t, openaistandin.Options{PendingPolls: 1})
	standinLinkOpenCode(t, env)

	r := standinHeidiConnect(t, env)
	summary := regexp.MustCompile(`^Connected: OpenCode → OpenAI \(ChatGPT Plus/Pro\)\nAuth file: ` + regexp.QuoteMeta(env.AuthPath()) +
		`\nModels: ([1-9][0-9]*) \(first: (openai/\S+)\)\nTest run: PASS\n$`)
	m := summary.FindStringSubmatch(r.Stdout)
	if r.Code != 0 || m == nil {
		t.Fatalf("want exit 0 and exactly the four summary lines; %s", standinDump(r))
	}
	codes := s.UserCodes()
	if len(codes) != 1 || !strings.Contains(r.Stderr, codes[0]) {
		t.Errorf("heidi did not show the stand-in's user code %v:\n%s", codes, r.Stderr)
	}
	standinWantIssued(t, env, s)
	resp := standinResponses(s)
	if len(resp) == 0 || "openai/"+resp[0].Model != testOAuthModel {
		t.Errorf("the test run's requests %v do not use %s (the first listed is %s)", resp, testOAuthModel, m[2])
	}

	out, code := runStatus(t, env)
	// status gives each opencode call 45 s; on a loaded 2-core machine one
	// `opencode models openai` can take longer. A timeout is not an answer:
	// ask again (twice at most) before judging.
	for i := 0; i < 2 && code != 0 && strings.Contains(statusRow(out, "Reason"), "did not answer within"); i++ {
		t.Logf("status timed out on a busy machine; asking again:\n%s", out)
		out, code = runStatus(t, env)
	}
	wantConnected(t, out, code)
}

// TestStandinHeidiConnectRateLimited: the Codex backend answers 429 (usage
// limit) → `Test run: FAIL`, exit 1.
func TestStandinHeidiConnectRateLimited(t *testing.T) {
	t.Parallel()
	heidi(t)
	realOpenCode(t)
	// opencode retries a 429 five times; a short retry-after keeps that quick.
	env, s := standinSetup(t, openaistandin.Options{Faults: openaistandin.Faults{Responses: 429, RetryAfter: 50 * time.Millisecond}})
	standinLinkOpenCode(t, env)
	env.PlantAuth("oauth") // a valid login: heidi keeps it and goes straight to the test

	r := standinHeidiConnect(t, env)
	if r.Code != 1 || !strings.Contains(r.Stdout, "Test run: FAIL\n") || strings.Contains(r.Stdout, "Connected: ") {
		t.Fatalf("want exit 1 and Test run: FAIL; %s", standinDump(r))
	}
	if !strings.HasPrefix(r.Stdout, "Not connected: OpenCode → OpenAI (ChatGPT Plus/Pro)\n") {
		t.Errorf("summary does not start with Not connected:\n%s", r.Stdout)
	}
	if !strings.Contains(r.Stdout, "usage limit") {
		t.Errorf("the reason does not pass on the server's usage-limit message:\n%s", r.Stdout)
	}
	resp := standinResponses(s)
	if len(resp) == 0 || resp[0].Status != 429 {
		t.Errorf("responses requests %v, want 429s", resp)
	}
	if s.Count(openaistandin.AuthHost, "") != 0 {
		t.Errorf("heidi logged in again although a valid login was stored")
	}
	t.Logf("heidi says:\n%s", r.Stdout)
}

// TestStandinHeidiDeviceCodeDisabled: the account has device-code login
// disabled → `Login: FAIL`, exit 1, with guidance.
func TestStandinHeidiDeviceCodeDisabled(t *testing.T) {
	t.Parallel()
	heidi(t)
	realOpenCode(t)
	env, s := standinSetup(t, openaistandin.Options{Faults: openaistandin.Faults{DeviceCodeDisabled: true}})
	standinLinkOpenCode(t, env)

	r := standinHeidiConnect(t, env)
	if r.Code != 1 || !strings.Contains(r.Stdout, "Login: FAIL\n") {
		t.Fatalf("want exit 1 and Login: FAIL; %s", standinDump(r))
	}
	if s.Count(openaistandin.AuthHost, openaistandin.PathUserCode) == 0 {
		t.Error("opencode never asked for a device code")
	}
	next := r.Stdout[strings.Index(r.Stdout, "Login: FAIL"):]
	if !strings.Contains(next, "Next:") {
		t.Errorf("no guidance (Next:) after the failure:\n%s", r.Stdout)
	}
	low := strings.ToLower(next)
	if !strings.Contains(low, "device") || !(strings.Contains(low, "enable") || strings.Contains(low, "browser")) {
		t.Errorf("the guidance says nothing about enabling device-code login or using the browser:\n%s", r.Stdout)
	}
	if fileExists(env.AuthPath()) && strings.Contains(env.ReadAuth(), "oauth") {
		t.Error("an oauth entry was stored although the login failed")
	}
	t.Logf("heidi says:\n%s", r.Stdout)
}
