package steps

import (
	"context"
	"sync"

	"github.com/heidi-cli/heidi/probe"
)

// Prereqs is what the first step finds.
type Prereqs struct {
	GOOS                            string // the OS the hints are for
	OpenCode, Node, Npx, Npm, Codex probe.Tool
	Headless                        probe.Headless
	Ports                           []probe.PortStatus
	Cred                            probe.Credential
	Config                          probe.ConfigReport
	Hostname                        string
}

// NeedsPlugin reports whether this OpenCode predates the built-in ChatGPT
// login, so the opencode-openai-codex-auth plugin must provide it.
func (p Prereqs) NeedsPlugin() bool {
	return p.OpenCode.Found && !p.OpenCode.Version.IsZero() && !p.OpenCode.Version.BuiltinChatGPT()
}

// StaleConfig reports whether the config carries the old plugin or a
// provider.openai override on an OpenCode that has the login built in.
func (p Prereqs) StaleConfig() bool {
	return !p.NeedsPlugin() && (p.Config.StalePlugin() || p.Config.ProviderOverride())
}

// BusyPorts lists the login callback ports that are taken.
func (p Prereqs) BusyPorts() []int {
	var busy []int
	for _, s := range p.Ports {
		if !s.Free {
			busy = append(busy, s.Port)
		}
	}
	return busy
}

// CheckPrereqs runs every probe concurrently.
func CheckPrereqs(ctx context.Context, d Deps) Prereqs {
	LearnSecrets(d)
	p := Prereqs{GOOS: d.Sys.GOOS}
	var wg sync.WaitGroup
	tool := func(dst *probe.Tool, name string, args ...string) {
		wg.Add(1)
		go func() { defer wg.Done(); *dst = d.probeTool(ctx, name, args...) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); p.OpenCode = d.openCodeTool(ctx) }()
	tool(&p.Node, "node", "--version")
	tool(&p.Npx, "npx", "--version")
	tool(&p.Npm, "npm", "--version")
	tool(&p.Codex, "codex", "--version")
	p.Headless = probe.DetectHeadless(d.Sys)
	p.Ports = probe.CheckPorts(d.Sys)
	p.Cred = probe.InspectAuth(d.Sys, d.Paths)
	p.Config = probe.InspectConfig(d.Sys, d.Paths)
	if d.Sys.Hostname != nil {
		p.Hostname, _ = d.Sys.Hostname()
	}
	wg.Wait()
	d.knowLine(p.OpenCode)
	if d.V2(ctx) { // OpenCode 2 ignores auth.json: ask it
		p.Cred = d.inspectV2(ctx)
	}
	return p
}
