package probe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// DefaultMaxOutput caps how much of each of stdout and stderr ExecRunner keeps.
const DefaultMaxOutput = 1 << 20

// DefaultWaitDelay is how long ExecRunner waits for the child's output pipes
// to close after the child exited or was killed (a grandchild may hold them).
const DefaultWaitDelay = 2 * time.Second

// ExecRunner runs commands with os/exec. The child gets os.Environ() plus env
// (later entries win), stdin from the null device and, on Unix, its own
// process group: when ctx is done the whole group is killed with SIGKILL, so
// grandchildren die too. Output beyond MaxOutput bytes per stream is dropped.
type ExecRunner struct {
	Dir       string        // working directory; "" means the current one
	MaxOutput int64         // per stream; <= 0 means DefaultMaxOutput
	WaitDelay time.Duration // <= 0 means DefaultWaitDelay
}

// Run implements Runner. It returns an error wrapping ErrTimeout when ctx's
// deadline passed before the command finished, one wrapping context.Canceled
// when ctx was cancelled, and a start error when the command could not run.
// A non-zero exit is not an error: see Result.ExitCode.
func (r ExecRunner) Run(ctx context.Context, name string, args []string, env []string) (Result, error) {
	res := Result{ExitCode: -1}
	if err := ctx.Err(); err != nil {
		return res, ctxError(name, err)
	}
	limit := r.MaxOutput
	if limit <= 0 {
		limit = DefaultMaxOutput
	}
	stdout, stderr := &capBuffer{limit: limit}, &capBuffer{limit: limit}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = nil // the null device
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = r.WaitDelay
	if cmd.WaitDelay <= 0 {
		cmd.WaitDelay = DefaultWaitDelay
	}
	setProcessGroup(cmd)

	if err := StartInGroup(cmd); err != nil {
		return res, fmt.Errorf("start %s: %w", filepath.Base(name), err)
	}
	err := WaitInGroup(cmd)
	res.Stdout, res.Stderr = stdout.Bytes(), stderr.Bytes()
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	if err == nil {
		return res, nil
	}
	if cerr := ctx.Err(); cerr != nil {
		res.ExitCode = -1
		return res, ctxError(name, cerr)
	}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		return res, nil // a non-zero exit is reported in ExitCode
	case errors.Is(err, exec.ErrWaitDelay):
		// The child exited 0 but something it started kept the pipes open.
		return res, nil
	}
	return res, fmt.Errorf("run %s: %w", filepath.Base(name), err)
}

func ctxError(name string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", filepath.Base(name), ErrTimeout)
	}
	return fmt.Errorf("%s: %w", filepath.Base(name), err)
}

// capBuffer keeps the first limit bytes written to it and discards the rest
// (still reporting success, so the child never sees a broken pipe).
type capBuffer struct {
	mu    sync.Mutex
	limit int64
	buf   []byte
}

func (b *capBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.limit - int64(len(b.buf)); room > 0 {
		q := p
		if int64(len(q)) > room {
			q = q[:room]
		}
		b.buf = append(b.buf, q...)
	}
	return len(p), nil
}

func (b *capBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf
}
