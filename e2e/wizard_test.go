package e2e

// Black-box tests of the interactive connect wizard (issue 3): the built
// heidi in a pty, driven by keys, against the fake opencode and browser.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/tailscale/hujson"
)

// Keys as a terminal sends them.
const (
	keyCtrlC  = "\x03"
	keyCtrlO  = "\x0f"
	keyCtrlY  = "\x19"
	keyLeaveC = "\x1d" // ctrl+]
	keyDown   = "\x1b[B"
	keyEnter  = "\r"
)

// wzWait bounds every wait on heidi's screen: generous for -race on two
// cores, never used as a sleep.
const wzWait = 30 * time.Second

const (
	connectedLine    = "Connected: OpenCode → OpenAI (ChatGPT Plus/Pro)"
	notConnectedLine = "Not connected: OpenCode → OpenAI (ChatGPT Plus/Pro)"
)

// desktopEnv is a graphical desktop session: DISPLAY set, no SSH/CI/WSL
// variables (newEnv inherits nothing), and $BROWSER the fake browser.
func desktopEnv(t *testing.T) *Env {
	return newEnv(t).Set("DISPLAY", ":0").Set("BROWSER", fakeBrowser())
}

func connectArgv(t *testing.T, flags ...string) []string {
	return append([]string{heidi(t), "connect", "opencode", "openai"}, flags...)
}

// startWizard starts the connect wizard in a cols×rows pty.
func startWizard(t *testing.T, env *Env, cols, rows int, flags ...string) *Screen {
	t.Helper()
	return startScreen(t, env, cols, rows, connectArgv(t, flags...)...)
}

// afterExit is what heidi printed on the normal screen once it left the
// alternate screen: ANSI stripped, CRLF turned into LF, trimmed.
func afterExit(t *testing.T, s *Screen) string {
	t.Helper()
	raw := s.Raw()
	i := strings.LastIndex(raw, "\x1b[?1049l")
	if i < 0 {
		t.Errorf("heidi never left the alternate screen; raw tail %q", tail(raw, 500))
		return ""
	}
	out := ansi.Strip(raw[i:])
	out = strings.ReplaceAll(out, "\r\n", "\n")
	return strings.TrimSpace(strings.ReplaceAll(out, "\r", ""))
}

// summaryOK is the success summary, exactly.
func summaryOK(env *Env) string {
	return strings.Join([]string{
		connectedLine,
		"Auth file: " + env.AuthPath(),
		"Models: 19 (first: " + firstOAuthModel + ")",
		"Test run: PASS",
	}, "\n")
}

// wantPrintedOK checks that the four success lines, and nothing else but a
// trailing "heidi: …" line, were printed on the normal screen after exit.
func wantPrintedOK(t *testing.T, env *Env, s *Screen) {
	t.Helper()
	if got, want := afterExit(t, s), summaryOK(env); got != want {
		t.Errorf("printed after exit:\n%s\nwant exactly:\n%s", got, want)
	}
}

// wantPrintedFail checks the failure summary printed after exit: the first
// line, "<step>: FAIL", a Reason containing reason, and a Next block.
func wantPrintedFail(t *testing.T, s *Screen, step, reason string) string {
	t.Helper()
	got := afterExit(t, s)
	lines := strings.Split(got, "\n")
	if len(lines) < 4 || lines[0] != notConnectedLine || lines[1] != step+": FAIL" || !strings.HasPrefix(lines[2], "Reason: ") {
		t.Errorf("printed after exit:\n%s\nwant %q, %q, \"Reason: …\", \"Next:\"", got, notConnectedLine, step+": FAIL")
		return got
	}
	if !strings.Contains(got, reason) {
		t.Errorf("summary does not say %q:\n%s", reason, got)
	}
	if !regexp.MustCompile(`(?m)^Next:\n  \S`).MatchString(got) {
		t.Errorf("summary has no Next: block with a step:\n%s", got)
	}
	return got
}

// outcome is heidi's record of the last run.
type outcome struct {
	Result    string `json:"result"`
	Step      string `json:"step"`
	Model     string `json:"model"`
	LastError string `json:"lastError"`
}

func readOutcome(t *testing.T, env *Env) outcome {
	t.Helper()
	var o outcome
	p := filepath.Join(env.HeidiHome, "last-connect.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Errorf("no outcome recorded: %v", err)
		return o
	}
	if err := json.Unmarshal(b, &o); err != nil {
		t.Errorf("%s: %v", p, err)
	}
	if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("%s has mode %v, want owner-only", p, fi.Mode().Perm())
	}
	return o
}

// wantOutcome checks last-connect.json's result and step.
func wantOutcome(t *testing.T, env *Env, result, step string) {
	t.Helper()
	o := readOutcome(t, env)
	if o.Result != result || o.Step != step {
		t.Errorf("last-connect.json: result %q step %q, want %q %q", o.Result, o.Step, result, step)
	}
}

// cleanAfter is what every wizard run must leave: the canary nowhere on the
// screen, in the transcript or in HEIDI_HOME, and no process running.
func cleanAfter(t *testing.T, env *Env, s *Screen) {
	t.Helper()
	assertNoCanary(t, env.Canary, s.Text(), s.Raw())
	assertNoCanaryInDir(t, env.Canary, env.HeidiHome)
	noProcessesLeft(t, env)
}

