package e2e

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSecretSweep runs every command with canary secrets in each place a
// token can live — OpenCode's auth.json, Codex's ~/.codex/auth.json,
// OPENCODE_AUTH_CONTENT — and with a child that prints secrets (a JWT, an
// sk- key, refresh_token=, a bearer header) on every test run. No canary may
// appear in any output, file heidi writes, or HTTP response.
func TestSecretSweep(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	env.PlantAuth("oauth")
	// Secrets of other providers in the same store: a GitHub Copilot login
	// (gho_ refresh, a session token of no known shape) and an API key of
	// no known shape. The leaking child prints them as is, in base64 and
	// URL-escaped; heidi masks them by value (redact.Learn).
	copilotTok, opaqueKey := "tid="+env.Canary+";exp=1900000000;sku=copilot", "opq"+env.Canary+"Zz"
	auth := env.ReadAuth()
	env.WriteAuthRaw(strings.TrimSuffix(strings.TrimSpace(auth), "}") + `,
  "github-copilot": {
    "type": "oauth",
    "refresh": "gho_` + env.Canary + `",
    "access": "` + copilotTok + `",
    "expires": 0
  },
  "mistral": {
    "type": "api",
    "key": "` + opaqueKey + `"
  }
}`)
	// AWS key ids are upper case: the fake prints AKIA/ASIA + this.
	encoded := []string{strings.ToUpper(env.Canary)[:16]}
	for _, v := range []string{copilotTok, opaqueKey} {
		encoded = append(encoded, base64.StdEncoding.EncodeToString([]byte(v)), url.QueryEscape(v))
	}
	env.Set("FAKE_OPENCODE_RUN", "leak")
	codex := filepath.Join(env.Home, ".codex")
	if err := os.MkdirAll(codex, 0o700); err != nil {
		t.Fatal(err)
	}
	codexAuth := `{"auth_mode":"chatgpt","OPENAI_API_KEY":null,"tokens":{"id_token":"` + env.FakeJWT(time.Now().Add(time.Hour)) +
		`","access_token":"at-` + env.Canary + `","refresh_token":"rt_` + env.Canary + `","account_id":"acct-1"},"last_refresh":"2026-11-29T01:48:27Z"}`
	if err := os.WriteFile(filepath.Join(codex, "auth.json"), []byte(codexAuth), 0o600); err != nil {
		t.Fatal(err)
	}
	var outputs []string
	collect := func(name string, parts ...string) {
		for _, p := range parts {
			outputs = append(outputs, name+": "+p)
		}
	}

	// status, text and JSON, with the file and with OPENCODE_AUTH_CONTENT.
	for _, args := range [][]string{{"connect", "status"}, {"connect", "status", "--json"}} {
		out, errOut, _ := runPlain(t, env, append([]string{heidi(t)}, args...)...)
		collect(strings.Join(args, " "), out, errOut)
	}
	envContent := newEnv(t).Set("DISPLAY", ":0")
	envContent.Canary = env.Canary
	envContent.Set("OPENCODE_AUTH_CONTENT", env.ReadAuth())
	out, errOut, _ := runPlain(t, envContent, heidi(t), "connect", "status", "--json")
	collect("status with OPENCODE_AUTH_CONTENT", out, errOut)

	// connect, plain: the leaking test run fails or passes, but shows no secret.
	r := runWith(t, env, RunOpts{Timeout: 2 * time.Minute}, connectArgv(t, "--plain", "--yes")...)
	collect("connect --plain", r.Stdout, r.Stderr)

	// connect, wizard, logging in again (a fresh login writes new canary tokens).
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "Keep the existing login", wzWait)
	s.Send("l")
	s.WaitFor(t, "ctrl+o opens it", wzWait)
	s.Send(keyCtrlO)
	code := quitSummary(t, s)
	collect("wizard", s.Text(), s.Raw())
	if code != 0 && code != 1 {
		t.Errorf("wizard exit %d", code)
	}

	// serve: every endpoint.
	p, url := browserServe(t, env)
	get := func(path string) string {
		resp, err := http.Get(url + strings.TrimPrefix(path, "/"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Status + "\n" + string(b)
	}
	page := get("/")
	collect("serve GET /", page)
	collect("serve GET status", get("/connect/opencode/openai/status"))
	m := regexp.MustCompile(`name="heidi-token" content="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no token in the page")
	}
	req, _ := http.NewRequest(http.MethodPost, url+"connect/opencode/openai/test", strings.NewReader("{}"))
	req.Header.Set("Origin", strings.TrimSuffix(url, "/"))
	req.Header.Set("X-Heidi-Token", m[1])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	collect("serve POST test", resp.Status, string(body))
	if !strings.Contains(string(body), `"run_output_tail"`) {
		t.Errorf("the test endpoint answered %s: %s", resp.Status, body)
	}
	if !strings.Contains(string(body), "mistral.key: [redacted] b64=[redacted] url=[redacted]") {
		t.Errorf("the store's opaque key was not masked by value in every form: %s", body)
	}
	p.Signal(syscall.SIGTERM)
	p.Wait(t, wzWait)
	collect("serve logs", p.Stdout(), p.Stderr())

	if !strings.Contains(strings.Join(outputs, "\n"), "[redacted]") {
		t.Error("no output shows a redaction: the leaking child's secrets were never printed, so this sweep proves nothing")
	}
	assertNoCanary(t, env.Canary, outputs...)
	for i, o := range outputs {
		for _, e := range encoded {
			if strings.Contains(o, e) {
				t.Errorf("an encoded store secret (%q) leaked in output #%d", e, i)
			}
		}
	}
	assertNoCanaryInDir(t, env.Canary, env.HeidiHome)
	noProcessesLeft(t, env)
}
