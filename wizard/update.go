package wizard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"

	"github.com/heidi-cli/heidi/ptyrun"
	"github.com/heidi-cli/heidi/redact"
	"github.com/heidi-cli/heidi/steps"
	"github.com/heidi-cli/heidi/theme"
)

// Reserved chords while a child runs; every other key goes to the child.
const (
	keyLeave = "ctrl+]"
	keyOpen  = "ctrl+o"
	keyCopy  = "ctrl+y"
)

// Messages: the flow's calls, and results of commands, carried as data.
type (
	stepMsg steps.StepUpdate
	noteMsg string
	tryMsg  tryState
	askMsg  struct {
		q     steps.Question
		reply chan<- int
	}
	guideMsg struct {
		g     steps.GuideScreen
		reply chan<- int
	}
	runChildMsg struct {
		c     steps.Child
		reply chan<- steps.ChildResult
	}
	flowDoneMsg struct{ r steps.ConnectResult }

	childStartedMsg struct {
		s   *ptyrun.Session
		err error
	}
	childOutputMsg struct{ s *ptyrun.Session }
	childExitMsg   struct{ s *ptyrun.Session }
	tickMsg        time.Time
	browserMsg     struct{ err error }
)

// New builds the wizard's model.
func New(ctx context.Context, deps steps.Deps, opts Options) *Model {
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot))
	m := &Model{
		ctx: ctx, deps: deps, opts: opts, styles: theme.New(), sup: &supervisor{},
		width: 80, height: 24, spin: sp, now: deps.Sys.Now(),
		events: make(chan tea.Msg), flowDone: make(chan struct{}),
	}
	m.flowCtx, m.flowStop = context.WithCancel(ctx)
	m.status[StepPrereq] = Running
	return m
}

// startMsg starts the connect flow.
type startMsg struct{}

// probeDelay lets the first frame paint before the checks start five child
// processes that compete with it for the CPU (bench figure 2: exec → first
// frame 206 ms → about 55 ms on two cores). The checks take seconds; the
// user does not see the delay.
const probeDelay = 100 * time.Millisecond

// Init draws the first frame, then starts the flow: its prerequisite checks
// spawn five processes (opencode, node, npx, npm, codex) that would compete
// with the first frame for the CPU.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.spin.Tick, tick(), tea.Tick(probeDelay, func(time.Time) tea.Msg { return startMsg{} }))
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// startFlow runs steps.Connect in a command's goroutine; its calls come
// back one at a time through m.events.
func (m *Model) startFlow() tea.Cmd {
	if m.started1 {
		return nil
	}
	m.started1 = true
	ctx, d, o, ui, done := m.flowCtx, m.deps, m.opts, &teaUI{ctx: m.flowCtx, events: m.events}, m.flowDone
	return tea.Batch(func() tea.Msg {
		defer close(done)
		return flowDoneMsg{steps.Connect(ctx, d, o, ui)}
	}, m.nextEvent())
}

// nextEvent waits for the flow's next call.
func (m *Model) nextEvent() tea.Cmd {
	ev, done := m.events, m.flowDone
	return func() tea.Msg {
		select {
		case msg := <-ev:
			return msg
		case <-done:
			return nil
		}
	}
}

