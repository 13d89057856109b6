package e2e

// OpenCode 2 (issue 18): the fake's V2 command tree is built from the V2
// source (e2e/testdata/fakeopencode/v2.go names the files and commits);
// no real @opencode/cli is on the registry here (TestV2NotOnRegistry).

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const v2Version = "2.0.17"

func v2Env(t *testing.T) *Env {
	return desktopEnv(t).Set("FAKE_OPENCODE_VERSION", v2Version).Set("FAKE_OPENCODE_DEVICE_DELAY", "0.2")
}

// v2DB is the fake V2's database (its own format; heidi never reads it).
func v2DB(env *Env) string { return filepath.Join(env.DataDir(), "opencode.db") }

// opencodeV2 runs the fake as a user would, to set the store up.
func opencodeV2(t *testing.T, env *Env, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(fakeBinDir, "opencode"), append(args, "--standalone")...)
	cmd.Env = env.Environ()
	cmd.Stdin = nil
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("opencode %q: %v\n%s", args, err, out)
	}
	return string(out)
}

// v2Clean: every call heidi made to OpenCode 2 (but --version) was
// --standalone, and no background service was left registered.
func v2Clean(t *testing.T, env *Env) {
	t.Helper()
	for _, c := range env.OpenCodeCalls() {
		if !strings.Contains(c, `"--version"`) && !strings.Contains(c, `"--standalone"`) {
			t.Errorf("an OpenCode 2 call without --standalone (it would leave a background service): %s", c)
		}
	}
	if _, err := os.Stat(filepath.Join(env.Home, ".local", "state", "opencode", "service.json")); err == nil {
		t.Error("a background OpenCode service was registered")
	}
}

func TestV2Status(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		setup     func(t *testing.T, env *Env)
		connected bool
		reason    string
	}{
		{"no credential", func(t *testing.T, env *Env) {}, false, "no OpenAI credential"},
		{"API key only (imported from auth.json)", func(t *testing.T, env *Env) { env.PlantAuth("api") }, false, "API key, not a ChatGPT subscription"},
		{"OPENAI_API_KEY only", func(t *testing.T, env *Env) { env.Set("OPENAI_API_KEY", "sk-proj-"+env.Canary) }, false, "OPENAI_API_KEY environment variable"},
		{"ChatGPT login", func(t *testing.T, env *Env) {
			opencodeV2(t, env, "auth", "login", "openai", "--method", "chatgpt-headless")
		}, true, ""},
		{"two OpenAI credentials, the ChatGPT one active", func(t *testing.T, env *Env) {
			env.PlantAuth("api")
			opencodeV2(t, env, "auth", "list")
			opencodeV2(t, env, "auth", "login", "openai", "--method", "chatgpt-headless")
		}, true, ""},
		{"a stale auth.json beside an empty V2 store", func(t *testing.T, env *Env) {
			opencodeV2(t, env, "auth", "list") // the store exists, auth.json was imported (none)
			env.PlantAuth("oauth")             // written after: OpenCode 2 ignores it
		}, false, "no OpenAI credential"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := v2Env(t)
			c.setup(t, env)
			out, code := runStatus(t, env)
			if c.connected {
				if code != 0 || !strings.Contains(out, "CONNECTED") || strings.Contains(out, "NOT CONNECTED") {
					t.Fatalf("exit %d:\n%s", code, out)
				}
			} else if code != 1 || !strings.Contains(out, "NOT CONNECTED") || !strings.Contains(out, c.reason) {
				t.Fatalf("exit %d, want NOT CONNECTED saying %q:\n%s", code, c.reason, out)
			}
			js, _ := runStatus(t, env, "--json")
			if !strings.Contains(js, `"opencodeVersion": "`+v2Version) && !strings.Contains(js, `"opencodeVersion":"`+v2Version) {
				t.Errorf("--json does not name OpenCode %s:\n%s", v2Version, js)
			}
			v2Clean(t, env)
		})
	}
}

func v2SummaryOK(env *Env) string {
	return strings.Join([]string{
		connectedLine,
		"Credentials: OpenCode 2's database, " + v2DB(env),
		"Models: 4 (first: openai/gpt-5.3-codex-spark)",
		"Test run: PASS",
	}, "\n") + "\n"
}

