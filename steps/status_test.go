package steps

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heidi-cli/heidi/probe"
)

// fakeRunner answers commands by their joined arguments.
type fakeRunner struct {
	answers map[string]probe.Result
	errs    map[string]error
	calls   atomic.Int32
}

func (f *fakeRunner) Run(ctx context.Context, name string, args []string, env []string) (probe.Result, error) {
	f.calls.Add(1)
	key := filepath.Base(name) + " " + strings.Join(args, " ")
	if err, ok := f.errs[key]; ok {
		return probe.Result{ExitCode: -1}, err
	}
	if r, ok := f.answers[key]; ok {
		return r, nil
	}
	return probe.Result{ExitCode: 127, Stderr: []byte("no such fake: " + key)}, nil
}

const oauthModels = "openai/gpt-5.3-codex-spark\nopenai/gpt-5.4\nopenai/gpt-5.5\n"

func fakeSys(t *testing.T, home string, run *fakeRunner, installed bool) probe.Sys {
	t.Helper()
	env := map[string]string{"HOME": home, "HEIDI_HOME": filepath.Join(home, "heidi"), "DISPLAY": ":0"}
	return probe.Sys{
		GOOS:    "linux",
		Getenv:  func(k string) string { return env[k] },
		Environ: func() []string { return nil },
		LookPath: func(n string) (string, error) {
			if installed && n == "opencode" {
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
		Now:         func() time.Time { return time.Unix(1800000000, 0) },
	}
}

func writeAuth(t *testing.T, home, content string) {
	t.Helper()
	dir := filepath.Join(home, ".local", "share", "opencode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "auth.json"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

const canary = "CANARY-7f3a9b"

var oauthEntry = `{"openai":{"type":"oauth","refresh":"rt_` + canary + `","access":"eyJhbGciOiJub25lIn0.eyJ` + canary + `In0.","expires":1900000000000,"accountId":"acct-fake-000"}}`

func TestCheckStatus(t *testing.T) {
	okRunner := func() *fakeRunner {
		return &fakeRunner{answers: map[string]probe.Result{
			"opencode --version":     {Stdout: []byte("1.18.33\n")},
			"opencode models openai": {Stdout: []byte(oauthModels)},
		}}
	}
	cases := []struct {
		name      string
		auth      string // "" = no file
		installed bool
		runner    *fakeRunner
		connected bool
		reason    string
	}{
		{"connected", oauthEntry, true, okRunner(), true, ""},
		{"not installed", oauthEntry, false, okRunner(), false, "not installed"},
		{"no store", "", true, okRunner(), false, "no OpenAI credential"},
		{"api key", `{"openai":{"type":"api","key":"sk-` + canary + `aaaaaaaaaaaaaaaa"}}`, true, okRunner(), false, "API key, not a ChatGPT subscription"},
		{"corrupt", "{ broken " + canary, true, okRunner(), false, "unusable"},
		{"incomplete oauth", `{"openai":{"type":"oauth","access":"x"}}`, true, okRunner(), false, "incomplete"},
		{"models fail", oauthEntry, true, &fakeRunner{answers: map[string]probe.Result{
			"opencode --version":     {Stdout: []byte("1.18.33\n")},
			"opencode models openai": {ExitCode: 1, Stderr: []byte("\x1b[91m\x1b[1mError: \x1b[0mProvider not found: openai\n")},
		}}, false, "Provider not found: openai"},
		{"models hang", oauthEntry, true, &fakeRunner{
			answers: map[string]probe.Result{"opencode --version": {Stdout: []byte("1.18.33\n")}},
			errs:    map[string]error{"opencode models openai": fmt.Errorf("opencode: %w", probe.ErrTimeout)},
		}, false, "did not answer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			if c.auth != "" {
				writeAuth(t, home, c.auth)
			}
			d := NewDeps(fakeSys(t, home, c.runner, c.installed))
			st := CheckStatus(context.Background(), d)
			if st.Connected != c.connected {
				t.Fatalf("Connected = %v (reason %q), want %v", st.Connected, st.Reason, c.connected)
			}
			if !strings.Contains(st.Reason, c.reason) {
				t.Fatalf("Reason = %q, want it to mention %q", st.Reason, c.reason)
			}
			if !c.connected && st.Next == "" {
				t.Fatal("no next step for a failure")
			}
			if c.connected && (len(st.Models) != 3 || st.Models[0] != "openai/gpt-5.3-codex-spark" || st.OpenCodeVersion != "1.18.33") {
				t.Fatalf("status = %+v", st)
			}
			if dump := fmt.Sprintf("%+v", st); strings.Contains(dump, canary) {
				t.Fatalf("canary in status: %s", dump)
			}
		})
	}
}

// TestCheckStatusOpenCode2AsksAuthList: OpenCode 2 keeps credentials in
// its database; status reads `auth list --format json` (the shape of
// list.ts at 9bf98793) and `models` without a provider, --standalone.
func TestCheckStatusOpenCode2AsksAuthList(t *testing.T) {
	list := func(conns string) []byte {
		return []byte(`[
  {
    "id": "openai",
    "name": "OpenAI",
    "connections": [` + conns + `]
  }
]
`)
	}
	cases := []struct {
		name, list string
		connected  bool
		reason     string
	}{
		{"oauth", string(list(`{"type":"credential","id":"cred_AAAAAAAAAAAAAAAA","label":"OpenAI","method":"oauth"}`)), true, ""},
		{"oauth active over a key", string(list(`{"type":"credential","id":"cred_B","label":"OpenAI 2","method":"oauth"},{"type":"credential","id":"cred_A","label":"OpenAI","method":"key"}`)), true, ""},
		{"key", string(list(`{"type":"credential","id":"cred_A","label":"OpenAI","method":"key"}`)), false, "API key"},
		{"env", string(list(`{"type":"env","name":"OPENAI_API_KEY"}`)), false, "OPENAI_API_KEY environment variable"},
		{"none", "[]\n", false, "no OpenAI credential"},
		{"garbage", "No authenticated integrations\n", false, "did not print the list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			writeAuth(t, home, oauthEntry) // a stale auth.json: OpenCode 2 ignores it
			r := &fakeRunner{answers: map[string]probe.Result{
				"opencode --version":                            {Stdout: []byte("opencode v2.0.17\n")},
				"opencode models --standalone":                  {Stdout: []byte("opencode/big-pickle\n" + oauthModels)},
				"opencode auth list --format json --standalone": {Stdout: []byte(c.list)},
			}}
			st := CheckStatus(context.Background(), NewDeps(fakeSys(t, home, r, true)))
			if st.Connected != c.connected || !strings.Contains(st.Reason, c.reason) || st.Cred.Source != probe.SourceAuthList {
				t.Fatalf("connected %v, reason %q, source %v", st.Connected, st.Reason, st.Cred.Source)
			}
			if st.OpenCodeVersion != "2.0.17" || !strings.HasSuffix(st.AuthPath, "opencode.db") {
				t.Errorf("version %q, store %q", st.OpenCodeVersion, st.AuthPath)
			}
			if c.connected && len(st.Models) != 3 {
				t.Errorf("models %q, want the openai/ lines only", st.Models)
			}
		})
	}
}
