package steps

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/redact"
)

// LoginRun is a finished login child.
type LoginRun struct {
	ExitCode  int // -1 when it was killed
	Progress  LoginProgress
	Cancelled bool // ctx ended it
	// Methods are the labels of OpenCode's "Unknown method … Available: …"
	// answer, when the label was wrong (then nothing else happened).
	Methods []string
	// Transcript is what it printed, redacted, escapes stripped.
	Transcript string
}

// RunLogin runs `opencode <args>` (OpenCode's login) without a pty (plain mode; with
// -p/-m the real client needs no terminal). Everything it prints passes
// through redaction on its way to out. onProgress is called when what the
// login shows changes (a URL, a code). When ctx ends, a waiting browser login
// is cancelled on its callback port, then the process group is killed.
func RunLogin(ctx context.Context, d Deps, args []string, stdin io.Reader, out io.Writer, onProgress func(LoginProgress)) (LoginRun, error) {
	killCtx, kill := context.WithCancel(context.Background())
	defer kill()
	cmd := exec.CommandContext(killCtx, "opencode", args...)
	cmd.Env = append(d.Sys.Environ(), childEnv...)
	cmd.Stdin = stdin
	pr, pw, err := os.Pipe()
	if err != nil {
		return LoginRun{ExitCode: -1}, err
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.WaitDelay = 2 * time.Second
	probe.SetProcessGroup(cmd)
	if err := probe.StartInGroup(cmd); err != nil {
		pr.Close()
		pw.Close()
		return LoginRun{ExitCode: -1}, err
	}
	pw.Close()

	var (
		mu         sync.Mutex
		transcript strings.Builder
		progress   LoginProgress
	)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		rs := redact.NewStream()
		buf := make([]byte, 32<<10)
		emit := func(b []byte) {
			if len(b) == 0 {
				return
			}
			_, _ = out.Write(b)
			mu.Lock()
			if transcript.Len() < 1<<20 {
				transcript.WriteString(ansi.Strip(string(b)))
			}
			p := ParseLogin(transcript.String())
			changed := p != progress
			progress = p
			mu.Unlock()
			if changed && onProgress != nil {
				onProgress(p)
			}
		}
		for {
			n, err := pr.Read(buf)
			emit(rs.Write(buf[:n]))
			if err != nil {
				emit(rs.Flush())
				return
			}
		}
	}()

	waitDone := make(chan error, 1)
	go func() { waitDone <- probe.WaitInGroup(cmd) }()
	var run LoginRun
	var werr error
	select {
	case werr = <-waitDone:
	case <-ctx.Done():
		run.Cancelled = true
		mu.Lock()
		port := CallbackPort(progress.AuthURL)
		mu.Unlock()
		CancelBrowserLogin(context.Background(), port)
		select {
		case werr = <-waitDone:
		case <-time.After(2 * time.Second):
			kill()
			werr = <-waitDone
		}
	}
	select { // the rest of its output, unless a grandchild holds the pipe open
	case <-readDone:
	case <-time.After(2 * time.Second):
	}
	pr.Close()
	<-readDone
	run.ExitCode = -1
	if cmd.ProcessState != nil {
		run.ExitCode = cmd.ProcessState.ExitCode()
	}
	mu.Lock()
	run.Progress = ParseLogin(transcript.String())
	run.Methods = ParseMethods(transcript.String())
	run.Transcript = transcript.String()
	mu.Unlock()
	var ee *exec.ExitError
	if werr != nil && !errors.As(werr, &ee) && !errors.Is(werr, exec.ErrWaitDelay) && !run.Cancelled {
		return run, werr
	}
	return run, nil
}
