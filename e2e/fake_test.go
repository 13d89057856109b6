package e2e

// Tests of the fake opencode (and the fake browser) against the facts
// measured on the real opencode 1.18.33, and of the harness itself. With
// HEIDI_REAL_OPENCODE set, TestRealVsFake also runs both binaries side by
// side on the offline surface.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

func oc(args ...string) []string { return append([]string{fakeOpenCode()}, args...) }

const (
	wait10 = 10 * time.Second
	dim    = "\x1b[90m"
)

func TestFakeVersion(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, args := range [][]string{{"--version"}, {"-v"}} {
		out, errOut, code := runPlain(t, env, oc(args...)...)
		if out != "1.18.33\n" || errOut != "" || code != 0 {
			t.Errorf("%v: got %q %q rc %d, want \"1.18.33\\n\" rc 0", args, out, errOut, code)
		}
	}
	env.Set("FAKE_OPENCODE_VERSION", "1.0.185")
	if out, _, _ := runPlain(t, env, oc("--version")...); out != "1.0.185\n" {
		t.Errorf("override: got %q", out)
	}
	// --version creates the same directories the real one does
	for _, d := range []string{".cache/opencode/bin", ".config/opencode", ".local/share/opencode/log", ".local/share/opencode/repos", ".local/state/opencode"} {
		if !fileExists(filepath.Join(env.Home, d)) {
			t.Errorf("missing dir %s after --version", d)
		}
	}
}

func TestFakeAuthList(t *testing.T) {
	t.Parallel()
	head := "┌  Credentials " + dim + "~/.local/share/opencode/auth.json\n│\n"
	cases := []struct{ kind, want string }{
		{"", head + "└  0 credentials\n\n"},
		{"empty", head + "└  0 credentials\n\n"},
		{"api", head + "●  OpenAI " + dim + "api\n│\n└  1 credentials\n\n"},
		{"oauth", head + "●  OpenAI " + dim + "oauth\n│\n└  1 credentials\n\n"},
		{"expired", head + "●  OpenAI " + dim + "oauth\n│\n└  1 credentials\n\n"},
		{"corrupt", head + "└  0 credentials\n\n"},
		{"shape", head + "└  0 credentials\n\n"},
	}
	for _, c := range cases {
		t.Run("store="+c.kind, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			if c.kind != "" {
				env.PlantAuth(c.kind)
			}
			out, errOut, code := runPlain(t, env, oc("auth", "list")...)
			if out != c.want || errOut != "\x1b[0m\n" || code != 0 {
				t.Errorf("got stdout %q stderr %q rc %d\nwant stdout %q stderr \"\\x1b[0m\\n\" rc 0", out, errOut, code, c.want)
			}
			assertNoCanary(t, env.Canary, out, errOut)
		})
	}
	t.Run("xdg+env", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t).UseXDG()
		env.PlantAuth("api")
		env.Set("OPENAI_API_KEY", "sk-env-"+env.Canary)
		out, _, code := runPlain(t, env, oc("auth", "ls")...)
		want := "┌  Credentials " + dim + env.AuthPath() + "\n│\n●  OpenAI " + dim + "api\n│\n└  1 credentials\n\n" +
			"┌  Environment\n│\n●  OpenAI " + dim + "OPENAI_API_KEY\n│\n└  1 environment variable\n\n"
		if out != want || code != 0 {
			t.Errorf("got %q rc %d\nwant %q", out, code, want)
		}
		if fileExists(filepath.Join(env.Home, ".local", "share", "opencode", "auth.json")) {
			t.Error("XDG_DATA_HOME set, yet something was written under $HOME/.local/share")
		}
	})
	t.Run("OPENCODE_AUTH_CONTENT", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		env.Set("OPENCODE_AUTH_CONTENT", `{"openai":{"type":"api","key":"k"},"anthropic":{"type":"oauth"}}`)
		out, _, _ := runPlain(t, env, oc("auth", "list")...)
		// taken verbatim (no schema check), header still names the file
		if !strings.Contains(out, "●  OpenAI "+dim+"api") || !strings.Contains(out, "●  Anthropic "+dim+"oauth") || !strings.Contains(out, "2 credentials") {
			t.Errorf("got %q", out)
		}
	})
}

