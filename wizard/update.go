package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/probe"
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

// Messages: results of commands, carried as data.
type (
	prereqMsg  struct{ p steps.Prereqs }
	methodsMsg struct {
		labels []string
		err    error
	}
	childStartedMsg struct {
		s      *ptyrun.Session
		what   childKind
		before probe.Credential
		backup string // the store's copy made before a login, "" when none
		err    error
	}
	notesMsg []string
	movedMsg struct {
		path, backup string
		err          error
	}
	childOutputMsg struct{ s *ptyrun.Session }
	childExitMsg   struct{ s *ptyrun.Session }
	credMsg        struct{ c probe.Credential }
	modelsMsg      struct {
		models []string
		last   string // the model that passed last time (last-connect.json)
		err    error
	}
	runMsg    struct{ r steps.TestReport }
	tickMsg   time.Time
	repairMsg struct {
		notes []string
		err   error
	}
	browserMsg  struct{ err error }
	autoPickMsg struct{}
)

// New builds the wizard's model.
func New(ctx context.Context, deps steps.Deps, opts Options) *Model {
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot))
	m := &Model{
		ctx: ctx, deps: deps, opts: opts, styles: theme.New(), sup: &supervisor{},
		width: 80, height: 24, spin: sp, now: deps.Sys.Now(),
	}
	m.status[StepPrereq] = Running
	return m
}

// startMsg starts the prerequisite checks.
type startMsg struct{}

// probeDelay lets the first frame paint before the checks start five child
// processes that compete with it for the CPU (bench figure 2: exec → first
// frame 206 ms → about 55 ms on two cores). The checks take seconds; the
// user does not see the delay.
const probeDelay = 100 * time.Millisecond

