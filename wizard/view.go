package wizard

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/steps"
	"github.com/heidi-cli/heidi/theme"
)

const (
	headerRows = 3 // title, steps, rule
	footerRows = 2 // rule, keys
)

// bodyRows is the height between header and footer.
func (m *Model) bodyRows() int { return max(m.height-headerRows-footerRows, 1) }

// panelRows is what the login panel under the embedded terminal takes.
func (m *Model) panelRows() int {
	if m.childWhat == childLogin || m.cur == StepLogin {
		return 2
	}
	return 0
}

// side reports whether a device-code login shows the code column beside
// the embedded terminal.
func (m *Model) side() bool {
	return m.kind == steps.MethodDevice && m.width >= 76 && (m.childWhat == childLogin || (m.cur == StepLogin && m.child == nil && !m.guide && m.ask == nil))
}

// termSize is the embedded terminal's size: the body minus its title line,
// the panel and the code column.
func (m *Model) termSize() (cols, rows int) {
	cols = m.width
	if m.side() {
		cols -= sideCols + 1
	}
	return max(cols, 10), max(m.bodyRows()-1-m.panelRows(), 3)
}

// View renders the whole screen.
func (m *Model) View() tea.View {
	var b strings.Builder
	b.WriteString(m.header())
	body := m.body()
	b.WriteString(fitLines(window(body, m.bodyRows(), m.scroll), m.width, m.bodyRows()))
	b.WriteString(m.footer())
	v := tea.NewView(b.String())
	v.AltScreen = true
	v.WindowTitle = "heidi · " + m.cur.String()
	v.ProgressBar = m.progressBar()
	if m.child != nil && m.ask == nil {
		if x, y, visible := m.child.Cursor(); visible {
			v.Cursor = tea.NewCursor(x, y+headerRows+1)
		}
	}
	return v
}

func (m *Model) header() string {
	s := m.styles
	pos := fmt.Sprintf("%d/%d · %s", int(m.cur)+1, int(numSteps), m.cur)
	title := s.Title.Render("heidi") + s.Subtle.Render(" · connect OpenCode → OpenAI (ChatGPT Plus/Pro)")
	gap := m.width - lipgloss.Width(title) - lipgloss.Width(pos)
	line1 := title + strings.Repeat(" ", max(gap, 1)) + s.StepActive.Render(pos)
	if gap < 1 {
		line1 = s.Title.Render("heidi") + " " + s.StepActive.Render(pos)
	}
	var parts []string
	for id := StepPrereq; id < numSteps; id++ {
		parts = append(parts, m.stepBadge(id))
	}
	line2 := strings.Join(parts, "  ")
	if lipgloss.Width(line2) > m.width {
		parts = parts[:0]
		for id := StepPrereq; id < numSteps; id++ {
			parts = append(parts, m.glyph(id))
		}
		line2 = strings.Join(parts, " ")
	}
	return trunc(line1, m.width) + "\n" + trunc(line2, m.width) + "\n" + s.Subtle.Render(strings.Repeat("─", m.width)) + "\n"
}

func (m *Model) glyph(id StepID) string {
	s := m.styles
	switch m.status[id] {
	case Done:
		return s.StepDone.Render(theme.GlyphDone)
	case Failed:
		return s.StepFailed.Render(theme.GlyphFailed)
	case Running:
		if id == m.cur {
			return s.StepActive.Render(theme.GlyphRunning)
		}
	case NeedsUser:
		return s.StepActive.Render(theme.GlyphUser)
	case Skipped:
		return s.StepPending.Render(theme.GlyphSkipped)
	}
	return s.StepPending.Render(theme.GlyphPending)
}

func (m *Model) stepBadge(id StepID) string {
	st := m.styles.StepPending
	switch {
	case m.status[id] == Failed:
		st = m.styles.StepFailed
	case id == m.cur:
		st = m.styles.StepActive
	case m.status[id] == Done:
		st = m.styles.StepDone
	}
	return m.glyph(id) + " " + st.Render(id.String())
}