// quitSummary waits for the summary screen, leaves it with q and returns the
// exit code.
func quitSummary(t *testing.T, s *Screen) int {
	t.Helper()
	s.WaitFor(t, "6/6 · Summary", wzWait)
	s.WaitFor(t, "q/enter exit", wzWait)
	s.Send("q")
	return s.Wait(t, wzWait)
}

// loginCalls are the fake's `auth login` invocations other than heidi's
// method probe.
func loginCalls(env *Env) []string {
	var out []string
	for _, c := range env.OpenCodeCalls() {
		if strings.Contains(c, `"auth" "login"`) && !strings.Contains(c, `"-m" "heidi-list-methods"`) {
			out = append(out, c)
		}
	}
	return out
}

// wantBrowserOpenedOnce checks the fake browser got exactly one authorize
// URL whose callback is this env's port.
func wantBrowserOpenedOnce(t *testing.T, env *Env) {
	t.Helper()
	urls := env.BrowserURLs()
	if len(urls) != 1 {
		t.Errorf("browser opened %d times, want once: %q", len(urls), urls)
		return
	}
	if !strings.HasPrefix(urls[0], "https://auth.openai.com/oauth/authorize?") ||
		!strings.Contains(urls[0], "redirect_uri=http%3A%2F%2Flocalhost%3A"+strconv.Itoa(env.Port)+"%2Fauth%2Fcallback") {
		t.Errorf("browser got %q, want the authorize URL with this env's callback port", urls[0])
	}
}

func wantOAuthStored(t *testing.T, env *Env) {
	t.Helper()
	var st map[string]struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal([]byte(env.ReadAuth()), &st); err != nil || st["openai"].Type != "oauth" {
		t.Errorf("auth.json holds no openai oauth entry (%v)", err)
	}
}

// wantFits checks the screen is laid out within its size: the header on the
// first row and the key help on the last.
func wantFits(t *testing.T, screen string, rows int, footer string) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if !strings.HasPrefix(lines[0], "heidi") {
		t.Errorf("first row %q is not heidi's header:\n%s", lines[0], screen)
	}
	if len(lines) != rows || !strings.Contains(lines[rows-1], footer) {
		t.Errorf("last row (of %d) is not the key help %q:\n%s", len(lines), footer, screen)
	}
}

func TestWizardBrowserHappyPath(t *testing.T) {
	t.Parallel()
	for _, sz := range [][2]int{{100, 30}, {80, 24}} {
		t.Run(strconv.Itoa(sz[0])+"x"+strconv.Itoa(sz[1]), func(t *testing.T) {
			t.Parallel()
			env := desktopEnv(t)
			s := startWizard(t, env, sz[0], sz[1])
			txt := s.WaitFor(t, "Sign in to ChatGPT in your browser", wzWait)
			for _, want := range []string{"3/6 · Login", "ctrl+o open in browser", "ctrl+] leave the login", "Go to: https://auth.openai.com/oauth/authorize"} {
				if !strings.Contains(txt, want) {
					t.Errorf("login screen lacks %q:\n%s", want, txt)
				}
			}
			wantFits(t, s.Screen(), sz[1], "ctrl+]")
			if len(env.BrowserURLs()) != 0 {
				t.Error("the browser was opened before ctrl+o (without --yes)")
			}
			s.Send(keyCtrlO)
			txt = s.WaitFor(t, "Test run: PASS", wzWait)
			for _, want := range []string{"6/6 · Summary", connectedLine, "Models: 19 (first: " + firstOAuthModel + ")", "q/enter exit"} {
				if !strings.Contains(txt, want) {
					t.Errorf("summary screen lacks %q:\n%s", want, txt)
				}
			}
			if s.Exited() {
				t.Error("heidi left the summary without q (no --yes)")
			}
			s.Send("q")
			if code := s.Wait(t, wzWait); code != 0 {
				t.Errorf("exit %d, want 0", code)
			}
			wantPrintedOK(t, env, s)
			wantBrowserOpenedOnce(t, env)
			wantOAuthStored(t, env)
			wantOutcome(t, env, "PASS", "")
			if o := readOutcome(t, env); o.Model != testOAuthModel {
				t.Errorf("outcome model %q", o.Model)
			}
			cleanAfter(t, env, s)
		})
	}
}

func TestWizardYesNoKeys(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	s := startWizard(t, env, 100, 30, "--yes")
	if code := s.Wait(t, wzWait); code != 0 {
		t.Errorf("exit %d, want 0\n%s", code, s.Text())
	}
	wantPrintedOK(t, env, s)
	wantBrowserOpenedOnce(t, env)
	wantOAuthStored(t, env)
	wantOutcome(t, env, "PASS", "")
	cleanAfter(t, env, s)
}

