package wizard

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/steps"
	"github.com/heidi-cli/heidi/steps/steptest"
)

var update = flag.Bool("update", false, "rewrite the golden screens")

func golden(t *testing.T, name string, m *Model) {
	t.Helper()
	got := ansi.Strip(m.View().Content)
	// Trailing blanks are not part of what a person sees.
	lines := strings.Split(got, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	got = strings.Join(lines, "\n")
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no golden file %s (run go test ./wizard -update): %v", path, err)
	}
	if got != string(want) {
		t.Fatalf("screen %s differs from %s:\n--- got ---\n%s\n--- want ---\n%s", name, path, got, want)
	}
	if h := strings.Count(got, "\n"); h != m.height-1 {
		t.Fatalf("screen %s has %d lines, want %d", name, h+1, m.height)
	}
}

var fixedNow = steptest.Now

// drive runs the real connect flow (steps.Connect) on a machine without
// OpenCode (steptest) and feeds its calls to the model, as Run does.
// Children are answered by child, not started.
type drive struct {
	t     *testing.T
	m     *Model
	mach  *steptest.Machine
	done  chan steps.ConnectResult
	child func(c steps.Child) steps.ChildResult
	kids  []steps.Child
}

// start builds the model on a machine whose home shows as /home/ada;
// setup changes the machine first. The flow runs until it waits for the
// user or ends.
func start(t *testing.T, opts Options, setup func(*steptest.Machine)) *drive {
	t.Helper()
	mach := steptest.NewMachineAt(t, "/home/ada")
	if setup != nil {
		setup(mach)
	}
	d := &drive{t: t, mach: mach, done: make(chan steps.ConnectResult, 1)}
	d.m = New(context.Background(), steps.NewDeps(mach.Sys), opts)
	d.m.now = fixedNow
	d.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return d
}