// footer lists the keys of this screen. When they do not fit, the least
// important go first (the quit or leave key never does), so a tiny
// terminal still shows how to get out (issue 15 item 5).
func (m *Model) footer() string {
	s := m.styles
	type item struct {
		text string
		prio int // higher stays longer
	}
	var keys []item
	for _, k := range m.screenKeys() {
		keys = append(keys, item{s.Key.Render(k.b.Help().Key) + " " + s.Hint.Render(k.what), k.prio})
	}
	if m.child != nil {
		keys = append(keys, item{s.Hint.Render("other keys go to " + childName(m.childWhat)), 0})
	}
	if m.help {
		keys = []item{{s.Hint.Render("any key closes this help"), 9}}
	}
	sep := s.Subtle.Render(" · ")
	join := func() string {
		parts := make([]string, len(keys))
		for i, it := range keys {
			parts[i] = it.text
		}
		return strings.Join(parts, sep)
	}
	line := join()
	for len(keys) > 1 && ansi.StringWidth(line) > m.width {
		drop := 0
		for i, it := range keys {
			if it.prio <= keys[drop].prio {
				drop = i
			}
		}
		keys = append(keys[:drop], keys[drop+1:]...)
		line = join()
	}
	return s.Subtle.Render(strings.Repeat("─", m.width)) + "\n" + trunc(line, m.width)
}

func childName(k childKind) string {
	switch k {
	case childLogin:
		return "the login"
	case childPlugin:
		return "the plugin installer"
	case childInstall:
		return "npm"
	}
	return "the child"
}

func (m *Model) body() []string {
	if m.help && m.child == nil {
		return m.helpBody()
	}
	return m.screenBody()
}

// screenBody is the body of the screen that is up, under the ? help.
func (m *Model) screenBody() []string {
	if m.child != nil {
		return m.childBody()
	}
	if m.guide {
		return m.guideBody()
	}
	s := m.styles
	var lines []string
	if m.done {
		lines = append(lines, m.summaryBody()...)
		return lines
	}
	if q := m.ask; q != nil {
		var qs []string
		for _, p := range q.prompt {
			qs = append(qs, wrap(p, m.width-2)...)
		}
		qs = append(qs, "")
		for i, o := range q.options {
			mark := "  "
			st := s.Subtle
			if i == q.cursor {
				mark, st = s.StepActive.Render(theme.GlyphArrow)+" ", s.Title
			}
			qs = append(qs, mark+st.Render(o.Label)+" "+s.Hint.Render("("+o.Key+")"))
		}
		// The question and its choices come first; the checklist only if it fits.
		if len(qs)+int(StepSummary)+1 <= m.bodyRows() {
			lines = append(append(lines, m.checklist()...), "")
		}
		lines = append(lines, qs...)
	} else {
		lines = append(append(lines, m.checklist()...), "")
		lines = append(lines, m.spin.View()+" "+m.activity())
		if m.cur == StepModels && !m.started.IsZero() && m.now.Sub(m.started) >= slowAfter {
			// A slow answer is not a failure (issue 17): say what is going on
			// and when heidi gives up.
			lines = append(lines, wrap(m.styles.Hint.Render(fmt.Sprintf("  Still waiting for OpenCode: it fetches its model catalogue first, which a slow or filtering network holds up; heidi gives up at %s (--timeout sets it); esc gives up now.", m.deps.Timeouts.Models)), m.width-1)...)
		}
		if m.cur == StepTest {
			if t := m.tryingNow(); t != nil {
				for _, r := range t.refused {
					lines = append(lines, wrap(m.styles.Hint.Render("  "+r.Model+" was refused: "+r.Reason+"; trying another model"), m.width-1)...)
				}
			}
			lines = append(lines, m.styles.Hint.Render("  Offline, OpenCode retries for about 70 s before it gives up; esc stops it."))
		}
	}
	if len(m.notes) > 0 {
		lines = append(lines, "")
		for _, n := range m.notes {
			lines = append(lines, wrap(s.Warn.Render("• ")+n, m.width-2)...)
		}
	}
	return lines
}

