package wizard

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/steps"
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

var fixedNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func testDeps(t *testing.T) steps.Deps {
	home := "/home/ada"
	sys := probe.Sys{
		GOOS:        "linux",
		Getenv:      func(k string) string { return map[string]string{"HOME": home}[k] },
		Environ:     func() []string { return nil },
		LookPath:    func(n string) (string, error) { return "", os.ErrNotExist },
		FS:          probe.OSFS{},
		Home:        home,
		ProcVersion: func() string { return "" },
		PortFree:    func(int) bool { return true },
		IsTerminal:  func(uintptr) bool { return true },
		Now:         func() time.Time { return fixedNow },
	}
	return steps.NewDeps(sys)
}

func newModel(t *testing.T, opts Options) *Model {
	m := New(context.Background(), testDeps(t), opts)
	m.now = fixedNow
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return m
}

func tool(name, v string) probe.Tool {
	ver, _ := probe.ParseVersion(v)
	return probe.Tool{Name: name, Path: "/usr/bin/" + name, Found: true, Version: ver}
}

func readyPrereqs() steps.Prereqs {
	return steps.Prereqs{
		OpenCode: tool("opencode", "1.18.33"), Node: tool("node", "v20.20.2"), Npx: tool("npx", "11.19.1"), Npm: tool("npm", "11.19.1"),
		Ports: []probe.PortStatus{{Port: 1455, Free: true}, {Port: 1457, Free: true}},
		Cred:  probe.Credential{Problem: probe.StoreMissing, Path: "/home/ada/.local/share/opencode/auth.json"},
	}
}

var builtinLabels = []string{"ChatGPT Pro/Plus (browser)", "ChatGPT Pro/Plus (headless)", "Manually enter API Key"}

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
	m := newModel(t, Options{})
	p := readyPrereqs()
	p.OpenCode = probe.Tool{Name: "opencode"}
	m.Update(prereqMsg{p})
	if m.ask == nil || m.status[StepPrereq] != NeedsUser {
		t.Fatalf("no install question; status %v", m.status[StepPrereq])
	}
	golden(t, "02-opencode-missing", m)
	m.Update(key("n"))
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
	m := newModel(t, Options{})
	p := readyPrereqs()
	p.OpenCode = tool("opencode", "1.0.185")
	p.Node, p.Npx, p.Npm = probe.Tool{}, probe.Tool{}, probe.Tool{}
	m.Update(prereqMsg{p})
	if !m.done || m.status[StepPrereq] != Failed || !strings.Contains(strings.Join(m.result.Summary, "\n"), "Install Node.js") {
		t.Fatalf("summary = %q", m.result.Summary)
	}
}

func TestStaleConfigQuestion(t *testing.T) {
	m := newModel(t, Options{})
	p := readyPrereqs()
	p.Config = probe.ConfigReport{Files: []probe.ConfigFile{{Path: "/home/ada/.config/opencode/opencode.jsonc", PluginEntries: []string{"opencode-openai-codex-auth"}, ProviderOpenAI: true}}}
	m.Update(prereqMsg{p})
	if m.cur != StepMethod || m.ask == nil {
		t.Fatalf("no stale-config question (cur %v)", m.cur)
	}
	golden(t, "04-stale-config", m)
}

func TestYesPicksDefaultsWithoutPausing(t *testing.T) {
	m := newModel(t, Options{Yes: true})
	p := readyPrereqs()
	p.Cred = probe.Credential{Present: true, Type: probe.CredOAuth, EntryOK: true, HasRefresh: true, HasAccess: true, Account: "acct…000"}
	_, cmd := m.Update(prereqMsg{p})
	if m.ask == nil || cmd == nil {
		t.Fatal("no keep-or-login question")
	}
	if msg := cmd(); msg != (autoPickMsg{}) {
		t.Fatalf("--yes did not auto-pick, got %T", msg)
	}
	m.Update(autoPickMsg{})
	if m.status[StepLogin] != Skipped || m.cur != StepModels {
		t.Fatalf("--yes did not keep the existing login: login %v, cur %v", m.status[StepLogin], m.cur)
	}
}

