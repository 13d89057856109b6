package steps

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/heidi-cli/heidi/probe"
)

// BrowserCommand returns the command that opens url: $BROWSER first (a
// colon-separated list whose entries may contain %s, as xdg-utils reads it),
// then the platform's opener.
func BrowserCommand(s probe.Sys, url string) ([]string, error) {
	if b := s.Getenv("BROWSER"); b != "" {
		for _, entry := range strings.Split(b, ":") {
			fields := strings.Fields(entry)
			if len(fields) == 0 {
				continue
			}
			if _, err := s.LookPath(fields[0]); err != nil {
				continue
			}
			replaced := false
			for i, f := range fields {
				if strings.Contains(f, "%s") {
					fields[i] = strings.ReplaceAll(f, "%s", url)
					replaced = true
				}
			}
			if !replaced {
				fields = append(fields, url)
			}
			return fields, nil
		}
	}
	var argv []string
	switch s.GOOS {
	case "darwin":
		argv = []string{"open", url}
	case "windows":
		argv = []string{"rundll32", "url.dll,FileProtocolHandler", url}
	default:
		argv = []string{"xdg-open", url}
		// WSL: the browser is Windows's. wslu's wslview opens it (gh's
		// cli/browser does the same); xdg-open there usually has no browser.
		if isWSL(s) {
			if _, err := s.LookPath("wslview"); err == nil {
				argv = []string{"wslview", url}
			}
		}
	}
	if _, err := s.LookPath(argv[0]); err != nil {
		return nil, fmt.Errorf("no browser opener found (%s is not installed and $BROWSER is not set)", argv[0])
	}
	return argv, nil
}

func isWSL(s probe.Sys) bool {
	if s.GOOS != "linux" {
		return false
	}
	if s.Getenv != nil && s.Getenv("WSL_DISTRO_NAME") != "" {
		return true
	}
	if s.ProcVersion != nil {
		v := strings.ToLower(s.ProcVersion())
		return strings.Contains(v, "microsoft") || strings.Contains(v, "wsl")
	}
	return false
}

// OpenBrowser opens url in the user's browser and waits (briefly) for the
// opener to return.
func OpenBrowser(ctx context.Context, s probe.Sys, url string) error {
	argv, err := BrowserCommand(s, url)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("%s exited with status %d", argv[0], ee.ExitCode())
		}
		return fmt.Errorf("%s: %v", argv[0], err)
	}
	return nil
}
