package main

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
)

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// localeLess approximates String.prototype.localeCompare for model ids.
func localeLess(a, b string) bool {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	if la != lb {
		return la < lb
	}
	return a > b // ICU puts lower case first
}

// openaiAuth reports how OpenAI is configured: "oauth", "api" (store or
// OPENAI_API_KEY), "config" (only a provider.openai block) or "".
func openaiAuth(cfg map[string]any) string {
	if isV2() { // its database, not auth.json
		return v2OpenAIAuth()
	}
	all := readAuth()
	if v, ok := all.get("openai"); ok {
		if t := entryType(v); t == "oauth" {
			return "oauth"
		}
		return "api"
	}
	if os.Getenv("OPENAI_API_KEY") != "" {
		return "api"
	}
	if _, ok := configProvider(cfg, "openai"); ok {
		return "config"
	}
	return ""
}

// providerModels returns the sorted model ids (without the provider prefix)
// the real client lists, or ok=false for "Provider not found".
func providerModels(id string, cfg map[string]any) (ids []string, ok bool) {
	switch id {
	case "opencode":
		for _, l := range lines(asset("data/models-opencode.txt")) {
			ids = append(ids, strings.TrimPrefix(l, "opencode/"))
		}
		return ids, true
	case "openai":
		how := openaiAuth(cfg)
		if how == "" {
			return nil, false
		}
		src := "data/models-openai-api.txt"
		switch {
		case how == "oauth" && isV2():
			// OpenCode 2 gates a ChatGPT login to these (openai.ts at 046ce550).
			src = "data/models-openai-oauth-v2.txt"
		case how == "oauth":
			src = "data/models-openai-oauth.txt"
		}
		seen := map[string]bool{}
		for _, l := range lines(asset(src)) {
			m := strings.TrimPrefix(l, "openai/")
			seen[m] = true
			ids = append(ids, m)
		}
		// models defined in config are added unfiltered
		if p, ok := configProvider(cfg, "openai"); ok {
			if ms, ok := p["models"].(map[string]any); ok {
				for m := range ms {
					if !seen[m] {
						seen[m] = true
						ids = append(ids, m)
					}
				}
			}
		}
		sort.SliceStable(ids, func(i, j int) bool { return localeLess(ids[i], ids[j]) })
		return ids, true
	}
	// Any other provider: configured when it has a stored credential, an env
	// key or a config block; the fake knows no catalogue for it (prints none).
	if _, ok := readAuth().get(id); ok {
		return nil, true
	}
	if _, ok := configProvider(cfg, id); ok {
		return nil, true
	}
	for _, p := range catalog() {
		if p.id == id {
			for _, e := range p.env {
				if os.Getenv(e) != "" {
					return nil, true
				}
			}
		}
	}
	return nil, false
}

func modelsCmd(a cliArgs) int {
	ensureDefaultConfig()
	switch env("FAKE_OPENCODE_MODELS") {
	case "hang":
		hangForever()
	case "fail":
		unknownError()
		return 1
	case "empty":
		return 0
	}
	if a.has("refresh") {
		// The real one spends ~52 s offline and then claims success anyway.
		uiPrintln("\x1b[92m\x1b[1m" + "Models cache refreshed" + styleNormal)
	}
	cfg := globalConfig()
	print := func(id string, ids []string) {
		var b strings.Builder
		for _, m := range ids {
			b.WriteString(id + "/" + m + "\n")
			if a.has("verbose") {
				j, _ := json.MarshalIndent(map[string]any{"id": m, "providerID": id, "name": m}, "", "  ")
				b.Write(j)
				b.WriteString("\n")
			}
		}
		os.Stdout.WriteString(b.String())
	}
	if len(a.pos) > 0 {
		id := a.pos[0]
		ids, ok := providerModels(id, cfg)
		if !ok {
			errorLine("Provider not found: " + id)
			return 1
		}
		print(id, ids)
		return 0
	}
	for _, id := range []string{"opencode", "openai"} {
		if ids, ok := providerModels(id, cfg); ok {
			print(id, ids)
		}
	}
	return 0
}
