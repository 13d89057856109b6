package steps

import (
	"fmt"
	"strings"

	"github.com/heidi-cli/heidi/probe"
)

// TroubleshootingGuide is where the troubleshooting guide lives.
const TroubleshootingGuide = "https://github.com/heidi-cli/heidi/blob/main/docs/troubleshooting.md"

// InstallHints say how to install OpenCode on goos, each channel with the
// line it gives: npm's opencode-ai is OpenCode 1.x, which heidi is tested
// with against real releases; OpenCode's curl installer gives OpenCode 2
// (opencode.ai/docs/migrate-v1), which heidi supports as read from its
// source (no release of it could be run here). Windows gets no shell pipe
// and no brew.
func InstallHints(goos string) []string {
	h := []string{
		"Install OpenCode, then run heidi again:",
		"  npm install -g opencode-ai   (OpenCode 1.x, what heidi is tested with)",
	}
	if goos == "windows" {
		return h
	}
	return append(h,
		"  brew install anomalyco/tap/opencode",
		"  curl -fsSL https://opencode.ai/install | bash   (installs OpenCode 2)")
}

// InstallOpenCode is status's one-line install advice on goos.
func InstallOpenCode(goos string) string {
	if goos == "windows" {
		return "npm install -g opencode-ai  (OpenCode 1.x, what heidi is tested with)"
	}
	return "npm install -g opencode-ai  (OpenCode 1.x, what heidi is tested with; or: brew install anomalyco/tap/opencode)"
}

// PortHolder is the command that shows what holds a local port on goos.
func PortHolder(goos string, port int) string {
	if goos == "windows" {
		return fmt.Sprintf(`netstat -ano | findstr :%d  (then: tasklist /FI "PID eq <pid>")`, port)
	}
	return fmt.Sprintf("lsof -i :%d", port)
}

// NodeHints say what to do when the plugin is needed but Node.js is missing.
func NodeHints(goos string) []string {
	how := "apt install nodejs npm / brew install node"
	if goos == "windows" {
		how = "winget install OpenJS.NodeJS.LTS"
	}
	return []string{
		"Install Node.js (https://nodejs.org, or: " + how + "), then run heidi again",
		"or update OpenCode to 1.1.11 or later, which has ChatGPT login built in: npm install -g opencode-ai@latest",
	}
}

// OtherPluginNote names the configured plugins (other than the old one heidi
// repairs) that may claim the openai auth hook, which replaces OpenCode's
// built-in ChatGPT login (anomalyco/opencode#16316); "" when there are none.
func OtherPluginNote(r probe.ConfigReport) string {
	others := r.OtherOpenAIPlugins()
	if len(others) == 0 {
		return ""
	}
	return "The plugin " + strings.Join(others, ", ") + " may replace OpenCode's built-in ChatGPT login (anomalyco/opencode#16316): try opencode auth login --pure, or remove it from your OpenCode config"
}

// LoginHints are the next steps after a failed login with a method of kind.
func LoginHints(p Prereqs, paths probe.Paths, progress LoginProgress, kind MethodKind) []string {
	var h []string
	e := strings.ToLower(progress.Error)
	switch c := Classify(progress.Error); c.Class {
	case ClassNetwork:
		h = append(h, "OpenCode cannot reach auth.openai.com: check the network, HTTPS_PROXY and firewalls, then run heidi again")
	case ClassDeviceDisabled:
		h = append(h, "Device-code login must be enabled in ChatGPT → Settings → Security (a workspace admin may have disabled it); else log in through an SSH tunnel: ssh -L 1455:localhost:1455 <user>@<this host>, then "+ConnectCommand+" --browser")
	case ClassUnknown:
	default:
		h = append(h, c.Next...)
	}
	if kind == MethodBrowser {
		h = append(h, "On a server, over SSH or in a container, use the device-code login: "+ConnectCommand+" --headless")
	}
	h = append(h, "Or sign in the Codex CLI with a device code (Codex only, not OpenCode): codex login --device-auth",
		"See what OpenCode logs: opencode --log-level DEBUG auth login  (logs in "+paths.Log+")")
	if strings.Contains(e, "port") || (kind == MethodBrowser && len(p.BusyPorts()) > 0) {
		h = append(h, "Port 1455 is busy: find what holds it with "+PortHolder(p.GOOS, 1455)+" (a waiting codex login does), stop it, and retry")
		if p.GOOS == "windows" {
			h = append(h, "Windows may reserve the port for Hyper-V or WSL (then OpenCode cannot listen even though nothing holds it): netsh interface ipv4 show excludedportrange protocol=tcp (anomalyco/opencode#14276)")
		}
	}
	if p.Config.StalePlugin() {
		h = append(h, "A plugin may interfere: opencode auth login --pure")
	}
	if n := OtherPluginNote(p.Config); n != "" {
		h = append(h, n)
	}
	return h
}