func TestFakeDebugPaths(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	out, _, code := runPlain(t, env, oc("debug", "paths")...)
	h := env.Home
	want := fmt.Sprintf("home       %s\ndata       %s/.local/share/opencode\nbin        %s/.cache/opencode/bin\nlog        %s/.local/share/opencode/log\n"+
		"repos      %s/.local/share/opencode/repos\ncache      %s/.cache/opencode\nconfig     %s/.config/opencode\nstate      %s/.local/state/opencode\ntmp        %s/opencode\n",
		h, h, h, h, h, h, h, h, env.Get("TMPDIR"))
	if out != want || code != 0 {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	env.UseXDG()
	out, _, _ = runPlain(t, env, oc("debug", "paths")...)
	if !strings.Contains(out, "data       "+env.DataDir()+"\n") || !strings.Contains(out, "config     "+env.ConfigDir()+"\n") {
		t.Errorf("XDG not honoured:\n%s", out)
	}
}

func TestFakeModels(t *testing.T) {
	t.Parallel()
	t.Run("no credentials", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		out, errOut, code := runPlain(t, env, oc("models", "openai")...)
		if out != "" || errOut != "\x1b[91m\x1b[1mError: \x1b[0mProvider not found: openai\n" || code != 1 {
			t.Errorf("got %q %q rc %d", out, errOut, code)
		}
		out, _, code = runPlain(t, env, oc("models")...)
		if n := len(strings.Split(strings.TrimSpace(out), "\n")); n != 8 || code != 0 || !strings.HasPrefix(out, "opencode/big-pickle\n") {
			t.Errorf("models (no creds): %d lines rc %d:\n%s", n, code, out)
		}
		// models creates the default config (only when none exists)
		b, err := os.ReadFile(filepath.Join(env.ConfigDir(), "opencode.jsonc"))
		if err != nil || string(b) != "{\n  \"$schema\": \"https://opencode.ai/config.json\"\n}" {
			t.Errorf("default config: %q %v", b, err)
		}
	})
	t.Run("oauth", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		env.PlantAuth("oauth")
		out, _, code := runPlain(t, env, oc("models", "openai")...)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if code != 0 || len(lines) != 19 || lines[0] != "openai/gpt-5.3-codex-spark" || lines[18] != "openai/gpt-6-sol-fast" {
			t.Errorf("rc %d, %d lines:\n%s", code, len(lines), out)
		}
	})
	t.Run("api", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		env.PlantAuth("api")
		out, _, _ := runPlain(t, env, oc("models", "openai")...)
		if n := strings.Count(out, "\n"); n != 57 || !strings.Contains(out, "openai/text-embedding-ada-002\n") {
			t.Errorf("%d lines:\n%s", n, out)
		}
	})
	t.Run("config block counts and adds models", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		if err := os.MkdirAll(env.ConfigDir(), 0o755); err != nil {
			t.Fatal(err)
		}
		cfg := "{\n // comment\n \"provider\": {\"openai\": {\"models\": {\"zz-custom\": {}, \"gpt-5.1-codex\": {},}}}}"
		if err := os.WriteFile(filepath.Join(env.ConfigDir(), "opencode.jsonc"), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _, code := runPlain(t, env, oc("models", "openai")...)
		if n := strings.Count(out, "\n"); n != 59 || code != 0 || !strings.HasSuffix(out, "openai/zz-custom\n") {
			t.Errorf("no creds + config: rc %d, %d lines", code, n)
		}
		env.PlantAuth("oauth")
		out, _, _ = runPlain(t, env, oc("models", "openai")...)
		if n := strings.Count(out, "\n"); n != 21 || !strings.HasPrefix(out, "openai/gpt-5.1-codex\nopenai/gpt-5.3-codex-spark\n") {
			t.Errorf("oauth + config: %d lines:\n%s", n, out)
		}
	})
	t.Run("FAKE_OPENCODE_MODELS", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		env.PlantAuth("oauth")
		if out, _, code := runPlain(t, env.Set("FAKE_OPENCODE_MODELS", "empty"), oc("models", "openai")...); out != "" || code != 0 {
			t.Errorf("empty: %q rc %d", out, code)
		}
		if _, errOut, code := runPlain(t, env.Set("FAKE_OPENCODE_MODELS", "fail"), oc("models", "openai")...); code != 1 || !strings.Contains(errOut, "UnknownError") {
			t.Errorf("fail: %q rc %d", errOut, code)
		}
		r := runWith(t, env.Set("FAKE_OPENCODE_MODELS", "hang"), RunOpts{Timeout: 500 * time.Millisecond}, oc("models", "openai")...)
		if !r.TimedOut {
			t.Errorf("hang: finished with rc %d", r.Code)
		}
	})
}

func TestFakeLoginErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	out, errOut, code := runPlain(t, env, oc("auth", "login", "-p", "openai", "-m", "bogus")...)
	wantErr := "\x1b[0m\n\x1b[91m\x1b[1mError: \x1b[0mUnknown method \"bogus\" for openai. Available: ChatGPT Pro/Plus (browser), ChatGPT Pro/Plus (headless), Manually enter API Key\n"
	if out != "┌  Add credential\n" || errOut != wantErr || code != 1 {
		t.Errorf("bogus method: %q %q rc %d", out, errOut, code)
	}
	_, errOut, code = runPlain(t, env, oc("auth", "login", "--provider=nosuch")...)
	if !strings.HasSuffix(errOut, "Error: \x1b[0mUnknown provider \"nosuch\"\n") || code != 1 {
		t.Errorf("unknown provider: %q rc %d", errOut, code)
	}
	// labels are read at run time: the override shows in the error
	env.Set("FAKE_OPENCODE_METHODS", "ChatGPT Plus/Pro (Codex Subscription),ChatGPT Plus/Pro (Manual URL Paste),Manually enter API Key")
	_, errOut, _ = runPlain(t, env, oc("auth", "login", "-p", "OpenAI", "-m", "ChatGPT Pro/Plus (browser)")...)
	if !strings.Contains(errOut, "Available: ChatGPT Plus/Pro (Codex Subscription), ChatGPT Plus/Pro (Manual URL Paste), Manually enter API Key\n") {
		t.Errorf("override labels: %q", errOut)
	}
	// an old release has neither -p nor -m: help on stderr, rc 1
	env.Unset("FAKE_OPENCODE_METHODS").Set("FAKE_OPENCODE_VERSION", "1.0.185")
	out, errOut, code = runPlain(t, env, oc("auth", "login", "-p", "openai")...)
	if out != "" || code != 1 || !strings.HasPrefix(errOut, "opencode auth login [url]") || strings.Contains(errOut, "--provider") {
		t.Errorf("old version: %q %q rc %d", out, errOut, code)
	}
}

