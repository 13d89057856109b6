package e2e

// Black-box tests of `heidi connect status [--json]` (issue 2), against the
// fake opencode and, with HEIDI_REAL_OPENCODE set, against the real one.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	statusConnected    = "OpenCode: OpenAI (ChatGPT Plus/Pro) CONNECTED"
	statusNotConnected = "OpenCode: OpenAI (ChatGPT Plus/Pro) NOT CONNECTED"
	firstOAuthModel    = "openai/gpt-5.3-codex-spark"
	// testOAuthModel is the model heidi tests first on the 1.18.33 list:
	// the first listed one is Pro only (issue 14), the -mini is not.
	testOAuthModel = "openai/gpt-5.4-mini"
)

// statusRow returns the value of the `  <key>: <value>` row of a status
// report ("" when absent). Rows are indented by two spaces and the values
// aligned, so any run of spaces after the colon is accepted.
func statusRow(out, key string) string {
	re := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(key) + `:\s+(.*)$`)
	if m := re.FindStringSubmatch(out); m != nil {
		return m[1]
	}
	return ""
}

// statusRows returns every value of a repeated row (Note).
func statusRows(out, key string) []string {
	re := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(key) + `:\s+(.*)$`)
	var vals []string
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		vals = append(vals, m[1])
	}
	return vals
}

// statusEnv is a desktop env (no headless row) for status checks.
func statusEnv(t *testing.T) *Env {
	return newEnv(t).Set("DISPLAY", ":0")
}

// runStatus runs `heidi connect status` plus args and checks what every run
// must satisfy: nothing on stderr, no canary anywhere, nothing left running.
func runStatus(t *testing.T, env *Env, args ...string) (string, int) {
	t.Helper()
	argv := append([]string{heidi(t), "connect", "status"}, args...)
	r := runWith(t, env, RunOpts{Timeout: 60 * time.Second}, argv...)
	if r.TimedOut {
		t.Fatalf("status timed out after %v\nstdout:\n%s\nstderr:\n%s", r.Elapsed, r.Stdout, r.Stderr)
	}
	if r.Stderr != "" {
		t.Errorf("status wrote to stderr: %q", r.Stderr)
	}
	assertNoCanary(t, env.Canary, r.Stdout, r.Stderr)
	assertNoCanaryInDir(t, env.Canary, env.HeidiHome)
	noProcessesLeft(t, env)
	return r.Stdout, r.Code
}

// wantNotConnected checks the first three lines of a NOT CONNECTED report.
func wantNotConnected(t *testing.T, out string, code int, reason, next string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if lines[0] != statusNotConnected {
		t.Errorf("first line %q, want %q\n%s", lines[0], statusNotConnected, out)
	}
	if len(lines) < 3 || !strings.HasPrefix(lines[1], "  Reason:") || !strings.HasPrefix(lines[2], "  Next:") {
		t.Errorf("lines 2-3 are not `  Reason: …` and `  Next: …`:\n%s", out)
	}
	if got := statusRow(out, "Reason"); !strings.Contains(got, reason) {
		t.Errorf("Reason %q does not say %q", got, reason)
	}
	if got := statusRow(out, "Next"); !strings.Contains(got, next) {
		t.Errorf("Next %q does not say %q", got, next)
	}
	if code != 1 {
		t.Errorf("exit %d, want 1 (not connected)", code)
	}
}

func wantConnected(t *testing.T, out string, code int) {
	t.Helper()
	if first, _, _ := strings.Cut(out, "\n"); first != statusConnected {
		t.Errorf("first line %q, want %q\n%s", first, statusConnected, out)
	}
	if statusRow(out, "Reason") != "" || statusRow(out, "Next") != "" {
		t.Errorf("a connected report has a Reason/Next row:\n%s", out)
	}
	if code != 0 {
		t.Errorf("exit %d, want 0 (connected)", code)
	}
}