func TestWizardKeepExistingLogin(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		cols, rows int
		key        string
	}{
		{"k", 100, 30, "k"},
		{"enter picks the highlighted keep", 80, 24, keyEnter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := desktopEnv(t)
			env.PlantAuth("oauth")
			before := env.ReadAuth()
			s := startWizard(t, env, c.cols, c.rows)
			txt := s.WaitFor(t, "Keep the existing login", wzWait)
			for _, want := range []string{"3/6 · Login", "(k)", "Log in again", "(l)", "enter confirm"} {
				if !strings.Contains(txt, want) {
					t.Errorf("question lacks %q:\n%s", want, txt)
				}
			}
			s.Send(c.key)
			if code := quitSummary(t, s); code != 0 {
				t.Errorf("exit %d, want 0", code)
			}
			wantPrintedOK(t, env, s)
			if calls := loginCalls(env); len(calls) != 0 {
				t.Errorf("kept the login, yet OpenCode's login ran: %q", calls)
			}
			// Nor was OpenCode asked for its login methods (issue 17: that
			// call can wait a minute on its model-catalogue fetch).
			for _, c := range env.OpenCodeCalls() {
				if strings.Contains(c, `"auth" "login"`) {
					t.Errorf("a kept login still asked OpenCode: %s", c)
				}
			}
			if env.ReadAuth() != before {
				t.Error("auth.json changed although the login was kept")
			}
			if len(env.BrowserURLs()) != 0 {
				t.Error("a browser was opened although the login was kept")
			}
			wantOutcome(t, env, "PASS", "")
			cleanAfter(t, env, s)
		})
	}
}

func TestWizardStalePluginRepaired(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	env.PlantAuth("oauth")
	cfgPath := filepath.Join(env.ConfigDir(), "opencode.jsonc")
	original := `{
  // my settings, keep me
  "$schema": "https://opencode.ai/config.json",
  "theme": "tokyonight", /* inline comment */
  "plugin": ["opencode-openai-codex-auth"],
  "provider": {
    "openai": {
      "options": { "reasoningEffort": "medium" },
      "models": { "gpt-5-codex-medium": {} }
    }
  },
  "autoupdate": false, // trailing comma next
}
`
	if err := os.MkdirAll(env.ConfigDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, []byte(original), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startWizard(t, env, 100, 30)
	txt := s.WaitFor(t, "Yes, back up and remove them", wzWait)
	for _, want := range []string{"2/6 · Login method", `plugin "opencode-openai-codex-auth"`, "provider.openai", "(y)", "(n)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("question lacks %q:\n%s", want, txt)
		}
	}
	s.Send("y")
	s.WaitFor(t, "Keep the existing login", wzWait)
	s.Send("k")
	txt = s.WaitFor(t, "Test run: PASS", wzWait)
	if !strings.Contains(strings.Join(strings.Fields(txt), ""), ".heidi-backup-") {
		t.Errorf("the summary does not name the backup:\n%s", txt)
	}
	if code := quitSummary(t, s); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	wantPrintedOK(t, env, s)

	backups, _ := filepath.Glob(cfgPath + ".heidi-backup-*")
	if len(backups) != 1 {
		t.Fatalf("backups %v, want exactly one", backups)
	}
	if b, err := os.ReadFile(backups[0]); err != nil || string(b) != original {
		t.Errorf("backup %s differs from the original config (%v):\n%s", backups[0], err, b)
	}
	if fi, err := os.Stat(backups[0]); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(b)
	for _, keep := range []string{"// my settings, keep me", "/* inline comment */", "// trailing comma next", `"theme": "tokyonight"`, `"autoupdate": false`} {
		if !strings.Contains(cfg, keep) {
			t.Errorf("rewritten config lost %q:\n%s", keep, cfg)
		}
	}
	if strings.Contains(cfg, "opencode-openai-codex-auth") || strings.Contains(cfg, `"provider"`) || strings.Contains(cfg, "reasoningEffort") {
		t.Errorf("rewritten config still has the plugin or provider.openai:\n%s", cfg)
	}
	std, err := hujson.Standardize(b)
	if err != nil {
		t.Fatalf("rewritten config is not valid JSONC: %v\n%s", err, cfg)
	}
	var parsed map[string]any
	if err := json.Unmarshal(std, &parsed); err != nil {
		t.Fatal(err)
	}
	if p, ok := parsed["plugin"]; ok {
		if arr, _ := p.([]any); len(arr) != 0 {
			t.Errorf("plugin is still %v", p)
		}
	}
	if fi, err := os.Stat(cfgPath); err == nil && fi.Mode().Perm() != 0o644 {
		t.Errorf("config mode changed to %v", fi.Mode().Perm())
	}
	cleanAfter(t, env, s)
}

func TestWizardCorruptStoreRepaired(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	env.PlantAuth("corrupt")
	original := env.ReadAuth()
	s := startWizard(t, env, 80, 24)
	txt := s.WaitFor(t, "Yes, move it aside and log in", wzWait)
	for _, want := range []string{"3/6 · Login", "credential store is broken", "(y)", "(n)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("question lacks %q:\n%s", want, txt)
		}
	}
	s.Send("y")
	s.WaitFor(t, "Sign in to ChatGPT", wzWait)
	s.Send(keyCtrlO)
	if code := quitSummary(t, s); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	wantPrintedOK(t, env, s)
	backups, _ := filepath.Glob(env.AuthPath() + ".heidi-backup-*")
	if len(backups) != 1 {
		t.Fatalf("backups %v, want exactly one", backups)
	}
	if b, err := os.ReadFile(backups[0]); err != nil || string(b) != original {
		t.Errorf("the backup does not hold the original bytes (%v)", err)
	}
	if fi, err := os.Stat(backups[0]); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	wantOAuthStored(t, env)
	cleanAfter(t, env, s)
}