func TestV2PlainBrowserLogin(t *testing.T) {
	t.Parallel()
	env := v2Env(t)
	r := runWith(t, env, RunOpts{Stdin: strings.NewReader(""), Timeout: wzWait}, connectArgv(t, "--plain")...)
	if r.Code != 0 || r.Stdout != v2SummaryOK(env) {
		t.Fatalf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", r.Code, r.Stdout, v2SummaryOK(env), r.Stderr)
	}
	wantPlainSteps(t, r.Stderr, "· chatgpt-browser", "Open this URL to sign in", "ChatGPT login stored", "PASS in", "gpt-5.4-mini")
	calls := loginCalls(env)
	if len(calls) != 1 || !strings.Contains(calls[0], `"auth" "login" "openai" "--method" "chatgpt-browser" "--standalone"`) {
		t.Errorf("login calls %q, want the V2 browser login alone", calls)
	}
	wantBrowserOpenedOnce(t, env)
	if strings.Contains(r.Stderr, "Backed up") {
		t.Error("OpenCode 2's login adds a credential to its database: no auth.json backup is needed")
	}
	plainClean(t, env, r.Stdout, r.Stderr)
	v2Clean(t, env)
}

func TestV2PlainHeadlessLogin(t *testing.T) {
	t.Parallel()
	env := v2Env(t)
	r := runWith(t, env, RunOpts{Stdin: strings.NewReader(""), Timeout: wzWait}, connectArgv(t, "--plain", "--headless")...)
	if r.Code != 0 || r.Stdout != v2SummaryOK(env) {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	wantPlainSteps(t, r.Stderr, "· chatgpt-headless", "https://auth.openai.com/codex/device", "ChatGPT login stored")
	if !strings.Contains(r.Stderr, "$ opencode auth login openai --method chatgpt-headless --standalone") {
		t.Errorf("the headless guide does not give the V2 command:\n%s", r.Stderr)
	}
	plainClean(t, env, r.Stdout, r.Stderr)
	v2Clean(t, env)
}

// TestV2ReRunKeepsLogin: a healthy re-run keeps the V2 login and asks no
// method; a wrong guess at the ids would be corrected the V1 way.
func TestV2ReRunKeepsLogin(t *testing.T) {
	t.Parallel()
	env := v2Env(t)
	opencodeV2(t, env, "auth", "login", "openai", "--method", "chatgpt-headless")
	r := runWith(t, env, RunOpts{Stdin: strings.NewReader(""), Timeout: wzWait}, connectArgv(t, "--plain")...)
	if r.Code != 0 || r.Stdout != v2SummaryOK(env) {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	wantPlainSteps(t, r.Stderr, `kept the existing ChatGPT login (credential "OpenAI")`)
	if calls := loginCalls(env); len(calls) != 1 { // the setup's own
		t.Errorf("a kept login ran a login: %q", calls)
	}
	v2Clean(t, env)
}

func TestV2WizardBrowserLogin(t *testing.T) {
	t.Parallel()
	env := v2Env(t)
	s := startWizard(t, env, 100, 30, "--yes")
	txt := s.WaitFor(t, "Test run: PASS", wzWait)
	for _, want := range []string{"Credentials: OpenCode 2's database", "Models: 4 (first: openai/gpt-5.3-codex-spark)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("summary lacks %q:\n%s", want, txt)
		}
	}
	if code := s.Wait(t, wzWait); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if calls := loginCalls(env); len(calls) != 1 || !strings.Contains(calls[0], `"--method" "chatgpt-browser" "--standalone"`) {
		t.Errorf("login calls %q, want the V2 browser login", calls)
	}
	wantBrowserOpenedOnce(t, env)
	v2Clean(t, env)
	noProcessesLeft(t, env)
}

// TestV2WizardLeftLoginFreesThePort: leaving a waiting V2 browser login
// ends its --standalone server with it, so the callback port is free.
func TestV2WizardLeftLoginFreesThePort(t *testing.T) {
	t.Parallel()
	env := v2Env(t)
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "Sign in to ChatGPT in your browser", wzWait)
	s.Send(keyLeaveC)
	s.WaitFor(t, "What now?", wzWait)
	s.Send("s")
	s.WaitFor(t, "Login: FAIL", wzWait)
	s.Send("q")
	s.Wait(t, wzWait)
	deadline := time.Now().Add(5 * time.Second)
	free := func() bool {
		l, err := netListen(env.Port)
		if err == nil {
			l.Close()
		}
		return err == nil
	}
	for !free() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // polls the port the child held
	}
	if !free() {
		t.Errorf("port %d is still held after heidi left the login", env.Port)
	}
	v2Clean(t, env)
	noProcessesLeft(t, env)
}