func TestStatusFake(t *testing.T) {
	t.Parallel()

	t.Run("connected oauth", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t)
		env.PlantAuth("oauth")
		before := env.ReadAuth()
		out, code := runStatus(t, env)
		wantConnected(t, out, code)
		if got, want := statusRow(out, "Models"), "19 (first: "+firstOAuthModel+")"; got != want {
			t.Errorf("Models row %q, want %q", got, want)
		}
		if got := statusRow(out, "Auth file"); got != env.AuthPath() {
			t.Errorf("Auth file row %q, want %q", got, env.AuthPath())
		}
		if got := statusRow(out, "Credential"); !strings.HasPrefix(got, "oauth") || !strings.Contains(got, "expires") || strings.Contains(got, "expired") {
			t.Errorf("Credential row %q: want an unexpired oauth entry", got)
		}
		if got := statusRow(out, "OpenCode"); got != "1.18.33" {
			t.Errorf("OpenCode row %q, want 1.18.33", got)
		}
		if env.ReadAuth() != before {
			t.Error("status changed auth.json")
		}
	})

	t.Run("not connected no store", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t)
		out, code := runStatus(t, env)
		wantNotConnected(t, out, code, "no OpenAI credential", "heidi connect opencode openai")
		if fileExists(env.AuthPath()) {
			t.Error("status created auth.json")
		}
	})

	t.Run("api key only", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t)
		env.PlantAuth("api")
		out, code := runStatus(t, env)
		wantNotConnected(t, out, code, "API key, not a ChatGPT subscription", "heidi connect opencode openai")
		if got := statusRow(out, "Credential"); !strings.HasPrefix(got, "api") {
			t.Errorf("Credential row %q, want the api entry described", got)
		}
	})

	t.Run("corrupt store", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t)
		env.PlantAuth("corrupt")
		before := env.ReadAuth()
		out, code := runStatus(t, env)
		wantNotConnected(t, out, code, "credential store is unusable", "heidi connect opencode openai")
		if !strings.Contains(statusRow(out, "Reason"), "not valid JSON") {
			t.Errorf("Reason %q does not say the file is not valid JSON", statusRow(out, "Reason"))
		}
		if env.ReadAuth() != before {
			t.Error("status touched the corrupt store (it must only read it)")
		}
		if m, _ := filepath.Glob(env.AuthPath() + "*"); len(m) != 1 {
			t.Errorf("status created files beside auth.json: %v", m)
		}
	})

	t.Run("expired oauth with refresh token", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t)
		env.PlantAuth("expired")
		out, code := runStatus(t, env)
		// OpenCode refreshes an expired access token on the next request, so
		// the login still counts; the report must say it expired.
		wantConnected(t, out, code)
		if got := statusRow(out, "Credential"); !strings.Contains(got, "expired") {
			t.Errorf("Credential row %q does not say expired", got)
		}
		if notes := strings.Join(statusRows(out, "Note"), "\n"); !strings.Contains(notes, "expired") || !strings.Contains(notes, "refresh") {
			t.Errorf("no note about the expired access token being refreshed:\n%s", out)
		}
	})

	t.Run("OPENCODE_AUTH_CONTENT oauth, no file", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t)
		env.PlantAuth("oauth")
		content := env.ReadAuth()
		if err := os.Remove(env.AuthPath()); err != nil {
			t.Fatal(err)
		}
		env.Set("OPENCODE_AUTH_CONTENT", content)
		out, code := runStatus(t, env)
		wantConnected(t, out, code)
		if notes := strings.Join(statusRows(out, "Note"), "\n"); !strings.Contains(notes, "OPENCODE_AUTH_CONTENT") {
			t.Errorf("no note that OPENCODE_AUTH_CONTENT overrides auth.json:\n%s", out)
		}
	})

	t.Run("OPENCODE_AUTH_CONTENT api key overrides an oauth file", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t)
		env.PlantAuth("oauth")
		env.Set("OPENCODE_AUTH_CONTENT", `{"openai":{"type":"api","key":"sk-env-`+env.Canary+`"}}`)
		out, code := runStatus(t, env)
		// OpenCode ignores the file when the variable is set: what counts is
		// the API key in the variable.
		wantNotConnected(t, out, code, "API key", "heidi connect opencode openai")
		if notes := strings.Join(statusRows(out, "Note"), "\n"); !strings.Contains(notes, "OPENCODE_AUTH_CONTENT") {
			t.Errorf("no note that OPENCODE_AUTH_CONTENT overrides auth.json:\n%s", out)
		}
	})

	t.Run("opencode missing from PATH", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t)
		empty := filepath.Join(env.Root, "emptybin")
		if err := os.MkdirAll(empty, 0o755); err != nil {
			t.Fatal(err)
		}
		env.Set("PATH", empty)
		env.PlantAuth("oauth")
		out, code := runStatus(t, env)
		wantNotConnected(t, out, code, "not installed", "npm install -g opencode-ai")
		if statusRow(out, "OpenCode") != "" {
			t.Errorf("an OpenCode version row although opencode is missing:\n%s", out)
		}
		if len(env.OpenCodeCalls()) != 0 {
			t.Errorf("the fake ran although it is not on PATH: %v", env.OpenCodeCalls())
		}
	})

	t.Run("models fail", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t).Set("FAKE_OPENCODE_MODELS", "fail")
		env.PlantAuth("oauth")
		out, code := runStatus(t, env)
		wantNotConnected(t, out, code, "lists no OpenAI models", "opencode models openai")
	})

	t.Run("headless session row", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t).Set("SSH_CONNECTION", "10.0.0.5 5555 10.0.0.9 22")
		env.PlantAuth("oauth")
		out, code := runStatus(t, env)
		wantConnected(t, out, code)
		if got := statusRow(out, "Session"); !strings.Contains(got, "--headless") {
			t.Errorf("Session row %q does not point at --headless", got)
		}
	})
}

