package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/heidi-cli/heidi/probe"
)

func run(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, probe.Sys{})
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"--version"}, ExitOK, "heidi "},
		{[]string{"--help"}, ExitOK, "connect"},
		{[]string{"connect", "--help"}, ExitOK, "status"},
		{[]string{"completion", "bash"}, ExitOK, "bash completion"},
		{[]string{"nosuch"}, ExitUsage, ""},
		{[]string{"connect", "status", "--nosuch"}, ExitUsage, ""},
		{[]string{"connect", "status", "extra"}, ExitUsage, ""},
		{[]string{"connect", "opencode", "openai", "--headless", "--browser"}, ExitUsage, ""},
		{[]string{"connect", "opencode", "openai", "--timeout", "soon"}, ExitUsage, ""},
		// An unknown provider or tool is a usage error (issue 15 item 15).
		{[]string{"connect", "opencode", "anthropic"}, ExitUsage, ""},
		{[]string{"connect", "claude"}, ExitUsage, ""},
		{[]string{"connect", "opencode"}, ExitOK, "openai"},
	}
	for _, c := range cases {
		code, out, errOut := run(c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, c.code, errOut)
		}
		if c.out != "" && !strings.Contains(out, c.out) {
			t.Errorf("%v: stdout lacks %q:\n%s", c.args, c.out, out)
		}
		if c.args[len(c.args)-1] == "anthropic" && !strings.Contains(errOut, "heidi connect opencode openai") {
			t.Errorf("%v: does not name the supported provider: %q", c.args, errOut)
		}
		if c.code == ExitUsage && !strings.Contains(errOut, "heidi --help") {
			t.Errorf("%v: a usage error does not point to --help: %q", c.args, errOut)
		}
	}
}

func TestStatusLine(t *testing.T) {
	if StatusLine(true) != "OpenCode: OpenAI (ChatGPT Plus/Pro) CONNECTED" || StatusLine(false) != "OpenCode: OpenAI (ChatGPT Plus/Pro) NOT CONNECTED" {
		t.Fatal("status lines changed")
	}
}

func TestGuardRepo(t *testing.T) {
	repo := t.TempDir()
	if err := mkdirAll(repo + "/.git"); err != nil {
		t.Fatal(err)
	}
	sys := probe.Sys{Getenv: func(string) string { return "" }}
	err := guardRepo(sys, probe.Paths{Data: repo + "/home/.local/share/opencode", HeidiHome: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "git work tree") {
		t.Fatalf("err = %v", err)
	}
	sys.Getenv = func(k string) string {
		if k == "HEIDI_ALLOW_REPO" {
			return "1"
		}
		return ""
	}
	if err := guardRepo(sys, probe.Paths{Data: repo + "/x"}); err != nil {
		t.Fatalf("override ignored: %v", err)
	}
}

func mkdirAll(p string) error { return os.MkdirAll(p, 0o755) }