// Init draws the first frame, then starts the prerequisite checks: they
// spawn five processes (opencode, node, npx, npm, codex) that would compete
// with the first frame for the CPU.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.spin.Tick, tick(), tea.Tick(probeDelay, func(time.Time) tea.Msg { return startMsg{} }))
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m *Model) checkPrereqs() tea.Cmd {
	ctx, d := m.ctx, m.deps
	m.dropSpec()
	if m.spec = steps.StartModelsIfKept(ctx, d); m.spec != nil {
		m.specs = append(m.specs, m.spec)
	}
	return func() tea.Msg { return prereqMsg{steps.CheckPrereqs(ctx, d)} }
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
		return m, m.checkPrereqs()
	case prereqMsg:
		return m.onPrereq(msg.p)
	case repairMsg:
		return m.onRepair(msg)
	case movedMsg:
		return m.onMoved(msg)
	case notesMsg:
		m.notes = append(m.notes, msg...)
		return m, nil
	case methodsMsg:
		return m.onMethods(msg)
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
	case credMsg:
		return m.onLoginChecked(msg.c)
	case modelsMsg:
		return m.onModels(msg)
	case runMsg:
		return m.onRun(msg.r)
	case browserMsg:
		if msg.err != nil {
			m.flash = "Could not open a browser (" + msg.err.Error() + "): copy the URL with " + keyCopy + " and open it yourself."
		} else {
			m.flash = "Opened the authorization page in your browser."
		}
		return m, nil
	case autoPickMsg:
		if m.guide {
			return m.pickRoute(0)
		}
		if m.ask != nil {
			return m.pick(m.ask.cursor)
		}
		return m, nil
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
				if strings.EqualFold(ks, o.key) {
					return m.pick(i)
				}
			}
		}
		return m, nil
	}
	if m.cur == StepModels && m.status[StepModels] == Running && ks == "esc" && m.modelsStop != nil {
		m.modelsStopped = true
		m.modelsStop()
		return m, nil
	}
	if m.cur == StepTest && m.status[StepTest] == Running && ks == "esc" {
		if m.runStop != nil {
			m.testStopped = true
			m.runStop()
		}
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

// cancel ends the wizard: Ctrl+C outside a child.
func (m *Model) cancel() (tea.Model, tea.Cmd) {
	m.endSpecs()
	if m.runStop != nil {
		m.runStop()
	}
	m.result.Cancelled = true
	m.result.Outcome = steps.Outcome{Time: m.deps.Sys.Now(), Result: "CANCELLED", Step: m.cur.String(), Model: m.model}
	m.done = true
	return m, tea.Quit
}

// ask sets a question; with --yes the default is picked at once.
func (m *Model) setAsk(q *question) tea.Cmd {
	m.ask = q
	m.status[m.cur] = NeedsUser
	if m.opts.Yes {
		return func() tea.Msg { return autoPickMsg{} }
	}
	return nil
}

func (m *Model) pick(i int) (tea.Model, tea.Cmd) {
	q := m.ask
	if q == nil || i < 0 || i >= len(q.options) {
		return m, nil
	}
	m.ask = nil
	m.status[m.cur] = Running
	return m, q.options[i].act(m)
}

// ---- step 1: prerequisites ----

func (m *Model) onPrereq(p steps.Prereqs) (tea.Model, tea.Cmd) {
	m.prereq = p
	verdict := steps.JudgePrereqs(p, m.opts.Headless, m.opts.Browser)
	m.headless = verdict.Headless
	if !p.OpenCode.Found {
		m.status[StepPrereq] = NeedsUser
		m.detail[StepPrereq] = "OpenCode is not installed"
		if p.Npm.Found {
			return m, m.setAsk(&question{
				prompt: []string{"OpenCode is not installed.", "Install it now with npm? (runs: npm install -g opencode-ai)"},
				options: []option{
					{key: "y", label: "Yes, install with npm", act: func(m *Model) tea.Cmd {
						m.detail[StepPrereq] = "installing OpenCode with npm"
						return m.startChild(childInstall, "npm", []string{"install", "-g", "opencode-ai"}, "npm install -g opencode-ai")
					}},
					{key: "n", label: "No, I will install it myself", act: func(m *Model) tea.Cmd {
						f := steps.OpenCodeMissing(m.deps.Sys.GOOS)
						return m.fail(StepPrereq, f.Why, f.Next...)
					}},
				},
			})
		}
		f := steps.OpenCodeMissing(m.deps.Sys.GOOS)
		return m, m.fail(StepPrereq, f.Why, f.Next...)
	}
	m.notes = append(m.notes, verdict.Notes...)
	if f := verdict.Fail; f != nil {
		return m, m.fail(StepPrereq, f.Why, f.Next...)
	}
	d := "OpenCode " + firstNonEmpty(p.OpenCode.Version.Raw, "(version unknown)")
	if m.headless {
		d += " · headless"
	}
	if busy := p.BusyPorts(); len(busy) > 0 && !m.headless {
		m.notes = append(m.notes, fmt.Sprintf("Port %d is in use: the browser login needs it. Stop what holds it (lsof -i :%d) or use --headless.", busy[0], busy[0]))
	}
	m.complete(StepPrereq, d)
	return m, m.enterMethod()
}

// ---- step 2: login method ----

func (m *Model) enterMethod() tea.Cmd {
	m.cur = StepMethod
	m.status[StepMethod] = Running
	p := m.prereq
	switch {
	case p.NeedsPlugin():
		m.detail[StepMethod] = "installing the opencode-openai-codex-auth plugin"
		m.dropSpec() // the plugin changes the list
		return m.startChild(childPlugin, "npx", []string{"-y", "opencode-openai-codex-auth@latest"}, "npx -y opencode-openai-codex-auth@latest")
	case p.StaleConfig():
		var what []string
		for _, f := range p.Config.Files {
			for _, e := range f.PluginEntries {
				what = append(what, fmt.Sprintf("plugin %q in %s", e, f.Path))
			}
			if f.ProviderOpenAI {
				what = append(what, "a provider.openai block in "+f.Path)
			}
		}
		prompt := append([]string{"Your OpenCode config has:"}, indent(what)...)
		prompt = append(prompt, "", steps.StaleConfigExplanation, "", "Remove them? A timestamped backup of each file is made first; comments are kept.")
		return m.setAsk(&question{prompt: prompt, options: []option{
			{key: "y", label: "Yes, back up and remove them", act: func(m *Model) tea.Cmd { return m.repairConfig() }},
			{key: "n", label: "No, keep my config (the built-in login may stay hidden)", act: func(m *Model) tea.Cmd {
				m.notes = append(m.notes, "Kept the stale plugin config; if login fails, try: opencode auth login --pure")
				return m.methodsOrLogin()
			}},
		}})
	default:
		m.detail[StepMethod] = "built in (no plugin needed)"
		return m.methodsOrLogin()
	}
}

// methodsOrLogin asks OpenCode for its login methods, unless a usable login
// is stored: then none is needed unless the user logs in again.
func (m *Model) methodsOrLogin() tea.Cmd {
	if steps.UsableLogin(m.prereq.Cred) {
		m.methodsLater = true
		m.complete(StepMethod, firstNonEmpty(m.detail[StepMethod], "built in")+" · not needed for the stored login")
		return m.enterLogin()
	}
	return m.methodsCmd()
}

// methodBase is the Login method row without the method it names.
func (m *Model) methodBase() string {
	d := m.detail[StepMethod]
	for _, suffix := range append([]string{"not needed for the stored login", "menus"}, m.methods...) {
		d = strings.TrimSuffix(d, " · "+suffix)
	}
	return firstNonEmpty(d, "built in")
}

// methodsCmd yields the login methods: the known labels of this release
// when it is one measured (no OpenCode call, the login starts at once),
// else OpenCode's own answer. A stale plugin config may hide the built-in
// labels, so then OpenCode is asked.
func (m *Model) methodsCmd() tea.Cmd {
	if known := steps.KnownMethods(m.prereq.OpenCode.Version); known != nil && !m.prereq.StaleConfig() {
		m.methodsGuessed = true
		return func() tea.Msg { return methodsMsg{labels: known} }
	}
	return m.discoverMethods()
}

func indent(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "  • " + l
	}
	return out
}