func (m *Model) activity() string {
	switch m.cur {
	case StepPrereq:
		return "Checking OpenCode, Node.js, Codex and this session…"
	case StepMethod:
		return "Asking OpenCode which ChatGPT login methods it has…"
	case StepLogin:
		return "Checking the stored login…"
	case StepModels:
		return "Listing OpenAI models: opencode models openai " + m.elapsed()
	case StepTest:
		model := m.model
		if t := m.tryingNow(); t != nil {
			model = t.model
		}
		return fmt.Sprintf("Test run: opencode run %q --model=%s %s", "say ok", model, m.elapsed())
	}
	return ""
}

func (m *Model) tryingNow() *tryState {
	return m.trying
}

// slowAfter is when a waiting step says why it still waits.
const slowAfter = 10 * time.Second

func (m *Model) elapsed() string {
	if m.started.IsZero() {
		return ""
	}
	d := m.now.Sub(m.started)
	if d < 0 {
		d = 0
	}
	return m.styles.Subtle.Render(fmt.Sprintf("(%s)", d.Round(time.Second)))
}

func (m *Model) checklist() []string {
	s := m.styles
	var lines []string
	for id := StepPrereq; id < StepSummary; id++ {
		name := fmt.Sprintf("%-14s", id.String())
		line := " " + m.glyph(id) + " " + name
		if d := m.detail[id]; d != "" {
			line += " " + s.Subtle.Render(d)
		}
		lines = append(lines, trunc(line, m.width))
	}
	return lines
}

func (m *Model) childBody() []string {
	s := m.styles
	cols, rows := m.termSize()
	title := "─ " + m.childTitle + " "
	lines := []string{s.Subtle.Render(trunc(title+strings.Repeat("─", max(cols-ansi.StringWidth(title), 0)), cols))}
	screen := strings.Split(m.child.Render(), "\n")
	var side []string
	if m.side() {
		side = m.deviceSide(rows)
	}
	for i := 0; i < rows; i++ {
		line := ""
		if i < len(screen) {
			line = screen[i]
		}
		if side != nil {
			line = padRight(trunc(line, cols), cols) + " " + sideLine(side, i)
		}
		lines = append(lines, line)
	}
	if m.panelRows() > 0 {
		lines = append(lines, m.loginPanel()...)
	}
	return lines
}

func (m *Model) loginPanel() []string {
	s := m.styles
	p := m.progress
	var l1, l2 string
	switch {
	case m.kind == steps.MethodDevice && m.childWhat == childLogin:
		l1 = s.Subtle.Render("Can't use a device code? Other routes: ") + s.Code.Render("codex login --device-auth") +
			s.Subtle.Render(" · SSH tunnel + browser · copy from a laptop")
		l2 = s.Hint.Render(keyLeave + " leaves this login and shows them all")
		if p.Code != "" && !m.side() {
			l1 = s.Title.Render("Code: ") + s.Big.Render(p.Code) + s.Subtle.Render(" at ") + deviceLink(s, p)
		}
	case p.Code != "":
		l1 = s.Title.Render("Code: ") + s.Big.Render(p.Code) + s.Subtle.Render("  enter it at ") + deviceLink(s, p)
		l2 = s.Hint.Render(keyCopy + " copies the code · the device-code login must be enabled in ChatGPT → Settings → Security")
	case p.AuthURL != "":
		l1 = s.Title.Render("Sign in to ChatGPT in your browser. ") + s.Hint.Render(keyOpen+" opens it · "+keyCopy+" copies the URL")
		l2 = s.Hint.Render("The page sends you back to localhost; this login ends by itself when it is done.")
	default:
		l1 = s.Subtle.Render(m.spin.View() + " Waiting for OpenCode's login to start…")
	}
	if m.flash != "" {
		l2 = s.Warn.Render(m.flash)
	}
	return []string{trunc(l1, m.width), trunc(l2, m.width)}
}