func TestWizardCorruptStoreDeclined(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	env.PlantAuth("corrupt")
	original := env.ReadAuth()
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "Yes, move it aside and log in", wzWait)
	s.Send("n")
	if code := quitSummary(t, s); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantPrintedFail(t, s, "Login", "broken")
	if env.ReadAuth() != original {
		t.Error("declined, yet the store changed")
	}
	if m, _ := filepath.Glob(env.AuthPath() + ".heidi-backup-*"); len(m) != 0 {
		t.Errorf("declined, yet backups exist: %v", m)
	}
	if calls := loginCalls(env); len(calls) != 0 {
		t.Errorf("declined, yet the login ran: %q", calls)
	}
	cleanAfter(t, env, s)
}

func TestWizardOpenCodeMissing(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	path := "/usr/local/bin:/usr/bin:/bin"
	for _, d := range filepath.SplitList(path) {
		if fileExists(filepath.Join(d, "opencode")) {
			t.Skipf("a real opencode is installed in %s: cannot test its absence", d)
		}
	}
	// npm may be offered: make sure nothing could ever be installed globally.
	env.Set("PATH", path).Set("npm_config_prefix", filepath.Join(env.Root, "npm-prefix")).Set("npm_config_offline", "true")
	s := startWizard(t, env, 100, 30)
	txt := s.WaitFor(t, regexp.MustCompile(`Install it now with npm\?|Prerequisites: FAIL`), wzWait)
	if strings.Contains(txt, "Install it now with npm?") {
		for _, want := range []string{"1/6 · Prerequisites", "OpenCode is not installed", "(y)", "No, I will install it myself", "(n)"} {
			if !strings.Contains(txt, want) {
				t.Errorf("question lacks %q:\n%s", want, txt)
			}
		}
		s.Send("n")
	}
	if code := quitSummary(t, s); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	got := wantPrintedFail(t, s, "Prerequisites", "OpenCode is not installed")
	for _, hint := range []string{"npm install -g opencode-ai", "curl -fsSL https://opencode.ai/install | bash"} {
		if !strings.Contains(got, hint) {
			t.Errorf("install hints lack %q:\n%s", hint, got)
		}
	}
	wantOutcome(t, env, "FAIL", "Prerequisites")
	if fileExists(filepath.Join(env.Root, "npm-prefix")) {
		t.Error("something was installed with npm")
	}
	cleanAfter(t, env, s)
}

func TestWizardNodeMissingOldOpenCode(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t).Set("FAKE_OPENCODE_VERSION", "1.0.185").Set("PATH", fakeBinDir)
	s := startWizard(t, env, 80, 24)
	if code := quitSummary(t, s); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	got := wantPrintedFail(t, s, "Prerequisites", "1.0.185")
	for _, want := range []string{"Node.js", "opencode-openai-codex-auth", "1.1.11"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if calls := loginCalls(env); len(calls) != 0 {
		t.Errorf("the login ran without its plugin: %q", calls)
	}
	wantOutcome(t, env, "FAIL", "Prerequisites")
	cleanAfter(t, env, s)
}

func TestWizardLoginFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, mode, reason string
	}{
		{"token exchange fails", "fail", "Token exchange failed: 400"},
		{"exit 0 but nothing stored", "noop", "Login did not complete"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := desktopEnv(t).Set("FAKE_OPENCODE_LOGIN", c.mode)
			s := startWizard(t, env, 100, 30)
			s.WaitFor(t, "Sign in to ChatGPT", wzWait)
			s.Send(keyCtrlO)
			// A failed browser login offers a way on (issue 15 item 4).
			q := s.WaitFor(t, "What now?", wzWait)
			for _, want := range []string{"Try the browser login again", "Use the device-code login instead", "Stop here"} {
				if !strings.Contains(q, want) {
					t.Errorf("the question lacks %q:\n%s", want, q)
				}
			}
			s.Send("s")
			txt := s.WaitFor(t, "Login: FAIL", wzWait)
			if !strings.Contains(txt, notConnectedLine) {
				t.Errorf("summary lacks %q:\n%s", notConnectedLine, txt)
			}
			if code := quitSummary(t, s); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			got := wantPrintedFail(t, s, "Login", c.reason)
			if c.mode == "noop" && !nothingStoredRe.MatchString(got) {
				t.Errorf("the reason does not say that nothing was stored:\n%s", got)
			}
			wantOutcome(t, env, "FAIL", "Login")
			if calls := env.OpenCodeCalls(); strings.Contains(strings.Join(calls, "\n"), `"models"`) {
				t.Errorf("went on to the models after a failed login: %q", calls)
			}
			cleanAfter(t, env, s)
		})
	}
}

func TestWizardModelsAndTestRunFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		vars      []string
		flags     []string
		step      string
		reason    string
		hint      string
		exitAfter bool // --yes: no q needed
	}{
		{"models empty", []string{"FAKE_OPENCODE_MODELS", "empty"}, nil, "Models", "listed no OpenAI models", "opencode models openai", false},
		{"models fail", []string{"FAKE_OPENCODE_MODELS", "fail"}, []string{"--yes"}, "Models", "`opencode models openai` failed", "opencode models openai", true},
		{"models hang --timeout 3s", []string{"FAKE_OPENCODE_MODELS", "hang"}, []string{"--yes", "--timeout", "3s"}, "Models", "within 3s", "opencode models openai", true},
		{"test run fails", []string{"FAKE_OPENCODE_RUN", "fail"}, []string{"--yes"}, "Test run", "Test run failed", "opencode run", true},
		{"test run offline", []string{"FAKE_OPENCODE_RUN", "offline"}, nil, "Test run", "Unable to connect", "cannot reach OpenAI", false},
		{"test run hangs --timeout 3s", []string{"FAKE_OPENCODE_RUN", "hang"}, []string{"--yes", "--timeout", "3s"}, "Test run", "within 3s", "opencode run", true},
		// The per-plan refusals of the Codex backend (issue 14).
		{"free plan", []string{"FAKE_OPENCODE_PLAN", "free"}, []string{"--yes"}, "Test run", "Usage not included in your plan", "chatgpt.com/#pricing", true},
		{"pro-only --model on plus", []string{"FAKE_OPENCODE_PLAN", "plus"}, []string{"--yes", "--model", "openai/gpt-5.3-codex-spark"}, "Test run", "not supported when using Codex with a ChatGPT account", "--model openai/<id>", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := desktopEnv(t).Set(c.vars[0], c.vars[1])
			env.PlantAuth("oauth")
			s := startWizard(t, env, 100, 30, c.flags...)
			var code int
			if c.exitAfter {
				code = s.Wait(t, wzWait)
			} else {
				s.WaitFor(t, "Keep the existing login", wzWait)
				s.Send("k")
				code = quitSummary(t, s)
			}
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			got := wantPrintedFail(t, s, c.step, c.reason)
			if !strings.Contains(got, c.hint) {
				t.Errorf("Next lacks %q:\n%s", c.hint, got)
			}
			wantOutcome(t, env, "FAIL", c.step)
			cleanAfter(t, env, s)
		})
	}
}

// nothingStoredRe matches heidi's ways of saying that a login stored nothing.
var nothingStoredRe = regexp.MustCompile(`stored no OpenAI credential|auth\.json does not exist|no saved credentials`)

// startWaitingLogin starts the wizard on a desktop and waits until the
// browser login waits for its callback.
func startWaitingLogin(t *testing.T, env *Env, cols, rows int) *Screen {
	t.Helper()
	s := startWizard(t, env, cols, rows)
	s.WaitFor(t, "Waiting for authorization", wzWait)
	s.WaitFor(t, "Sign in to ChatGPT", wzWait)
	return s
}

// loginPid is the pid of the running `opencode auth login -p openai -m …`.
func loginPid(env *Env) int {
	for _, p := range procsWithMarker(env.Marker) {
		if strings.Contains(p.cmdline, "auth login -p openai -m ChatGPT") {
			return p.pid
		}
	}
	return 0
}

func TestWizardCtrlCGoesToTheLogin(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	s := startWaitingLogin(t, env, 100, 30)
	if loginPid(env) == 0 {
		t.Fatal("no login process while the login waits")
	}
	s.Send(keyCtrlC)
	// The fake, like the real client, takes Ctrl+C in its terminal as
	// "cancel" and exits 0 with nothing stored: heidi must judge by the
	// store, and must not itself quit.
	txt := s.WaitFor(t, "Login: FAIL", wzWait)
	if !nothingStoredRe.MatchString(txt) && !strings.Contains(txt, "Canceled") {
		t.Errorf("the failure does not say why:\n%s", txt)
	}
	if s.Exited() {
		t.Error("heidi quit on a Ctrl+C meant for the login")
	}
	if code := quitSummary(t, s); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantPrintedFail(t, s, "Login", "Login did not complete")
	wantOutcome(t, env, "FAIL", "Login")
	cleanAfter(t, env, s)
}

func TestWizardLeaveLogin(t *testing.T) {
	t.Parallel()
	for _, signals := range []string{"real", "ignore"} {
		t.Run("signals="+signals, func(t *testing.T) {
			t.Parallel()
			env := desktopEnv(t).Set("FAKE_OPENCODE_SIGNALS", signals)
			s := startWaitingLogin(t, env, 80, 24)
			s.Send(keyLeaveC)
			q := s.WaitFor(t, "What now?", wzWait) // retry, device code, or stop
			if !strings.Contains(q, "You left the login") || loginPid(env) != 0 {
				t.Errorf("after ctrl+]: the login runs (%v) or the question lacks the reason:\n%s", loginPid(env) != 0, q)
			}
			s.Send("s")
			txt := s.WaitFor(t, "Login: FAIL", wzWait)
			if !strings.Contains(txt, "You left the login") {
				t.Errorf("summary does not say the login was left:\n%s", txt)
			}
			if loginPid(env) != 0 {
				t.Error("the login still runs after ctrl+]")
			}
			if code := quitSummary(t, s); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			wantPrintedFail(t, s, "Login", "You left the login")
			cleanAfter(t, env, s)
		})
	}
}

func TestWizardCtrlCOnQuestion(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	env.PlantAuth("oauth")
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "Keep the existing login", wzWait)
	s.Send(keyCtrlC)
	if code := s.Wait(t, wzWait); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	if !strings.Contains(s.Text(), "heidi: cancelled") {
		t.Errorf("no cancel message:\n%s", s.Text())
	}
	wantOutcome(t, env, "CANCELLED", "Login")
	cleanAfter(t, env, s)
}