func TestHappyPathToSummary(t *testing.T) {
	m := newModel(t, Options{})
	p := readyPrereqs()
	p.Cred = probe.Credential{Present: true, Type: probe.CredOAuth, EntryOK: true, HasRefresh: true, HasAccess: true, Account: "acct…000"}
	m.Update(prereqMsg{p})
	// A usable login is stored: OpenCode is not asked for its login methods
	// unless the user logs in again (issue 17).
	if m.method != "" || m.methods != nil || !m.methodsLater || m.status[StepMethod] != Done || m.ask == nil {
		t.Fatalf("method %q, methods %q, later %v, method step %v, ask %v", m.method, m.methods, m.methodsLater, m.status[StepMethod], m.ask != nil)
	}
	golden(t, "05-keep-login", m)
	m.Update(key("k"))
	if m.cur != StepModels {
		t.Fatalf("cur = %v", m.cur)
	}
	m.Update(modelsMsg{models: []string{"openai/gpt-5.3-codex-spark", "openai/gpt-5.4"}})
	// The Pro-only preview listed first is not the one tested (issue 14).
	if m.cur != StepTest || m.model != "openai/gpt-5.4" {
		t.Fatalf("cur %v model %q", m.cur, m.model)
	}
	m.now = fixedNow.Add(12 * time.Second)
	golden(t, "06-test-running", m)
	m.Update(runMsg{steps.TestReport{RunResult: steps.RunResult{Pass: true, Model: m.model, Duration: 4200 * time.Millisecond}}})
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

// TestLogInAgainAsksForMethodsThen: choosing "log in again" asks OpenCode
// for its methods first, then starts the login without asking again.
func TestLogInAgainAsksForMethodsThen(t *testing.T) {
	m := newModel(t, Options{})
	p := readyPrereqs()
	p.Cred = probe.Credential{Present: true, Type: probe.CredOAuth, EntryOK: true, HasRefresh: true, HasAccess: true}
	m.Update(prereqMsg{p})
	if _, cmd := m.Update(key("l")); cmd == nil || !m.loginAfterMethods || m.methodsLater || m.ask != nil {
		t.Fatalf("after l: cmd %v, loginAfterMethods %v, methodsLater %v", cmd != nil, m.loginAfterMethods, m.methodsLater)
	}
	if !strings.Contains(m.detail[StepLogin], "login methods") {
		t.Errorf("login detail %q", m.detail[StepLogin])
	}
}

func TestModelFlagMustBeListed(t *testing.T) {
	m := newModel(t, Options{Model: "gpt-9"})
	p := readyPrereqs()
	p.Cred = probe.Credential{Present: true, Type: probe.CredOAuth, EntryOK: true, HasRefresh: true, HasAccess: true}
	m.Update(prereqMsg{p})
	m.Update(key("k"))
	m.Update(modelsMsg{models: []string{"openai/gpt-5.4"}})
	if m.status[StepModels] != Failed || !strings.Contains(m.failMsg, "openai/gpt-9") {
		t.Fatalf("failMsg %q", m.failMsg)
	}
}

func TestTestRunFailureSummary(t *testing.T) {
	m := newModel(t, Options{})
	p := readyPrereqs()
	p.Cred = probe.Credential{Present: true, Type: probe.CredOAuth, EntryOK: true, HasRefresh: true, HasAccess: true}
	m.Update(prereqMsg{p})
	m.Update(key("k"))
	m.Update(modelsMsg{models: []string{"openai/gpt-5.4"}})
	run := steps.RunResult{Model: "openai/gpt-5.4", Err: "`opencode run` failed (exit 1): Error: Cannot connect to API: Unable to connect. Is the computer able to access the url?",
		Tail: "> build · gpt-5.4\nError: Cannot connect to API: Unable to connect. Is the computer able to access the url?"}
	m.Update(runMsg{steps.TestReport{RunResult: run, Class: steps.Classify(run.Err + "\n" + run.Tail)}})
	if m.result.OK || !contains(m.result.Summary, "Test run: FAIL") {
		t.Fatalf("summary = %q", m.result.Summary)
	}
	if m.result.Outcome.Result != "FAIL" || m.result.Outcome.Step != "Test run" {
		t.Fatalf("outcome = %+v", m.result.Outcome)
	}
	golden(t, "08-summary-test-fail", m)
}

func TestHeadlessPicksDeviceMethod(t *testing.T) {
	m := newModel(t, Options{})
	p := readyPrereqs()
	p.Headless = probe.Headless{Headless: true, SSH: true, Reasons: []string{"SSH session (SSH_CONNECTION is set)"}}
	m.Update(prereqMsg{p})
	m.Update(methodsMsg{labels: builtinLabels})
	if m.method != "ChatGPT Pro/Plus (headless)" {
		t.Fatalf("method = %q", m.method)
	}
	b := New(context.Background(), testDeps(t), Options{Browser: true})
	b.Update(prereqMsg{p})
	b.Update(methodsMsg{labels: builtinLabels})
	if b.method != "ChatGPT Pro/Plus (browser)" {
		t.Fatalf("--browser method = %q", b.method)
	}
}

func TestCtrlCCancels(t *testing.T) {
	m := newModel(t, Options{})
	_, cmd := m.Update(key("ctrl+c"))
	if cmd == nil || !m.result.Cancelled || m.result.Outcome.Result != "CANCELLED" {
		t.Fatalf("ctrl+c: cancelled=%v outcome=%+v", m.result.Cancelled, m.result.Outcome)
	}
}

func TestTinyTerminal(t *testing.T) {
	m := New(context.Background(), testDeps(t), Options{})
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 10})
	m.Update(prereqMsg{readyPrereqs()})
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