func (m *Model) summaryBody() []string {
	s := m.styles
	var lines []string
	lines = append(lines, m.checklist()...)
	lines = append(lines, "")
	for i, l := range m.result.Summary {
		switch {
		case i == 0 && m.result.OK:
			lines = append(lines, s.OK.Render(l))
		case i == 0:
			lines = append(lines, s.Error.Render(l))
		default:
			lines = append(lines, summaryLine(l, m.width-1)...)
		}
	}
	if len(m.notes) > 0 {
		lines = append(lines, "")
		for _, n := range m.notes {
			lines = append(lines, wrap(s.Warn.Render("• ")+n, m.width-2)...)
		}
	}
	// The tail gets the rows left, its last lines first (the error is last);
	// no header when no row is left for it.
	if room := m.bodyRows() - len(lines) - 2; !m.result.OK && m.run.Tail != "" && room > 0 {
		tail := strings.Split(m.run.Tail, "\n")
		if len(tail) > room {
			tail = tail[len(tail)-room:]
		}
		lines = append(lines, "", s.Subtle.Render("Output of the test run (last lines):"))
		for _, l := range tail {
			lines = append(lines, s.Subtle.Render("  "+trunc(l, m.width-3)))
		}
	}
	return lines
}

// fitLines pads or cuts lines to exactly n rows of at most width cells.
// When text is cut, the last row says how much, so nothing vanishes
// without a word on a small terminal (issue 15 item 5).
// window is the part of a body taller than its n rows shown from offset:
// a row says how many lines are above, another how many below and how to
// reach them (pgup/pgdn), so nothing vanishes without a word (issue 15
// item 5). A body that fits is returned as it is.
func window(lines []string, n, offset int) []string {
	if len(lines) <= n || n < 3 {
		return lines
	}
	offset = min(max(offset, 0), len(lines)-(n-1))
	var out []string
	if offset > 0 {
		out = append(out, fmt.Sprintf("↑ %d more %s above: pgup scrolls", offset, plural(offset, "line")))
	}
	rest := lines[offset:]
	room := n - len(out)
	if len(rest) <= room {
		return append(out, rest...)
	}
	hidden := len(rest) - (room - 1)
	out = append(out, rest[:room-1]...)
	return append(out, fmt.Sprintf("↓ %d more %s below: pgdn scrolls, or enlarge the window", hidden, plural(hidden, "line")))
}

// maxScroll is the largest useful offset of the body.
func (m *Model) maxScroll() int {
	return max(len(m.screenBody())-(m.bodyRows()-1), 0)
}