func TestFakeHeadlessPlain(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	approve := filepath.Join(env.Root, "approved")
	env.Set("FAKE_OPENCODE_DEVICE_APPROVE", approve)
	// another provider already stored: the login must merge, not replace
	env.WriteAuthRaw("{\n  \"anthropic\": {\n    \"type\": \"api\",\n    \"key\": \"sk-ant\"\n  }\n}")
	p := startPlain(t, env, nil, oc("auth", "login", "-p", "openai", "-m", "ChatGPT Pro/Plus (headless)")...)
	p.WaitOutput(t, "◒  Waiting for authorization", wait10) // a spinner frame
	if err := os.WriteFile(approve, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code := p.Wait(t, wait10)
	out, errOut := p.Stdout(), p.Stderr()
	if code != 0 {
		t.Fatalf("rc %d\n%s\n%s", code, out, errOut)
	}
	if !regexp.MustCompile(`^┌  Add credential\n│\n●  Go to: https://auth\.openai\.com/codex/device\n│\n●  Enter code: [A-Z]{4}-\d{4}\n\x1b\[\?25l│\n◒  Waiting for authorization(\x1b\[999D\x1b\[J[◒◐◓◑]  Waiting for authorization\.{0,3})*\x1b\[999D\x1b\[J◇  Login successful\n\x1b\[\?25h│\n└  Done\n\n$`).MatchString(out) ||
		strings.Contains(out, "\r") {
		t.Errorf("stdout: %q", out)
	}
	if errOut != "\x1b[0m\n" {
		t.Errorf("stderr: %q", errOut)
	}
	assertNoCanary(t, env.Canary, out, errOut)
	// the store, exactly as the real client writes it
	fi, err := os.Stat(env.AuthPath())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("auth.json: %v %v", fi, err)
	}
	raw := env.ReadAuth()
	if strings.HasSuffix(raw, "\n") || !strings.HasPrefix(raw, "{\n  \"anthropic\": {\n    \"type\": \"api\",\n    \"key\": \"sk-ant\"\n  },\n  \"openai\": {\n    \"type\": \"oauth\",\n    \"refresh\": \"rt_"+env.Canary+"\",\n    \"access\": \"") {
		t.Errorf("auth.json:\n%s", raw)
	}
	var doc map[string]map[string]any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	o := doc["openai"]
	exp, _ := o["expires"].(float64)
	if o["accountId"] != "acct-fake-000" || exp < float64(time.Now().UnixMilli()) {
		t.Errorf("oauth entry: %v", o)
	}
	if _, i := findCanary(env.Canary, o["access"].(string)); i < 0 {
		t.Error("access token does not carry the canary (findCanary cannot see base64 forms?)")
	}
	t.Run("fixed code", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t).Set("FAKE_OPENCODE_DEVICE_DELAY", "10ms").Set("FAKE_OPENCODE_DEVICE_CODE", "FAKE-1234")
		out, _, _ := runPlain(t, env, oc("auth", "login", "-p", "openai", "-m", "chatgpt pro/plus (HEADLESS)")...)
		if !strings.Contains(out, "●  Enter code: FAKE-1234\n") {
			t.Errorf("%q", out)
		}
	})
	for mode, want := range map[string]string{
		"offline":  "Failed to authorize: Unable to connect. Is the computer able to access the url?",
		"disabled": "Failed to authorize: Failed to initiate device authorization",
	} {
		t.Run("device="+mode, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t).Set("FAKE_OPENCODE_DEVICE", mode)
			out, errOut, code := runPlain(t, env, oc("auth", "login", "-p", "openai", "-m", "ChatGPT Pro/Plus (headless)")...)
			if out != "┌  Add credential\n" || errOut != "\x1b[0m\n\x1b[91m\x1b[1mError: \x1b[0m"+want+"\n" || code != 1 || fileExists(env.AuthPath()) {
				t.Errorf("%q %q rc %d", out, errOut, code)
			}
		})
	}
	t.Run("login=fail exits 0 without a credential", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t).Set("FAKE_OPENCODE_DEVICE_DELAY", "10ms").Set("FAKE_OPENCODE_LOGIN", "fail")
		out, _, code := runPlain(t, env, oc("auth", "login", "-p", "openai", "-m", "ChatGPT Pro/Plus (headless)")...)
		if code != 0 || !strings.Contains(out, "■  Failed to authorize\n") || fileExists(env.AuthPath()) {
			t.Errorf("rc %d %q", code, out)
		}
	})
	t.Run("login=noop", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t).Set("FAKE_OPENCODE_DEVICE_DELAY", "10ms").Set("FAKE_OPENCODE_LOGIN", "noop")
		out, _, code := runPlain(t, env, oc("auth", "login", "-p", "openai", "-m", "ChatGPT Pro/Plus (headless)")...)
		if code != 0 || !strings.Contains(out, "Login successful") || fileExists(env.AuthPath()) {
			t.Errorf("rc %d %q", code, out)
		}
	})
	t.Run("login=crash", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t).Set("FAKE_OPENCODE_LOGIN", "crash")
		_, _, code := runPlain(t, env, oc("auth", "login", "-p", "openai", "-m", "ChatGPT Pro/Plus (headless)")...)
		if code != 128+int(syscall.SIGKILL) || fileExists(env.AuthPath()) {
			t.Errorf("rc %d", code)
		}
	})
}