// statusJSON runs `status --json` and decodes it, checking the keys every
// report has.
func statusJSON(t *testing.T, env *Env) (map[string]any, int) {
	t.Helper()
	out, code := runStatus(t, env, "--json")
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("--json output is not one JSON object: %v\n%s", err, out)
	}
	if dec.More() {
		t.Errorf("--json printed more than one JSON value:\n%s", out)
	}
	for _, k := range []string{"connected", "authPath", "credentialType", "expires", "models", "opencodeVersion", "headless", "lastError", "checkedAt"} {
		if _, ok := m[k]; !ok {
			t.Errorf("--json lacks %q:\n%s", k, out)
		}
	}
	if _, ok := m["models"].([]any); !ok {
		t.Errorf("models is %T, want an array (never null):\n%s", m["models"], out)
	}
	if s, _ := m["checkedAt"].(string); s == "" {
		t.Errorf("checkedAt is not a string: %v", m["checkedAt"])
	} else if ts, err := time.Parse(time.RFC3339Nano, s); err != nil || time.Since(ts) > time.Hour || time.Until(ts) > time.Minute {
		t.Errorf("checkedAt %q is not a current RFC 3339 time (%v)", s, err)
	}
	if m["authPath"] != env.AuthPath() {
		t.Errorf("authPath %v, want %s", m["authPath"], env.AuthPath())
	}
	if _, ok := m["headless"].(bool); !ok {
		t.Errorf("headless is %T, want a bool", m["headless"])
	}
	return m, code
}

func TestStatusJSON(t *testing.T) {
	t.Parallel()

	t.Run("connected", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t)
		env.PlantAuth("oauth")
		var stored struct {
			OpenAI struct {
				Expires int64 `json:"expires"`
			} `json:"openai"`
		}
		if err := json.Unmarshal([]byte(env.ReadAuth()), &stored); err != nil {
			t.Fatal(err)
		}
		m, code := statusJSON(t, env)
		if code != 0 || m["connected"] != true {
			t.Errorf("connected=%v exit %d, want true/0", m["connected"], code)
		}
		if m["credentialType"] != "oauth" {
			t.Errorf("credentialType %v, want oauth", m["credentialType"])
		}
		if n, ok := m["expires"].(json.Number); !ok || n.String() != strconv.FormatInt(stored.OpenAI.Expires, 10) {
			t.Errorf("expires %v, want the stored epoch ms %d", m["expires"], stored.OpenAI.Expires)
		}
		models, _ := m["models"].([]any)
		if len(models) != 19 || models[0] != firstOAuthModel {
			t.Errorf("models %v, want the 19 ChatGPT models starting with %s", models, firstOAuthModel)
		}
		if m["opencodeVersion"] != "1.18.33" {
			t.Errorf("opencodeVersion %v", m["opencodeVersion"])
		}
		if m["lastError"] != "" {
			t.Errorf("lastError %q on a connected status", m["lastError"])
		}
		if m["headless"] != false {
			t.Errorf("headless %v with DISPLAY set and no SSH/CI", m["headless"])
		}
	})

	t.Run("not connected", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t).Set("CI", "1")
		m, code := statusJSON(t, env)
		if code != 1 || m["connected"] != false {
			t.Errorf("connected=%v exit %d, want false/1", m["connected"], code)
		}
		if s, _ := m["lastError"].(string); s == "" {
			t.Error("lastError empty on a failed status")
		}
		if s, _ := m["next"].(string); !strings.Contains(s, "heidi connect opencode openai") {
			t.Errorf("next %v, want the connect command", m["next"])
		}
		if m["expires"] != nil {
			t.Errorf("expires %v without a credential, want null", m["expires"])
		}
		if m["credentialType"] != "" {
			t.Errorf("credentialType %v without a credential", m["credentialType"])
		}
		if m["headless"] != true {
			t.Errorf("headless %v with CI=1", m["headless"])
		}
	})

	t.Run("notes", func(t *testing.T) {
		t.Parallel()
		env := statusEnv(t)
		env.PlantAuth("expired")
		m, _ := statusJSON(t, env)
		notes, ok := m["notes"].([]any)
		if !ok || len(notes) == 0 {
			t.Fatalf("notes %v, want the expired-token note", m["notes"])
		}
		if s, _ := notes[0].(string); !strings.Contains(s, "expired") {
			t.Errorf("notes %v", notes)
		}
	})
}

