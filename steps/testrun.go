package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/redact"
)

// TestPrompt is the tiny request of the test run.
const TestPrompt = "say ok"

// RunResult is the outcome of `opencode run "say ok" --model=openai/<model>`.
type RunResult struct {
	Pass     bool
	Model    string
	Duration time.Duration
	Tail     string // last lines of output, ANSI-stripped and redacted
	Err      string // safe, when !Pass
}

// TestRun sends the test request through OpenCode. ctx cancels it.
func TestRun(ctx context.Context, d Deps, model string) RunResult {
	if !strings.HasPrefix(model, "openai/") {
		model = "openai/" + model
	}
	start := d.Sys.Now()
	args := []string{"run", TestPrompt, "--model=" + model}
	if d.V2(ctx) {
		args = append(args, standalone)
	}
	res, err := d.opencode(ctx, d.Timeouts.Run, args...)
	r := RunResult{Model: model, Duration: d.Sys.Now().Sub(start)}
	r.Tail = Tail(string(res.Stdout)+"\n"+string(res.Stderr), 12, 2000)
	switch {
	case errors.Is(err, probe.ErrTimeout):
		r.Err = fmt.Sprintf("`opencode run` did not finish within %s", d.Timeouts.Run)
	case ctx.Err() != nil:
		r.Err = "cancelled"
	case err != nil:
		r.Err = "cannot run opencode: " + redact.String(err.Error())
	case res.ExitCode != 0:
		r.Err = fmt.Sprintf("`opencode run` failed (exit %d): %s", res.ExitCode, ErrorLine(res.Stderr, res.Stdout))
	case strings.TrimSpace(ansi.Strip(string(res.Stdout))) == "":
		r.Err = "`opencode run` exited 0 but printed no answer"
	default:
		r.Pass = true
	}
	return r
}

// spinnerOnly: a line that is only spinner frames (npm's |/-\, braille
// dots): leftovers of a redrawn line, not output (issue 15 item 14).
func spinnerOnly(l string) bool {
	l = strings.TrimSpace(l)
	for _, r := range l {
		if !strings.ContainsRune(`|/-\`, r) && (r < 0x2800 || r > 0x28FF) && r != ' ' {
			return false
		}
	}
	return l != ""
}