func TestFakeAPIKeyFromPipe(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	key := "sk-test-" + env.Canary
	r := runWith(t, env, RunOpts{Stdin: strings.NewReader(key + "\r")}, oc("auth", "login", "-p", "openai", "-m", "Manually enter API Key")...)
	if r.Code != 0 || !strings.HasSuffix(r.Stdout, "│  "+strings.Repeat("▪", len(key))+"\n\x1b[?25h│\n└  Done\n\n") {
		t.Errorf("rc %d stdout %q", r.Code, r.Stdout)
	}
	assertNoCanary(t, env.Canary, r.Stdout, r.Stderr)
	if want := "{\n  \"openai\": {\n    \"type\": \"api\",\n    \"key\": \"" + key + "\"\n  }\n}"; env.ReadAuth() != want {
		t.Errorf("auth.json %q", env.ReadAuth())
	}
	// LF is not Enter: the prompt waits forever
	env2 := newEnv(t)
	r = runWith(t, env2, RunOpts{Stdin: strings.NewReader("sk-x\n"), Timeout: 1500 * time.Millisecond}, oc("auth", "login", "-p", "openai", "-m", "Manually enter API Key")...)
	if !r.TimedOut {
		t.Errorf("LF ended the prompt: rc %d", r.Code)
	}
	// no -p/-m and stdin=/dev/null: the menu is drawn, then it hangs, like
	// the real one
	p := startPlain(t, env2, nil, oc("auth", "login")...)
	p.WaitOutput(t, "Type: to search\n└", wait10)
	select {
	case <-p.done:
		t.Errorf("menu without a tty ended; the real one waits forever\nstdout: %q", p.Stdout())
	case <-time.After(time.Second):
	}
}

func TestFakeLogout(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	out, _, code := runPlain(t, env, oc("auth", "logout", "openai")...)
	if out != "┌  Remove credential\n│\n■  No credentials found\n" || code != 0 {
		t.Errorf("empty: %q rc %d", out, code)
	}
	env.PlantAuth("oauth")
	out, _, code = runPlain(t, env, oc("auth", "logout", "OpenAI")...)
	if out != "┌  Remove credential\n│\n└  Logout successful\n\n" || code != 0 || env.ReadAuth() != "{}" {
		t.Errorf("logout: %q rc %d auth %q", out, code, env.ReadAuth())
	}
}

func TestFakeRun(t *testing.T) {
	t.Parallel()
	t.Run("ok", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		env.PlantAuth("oauth")
		out, errOut, code := runPlain(t, env, oc("run", "say", "ok", "--model=openai/gpt-5.4-mini", "--variant", "high")...)
		if out != "ok\n" || errOut != "\x1b[0m\n> build · gpt-5.4-mini\n\x1b[0m\n" || code != 0 {
			t.Errorf("%q %q rc %d", out, errOut, code)
		}
		out, _, code = runPlain(t, env, oc("run", "say ok", "-m", "openai/gpt-5.5", "--format", "json")...)
		var ev struct {
			Type string
			Part struct{ Text string }
		}
		ls := strings.Split(strings.TrimSpace(out), "\n")
		if len(ls) != 3 || code != 0 || json.Unmarshal([]byte(ls[1]), &ev) != nil || ev.Type != "text" || ev.Part.Text != "ok" {
			t.Errorf("json: rc %d %q", code, out)
		}
	})
	t.Run("missing credential", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		out, errOut, code := runPlain(t, env, oc("run", "hi", "--model=openai/gpt-5.5")...)
		re := regexp.MustCompile(`^\x1b\[91m\x1b\[1mError: \x1b\[0m\{\n  "name": "UnknownError",\n  "data": \{\n    "message": "Unexpected server error\. Check server logs for details\.",\n    "ref": "err_[0-9a-f]{8}"\n  \}\n\}\n$`)
		if out != "" || !re.MatchString(errOut) || code != 1 {
			t.Errorf("%q %q rc %d", out, errOut, code)
		}
	})
	t.Run("plans", func(t *testing.T) {
		t.Parallel()
		// As the real 1.18.33 answers the stand-in's per-plan refusals.
		const spark = "\x1b[0m\n> build · gpt-5.3-codex-spark\n\x1b[0m\n\x1b[91m\x1b[1mError: \x1b[0mBad Request: {\"detail\":\"The 'gpt-5.3-codex-spark' model is not supported when using Codex with a ChatGPT account.\"}\n"
		for _, c := range []struct{ plan, model, out, errOut string }{
			{"", "gpt-5.3-codex-spark", "", spark},
			{"plus", "gpt-5.3-codex-spark", "", spark},
			{"pro", "gpt-5.3-codex-spark", "ok\n", "\x1b[0m\n> build · gpt-5.3-codex-spark\n\x1b[0m\n"},
			{"free", "gpt-5.4-mini", "", "\x1b[0m\n> build · gpt-5.4-mini\n\x1b[0m\n\x1b[91m\x1b[1mError: \x1b[0mUsage not included in your plan\n"},
		} {
			env := newEnv(t)
			if c.plan != "" {
				env.Set("FAKE_OPENCODE_PLAN", c.plan)
			}
			env.PlantAuth("oauth")
			out, errOut, code := runPlain(t, env, oc("run", "say ok", "--model=openai/"+c.model)...)
			if out != c.out || errOut != c.errOut || code != map[bool]int{true: 0, false: 1}[c.out != ""] {
				t.Errorf("plan %q, %s: %q %q rc %d", c.plan, c.model, out, errOut, code)
			}
		}
	})
	t.Run("offline", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t).Set("FAKE_OPENCODE_RUN", "offline")
		env.PlantAuth("oauth")
		out, errOut, code := runPlain(t, env, oc("run", "hi", "--model=openai/gpt-5.5")...)
		if out != "" || errOut != "\x1b[0m\n> build · gpt-5.5\n\x1b[0m\n\x1b[91m\x1b[1mError: \x1b[0mCannot connect to API: Unable to connect. Is the computer able to access the url?\n" || code != 1 {
			t.Errorf("%q %q rc %d", out, errOut, code)
		}
	})
	t.Run("leak", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t).Set("FAKE_OPENCODE_RUN", "leak")
		env.PlantAuth("oauth")
		out, errOut, code := runPlain(t, env, oc("run", "hi", "--model=openai/gpt-5.5")...)
		if code != 0 || !strings.Contains(out, "sk-proj-"+env.Canary) || !strings.Contains(out, "refresh_token=rt_"+env.Canary) {
			t.Errorf("leak stdout: %q", out)
		}
		// stderr only has the JWT: the canary is there in base64 only
		if strings.Contains(errOut, env.Canary) {
			t.Errorf("stderr has the plain canary: %q", errOut)
		}
		if _, i := findCanary(env.Canary, errOut); i < 0 {
			t.Errorf("findCanary misses the canary inside the JWT: %q", errOut)
		}
	})
}

