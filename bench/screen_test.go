//go:build linux

package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// writeMixed writes about size bytes of mixed ANSI text (colours, clack-style
// redraws, UTF-8), the same mix as ptyrun's own BenchmarkThroughput, and
// returns the number written and the last line number (the file always ends
// with that line, so it is on the final screen).
func writeMixed(path string, size int64) (int64, int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	w := bufio.NewWriter(f)
	var n int64
	i := 0
	for ; n < size; i++ {
		if i%40 == 1 { // a clack-style redraw: up 4 lines, clear, 2 lines
			k, _ := fmt.Fprintf(w, "\x1b[999D\x1b[4A\x1b[J\x1b[32m◇\x1b[39m  Login method\r\n\x1b[90m│\x1b[39m  \x1b[2mChatGPT Pro/Plus (browser)\x1b[22m\r\n")
			n += int64(k)
		}
		k, _ := fmt.Fprintf(w, "\x1b[36m│\x1b[39m  line %06d \x1b[1mopenai/gpt-5.4\x1b[22m ✓ ◐ the quick brown fox jumps over the lazy dog\r\n", i)
		n += int64(k)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, 0, err
	}
	return n, i - 1, f.Close()
}

// mixedFile writes the 20 MB benchmark input into dir.
func mixedFile(b testing.TB, dir string) (path string, size int64, lastLine int) {
	b.Helper()
	path = filepath.Join(dir, "mixed.txt")
	size, lastLine, err := writeMixed(path, 20<<20)
	if err != nil {
		b.Fatal(err)
	}
	return path, size, lastLine
}

// screen is a program in a pty seen through an x/vt emulator that answers
// the program's terminal queries, as a terminal would. It is the bench's
// stand-in for the user's terminal (like e2e's Screen, which bench does not
// import).
type screen struct {
	cmd  *exec.Cmd
	ptmx *os.File
	em   *vt.Emulator

	mu      sync.Mutex
	updated chan struct{}
	done    chan struct{} // reader finished
	exited  chan struct{}
	err     error
}

func startScreen(argv []string, env []string, dir string, cols, rows int) (*screen, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, dir
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		return nil, err
	}
	s := &screen{cmd: cmd, ptmx: ptmx, em: vt.NewEmulator(cols, rows),
		updated: make(chan struct{}, 1), done: make(chan struct{}), exited: make(chan struct{})}
	go func() { // query answers back to the program
		buf := make([]byte, 256)
		for {
			n, err := s.em.Read(buf)
			if n > 0 {
				_, _ = ptmx.Write(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		defer close(s.done)
		buf := make([]byte, 32<<10)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				s.mu.Lock()
				func() {
					defer func() { _ = recover() }()
					_, _ = s.em.Write(buf[:n])
				}()
				s.mu.Unlock()
				select {
				case s.updated <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.em.String()
}

// waitFor waits (on screen updates, not by polling on a timer) until the
// screen shows want, and returns the time it was first seen.
func (s *screen) waitFor(want string, timeout time.Duration) (time.Time, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if strings.Contains(s.text(), want) {
			return time.Now(), nil
		}
		select {
		case <-s.updated:
		case <-s.done:
			if strings.Contains(s.text(), want) {
				return time.Now(), nil
			}
			return time.Time{}, fmt.Errorf("program ended before %q showed; screen:\n%s", want, s.text())
		case <-deadline.C:
			return time.Time{}, fmt.Errorf("%q not shown within %v; screen:\n%s", want, timeout, s.text())
		}
	}
}

func (s *screen) send(keys string) { _, _ = s.ptmx.Write([]byte(keys)) }

// wait waits for the program to exit and returns its exit code.
func (s *screen) wait(timeout time.Duration) (int, error) {
	select {
	case <-s.exited:
	case <-time.After(timeout):
		return -1, fmt.Errorf("still running after %v", timeout)
	}
	var ee *exec.ExitError
	if errors.As(s.err, &ee) {
		return ee.ExitCode(), nil
	}
	return 0, s.err
}

// close kills the program's whole session (pty.Start makes it a session
// leader, so pgid == pid) and releases the pty.
func (s *screen) close() {
	killGroup(s.cmd.Process.Pid)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
	}
	_ = s.ptmx.Close()
	_ = s.em.Close()
}

// run is one finished timedRun.
type run struct {
	wall time.Duration // start to exit
	cpu  time.Duration // user+system CPU time of the process and of the children it waited for
	out  string        // stdout and stderr
}

// timedRun runs argv to completion with stdout and stderr in a file (so a
// straggling grandchild holding a pipe cannot extend the measurement), in
// its own process group (killed afterwards).
func timedRun(argv []string, env []string, dir string, timeout time.Duration) (run, error) {
	var r run
	out, err := os.CreateTemp("", "heidi-bench-out-")
	if err != nil {
		return r, err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	err = cmd.Wait()
	r.wall = time.Since(t0)
	killGroup(cmd.Process.Pid)
	if ps := cmd.ProcessState; ps != nil {
		r.cpu = ps.UserTime() + ps.SystemTime()
	}
	b, _ := os.ReadFile(out.Name())
	r.out = string(b)
	if ctx.Err() != nil {
		return r, fmt.Errorf("%s: timed out after %v", strings.Join(argv, " "), timeout)
	}
	return r, err
}

// schedTime sums, over a live process's threads, the time spent on a CPU
// (/proc/<pid>/task/*/schedstat, in ns).
func schedTime(pid int) (onCPU time.Duration, err error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(tasks) == 0 {
		return 0, fmt.Errorf("no schedstat for pid %d", pid)
	}
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // thread gone
		}
		var ns, waitNS int64
		if _, err := fmt.Sscan(string(b), &ns, &waitNS); err != nil {
			return 0, err
		}
		onCPU += time.Duration(ns)
	}
	return onCPU, nil
}
