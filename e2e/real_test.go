package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// realWizardEnv is a desktop env whose PATH has the real opencode first.
func realWizardEnv(t *testing.T) *Env {
	t.Helper()
	env := realOpenCodeEnv(t)
	env.Set("BROWSER", "true")
	return env
}

// TestRealWizardBrowserLogin renders the real client's browser login inside
// the wizard, and leaves it with the reserved chord: the real client (which
// ignores TERM while it waits) must be gone, the summary must say why.
func TestRealWizardBrowserLogin(t *testing.T) {
	realOpenCode(t)
	standinPort1455.Lock()
	defer standinPort1455.Unlock()
	env := realWizardEnv(t)
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "Go to: https://auth.openai.com/oauth/authorize?response_type=code&client_id=app_EMoamEEZ73f0CkXaX", 120*time.Second)
	s.WaitFor(t, "ctrl+o opens it", wzWait)
	if strings.Contains(s.Screen(), "[redacted]") {
		t.Errorf("the authorization URL was redacted:\n%s", s.Screen())
	}
	s.Send(keyLeaveC)
	s.WaitFor(t, "You left the login before it finished.", wzWait)
	s.WaitFor(t, "What now?", wzWait)
	s.Send("s")
	if code := quitSummary(t, s); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	cleanAfter(t, env, s)
}

// TestRealWizardHeadlessOffline runs the real device-code login: offline it
// fails at once, and the wizard must say so with network advice.
func TestRealWizardHeadlessOffline(t *testing.T) {
	realOpenCode(t)
	env := realWizardEnv(t)
	env.Set("SSH_CONNECTION", "10.0.0.5 50000 10.0.0.9 22")
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "5 Troubleshooting", 120*time.Second)
	s.Send("1")
	s.Send(keyEnter) // a digit selects; enter runs
	s.WaitFor(t, "cannot reach auth.openai.com", 120*time.Second)
	if code := quitSummary(t, s); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	cleanAfter(t, env, s)
}

// TestRealModelsAndOfflineTestRun keeps a planted ChatGPT login: the real
// `opencode models openai` lists models offline, and the test run fails the
// way the real client fails offline, within the timeout, not a hang.
func TestRealModelsAndOfflineTestRun(t *testing.T) {
	realOpenCode(t)
	t.Parallel()
	env := realWizardEnv(t)
	env.PlantAuth("oauth")
	r := runWith(t, env, RunOpts{Timeout: 4 * time.Minute}, connectArgv(t, "--plain", "--yes", "--timeout", "150s")...)
	if r.Code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stderr, "19 models (first: openai/gpt-5.3-codex-spark)") {
		t.Errorf("the models step did not pass with the real list:\n%s", r.Stderr)
	}
	if !strings.Contains(r.Stdout, "Test run: FAIL") || !strings.Contains(r.Stdout, "Cannot connect to API") {
		t.Errorf("no offline FAIL summary:\n%s", r.Stdout)
	}
	assertNoCanary(t, env.Canary, r.Stdout, r.Stderr)
	assertNoCanaryInDir(t, env.Canary, env.HeidiHome)
	noProcessesLeft(t, env)
}

// TestRealStalePluginRepair lets the real plugin installer write its config,
// then heidi repairs it; afterwards the real client offers its built-in
// ChatGPT methods.
func TestRealStalePluginRepair(t *testing.T) {
	realOpenCode(t)
	installer := os.Getenv("HEIDI_REAL_PLUGIN")
	if installer == "" {
		t.Skip("SKIPPED: needs HEIDI_REAL_PLUGIN (the opencode-openai-codex-auth installer bin)")
	}
	t.Parallel()
	env := realWizardEnv(t)
	inst := exec.Command(installer, "--no-cache-clear")
	inst.Env = env.Environ()
	if out, err := inst.CombinedOutput(); err != nil {
		t.Fatalf("plugin installer: %v\n%s", err, out)
	}
	cfg := filepath.Join(env.ConfigDir(), "opencode.jsonc")
	written, err := os.ReadFile(cfg)
	if err != nil || !strings.Contains(string(written), "opencode-openai-codex-auth") {
		t.Fatalf("the installer wrote no plugin config (%v):\n%s", err, written)
	}
	// Headless, so the (offline) login fails fast after the repair.
	r := runWith(t, env, RunOpts{Timeout: 3 * time.Minute}, connectArgv(t, "--plain", "--yes", "--headless")...)
	if !strings.Contains(r.Stderr, "removed") {
		t.Fatalf("no repair reported (exit %d):\n%s\n%s", r.Code, r.Stderr, r.Stdout)
	}
	after, _ := os.ReadFile(cfg)
	if strings.Contains(string(after), "opencode-openai-codex-auth") || strings.Contains(string(after), `"openai"`) {
		t.Errorf("the plugin config is still there:\n%s", after)
	}
	backups, _ := filepath.Glob(cfg + ".heidi-backup-*")
	if len(backups) != 1 {
		t.Fatalf("backups: %v", backups)
	}
	if b, _ := os.ReadFile(backups[0]); string(b) != string(written) {
		t.Error("the backup differs from what the installer wrote")
	}
	probe := exec.Command(realOpenCode(t), "auth", "login", "-p", "openai", "-m", "heidi-list-methods")
	probe.Env = env.Environ()
	probe.Dir = env.Home
	out, _ := probe.CombinedOutput()
	if !strings.Contains(string(out), "Available: ChatGPT Pro/Plus (browser), ChatGPT Pro/Plus (headless)") {
		t.Errorf("the real client does not offer the built-in ChatGPT methods after the repair:\n%s", out)
	}
	noProcessesLeft(t, env)
}

// TestStatusRealOpenCodeMoreStates completes the real-client status matrix.
func TestStatusRealOpenCodeMoreStates(t *testing.T) {
	realOpenCode(t)
	t.Parallel()
	t.Run("expired oauth", func(t *testing.T) {
		env := realOpenCodeEnv(t)
		env.PlantAuth("expired")
		out, code := runStatus(t, env)
		if code != 0 || !strings.Contains(out, "expired") {
			t.Errorf("expired login with a refresh token: exit %d\n%s", code, out)
		}
	})
	t.Run("corrupt store", func(t *testing.T) {
		env := realOpenCodeEnv(t)
		env.PlantAuth("corrupt")
		out, code := runStatus(t, env)
		wantNotConnected(t, out, code, "unusable", "heidi connect opencode openai")
	})
	t.Run("OPENCODE_AUTH_CONTENT", func(t *testing.T) {
		env := realOpenCodeEnv(t)
		env.PlantAuth("oauth")
		content := env.ReadAuth()
		os.Remove(env.AuthPath())
		env.Set("OPENCODE_AUTH_CONTENT", content)
		out, code := runStatus(t, env)
		if code != 0 || !strings.Contains(out, "OPENCODE_AUTH_CONTENT is set") {
			t.Errorf("exit %d\n%s", code, out)
		}
	})
}