func TestFakeInvocationLog(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	runPlain(t, env, oc("--version")...)
	runPlain(t, env, oc("auth", "list")...)
	calls := env.OpenCodeCalls()
	if len(calls) != 2 || !strings.HasSuffix(calls[0], ` opencode "--version"`) || !strings.HasSuffix(calls[1], ` opencode "auth" "list"`) {
		t.Errorf("calls: %q", calls)
	}
}

// ---- interactive, through the pty driver ---------------------------------------------

func TestFakeInteractiveHeadless(t *testing.T) {
	t.Parallel()
	env := newEnv(t).Set("FAKE_OPENCODE_DEVICE_DELAY", "300ms")
	s := startScreen(t, env, 100, 30, oc("auth", "login")...)
	txt := s.WaitFor(t, "Type: to search\n└", wait10) // the whole first frame
	for _, p := range []string{"● OpenCode Zen (recommended)", "○ OpenAI", "○ Vercel AI Gateway", "│  ...", "↑/↓ to select • Enter: confirm • Type: to search"} {
		if !strings.Contains(txt, p) {
			t.Errorf("menu lacks %q:\n%s", p, txt)
		}
	}
	s.Send("openai")
	s.WaitFor(t, "openai█ (1 match)", wait10)
	s.WaitFor(t, "● OpenAI (ChatGPT Plus/Pro or API key)", wait10)
	s.Send("\r")
	s.WaitFor(t, "◆  Login method", wait10)
	s.Send("\x1b[B")
	s.WaitFor(t, "● ChatGPT Pro/Plus (headless)", wait10)
	s.Send("\r")
	txt = s.WaitFor(t, regexp.MustCompile(`Enter code: [A-Z]{4}-\d{4}`), wait10)
	if !strings.Contains(txt, "◇  Select provider\n│  OpenAI") || !strings.Contains(txt, "◇  Login method\n│  ChatGPT Pro/Plus (headless)") {
		t.Errorf("submitted prompts not shown:\n%s", txt)
	}
	s.WaitFor(t, "└  Done", wait10)
	if code := s.Wait(t, wait10); code != 0 {
		t.Errorf("rc %d", code)
	}
	if !strings.Contains(env.ReadAuth(), `"type": "oauth"`) {
		t.Errorf("auth.json: %q", env.ReadAuth())
	}
	noProcessesLeft(t, env)
}