func headlessPrereqs() steps.Prereqs {
	p := readyPrereqs()
	p.Headless = probe.Headless{Headless: true, SSH: true, Reasons: []string{"SSH session (SSH_CONNECTION is set)"}}
	p.Hostname = "build-box"
	return p
}

func TestGoldenHeadlessGuide(t *testing.T) {
	m := newModel(t, Options{})
	m.Update(prereqMsg{headlessPrereqs()})
	m.Update(methodsMsg{labels: builtinLabels})
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
	m.Update(key("enter"))
	if !strings.HasSuffix(m.detail[StepMethod], " · ChatGPT Pro/Plus (browser)") {
		t.Errorf("the Login method row names %q, not the method that runs (issue 15 item 7)", m.detail[StepMethod])
	}
	if m.guide || m.method != "ChatGPT Pro/Plus (browser)" {
		t.Fatalf("route 3 did not start the browser login: guide=%v method=%q", m.guide, m.method)
	}
}

func TestGuideRouteDetails(t *testing.T) {
	m := newModel(t, Options{})
	m.Update(prereqMsg{headlessPrereqs()})
	m.Update(methodsMsg{labels: builtinLabels})
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
	m := newModel(t, Options{Yes: true})
	m.Update(prereqMsg{headlessPrereqs()})
	_, cmd := m.Update(methodsMsg{labels: builtinLabels})
	if cmd == nil || cmd() != (autoPickMsg{}) {
		t.Fatal("--yes did not pick route 1 by itself")
	}
	m.Update(autoPickMsg{})
	if m.guide || m.method != "ChatGPT Pro/Plus (headless)" || m.kind != steps.MethodDevice {
		t.Fatalf("guide=%v method=%q", m.guide, m.method)
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
	m := newModel(t, Options{})
	m.Update(prereqMsg{headlessPrereqs()})
	m.Update(methodsMsg{labels: builtinLabels})
	reason := lastErrorLine("Welcome to Codex\r\nError logging in: error sending request for url (https://auth.openai.com/api/accounts/deviceauth/usercode)\r\n\r\n")
	m.onCodexExit(1, false, reason)
	if got := strings.Join(m.notes, "\n"); !strings.Contains(got, "failed (exit 1): Error logging in: error sending request for url") {
		t.Fatalf("notes %q", got)
	}
}

// TestFooterKeepsTheQuitKey: at 40 and 60 columns the headless guide's
// footer drops its least important keys, never the quit key (issue 15
// item 5: at 60×20 it was cut to "ct…").
func TestFooterKeepsTheQuitKey(t *testing.T) {
	for _, w := range []int{40, 60, 100} {
		m := newModel(t, Options{})
		m.Update(tea.WindowSizeMsg{Width: w, Height: 20})
		m.Update(prereqMsg{headlessPrereqs()})
		m.Update(methodsMsg{labels: builtinLabels})
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
		m := newModel(t, Options{})
		m.Update(tea.WindowSizeMsg{Width: w, Height: 30})
		m.Update(prereqMsg{headlessPrereqs()})
		m.Update(methodsMsg{labels: builtinLabels})
		for range 3 {
			m.Update(key("down"))
		}
		golden(t, fmt.Sprintf("11-guide-copy-%d", w), m)
		screen := ansi.Strip(m.View().Content)
		checkScreen(t, w, screen, []string{"scp", "~/.local/share/opencode/auth.json", "<user>@build-box:/home/ada/.local/share/opencode/auth.json"})

		f := newModel(t, Options{})
		f.Update(tea.WindowSizeMsg{Width: w, Height: 30})
		f.Update(prereqMsg{tool0Prereqs()})
		golden(t, fmt.Sprintf("12-missing-summary-%d", w), f)
		checkScreen(t, w, ansi.Strip(f.View().Content), []string{"npm install -g opencode-ai", "https://github.com/heidi-cli/heidi/blob/main/docs/troubleshooting.md"})
	}
}

func tool0Prereqs() steps.Prereqs {
	p := readyPrereqs()
	p.OpenCode = probe.Tool{Name: "opencode"}
	p.Npm = probe.Tool{}
	return p
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
	m := newModel(t, Options{})
	p := readyPrereqs()
	p.Cred = probe.Credential{Present: true, Type: probe.CredOAuth, EntryOK: true, HasRefresh: true, HasAccess: true}
	m.Update(prereqMsg{p})
	m.Update(key("k"))
	if m.cur != StepModels {
		t.Fatalf("cur %v", m.cur)
	}
	m.now = m.started.Add(5 * time.Second)
	if strings.Contains(ansi.Strip(m.View().Content), "Still waiting") {
		t.Error("says it is slow after 5 s")
	}
	m.now = m.started.Add(12 * time.Second)
	if out := ansi.Strip(m.View().Content); !strings.Contains(out, "Still waiting for OpenCode") || !strings.Contains(out, "gives up at 45s") {
		t.Errorf("after 12 s:\n%s", out)
	}
}

// TestCutBodySaysSo: on a small terminal the guide's body does not vanish
// without a word: the last row says how many lines are below.
func TestCutBodySaysSo(t *testing.T) {
	m := newModel(t, Options{})
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 14})
	m.Update(prereqMsg{headlessPrereqs()})
	m.Update(methodsMsg{labels: builtinLabels})
	out := ansi.Strip(m.View().Content)
	if !regexp.MustCompile(`↓ \d+ more lines? below: enlarge the window`).MatchString(out) {
		t.Errorf("a cut body gives no hint at 60×14:\n%s", out)
	}
	if !strings.Contains(out, "ctrl+c quit") {
		t.Errorf("the footer lost the quit key:\n%s", out)
	}
	big := newModel(t, Options{})
	big.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
	big.Update(prereqMsg{headlessPrereqs()})
	big.Update(methodsMsg{labels: builtinLabels})
	if strings.Contains(ansi.Strip(big.View().Content), "more lines below") {
		t.Error("a body that fits says it was cut")
	}
}
