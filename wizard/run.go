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
	// The first width lookups past Latin build tables: go-runewidth fills a
	// 2.2 MB one (~7 ms here, most of it page faults) the first time the
	// renderer measures a glyph such as "│" the wc way, which it does until
	// the terminal reports mode 2027. Build them on the other core while
	// the program starts, instead of inside the first frame.
	go func() {
		ansi.StringWidth("→─")
		ansi.WcWidth.StringWidth("→─")
	}()
	m := New(ctx, deps, opts)
	defer m.sup.shutdown()
	// Bubble Tea writes frames on a ticker, the first one a whole tick after
	// the program starts. At 120 fps (its ceiling) that wait is 8 ms instead
	// of 17, and a typed key reaches the screen sooner; an unchanged frame
	// costs a string comparison per tick.
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithoutSignalHandler(), tea.WithFPS(120)}
	if term.In != nil {
		popts = append(popts, tea.WithInput(term.In))
	}
	if term.Out != nil {
		popts = append(popts, tea.WithOutput(term.Out))
	}
	p := tea.NewProgram(m, popts...)
	final, err := p.Run()
	m.flowStop()
	m.sup.shutdown()
	if fm, ok := final.(*Model); ok && fm != nil {
		m = fm
	}
	if m.started1 {
		<-m.flowDone // its children are ended with its context
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

// teaUI is the flow's side of the wizard: each call becomes a message to
// Update (through Model.events); the calls that wait get their answer on a
// channel of one, so Update never blocks.
type teaUI struct {
	ctx    context.Context
	events chan<- tea.Msg
}

func (u *teaUI) send(msg tea.Msg) bool {
	select {
	case u.events <- msg:
		return true
	case <-u.ctx.Done():
		return false
	}
}

func (u *teaUI) Interactive() bool { return true }

func (u *teaUI) Step(s steps.StepUpdate) { u.send(stepMsg(s)) }
func (u *teaUI) Note(s string)           { u.send(noteMsg(s)) }

// Log lines are plain mode's: the wizard's rows and notes already say them.
func (u *teaUI) Log(string) {}

func (u *teaUI) Trying(model string, refused []steps.Refusal) {
	u.send(tryMsg{model: model, refused: refused})
}

// await sends the call made by msg (with its reply channel) and waits for
// the answer; ok is false when the flow's context ends first.
func await[T any](u *teaUI, ctx context.Context, msg func(chan<- T) tea.Msg) (T, bool) {
	var zero T
	reply := make(chan T, 1)
	if !u.send(msg(reply)) {
		return zero, false
	}
	select {
	case v := <-reply:
		return v, true
	case <-ctx.Done():
		return zero, false
	}
}

func (u *teaUI) Ask(ctx context.Context, q steps.Question) (int, bool) {
	return await(u, ctx, func(r chan<- int) tea.Msg { return askMsg{q, r} })
}

func (u *teaUI) Guide(ctx context.Context, g steps.GuideScreen) (int, bool) {
	return await(u, ctx, func(r chan<- int) tea.Msg { return guideMsg{g, r} })
}

func (u *teaUI) Run(ctx context.Context, c steps.Child) steps.ChildResult {
	r, ok := await(u, ctx, func(r chan<- steps.ChildResult) tea.Msg { return runChildMsg{c, r} })
	if !ok {
		return steps.ChildResult{Exit: -1, Err: ctx.Err()}
	}
	return r
}
