package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDisconnect: `heidi disconnect opencode openai` removes the OpenAI
// login through OpenCode's own `auth logout openai`, after a byte-checked
// backup, keeps the other providers, says what remains, and status then
// says NOT CONNECTED. A second run has nothing to do.
func TestDisconnect(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	env.PlantAuth("oauth")
	auth := env.ReadAuth()
	env.WriteAuthRaw(strings.TrimSuffix(strings.TrimSpace(auth), "}") + ",\n  \"mistral\": {\n    \"type\": \"api\",\n    \"key\": \"opq" + env.Canary + "\"\n  }\n}")
	before := env.ReadAuth()
	env.Set("OPENAI_API_KEY", "sk-test-"+env.Canary)

	out, errOut, code := runPlain(t, env, heidi(t), "disconnect", "opencode", "openai")
	if code != 0 || !strings.HasPrefix(out, "Disconnected: OpenCode → OpenAI (ChatGPT Plus/Pro)\nBackup: ") ||
		!strings.Contains(out, "Removed with: opencode auth logout openai\n") || !strings.Contains(out, "Still in auth.json: mistral\n") ||
		!strings.Contains(out, "Note: OPENAI_API_KEY is set") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	backup := strings.TrimPrefix(strings.SplitN(out, "\n", 3)[1], "Backup: ")
	if b, err := os.ReadFile(backup); err != nil || string(b) != before || filepath.Dir(backup) != filepath.Dir(env.AuthPath()) {
		t.Errorf("backup %s does not hold the store byte for byte (%v)", backup, err)
	}
	after := env.ReadAuth()
	if strings.Contains(after, `"openai"`) || !strings.Contains(after, `"mistral"`) {
		t.Errorf("auth.json after:\n%s", after)
	}
	var logouts int
	for _, c := range env.OpenCodeCalls() {
		if strings.Contains(c, `"auth" "logout" "openai"`) {
			logouts++
		}
	}
	if logouts != 1 {
		t.Errorf("%d `opencode auth logout openai` calls, want 1: %q", logouts, env.OpenCodeCalls())
	}
	st, _ := runStatus(t, env)
	if !strings.HasPrefix(st, statusNotConnected) {
		t.Errorf("status after disconnect:\n%s", st)
	}
	out, _, code = runPlain(t, env, heidi(t), "disconnect", "opencode", "openai")
	if code != 0 || !strings.HasPrefix(out, "Nothing to disconnect") {
		t.Errorf("second run: exit %d\n%s", code, out)
	}
	assertNoCanary(t, env.Canary, out, errOut, st)
	if _, _, code := runPlain(t, env, heidi(t), "disconnect", "opencode", "anthropic"); code != 2 {
		t.Errorf("an unknown provider: exit %d, want 2", code)
	}
}
