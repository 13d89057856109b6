package probe

import "strings"

// Headless says whether a browser on this machine can reach a login callback
// on localhost, and why not.
type Headless struct {
	Headless  bool
	SSH       bool
	CI        bool
	NoDisplay bool // Linux/BSD without DISPLAY or WAYLAND_DISPLAY
	WSL       bool
	Reasons   []string // human reasons, e.g. "SSH session (SSH_CONNECTION is set)"
}

// DetectHeadless applies the heuristics: CI, SSH_CONNECTION/SSH_CLIENT/SSH_TTY,
// Linux without DISPLAY/WAYLAND_DISPLAY, WSL (WSL_DISTRO_NAME or "microsoft" in /proc/version).
//
// CI counts when it is non-empty and not "false" or "0". The display check
// applies to Linux and the BSDs only (never darwin or windows); the WSL
// check to Linux only ("microsoft" or "wsl" in /proc/version, any case).
// There is one reason per cause, in the order CI, SSH, display, WSL.
func DetectHeadless(s Sys) Headless {
	getenv := envFunc(s)
	var h Headless
	if v := strings.TrimSpace(getenv("CI")); v != "" && !strings.EqualFold(v, "false") && v != "0" {
		h.CI = true
		h.Reasons = append(h.Reasons, "running in CI (CI is set)")
	}
	for _, name := range []string{"SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"} {
		if getenv(name) != "" {
			h.SSH = true
			h.Reasons = append(h.Reasons, "SSH session ("+name+" is set)")
			break
		}
	}
	if hasX11Wayland(s.GOOS) && getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		h.NoDisplay = true
		h.Reasons = append(h.Reasons, "no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)")
	}
	if s.GOOS == "linux" {
		if getenv("WSL_DISTRO_NAME") != "" {
			h.WSL = true
			h.Reasons = append(h.Reasons, "Windows Subsystem for Linux (WSL_DISTRO_NAME is set)")
		} else if s.ProcVersion != nil {
			v := strings.ToLower(s.ProcVersion())
			if strings.Contains(v, "microsoft") || strings.Contains(v, "wsl") {
				h.WSL = true
				h.Reasons = append(h.Reasons, "Windows Subsystem for Linux (/proc/version mentions Microsoft/WSL)")
			}
		}
	}
	h.Headless = h.CI || h.SSH || h.NoDisplay || h.WSL
	return h
}

// hasX11Wayland reports whether a browser on goos needs DISPLAY or WAYLAND_DISPLAY.
func hasX11Wayland(goos string) bool {
	switch goos {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return true
	}
	return false
}

// LoginPorts are the callback ports the browser logins use.
var LoginPorts = []int{1455, 1457}

// PortStatus says whether a callback port is free.
type PortStatus struct {
	Port int
	Free bool
}

// CheckPorts reports each of LoginPorts.
func CheckPorts(s Sys) []PortStatus {
	free := s.PortFree
	if free == nil {
		free = portFree
	}
	out := make([]PortStatus, 0, len(LoginPorts))
	for _, p := range LoginPorts {
		out = append(out, PortStatus{Port: p, Free: free(p)})
	}
	return out
}
