package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// home is os.homedir() as Bun computes it: $HOME (on Windows %USERPROFILE%).
func home() string {
	if runtime.GOOS == "windows" {
		if h := env("USERPROFILE"); h != "" {
			return h
		}
	}
	if h := env("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

func xdg(name, def string) string {
	if v := env(name); v != "" {
		return v
	}
	return filepath.Join(home(), def)
}

func dataDir() string   { return filepath.Join(xdg("XDG_DATA_HOME", ".local/share"), "opencode") }
func configDir() string { return filepath.Join(xdg("XDG_CONFIG_HOME", ".config"), "opencode") }
func cacheDir() string  { return filepath.Join(xdg("XDG_CACHE_HOME", ".cache"), "opencode") }
func stateDir() string  { return filepath.Join(xdg("XDG_STATE_HOME", ".local/state"), "opencode") }
func authPath() string  { return filepath.Join(dataDir(), "auth.json") }

func tmpDir() string {
	t := env("TMPDIR")
	if t == "" {
		t = "/tmp"
	}
	if len(t) > 1 {
		t = strings.TrimRight(t, "/")
	}
	return filepath.Join(t, "opencode")
}

// ensureDirs creates the directories every real opencode command creates on
// start (measured after `opencode --version` on a fresh HOME).
func ensureDirs() {
	for _, d := range []string{
		filepath.Join(cacheDir(), "bin"), configDir(),
		filepath.Join(dataDir(), "log"), filepath.Join(dataDir(), "repos"), stateDir(),
	} {
		_ = os.MkdirAll(d, 0o755)
	}
}

// ensureDefaultConfig reproduces what `models`, `run` and `login` do when no
// global config exists: write opencode.jsonc with just $schema, plus a
// .gitignore. An existing config.json/opencode.json/opencode.jsonc is left alone.
func ensureDefaultConfig() {
	dir := configDir()
	for _, n := range []string{"config.json", "opencode.json", "opencode.jsonc"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return
		}
	}
	_ = os.MkdirAll(dir, 0o755)
	_ = os.WriteFile(filepath.Join(dir, "opencode.jsonc"), []byte("{\n  \"$schema\": \"https://opencode.ai/config.json\"\n}"), 0o644)
	gi := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(gi); err != nil {
		_ = os.WriteFile(gi, []byte("node_modules\npackage.json\npackage-lock.json\nbun.lock\n.gitignore"), 0o644)
	}
}

// tildify mirrors `C.startsWith(home) ? C.replace(home, "~") : C` (a plain
// string prefix test, exactly as the real client does).
func tildify(p string) string {
	h := home()
	if h != "" && strings.HasPrefix(p, h) {
		return "~" + p[len(h):]
	}
	return p
}

func debugPaths() int {
	rows := [][2]string{
		{"home", home()},
		{"data", dataDir()},
		{"bin", filepath.Join(cacheDir(), "bin")},
		{"log", filepath.Join(dataDir(), "log")},
		{"repos", filepath.Join(dataDir(), "repos")},
		{"cache", cacheDir()},
		{"config", configDir()},
		{"state", stateDir()},
		{"tmp", tmpDir()},
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%-10s %s\n", r[0], r[1])
	}
	os.Stdout.WriteString(b.String())
	return 0
}

// ---- config ----------------------------------------------------------------

// globalConfig merges the global config files the way the real client layers
// them (config.json, opencode.json, opencode.jsonc, then OPENCODE_CONFIG, then
// OPENCODE_CONFIG_CONTENT). Project-level configs are not read by the fake.
func globalConfig() map[string]any {
	out := map[string]any{}
	files := []string{
		filepath.Join(configDir(), "config.json"),
		filepath.Join(configDir(), "opencode.json"),
		filepath.Join(configDir(), "opencode.jsonc"),
	}
	if p := env("OPENCODE_CONFIG"); p != "" {
		files = append(files, p)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if m, ok := parseJSONC(b).(map[string]any); ok {
			deepMerge(out, m)
		}
	}
	if c := env("OPENCODE_CONFIG_CONTENT"); c != "" {
		if m, ok := parseJSONC([]byte(c)).(map[string]any); ok {
			deepMerge(out, m)
		}
	}
	return out
}

func deepMerge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				deepMerge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// configProvider returns provider.<id> from the config, if present.
func configProvider(cfg map[string]any, id string) (map[string]any, bool) {
	prov, _ := cfg["provider"].(map[string]any)
	p, ok := prov[id].(map[string]any)
	return p, ok
}

// parseJSONC parses JSON with // and /* */ comments and trailing commas.
func parseJSONC(b []byte) any {
	var out bytes.Buffer
	inStr, esc := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inStr {
			out.WriteByte(c)
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		if c == '"' {
			inStr = true
			out.WriteByte(c)
			continue
		}
		if c == '/' && i+1 < len(b) && b[i+1] == '/' {
			for i < len(b) && b[i] != '\n' {
				i++
			}
			out.WriteByte('\n')
			continue
		}
		if c == '/' && i+1 < len(b) && b[i+1] == '*' {
			i += 2
			for i+1 < len(b) && !(b[i] == '*' && b[i+1] == '/') {
				i++
			}
			i++
			continue
		}
		out.WriteByte(c)
	}
	// drop trailing commas before } or ]
	s := out.Bytes()
	var clean bytes.Buffer
	inStr, esc = false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inStr {
			clean.WriteByte(c)
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		if c == '"' {
			inStr = true
		}
		if c == ',' {
			j := i + 1
			for j < len(s) && (s[j] == ' ' || s[j] == '\n' || s[j] == '\t' || s[j] == '\r') {
				j++
			}
			if j < len(s) && (s[j] == '}' || s[j] == ']') {
				continue
			}
		}
		clean.WriteByte(c)
	}
	var v any
	if err := json.Unmarshal(clean.Bytes(), &v); err != nil {
		return nil
	}
	return v
}