func TestFakeInteractiveCancel(t *testing.T) {
	t.Parallel()
	t.Run("esc in provider menu", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		s := startScreen(t, env, 100, 30, oc("auth", "login")...)
		s.WaitFor(t, "Search:", wait10)
		s.Send("op")
		s.WaitFor(t, "(11 matches)", wait10)
		s.Send("\x1b")
		s.WaitFor(t, "■  Select provider", wait10)
		if code := s.Wait(t, wait10); code != 1 {
			t.Errorf("rc %d", code)
		}
		if !strings.HasSuffix(s.Raw(), "\x1b[31m■\x1b[39m  Select provider\r\n\x1b[90m│\x1b[39m  \x1b[9m\x1b[2mop\x1b[22m\x1b[29m\r\n\x1b[?25h") {
			t.Errorf("raw tail %q", tail(s.Raw(), 200))
		}
	})
	t.Run("ctrl-c in method menu", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		s := startScreen(t, env, 100, 30, oc("auth", "login", "-p", "openai")...)
		s.WaitFor(t, "◆  Login method", wait10)
		s.Send("\x03")
		// the cancelled select shows the focused label struck through
		s.WaitFor(t, "■  Login method\n│  ChatGPT Pro/Plus (browser)\n│", wait10)
		if code := s.Wait(t, wait10); code != 1 {
			t.Errorf("rc %d", code)
		}
	})
	t.Run("api key typed, masked", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		s := startScreen(t, env, 100, 30, oc("auth", "login", "-p", "openai", "-m", "manually enter api key")...)
		s.WaitFor(t, "◆  Enter your API key", wait10)
		s.Send("\r") // empty: validation error
		s.WaitFor(t, "└  Required", wait10)
		key := "sk-" + env.Canary
		s.Send(key)
		s.WaitFor(t, "│  "+strings.Repeat("▪", len(key)), wait10)
		s.Send("\r")
		s.WaitFor(t, "└  Done", wait10)
		if code := s.Wait(t, wait10); code != 0 {
			t.Errorf("rc %d", code)
		}
		assertNoCanary(t, env.Canary, s.Raw())
		if !strings.Contains(env.ReadAuth(), key) {
			t.Error("key not stored")
		}
	})
}

func TestFakeResizeRedraws(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := startScreen(t, env, 100, 40, oc("auth", "login")...)
	s.WaitFor(t, regexp.MustCompile(`○ Vercel AI Gateway\n│  \.\.\.\n│  ↑/↓ to select • Enter: confirm • Type: to search\n└`), wait10)
	before := len(s.Raw())
	s.Resize(100, 10) // 10 rows leave room for 6 options
	// clack redraws from the first changed row: with 40 rows the window had
	// 8 rows (…OpenRouter, Vercel AI Gateway, "..."); with 10 rows it has 6,
	// so row 9 (OpenRouter) becomes "..." and everything below is rewritten.
	const prefix = "\x1b[999D\x1b[13A\x1b[9B\x1b[J\x1b[36m│\x1b[39m  \x1b[2m...\x1b[22m\r\n"
	deadline := time.Now().Add(wait10)
	for {
		redraw := s.Raw()[before:]
		if i := strings.Index(redraw, prefix); i >= 0 && strings.Contains(redraw[i:], "└") {
			if strings.Contains(redraw, "OpenRouter") || strings.Contains(redraw, "Vercel") {
				t.Errorf("redraw still shows rows 6-7: %q", redraw)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 6-row redraw after resize: %q", redraw)
		}
		select {
		case <-s.updated:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// ---- the browser flow -------------------------------------------------------------------

var goToRE = regexp.MustCompile(`Go to: (https://auth\.openai\.com/\S+)`)

func startBrowserLogin(t *testing.T, env *Env) (*Screen, string) {
	t.Helper()
	s := startScreen(t, env, 120, 30, oc("auth", "login", "-p", "openai", "-m", "ChatGPT Pro/Plus (browser)")...)
	s.WaitFor(t, "Waiting for authorization", wait10)
	m := goToRE.FindStringSubmatch(ansi.Strip(s.Raw()))
	if m == nil {
		t.Fatalf("no Go to URL in %q", s.Raw())
	}
	return s, m[1]
}

func TestFakeBrowserLogin(t *testing.T) {
	t.Parallel()
	t.Run("success via fakebrowser", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		s, u := startBrowserLogin(t, env)
		wantRedirect := "redirect_uri=http%3A%2F%2Flocalhost%3A" + strconv.Itoa(env.Port) + "%2Fauth%2Fcallback&"
		if !strings.Contains(u, wantRedirect) || !regexp.MustCompile(`&state=[A-Za-z0-9_-]{43}&originator=opencode$`).MatchString(u) ||
			!strings.HasPrefix(u, "https://auth.openai.com/oauth/authorize?response_type=code&client_id=app_EMoamEEZ73f0CkXaXp7hrann&") {
			t.Errorf("url %s", u)
		}
		_, errOut, code := runPlain(t, env, fakeBrowser(), u)
		if code != 0 || !strings.Contains(errOut, "200 Authorization successful · OpenCode") {
			t.Errorf("fakebrowser rc %d: %s", code, errOut)
		}
		s.WaitFor(t, "◇  Login successful", wait10)
		if code := s.Wait(t, wait10); code != 0 {
			t.Errorf("rc %d", code)
		}
		if got := env.BrowserURLs(); len(got) != 1 || got[0] != u {
			t.Errorf("browser log %q", got)
		}
		if !strings.Contains(env.ReadAuth(), `"refresh": "rt_`+env.Canary+`"`) {
			t.Errorf("auth %q", env.ReadAuth())
		}
		noProcessesLeft(t, env)
	})
	t.Run("bad state", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t).Set("FAKE_BROWSER", "badstate")
		s, u := startBrowserLogin(t, env)
		_, errOut, _ := runPlain(t, env, fakeBrowser(), u)
		if !strings.Contains(errOut, "400 Authorization failed · OpenCode") {
			t.Errorf("fakebrowser: %s", errOut)
		}
		s.WaitFor(t, "Error: Failed to authorize: Invalid state - potential CSRF attack", wait10)
		s.WaitFor(t, "■  Canceled", wait10)
		if code := s.Wait(t, wait10); code != 1 || fileExists(env.AuthPath()) {
			t.Errorf("rc %d", code)
		}
	})
	t.Run("browser fails to open", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t).Set("FAKE_BROWSER", "fail")
		_, _, code := runPlain(t, env, fakeBrowser(), "https://auth.openai.com/oauth/authorize?state=x")
		if code != 1 || len(env.BrowserURLs()) != 1 {
			t.Errorf("rc %d log %q", code, env.BrowserURLs())
		}
	})
	t.Run("cancel endpoint", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		s, _ := startBrowserLogin(t, env)
		if body := httpGet(t, env.Port, "/nothing"); body != "404 Not found" {
			t.Errorf("other path: %q", body)
		}
		if body := httpGet(t, env.Port, "/cancel"); body != "200 Login cancelled" {
			t.Errorf("cancel: %q", body)
		}
		s.WaitFor(t, "Failed to authorize: Login cancelled", wait10)
		if code := s.Wait(t, wait10); code != 1 {
			t.Errorf("rc %d", code)
		}
	})
	t.Run("port busy", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		l, err := netListen(env.Port)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		out, errOut, code := runPlain(t, env, oc("auth", "login", "-p", "openai", "-m", "ChatGPT Pro/Plus (browser)")...)
		want := fmt.Sprintf("\x1b[0m\n\x1b[91m\x1b[1mError: \x1b[0mFailed to authorize: Failed to start server. Is port %d in use?\n", env.Port)
		if out != "┌  Add credential\n" || errOut != want || code != 1 {
			t.Errorf("%q %q rc %d", out, errOut, code)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t).Set("FAKE_OPENCODE_LOGIN_TIMEOUT", "300ms")
		out, errOut, code := runPlain(t, env, oc("auth", "login", "-p", "openai", "-m", "ChatGPT Pro/Plus (browser)")...)
		if code != 1 || !strings.HasSuffix(errOut, "Failed to authorize: OAuth callback timeout - authorization took too long\n") ||
			!strings.HasSuffix(out, "■  Canceled\n\x1b[?25h") {
			t.Errorf("%q %q rc %d", tail(out, 100), errOut, code)
		}
	})
}

