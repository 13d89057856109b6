package steps

import (
	"strings"

	"github.com/heidi-cli/heidi/probe"
)

// RouteID names one way to log in from a headless machine.
type RouteID uint8

const (
	RouteDevice  RouteID = iota // OpenCode's own device-code login (recommended)
	RouteCodex                  // codex login --device-auth
	RouteTunnel                 // browser through an SSH tunnel
	RouteCopy                   // copy credentials from a laptop
	RouteTrouble                // troubleshooting
)

// Route is one entry of the headless guidance screen. It holds no secret.
type Route struct {
	ID       RouteID
	Title    string
	Command  string   // what the copy key copies
	Lines    []string // explanation
	Runnable bool     // heidi can run it in the embedded terminal
}

// PasteLogin reports whether the headless method is the opencode-openai-
// codex-auth plugin's "Manual URL Paste" (OpenCode < 1.1.11 with the
// plugin): the user pastes the redirect URL, there is no device code.
func PasteLogin(label string, p Prereqs, menus bool) bool {
	return strings.Contains(strings.ToLower(label), "paste") || (menus && p.NeedsPlugin())
}

// DeviceCodeLifetime is how long a device code lives (OpenAI: 15 minutes).
const DeviceCodeLifetime = 15 * 60 // seconds

// HeadlessRoutes builds the guidance for a headless session. deviceLabel is
// OpenCode's device-code method label ("" when it has none); menus means the
// label is picked in OpenCode's own menus (releases without -p/-m).
func HeadlessRoutes(s probe.Sys, p Prereqs, paths probe.Paths, deviceLabel string, menus bool) []Route {
	user, host := sshTarget(s, p.Hostname)
	var routes []Route

	dev := Route{ID: RouteDevice, Title: "Recommended: OpenCode's own device-code login", Runnable: deviceLabel != "" || menus}
	if dev.Runnable && PasteLogin(deviceLabel, p, menus) {
		// The old plugin's "Manual URL Paste" is no device code: say what it is.
		dev.Title = "Recommended: OpenCode's manual login (paste the redirect URL)"
		dev.Command = "opencode " + strings.Join(QuoteArgs(LoginArgsFor(p.OpenCode.Version.CredentialDB(), deviceLabel)), " ")
		if menus {
			dev.Command = "opencode auth login"
		}
		dev.Lines = []string{
			"OpenCode shows a sign-in URL: open it in a browser on any device and sign in. The browser then ends on an address starting with http://localhost:1455 that does not load there — copy that whole address and paste it into OpenCode here.",
		}
	} else if dev.Runnable {
		dev.Command = "opencode " + strings.Join(QuoteArgs(LoginArgsFor(p.OpenCode.Version.CredentialDB(), deviceLabel)), " ")
		dev.Lines = []string{
			"Shows a one-time code: open https://auth.openai.com/codex/device on any device (your phone works) and enter it.",
			"Device-code login must be enabled in ChatGPT → Settings → Security (\"Enable device code authorization for Codex\"); a Team/Business workspace admin may have disabled it — then use another route.",
		}
	} else {
		dev.Lines = []string{"This OpenCode has no device-code login method; update it: npm install -g opencode-ai@latest"}
	}
	routes = append(routes, dev)

	codex := Route{ID: RouteCodex, Title: "Codex device auth: codex login --device-auth", Command: "codex login --device-auth", Runnable: p.Codex.Found}
	codex.Lines = []string{
		"This signs in the Codex CLI (credentials in ~/.codex/auth.json, or $CODEX_HOME), not OpenCode, which keeps its own store. heidi does not copy Codex tokens into OpenCode: both would rotate the same refresh token and log each other out.",
	}
	if !p.Codex.Found {
		codex.Lines = append(codex.Lines, "Codex is not installed: npm install -g @openai/codex")
	}
	routes = append(routes, codex)

	tunnel := "ssh -L 1455:localhost:1455 " + user + "@" + host
	routes = append(routes, Route{ID: RouteTunnel, Title: "Browser through an SSH tunnel", Command: tunnel, Runnable: true, Lines: []string{
		"On your laptop, open the tunnel with the command below, then pick this route: heidi runs the browser login here and your laptop's browser reaches its callback through the tunnel.",
	}})

	scp := "scp ~/.local/share/opencode/auth.json " + user + "@" + host + ":" + paths.AuthFile
	routes = append(routes, Route{ID: RouteCopy, Title: "Copy credentials from a laptop", Command: scp, Lines: []string{
		"Log in on a laptop (heidi connect opencode openai), then copy OpenCode's store to " + paths.AuthFile + " on this machine with the command below.",
		"Treat the file like a password (keep it mode 600). Use that login here only: the two copies share one refresh token, and the first refresh logs the other out. (OpenAI documents the same for ~/.codex/auth.json.)",
	}})

	routes = append(routes, Route{ID: RouteTrouble, Title: "Troubleshooting", Command: "opencode --log-level DEBUG auth login", Lines: []string{
		"Logs: " + paths.Log + "  ·  verbose: opencode --log-level DEBUG auth login",
		"Storage: " + paths.Data + " (Linux/macOS ~/.local/share/opencode, Windows %USERPROFILE%\\.local\\share\\opencode)",
	}})
	return routes
}

// HeadlessWhy explains, in a line or two, why the browser login cannot work here.
func HeadlessWhy(h probe.Headless) []string {
	lines := []string{"This looks like a headless session: " + strings.Join(h.Reasons, "; ") + "."}
	if h.WSL {
		lines = append(lines, "In WSL the Windows browser and WSL's localhost differ, so the callback may not arrive: prefer the device code.")
	} else {
		lines = append(lines, "A browser here cannot reach OpenCode's login callback on localhost:1455, so use one of these:")
	}
	return lines
}

// sshTarget guesses the user and host a laptop would ssh to.
func sshTarget(s probe.Sys, hostname string) (user, host string) {
	user = firstNonEmptyStr(s.Getenv("USER"), s.Getenv("LOGNAME"), "<user>")
	if f := strings.Fields(s.Getenv("SSH_CONNECTION")); len(f) == 4 {
		host = f[2] // the server address the client connected to
	}
	host = firstNonEmptyStr(host, hostname, "<this host>")
	return user, host
}

func firstNonEmptyStr(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

// QuoteArgs quotes arguments with spaces or parentheses for display.
func QuoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " ()") {
			a = `"` + a + `"`
		}
		out[i] = a
	}
	return out
}
