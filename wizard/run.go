package wizard

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/ptyrun"
	"github.com/heidi-cli/heidi/steps"
)

// supervisor tracks the running child outside the model, so that it is ended
// however the program stops (quit, Ctrl+C, SIGTERM, SIGHUP, panic).
type supervisor struct {
	mu   sync.Mutex
	s    *ptyrun.Session
	port int
}

func (v *supervisor) set(s *ptyrun.Session) {
	v.mu.Lock()
	v.s = s
	v.mu.Unlock()
}

func (v *supervisor) clear(s *ptyrun.Session) {
	v.mu.Lock()
	if v.s == s {
		v.s = nil
	}
	v.mu.Unlock()
}

func (v *supervisor) setPort(p int) {
	v.mu.Lock()
	v.port = p
	v.mu.Unlock()
}

// shutdown ends the child's whole process group: a waiting browser login is
// asked to cancel on its callback port (it ignores TERM), then TERM, a grace
// period, KILL.
func (v *supervisor) shutdown() {
	v.mu.Lock()
	s, port := v.s, v.port
	v.s = nil
	v.mu.Unlock()
	if s == nil {
		return
	}
	steps.CancelBrowserLogin(context.Background(), port)
	_ = s.Close(2 * time.Second)
}

// IO is the terminal the wizard draws on.
type IO struct {
	In  io.Reader
	Out io.Writer
}

// Run runs the wizard until it finishes, the user cancels, or ctx is done
// (SIGTERM, SIGHUP). The child, if any, is always ended before Run returns.
func Run(ctx context.Context, deps steps.Deps, opts Options, term IO) (Result, error) {
	// The first wide-glyph width lookup builds a ~1 MB table (~10 ms); build
	// it on the other core while the program starts.
	go ansi.StringWidth("→─")
	m := New(ctx, deps, opts)
	defer m.sup.shutdown()
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithoutSignalHandler()}
	if term.In != nil {
		popts = append(popts, tea.WithInput(term.In))
	}
	if term.Out != nil {
		popts = append(popts, tea.WithOutput(term.Out))
	}
	p := tea.NewProgram(m, popts...)
	final, err := p.Run()
	m.sup.shutdown()
	if fm, ok := final.(*Model); ok && fm != nil {
		m = fm
	}
	if m.runStop != nil {
		m.runStop()
	}
	if err != nil {
		if errors.Is(err, tea.ErrProgramKilled) || errors.Is(err, tea.ErrInterrupted) || ctx.Err() != nil {
			return Result{Cancelled: true, Outcome: steps.Outcome{Time: deps.Sys.Now(), Result: "CANCELLED", Step: m.cur.String()}}, nil
		}
		return m.result, err
	}
	return m.result, nil
}

func openBrowser(d steps.Deps, url string) tea.Cmd {
	return func() tea.Msg { return browserMsg{steps.OpenBrowser(context.Background(), d.Sys, url)} }
}