func (m *Model) repairConfig() tea.Cmd {
	report, now := m.prereq.Config, m.deps.Sys.Now()
	return func() tea.Msg {
		changes, err := steps.RemoveStaleConfig(report, now)
		var notes []string
		for _, c := range changes {
			notes = append(notes, fmt.Sprintf("Removed %s from %s (backup: %s)", strings.Join(c.Removed, " and "), c.Path, c.Backup))
		}
		return repairMsg{notes: notes, err: err}
	}
}

func (m *Model) onRepair(msg repairMsg) (tea.Model, tea.Cmd) {
	m.notes = append(m.notes, msg.notes...)
	m.dropSpec() // the repair changes the list
	if msg.err != nil {
		return m, m.fail(StepMethod, "Could not repair the OpenCode config: "+msg.err.Error(),
			"Remove the opencode-openai-codex-auth plugin and provider.openai from your OpenCode config by hand, or log in with: opencode auth login --pure")
	}
	m.detail[StepMethod] = "built in · stale plugin config removed"
	return m, m.methodsOrLogin()
}

func (m *Model) discoverMethods() tea.Cmd {
	ctx, d := m.ctx, m.deps
	return func() tea.Msg {
		labels, err := steps.DiscoverMethods(ctx, d)
		return methodsMsg{labels, err}
	}
}

