//go:build !windows

package ptyrun

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/creack/pty"
)

var sigTERM os.Signal = syscall.SIGTERM

// startPty starts cmd in a new session with the pty as its controlling
// terminal (creack/pty sets Setsid and Setctty, so pgid == pid).
func startPty(cmd *exec.Cmd, cols, rows int) (*os.File, error) {
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: clamp16(cols), Rows: clamp16(rows)})
	if err != nil {
		return nil, err
	}
	return pollable(f), nil
}

func clamp16(n int) uint16 {
	return uint16(min(max(n, 1), 0xffff))
}

func signalGroup(pid int, sig os.Signal) error {
	ss, ok := sig.(syscall.Signal)
	if !ok {
		return fmt.Errorf("ptyrun: unsupported signal %v", sig)
	}
	return syscall.Kill(-pid, ss)
}

func killGroup(pid int) error { return syscall.Kill(-pid, syscall.SIGKILL) }

// waitGroupGone returns when no process of the group is left, or when
// timeout fires.
func waitGroupGone(pid int, timeout <-chan time.Time) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for syscall.Kill(-pid, 0) == nil {
		select {
		case <-timeout:
			return
		case <-tick.C:
		}
	}
}
