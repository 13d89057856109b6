// Package probe inspects the machine heidi runs on: which tools exist and in
// which versions, where OpenCode keeps its files, what (if anything) is in its
// credential store, whether this is a headless session.
//
// Everything here is pure with respect to its inputs: the environment, the
// filesystem and the command runner are passed in (see Sys), so tests use
// fakes. probe imports no other heidi package and never holds a secret in a
// printable form.
package probe

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// Result is what a Runner returns for one finished command.
type Result struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int // -1 when the command did not run to an exit (not found, killed, timed out)
}

// ErrTimeout is returned (wrapped) by a Runner when the command ran past its deadline.
var ErrTimeout = errors.New("timed out")

// Runner runs a non-interactive command to completion under ctx. It returns a
// non-nil error only when the command could not be started or did not finish
// (timeout, cancellation); a non-zero exit status is reported in Result.
type Runner interface {
	Run(ctx context.Context, name string, args []string, env []string) (Result, error)
}

// FS is the slice of the filesystem probe reads.
type FS interface {
	Lstat(name string) (fs.FileInfo, error)
	Stat(name string) (fs.FileInfo, error)
	// ReadFileCapped reads at most limit bytes; truncated reports whether the file was longer.
	ReadFileCapped(name string, limit int64) (data []byte, truncated bool, err error)
}

// Sys bundles the outside world probe reads from.
type Sys struct {
	GOOS     string
	Getenv   func(string) string
	Environ  func() []string
	LookPath func(string) (string, error)
	FS       FS
	Run      Runner
	Home     string
	// ProcVersion returns the content of /proc/version ("" when there is none).
	ProcVersion func() string
	// PortFree reports whether 127.0.0.1:port can be listened on.
	PortFree func(port int) bool
	// IsTerminal reports whether the file descriptor is a terminal.
	IsTerminal func(fd uintptr) bool
	Now        func() time.Time
	// Hostname is this machine's name (nil: unknown).
	Hostname func() (string, error)
}

// Default returns the real machine.
func Default() Sys {
	home, _ := os.UserHomeDir()
	return Sys{
		GOOS:        runtime.GOOS,
		Getenv:      os.Getenv,
		Environ:     os.Environ,
		LookPath:    exec.LookPath,
		FS:          OSFS{},
		Run:         ExecRunner{},
		Home:        home,
		ProcVersion: readProcVersion,
		PortFree:    portFree,
		IsTerminal:  isTerminal,
		Now:         time.Now,
		Hostname:    os.Hostname,
	}
}
