// Package steps holds the logic of each step of connecting OpenCode to a
// ChatGPT Plus/Pro subscription, free of any user interface: the wizard, the
// plain line mode and the HTTP server all call the same functions.
package steps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/redact"
)

// Timeouts bound every non-interactive OpenCode call. The defaults come from
// measurements of the real client (research/real-clients.md §9).
type Timeouts struct {
	Version time.Duration // opencode --version (~1 s)
	List    time.Duration // opencode auth list, method discovery (~2–4 s)
	Models  time.Duration // opencode models openai (~3–5 s)
	Run     time.Duration // opencode run (offline it retries ~70 s before failing)
	Npx     time.Duration // npx -y opencode-openai-codex-auth@latest
}

// DefaultTimeouts are the limits used unless --timeout says otherwise.
func DefaultTimeouts() Timeouts {
	return Timeouts{
		Version: 20 * time.Second,
		List:    45 * time.Second,
		Models:  45 * time.Second,
		Run:     2 * time.Minute,
		Npx:     90 * time.Second,
	}
}

// String is the defaults in words, for --timeout's help: one source for the
// code and the help text.
func (t Timeouts) String() string {
	return fmt.Sprintf("%s version, %s models and method list, %s test run", short(t.Version), short(t.Models), short(t.Run))
}

// short writes 20s, 2m, 1m30s (no zero units).
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// WithLimit sets every timeout to d (the --timeout flag).
func (t Timeouts) WithLimit(d time.Duration) Timeouts {
	if d <= 0 {
		return t
	}
	return Timeouts{Version: d, List: d, Models: d, Run: d, Npx: d}
}

// Deps is what every step needs from the outside world.
type Deps struct {
	Sys      probe.Sys
	Paths    probe.Paths
	Timeouts Timeouts
	line     *line // OpenCode 1 or 2, asked once (V2)
}

// NewDeps resolves paths for sys.
func NewDeps(sys probe.Sys) Deps {
	return Deps{Sys: sys, Paths: probe.ResolvePaths(sys), Timeouts: DefaultTimeouts(), line: &line{}}
}

// childEnv is added to the environment of every OpenCode call heidi makes:
// no self-update in the middle of a check.
var childEnv = []string{"OPENCODE_DISABLE_AUTOUPDATE=1"}

// opencode runs a non-interactive opencode command under its own timeout.
func (d Deps) opencode(ctx context.Context, timeout time.Duration, args ...string) (probe.Result, error) {
	return d.opencodeEnv(ctx, timeout, childEnv, args...)
}

func (d Deps) opencodeEnv(ctx context.Context, timeout time.Duration, env []string, args ...string) (probe.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return d.Sys.Run.Run(ctx, "opencode", args, env)
}

// noCatalogueEnv is childEnv for calls whose answer does not depend on the
// fresh model catalogue: OpenCode then skips its models.dev fetch, which on
// a network that drops packets holds `auth login -p openai -m <unknown>`
// for 81 s (11 s without it; measured with 1.18.33, docs/versions.md).
var noCatalogueEnv = append(append([]string{}, childEnv...), "OPENCODE_DISABLE_MODELS_FETCH=1")

// probeTool finds a tool and reads its version. Its error text quotes the
// tool's output, so it is redacted before anyone can show it.
func (d Deps) probeTool(ctx context.Context, name string, args ...string) probe.Tool {
	t := probe.ProbeTool(ctx, d.Sys, name, args, d.Timeouts.Version)
	t.Err = redact.String(t.Err)
	return t
}