func (m *Model) onMethods(msg methodsMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil && !errors.Is(msg.err, steps.ErrNoMethodFlags) {
		return m, m.fail(StepMethod, msg.err.Error(), "Run OpenCode's login yourself to see what it says: opencode auth login")
	}
	m.methods = msg.labels
	m.kind = steps.MethodBrowser
	if m.headless {
		m.kind = steps.MethodDevice
	}
	if errors.Is(msg.err, steps.ErrNoMethodFlags) {
		m.method = "" // drive the menus: the user picks inside the embedded terminal
		m.notes = append(m.notes, "This OpenCode has no --provider/--method flags: heidi answers its menus (you can take over with the keys).")
	} else {
		m.method = steps.PickMethod(msg.labels, m.kind)
		if m.method == "" && m.kind == steps.MethodDevice {
			m.kind = steps.MethodBrowser
			m.method = steps.PickMethod(msg.labels, m.kind)
		}
		if m.method == "" {
			return m, m.fail(StepMethod, "OpenCode offers no ChatGPT login method (it offers: "+strings.Join(msg.labels, ", ")+").",
				firstNonEmpty(steps.OtherPluginNote(m.prereq.Config), "A plugin may hide the built-in login; try: opencode auth login --pure"),
				"Update OpenCode: npm install -g opencode-ai@latest")
		}
	}
	if m.loginAfterMethods {
		m.loginAfterMethods = false
		return m, m.beginLogin() // it writes the method into the row
	}
	if m.detail[StepMethod] == "" || m.status[StepMethod] != Done {
		m.complete(StepMethod, firstNonEmpty(m.detail[StepMethod], "built in")+" · "+firstNonEmpty(m.method, "menus"))
	}
	return m, m.enterLogin()
}

// ---- step 3: login ----

func (m *Model) enterLogin() tea.Cmd {
	m.cur = StepLogin
	m.status[StepLogin] = Running
	c := m.prereq.Cred
	if c.EnvOverride {
		m.notes = append(m.notes, "OPENCODE_AUTH_CONTENT is set: OpenCode reads credentials from it, not from auth.json.")
	}
	if c.Subscription() && !steps.UsableLogin(c) {
		m.notes = append(m.notes, "The stored ChatGPT login has no refresh token; logging in again.")
	}
	if steps.UsableLogin(c) {
		what := "A ChatGPT login is already stored"
		if n := steps.AccountNote(c); n != "" {
			what += " (" + n + ")"
		}
		return m.setAsk(&question{prompt: []string{what + ".", "Keep it, or log in again?"}, options: []option{
			{key: "k", label: "Keep the existing login", act: func(m *Model) tea.Cmd {
				m.status[StepLogin] = Skipped
				m.detail[StepLogin] = "kept the existing ChatGPT login"
				return m.enterModels()
			}},
			{key: "l", label: "Log in again", act: func(m *Model) tea.Cmd {
				if m.methodsLater {
					m.methodsLater, m.loginAfterMethods = false, true
					m.detail[StepLogin] = "asking OpenCode for its login methods"
					return m.methodsCmd()
				}
				return m.beginLogin()
			}},
		}})
	}
	if steps.StoreNeedsRepair(c) {
		return m.setAsk(&question{prompt: []string{
			"OpenCode's credential store is broken: " + c.Detail,
			"OpenCode silently ignores it. Move it aside to a timestamped backup (nothing is deleted) and log in?",
		}, options: []option{
			{key: "y", label: "Yes, move it aside and log in", act: func(m *Model) tea.Cmd {
				path, now := c.Path, m.deps.Sys.Now()
				return func() tea.Msg {
					b, err := steps.MoveStoreAside(path, now)
					return movedMsg{path: path, backup: b, err: err}
				}
			}},
			{key: "n", label: "No, stop here", act: func(m *Model) tea.Cmd {
				return m.fail(StepLogin, "The credential store is broken: "+c.Detail, "Back it up and move it aside, then run heidi again.")
			}},
		}})
	}
	if c.Problem == probe.StoreSymlink || c.Problem == probe.StoreIsDir || c.Problem == probe.StoreUnreadable {
		return m.fail(StepLogin, "OpenCode's credential store cannot be used: "+c.Detail,
			"Move "+c.Path+" aside yourself (heidi does not touch links, directories or unreadable files), then run heidi again.")
	}
	if c.Present && c.Type != probe.CredOAuth && steps.ReplacedEntry(c) != "" {
		return m.setAsk(&question{prompt: append(steps.ReplaceQuestion(c), "Back it up and log in?"), options: []option{
			{key: "y", label: "Yes, back it up and log in", act: func(m *Model) tea.Cmd { return m.beginLogin() }},
			{key: "n", label: "No, stop here", act: func(m *Model) tea.Cmd {
				return m.fail(StepLogin, "Not logged in: auth.json keeps "+steps.ReplacedEntry(c)+" for OpenAI.",
					"Run heidi again and let it back the entry up, or keep using the API key.")
			}},
		}})
	}
	return m.beginLogin()
}

