package steps

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/heidi-cli/heidi/probe"
)

// ClipboardCommand is the local clipboard tool for this session, or nil:
// pbcopy (macOS), clip.exe (Windows and WSL), wl-copy (Wayland), xclip or
// xsel (X11). Never over SSH: the clipboard there is the remote machine's,
// and OSC 52 is the only way to the user's own.
func ClipboardCommand(s probe.Sys) []string {
	env := func(k string) string {
		if s.Getenv == nil {
			return ""
		}
		return s.Getenv(k)
	}
	if env("SSH_CONNECTION") != "" || env("SSH_TTY") != "" || env("SSH_CLIENT") != "" {
		return nil
	}
	var cands [][]string
	switch {
	case s.GOOS == "darwin":
		cands = [][]string{{"pbcopy"}}
	case s.GOOS == "windows" || isWSL(s):
		cands = [][]string{{"clip.exe"}}
	case env("WAYLAND_DISPLAY") != "":
		cands = [][]string{{"wl-copy"}, {"xclip", "-selection", "clipboard"}, {"xsel", "--clipboard", "--input"}}
	case env("DISPLAY") != "":
		cands = [][]string{{"xclip", "-selection", "clipboard"}, {"xsel", "--clipboard", "--input"}}
	}
	for _, c := range cands {
		if s.LookPath == nil {
			return nil
		}
		if _, err := s.LookPath(c[0]); err == nil {
			return c
		}
	}
	return nil
}

// CopyNative puts text on the local clipboard with ClipboardCommand. It
// returns the tool used, or "" when there is none for this session.
func CopyNative(ctx context.Context, s probe.Sys, text string) (string, error) {
	argv := ClipboardCommand(s)
	if argv == nil {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(text)
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		return argv[0], fmt.Errorf("%s: %v", argv[0], err)
	}
	return argv[0], nil
}