// size sets the terminal size before the flow starts.
func (d *drive) size(w, h int) *drive {
	d.m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

// go starts the flow and pumps it.
func (d *drive) run() *drive {
	m := d.m
	ui := &teaUI{ctx: m.flowCtx, events: m.events}
	go func() {
		r := steps.Connect(m.flowCtx, m.deps, m.opts, ui)
		close(m.flowDone)
		d.done <- r
	}()
	d.t.Cleanup(func() { m.flowStop(); <-m.flowDone })
	return d.pump(nil)
}

// pump feeds the flow's calls to the model until until reports true, the
// flow waits for the user (a question, the guide), or it ends.
func (d *drive) pump(until func(*Model) bool) *drive {
	d.t.Helper()
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for {
		if until != nil && until(d.m) {
			return d
		}
		select {
		case ev := <-d.m.events:
			if c, ok := ev.(runChildMsg); ok {
				d.kids = append(d.kids, c.c)
				if d.child == nil {
					d.t.Fatalf("the flow ran %s, and the test has no child for it", c.c.Title)
				}
				c.reply <- d.child(c.c)
				continue
			}
			d.m.Update(ev)
			if until == nil && (d.m.ask != nil || d.m.guide) {
				return d
			}
		case r := <-d.done:
			d.m.Update(flowDoneMsg{r})
			return d
		case <-timeout.C:
			d.t.Fatalf("the flow is stuck at %v", d.m.cur)
		}
	}
}

// key presses a key and pumps the flow on.
func (d *drive) key(s string) *drive {
	d.t.Helper()
	d.m.Update(key(s))
	if d.m.done {
		return d
	}
	return d.pump(nil)
}

func withLogin(t *testing.T) func(*steptest.Machine) {
	return func(m *steptest.Machine) { m.WriteAuth(t, steptest.OAuthEntry) }
}

func headless(m *steptest.Machine) { m.Env["SSH_CONNECTION"] = "10.0.0.1 50000 10.0.0.2 22" }

func newModel(t *testing.T, opts Options) *Model {
	return start(t, opts, nil).m
}

func key(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func TestGoldenPrereqRunning(t *testing.T) {
	m := newModel(t, Options{})
	golden(t, "01-prereq-running", m)
}

func TestGoldenOpenCodeMissingOffersNpm(t *testing.T) {
	d := start(t, Options{}, func(m *steptest.Machine) { m.Tools["opencode"] = false }).run()
	m := d.m
	if m.ask == nil || m.status[StepPrereq] != NeedsUser {
		t.Fatalf("no install question; status %v", m.status[StepPrereq])
	}
	golden(t, "02-opencode-missing", m)
	d.key("n")
	if !m.done || m.result.OK || m.status[StepPrereq] != Failed {
		t.Fatalf("declining the install did not fail the step")
	}
	joined := strings.Join(m.result.Summary, "\n")
	for _, want := range []string{"npm install -g opencode-ai", "curl -fsSL https://opencode.ai/install | bash", "brew install"} {
		if !strings.Contains(joined, want) {
			t.Fatalf("summary lacks %q:\n%s", want, joined)
		}
	}
	golden(t, "03-opencode-missing-summary", m)
}

func TestOldOpenCodeWithoutNodeStops(t *testing.T) {
	m := start(t, Options{}, func(m *steptest.Machine) {
		m.Run.Answers["opencode --version"] = probe.Result{Stdout: []byte("1.0.185\n")}
		m.Tools["node"], m.Tools["npx"], m.Tools["npm"] = false, false, false
	}).run().m
	if !m.done || m.status[StepPrereq] != Failed || !strings.Contains(strings.Join(m.result.Summary, "\n"), "Install Node.js") {
		t.Fatalf("summary = %q", m.result.Summary)
	}
}

func writeStaleConfig(t *testing.T) func(*steptest.Machine) {
	return func(m *steptest.Machine) {
		m.WriteFile(t, ".config/opencode/opencode.jsonc", `{"plugin":["opencode-openai-codex-auth"],"provider":{"openai":{}}}`)
	}
}

func TestStaleConfigQuestion(t *testing.T) {
	m := start(t, Options{}, writeStaleConfig(t)).run().m
	if m.cur != StepMethod || m.ask == nil {
		t.Fatalf("no stale-config question (cur %v)", m.cur)
	}
	golden(t, "04-stale-config", m)
}

func TestYesPicksDefaultsWithoutPausing(t *testing.T) {
	m := start(t, Options{Yes: true}, withLogin(t)).run().m
	if m.status[StepLogin] != Skipped || !m.done || !m.result.OK {
		t.Fatalf("--yes did not keep the existing login: login %v, cur %v, summary %q", m.status[StepLogin], m.cur, m.result.Summary)
	}
}

func TestHappyPathToSummary(t *testing.T) {
	hold := make(chan struct{})
	d := start(t, Options{}, func(m *steptest.Machine) {
		withLogin(t)(m)
		m.Run.Answers["opencode models openai"] = probe.Result{Stdout: []byte("openai/gpt-5.3-codex-spark\nopenai/gpt-5.4\n")}
		m.Run.Answers["opencode run say ok --model=openai/gpt-5.4"] = probe.Result{Stdout: []byte("ok\n")}
		m.Run.Hold = map[string]chan struct{}{"opencode run say ok --model=openai/gpt-5.4": hold}
	}).run()
	m := d.m
	// A usable login is stored: OpenCode is not asked for its login methods
	// unless the user logs in again (issue 17).
	if d.mach.Run.Called("opencode auth login") || m.status[StepMethod] != Done || m.ask == nil {
		t.Fatalf("calls %q, method step %v, ask %v", d.mach.Run.Calls(), m.status[StepMethod], m.ask != nil)
	}
	golden(t, "05-keep-login", m)
	m.Update(key("k"))
	d.pump(func(m *Model) bool { return m.cur == StepTest && m.trying != nil })
	// The Pro-only preview listed first is not the one tested (issue 14).
	if m.model != "openai/gpt-5.4" {
		t.Fatalf("cur %v model %q", m.cur, m.model)
	}
	m.now = m.started.Add(12 * time.Second)
	golden(t, "06-test-running", m)
	close(hold)
	d.pump(nil)
	want := []string{
		"Connected: OpenCode → OpenAI (ChatGPT Plus/Pro)",
		"Auth file: /home/ada/.local/share/opencode/auth.json",
		"Models: 2 (first: openai/gpt-5.3-codex-spark)",
		"Test run: PASS",
	}
	if strings.Join(m.result.Summary, "\n") != strings.Join(want, "\n") || !m.result.OK {
		t.Fatalf("summary = %q", m.result.Summary)
	}
	golden(t, "07-summary-pass", m)
	if _, cmd := m.Update(key("q")); cmd == nil {
		t.Fatal("q on the summary does not quit")
	}
}

// TestLogInAgainAsksForMethodsThen: choosing "log in again" runs the login
// with the method of this release (it was not needed before).
func TestLogInAgainAsksForMethodsThen(t *testing.T) {
	d := start(t, Options{}, withLogin(t)).run()
	d.child = func(c steps.Child) steps.ChildResult { return steps.ChildResult{Exit: 1} }
	d.key("l")
	if len(d.kids) != 1 || d.kids[0].Args[len(d.kids[0].Args)-1] != "ChatGPT Pro/Plus (browser)" {
		t.Fatalf("children %+v", d.kids)
	}
	if !strings.HasSuffix(d.m.detail[StepMethod], " · ChatGPT Pro/Plus (browser)") {
		t.Errorf("method detail %q", d.m.detail[StepMethod])
	}
}

func TestModelFlagMustBeListed(t *testing.T) {
	m := start(t, Options{Model: "gpt-9"}, withLogin(t)).run().key("k").m
	if m.status[StepModels] != Failed || !strings.Contains(strings.Join(m.result.Summary, "\n"), "openai/gpt-9") {
		t.Fatalf("summary %q", m.result.Summary)
	}
}

func TestTestRunFailureSummary(t *testing.T) {
	m := start(t, Options{}, func(m *steptest.Machine) {
		withLogin(t)(m)
		m.Run.Answers["opencode models openai"] = probe.Result{Stdout: []byte("openai/gpt-5.4\n")}
		m.Run.Answers["opencode run say ok --model=openai/gpt-5.4"] = probe.Result{ExitCode: 1,
			Stdout: []byte("> build · gpt-5.4\nError: Cannot connect to API: Unable to connect. Is the computer able to access the url?\n")}
	}).run().key("k").m
	if m.result.OK || !slices.Contains(m.result.Summary, "Test run: FAIL") {
		t.Fatalf("summary = %q", m.result.Summary)
	}
	if m.result.Outcome.Result != "FAIL" || m.result.Outcome.Step != "Test run" {
		t.Fatalf("outcome = %+v", m.result.Outcome)
	}
	golden(t, "08-summary-test-fail", m)
}

func TestHeadlessPicksDeviceMethod(t *testing.T) {
	fail := func(c steps.Child) steps.ChildResult { return steps.ChildResult{Exit: 1} }
	d := start(t, Options{Yes: true}, headless)
	d.child = fail
	d.run()
	if len(d.kids) == 0 || d.kids[0].Args[len(d.kids[0].Args)-1] != "ChatGPT Pro/Plus (headless)" {
		t.Fatalf("children %+v", d.kids)
	}
	b := start(t, Options{Browser: true, Yes: true}, headless)
	b.child = fail
	b.run()
	if len(b.kids) == 0 || b.kids[0].Args[len(b.kids[0].Args)-1] != "ChatGPT Pro/Plus (browser)" {
		t.Fatalf("--browser children %+v", b.kids)
	}
}

func TestCtrlCCancels(t *testing.T) {
	m := newModel(t, Options{})
	_, cmd := m.Update(key("ctrl+c"))
	if cmd == nil || !m.result.Cancelled || m.result.Outcome.Result != "CANCELLED" {
		t.Fatalf("ctrl+c: cancelled=%v outcome=%+v", m.result.Cancelled, m.result.Outcome)
	}
	if m.flowCtx.Err() == nil {
		t.Fatal("ctrl+c did not stop the flow")
	}
}

func TestTinyTerminal(t *testing.T) {
	m := start(t, Options{}, writeStaleConfig(t)).size(40, 10).run().m
	out := ansi.Strip(m.View().Content)
	lines := strings.Split(out, "\n")
	if len(lines) != 10 {
		t.Fatalf("%d lines on a 10-row terminal:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 40 {
			t.Fatalf("line wider than 40 (%d): %q", w, l)
		}
	}
	if !strings.Contains(out, "2/6 · Login method") {
		t.Fatalf("position not shown:\n%s", out)
	}
}

func TestGoldenHeadlessGuide(t *testing.T) {
	d := start(t, Options{}, headless).run()
	m := d.m
	if !m.guide || m.child != nil || len(m.routes) != 5 {
		t.Fatalf("guide=%v routes=%d", m.guide, len(m.routes))
	}
	golden(t, "09-headless-guide", m)
	if _, cmd := m.Update(key("c")); cmd == nil || !strings.Contains(m.flash, "OSC 52") {
		t.Fatalf("copy: flash %q", m.flash)
	}
	// A digit only selects (issue 15 item 3); enter runs.
	if _, cmd := m.Update(key("3")); cmd != nil || !m.guide || m.routeSel != 2 {
		t.Fatalf("3 did more than select: cmd %v, guide %v, sel %d", cmd != nil, m.guide, m.routeSel)
	}
	hold := make(chan steps.ChildResult, 1)
	d.child = func(c steps.Child) steps.ChildResult { return <-hold }
	m.Update(key("enter"))
	hold <- steps.ChildResult{Exit: 1}
	d.pump(func(m *Model) bool { return len(d.kids) > 0 })
	if !strings.Contains(m.detail[StepMethod], " · ChatGPT Pro/Plus (browser)") {
		t.Errorf("the Login method row names %q, not the method that runs (issue 15 item 7)", m.detail[StepMethod])
	}
	if len(d.kids) != 1 || d.kids[0].Method != steps.MethodBrowser {
		t.Fatalf("route 3 did not start the browser login: children=%+v", d.kids)
	}
}

func TestGuideRouteDetails(t *testing.T) {
	m := start(t, Options{}, headless).run().m
	m.Update(key("down"))
	m.Update(key("down"))
	m.Update(key("down"))
	golden(t, "10-headless-guide-copy", m)
	out := ansi.Strip(m.View().Content)
	if !strings.Contains(out, "scp ~/.local/share/opencode/auth.json") || !strings.Contains(out, "/home/ada/.local/share/opencode/auth.json") {
		t.Fatalf("copy route lacks the scp line or the target path:\n%s", out)
	}
}

func TestHeadlessYesRunsDeviceLogin(t *testing.T) {
	d := start(t, Options{Yes: true}, headless)
	d.child = func(c steps.Child) steps.ChildResult {
		d.mach.WriteAuth(t, steptest.OAuthEntry)
		return steps.ChildResult{Transcript: steptest.DeviceTranscript}
	}
	m := d.run().m
	if m.guide || len(d.kids) != 1 || d.kids[0].Method != steps.MethodDevice {
		t.Fatalf("guide=%v children=%+v summary %q", m.guide, d.kids, m.result.Summary)
	}
}

func TestDeviceSideFitsAndHasQR(t *testing.T) {
	m := newModel(t, Options{})
	m.kind = steps.MethodDevice
	m.progress = steps.LoginProgress{Code: "QZRT-4821", DeviceURL: "https://auth.openai.com/codex/device"}
	m.codeAt = fixedNow
	side := m.deviceSide(40)
	joined := ansi.Strip(strings.Join(side, "\n"))
	if !strings.Contains(joined, "Q Z R T - 4 8 2 1") || !strings.Contains(joined, "expires in about 15:00") {
		t.Fatalf("side column:\n%s", joined)
	}
	if !strings.ContainsAny(joined, "▀▄█") {
		t.Fatal("no QR code")
	}
	for _, l := range side {
		if w := ansi.StringWidth(l); w > sideCols {
			t.Fatalf("side line %d cells wide (> %d): %q", w, sideCols, ansi.Strip(l))
		}
	}
	if short := m.deviceSide(10); strings.ContainsAny(ansi.Strip(strings.Join(short, "")), "▀▄") {
		t.Fatal("QR drawn in a column too short for it")
	}
}

// TestWrapNeverSplitsAWord: commands, paths and URLs stay whole on one line
// at every width they fit in (the terminal is the only other place that
// could break them).
func TestWrapNeverSplitsAWord(t *testing.T) {
	in := "  Troubleshooting guide: https://github.com/heidi-cli/heidi/blob/main/docs/troubleshooting.md and opencode run \"say ok\" --model=openai/gpt-5.3-codex-spark --print-logs  ·  done"
	for w := 10; w <= 120; w++ {
		lines := wrap(in, w)
		for _, l := range lines {
			if n := ansi.StringWidth(l); n > w && n > 10 {
				t.Fatalf("width %d: line %q is %d wide", w, l, n)
			}
		}
		joined := strings.Join(lines, "\n")
		for _, word := range strings.Fields(in) {
			if len(word) <= w && !regexp.MustCompile(`(?m)(^|\s)`+regexp.QuoteMeta(word)+`(\s|$)`).MatchString(joined) {
				t.Fatalf("width %d: %q was split:\n%s", w, word, joined)
			}
		}
	}
}

func TestCommandLinesBreakBetweenArguments(t *testing.T) {
	cmd := `scp ~/.local/share/opencode/auth.json e2e@10.0.0.9:/tmp/TestHeadlessCopyKeys2037500509/001/home/.local/share/opencode/auth.json`
	for _, w := range []int{40, 60, 98, 200} {
		lines := commandLines(cmd, w)
		var args []string
		for i, l := range lines {
			l = strings.TrimSpace(l)
			if i < len(lines)-1 {
				if !strings.HasSuffix(l, ` \`) {
					t.Fatalf("width %d: line %q does not continue with a backslash", w, l)
				}
				l = strings.TrimSuffix(l, ` \`)
			}
			args = append(args, strings.Fields(l)...)
		}
		if strings.Join(args, " ") != cmd {
			t.Fatalf("width %d: the lines %q are not the command", w, lines)
		}
	}
	if got := commandLines(`opencode auth login -p openai -m "ChatGPT Pro/Plus (headless)"`, 40); len(got) != 2 || !strings.Contains(got[1], `"ChatGPT Pro/Plus (headless)"`) {
		t.Errorf("a quoted argument was split: %q", got)
	}
}

func TestCodexFailureSaysWhy(t *testing.T) {
	d := start(t, Options{}, func(m *steptest.Machine) {
		headless(m)
		m.Tools["codex"] = true
		m.Run.Answers["codex --version"] = probe.Result{Stdout: []byte("codex-cli 0.77.0\n")}
	}).run()
	d.child = func(c steps.Child) steps.ChildResult {
		return steps.ChildResult{Exit: 1, Transcript: "Welcome to Codex\r\nError logging in: error sending request for url (https://auth.openai.com/api/accounts/deviceauth/usercode)\r\n\r\n"}
	}
	d.m.Update(key("2"))
	d.m.Update(key("enter"))
	d.pump(func(m *Model) bool { return len(m.notes) > 0 && m.guide })
	if got := strings.Join(d.m.notes, "\n"); !strings.Contains(got, "failed (exit 1): Error logging in: error sending request for url") || !d.m.guide {
		t.Fatalf("guide %v, notes %q", d.m.guide, got)
	}
}

// TestFooterKeepsTheQuitKey: at 40 and 60 columns the headless guide's
// footer drops its least important keys, never the quit key (issue 15
// item 5: at 60×20 it was cut to "ct…").
func TestFooterKeepsTheQuitKey(t *testing.T) {
	for _, w := range []int{40, 60, 100} {
		m := start(t, Options{}, headless).size(w, 20).run().m
		f := ansi.Strip(m.footer())
		last := f[strings.LastIndex(f, "\n")+1:]
		if !strings.Contains(last, "ctrl+c quit") || ansi.StringWidth(last) > w || strings.Contains(last, "…") {
			t.Errorf("width %d: footer %q", w, last)
		}
		if w == 100 && !strings.Contains(last, "c copy the command") {
			t.Errorf("width 100 lost a key that fits: %q", last)
		}
	}
}

// TestGoldenWidths: the headless guide (with its copy route's long scp
// command) and a failure summary at 60, 80 and 100 columns. At every width
// no line is wider than the screen, no word of a shown command or URL is
// split, and the footer keeps its quit key (issue 15 item 2).
func TestGoldenWidths(t *testing.T) {
	for _, w := range []int{60, 80, 100} {
		m := start(t, Options{}, headless).size(w, 30).run().m
		for range 3 {
			m.Update(key("down"))
		}
		golden(t, fmt.Sprintf("11-guide-copy-%d", w), m)
		screen := ansi.Strip(m.View().Content)
		checkScreen(t, w, screen, []string{"scp", "~/.local/share/opencode/auth.json", "<user>@10.0.0.2:/home/ada/.local/share/opencode/auth.json"})

		f := start(t, Options{}, func(m *steptest.Machine) { m.Tools["opencode"], m.Tools["npm"] = false, false }).size(w, 30).run().m
		golden(t, fmt.Sprintf("12-missing-summary-%d", w), f)
		checkScreen(t, w, ansi.Strip(f.View().Content), []string{"npm install -g opencode-ai", "https://github.com/heidi-cli/heidi/blob/main/docs/troubleshooting.md"})
	}
}

// checkScreen: lines fit, and each of whole appears unbroken on one line.
func checkScreen(t *testing.T, w int, screen string, whole []string) {
	t.Helper()
	for _, l := range strings.Split(screen, "\n") {
		if ansi.StringWidth(l) > w {
			t.Errorf("width %d: line %q is %d wide", w, l, ansi.StringWidth(l))
		}
	}
	for _, s := range whole {
		if len(s) <= w-2 && !strings.Contains(screen, s) {
			t.Errorf("width %d: %q is not shown whole:\n%s", w, s, screen)
		}
		// Wider than the screen: full-width pieces from column 0.
		if len(s) > w-2 && !strings.Contains(strings.ReplaceAll(screen, "\n", ""), s) {
			t.Errorf("width %d: %q is not there in full-width pieces:\n%s", w, s, screen)
		}
	}
}

// TestSlowModelsSaysWhy: a models call still running after 10 s says why
// and when heidi gives up, instead of a silent spinner.
func TestSlowModelsSaysWhy(t *testing.T) {
	hold := make(chan struct{})
	d := start(t, Options{}, func(m *steptest.Machine) {
		withLogin(t)(m)
		m.Run.Hold = map[string]chan struct{}{"opencode models openai": hold}
	}).run()
	defer close(hold)
	m := d.m
	m.Update(key("k"))
	d.pump(func(m *Model) bool { return m.cur == StepModels && m.status[StepModels] == Running })
	m.now = m.started.Add(5 * time.Second)
	if strings.Contains(ansi.Strip(m.View().Content), "Still waiting") {
		t.Error("says it is slow after 5 s")
	}
	m.now = m.started.Add(12 * time.Second)
	if out := ansi.Strip(m.View().Content); !strings.Contains(out, "Still waiting for OpenCode") || !strings.Contains(out, "gives up at 45s") {
		t.Errorf("after 12 s:\n%s", out)
	}
	// esc gives up: the run ends CANCELLED, with no advice (issue 17).
	m.Update(key("esc"))
	d.pump(nil)
	if !m.result.Cancelled || m.result.Outcome.Step != "Models" || !slices.Contains(m.result.Summary, "Models: CANCELLED") {
		t.Fatalf("after esc: %+v %q", m.result.Outcome, m.result.Summary)
	}
}

// TestCutBodySaysSo: on a small terminal the guide's body does not vanish
// without a word: the last row says how many lines are below.
func TestCutBodySaysSo(t *testing.T) {
	m := start(t, Options{}, headless).size(60, 14).run().m
	out := ansi.Strip(m.View().Content)
	if !regexp.MustCompile(`↓ \d+ more lines? below: pgdn scrolls, or enlarge the window`).MatchString(out) {
		t.Errorf("a cut body gives no hint at 60×14:\n%s", out)
	}
	if !strings.Contains(out, "pgup/pgdn scroll") {
		t.Errorf("the footer does not offer the scroll keys:\n%s", out)
	}
	// pgdn scrolls to the end of the body (issue 15 item 5): the route's
	// command, cut before, is there, and the top says what is above.
	for range 5 {
		m.Update(tea.KeyPressMsg{Code: tea.KeyPgDown})
	}
	end := ansi.Strip(m.View().Content)
	if strings.Contains(end, "more lines below") || !regexp.MustCompile(`↑ \d+ more lines? above: pgup scrolls`).MatchString(end) ||
		!strings.Contains(end, `"ChatGPT Pro/Plus (headless)"`) {
		t.Errorf("after pgdn:\n%s", end)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyHome})
	if top := ansi.Strip(m.View().Content); !strings.Contains(top, "This looks like a headless session") || strings.Contains(top, "above: pgup") {
		t.Errorf("after home:\n%s", top)
	}
	if !strings.Contains(out, "ctrl+c quit") {
		t.Errorf("the footer lost the quit key:\n%s", out)
	}
	big := start(t, Options{}, headless).size(100, 40).run().m
	if strings.Contains(ansi.Strip(big.View().Content), "more lines below") {
		t.Error("a body that fits says it was cut")
	}
}

// TestHelpScreen: ? lists the keys of the screen underneath, made from the
// same bindings as the footer; any key closes it without acting.
func TestHelpScreen(t *testing.T) {
	m := start(t, Options{}, headless).run().m
	m.Update(key("?"))
	out := ansi.Strip(m.View().Content)
	for _, want := range []string{"Keys on this screen", "copy the selected route's command", "run the selected route", "any key closes this help"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	if _, cmd := m.Update(key("c")); cmd != nil || m.help || m.flash != "" {
		t.Errorf("the key that closed the help also acted: cmd %v, flash %q", cmd != nil, m.flash)
	}
	if !m.guide || strings.Contains(ansi.Strip(m.View().Content), "Keys on this screen") {
		t.Error("the guide is not back after the help")
	}
}

// TestLinksAndProgress: URLs on heidi's own screens are OSC 8 links, and
// the terminal's progress indicator follows the run (issue 21).
func TestLinksAndProgress(t *testing.T) {
	d := start(t, Options{}, func(m *steptest.Machine) {
		m.Run.Answers["opencode models openai"] = probe.Result{ExitCode: 1, Stderr: []byte("Error: boom")}
		withLogin(t)(m)
	}).run()
	if pb := d.m.View().ProgressBar; pb == nil || pb.State != tea.ProgressBarWarning || pb.Value != 40 {
		t.Errorf("waiting for an answer at the login: progress %+v, want a warning at 40", pb)
	}
	d.key("k")
	if !d.m.done || d.m.result.OK {
		t.Fatalf("done %v ok %v", d.m.done, d.m.result.OK)
	}
	v := d.m.View()
	if v.ProgressBar == nil || v.ProgressBar.State != tea.ProgressBarError {
		t.Errorf("a failed run: progress %+v, want an error", v.ProgressBar)
	}
	if want := ansi.SetHyperlink(steps.TroubleshootingGuide) + steps.TroubleshootingGuide + ansi.ResetHyperlink(); !strings.Contains(v.Content, want) {
		t.Errorf("the troubleshooting guide is not a link:\n%q", v.Content)
	}
	m := newModel(t, Options{})
	m.kind = steps.MethodDevice
	m.progress = steps.LoginProgress{Code: "QZRT-4821", DeviceURL: "https://auth.openai.com/codex/device"}
	if side := strings.Join(m.deviceSide(40), "\n"); !strings.Contains(side, ansi.SetHyperlink("https://auth.openai.com/codex/device")) {
		t.Errorf("the device page is not a link:\n%q", side)
	}
}

// TestGoldenWidthsMore: the question, the running test and both summaries
// at 60 and 100 columns too (80 is above), with the same checks: lines
// fit, commands and URLs stay whole (issue 15).
func TestGoldenWidthsMore(t *testing.T) {
	for _, w := range []int{60, 100} {
		d := start(t, Options{}, func(m *steptest.Machine) {
			withLogin(t)(m)
			m.Run.Answers["opencode models openai"] = probe.Result{Stdout: []byte("openai/gpt-5.4\n")}
			m.Run.Answers["opencode run say ok --model=openai/gpt-5.4"] = probe.Result{ExitCode: 1,
				Stdout: []byte("> build · gpt-5.4\nError: Cannot connect to API: Unable to connect. Is the computer able to access the url?\n")}
		}).size(w, 30).run()
		golden(t, fmt.Sprintf("13-keep-login-%d", w), d.m)
		checkScreen(t, w, ansi.Strip(d.m.View().Content), nil)
		d.key("k")
		golden(t, fmt.Sprintf("14-summary-test-fail-%d", w), d.m)
		screen := ansi.Strip(d.m.View().Content)
		checkScreen(t, w, screen, []string{steps.TroubleshootingGuide})
		// A command broken between arguments with " \" runs whole when copied.
		joined := regexp.MustCompile(` \\\n\s*`).ReplaceAllString(screen, " ")
		if cmd := `opencode run "say ok" --model=openai/gpt-5.4 --print-logs`; !strings.Contains(joined, cmd) {
			t.Errorf("width %d: %q is not on the screen whole or continued with \\:\n%s", w, cmd, screen)
		}
		if !strings.Contains(d.m.View().Content, ansi.SetHyperlink(steps.TroubleshootingGuide)) {
			t.Errorf("width %d: the guide's URL is not a link to the whole URL", w)
		}
	}
}
