package steps

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heidi-cli/heidi/probe"
)

const realUnknownMethod = "\x1b[91m\x1b[1mError: \x1b[0mUnknown method \"heidi-list-methods\" for openai. Available: ChatGPT Pro/Plus (browser), ChatGPT Pro/Plus (headless), Manually enter API Key\n"

func TestParseMethods(t *testing.T) {
	got := ParseMethods(realUnknownMethod)
	want := []string{"ChatGPT Pro/Plus (browser)", "ChatGPT Pro/Plus (headless)", "Manually enter API Key"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("ParseMethods = %q, want %q", got, want)
	}
	if got := ParseMethods("Error: Unknown provider \"openai\"\n"); got != nil {
		t.Fatalf("ParseMethods(unknown provider) = %q, want nil", got)
	}
}

func TestPickMethod(t *testing.T) {
	builtin := []string{"ChatGPT Pro/Plus (browser)", "ChatGPT Pro/Plus (headless)", "Manually enter API Key"}
	plugin := []string{"ChatGPT Plus/Pro (Codex Subscription)", "ChatGPT Plus/Pro (Manual URL Paste)", "Manually enter API Key"}
	v2 := []string{"Sign in with ChatGPT", "Codex browser (legacy)", "Codex device code (legacy)", "API key"}
	cases := []struct {
		labels []string
		kind   MethodKind
		want   string
	}{
		{builtin, MethodBrowser, "ChatGPT Pro/Plus (browser)"},
		{builtin, MethodDevice, "ChatGPT Pro/Plus (headless)"},
		{plugin, MethodBrowser, "ChatGPT Plus/Pro (Codex Subscription)"},
		{plugin, MethodDevice, "ChatGPT Plus/Pro (Manual URL Paste)"},
		{v2, MethodDevice, "Codex device code (legacy)"},
		{[]string{"Manually enter API Key"}, MethodBrowser, ""},
		{[]string{"ChatGPT Pro/Plus", "Manually enter API Key"}, MethodBrowser, "ChatGPT Pro/Plus"}, // 1.1.11
		{[]string{"ChatGPT Pro/Plus", "Manually enter API Key"}, MethodDevice, ""},
		{nil, MethodDevice, ""},
	}
	for _, c := range cases {
		if got := PickMethod(c.labels, c.kind); got != c.want {
			t.Errorf("PickMethod(%q, %d) = %q, want %q", c.labels, c.kind, got, c.want)
		}
	}
}

// The browser login as the real client prints it (research §2), spinner frames
// concatenated without CR.
const browserTranscript = "\n┌  Add credential\n│\n◇  Login method\n│  ChatGPT Pro/Plus (browser)\n│\n" +
	"●  Go to: https://auth.openai.com/oauth/authorize?response_type=code&client_id=app_EMoamEEZ73f0CkXaXp7hrann&redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback&scope=openid+profile+email+offline_access&code_challenge=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ&code_challenge_method=S256&id_token_add_organizations=true&codex_cli_simplified_flow=true&state=STATEabcdefghijklmnopqrstuvwxyzABCDEFGHIJKL&originator=opencode\n" +
	"│\n●  Complete authorization in your browser. This window will close automatically.\n│\n◐  Waiting for authorization...◓  Waiting for authorization.."

func TestParseLoginBrowser(t *testing.T) {
	p := ParseLogin(browserTranscript)
	if !strings.HasPrefix(p.AuthURL, "https://auth.openai.com/oauth/authorize?response_type=code") || !strings.HasSuffix(p.AuthURL, "originator=opencode") {
		t.Fatalf("AuthURL = %q", p.AuthURL)
	}
	if p.Success || p.Error != "" || p.Code != "" {
		t.Fatalf("unexpected progress %+v", p)
	}
	if port := CallbackPort(p.AuthURL); port != 1455 {
		t.Fatalf("CallbackPort = %d, want 1455", port)
	}
	done := ParseLogin(browserTranscript + "\n◇  Login successful\n│\n└  Done\n")
	if !done.Success {
		t.Fatal("Login successful not seen")
	}
	failed := ParseLogin(browserTranscript + "\x1b[91m\x1b[1mError: \x1b[0mFailed to authorize: Login cancelled\n■  Canceled\n")
	if failed.Error != "Failed to authorize: Login cancelled" || !failed.Cancelled {
		t.Fatalf("failed progress = %+v", failed)
	}
}

func TestParseLoginDevice(t *testing.T) {
	p := ParseLogin("┌  Add credential\n│\n●  Go to: https://auth.openai.com/codex/device\n│\n●  Enter code: QZRT-4821\n│\n◒  Waiting for authorization")
	if p.DeviceURL != "https://auth.openai.com/codex/device" || p.Code != "QZRT-4821" || p.AuthURL != "" {
		t.Fatalf("device progress = %+v", p)
	}
}

func TestCallbackPortRejectsRemoteRedirect(t *testing.T) {
	u := "https://auth.openai.com/oauth/authorize?redirect_uri=http%3A%2F%2Fevil.example%3A1455%2Fauth%2Fcallback"
	if p := CallbackPort(u); p != 0 {
		t.Fatalf("CallbackPort(remote) = %d, want 0", p)
	}
}