func (m *Model) onMoved(msg movedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		return m, m.fail(StepLogin, msg.err.Error(), "Move "+msg.path+" aside yourself, then run heidi again.")
	}
	m.notes = append(m.notes, "Moved the broken "+msg.path+" aside to "+msg.backup)
	return m, m.beginLogin()
}

func (m *Model) beginLogin() tea.Cmd {
	if m.headless && !m.guideSeen {
		m.guideSeen = true
		return m.enterGuide()
	}
	m.progress = steps.LoginProgress{}
	m.opened, m.port = false, 0
	m.menu = nil
	if m.method == "" { // no -p/-m: answer OpenCode's own menus as the user would
		m.menu = &steps.MenuDriver{Kind: m.kind}
	}
	// The summary names the method that runs (a guide route may switch it).
	if m.method != "" {
		m.detail[StepMethod] = m.methodBase() + " · " + m.method
	}
	title := "opencode " + strings.Join(steps.QuoteArgs(steps.LoginArgs(m.method)), " ")
	m.detail[StepLogin] = "running " + title
	return m.startChild(childLogin, "opencode", steps.LoginArgs(m.method), title)
}

// ---- the embedded child ----

func (m *Model) startChild(what childKind, name string, args []string, title string) tea.Cmd {
	m.childTitle = title
	m.leaving = false
	cols, rows := m.termSize()
	env := append(m.deps.Sys.Environ(), "OPENCODE_DISABLE_AUTOUPDATE=1")
	if what == childPlugin {
		env = append(env, "npm_config_fetch_retries=1")
	}
	sup, d := m.sup, m.deps
	return func() tea.Msg {
		var before probe.Credential
		var backup string
		if what == childLogin { // what the store held before, to judge the login by
			before = probe.InspectAuth(d.Sys, d.Paths)
			// OpenCode's login rewrites the store: keep a byte-checked copy first.
			b, err := steps.BackupBeforeLogin(d.Paths.AuthFile, d.Sys.Now())
			if err != nil {
				return childStartedMsg{what: what, err: err}
			}
			backup = b
		}
		path, err := d.Sys.LookPath(name)
		if err != nil {
			return childStartedMsg{what: what, err: fmt.Errorf("%s is not on PATH", name)}
		}
		s, err := ptyrun.Start(ptyrun.Spec{Path: path, Args: args, Env: env, Cols: cols, Rows: rows, Filter: redact.NewStream()})
		if err != nil {
			return childStartedMsg{what: what, err: err}
		}
		sup.set(s)
		return childStartedMsg{s: s, what: what, before: before, backup: backup}
	}
}

