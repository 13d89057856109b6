package steps

import (
	"strings"
	"testing"
)

// Screens as OpenCode 1.18.33 draws them (research/real-clients.md §2).
const providerMenu = `
┌  Add credential
│
◆  Select provider

│  Search: _
│  ● OpenCode Zen (recommended)
│  ○ OpenAI
│  ○ GitHub Copilot
│  ○ Google
│  ↑/↓ to select • Enter: confirm • Type: to search
└`

const providerSearched = `
┌  Add credential
│
◆  Select provider

│  Search: openai (1 match)
│  ● OpenAI (ChatGPT Plus/Pro or API key)
│  ↑/↓ to select • Enter: confirm • Type: to search
└`

const methodMenu = `
┌  Add credential
│
◇  Select provider
│  OpenAI
│
◆  Login method
│  ● ChatGPT Pro/Plus (browser)
│  ○ ChatGPT Pro/Plus (headless)
│  ○ Manually enter API Key
└`

func TestMenuDriverBrowser(t *testing.T) {
	d := &MenuDriver{Kind: MethodBrowser}
	if k := d.Next("┌  Add credential\n│\n"); k != "" {
		t.Fatalf("keys before any prompt: %q", k)
	}
	if k := d.Next(providerMenu); k != "openai" {
		t.Fatalf("provider menu: %q, want the search text", k)
	}
	// A redraw while the search text is being typed is not answered.
	partial := strings.Replace(providerMenu, "Search: _", "Search: op_", 1)
	if k := d.Next(partial); k != "" {
		t.Fatalf("answered a half-typed search: %q", k)
	}
	if k := d.Next(providerSearched); k != keyEnter {
		t.Fatalf("searched menu: %q", k)
	}
	if k := d.Next(providerSearched + " "); k != "" {
		t.Fatalf("answered the provider menu twice: %q", k)
	}
	if k := d.Next(methodMenu); k != keyEnter || d.Picked != "ChatGPT Pro/Plus (browser)" || !d.Done {
		t.Fatalf("method menu: %q picked %q", k, d.Picked)
	}
}

// Releases whose provider menu has no search: arrows, then Enter only when a
// redraw shows OpenAI highlighted; the redraws on the way are not answered.
func TestMenuDriverArrowsWithoutSearch(t *testing.T) {
	d := &MenuDriver{Kind: MethodDevice}
	menu := func(hl int) string {
		rows := []string{"OpenCode Zen", "Anthropic", "GitHub Copilot", "OpenAI", "Google"}
		out := "◆  Select provider\n"
		for i, r := range rows {
			mark := "○"
			if i == hl {
				mark = "●"
			}
			out += "│  " + mark + " " + r + "\n"
		}
		return out + "└"
	}
	if k := d.Next(menu(0)); k != keyDown+keyDown+keyDown {
		t.Fatalf("first screen: %q", k)
	}
	for hl := 1; hl <= 2; hl++ {
		if k := d.Next(menu(hl)); k != "" {
			t.Fatalf("answered an intermediate redraw (row %d): %q", hl, k)
		}
	}
	if k := d.Next(menu(3)); k != keyEnter {
		t.Fatalf("OpenAI highlighted: %q", k)
	}
	if k := d.Next(methodMenu); k != keyDown || d.Done {
		t.Fatalf("method menu: %q", k)
	}
	moved := strings.Replace(strings.Replace(methodMenu, "● ChatGPT Pro/Plus (browser)", "○ ChatGPT Pro/Plus (browser)", 1), "○ ChatGPT Pro/Plus (headless)", "● ChatGPT Pro/Plus (headless)", 1)
	if k := d.Next(moved); k != keyEnter || d.Picked != "ChatGPT Pro/Plus (headless)" {
		t.Fatalf("after moving: %q picked %q", k, d.Picked)
	}
}

func TestMenuDriverPluginLabels(t *testing.T) {
	d := &MenuDriver{Kind: MethodBrowser, providerDone: true}
	plugin := `◇  Select provider
│  OpenAI
│
◆  Login method
│  ○ Manually enter API Key
│  ● ChatGPT Plus/Pro (Manual URL Paste)
│  ○ ChatGPT Plus/Pro (Codex Subscription)
└`
	if k := d.Next(plugin); k != keyDown || d.Done {
		t.Fatalf("plugin menu: %q", k)
	}
	moved := strings.Replace(strings.Replace(plugin, "● ChatGPT Plus/Pro (Manual", "○ ChatGPT Plus/Pro (Manual", 1), "○ ChatGPT Plus/Pro (Codex", "● ChatGPT Plus/Pro (Codex", 1)
	if k := d.Next(moved); k != keyEnter || d.Picked != "ChatGPT Plus/Pro (Codex Subscription)" {
		t.Fatalf("after moving: %q picked %q", k, d.Picked)
	}
}

func TestMenuDriverAPIKeyOnly(t *testing.T) {
	d := &MenuDriver{Kind: MethodBrowser, providerDone: true}
	apiOnly := "◇  Select provider\n│  OpenAI\n│\n◆  Enter your API key\n│  _\n└"
	if k := d.Next(apiOnly); k != "" || d.Fail == "" || d.Done {
		t.Fatalf("keys %q, fail %q", k, d.Fail)
	}
}