// Update routes every message. It does no IO itself: IO happens in Cmds.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = max(msg.Width, 20), max(msg.Height, 6)
		if m.child != nil {
			c, r := m.termSize()
			m.child.Resize(c, r)
		}
		return m, nil
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tickMsg:
		m.now = time.Time(msg)
		return m, tick()
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		if m.child != nil {
			m.child.Paste(msg.Content)
		}
		return m, nil
	case startMsg:
		return m, m.startFlow()
	case stepMsg:
		m.onStep(steps.StepUpdate(msg))
		return m, m.nextEvent()
	case noteMsg:
		m.notes = append(m.notes, string(msg))
		return m, m.nextEvent()
	case tryMsg:
		t := tryState(msg)
		m.trying, m.model = &t, t.model
		return m, m.nextEvent()
	case askMsg:
		m.ask = &question{prompt: msg.q.Prompt, options: msg.q.Choices, reply: msg.reply}
		m.status[m.cur] = NeedsUser
		return m, m.nextEvent()
	case guideMsg:
		return m.onGuide(msg)
	case runChildMsg:
		return m, tea.Batch(m.startChild(msg.c, msg.reply), m.nextEvent())
	case flowDoneMsg:
		return m.onFlowDone(msg.r)
	case childStartedMsg:
		return m.onChildStarted(msg)
	case childOutputMsg:
		if msg.s != m.child {
			return m, nil
		}
		cmd := m.onChildOutput()
		return m, tea.Batch(cmd, waitOutput(msg.s))
	case clipMsg:
		m.onClip(msg)
		return m, nil
	case childExitMsg:
		if msg.s != m.child {
			return m, nil
		}
		return m.onChildExit()
	case browserMsg:
		if msg.err != nil {
			m.flash = "Could not open a browser (" + msg.err.Error() + "): copy the URL with " + keyCopy + " and open it yourself."
		} else {
			m.flash = "Opened the authorization page in your browser."
		}
		return m, nil
	}
	return m, nil
}

func (m *Model) onStep(u steps.StepUpdate) {
	if u.Status == Running && (m.cur != u.ID || m.status[u.ID] != Running) {
		m.started = m.deps.Sys.Now()
	}
	if u.Status == Running || u.Status == NeedsUser || u.ID == StepSummary {
		if m.cur != u.ID {
			m.scroll = 0 // another screen starts at its top
		}
		m.cur = u.ID
	}
	m.status[u.ID], m.stop[u.ID] = u.Status, u.Stop
	if u.Detail != "" || u.Status == Running {
		m.detail[u.ID] = u.Detail
	}
}

// onFlowDone shows the summary; with --yes the wizard ends there.
func (m *Model) onFlowDone(r steps.ConnectResult) (tea.Model, tea.Cmd) {
	if m.done { // cancelled already
		return m, nil
	}
	m.cur, m.ask, m.guide, m.done = StepSummary, nil, false, true
	m.run, m.trying = r.Test, nil
	if r.Outcome.Model != "" {
		m.model = r.Outcome.Model
	}
	m.result = Result{OK: r.OK, Cancelled: r.Cancelled, Summary: r.Summary, Outcome: r.Outcome}
	if m.opts.Yes {
		return m, tea.Quit
	}
	return m, nil
}

// ---- keys ----

