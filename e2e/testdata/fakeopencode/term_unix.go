//go:build !windows

package main

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
	"unsafe"
)

// ---- terminal helpers (stdlib only) ----------------------------------------

func getTermios(fd int) (*syscall.Termios, bool) {
	var t syscall.Termios
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), uintptr(syscall.TCGETS), uintptr(unsafe.Pointer(&t)))
	if e != 0 {
		return nil, false
	}
	return &t, true
}

func setTermios(fd int, t *syscall.Termios) {
	_, _, _ = syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), uintptr(syscall.TCSETS), uintptr(unsafe.Pointer(t)))
}

func isTTY(f *os.File) bool { _, ok := getTermios(int(f.Fd())); return ok }

type winsize struct{ Row, Col, X, Y uint16 }

// termSize returns stdout's columns and rows (0, 0 when not a terminal).
func termSize() (cols, rows int) {
	var ws winsize
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, os.Stdout.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws)))
	if e != 0 {
		return 0, 0
	}
	return int(ws.Col), int(ws.Row)
}

var (
	rawMu    sync.Mutex
	rawSaved *syscall.Termios
)

// setRaw mirrors libuv's UV_TTY_MODE_RAW, which Bun uses for
// process.stdin.setRawMode(true): no echo, no canonical mode, no signals from
// keys, but output post-processing (ONLCR) stays on, so "\n" still reaches the
// terminal as "\r\n".
func setRaw(on bool) {
	rawMu.Lock()
	defer rawMu.Unlock()
	fd := int(os.Stdin.Fd())
	if on {
		if rawSaved != nil {
			return
		}
		t, ok := getTermios(fd)
		if !ok {
			return
		}
		saved := *t
		rawSaved = &saved
		t.Iflag &^= syscall.BRKINT | syscall.ICRNL | syscall.INPCK | syscall.ISTRIP | syscall.IXON
		t.Oflag |= syscall.ONLCR
		t.Cflag |= syscall.CS8
		t.Lflag &^= syscall.ECHO | syscall.ICANON | syscall.IEXTEN | syscall.ISIG
		t.Cc[syscall.VMIN] = 1
		t.Cc[syscall.VTIME] = 0
		setTermios(fd, t)
		return
	}
	if rawSaved != nil {
		setTermios(fd, rawSaved)
		rawSaved = nil
	}
}

// ---- keypress decoding (a subset of node's emitKeypressEvents) --------------

func killSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGKILL) }

func notifyWinch(ch chan os.Signal) { signal.Notify(ch, syscall.SIGWINCH) }