func (m *Model) onChildStarted(msg childStartedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		step := m.cur
		return m, m.fail(step, "Could not start "+m.childTitle+": "+msg.err.Error())
	}
	if m.done { // cancelled while it started
		m.sup.shutdown()
		return m, nil
	}
	m.child, m.childWhat = msg.s, msg.what
	if msg.what == childLogin {
		m.before = msg.before
		if msg.backup != "" {
			m.notes = append(m.notes, "Backed up "+m.deps.Paths.AuthFile+" to "+msg.backup+" before the login")
		}
	}
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
		if !m.headless && m.opts.Yes {
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
	s, what, left := m.child, m.childWhat, m.leaving
	m.child, m.childWhat, m.leaving, m.flash = nil, childNone, false, ""
	m.sup.clear(s)
	code := s.ExitCode()
	tail := steps.Tail(s.Transcript(), 6, 600)
	switch what {
	case childInstall:
		if code != 0 || left {
			return m, m.fail(StepPrereq, fmt.Sprintf("npm install -g opencode-ai failed (exit %d).", code), append([]string{tail}, steps.InstallHints(m.deps.Sys.GOOS)...)...)
		}
		m.status[StepPrereq] = Running
		m.detail[StepPrereq] = "installed OpenCode; checking again"
		return m, m.checkPrereqs()
	case childPlugin:
		if code != 0 || left {
			return m, m.fail(StepMethod, fmt.Sprintf("npx -y opencode-openai-codex-auth@latest failed (exit %d).", code),
				tail, "Check that the npm registry is reachable, or update OpenCode to 1.1.11+ (no plugin needed): npm install -g opencode-ai@latest")
		}
		m.notes = append(m.notes, "Installed the opencode-openai-codex-auth plugin.")
		m.detail[StepMethod] = "plugin installed"
		before, since := m.prereq.Config, m.started
		return m, tea.Batch(m.discoverMethods(), func() tea.Msg {
			return notesMsg(steps.PluginBackups(before, since))
		})
	case childCodex:
		return m.onCodexExit(code, left, lastErrorLine(s.Transcript()))
	case childLogin:
		m.loginExit = code
		if m.methodsGuessed {
			if labels := steps.ParseMethods(s.Transcript()); len(labels) > 0 {
				// The guessed label was wrong; OpenCode named the right ones.
				m.methodsGuessed, m.loginAfterMethods = false, true
				m.detail[StepMethod] = m.methodBase() // drop the guessed label
				m.notes = append(m.notes, "This OpenCode names its login methods: "+strings.Join(labels, ", "))
				return m.onMethods(methodsMsg{labels: labels})
			}
		}
		m.progress = steps.ParseLogin(s.Transcript())
		if m.failWhy != "" {
			why := m.failWhy
			m.failWhy = ""
			return m, m.fail(StepLogin, why+".", "Update OpenCode (1.1.11+ has the ChatGPT login built in): npm install -g opencode-ai@latest")
		}
		if left && m.guideSeen {
			// Back to the headless guide, so another route can be picked.
			m.guide = true
			m.status[StepLogin] = NeedsUser
			m.detail[StepLogin] = "headless: choose a route"
			m.flash = "You left the login. Pick another route, or run route 1 again."
			return m, nil
		}
		if left {
			const why = "You left the login before it finished."
			if m.kind == steps.MethodBrowser && m.method != "" && !m.opts.Yes && m.loginTries < 3 {
				return m, m.retryLogin(why) // a way on, not only out (issue 15 item 4)
			}
			return m, m.fail(StepLogin, why, m.loginHints()...)
		}
		sys, paths := m.deps.Sys, m.deps.Paths
		return m, func() tea.Msg { return credMsg{probe.InspectAuth(sys, paths)} }
	}
	return m, nil
}

// retryLogin offers a way on after a failed browser login (issue 15 item
// 4): try it again, take the device-code login (it needs no browser or
// callback on this machine), or stop with the summary.
func (m *Model) retryLogin(why string) tea.Cmd {
	m.loginTries++
	opts := []option{{key: "r", label: "Try the browser login again", act: func(m *Model) tea.Cmd { return m.beginLogin() }}}
	if dev := steps.PickMethod(m.methods, steps.MethodDevice); dev != "" {
		opts = append(opts, option{key: "d", label: "Use the device-code login instead (a code to enter on any device)", act: func(m *Model) tea.Cmd {
			m.method, m.kind = dev, steps.MethodDevice
			return m.beginLogin()
		}})
	}
	opts = append(opts, option{key: "s", label: "Stop here", act: func(m *Model) tea.Cmd {
		return m.fail(StepLogin, why, m.loginHints()...)
	}})
	m.detail[StepLogin] = "did not complete"
	return m.setAsk(&question{prompt: []string{why, "What now?"}, options: opts})
}