func httpGet(t *testing.T, port int, path string) string {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b := make([]byte, 100)
	n, _ := resp.Body.Read(b)
	return fmt.Sprintf("%d %s", resp.StatusCode, b[:n])
}

func TestFakeBrowserSignals(t *testing.T) {
	t.Parallel()
	t.Run("first TERM only cancels the spinner", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		s, _ := startBrowserLogin(t, env)
		s.Signal(syscall.SIGTERM)
		s.WaitFor(t, "■  Canceled", wait10)
		// still serving: the cancel endpoint answers and ends it with rc 1
		if body := httpGet(t, env.Port, "/cancel"); body != "200 Login cancelled" {
			t.Errorf("cancel: %q", body)
		}
		if code := s.Wait(t, wait10); code != 1 {
			t.Errorf("rc %d", code)
		}
	})
	t.Run("second TERM kills", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		s, _ := startBrowserLogin(t, env)
		s.Signal(syscall.SIGINT)
		s.WaitFor(t, "■  Canceled", wait10)
		s.Signal(syscall.SIGTERM)
		if code := s.Wait(t, wait10); code != 128+int(syscall.SIGTERM) {
			t.Errorf("rc %d", code)
		}
	})
	t.Run("login=hang ignores every TERM", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t).Set("FAKE_OPENCODE_LOGIN", "hang")
		s, _ := startBrowserLogin(t, env)
		s.Signal(syscall.SIGTERM)
		s.WaitFor(t, "■  Canceled", wait10)
		s.Signal(syscall.SIGTERM)
		s.Signal(syscall.SIGINT)
		if body := httpGet(t, env.Port, "/cancel"); body != "200 Login cancelled" {
			t.Errorf("cancel after two signals: %q (the fake died?)", body)
		}
		if code := s.Wait(t, wait10); code != 1 {
			t.Errorf("rc %d", code)
		}
	})
	t.Run("obey", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t).Set("FAKE_OPENCODE_OBEY_SIGNALS", "1")
		s, _ := startBrowserLogin(t, env)
		s.Signal(syscall.SIGTERM)
		if code := s.Wait(t, wait10); code != 128+int(syscall.SIGTERM) {
			t.Errorf("rc %d", code)
		}
	})
	t.Run("ctrl-c in the tty exits 0", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		s, _ := startBrowserLogin(t, env)
		s.Send("\x03")
		s.WaitFor(t, "◇  Canceled", wait10)
		if code := s.Wait(t, wait10); code != 0 || fileExists(env.AuthPath()) {
			t.Errorf("rc %d", code)
		}
		noProcessesLeft(t, env)
	})
}

// ---- harness self-checks ------------------------------------------------------------------