func (m *Model) handleKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	ks := k.String()
	if m.child != nil {
		switch ks {
		case keyLeave:
			return m.leaveChild()
		case keyOpen:
			if u := m.progress.AuthURL; u != "" {
				return m, openBrowser(m.deps, u)
			}
			return m, nil
		case keyCopy:
			if s := m.copyText(); s != "" {
				// OSC 52 is a request to the terminal; some ignore it
				// (Terminal.app, VTE-based ones): say so, honestly.
				m.flash = "Sent to the terminal's clipboard (OSC 52); if nothing was copied, select the text."
				return m, m.copyCmd(s)
			}
			return m, nil
		}
		if !m.leaving {
			m.child.SendKey(uv.KeyPressEvent(k))
		}
		return m, nil
	}
	if m.help { // any key closes the help
		m.help = false
		if ks != "ctrl+c" {
			return m, nil
		}
	}
	if ks == "?" {
		m.help = true
		return m, nil
	}
	switch ks {
	case "pgdown", "pgup", "home", "end":
		// The body of a small terminal scrolls (issue 15 item 5).
		page := max(m.bodyRows()-2, 1)
		switch ks {
		case "pgdown":
			m.scroll = min(m.scroll+page, m.maxScroll())
		case "pgup":
			m.scroll = max(m.scroll-page, 0)
		case "home":
			m.scroll = 0
		case "end":
			m.scroll = m.maxScroll()
		}
		return m, nil
	}
	if m.guide {
		return m.guideKey(ks)
	}
	if ks == "ctrl+c" {
		return m.cancel()
	}
	if m.ask != nil {
		switch ks {
		case "up", "shift+tab":
			m.ask.cursor = (m.ask.cursor + len(m.ask.options) - 1) % len(m.ask.options)
		case "down", "tab":
			m.ask.cursor = (m.ask.cursor + 1) % len(m.ask.options)
		case "enter":
			return m.pick(m.ask.cursor)
		case "esc":
			return m.cancel()
		default:
			for i, o := range m.ask.options {
				if strings.EqualFold(ks, o.Key) {
					return m.pick(i)
				}
			}
		}
		return m, nil
	}
	if ks == "esc" && m.status[m.cur] == Running && m.stop[m.cur] != nil {
		// esc gives up the model list or the test run: the flow ends
		// CANCELLED (exit 130), no advice.
		stop := m.stop[m.cur]
		m.stop[m.cur] = nil
		stop()
		return m, nil
	}
	if m.cur == StepSummary && (ks == "q" || ks == "enter" || ks == "esc") {
		return m, tea.Quit
	}
	return m, nil
}

func (m *Model) copyText() string {
	if m.progress.Code != "" {
		return m.progress.Code
	}
	return m.progress.AuthURL
}

// clipMsg is the result of the local clipboard tool, if there is one.
type clipMsg struct {
	tool string
	err  error
}

// copyCmd sends text to the terminal's clipboard (OSC 52) and, on a local
// session, to the system clipboard too (pbcopy, wl-copy, xclip, xsel,
// clip.exe), so a terminal that ignores OSC 52 still copies.
func (m *Model) copyCmd(text string) tea.Cmd {
	ctx, sys := m.ctx, m.deps.Sys
	return tea.Batch(tea.SetClipboard(text), func() tea.Msg {
		tool, err := steps.CopyNative(ctx, sys, text)
		return clipMsg{tool, err}
	})
}

func (m *Model) onClip(msg clipMsg) {
	if msg.tool != "" && msg.err == nil {
		m.flash = "Copied (" + msg.tool + ", and OSC 52 to the terminal)."
	}
}

// cancel ends the wizard: Ctrl+C outside a child. The flow is stopped;
// the summary of a finished run stays as it is.
func (m *Model) cancel() (tea.Model, tea.Cmd) {
	if m.done {
		return m, tea.Quit
	}
	m.flowStop()
	m.result.Cancelled = true
	m.result.Outcome = steps.Outcome{Time: m.deps.Sys.Now(), Result: "CANCELLED", Step: m.cur.String(), Model: m.model}
	m.done = true
	return m, tea.Quit
}

// pick answers the flow's question with option i.
func (m *Model) pick(i int) (tea.Model, tea.Cmd) {
	q := m.ask
	if q == nil || i < 0 || i >= len(q.options) {
		return m, nil
	}
	m.ask = nil
	m.status[m.cur] = Running
	q.reply <- i
	return m, nil
}

// ---- the embedded child ----

