//go:build !windows && !linux

package ptyrun

import (
	"os"

	"github.com/creack/pty"
)

// pollable keeps the pty master in blocking mode outside Linux (kqueue and
// ptys do not mix well on every BSD/macOS version). Reads then end at EIO
// or when Close kills the group.
func pollable(f *os.File) *os.File { return f }

func setSize(f *os.File, cols, rows int) error {
	return pty.Setsize(f, &pty.Winsize{Cols: clamp16(cols), Rows: clamp16(rows)})
}
