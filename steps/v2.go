package steps

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/redact"
)

// OpenCode 2 (npm @opencode/cli, and what the curl installer now gives) is
// a new CLI under the same name. What heidi uses of it was read from its
// source, anomalyco/opencode (packages/cli/src/commands/commands.ts at
// 0720c006, handlers/auth/{login,list,shared}.ts at 0cf6dc2d/9bf98793,
// handlers/models.ts at 89092562, packages/core/src/plugin/provider/
// openai.ts at 046ce550; docs/versions.md):
//   - `--version` prints "opencode v2.0.17";
//   - `auth login <target> --method <id>` (no -p/-m), ids chatgpt-browser,
//     chatgpt-headless, key; an unknown id answers "Authentication method
//     not found: <x>. Available: <ids>";
//   - credentials live in its database; `auth list --format json` lists
//     them; auth.json is imported once, then ignored;
//   - `models` takes no provider;
//   - every command talks to a background service that outlives it unless
//     --standalone, which runs a private server that ends with the command
//     (and with it the login's callback listener on 1455). heidi passes
//     --standalone to every call, so it never leaves a service behind.

// line caches which CLI line the `opencode` on PATH is, once a version
// was read (a call cancelled before it answers decides nothing).
type line struct {
	mu    sync.Mutex
	known bool
	v2    bool
}

// V2 reports whether the `opencode` on PATH is OpenCode 2, asking it once.
func (d Deps) V2(ctx context.Context) bool {
	if d.line == nil {
		return false
	}
	d.line.mu.Lock()
	defer d.line.mu.Unlock()
	if !d.line.known {
		t := d.openCodeTool(ctx)
		d.line.v2 = t.Found && t.Version.CredentialDB()
		d.line.known = t.Found && ctx.Err() == nil
	}
	return d.line.v2
}

// knowLine records the line from a version already read.
func (d Deps) knowLine(t probe.Tool) {
	if d.line == nil || !t.Found {
		return
	}
	d.line.mu.Lock()
	defer d.line.mu.Unlock()
	d.line.known, d.line.v2 = true, t.Version.CredentialDB()
}

// v2Methods are OpenCode 2's OpenAI login method ids (openai.ts at
// 046ce550; the API key method is sorted last, shared.ts).
var v2Methods = []string{"chatgpt-browser", "chatgpt-headless", "key"}

const standalone = "--standalone"

// LoginArgsFor is the login command for a method: OpenCode 1's -p/-m
// label, or OpenCode 2's --method id; an empty method means the menus.
func LoginArgsFor(v2 bool, method string) []string {
	if !v2 {
		return LoginArgs(method)
	}
	if method == "" {
		return []string{"auth", "login", "openai", standalone}
	}
	return []string{"auth", "login", "openai", "--method", method, standalone}
}

// V2DBPath is OpenCode 2's database, beside where auth.json was.
func V2DBPath(p probe.Paths) string {
	return filepath.Join(filepath.Dir(p.AuthFile), "opencode.db")
}

// InspectCred describes the OpenAI credential OpenCode uses: auth.json for
// OpenCode 1, `auth list --format json` for OpenCode 2.
func (d Deps) InspectCred(ctx context.Context) probe.Credential {
	if !d.V2(ctx) {
		return probe.InspectAuth(d.Sys, d.Paths)
	}
	return d.inspectV2(ctx)
}

func (d Deps) inspectV2(ctx context.Context) probe.Credential {
	db := V2DBPath(d.Paths)
	res, err := d.opencode(ctx, d.Timeouts.List, "auth", "list", "--format", "json", standalone)
	switch {
	case err != nil:
		return probe.Credential{Source: probe.SourceAuthList, Path: db, Problem: probe.StoreUnreadable,
			Detail: "`opencode auth list` could not run: " + redact.String(err.Error())}
	case res.ExitCode != 0:
		return probe.Credential{Source: probe.SourceAuthList, Path: db, Problem: probe.StoreUnreadable,
			Detail: fmt.Sprintf("`opencode auth list` failed (exit %d): %s", res.ExitCode, ErrorLine(res.Stderr, res.Stdout))}
	}
	c, err := probe.ParseV2AuthList(res.Stdout, db)
	if err != nil {
		c.Problem, c.Detail = probe.StoreUnreadable, err.Error()
		return c
	}
	if !c.Present {
		c.Problem = probe.StoreMissing
	}
	return c
}

// listModelsV2 runs `opencode models` (OpenCode 2 takes no provider) and
// keeps the openai/ lines.
func listModelsV2(ctx context.Context, d Deps) ([]string, error) {
	const cmd = "`opencode models`"
	res, err := d.opencode(ctx, d.Timeouts.Models, "models", standalone)
	if err != nil {
		if errors.Is(err, probe.ErrTimeout) {
			return nil, fmt.Errorf("%s did not answer within %s", cmd, d.Timeouts.Models)
		}
		return nil, fmt.Errorf("%s could not run: %s", cmd, redact.String(err.Error()))
	}
	models := ParseModels(string(res.Stdout))
	if res.ExitCode != 0 {
		return models, fmt.Errorf("%s failed (exit %d): %s", cmd, res.ExitCode, ErrorLine(res.Stderr, res.Stdout))
	}
	if len(models) == 0 {
		return nil, fmt.Errorf("%s listed no OpenAI models", cmd)
	}
	return models, nil
}

// v2NotFoundRe is OpenCode 2's answer to an unknown method id (shared.ts
// resolveMethod at 9bf98793).
var v2NotFoundRe = lazyRE(`Authentication method not found: [^\n]*?\. Available: ([^\n]+)`)

// v2Login is what OpenCode 2's login prints when it ends (login.ts at
// 0cf6dc2d): "◆  Connected to OpenAI", or "■  <why>" then "└  Failed",
// or "└  Cancelled" on an interrupt.
var v2FailRe = lazyRE(`(?m)^■\s+(.+)$`)

func parseV2Login(t string, p *LoginProgress) {
	if !strings.Contains(t, "Connect an integration") { // OpenCode 2's intro
		return
	}
	if strings.Contains(t, "Connected to OpenAI") {
		p.Success = true
	}
	if strings.Contains(t, "└  Cancelled") {
		p.Cancelled = true
	}
	if m := v2FailRe().FindAllStringSubmatch(t, -1); m != nil && p.Error == "" {
		p.Error = shorten(strings.TrimSpace(m[len(m)-1][1]), 200)
	}
}
