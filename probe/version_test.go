package probe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in      string
		ok      bool
		m, n, p int
		raw     string
	}{
		{"1.18.33", true, 1, 18, 33, "1.18.33"},
		{"v20.20.2", true, 20, 20, 2, "v20.20.2"},
		{"codex-cli 0.169.0", true, 0, 169, 0, "codex-cli 0.169.0"},
		{"opencode 1.0.185\n", true, 1, 0, 185, "opencode 1.0.185"},
		{"  \x1b[1m2.0.0-beta.3\x1b[0m ", true, 2, 0, 0, "\x1b[1m2.0.0-beta.3\x1b[0m"},
		{"warning: something\nopencode 1.2.3\nmore", true, 1, 2, 3, "opencode 1.2.3"},
		{strings.Repeat("x", 100) + " 4.5.6", true, 4, 5, 6, "4.5.6"},
		{"1.2", false, 0, 0, 0, ""},
		{"", false, 0, 0, 0, ""},
		{"garbage output", false, 0, 0, 0, ""},
		{"v.1.2", false, 0, 0, 0, ""},
		{"99999999999999999999.1.1", false, 0, 0, 0, ""},
	}
	for _, tt := range tests {
		v, ok := ParseVersion(tt.in)
		if ok != tt.ok {
			t.Errorf("ParseVersion(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if !ok {
			if !v.IsZero() {
				t.Errorf("ParseVersion(%q) = %+v on failure, want zero", tt.in, v)
			}
			continue
		}
		if v.Major != tt.m || v.Minor != tt.n || v.Patch != tt.p || v.Raw != tt.raw {
			t.Errorf("ParseVersion(%q) = %+v, want %d.%d.%d raw %q", tt.in, v, tt.m, tt.n, tt.p, tt.raw)
		}
		if want := fmt.Sprintf("%d.%d.%d", tt.m, tt.n, tt.p); v.String() != want {
			t.Errorf("String() = %q, want %q", v.String(), want)
		}
	}
	if (Version{}).String() != "" {
		t.Errorf("zero Version String() = %q", Version{}.String())
	}
}

func TestVersionAtLeast(t *testing.T) {
	v := Version{Major: 1, Minor: 18, Patch: 33, Raw: "1.18.33"}
	tests := []struct {
		a, b, c int
		want    bool
	}{
		{1, 18, 33, true}, {1, 18, 34, false}, {1, 1, 11, true}, {1, 19, 0, false},
		{0, 999, 999, true}, {2, 0, 0, false}, {1, 18, 0, true},
	}
	for _, tt := range tests {
		if got := v.AtLeast(tt.a, tt.b, tt.c); got != tt.want {
			t.Errorf("%v.AtLeast(%d,%d,%d) = %v", v, tt.a, tt.b, tt.c, got)
		}
	}
	if !v.BuiltinChatGPT() || v.CredentialDB() {
		t.Errorf("1.18.33: BuiltinChatGPT %v CredentialDB %v", v.BuiltinChatGPT(), v.CredentialDB())
	}
	old := Version{Major: 1, Minor: 1, Patch: 10, Raw: "1.1.10"}
	if old.BuiltinChatGPT() {
		t.Error("1.1.10 should not have the built-in login")
	}
	if !(Version{Major: 2, Raw: "2.0.0"}).CredentialDB() {
		t.Error("2.0.0 should use the credential DB")
	}
}