// realOpenCodeEnv is an env whose PATH has the real opencode (through a
// symlink named opencode) instead of the fake.
func realOpenCodeEnv(t *testing.T) *Env {
	t.Helper()
	real := realOpenCode(t)
	env := statusEnv(t)
	bin := filepath.Join(env.Root, "realbin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(real)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(bin, "opencode")); err != nil {
		t.Fatal(err)
	}
	env.Set("PATH", bin+":/usr/local/bin:/usr/bin:/bin")
	if p, err := exec.LookPath("node"); err == nil {
		env.Set("PATH", env.Get("PATH")+":"+filepath.Dir(p))
	}
	return env
}

// TestStatusRealOpenCode runs status against the real opencode, offline, in a
// throwaway HOME. Its subtests run one after the other: the real client is
// heavy.
func TestStatusRealOpenCode(t *testing.T) {
	realOpenCode(t)
	t.Run("empty store", func(t *testing.T) {
		env := realOpenCodeEnv(t)
		out, code := runStatus(t, env)
		wantNotConnected(t, out, code, "no OpenAI credential", "heidi connect opencode openai")
	})
	t.Run("fake oauth entry lists models offline", func(t *testing.T) {
		env := realOpenCodeEnv(t)
		env.PlantAuth("oauth")
		out, code := runStatus(t, env)
		wantConnected(t, out, code)
		models := statusRow(out, "Models")
		if !strings.HasSuffix(models, "(first: "+firstOAuthModel+")") {
			t.Errorf("Models row %q, want first %s", models, firstOAuthModel)
		}
		if statusRow(out, "OpenCode") == "" {
			t.Errorf("no OpenCode version row:\n%s", out)
		}
	})
	t.Run("api key", func(t *testing.T) {
		env := realOpenCodeEnv(t)
		env.PlantAuth("api")
		out, code := runStatus(t, env)
		wantNotConnected(t, out, code, "API key, not a ChatGPT subscription", "heidi connect opencode openai")
	})
}

func TestStatusAfterConnect(t *testing.T) {
	t.Parallel()
	env := statusEnv(t).Set("BROWSER", fakeBrowser())
	r := runWith(t, env, RunOpts{Timeout: wzWait}, connectArgv(t, "--plain")...)
	if r.Code != 0 {
		t.Fatalf("connect: exit %d\n%s", r.Code, r.Stderr)
	}
	out, code := runStatus(t, env)
	wantConnected(t, out, code)
	if got := statusRow(out, "Last test"); !strings.HasPrefix(got, "PASS at ") || !strings.HasSuffix(got, "with "+testOAuthModel) {
		t.Errorf("Last test row %q, want PASS … with %s", got, testOAuthModel)
	}
}

// TestVersion checks `heidi --version` and `-v`, which heidi answers in a package init, before
// the command tree and most packages exist: the same one line cobra prints, on stdout, and
// nothing else.
func TestVersion(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, args := range [][]string{{"--version"}, {"-v"}} {
		r := runWith(t, env, RunOpts{Timeout: 30 * time.Second}, append([]string{heidi(t)}, args...)...)
		if r.Code != 0 || r.Stdout != "heidi dev\n" || r.Stderr != "" {
			t.Errorf("%v: rc %d stdout %q stderr %q, want rc 0 and \"heidi dev\\n\"", args, r.Code, r.Stdout, r.Stderr)
		}
	}
}

// TestStatusCheck: --check sends the test request. A healthy login stays
// CONNECTED (and the run is recorded); a login the service no longer
// serves (here a Free plan) is NOT CONNECTED with the classified reason,
// while plain status, offline, cannot know.
func TestStatusCheck(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	env.PlantAuth("oauth")
	out, _, code := runPlain(t, env, heidi(t), "connect", "status", "--check")
	wantConnected(t, out, code)
	if got := statusRow(out, "Last test"); !strings.HasPrefix(got, "PASS at ") || !strings.HasSuffix(got, "with "+testOAuthModel) {
		t.Errorf("Last test row %q after a live check", got)
	}
	env.Set("FAKE_OPENCODE_PLAN", "free")
	out, _, code = runPlain(t, env, heidi(t), "connect", "status")
	wantConnected(t, out, code) // offline: the plan is the service's to say
	out, _, code = runPlain(t, env, heidi(t), "connect", "status", "--check", "--json")
	var j struct {
		Connected bool
		LastError string
		Check     *struct {
			Pass  bool
			Class string
			Error string
		}
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if code != 1 || j.Connected || j.Check == nil || j.Check.Pass || j.Check.Class != "plan" || !strings.Contains(j.LastError, "Codex needs ChatGPT Plus") {
		t.Errorf("exit %d, %+v %+v", code, j, j.Check)
	}
	assertNoCanary(t, env.Canary, out)
}