func TestHarnessFindsOrphans(t *testing.T) {
	t.Parallel()
	env := newEnv(t).Set("FAKE_OPENCODE_MODELS", "hang")
	cmd := exec.Command(fakeOpenCode(), "models")
	cmd.Env = env.Environ()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range procsWithMarker(env.Marker) {
		found = found || p.pid == cmd.Process.Pid
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if !found {
		t.Error("procsWithMarker did not see a live process carrying the marker")
	}
	noProcessesLeft(t, env)
}

func TestHarnessCanaryForms(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	// inside a JWT the canary is base64url-encoded at any of 3 alignments
	for off := 0; off < 3; off++ {
		payload := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("{", off) + `"canary":"` + env.Canary + `"}`))
		if _, i := findCanary(env.Canary, "eyJhbGciOiJub25lIn0."+payload+"."); i < 0 {
			t.Errorf("alignment %d: canary not found in %s", off, payload)
		}
	}
	if _, i := findCanary(env.Canary, "nothing here "+randHex(20)); i >= 0 {
		t.Error("false positive")
	}
}

func netListen(port int) (net.Listener, error) {
	return net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
}

// ---- side by side with the real opencode (HEIDI_REAL_OPENCODE) ----------------------------

// TestRealVsFake runs the real opencode and the fake on the same offline
// surface, each in its own throwaway HOME, and compares what heidi parses.
func TestRealVsFake(t *testing.T) {
	real := realOpenCode(t)
	t.Parallel()
	type run struct {
		out, err string
		code     int
	}
	both := func(t *testing.T, setup func(*Env), args ...string) (r, f run) {
		t.Helper()
		do := func(bin string) run {
			env := newEnv(t)
			if setup != nil {
				setup(env)
			}
			res := runWith(t, env, RunOpts{Timeout: 90 * time.Second}, append([]string{bin}, args...)...)
			if res.TimedOut {
				t.Fatalf("%s %v timed out", bin, args)
			}
			clean := func(s string) string { return strings.ReplaceAll(s, env.Root, "<ROOT>") }
			return run{clean(res.Stdout), clean(res.Stderr), res.Code}
		}
		return do(real), do(fakeOpenCode())
	}
	same := func(t *testing.T, setup func(*Env), args ...string) {
		t.Helper()
		r, f := both(t, setup, args...)
		if r != f {
			t.Errorf("%v differs\nreal: %q %q rc %d\nfake: %q %q rc %d", args, r.out, r.err, r.code, f.out, f.err, f.code)
		}
	}
	t.Run("version", func(t *testing.T) {
		t.Parallel()
		r, f := both(t, nil, "--version")
		re := regexp.MustCompile(`^\d+\.\d+\.\d+\n$`)
		if !re.MatchString(r.out) || !re.MatchString(f.out) || r.code != 0 || f.code != 0 {
			t.Errorf("real %q fake %q", r.out, f.out)
		}
	})
	for _, kind := range []string{"", "api", "oauth", "corrupt", "shape"} {
		t.Run("auth list "+kind, func(t *testing.T) {
			t.Parallel()
			same(t, func(e *Env) {
				if kind != "" {
					e.PlantAuth(kind)
				}
			}, "auth", "list")
		})
	}
	t.Run("models openai without credentials", func(t *testing.T) {
		t.Parallel()
		same(t, nil, "models", "openai")
	})
	t.Run("models openai with oauth", func(t *testing.T) {
		t.Parallel()
		r, f := both(t, func(e *Env) { e.PlantAuth("oauth") }, "models", "openai")
		rl, fl := strings.Split(r.out, "\n"), strings.Split(f.out, "\n")
		if r.code != 0 || f.code != 0 || len(rl) != len(fl) || rl[0] != fl[0] || rl[0] != "openai/gpt-5.3-codex-spark" {
			t.Errorf("real %d lines (%q…) rc %d; fake %d lines (%q…) rc %d", len(rl), rl[0], r.code, len(fl), fl[0], f.code)
		}
	})
	t.Run("unknown method", func(t *testing.T) {
		t.Parallel()
		same(t, nil, "auth", "login", "-p", "openai", "-m", "bogus")
	})
	t.Run("debug paths", func(t *testing.T) {
		t.Parallel()
		same(t, nil, "debug", "paths")
	})
}

// recorder is a testing.TB that only records failures, to test the
// assertion helpers themselves.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Errorf(f string, args ...any) { r.errs = append(r.errs, fmt.Sprintf(f, args...)) }

func TestHarnessCanaryAssertions(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	dir := filepath.Join(env.Root, "scan")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(dir, "clean.log"), []byte("nothing to see"), 0o600)
	r := &recorder{TB: t}
	assertNoCanaryInDir(r, env.Canary, dir)
	assertNoCanary(r, env.Canary, "clean", "also clean")
	if len(r.errs) != 0 {
		t.Fatalf("false positives: %q", r.errs)
	}
	_ = os.WriteFile(filepath.Join(dir, "sub", "state.json"), []byte(`{"t":"`+env.FakeJWT(time.Now())+`"}`), 0o600)
	assertNoCanaryInDir(r, env.Canary, dir)
	assertNoCanary(r, env.Canary, "x "+env.Canary)
	if len(r.errs) != 2 || !strings.Contains(r.errs[0], "state.json") {
		t.Errorf("leaks not reported: %q", r.errs)
	}
}