func (m *Model) onLoginChecked(after probe.Credential) (tea.Model, tea.Cmd) {
	if f := steps.LoginFailure(m.prereq, m.deps.Paths, m.before, after, m.progress, m.kind); f != nil {
		msg := f.Why
		// A login the user cancelled inside OpenCode (ctrl+c: "◇  Canceled",
		// rc 0; docs/versions.md) ends here; a failed one offers a way on.
		userCancelled := m.progress.Cancelled && m.loginExit == 0
		if m.kind == steps.MethodBrowser && m.method != "" && !m.opts.Yes && !userCancelled && m.loginTries < 3 {
			return m, m.retryLogin(msg)
		}
		return m, m.fail(StepLogin, msg, m.loginHints()...)
	}
	d := "ChatGPT login stored"
	if n := steps.AccountNote(after); n != "" {
		d += " (" + n + ")"
	}
	m.complete(StepLogin, d)
	return m, m.enterModels()
}

func (m *Model) loginHints() []string {
	return steps.LoginHints(m.prereq, m.deps.Paths, m.progress, m.kind)
}

// ---- step 4: models ----

// dropSpec stops the model list started ahead of need.
func (m *Model) dropSpec() {
	if m.spec != nil {
		m.spec.Stop()
		m.spec = nil
	}
}

// endSpecs ends every list started ahead of need and waits until their
// children are gone (a kill and a reap: milliseconds).
func (m *Model) endSpecs() {
	m.spec = nil
	for _, f := range m.specs {
		f.Cancel()
	}
	m.specs = nil
}

func (m *Model) enterModels() tea.Cmd {
	m.cur = StepModels
	m.status[StepModels] = Running
	m.started = m.deps.Sys.Now()
	ctx, stop := context.WithCancel(m.ctx)
	d := m.deps
	spec := m.spec
	if m.status[StepLogin] != Skipped {
		spec = nil // a login ran: the list may have changed
		m.dropSpec()
	}
	m.spec = nil
	m.modelsStop = func() { stop(); spec.Stop() }
	return func() tea.Msg {
		var models []string
		var err error
		if spec != nil {
			models, err = spec.Wait()
		} else {
			models, err = steps.ListModels(ctx, d)
		}
		stop()
		last := ""
		if o, oerr := steps.LoadOutcome(d.Paths); oerr == nil && o.Result == "PASS" {
			last = o.Model
		}
		return modelsMsg{models: models, last: last, err: err}
	}
}

func (m *Model) onModels(msg modelsMsg) (tea.Model, tea.Cmd) {
	m.modelsStop = nil
	if msg.err != nil && m.modelsStopped {
		// The user gave up waiting: a cancel, not a failure (exit 130).
		return m, m.stopped(StepModels, "you stopped waiting for OpenCode's model list; run heidi again")
	}
	if msg.err != nil {
		f := steps.ModelsFailure(msg.err)
		return m, m.fail(StepModels, f.Why, f.Next...)
	}
	m.models = msg.models
	cands, err := steps.TestCandidates(m.models, m.opts.Model, msg.last)
	if err != nil {
		f := steps.ModelChoiceFailure(err)
		return m, m.fail(StepModels, f.Why, f.Next...)
	}
	m.cands, m.model = cands, cands[0]
	m.complete(StepModels, fmt.Sprintf("%d %s (first: %s)", len(m.models), plural(len(m.models), "model"), m.models[0]))
	return m, m.enterTest()
}

// ---- step 5: test run ----

func (m *Model) enterTest() tea.Cmd {
	m.cur = StepTest
	if m.opts.SkipTest {
		m.status[StepTest] = Skipped
		m.detail[StepTest] = "skipped (--skip-test)"
		return m.finish()
	}
	m.status[StepTest] = Running
	m.started = m.deps.Sys.Now()
	ctx, stop := context.WithCancel(m.ctx)
	m.runStop = stop
	d, cands := m.deps, m.cands
	trying := new(atomic.Pointer[tryState])
	trying.Store(&tryState{model: m.model})
	m.trying = trying
	return func() tea.Msg {
		return runMsg{steps.TestWithFallback(ctx, d, cands, func(model string, refused []steps.Refusal) {
			trying.Store(&tryState{model: model, refused: refused})
		})}
	}
}

