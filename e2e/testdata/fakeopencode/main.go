// Command fakeopencode stands in for the real `opencode` CLI (1.18.33) in
// heidi's end-to-end tests. It reproduces, byte for byte where heidi parses
// them, the parts of the real client's surface that heidi drives: --version,
// help, `auth list|login|logout`, `models`, `run` and `debug paths`, plus the
// loopback OAuth callback server and the device-code flow. Behaviour is steered
// by FAKE_OPENCODE_* environment variables (see README.md next to this file).
//
// It imports no heidi package on purpose: it is a black-box stand-in.
package main

import (
	"embed"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

//go:embed help/*.txt data/*
var assets embed.FS

const defaultVersion = "1.18.33"

func asset(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// env reads a variable; empty counts as unset, like most of opencode's checks.
func env(k string) string { return os.Getenv(k) }

func envDuration(k string, def time.Duration) time.Duration {
	v := env(k)
	if v == "" {
		return def
	}
	if d, err := time.ParseDuration(v); err == nil {
		return d
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil { // bare number = seconds
		return time.Duration(n * float64(time.Second))
	}
	return def
}

func version() string {
	if v := env("FAKE_OPENCODE_VERSION"); v != "" {
		return v
	}
	return defaultVersion
}

// versionAtLeast compares the (possibly overridden) version with a.b.c.
func versionAtLeast(a, b, c int) bool {
	parts := strings.SplitN(strings.SplitN(version(), "-", 2)[0], ".", 3)
	nums := [3]int{}
	for i := 0; i < len(parts) && i < 3; i++ {
		nums[i], _ = strconv.Atoi(parts[i])
	}
	want := [3]int{a, b, c}
	for i := 0; i < 3; i++ {
		if nums[i] != want[i] {
			return nums[i] > want[i]
		}
	}
	return true
}

// hasLoginSelectors: -p/--provider and -m/--method on `auth login`. The brief
// for this fake treats every version below 1.1.11 as lacking them.
func hasLoginSelectors() bool { return versionAtLeast(1, 1, 11) }

// hasBuiltinChatGPT: ChatGPT Plus/Pro OAuth built in since 1.1.11.
func hasBuiltinChatGPT() bool { return versionAtLeast(1, 1, 11) }

// hangForever blocks without tripping the runtime's deadlock detector.
func hangForever() {
	for {
		time.Sleep(time.Hour)
	}
}

func main() {
	logInvocation(os.Args[1:])
	if d := envDuration("FAKE_OPENCODE_DELAY", 0); d > 0 {
		time.Sleep(d)
	}
	os.Exit(run(os.Args[1:]))
}

// logInvocation appends one line per run to $FAKE_OPENCODE_LOG. Only argv is
// logged; argv never carries a token in the flows heidi uses (API keys are
// typed into the masked prompt, not passed as flags).
func logInvocation(args []string) {
	path := env("FAKE_OPENCODE_LOG")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	fmt.Fprintf(f, "%d opencode %s\n", os.Getpid(), strings.Join(q, " "))
}

// cliArgs is a tiny yargs-like view of argv.
type cliArgs struct {
	pos   []string          // positionals, in order
	flags map[string]string // long name -> value ("true" for booleans)
	rest  []string          // after "--"
}

// flags that take a value (everything else is boolean).
var valueFlags = map[string]string{
	"provider": "provider", "p": "provider",
	"method": "method",
	"model":  "model",
	"format": "format", "variant": "variant", "log-level": "log-level",
	"agent": "agent", "title": "title", "dir": "dir", "attach": "attach",
	"session": "session", "s": "session", "command": "command", "port": "port",
	"file": "file", "f": "file", "password": "password", "username": "username",
	"u": "username", "hostname": "hostname", "prompt": "prompt", "server": "server",
}

var boolAliases = map[string]string{
	"h": "help", "v": "version", "c": "continue", "i": "interactive",
}

// parseArgs parses argv. "-m" means --method under `auth login` and --model
// elsewhere, as in the real CLI.
func parseArgs(argv []string, mIsMethod bool) cliArgs {
	a := cliArgs{flags: map[string]string{}}
	for i := 0; i < len(argv); i++ {
		s := argv[i]
		if s == "--" {
			a.rest = append(a.rest, argv[i+1:]...)
			break
		}
		if !strings.HasPrefix(s, "-") || s == "-" {
			a.pos = append(a.pos, s)
			continue
		}
		name := strings.TrimLeft(s, "-")
		val, hasVal := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, val, hasVal = k, v, true
		}
		if name == "m" {
			if mIsMethod {
				name = "method"
			} else {
				name = "model"
			}
		}
		if long, ok := valueFlags[name]; ok {
			if !hasVal && i+1 < len(argv) {
				i++
				val = argv[i]
			}
			a.flags[long] = val
			continue
		}
		if long, ok := boolAliases[name]; ok {
			name = long
		}
		if strings.HasPrefix(name, "no-") {
			a.flags[strings.TrimPrefix(name, "no-")] = "false"
			continue
		}
		if !hasVal {
			val = "true"
		}
		a.flags[name] = val
	}
	return a
}

func (a cliArgs) has(k string) bool { _, ok := a.flags[k]; return ok && a.flags[k] != "false" }

func run(argv []string) int {
	if isV2() { // OpenCode 2's command tree (v2.go)
		ensureDirs()
		return runV2(argv)
	}
	// Global flags first: --version / -v anywhere before a command wins, as
	// with yargs.
	cmd := ""
	for _, s := range argv {
		if !strings.HasPrefix(s, "-") {
			cmd = s
			break
		}
	}
	pre := parseArgs(argv, cmd == "auth" || cmd == "providers")
	ensureDirs()
	if pre.has("version") {
		fmt.Fprintln(os.Stdout, version())
		return 0
	}
	switch cmd {
	case "":
		if pre.has("help") {
			os.Stderr.WriteString(asset("help/top.txt"))
			return 0
		}
		// The TUI is not part of the faked surface.
		errorLine("the opencode TUI is not implemented by fakeopencode")
		return 1
	case "auth", "providers":
		return authCmd(cmd, argv)
	case "models":
		a := parseArgs(argv[1:], false)
		if a.has("help") {
			os.Stderr.WriteString(asset("help/models.txt"))
			return 0
		}
		return modelsCmd(a)
	case "run":
		a := parseArgs(argv[1:], false)
		if a.has("help") {
			os.Stderr.WriteString(asset("help/run.txt"))
			return 0
		}
		return runCmd(a)
	case "debug":
		a := parseArgs(argv[1:], false)
		if len(a.pos) > 0 && a.pos[0] == "paths" && !a.has("help") {
			return debugPaths()
		}
		os.Stderr.WriteString(asset("help/debug.txt"))
		if a.has("help") {
			return 0
		}
		return 1
	default:
		errorLine("fakeopencode: command " + strconv.Quote(cmd) + " is not implemented")
		return 1
	}
}

func authCmd(word string, argv []string) int {
	sub := ""
	for _, s := range argv[1:] {
		if !strings.HasPrefix(s, "-") {
			sub = s
			break
		}
	}
	help := func(name string) string {
		return strings.ReplaceAll(asset(name), "opencode auth ", "opencode "+word+" ")
	}
	a := parseArgs(argv[1:], true)
	switch sub {
	case "list", "ls":
		if a.has("help") {
			os.Stderr.WriteString(help("help/auth.txt"))
			return 0
		}
		return authList()
	case "login":
		h := help("help/auth-login.txt")
		if !hasLoginSelectors() {
			h = stripSelectorHelp(h)
		}
		if a.has("help") {
			os.Stderr.WriteString(h)
			return 0
		}
		if !hasLoginSelectors() && (a.flags["provider"] != "" || a.flags["method"] != "" ||
			hasFlag(argv, "-p", "--provider", "-m", "--method")) {
			// Old releases know neither option: print the help, exit 1.
			os.Stderr.WriteString(h)
			return 1
		}
		return authLogin(a)
	case "logout":
		if a.has("help") {
			os.Stderr.WriteString(help("help/auth-logout.txt"))
			return 0
		}
		return authLogout(a)
	default:
		os.Stderr.WriteString(help("help/auth.txt"))
		if a.has("help") && sub == "" {
			return 0
		}
		return 1
	}
}

func hasFlag(argv []string, names ...string) bool {
	for _, s := range argv {
		k, _, _ := strings.Cut(s, "=")
		for _, n := range names {
			if k == n {
				return true
			}
		}
	}
	return false
}

func stripSelectorHelp(h string) string {
	var out []string
	for _, l := range strings.Split(h, "\n") {
		if strings.HasPrefix(l, "  -p, --provider") || strings.HasPrefix(l, "  -m, --method") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}