func TestWizardSignalDuringLogin(t *testing.T) {
	t.Parallel()
	cases := []struct {
		sig     syscall.Signal
		signals string
	}{
		{syscall.SIGTERM, "real"},
		{syscall.SIGHUP, "ignore"},
		{syscall.SIGINT, "real"},
	}
	for _, c := range cases {
		t.Run(c.sig.String(), func(t *testing.T) {
			t.Parallel()
			env := desktopEnv(t).Set("FAKE_OPENCODE_SIGNALS", c.signals)
			s := startWaitingLogin(t, env, 100, 30)
			pid := loginPid(env)
			if pid == 0 {
				t.Fatal("no login process while the login waits")
			}
			s.Signal(c.sig)
			if code := s.Wait(t, wzWait); code != 130 {
				t.Errorf("exit %d after %v, want 130", code, c.sig)
			}
			if err := syscall.Kill(pid, 0); err == nil {
				if st, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); !strings.Contains(string(st), ") Z") {
					t.Errorf("the login child %d survived heidi", pid)
				}
			}
			wantOutcome(t, env, "CANCELLED", "Login")
			cleanAfter(t, env, s)
		})
	}
}

// sizeReporter is an `opencode` that, for the login, prints the terminal
// size it sees at start and on every SIGWINCH; everything else (the method
// probe included) goes to the fake.
const sizeReporter = `#!/bin/sh
case "$*" in
*heidi-list-methods*) exec "$FAKE" "$@" ;;
"auth login"*)
  trap 'echo "SIZE $(stty size)"' WINCH
  echo "SIZE $(stty size)"
  echo "Waiting for authorization"
  while :; do sleep 1 & wait $!; done ;;
esac
exec "$FAKE" "$@"
`

func TestWizardResizeDuringLogin(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	bin := filepath.Join(env.Root, "sizebin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "opencode"), []byte(sizeReporter), 0o755); err != nil {
		t.Fatal(err)
	}
	env.Set("FAKE", fakeOpenCode()).Set("PATH", bin+":"+env.Get("PATH"))
	sizeRe := regexp.MustCompile(`SIZE (\d+) (\d+)`)
	s := startWizard(t, env, 100, 30)
	txt := s.WaitFor(t, sizeRe, wzWait)
	m := sizeRe.FindStringSubmatch(txt)
	rows0, _ := strconv.Atoi(m[1])
	cols0, _ := strconv.Atoi(m[2])
	if cols0 > 100 || cols0 < 60 || rows0 >= 30 || rows0 < 5 {
		t.Errorf("the login's terminal is %dx%d inside a 100x30 wizard", cols0, rows0)
	}
	s.Resize(80, 24)
	want := regexp.MustCompile(`SIZE (\d+) 80\b`)
	txt = s.WaitFor(t, want, wzWait)
	m = want.FindStringSubmatch(txt)
	if rows1, _ := strconv.Atoi(m[1]); rows1 != rows0-6 {
		t.Errorf("after resizing 100x30 → 80x24 the login sees %d rows, want %d (six fewer)", rows1, rows0-6)
	}
	s.WaitFor(t, "ctrl+] leave the login", wzWait)
	wantFits(t, s.Screen(), 24, "ctrl+]")
	leaveLogin(t, s, wzWait)
	if code := quitSummary(t, s); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	cleanAfter(t, env, s)
}

