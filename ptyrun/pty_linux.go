//go:build linux

package ptyrun

import (
	"os"
	"syscall"
	"unsafe"

	"github.com/creack/pty"
)

// pollable returns the pty master as a non-blocking file on Go's poller,
// so read deadlines work (draining after the child exits) and Close
// interrupts a blocked Read. creack/pty leaves it in blocking mode because
// its ioctls call Fd().
func pollable(f *os.File) *os.File {
	fd, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_DUPFD_CLOEXEC, 0)
	if errno != 0 {
		return f
	}
	if err := syscall.SetNonblock(int(fd), true); err != nil {
		_ = syscall.Close(int(fd))
		return f
	}
	nf := os.NewFile(fd, f.Name())
	_ = f.Close()
	return nf
}

// setSize is pty.Setsize without Fd(), which would put the file back into
// blocking mode.
func setSize(f *os.File, cols, rows int) error {
	ws := pty.Winsize{Cols: clamp16(cols), Rows: clamp16(rows)}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws)))
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}