func (m *Model) onRun(r steps.TestReport) (tea.Model, tea.Cmd) {
	m.run = r
	if m.runStop != nil {
		m.runStop()
		m.runStop = nil
	}
	m.model, m.trying = r.Model, nil
	if note := r.Note(); note != "" {
		m.notes = append(m.notes, "Test run: "+note)
	}
	if !r.Pass && m.testStopped {
		// A cancel, not a failure: exit 130, no advice (issue 15 item 10).
		return m, m.stopped(StepTest, "you stopped the test run before it finished; run heidi again to test")
	}
	if !r.Pass {
		f := steps.TestFailure(r)
		return m, m.fail(StepTest, f.Why, f.Next...)
	}
	m.complete(StepTest, fmt.Sprintf("PASS in %.1fs with %s", r.Duration.Seconds(), r.Model))
	return m, m.finish()
}

// ---- transitions ----

func (m *Model) complete(id StepID, detail string) {
	m.status[id] = Done
	m.detail[id] = detail
}

// fail marks the step failed and moves to the summary.
func (m *Model) fail(id StepID, why string, next ...string) tea.Cmd {
	m.status[id] = Failed
	m.detail[id] = firstLine(why)
	m.failMsg = why
	for _, n := range next {
		if strings.TrimSpace(n) != "" {
			m.next = append(m.next, n)
		}
	}
	return m.finish()
}

// stopped ends the wizard at a step the user stopped with esc: the summary
// says so, the outcome is CANCELLED and the exit 130.
func (m *Model) stopped(id StepID, why string) tea.Cmd {
	m.endSpecs()
	m.status[id], m.detail[id] = Failed, "stopped"
	m.cur, m.ask, m.done = StepSummary, nil, true
	m.status[StepSummary] = Failed
	m.result.Summary = steps.SummaryStopped(id.String(), why)
	m.result.Cancelled = true
	m.result.Outcome = steps.Outcome{Time: m.deps.Sys.Now(), Result: "CANCELLED", Step: id.String(), Model: m.model}
	if m.opts.Yes {
		return tea.Quit
	}
	return nil
}

// finish builds the summary and records the outcome.
func (m *Model) finish() tea.Cmd {
	m.endSpecs()
	m.cur = StepSummary
	m.ask = nil
	ok := m.failMsg == ""
	m.result.OK = ok
	m.result.Summary = SummaryLines(m)
	m.status[StepSummary] = Done
	if !ok {
		m.status[StepSummary] = Failed
	}
	o := steps.Outcome{Time: m.deps.Sys.Now(), Model: m.model, Result: "PASS"}
	switch {
	case !ok:
		o.Result, o.LastError = "FAIL", m.failMsg
		for id := StepPrereq; id < StepSummary; id++ {
			if m.status[id] == Failed {
				o.Step = id.String()
			}
		}
	case m.status[StepTest] == Skipped:
		o.Result = "SKIPPED"
	}
	m.result.Outcome = o
	m.done = true
	if m.opts.Yes {
		return tea.Quit
	}
	return nil
}

// SummaryLines are the lines shown at the end and printed again after exit.
func SummaryLines(m *Model) []string {
	if m.failMsg == "" {
		return steps.SummarySuccess(m.deps.Paths.AuthFile, m.models, m.status[StepTest] != Skipped)
	}
	step := ""
	for id := StepPrereq; id < StepSummary; id++ {
		if m.status[id] == Failed {
			step = id.String()
		}
	}
	return steps.SummaryFailure(step, m.failMsg, m.next)
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
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

// lastErrorLine is the last line of a child's transcript that says
// "error", else its last line; redacted and short.
func lastErrorLine(transcript string) string {
	var last, lastErr string
	for _, l := range strings.Split(ansi.Strip(transcript), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		last = l
		if strings.Contains(strings.ToLower(l), "error") {
			lastErr = l
		}
	}
	l := redact.String(firstNonEmpty(lastErr, last))
	if r := []rune(l); len(r) > 200 {
		l = string(r[:199]) + "…"
	}
	return l
}
