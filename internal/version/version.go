// Package version is heidi's version, and answers a lone `heidi --version`
// (or -v) before the rest of the program starts.
//
// Go initialises the packages of a program one at a time: of those whose
// imports are all initialised, the one with the smallest import path goes
// next (the spec's rule since Go 1.21). This package imports only os and
// runtime/debug, so its init runs once those are ready, after about 75 of
// the binary's 105 package inits and before cobra, lipgloss, the terminal
// emulator, net/http and TLS, whose inits would double the time a script
// waits for the version line. Anything but a lone --version or -v goes on
// to main, and cobra prints the same line for --version in other company.
package version

import (
	"os"
	"runtime/debug"
)

// Version is set at build time with
// -ldflags "-X github.com/heidi-cli/heidi/internal/version.Version=…";
// without it, the module version `go install module@version` records.
var Version = ""

// String returns the version: Version, the module version from the build
// info, or "dev".
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Line is what `heidi --version` prints.
func Line() string { return "heidi " + String() + "\n" }

func init() {
	if len(os.Args) == 2 && (os.Args[1] == "--version" || os.Args[1] == "-v") {
		_, _ = os.Stdout.WriteString(Line())
		os.Exit(0)
	}
}