func fitLines(lines []string, width, n int) string {
	if len(lines) > n {
		hidden := 0
		for _, l := range lines[max(n-1, 0):] {
			if strings.TrimSpace(ansi.Strip(l)) != "" {
				hidden++
			}
		}
		lines = lines[:n]
		if hidden > 0 && n > 1 {
			lines = append(lines[:n-1], fmt.Sprintf("↓ %d more %s below: enlarge the window to see %s", hidden, plural(hidden, "line"), map[bool]string{true: "it", false: "them"}[hidden == 1]))
		}
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i < len(lines) {
			b.WriteString(trunc(lines[i], width))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func trunc(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// wrap breaks s (which may hold styles) into lines of at most w cells;
// continuation lines keep s's indentation plus two spaces. It breaks only at
// spaces, so a command, path or URL is never split mid-word: a word too long
// for an indented line starts its own line at column 0, and only a word wider
// than the whole screen is cut into full-width pieces at column 0 (a tiny
// terminal leaves no other choice; the summary printed after exit keeps it
// whole).
func wrap(s string, w int) []string {
	if w < 10 {
		w = 10
	}
	plain := ansi.Strip(s)
	n := len(plain) - len(strings.TrimLeft(plain, " "))
	pad := ""
	if n > 0 && n <= w/2 {
		pad = strings.Repeat(" ", n+2)
	}
	var lines []string
	cur, curW, fresh := strings.Repeat(" ", n), n, true
	flush := func() {
		lines = append(lines, strings.TrimRight(cur, " "))
		cur, curW, fresh = pad, len(pad), true
	}
	for _, word := range strings.Split(strings.TrimLeft(s, " "), " ") {
		ww := ansi.StringWidth(word)
		if !fresh && curW+1+ww > w {
			flush()
		}
		if fresh {
			if word == "" {
				continue
			}
			if curW+ww > w {
				cur, curW = "", 0 // too long for the indent: start at column 0
			}
			for ww > w { // wider than the screen: full-width pieces at column 0
				lines = append(lines, ansi.Truncate(word, w, ""))
				word = ansi.TruncateLeft(word, w, "")
				ww = ansi.StringWidth(word)
			}
			cur, curW, fresh = cur+word, curW+ww, false
			continue
		}
		cur, curW = cur+" "+word, curW+1+ww
	}
	if !fresh || len(lines) == 0 {
		lines = append(lines, strings.TrimRight(cur, " "))
	}
	return lines
}

func padRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

func sideLine(side []string, i int) string {
	if i < len(side) {
		return trunc(side[i], sideCols)
	}
	return ""
}

// link makes text an OSC 8 hyperlink to url; terminals without them show
// the text alone.
func link(url, text string) string {
	return ansi.SetHyperlink(url) + text + ansi.ResetHyperlink()
}

func deviceLink(s theme.Styles, p steps.LoginProgress) string {
	u := firstNonEmpty(p.DeviceURL, "https://auth.openai.com/codex/device")
	return link(u, s.Code.Render(u))
}

var urlRe = regexp.MustCompile(`https://[^\s"'<>)]+`)

// linkURLs makes every https URL in a line a hyperlink.
func linkURLs(line string) string {
	return urlRe.ReplaceAllStringFunc(line, func(u string) string { return link(u, u) })
}

// progressBar is the terminal's own progress indicator (OSC 9;4, where the
// terminal has one): the steps done so far while the flow runs, a warning
// while it waits for the user, then full, or an error when it failed.
func (m *Model) progressBar() *tea.ProgressBar {
	switch {
	case m.done && m.result.OK:
		return tea.NewProgressBar(tea.ProgressBarDefault, 100)
	case m.done:
		return tea.NewProgressBar(tea.ProgressBarError, 100)
	case m.ask != nil || m.guide || m.status[m.cur] == NeedsUser:
		return tea.NewProgressBar(tea.ProgressBarWarning, int(m.cur)*100/int(StepSummary))
	}
	return tea.NewProgressBar(tea.ProgressBarDefault, int(m.cur)*100/int(StepSummary))
}

// commandStart finds a command after "…: " in a hint line: the sentence,
// then the command ("" when there is none).
var commandStart = regexp.MustCompile(`^(\s*.*?:) ((?:opencode|heidi|npm|npx|codex|curl|brew|ssh|scp|netstat|winget|lsof|chmod|tasklist) .*)$`)

// summaryLine wraps a summary line at spaces; a command in it that does not
// fit goes on lines of its own, broken only between arguments with " \",
// so it is copied whole (issue 15 item 2).
// URLs are OSC 8 links; one longer than the line is cut into full-width
// pieces, each a link to the whole URL, so a click still opens it.
func summaryLine(l string, w int) []string {
	if ansi.StringWidth(l) <= w {
		return []string{linkURLs(l)}
	}
	if u := urlRe.FindString(l); u != "" && len(u) > w {
		var out []string
		if head := strings.TrimRight(l[:strings.Index(l, u)], " "); strings.TrimSpace(head) != "" {
			out = wrap(head, w)
		}
		for rest := u; rest != ""; {
			n := min(len(rest), w)
			out = append(out, link(u, rest[:n]))
			rest = rest[n:]
		}
		return out
	}
	m := commandStart.FindStringSubmatch(l)
	if m == nil {
		var out []string
		for _, x := range wrap(l, w) {
			out = append(out, linkURLs(x))
		}
		return out
	}
	indent := len(m[1]) - len(strings.TrimLeft(m[1], " ")) + 2
	out := wrap(m[1], w)
	for _, c := range commandLines(m[2], w-indent) {
		out = append(out, strings.Repeat(" ", indent)+c)
	}
	return out
}
