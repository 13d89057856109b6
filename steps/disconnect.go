package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/heidi-cli/heidi/probe"
)

// Disconnected is what `heidi disconnect opencode openai` did.
type Disconnected struct {
	Removed bool   // an OpenAI entry was removed
	How     string // "opencode auth logout openai", or heidi's own edit for releases without it
	Backup  string // the byte-checked copy of the store made first
	// Remaining are the other providers still in the store (names only);
	// Store names it ("auth.json", or OpenCode 2's database).
	Remaining []string
	Store     string
	Notes     []string
}

// Disconnect removes OpenCode's OpenAI credential: through OpenCode's own
// `auth logout openai` where the release has it (measured on 1.18.33:
// "┌  Remove credential" / "└  Logout successful", rc 0, the other entries
// kept, mode 600), else by removing the one entry itself, written
// atomically. Either way a timestamped, byte-checked backup comes first,
// and a broken, linked or env-provided store is not touched.
func Disconnect(ctx context.Context, d Deps) (Disconnected, error) {
	if d.V2(ctx) {
		return disconnectV2(ctx, d)
	}
	out := Disconnected{Store: "auth.json"}
	c := probe.InspectAuth(d.Sys, d.Paths)
	if c.EnvOverride {
		return out, fmt.Errorf("%s is set: OpenCode reads its credentials from that variable, not from auth.json; unset it to disconnect", probe.AuthContentEnv)
	}
	if d.Sys.Getenv != nil && d.Sys.Getenv("OPENAI_API_KEY") != "" {
		out.Notes = append(out.Notes, "OPENAI_API_KEY is set in your environment: OpenCode still uses it for OpenAI (an API key, billed per use, not your subscription)")
	}
	switch {
	case c.Problem == probe.StoreMissing || (c.Problem == probe.StoreOK && !c.Present):
		out.Remaining = without(c.Providers, "openai")
		return out, nil
	case c.Problem != probe.StoreOK:
		return out, fmt.Errorf("OpenCode's credential store cannot be changed safely: %s (heidi does not edit it; run %s to repair it first)", c.Detail, ConnectCommand)
	}
	b, err := Backup(c.Path, d.Sys.Now())
	if err != nil {
		return out, err
	}
	out.Backup = b

	if d.logoutTakesProvider(ctx) {
		res, err := d.opencode(ctx, d.Timeouts.List, "auth", "logout", "openai")
		if err == nil && res.ExitCode == 0 {
			if after := probe.InspectAuth(d.Sys, d.Paths); after.Problem == probe.StoreOK && !after.Present || after.Problem == probe.StoreMissing {
				out.Removed, out.How = true, "opencode auth logout openai"
				out.Remaining = without(after.Providers, "openai")
				return out, nil
			}
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	// This release's logout only asks in a menu: remove the entry itself.
	if err := removeEntry(c.Path, "openai"); err != nil {
		return out, err
	}
	after := probe.InspectAuth(d.Sys, d.Paths)
	if after.Present {
		return out, errors.New("the OpenAI entry is still in auth.json after removing it")
	}
	out.Removed, out.How = true, "heidi removed the openai entry (this OpenCode's logout only asks in a menu)"
	out.Remaining = without(after.Providers, "openai")
	return out, nil
}

// logoutTakesProvider: `opencode auth logout [provider]` (1.18.33 has it;
// 1.14.41 and older only ask in a menu).
func (d Deps) logoutTakesProvider(ctx context.Context) bool {
	res, err := d.opencode(ctx, d.Timeouts.Version, "auth", "logout", "--help")
	if err != nil {
		return false
	}
	return strings.Contains(string(res.Stdout)+string(res.Stderr), "auth logout [provider]")
}

func without(names []string, drop string) []string {
	var out []string
	for _, n := range names {
		if n != drop {
			out = append(out, n)
		}
	}
	return out
}

// removeEntry rewrites the JSON object at path without key, keeping the
// other entries in their order, in OpenCode's own layout (2-space indent,
// no trailing newline, mode 600), atomically.
func removeEntry(path, key string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("%s is not a JSON object; nothing was changed", path)
	}
	var buf bytes.Buffer
	buf.WriteString("{")
	n := 0
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("cannot read %s: %w; nothing was changed", path, err)
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("cannot read %s: %w; nothing was changed", path, err)
		}
		if k == key {
			continue
		}
		var ind bytes.Buffer
		if err := json.Indent(&ind, v, "  ", "  "); err != nil {
			return fmt.Errorf("cannot read %s: %w; nothing was changed", path, err)
		}
		kb, _ := json.Marshal(k)
		if n > 0 {
			buf.WriteString(",")
		}
		buf.WriteString("\n  ")
		buf.Write(kb)
		buf.WriteString(": ")
		buf.Write(ind.Bytes())
		n++
	}
	if n > 0 {
		buf.WriteString("\n")
	}
	buf.WriteString("}")
	return WriteFileAtomic(path, buf.Bytes(), 0o600)
}

// disconnectV2 logs out every ChatGPT credential of OpenCode 2's OpenAI
// integration, by id (`auth logout openai <id>`: without a terminal it
// must be named; logout.ts), after a byte-checked copy of its database.
// API keys and OPENAI_API_KEY are not touched.
func disconnectV2(ctx context.Context, d Deps) (Disconnected, error) {
	out := Disconnected{Store: "OpenCode 2's database"}
	list := func() ([]probe.V2Connection, error) {
		res, err := d.opencode(ctx, d.Timeouts.List, "auth", "list", "--format", "json", standalone)
		if err != nil {
			return nil, err
		}
		if res.ExitCode != 0 {
			return nil, fmt.Errorf("`opencode auth list` failed (exit %d): %s", res.ExitCode, ErrorLine(res.Stderr, res.Stdout))
		}
		return probe.V2OpenAIConnections(res.Stdout)
	}
	conns, err := list()
	if err != nil {
		return out, err
	}
	var ids []string
	for _, c := range conns {
		switch {
		case c.Type == "credential" && c.Method == "oauth":
			ids = append(ids, c.ID)
		case c.Type == "env":
			out.Notes = append(out.Notes, c.Name+" is set in your environment: OpenCode still uses it for OpenAI (an API key, billed per use, not your subscription)")
		case c.Type == "credential":
			out.Remaining = append(out.Remaining, "openai ("+c.Label+", an API key)")
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	db := V2DBPath(d.Paths)
	if _, err := os.Lstat(db); err == nil {
		b, err := Backup(db, d.Sys.Now())
		if err != nil {
			return out, err
		}
		out.Backup = b
	}
	for _, id := range ids {
		res, err := d.opencode(ctx, d.Timeouts.List, "auth", "logout", "openai", id, standalone)
		if err != nil {
			return out, err
		}
		if res.ExitCode != 0 {
			return out, fmt.Errorf("`opencode auth logout openai %s` failed (exit %d): %s", id, res.ExitCode, ErrorLine(res.Stderr, res.Stdout))
		}
	}
	after, err := list()
	if err != nil {
		return out, err
	}
	for _, c := range after {
		if c.Type == "credential" && c.Method == "oauth" {
			return out, errors.New("a ChatGPT credential is still in OpenCode 2 after logging it out")
		}
	}
	out.Removed, out.How = true, "opencode auth logout openai <credential> (OpenCode 2)"
	return out, nil
}
