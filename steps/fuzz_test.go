package steps

import (
	"strings"
	"testing"

	"github.com/tailscale/hujson"

	"github.com/heidi-cli/heidi/probe"
)

// FuzzStripStaleConfig: the config repair never panics, and whatever it
// writes is still valid JSONC with no stale plugin entry left in "plugin".
func FuzzStripStaleConfig(f *testing.F) {
	for _, seed := range []string{
		pluginConfig,
		`{}`,
		`{"plugin":["opencode-openai-codex-auth@1.2.3"]}`,
		`{"plugin":[["opencode-openai-codex-auth",{"a":1}],"x"],"provider":{"openai":{},"anthropic":{}}}`,
		"{\n// c\n\"plugin\": [\"a\", /* b */ \"opencode-openai-codex-auth\",],\n}",
		`{"provider":"openai"}`,
		`[1,2,3]`,
		`{ broken`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		out, removed, err := StripStaleConfig(data)
		if err != nil || len(removed) == 0 {
			return
		}
		if _, err := hujson.Parse(out); err != nil {
			t.Fatalf("repair produced invalid JSONC: %v\n%s", err, out)
		}
		cfg := probe.ParseConfig(out)
		if len(cfg.PluginEntries) > 0 && cfg.ParseError == "" {
			t.Fatalf("stale plugin entries left: %q\n%s", cfg.PluginEntries, out)
		}
		if strings.Count(string(out), "\n") > strings.Count(string(data), "\n") {
			t.Fatalf("the repair added lines:\n%s", out)
		}
	})
}
