package probe

import (
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"strconv"

	"github.com/charmbracelet/x/term"
)

// OSFS is the real filesystem.
type OSFS struct{}

// Lstat implements FS.
func (OSFS) Lstat(name string) (fs.FileInfo, error) { return os.Lstat(name) }

// Stat implements FS.
func (OSFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// ErrNotRegular is returned by OSFS.ReadFileCapped for anything but a regular file.
var ErrNotRegular = errors.New("not a regular file")

// ReadFileCapped implements FS. It reads at most limit bytes (via
// io.LimitReader(limit+1) to learn whether there was more) and refuses
// anything but a regular file. On Unix the file is opened non-blocking so a
// FIFO planted in its place cannot hang the caller.
func (OSFS) ReadFileCapped(name string, limit int64) ([]byte, bool, error) {
	if limit < 0 {
		limit = 0
	}
	f, err := os.OpenFile(name, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if !fi.Mode().IsRegular() {
		return nil, false, &fs.PathError{Op: "read", Path: name, Err: ErrNotRegular}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(data)) > limit {
		return data[:limit], true, nil
	}
	return data, false, nil
}

// readProcVersion returns the first 4 KiB of /proc/version, or "".
func readProcVersion() string {
	data, _, err := OSFS{}.ReadFileCapped("/proc/version", 4096)
	if err != nil {
		return ""
	}
	return string(data)
}

// portFree reports whether 127.0.0.1:port can be listened on right now.
func portFree(port int) bool {
	if port <= 0 || port > 65535 {
		return false
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

// isTerminal reports whether fd is a terminal.
func isTerminal(fd uintptr) bool { return term.IsTerminal(fd) }