func TestVerifyLogin(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	good := probe.Credential{Present: true, Type: probe.CredOAuth, EntryOK: true, ModTime: t0, Size: 300, Expires: t0.Add(time.Hour)}
	cases := []struct {
		name          string
		before, after probe.Credential
		ok            bool
	}{
		{"new login", probe.Credential{Problem: probe.StoreMissing}, good, true},
		{"api key replaced", probe.Credential{Present: true, Type: probe.CredAPI, EntryOK: true}, good, true},
		{"refreshed", good, func() probe.Credential { c := good; c.ModTime = t0.Add(time.Minute); return c }(), true},
		{"unchanged (Ctrl+C exits 0)", good, good, false},
		{"nothing stored", probe.Credential{Problem: probe.StoreMissing}, probe.Credential{Problem: probe.StoreMissing}, false},
		{"api key stored", probe.Credential{}, probe.Credential{Present: true, Type: probe.CredAPI, EntryOK: true}, false},
		{"incomplete", probe.Credential{}, probe.Credential{Present: true, Type: probe.CredOAuth}, false},
	}
	for _, c := range cases {
		err := VerifyLogin(c.before, c.after)
		if (err == nil) != c.ok {
			t.Errorf("%s: VerifyLogin err = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestParseModels(t *testing.T) {
	out := "openai/gpt-5.3-codex-spark\nopenai/gpt-5.4\n\x1b[90mnoise\x1b[0m\nopencode/big-pickle\nopenai/gpt-6-sol-fast\n"
	got := ParseModels(out)
	if strings.Join(got, ",") != "openai/gpt-5.3-codex-spark,openai/gpt-5.4,openai/gpt-6-sol-fast" {
		t.Fatalf("ParseModels = %q", got)
	}
}

func TestErrorLineRedacts(t *testing.T) {
	canary := "sk-proj-CANARYcanaryCANARY1234567890"
	line := ErrorLine([]byte("\x1b[91m\x1b[1mError: \x1b[0mbad key " + canary + "\n"))
	if strings.Contains(line, canary) || !strings.HasPrefix(line, "Error: bad key") {
		t.Fatalf("ErrorLine = %q", line)
	}
}

const pluginConfig = `{
  // my own comment
  "$schema": "https://opencode.ai/config.json",
  "model": "anthropic/claude",
  "plugin": ["some-other-plugin", "opencode-openai-codex-auth@4.4.0", ["opencode-openai-codex-auth", {"x": 1}]],
  "provider": {
    "openai": {
      "options": {"reasoningEffort": "medium"},
      "models": {"gpt-5.2": {"name": "GPT 5.2 (OAuth)"}}
    }
  },
}
`

func TestStripStaleConfig(t *testing.T) {
	out, removed, err := StripStaleConfig([]byte(pluginConfig))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, "opencode-openai-codex-auth") || strings.Contains(s, `"openai"`) || strings.Contains(s, `"provider"`) {
		t.Fatalf("stale config left:\n%s", s)
	}
	for _, keep := range []string{"// my own comment", `"some-other-plugin"`, `"model": "anthropic/claude"`} {
		if !strings.Contains(s, keep) {
			t.Fatalf("lost %q:\n%s", keep, s)
		}
	}
	if len(removed) != 3 {
		t.Fatalf("removed = %q, want 2 plugin entries and the provider block", removed)
	}
	// A clean config is returned unchanged, with nothing removed.
	clean := []byte("{\n  // hi\n  \"plugin\": [\"x\"]\n}\n")
	out, removed, err = StripStaleConfig(clean)
	if err != nil || len(removed) != 0 || !bytes.Equal(out, clean) {
		t.Fatalf("clean config changed: %q %q %v", out, removed, err)
	}
	if _, _, err := StripStaleConfig([]byte("{ broken")); err == nil {
		t.Fatal("broken config accepted")
	}
}

func TestRemoveStaleConfigBacksUpFirst(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "opencode.jsonc")
	if err := os.WriteFile(path, []byte(pluginConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	report := probe.ConfigReport{Files: []probe.ConfigFile{{Path: path, PluginEntries: []string{"opencode-openai-codex-auth@4.4.0"}, ProviderOpenAI: true}}}
	changes, err := RemoveStaleConfig(report, time.Date(2026, 11, 29, 2, 39, 17, 0, time.UTC))
	if err != nil || len(changes) != 1 {
		t.Fatalf("RemoveStaleConfig = %v, %v", changes, err)
	}
	backup, err := os.ReadFile(changes[0].Backup)
	if err != nil || string(backup) != pluginConfig {
		t.Fatalf("backup differs from the original (%v)", err)
	}
	if !strings.Contains(changes[0].Backup, BackupSuffix+"20261129T023917.000Z") {
		t.Fatalf("backup name %q is not timestamped", changes[0].Backup)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o644 {
		t.Fatalf("mode changed to %v", info.Mode())
	}
	now, _ := os.ReadFile(path)
	if strings.Contains(string(now), "opencode-openai-codex-auth") {
		t.Fatal("plugin still configured")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("expected the file and one backup, got %d entries (temp file left?)", len(entries))
	}
}

func TestMoveStoreAsideKeepsBytes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.json")
	garbage := []byte("{ broken \x00 CANARY")
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := MoveStoreAside(path, time.Unix(1800000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(b); !bytes.Equal(got, garbage) {
		t.Fatal("backup does not hold the original bytes")
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatal("broken store still in place")
	}
	// Directories and symlinks are never moved.
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := MoveStoreAside(path, time.Unix(1800000001, 0)); err == nil {
		t.Fatal("moved a directory")
	}
}

func TestBackupNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "opencode.json")
	os.WriteFile(path, []byte("{}"), 0o644)
	now := time.Unix(1800000000, 0)
	if _, err := Backup(path, now); err != nil {
		t.Fatal(err)
	}
	if _, err := Backup(path, now); err == nil {
		t.Fatal("a second backup with the same timestamp overwrote the first")
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.json")
	if err := WriteFileAtomic(path, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	info, _ := os.Stat(path)
	if string(got) != "two" || info.Mode().Perm() != 0o600 {
		t.Fatalf("got %q mode %v", got, info.Mode())
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x"), []byte("x"), 0o600); err == nil {
		t.Fatal("write into a missing dir succeeded")
	}
}

func TestTailRedactsAndTrims(t *testing.T) {
	canary := "eyJhbGciOiJub25lIn0.eyJjYW5hcnkiOiJDQU5BUlkifQ.c2ln"
	s := "\x1b[0m\n> build · gpt-5.4\n\x1b[0m\n\x1b[91mError: \x1b[0mtoken " + canary + "\n"
	got := Tail(s, 2, 200)
	if strings.Contains(got, canary) || strings.Contains(got, "\x1b") {
		t.Fatalf("Tail = %q", got)
	}
	if !strings.Contains(got, "> build · gpt-5.4") {
		t.Fatalf("Tail lost a line: %q", got)
	}
}

func TestBrowserCommand(t *testing.T) {
	sys := probe.Sys{GOOS: "linux", Getenv: func(k string) string {
		if k == "BROWSER" {
			return "nosuch:firefox --new-tab %s"
		}
		return ""
	}, LookPath: func(n string) (string, error) {
		if n == "firefox" || n == "xdg-open" {
			return "/usr/bin/" + n, nil
		}
		return "", os.ErrNotExist
	}}
	got, err := BrowserCommand(sys, "https://x")
	if err != nil || strings.Join(got, " ") != "firefox --new-tab https://x" {
		t.Fatalf("BrowserCommand = %q, %v", got, err)
	}
	sys.Getenv = func(string) string { return "" }
	for goos, want := range map[string]string{"linux": "xdg-open https://x", "darwin": "open https://x", "windows": "rundll32 url.dll,FileProtocolHandler https://x"} {
		sys.GOOS = goos
		sys.LookPath = func(n string) (string, error) { return n, nil }
		got, err := BrowserCommand(sys, "https://x")
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("%s: %q, %v", goos, got, err)
		}
	}
}

func TestNpmPackageVersion(t *testing.T) {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "node_modules", "opencode-ai")
	os.MkdirAll(filepath.Join(pkg, "bin"), 0o755)
	os.WriteFile(filepath.Join(pkg, "package.json"), []byte(`{"name":"opencode-ai","version":"1.2.27","bin":{"opencode":"./bin/opencode"}}`), 0o644)
	os.WriteFile(filepath.Join(pkg, "bin", "opencode"), []byte("#!/bin/sh\n"), 0o755)
	os.MkdirAll(filepath.Join(dir, "node_modules", ".bin"), 0o755)
	link := filepath.Join(dir, "node_modules", ".bin", "opencode")
	if err := os.Symlink("../opencode-ai/bin/opencode", link); err != nil {
		t.Fatal(err)
	}
	v, ok := npmPackageVersion(link)
	if !ok || v.String() != "1.2.27" {
		t.Fatalf("version = %v, %v", v, ok)
	}
	// Another package's package.json is not OpenCode's version.
	other := filepath.Join(dir, "other")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "package.json"), []byte(`{"name":"something","version":"9.9.9"}`), 0o644)
	os.WriteFile(filepath.Join(other, "opencode"), nil, 0o755)
	if _, ok := npmPackageVersion(filepath.Join(other, "opencode")); ok {
		t.Fatal("read another package's version")
	}
}

func TestPluginBackups(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "opencode.jsonc")
	os.WriteFile(cfg, []byte("{}"), 0o644)
	report := probe.ConfigReport{Files: []probe.ConfigFile{{Path: cfg}}}
	start := time.Now()
	if got := PluginBackups(report, start); len(got) != 1 || !strings.Contains(got[0], "made no backup") {
		t.Fatalf("no backup: %q", got)
	}
	os.WriteFile(cfg+".bak-2026-11-29_01-22-41-422", []byte("{}"), 0o644)
	if got := PluginBackups(report, start); len(got) != 1 || !strings.Contains(got[0], "backed up") {
		t.Fatalf("backup: %q", got)
	}
}