func TestProbeTool(t *testing.T) {
	garbage := strings.Repeat("garbage ", 40) + canaryKey
	tests := []struct {
		name      string
		lookErr   error
		run       func(ctx context.Context) (Result, error)
		timeout   time.Duration
		found     bool
		version   string
		errHas    []string
		errHasNot []string
	}{
		{
			name:    "not found",
			lookErr: errors.New(`exec: "opencode": executable file not found in $PATH`),
			found:   false,
		},
		{
			name:    "version on stdout",
			run:     func(context.Context) (Result, error) { return Result{Stdout: []byte("1.18.33\n")}, nil },
			found:   true,
			version: "1.18.33",
		},
		{
			name: "version on stderr only",
			run: func(context.Context) (Result, error) {
				return Result{Stdout: []byte("\n"), Stderr: []byte("opencode 1.0.185\n")}, nil
			},
			found:   true,
			version: "1.0.185",
		},
		{
			name: "runner reports a timeout",
			run: func(context.Context) (Result, error) {
				return Result{ExitCode: -1, Stdout: []byte(canaryKey)}, fmt.Errorf("opencode: %w", ErrTimeout)
			},
			found:     true,
			errHas:    []string{"did not finish within 10s", "opencode --version"},
			errHasNot: []string{canaryKey},
		},
		{
			name: "the deadline passes while the runner waits",
			run: func(ctx context.Context) (Result, error) {
				<-ctx.Done()
				return Result{ExitCode: -1}, ctx.Err()
			},
			timeout: 20 * time.Millisecond,
			found:   true,
			errHas:  []string{"did not finish within 20ms"},
		},
		{
			name:      "garbage with exit 0",
			run:       func(context.Context) (Result, error) { return Result{Stdout: []byte(garbage)}, nil },
			found:     true,
			errHas:    []string{"exited with code 0 but printed no version", "garbage garbage"},
			errHasNot: []string{canaryKey, strings.Repeat("garbage ", 9)},
		},
		{
			name: "non-zero exit with a version-looking line",
			run: func(context.Context) (Result, error) {
				return Result{ExitCode: 3, Stderr: []byte("\x1b[91mError: \x1b[0mnode v20.20.2 crashed\x07\n" + garbage)}, nil
			},
			found:     true,
			errHas:    []string{"exited with code 3", "Error: node v20.20.2 crashed"},
			errHasNot: []string{"\x1b", "\x07", canaryKey},
		},
		{
			name: "could not start",
			run: func(context.Context) (Result, error) {
				return Result{ExitCode: -1}, errors.New("fork/exec: permission denied " + canaryKey)
			},
			found:  true,
			errHas: []string{"could not be run"}, errHasNot: []string{canaryKey},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeSys("linux", nil, nil)
			s.LookPath = func(name string) (string, error) {
				if tt.lookErr != nil {
					return "", tt.lookErr
				}
				return "/opt/bin/" + name, nil
			}
			r := &fakeRunner{fn: func(ctx context.Context, name string, args []string) (Result, error) {
				if _, ok := ctx.Deadline(); !ok {
					t.Error("runner got a context without a deadline")
				}
				return tt.run(ctx)
			}}
			s.Run = r
			tool := ProbeTool(context.Background(), s, "opencode", []string{"--version"}, tt.timeout)
			if tool.Found != tt.found || tool.Name != "opencode" {
				t.Fatalf("tool = %+v, want Found %v", tool, tt.found)
			}
			if !tt.found {
				if tool.Path != "" || len(r.calls) != 0 || tool.Err != "" {
					t.Fatalf("not found but tool = %+v, calls %v", tool, r.calls)
				}
				return
			}
			if tool.Path != "/opt/bin/opencode" || len(r.calls) != 1 || r.calls[0] != "/opt/bin/opencode --version" {
				t.Fatalf("path %q calls %q", tool.Path, r.calls)
			}
			if tt.version != "" {
				if tool.Version.String() != tt.version || tool.Err != "" {
					t.Fatalf("tool = %+v, want version %s", tool, tt.version)
				}
				return
			}
			if !tool.Version.IsZero() {
				t.Errorf("version %v set on failure", tool.Version)
			}
			for _, want := range tt.errHas {
				if !strings.Contains(tool.Err, want) {
					t.Errorf("Err %q lacks %q", tool.Err, want)
				}
			}
			for _, bad := range tt.errHasNot {
				if strings.Contains(tool.Err, bad) {
					t.Errorf("Err %q contains %q", tool.Err, bad)
				}
			}
			if len([]rune(tool.Err)) > 140 {
				t.Errorf("Err is %d runes long: %q", len([]rune(tool.Err)), tool.Err)
			}
			assertNoCanary(t, tool)
		})
	}
}

func TestSafeText(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"  hello\t\tworld \n", 20, "hello world"},
		{"\x1b[31mred\x1b[0m", 20, "red"},
		{"abcdef", 3, "ab…"},
		{"abc", 3, "abc"},
		{"a\u202eb\u200bc", 10, "abc"},
		{"", 5, ""},
		{"x", 0, ""},
		{strings.Repeat("\x1b[1m", 100) + "tail", 5, "…"},
	}
	for _, tt := range tests {
		got := SafeText(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("SafeText(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if n := len([]rune(got)); n > tt.max {
			t.Errorf("SafeText(%q, %d) has %d runes", tt.in, tt.max, n)
		}
	}
}
