package probe

import (
	"path"
	"strings"
)

// Paths are the places OpenCode and heidi keep their files, resolved exactly
// as OpenCode resolves them (XDG variables first, ~/.local/share and ~/.config
// on every OS, Windows included).
type Paths struct {
	Home      string
	Data      string // $XDG_DATA_HOME/opencode or ~/.local/share/opencode
	Config    string // $XDG_CONFIG_HOME/opencode or ~/.config/opencode
	State     string // $XDG_STATE_HOME/opencode or ~/.local/state/opencode
	Cache     string // $XDG_CACHE_HOME/opencode or ~/.cache/opencode
	Log       string // <Data>/log
	AuthFile  string // <Data>/auth.json
	HeidiHome string // $HEIDI_HOME, else the OS config dir + "heidi"
}

// ResolvePaths computes Paths for s.GOOS from s.Getenv and s.Home. It does no IO.
//
// OpenCode (via xdg-basedir) uses an XDG variable when it is non-empty and
// otherwise joins the home directory with the Linux defaults, on every OS. On
// Windows the home directory is %USERPROFILE% when that is set (as Node/Bun's
// os.homedir does), else s.Home. Paths are joined with the separator of the
// target OS, so the Windows result can be computed and tested on Linux.
func ResolvePaths(s Sys) Paths {
	getenv := envFunc(s)
	goos := s.GOOS
	home := s.Home
	if goos == "windows" {
		if up := getenv("USERPROFILE"); up != "" {
			home = up
		}
	}
	xdg := func(name string, def ...string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return JoinPath(goos, append([]string{home}, def...)...)
	}
	p := Paths{Home: home}
	p.Data = JoinPath(goos, xdg("XDG_DATA_HOME", ".local", "share"), "opencode")
	p.Config = JoinPath(goos, xdg("XDG_CONFIG_HOME", ".config"), "opencode")
	p.State = JoinPath(goos, xdg("XDG_STATE_HOME", ".local", "state"), "opencode")
	p.Cache = JoinPath(goos, xdg("XDG_CACHE_HOME", ".cache"), "opencode")
	p.Log = JoinPath(goos, p.Data, "log")
	p.AuthFile = JoinPath(goos, p.Data, "auth.json")

	if h := getenv("HEIDI_HOME"); h != "" {
		p.HeidiHome = h
	} else {
		p.HeidiHome = JoinPath(goos, userConfigDir(goos, home, getenv), "heidi")
	}
	return p
}

// userConfigDir mirrors os.UserConfigDir for the target OS, as a pure function.
func userConfigDir(goos, home string, getenv func(string) string) string {
	switch goos {
	case "windows":
		if d := getenv("AppData"); d != "" {
			return d
		}
		if d := getenv("APPDATA"); d != "" {
			return d
		}
		return JoinPath(goos, home, "AppData", "Roaming")
	case "darwin", "ios":
		return JoinPath(goos, home, "Library", "Application Support")
	case "plan9":
		return JoinPath(goos, home, "lib")
	default:
		if d := getenv("XDG_CONFIG_HOME"); d != "" {
			return d
		}
		return JoinPath(goos, home, ".config")
	}
}

// JoinPath joins path elements with the separator of goos, cleaning the
// result like filepath.Join would on that OS (empty elements are skipped).
// It does no IO and behaves the same on every host.
func JoinPath(goos string, elem ...string) string {
	if goos != "windows" {
		return path.Join(elem...)
	}
	var parts []string
	for _, e := range elem {
		if e != "" {
			parts = append(parts, e)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return winClean(strings.Join(parts, `\`))
}

// winClean turns slashes into backslashes, collapses repeated separators
// (keeping a leading `\\` UNC prefix), resolves "." and ".." elements and drops
// a trailing separator unless the path is a root.
func winClean(p string) string {
	p = strings.ReplaceAll(p, "/", `\`)
	prefix := ""
	switch {
	case len(p) >= 2 && p[1] == ':': // drive letter
		prefix, p = p[:2], p[2:]
	case strings.HasPrefix(p, `\\`): // UNC
		prefix, p = `\`, p[1:]
	}
	rooted := strings.HasPrefix(p, `\`)
	var out []string
	for _, el := range strings.Split(p, `\`) {
		switch el {
		case "", ".":
		case "..":
			if len(out) > 0 && out[len(out)-1] != ".." {
				out = out[:len(out)-1]
			} else if !rooted {
				out = append(out, el)
			}
		default:
			out = append(out, el)
		}
	}
	body := strings.Join(out, `\`)
	if rooted {
		body = `\` + body
	}
	if body == "" && prefix == "" {
		return "."
	}
	return prefix + body
}

// envFunc returns s.Getenv, or an empty environment when it is nil.
func envFunc(s Sys) func(string) string {
	if s.Getenv != nil {
		return s.Getenv
	}
	return func(string) string { return "" }
}
