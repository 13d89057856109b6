//go:build unix

package probe

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup puts the child in its own process group and makes
// cancellation kill the whole group with SIGKILL.
//
// An existing cmd.SysProcAttr is kept. When it already asks for a new
// session (Setsid, as creack/pty does), that session is also a new process
// group, so Setpgid is not added: the kernel refuses setpgid for a session
// leader (EPERM). Callers that start the child with pty.Start, which sets
// Setsid itself, must therefore set Setsid before calling this (or use
// pty.StartWithAttrs with these attributes).
func setProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	if !cmd.SysProcAttr.Setsid {
		cmd.SysProcAttr.Setpgid = true
		cmd.SysProcAttr.Pgid = 0
	}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if errors.Is(err, syscall.ESRCH) {
			return os.ErrProcessDone
		}
		return err
	}
}

// afterStart and afterWait have nothing to do on Unix: the process group
// is set at the start.
func afterStart(*exec.Cmd) {}
func afterWait(*exec.Cmd)  {}