// TestV2NotOnRegistry fails once a real OpenCode 2 can be installed from
// npm, so that it is added to the version matrix beside this fake.
func TestV2NotOnRegistry(t *testing.T) {
	if os.Getenv("HEIDI_REAL_OPENCODE") == "" {
		t.Skip("the registry is checked where the real clients are installed (scripts/test.sh)")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("no npm")
	}
	out, err := exec.Command(npm, "view", "@opencode/cli", "version").CombinedOutput()
	if err == nil && strings.TrimSpace(string(out)) != "" {
		t.Fatalf("@opencode/cli %s is on the registry now: install it in scripts/install-matrix.sh and test heidi against the real OpenCode 2 (this fake is from source)", strings.TrimSpace(string(out)))
	}
	if !strings.Contains(string(out), "404") {
		t.Skipf("npm could not answer (offline?): %s", tail(string(out), 3))
	}
}

func TestV2Disconnect(t *testing.T) {
	t.Parallel()
	env := v2Env(t)
	env.PlantAuth("api") // imported as a key: it stays
	opencodeV2(t, env, "auth", "list")
	opencodeV2(t, env, "auth", "login", "openai", "--method", "chatgpt-headless")
	opencodeV2(t, env, "auth", "login", "openai", "--method", "chatgpt-headless")
	before, err := os.ReadFile(v2DB(env))
	if err != nil {
		t.Fatal(err)
	}
	r := runWith(t, env, RunOpts{Timeout: wzWait}, heidi(t), "disconnect", "opencode", "openai")
	if r.Code != 0 || !strings.Contains(r.Stdout, "Disconnected: OpenCode → OpenAI") || !strings.Contains(r.Stdout, "Still in OpenCode 2's database: openai (default, an API key)") {
		t.Fatalf("exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	backups, _ := filepath.Glob(v2DB(env) + ".*")
	if len(backups) != 1 {
		t.Fatalf("backups %v, want one", backups)
	}
	if b, _ := os.ReadFile(backups[0]); string(b) != string(before) {
		t.Error("the backup is not the database byte for byte")
	}
	list := opencodeV2(t, env, "auth", "list", "--format", "json")
	if strings.Contains(list, `"oauth"`) || !strings.Contains(list, `"key"`) {
		t.Errorf("after disconnect:\n%s", list)
	}
	out, code := runStatus(t, env)
	if code != 1 || !strings.Contains(out, "API key") {
		t.Errorf("status after disconnect, exit %d:\n%s", code, out)
	}
	assertNoCanary(t, env.Canary, r.Stdout, r.Stderr)
	v2Clean(t, env)
}

// TestV2Serve: heidi serve on OpenCode 2 — status from its auth list, and
// the one button's device-code login to the four summary lines.
func TestV2Serve(t *testing.T) {
	t.Parallel()
	env := v2Env(t)
	c, p := newServeClient(t, env)
	defer browserStop(t, env, p)
	code, body := c.do("GET", "/connect/opencode/openai/status", "", nil)
	if code != 200 || !strings.Contains(body, `"connected": false`) && !strings.Contains(body, `"connected":false`) {
		t.Fatalf("status before: %d %s", code, body)
	}
	if code, body := c.do("POST", loginAPI, `{"method":"headless"}`, nil); code != 202 {
		t.Fatalf("POST login: %d %s", code, body)
	}
	ev := c.events()
	ev.wait(t, "code", wzWait)
	done := ev.wait(t, "done", wzWait)
	if !done.OK || strings.Join(done.Summary, "\n")+"\n" != v2SummaryOK(env) {
		t.Fatalf("done %+v\n%s", done, ev.text())
	}
	code, body = c.do("GET", "/connect/opencode/openai/status", "", nil)
	if code != 200 || !regexp.MustCompile(`"connected":\s*true`).MatchString(body) || !strings.Contains(body, "opencode.db") {
		t.Errorf("status after: %d %s", code, body)
	}
	assertNoCanary(t, env.Canary, ev.text(), body)
	v2Clean(t, env)
}