// startChild runs the flow's child in the embedded terminal; its result
// goes back on reply when it exits.
func (m *Model) startChild(c steps.Child, reply chan<- steps.ChildResult) tea.Cmd {
	m.childSpec, m.childReply, m.childTitle = c, reply, c.Title
	m.leaving, m.failWhy = false, ""
	if c.Kind == childLogin {
		m.kind, m.progress, m.opened, m.port, m.menu = c.Method, steps.LoginProgress{}, false, 0, nil
		if c.Menus { // no -p/-m: answer OpenCode's own menus as the user would
			m.menu = &steps.MenuDriver{Kind: c.Method}
		}
	}
	cols, rows := m.termSize()
	env := append(m.deps.Sys.Environ(), c.Env...)
	sup, d := m.sup, m.deps
	return func() tea.Msg {
		path, err := d.Sys.LookPath(c.Name)
		if err != nil {
			return childStartedMsg{err: fmt.Errorf("%s is not on PATH", c.Name)}
		}
		s, err := ptyrun.Start(ptyrun.Spec{Path: path, Args: c.Args, Env: env, Cols: cols, Rows: rows, Filter: redact.NewStream()})
		if err != nil {
			return childStartedMsg{err: err}
		}
		sup.set(s)
		return childStartedMsg{s: s}
	}
}

func (m *Model) onChildStarted(msg childStartedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		reply := m.childReply
		m.childReply = nil
		reply <- steps.ChildResult{Exit: -1, Err: msg.err}
		return m, nil
	}
	if m.done { // cancelled while it started
		m.sup.shutdown()
		return m, nil
	}
	m.child, m.childWhat = msg.s, m.childSpec.Kind
	m.started = m.deps.Sys.Now()
	return m, tea.Batch(waitOutput(msg.s), waitExit(msg.s))
}

func waitOutput(s *ptyrun.Session) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-s.Updates():
			return childOutputMsg{s}
		case <-s.Done():
			return nil
		}
	}
}

func waitExit(s *ptyrun.Session) tea.Cmd {
	return func() tea.Msg {
		<-s.Done()
		return childExitMsg{s}
	}
}

func (m *Model) onChildOutput() tea.Cmd {
	if m.childWhat != childLogin {
		return nil
	}
	if m.menu != nil && !m.menu.Done && !m.leaving {
		if keys := m.menu.Next(m.child.Text()); keys != "" {
			m.child.WriteRaw([]byte(keys))
			if m.menu.Done {
				m.flash = "Picked " + m.menu.Picked + " in OpenCode's menu."
			}
		}
		if m.menu.Fail != "" {
			m.failWhy = m.menu.Fail
			_, cmd := m.leaveChild()
			return cmd
		}
	}
	prev := m.progress
	m.progress = steps.ParseLogin(m.child.Transcript())
	if m.progress.Code != "" && prev.Code != m.progress.Code {
		m.codeAt = m.deps.Sys.Now()
	}
	if m.progress.AuthURL != "" && prev.AuthURL != m.progress.AuthURL {
		m.port = steps.CallbackPort(m.progress.AuthURL)
		m.sup.setPort(m.port)
		m.opened = false
		if !m.childSpec.Headless && m.opts.Yes {
			m.opened = true
			return openBrowser(m.deps, m.progress.AuthURL)
		}
	}
	return nil
}

// leaveChild ends the child at the user's request: a waiting browser login
// ignores signals, so it is asked to cancel on its callback port first.
func (m *Model) leaveChild() (tea.Model, tea.Cmd) {
	if m.leaving {
		return m, nil
	}
	m.leaving = true
	m.flash = "Ending " + m.childTitle + "…"
	s, port, ctx := m.child, m.port, m.ctx
	return m, func() tea.Msg {
		steps.CancelBrowserLogin(context.WithoutCancel(ctx), port)
		_ = s.Close(2 * time.Second)
		return nil // waitExit delivers childExitMsg
	}
}

func (m *Model) onChildExit() (tea.Model, tea.Cmd) {
	s, left, why, reply := m.child, m.leaving, m.failWhy, m.childReply
	m.child, m.childWhat, m.leaving, m.flash, m.failWhy, m.childReply = nil, childNone, false, "", "", nil
	m.sup.clear(s)
	if m.childSpec.Kind == childLogin {
		m.progress = steps.ParseLogin(s.Transcript())
	}
	reply <- steps.ChildResult{Exit: s.ExitCode(), Transcript: s.Transcript(), Left: left, Why: why}
	return m, nil
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
