package steps

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tailscale/hujson"

	"github.com/heidi-cli/heidi/probe"
)

// StaleConfigExplanation says why the plugin must go on OpenCode >= 1.1.11.
const StaleConfigExplanation = "OpenCode has ChatGPT Plus/Pro login built in since 1.1.11. The old " +
	probe.PluginName + " plugin and the provider.openai block its installer writes now hide or skew that " +
	"built-in login (newer OpenCode skips the plugin as deprecated, but its model presets still appear)."

// ConfigChange is one config file heidi rewrote.
type ConfigChange struct {
	Path    string
	Backup  string
	Removed []string // human descriptions of what was removed
}

// RemoveStaleConfig removes the plugin entries and the provider.openai block
// from every global config file that has them. Each file is backed up first
// (timestamped, checked byte for byte) and rewritten atomically; comments and
// everything else are kept.
func RemoveStaleConfig(report probe.ConfigReport, now time.Time) ([]ConfigChange, error) {
	var changes []ConfigChange
	for _, f := range report.Files {
		if len(f.PluginEntries) == 0 && !f.ProviderOpenAI {
			continue
		}
		if f.ParseError != "" {
			return changes, fmt.Errorf("%s is not valid JSONC (%s); fix it by hand, heidi will not rewrite it", f.Path, f.ParseError)
		}
		ch, err := removeFromFile(f.Path, now)
		if err != nil {
			return changes, err
		}
		if len(ch.Removed) > 0 {
			changes = append(changes, ch)
		}
	}
	return changes, nil
}

func removeFromFile(path string, now time.Time) (ConfigChange, error) {
	ch := ConfigChange{Path: path}
	info, err := os.Lstat(path)
	if err != nil {
		return ch, err
	}
	if !info.Mode().IsRegular() {
		return ch, fmt.Errorf("%s is not a regular file; heidi will not rewrite it", path)
	}
	if info.Size() > 1<<20 {
		return ch, fmt.Errorf("%s is larger than 1 MiB; heidi will not rewrite it", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ch, err
	}
	out, removed, err := StripStaleConfig(data)
	if err != nil {
		return ch, fmt.Errorf("%s: %w", path, err)
	}
	if len(removed) == 0 {
		return ch, nil
	}
	backup, err := Backup(path, now)
	if err != nil {
		return ch, err
	}
	ch.Backup = backup
	if err := WriteFileAtomic(path, out, info.Mode().Perm()); err != nil {
		return ch, err
	}
	ch.Removed = removed
	return ch, nil
}

// StripStaleConfig returns data without the plugin entries naming
// probe.PluginName and without provider.openai (dropping "provider" when it
// becomes empty). Comments and formatting elsewhere are kept.
func StripStaleConfig(data []byte) ([]byte, []string, error) {
	v, err := hujson.Parse(data)
	if err != nil {
		return nil, nil, errors.New("not valid JSONC")
	}
	var ops []map[string]any
	var removed []string
	if p := v.Find("/plugin"); p != nil {
		if arr, ok := p.Value.(*hujson.Array); ok {
			// Remove from the end so earlier indices stay valid.
			for i := len(arr.Elements) - 1; i >= 0; i-- {
				if name, ok := pluginSpec(arr.Elements[i]); ok && probe.IsPluginEntry(name) {
					ops = append(ops, map[string]any{"op": "remove", "path": "/plugin/" + strconv.Itoa(i)})
					removed = append(removed, fmt.Sprintf("plugin %q", name))
				}
			}
		}
	}
	if v.Find("/provider/openai") != nil {
		ops = append(ops, map[string]any{"op": "remove", "path": "/provider/openai"})
		removed = append(removed, "provider.openai block")
	}
	if len(ops) == 0 {
		return data, nil, nil
	}
	patch, _ := json.Marshal(ops)
	if err := v.Patch(patch); err != nil {
		return nil, nil, fmt.Errorf("cannot edit the config: %v", err)
	}
	if p := v.Find("/provider"); p != nil {
		if obj, ok := p.Value.(*hujson.Object); ok && len(obj.Members) == 0 {
			if err := v.Patch([]byte(`[{"op":"remove","path":"/provider"}]`)); err != nil {
				return nil, nil, fmt.Errorf("cannot edit the config: %v", err)
			}
		}
	}
	return v.Pack(), removed, nil
}

// pluginSpec reads a "plugin" element: "name@ver" or ["name@ver", {options}].
func pluginSpec(el hujson.Value) (string, bool) {
	switch t := el.Value.(type) {
	case hujson.Literal:
		var s string
		if json.Unmarshal(t, &s) == nil {
			return s, true
		}
	case *hujson.Array:
		if len(t.Elements) > 0 {
			return pluginSpec(t.Elements[0])
		}
	}
	return "", false
}

// PluginBackups checks that the plugin installer (which edits the config
// itself) left a backup of each config file that existed before it ran:
// one line per file, for the user to see.
func PluginBackups(before probe.ConfigReport, since time.Time) []string {
	var notes []string
	for _, f := range before.Files {
		matches, _ := filepath.Glob(f.Path + ".bak-*")
		newest := ""
		for _, m := range matches {
			if info, err := os.Stat(m); err == nil && !info.ModTime().Before(since.Add(-time.Second)) {
				newest = m
			}
		}
		if newest != "" {
			notes = append(notes, "The plugin installer backed up "+f.Path+" to "+newest+".")
		} else {
			notes = append(notes, "The plugin installer made no backup of "+f.Path+"; check the file.")
		}
	}
	return notes
}
