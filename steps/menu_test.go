package steps

import "testing"

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
	if k := d.Next(providerMenu); k != keyDown+keyEnter {
		t.Fatalf("provider menu: %q", k)
	}
	if k := d.Next(providerMenu); k != "" {
		t.Fatalf("acted twice on the same screen: %q", k)
	}
	if k := d.Next(methodMenu); k != keyEnter || d.Picked != "ChatGPT Pro/Plus (browser)" || !d.Done {
		t.Fatalf("method menu: %q picked %q", k, d.Picked)
	}
}

func TestMenuDriverSearchesWhenOpenAIIsNotVisible(t *testing.T) {
	d := &MenuDriver{Kind: MethodDevice}
	hidden := `◆  Select provider
│  Search: _
│  ● OpenCode Zen (recommended)
│  ○ Anthropic
└`
	if k := d.Next(hidden); k != "openai" {
		t.Fatalf("did not search: %q", k)
	}
	if k := d.Next(providerSearched); k != keyEnter {
		t.Fatalf("searched menu: %q", k)
	}
	if k := d.Next(methodMenu); k != keyDown+keyEnter || d.Picked != "ChatGPT Pro/Plus (headless)" {
		t.Fatalf("method menu: %q picked %q", k, d.Picked)
	}
}

func TestMenuDriverPluginLabels(t *testing.T) {
	d := &MenuDriver{Kind: MethodBrowser}
	plugin := `◇  Select provider
│  OpenAI
│
◆  Login method
│  ○ Manually enter API Key
│  ● ChatGPT Plus/Pro (Manual URL Paste)
│  ○ ChatGPT Plus/Pro (Codex Subscription)
└`
	if k := d.Next(plugin); k != keyDown+keyEnter || d.Picked != "ChatGPT Plus/Pro (Codex Subscription)" {
		t.Fatalf("plugin menu: %q picked %q", k, d.Picked)
	}
}

func TestMenuDriverAPIKeyOnly(t *testing.T) {
	d := &MenuDriver{Kind: MethodBrowser}
	apiOnly := "◇  Select provider\n│  OpenAI\n│\n◆  Enter your API key\n│  _\n└"
	if k := d.Next(apiOnly); k != "" || d.Fail == "" || d.Done {
		t.Fatalf("keys %q, fail %q", k, d.Fail)
	}
}
