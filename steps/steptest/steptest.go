// Package steptest is a machine without OpenCode for tests of the connect
// flow and its faces: a home directory, a runner that answers OpenCode's
// non-interactive calls as the real client does (docs/troubleshooting.md
// §10 has the measured lines), and a login that stores a ChatGPT
// credential. It imports only probe.
package steptest

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heidi-cli/heidi/probe"
)

// Canary is planted in every secret the fakes write.
const Canary = "CANARY-7f3a9b"

// OAuthEntry is a usable ChatGPT login as OpenCode 1.x stores it.
var OAuthEntry = `{"openai":{"type":"oauth","refresh":"rt_` + Canary + `","access":"eyJhbGciOiJub25lIn0.eyJ` + Canary + `In0.","expires":1900000000000,"accountId":"acct-fake-000"}}`

// Models is `opencode models openai` on 1.18.33 (its order: the Pro-only
// spark first).
const Models = "openai/gpt-5.3-codex-spark\nopenai/gpt-5.4\nopenai/gpt-5.4-mini\nopenai/gpt-5.5\n"

// Runner answers commands by their joined arguments ("opencode models
// openai"); a missing answer is exit 127. It records every call.
type Runner struct {
	mu      sync.Mutex
	Answers map[string]probe.Result
	Errs    map[string]error
	// Hold keeps a call waiting until its channel closes or ctx ends (a
	// slow catalogue fetch, a blackholed network).
	Hold  map[string]chan struct{}
	calls []string
}

// NewRunner answers as a healthy OpenCode 1.18.33 with Node and npm.
func NewRunner() *Runner {
	return &Runner{Answers: map[string]probe.Result{
		"opencode --version":     {Stdout: []byte("1.18.33\n")},
		"node --version":         {Stdout: []byte("v20.20.2\n")},
		"npx --version":          {Stdout: []byte("11.19.1\n")},
		"npm --version":          {Stdout: []byte("11.19.1\n")},
		"opencode models openai": {Stdout: []byte(Models)},
		`opencode run say ok --model=openai/gpt-5.4-mini`: {Stdout: []byte("ok\n")},
	}}
}

func (r *Runner) Run(ctx context.Context, name string, args []string, env []string) (probe.Result, error) {
	key := filepath.Base(name) + " " + strings.Join(args, " ")
	r.mu.Lock()
	r.calls = append(r.calls, key)
	res, ok := r.Answers[key]
	err := r.Errs[key]
	hold := r.Hold[key]
	r.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return probe.Result{ExitCode: -1}, ctx.Err()
		}
	}
	if err != nil {
		return probe.Result{ExitCode: -1}, err
	}
	if !ok {
		return probe.Result{ExitCode: 127, Stderr: []byte("no such fake: " + key)}, nil
	}
	return res, nil
}

// Calls are the commands run so far.
func (r *Runner) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// Called reports whether a call starting with prefix was made.
func (r *Runner) Called(prefix string) bool {
	for _, c := range r.Calls() {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

// Machine is a home directory with its Sys.
type Machine struct {
	Home string
	root string // where Home really is (NewMachineAt), "" when it is Home
	Env  map[string]string
	Run  *Runner
	// Tools are the names LookPath finds in /usr/bin.
	Tools map[string]bool
	Sys   probe.Sys
}

// Now is the machine's clock.
var Now = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// NewMachine is a desktop Linux session with OpenCode, Node and npm on
// PATH, no credential stored.
func NewMachine(t testing.TB) *Machine {
	t.Helper()
	return newMachine(t, t.TempDir(), "")
}

// NewMachineAt is NewMachine with its home shown as home (a fixed path for
// golden screens) and kept in a temporary directory: reads through Sys.FS
// are mapped there. heidi's own writes (backups) are not: use it only
// where nothing is written.
func NewMachineAt(t testing.TB, home string) *Machine {
	t.Helper()
	return newMachine(t, home, t.TempDir())
}

func newMachine(t testing.TB, home, root string) *Machine {
	m := &Machine{Home: home, root: root, Run: NewRunner(),
		Env:   map[string]string{"HOME": home, "HEIDI_HOME": filepath.Join(home, "heidi"), "DISPLAY": ":0"},
		Tools: map[string]bool{"opencode": true, "node": true, "npx": true, "npm": true}}
	m.Sys = probe.Sys{
		GOOS:    "linux",
		Getenv:  func(k string) string { return m.Env[k] },
		Environ: func() []string { return nil },
		LookPath: func(n string) (string, error) {
			if m.Tools[n] {
				return "/usr/bin/" + n, nil
			}
			return "", fmt.Errorf("%s: not found", n)
		},
		FS:          mapFS{m},
		Run:         m.Run,
		Home:        home,
		ProcVersion: func() string { return "Linux version 6.1" },
		PortFree:    func(int) bool { return true },
		IsTerminal:  func(uintptr) bool { return false },
		Now:         func() time.Time { return Now },
		Hostname:    func() (string, error) { return "build-box", nil },
	}
	return m
}

// real is where path of the machine is on this one.
func (m *Machine) real(path string) string {
	if m.root != "" && (path == m.Home || strings.HasPrefix(path, m.Home+"/")) {
		return m.root + strings.TrimPrefix(path, m.Home)
	}
	return path
}

type mapFS struct{ m *Machine }

func (f mapFS) Lstat(name string) (fs.FileInfo, error) { return os.Lstat(f.m.real(name)) }
func (f mapFS) Stat(name string) (fs.FileInfo, error)  { return os.Stat(f.m.real(name)) }
func (f mapFS) ReadFileCapped(name string, limit int64) ([]byte, bool, error) {
	return probe.OSFS{}.ReadFileCapped(f.m.real(name), limit)
}

// AuthPath is OpenCode 1.x's credential store.
func (m *Machine) AuthPath() string {
	return filepath.Join(m.Home, ".local", "share", "opencode", "auth.json")
}

// WriteAuth writes the credential store.
func (m *Machine) WriteAuth(t testing.TB, content string) {
	t.Helper()
	path := m.real(m.AuthPath())
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// ReadAuth is the store's content ("" when there is none).
func (m *Machine) ReadAuth() string {
	b, _ := os.ReadFile(m.real(m.AuthPath()))
	return string(b)
}

// LoginTranscript is what OpenCode 1.18.33 prints for a browser login
// that succeeds (docs/troubleshooting.md §10).
const LoginTranscript = "┌  Add credential\n│\n●  Go to: https://auth.openai.com/oauth/authorize?response_type=code&client_id=app_EMoamEEZ73f0CkXaXp7hrann&redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback&state=s\n│\n◇  Login successful\n│\n└  Done\n"

// DeviceTranscript is a device-code login that succeeds.
const DeviceTranscript = "┌  Add credential\n│\n●  Go to: https://auth.openai.com/codex/device\n│\n●  Enter code: QZRT-4821\n│\n◇  Login successful\n│\n└  Done\n"

// WriteFile writes rel (a path under the home) with content.
func (m *Machine) WriteFile(t testing.TB, rel, content string) {
	t.Helper()
	path := m.real(filepath.Join(m.Home, rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