func TestWizardTestRunInterrupted(t *testing.T) {
	t.Parallel()
	runPid := func(env *Env) int {
		for _, p := range procsWithMarker(env.Marker) {
			if strings.Contains(p.cmdline, "run say ok") {
				return p.pid
			}
		}
		return 0
	}
	waitRun := func(t *testing.T, env *Env, s *Screen) {
		s.WaitFor(t, "5/6 · Test run", wzWait)
		s.WaitFor(t, "esc stop the test run", wzWait)
		deadline := time.Now().Add(wzWait)
		for runPid(env) == 0 { // polling /proc: there is no event to wait on
			if time.Now().After(deadline) {
				t.Fatal("no `opencode run` process during the test run")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Run("esc stops the run", func(t *testing.T) {
		t.Parallel()
		env := desktopEnv(t).Set("FAKE_OPENCODE_RUN", "hang")
		env.PlantAuth("oauth")
		s := startWizard(t, env, 100, 30)
		s.WaitFor(t, "Keep the existing login", wzWait)
		s.Send("k")
		waitRun(t, env, s)
		s.Send("\x1b")
		// A cancel, not a failure (issue 15 item 10): exit 130, no advice.
		s.WaitFor(t, "Test run: CANCELLED", wzWait)
		if s.Exited() {
			t.Error("esc during the test run quit heidi")
		}
		if code := quitSummary(t, s); code != 130 {
			t.Errorf("exit %d, want 130", code)
		}
		got := afterExit(t, s)
		if !strings.Contains(got, "Test run: CANCELLED\nReason: you stopped the test run") || strings.Contains(got, "Next:") || strings.Contains(strings.ToLower(got), "log in again") {
			t.Errorf("printed after exit:\n%s", got)
		}
		wantOutcome(t, env, "CANCELLED", "Test run")
		cleanAfter(t, env, s)
	})
	t.Run("ctrl+c quits and ends the run", func(t *testing.T) {
		t.Parallel()
		env := desktopEnv(t).Set("FAKE_OPENCODE_RUN", "hang")
		env.PlantAuth("oauth")
		s := startWizard(t, env, 80, 24)
		s.WaitFor(t, "Keep the existing login", wzWait)
		s.Send("k")
		waitRun(t, env, s)
		s.Send(keyCtrlC)
		if code := s.Wait(t, wzWait); code != 130 {
			t.Errorf("exit %d, want 130", code)
		}
		wantOutcome(t, env, "CANCELLED", "Test run")
		cleanAfter(t, env, s) // the hung `opencode run` must be gone too
	})
	t.Run("SIGTERM while models hang", func(t *testing.T) {
		t.Parallel()
		env := desktopEnv(t).Set("FAKE_OPENCODE_MODELS", "hang")
		env.PlantAuth("oauth")
		s := startWizard(t, env, 100, 30, "--yes")
		s.WaitFor(t, "4/6 · Models", wzWait)
		s.Signal(syscall.SIGTERM)
		if code := s.Wait(t, wzWait); code != 130 {
			t.Errorf("exit %d, want 130", code)
		}
		cleanAfter(t, env, s)
	})
}

func TestWizardSkipTestAndModelFlag(t *testing.T) {
	t.Parallel()
	t.Run("--skip-test", func(t *testing.T) {
		t.Parallel()
		env := desktopEnv(t)
		env.PlantAuth("oauth")
		s := startWizard(t, env, 100, 30, "--yes", "--skip-test")
		if code := s.Wait(t, wzWait); code != 0 {
			t.Errorf("exit %d, want 0", code)
		}
		want := strings.Replace(summaryOK(env), "Test run: PASS", "Test run: SKIPPED", 1)
		if got := afterExit(t, s); got != want {
			t.Errorf("printed:\n%s\nwant:\n%s", got, want)
		}
		if strings.Contains(strings.Join(env.OpenCodeCalls(), "\n"), `"run"`) {
			t.Error("--skip-test still ran the test request")
		}
		wantOutcome(t, env, "SKIPPED", "")
		cleanAfter(t, env, s)
	})
	t.Run("--model listed", func(t *testing.T) {
		t.Parallel()
		env := desktopEnv(t)
		env.PlantAuth("oauth")
		s := startWizard(t, env, 100, 30, "--yes", "--model", "gpt-5.4")
		if code := s.Wait(t, wzWait); code != 0 {
			t.Errorf("exit %d, want 0", code)
		}
		if !strings.Contains(strings.Join(env.OpenCodeCalls(), "\n"), `"--model=openai/gpt-5.4"`) {
			t.Errorf("the test run did not use --model: %q", env.OpenCodeCalls())
		}
		if o := readOutcome(t, env); o.Model != "openai/gpt-5.4" {
			t.Errorf("outcome model %q", o.Model)
		}
		cleanAfter(t, env, s)
	})
	t.Run("--model not listed", func(t *testing.T) {
		t.Parallel()
		env := desktopEnv(t)
		env.PlantAuth("oauth")
		s := startWizard(t, env, 100, 30, "--yes", "--model", "gpt-4o")
		if code := s.Wait(t, wzWait); code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		wantPrintedFail(t, s, "Models", "openai/gpt-4o")
		cleanAfter(t, env, s)
	})
}

// An OpenAI API key in auth.json is replaced by OpenCode's ChatGPT login
// (its Auth.set overwrites the "openai" entry): heidi says so, asks, and
// backs the file up byte for byte before the login runs (issue 15, item 1).
func TestWizardAPIKeyBackedUpBeforeLogin(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	env.PlantAuth("api")
	original := env.ReadAuth()
	s := startWizard(t, env, 100, 30)
	txt := s.WaitFor(t, "Yes, back it up and log in", wzWait)
	for _, want := range []string{"3/6 · Login", "an OpenAI API key", "replaces it", "(y)", "(n)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("question lacks %q:\n%s", want, txt)
		}
	}
	if calls := loginCalls(env); len(calls) != 0 {
		t.Errorf("the login ran before the answer: %q", calls)
	}
	s.Send("y")
	s.WaitFor(t, "Sign in to ChatGPT", wzWait)
	s.Send(keyCtrlO)
	if code := quitSummary(t, s); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	backups, _ := filepath.Glob(env.AuthPath() + ".heidi-backup-*")
	if len(backups) != 1 {
		t.Fatalf("backups %v, want exactly one", backups)
	}
	if b, err := os.ReadFile(backups[0]); err != nil || string(b) != original {
		t.Errorf("the backup does not hold the original bytes (%v)", err)
	}
	if fi, err := os.Stat(backups[0]); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	wantOAuthStored(t, env)
	cleanAfter(t, env, s)
}

func TestWizardAPIKeyDeclined(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	env.PlantAuth("api")
	original := env.ReadAuth()
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "Yes, back it up and log in", wzWait)
	s.Send("n")
	if code := quitSummary(t, s); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantPrintedFail(t, s, "Login", "API key")
	if env.ReadAuth() != original {
		t.Error("declined, yet the store changed")
	}
	if m, _ := filepath.Glob(env.AuthPath() + ".heidi-backup-*"); len(m) != 0 {
		t.Errorf("declined, yet backups exist: %v", m)
	}
	if calls := loginCalls(env); len(calls) != 0 {
		t.Errorf("declined, yet the login ran: %q", calls)
	}
	cleanAfter(t, env, s)
}

// TestWizardRefusedModelFallsBack: the model that passed last time (the
// Pro-only preview, when the account was Pro) is refused on Plus: the wizard
// says so, passes with the next model, and remembers that one.
func TestWizardRefusedModelFallsBack(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t).Set("FAKE_OPENCODE_PLAN", "plus")
	env.PlantAuth("oauth")
	if err := os.MkdirAll(env.HeidiHome, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(env.HeidiHome, "last-connect.json"), []byte(`{"time":"2026-12-01T10:00:00Z","model":"`+firstOAuthModel+`","result":"PASS"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "Keep the existing login", wzWait)
	s.Send("k")
	txt := s.WaitFor(t, "refused for this plan", wzWait)
	for _, want := range []string{"with " + testOAuthModel, "refused for this plan: " + firstOAuthModel} {
		if !strings.Contains(txt, want) {
			t.Errorf("screen lacks %q:\n%s", want, txt)
		}
	}
	if code := quitSummary(t, s); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	wantPrintedOK(t, env, s)
	if o := readOutcome(t, env); o.Result != "PASS" || o.Model != testOAuthModel {
		t.Errorf("outcome %+v, want PASS with %s", o, testOAuthModel)
	}
	var runs []string
	for _, c := range env.OpenCodeCalls() {
		if strings.Contains(c, `"run"`) {
			runs = append(runs, c)
		}
	}
	if len(runs) != 2 || !strings.Contains(runs[0], firstOAuthModel) || !strings.Contains(runs[1], testOAuthModel) {
		t.Errorf("runs %q, want the preview, then %s", runs, testOAuthModel)
	}
	cleanAfter(t, env, s)
}

// TestWizardCorrectsAGuessedLabel: the wizard starts the login with the
// known label; a release that names its methods differently answers
// "Unknown method … Available: …", and the wizard goes on with the right
// one without asking again.
func TestWizardCorrectsAGuessedLabel(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t).Set("FAKE_OPENCODE_METHODS", "Codex browser (legacy),Codex device code (legacy),Manually enter API Key")
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "Sign in to ChatGPT in your browser", wzWait)
	s.Send(keyCtrlO)
	txt := s.WaitFor(t, "Test run: PASS", wzWait)
	if !strings.Contains(txt, "· Codex browser (legacy)") {
		t.Errorf("the Login method row does not name the method that ran:\n%s", txt)
	}
	if code := quitSummary(t, s); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	wantOAuthStored(t, env)
	cleanAfter(t, env, s)
}

// TestWizardFailedBrowserLoginTakesTheDeviceRoute: after a failed browser
// login the device-code login is one key away, and it connects.
func TestWizardFailedBrowserLoginTakesTheDeviceRoute(t *testing.T) {
	t.Parallel()
	// The browser never reaches the callback (it runs elsewhere): the
	// browser login times out (shortened here), the device one needs none.
	env := desktopEnv(t).Set("FAKE_OPENCODE_LOGIN_TIMEOUT", "1s")
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "Sign in to ChatGPT", wzWait)
	s.WaitFor(t, "What now?", wzWait)
	s.Send("d")
	s.WaitFor(t, "Enter code", wzWait)
	txt := s.WaitFor(t, "Test run: PASS", wzWait)
	if !strings.Contains(txt, "ChatGPT Pro/Plus (headless)") {
		t.Errorf("the summary does not name the device-code method that ran:\n%s", txt)
	}
	if code := quitSummary(t, s); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	calls := loginCalls(env)
	if len(calls) != 2 || !strings.Contains(calls[1], "headless") {
		t.Errorf("login calls %q, want the browser login, then the device-code one", calls)
	}
	wantOAuthStored(t, env)
	cleanAfter(t, env, s)
}

// TestWizardStopWaitingForModels: a model list that does not come is not a
// failure until the limit; esc gives up at once — a cancel (130), with no
// advice (issue 17).
func TestWizardStopWaitingForModels(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t).Set("FAKE_OPENCODE_MODELS", "hang")
	env.PlantAuth("oauth")
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "Keep the existing login", wzWait)
	s.Send("k")
	s.WaitFor(t, "esc stop waiting", wzWait)
	s.Send("\x1b")
	s.WaitFor(t, "Models: CANCELLED", wzWait)
	if code := quitSummary(t, s); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	if got := afterExit(t, s); strings.Contains(got, "Next:") || !strings.Contains(got, "you stopped waiting") {
		t.Errorf("printed after exit:\n%s", got)
	}
	wantOutcome(t, env, "CANCELLED", "Models")
	cleanAfter(t, env, s)
}

// leaveLogin leaves a desktop browser login with ctrl+] and, at the
// question that follows (try again, device code, or stop), stops.
func leaveLogin(t *testing.T, s *Screen, wait time.Duration) {
	t.Helper()
	s.Send(keyLeaveC)
	s.WaitFor(t, "What now?", wait)
	s.Send("s")
}
