package main

// A faithful-enough port of the @clack/prompts + picocolors code bundled in
// opencode 1.18.33 (read from the binary): the same frames, the same redraw
// escape sequences (sisteransi), the same spinner.

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

var outMu sync.Mutex

func out(s string) {
	outMu.Lock()
	os.Stdout.WriteString(s)
	outMu.Unlock()
}

// ---- picocolors ---------------------------------------------------------------

var colorOn = func() bool {
	for _, a := range os.Args {
		if a == "--no-color" {
			return false
		}
	}
	if env("NO_COLOR") != "" {
		return false
	}
	if env("FORCE_COLOR") != "" || env("CI") != "" {
		return true
	}
	return isTTY(os.Stdout) && env("TERM") != "dumb"
}()

// pc reproduces picocolors' formatter, including how it re-opens a style
// after a nested close code.
func pc(open, close, replace string) func(string) string {
	return func(s string) string {
		if !colorOn {
			return s
		}
		idx := -1
		if len(open) <= len(s) {
			if i := strings.Index(s[len(open):], close); i >= 0 {
				idx = i + len(open)
			}
		}
		if idx < 0 {
			return open + s + close
		}
		return open + s[:idx] + strings.ReplaceAll(s[idx:], close, replace) + close
	}
}

var (
	cGray          = pc("\x1b[90m", "\x1b[39m", "\x1b[90m")
	cCyan          = pc("\x1b[36m", "\x1b[39m", "\x1b[36m")
	cGreen         = pc("\x1b[32m", "\x1b[39m", "\x1b[32m")
	cRed           = pc("\x1b[31m", "\x1b[39m", "\x1b[31m")
	cYellow        = pc("\x1b[33m", "\x1b[39m", "\x1b[33m")
	cBlue          = pc("\x1b[34m", "\x1b[39m", "\x1b[34m")
	cMagenta       = pc("\x1b[35m", "\x1b[39m", "\x1b[35m")
	cDim           = pc("\x1b[2m", "\x1b[22m", "\x1b[22m\x1b[2m")
	cInverse       = pc("\x1b[7m", "\x1b[27m", "\x1b[7m")
	cHidden        = pc("\x1b[8m", "\x1b[28m", "\x1b[8m")
	cStrikethrough = pc("\x1b[9m", "\x1b[29m", "\x1b[9m")
)

// opencode's own UI styles are raw ANSI, written regardless of the terminal.
const (
	styleDim    = "\x1b[90m"
	styleNormal = "\x1b[0m"
	styleDanger = "\x1b[91m\x1b[1m"
)

// ---- clack symbols (unicode unless TERM=linux) --------------------------------

var unicodeOn = env("TERM") != "linux"

func sym(u, a string) string {
	if unicodeOn {
		return u
	}
	return a
}

var (
	sStepActive  = sym("◆", "*")
	sStepCancel  = sym("■", "x")
	sStepError   = sym("▲", "x")
	sStepSubmit  = sym("◇", "o")
	sBarStart    = sym("┌", "T")
	sBar         = sym("│", "|")
	sBarEnd      = sym("└", "—")
	sRadioActive = sym("●", ">")
	sRadioIdle   = sym("○", " ")
	sPassword    = sym("▪", "•")
	sInfo        = sym("●", "•")
	sSuccess     = sym("◆", "*")
	sWarn        = sym("▲", "!")
	sError       = sym("■", "x")
)

func stateSymbol(state string) string {
	switch state {
	case "cancel":
		return cRed(sStepCancel)
	case "error":
		return cYellow(sStepError)
	case "submit":
		return cGreen(sStepSubmit)
	}
	return cCyan(sStepActive)
}

// ---- opencode UI (stderr) --------------------------------------------------------

var stderrBlank bool

// uiEmpty is UI.empty(): one "\e[0m" line on stderr unless the last thing
// written there already was one.
func uiEmpty() {
	if stderrBlank {
		return
	}
	uiPrintln(styleNormal)
	stderrBlank = true
}

func uiPrintln(s string) {
	stderrBlank = false
	outMu.Lock()
	os.Stderr.WriteString(s + "\n")
	outMu.Unlock()
}

// errorLine is UI.error(): "\e[91m\e[1mError: \e[0m<msg>" on stderr.
func errorLine(msg string) {
	msg = strings.TrimPrefix(msg, "Error: ")
	uiPrintln(styleDanger + "Error: " + styleNormal + msg)
}

// ---- clack log / intro / outro ---------------------------------------------------

func intro(msg string) { out(cGray(sBarStart) + "  " + msg + "\n") }

func outro(msg string) { out(cGray(sBar) + "\n" + cGray(sBarEnd) + "  " + msg + "\n\n") }

func logMessage(msg, symbol string) {
	lines := []string{cGray(sBar)}
	parts := strings.Split(msg, "\n")
	if parts[0] != "" {
		lines = append(lines, symbol+"  "+parts[0])
	} else {
		lines = append(lines, symbol)
	}
	for _, p := range parts[1:] {
		if p != "" {
			lines = append(lines, cGray(sBar)+"  "+p)
		} else {
			lines = append(lines, cGray(sBar))
		}
	}
	out(strings.Join(lines, "\n") + "\n")
}

func logInfo(msg string)    { logMessage(msg, cBlue(sInfo)) }
func logSuccess(msg string) { logMessage(msg, cGreen(sSuccess)) }
func logWarn(msg string)    { logMessage(msg, cYellow(sWarn)) }
func logError(msg string)   { logMessage(msg, cRed(sError)) }

// ---- sisteransi ---------------------------------------------------------------------

func move(x, y int) string {
	s := ""
	if x < 0 {
		s += fmt.Sprintf("\x1b[%dD", -x)
	} else if x > 0 {
		s += fmt.Sprintf("\x1b[%dC", x)
	}
	if y < 0 {
		s += fmt.Sprintf("\x1b[%dA", -y)
	} else if y > 0 {
		s += fmt.Sprintf("\x1b[%dB", y)
	}
	return s
}

const (
	cursorHide = "\x1b[?25l"
	cursorShow = "\x1b[?25h"
	eraseDown  = "\x1b[J"
	eraseLine1 = "\x1b[2K\x1b[G" // erase.lines(1)
)

// ---- wrap-ansi (trim + a simple hard wrap) ---------------------------------------------

func visibleWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j + 1
			continue
		}
		r, sz := utf8.DecodeRuneInString(s[i:])
		if unicode.Is(unicode.Mn, r) || r == 0x200b {
			// zero width
		} else if r >= 0x1100 && isWide(r) {
			n += 2
		} else {
			n++
		}
		i += sz
	}
	return n
}

func isWide(r rune) bool {
	return (r >= 0x1100 && r <= 0x115f) || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
		(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) ||
		(r >= 0xffe0 && r <= 0xffe6) || (r >= 0x1f300 && r <= 0x1faff)
}

// wrapLine is wrap-ansi's exec(line, columns, {hard: true}) with its default
// trim: leading whitespace dropped, trailing zero-width words folded. When
// columns > 0 it hard-wraps by words (escape state is not re-opened across the
// break, unlike wrap-ansi; the fake's frames stay well under 80 columns).
func wrapLine(line string, columns int) string {
	if strings.TrimSpace(line) == "" {
		return ""
	}
	words := strings.Split(line, " ")
	rows := []string{""}
	for i, w := range words {
		rows[len(rows)-1] = strings.TrimLeftFunc(rows[len(rows)-1], unicode.IsSpace)
		rl := visibleWidth(rows[len(rows)-1])
		if i != 0 && rl > 0 {
			rows[len(rows)-1] += " "
			rl++
		}
		wl := visibleWidth(w)
		if columns > 0 && rl+wl > columns && rl > 0 && wl > 0 {
			rows = append(rows, "")
			rl = 0
		}
		if columns > 0 && wl > columns {
			// hard-break a long word rune by rune
			cur := rows[len(rows)-1]
			for _, r := range w {
				if visibleWidth(cur)+1 > columns && r != 0x1b {
					rows[len(rows)-1] = cur
					rows = append(rows, "")
					cur = ""
				}
				cur += string(r)
			}
			rows[len(rows)-1] = cur
			continue
		}
		rows[len(rows)-1] += w
	}
	for i, r := range rows {
		rows[i] = trimSpacesRight(r)
	}
	return strings.Join(rows, "\n")
}

func trimSpacesRight(s string) string {
	words := strings.Split(s, " ")
	last := len(words)
	for last > 0 && visibleWidth(words[last-1]) == 0 {
		last--
	}
	if last == len(words) {
		return s
	}
	return strings.Join(words[:last], " ") + strings.Join(words[last:], "")
}

func wrapFrame(frame string) string {
	cols := 0
	if isTTY(os.Stdout) {
		cols, _ = termSize()
	}
	lines := strings.Split(strings.ReplaceAll(frame, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = wrapLine(l, cols)
	}
	return strings.Join(lines, "\n")
}

// ---- prompts ------------------------------------------------------------------------

type option struct{ value, label, hint string }

type prompt struct {
	kind     string // autocomplete | select | password | text
	message  string
	state    string // initial active error submit cancel
	prev     string
	track    bool
	input    string
	validate func(string) string
	errMsg   string
	value    string
	hasValue bool

	options  []option
	cursor   int
	maxItems int // 0 = unlimited

	// autocomplete
	filtered     []option
	focused      string
	hasFocused   bool
	selected     []string
	isNavigating bool
	lastInput    string
}

func newAutocomplete(message string, opts []option, maxItems int) *prompt {
	p := &prompt{kind: "autocomplete", message: message, state: "initial", track: true, options: opts, maxItems: maxItems}
	p.filtered = append([]option(nil), opts...)
	if len(opts) > 0 {
		p.selected = []string{opts[0].value}
		p.cursor = 0
		p.focused, p.hasFocused = opts[0].value, true
	}
	return p
}

func newSelect(message string, opts []option) *prompt {
	p := &prompt{kind: "select", message: message, state: "initial", options: opts}
	p.value, p.hasValue = opts[0].value, true
	return p
}

func newPassword(message string, validate func(string) string) *prompt {
	return &prompt{kind: "password", message: message, state: "initial", track: true, validate: validate}
}

func newText(message string, validate func(string) string) *prompt {
	return &prompt{kind: "text", message: message, state: "initial", track: true, validate: validate}
}

func (p *prompt) header() string {
	return cGray(sBar) + "\n" + stateSymbol(p.state) + "  " + p.message + "\n"
}

// limitOptions is clack's sliding window ("..." rows at the cut ends).
func limitOptions(opts []option, cursor, maxItems int, style func(option, bool) string) []string {
	rows := 10
	if isTTY(os.Stdout) {
		if _, r := termSize(); r > 0 {
			rows = r
		}
	}
	s := rows - 4
	if s < 0 {
		s = 0
	}
	mi := maxItems
	if mi <= 0 {
		mi = 1 << 30
	}
	if mi < 5 {
		mi = 5
	}
	pp := s
	if mi < pp {
		pp = mi
	}
	start := 0
	if cursor >= start+pp-3 {
		start = cursor - pp + 3
		if len(opts)-pp < start {
			start = len(opts) - pp
		}
		if start < 0 {
			start = 0
		}
	} else if cursor < start+2 {
		start = cursor - 2
		if start < 0 {
			start = 0
		}
	}
	top := pp < len(opts) && start > 0
	bottom := pp < len(opts) && start+pp < len(opts)
	end := start + pp
	if end > len(opts) {
		end = len(opts)
	}
	var out []string
	for i := start; i < end; i++ {
		if (i == start && top) || (i == end-1 && bottom) {
			out = append(out, cDim("..."))
			continue
		}
		out = append(out, style(opts[i], i == cursor))
	}
	return out
}

func (p *prompt) masked() string { return strings.Repeat(sPassword, utf8.RuneCountInString(p.input)) }

func (p *prompt) render() string {
	n := p.header()
	switch p.kind {
	case "autocomplete":
		switch p.state {
		case "submit":
			var labels []string
			for _, v := range p.selected {
				for _, o := range p.options {
					if o.value == v {
						labels = append(labels, o.label)
					}
				}
			}
			return n + cGray(sBar) + "  " + cDim(strings.Join(labels, ", "))
		case "cancel":
			return n + cGray(sBar) + "  " + cStrikethrough(cDim(p.input))
		}
		var l string
		if p.isNavigating {
			l = cDim(p.input)
		} else if p.input == "" {
			l = cInverse(cHidden("_"))
		} else {
			l = p.input + "█"
		}
		count := ""
		if len(p.filtered) != len(p.options) {
			es := "es"
			if len(p.filtered) == 1 {
				es = ""
			}
			count = cDim(fmt.Sprintf(" (%d match%s)", len(p.filtered), es))
		}
		lines := []string{n, cCyan(sBar) + "  " + cDim("Search:") + " " + l + count}
		if len(p.filtered) == 0 && p.input != "" {
			lines = append(lines, cCyan(sBar)+"  "+cYellow("No matches found"))
		}
		if p.state == "error" {
			lines = append(lines, cYellow(sBar)+"  "+cYellow(p.errMsg))
		}
		if len(p.filtered) > 0 {
			for _, o := range limitOptions(p.filtered, p.cursor, p.maxItems, func(o option, active bool) string {
				hint := ""
				if o.hint != "" && p.hasFocused && o.value == p.focused {
					hint = cDim(" (" + o.hint + ")")
				}
				if active {
					return cGreen(sRadioActive) + " " + o.label + hint
				}
				return cDim(sRadioIdle) + " " + cDim(o.label) + hint
			}) {
				lines = append(lines, cCyan(sBar)+"  "+o)
			}
		}
		help := []string{cDim("↑/↓") + " to select", cDim("Enter:") + " confirm", cDim("Type:") + " to search"}
		lines = append(lines, cCyan(sBar)+"  "+cDim(strings.Join(help, " • ")), cCyan(sBarEnd))
		return strings.Join(lines, "\n")
	case "select":
		opt := p.options[p.cursor]
		switch p.state {
		case "submit":
			return n + cGray(sBar) + "  " + cDim(opt.label)
		case "cancel":
			return n + cGray(sBar) + "  " + cStrikethrough(cDim(opt.label)) + "\n" + cGray(sBar)
		}
		rows := limitOptions(p.options, p.cursor, p.maxItems, func(o option, active bool) string {
			if active {
				h := ""
				if o.hint != "" {
					h = cDim("(" + o.hint + ")")
				}
				return cGreen(sRadioActive) + " " + o.label + " " + h
			}
			return cDim(sRadioIdle) + " " + cDim(o.label)
		})
		return n + cCyan(sBar) + "  " + strings.Join(rows, "\n"+cCyan(sBar)+"  ") + "\n" + cCyan(sBarEnd) + "\n"
	case "password":
		m := p.masked()
		switch p.state {
		case "error":
			return strings.TrimSpace(n) + "\n" + cYellow(sBar) + "  " + m + "\n" + cYellow(sBarEnd) + "  " + cYellow(p.errMsg) + "\n"
		case "submit":
			return n + cGray(sBar) + "  " + cDim(m)
		case "cancel":
			s := n + cGray(sBar) + "  " + cStrikethrough(cDim(m))
			if m != "" {
				s += "\n" + cGray(sBar)
			}
			return s
		}
		return n + cCyan(sBar) + "  " + m + cInverse(cHidden("_")) + "\n" + cCyan(sBarEnd) + "\n"
	default: // text
		g := cInverse(cHidden("_"))
		if p.input != "" {
			g = p.input + "█"
		}
		switch p.state {
		case "error":
			return strings.TrimSpace(n) + "\n" + cYellow(sBar) + "  " + g + "\n" + cYellow(sBarEnd) + "  " + cYellow(p.errMsg) + "\n"
		case "submit":
			return n + cGray(sBar) + "  " + cDim(p.input)
		case "cancel":
			s := n + cGray(sBar) + "  " + cStrikethrough(cDim(p.input))
			if strings.TrimSpace(p.input) != "" {
				s += "\n" + cGray(sBar)
			}
			return s
		}
		return n + cCyan(sBar) + "  " + g + "\n" + cCyan(sBarEnd) + "\n"
	}
}

func diffLines(a, b string) []int {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	n := len(al)
	if len(bl) > n {
		n = len(bl)
	}
	var d []int
	for i := 0; i < n; i++ {
		var x, y string
		x0, y0 := i < len(al), i < len(bl)
		if x0 {
			x = al[i]
		}
		if y0 {
			y = bl[i]
		}
		if x != y || x0 != y0 {
			d = append(d, i)
		}
	}
	return d
}

// draw is Prompt.render() from @clack/core.
func (p *prompt) draw() {
	frame := wrapFrame(p.render())
	if frame == p.prev {
		return
	}
	var b strings.Builder
	if p.state == "initial" {
		b.WriteString(cursorHide)
	} else {
		d := diffLines(p.prev, frame)
		b.WriteString(move(-999, -strings.Count(p.prev, "\n")))
		if len(d) == 1 {
			f := d[0]
			lines := strings.Split(frame, "\n")
			b.WriteString(move(0, f))
			b.WriteString(eraseLine1)
			b.WriteString(lines[f])
			p.prev = frame
			b.WriteString(move(0, len(lines)-f-1))
			out(b.String())
			return
		}
		if len(d) > 1 {
			f := d[0]
			b.WriteString(move(0, f))
			b.WriteString(eraseDown)
			b.WriteString(strings.Join(strings.Split(frame, "\n")[f:], "\n"))
			p.prev = frame
			out(b.String())
			return
		}
		b.WriteString(eraseDown)
	}
	b.WriteString(frame)
	if p.state == "initial" {
		p.state = "active"
	}
	p.prev = frame
	out(b.String())
}

func (p *prompt) setInput(s string) {
	p.input = s
	switch p.kind {
	case "password", "text":
		p.value, p.hasValue = s, true
	case "autocomplete":
		if s == p.lastInput {
			return
		}
		p.lastInput = s
		if s != "" {
			p.filtered = nil
			q := strings.ToLower(s)
			for _, o := range p.options {
				if strings.Contains(strings.ToLower(o.label), q) || strings.Contains(strings.ToLower(o.hint), q) ||
					strings.Contains(strings.ToLower(o.value), q) {
					p.filtered = append(p.filtered, o)
				}
			}
		} else {
			p.filtered = append([]option(nil), p.options...)
		}
		p.cursor = 0
		if p.hasFocused {
			for i, o := range p.filtered {
				if o.value == p.focused {
					p.cursor = i
				}
			}
		}
		if len(p.filtered) > 0 {
			p.focused, p.hasFocused = p.filtered[p.cursor].value, true
			p.selected = []string{p.focused}
		} else {
			p.focused, p.hasFocused = "", false
			p.selected = nil
		}
	}
}

// run shows the prompt and returns (value, ok); ok is false when cancelled.
func (p *prompt) run() (string, bool) {
	startKeys()
	setRaw(true)
	// output.on("resize", render), registered before the first render
	winch := make(chan os.Signal, 1)
	notifyWinch(winch)
	defer signal.Stop(winch)
	p.draw()
	for {
		var k key
		select {
		case <-winch:
			p.draw()
			continue
		case k = <-keys:
		}
		if p.track && k.name != "return" {
			in := p.input
			switch {
			case k.name == "backspace":
				if in != "" {
					_, sz := utf8.DecodeLastRuneInString(in)
					in = in[:len(in)-sz]
				}
			case k.ch != "" && !k.ctrl:
				in += k.ch
			}
			p.setInput(in)
		}
		if p.state == "error" {
			p.state = "active"
		}
		dir := ""
		if !p.track {
			dir = map[string]string{"k": "up", "j": "down", "h": "left", "l": "right"}[k.name]
		}
		if k.name == "up" || k.name == "down" || k.name == "left" || k.name == "right" {
			dir = k.name
		}
		switch p.kind {
		case "select":
			switch dir {
			case "up", "left":
				p.cursor = (p.cursor - 1 + len(p.options)) % len(p.options)
			case "down", "right":
				p.cursor = (p.cursor + 1) % len(p.options)
			}
			p.value, p.hasValue = p.options[p.cursor].value, true
		case "autocomplete":
			switch {
			case k.name == "up" || k.name == "down":
				if k.name == "up" {
					p.cursor--
				} else {
					p.cursor++
				}
				if p.cursor > len(p.filtered)-1 {
					p.cursor = len(p.filtered) - 1
				}
				if p.cursor < 0 {
					p.cursor = 0
				}
				if len(p.filtered) > 0 {
					p.focused, p.hasFocused = p.filtered[p.cursor].value, true
					p.selected = []string{p.focused}
				}
				p.isNavigating = true
			case k.name == "return":
				if len(p.selected) > 0 {
					p.value, p.hasValue = p.selected[0], true
				} else {
					p.value, p.hasValue = "", false
				}
			default:
				if p.hasFocused {
					p.selected = []string{p.focused}
				}
			}
		}
		if k.name == "return" {
			if p.validate != nil {
				if e := p.validate(p.value); e != "" {
					p.errMsg, p.state = e, "error"
				}
			}
			if p.state != "error" {
				p.state = "submit"
			}
		}
		if k.isCancel() {
			p.state = "cancel"
		}
		p.draw()
		if p.state == "submit" || p.state == "cancel" {
			out("\n")
			setRaw(false)
			out(cursorShow)
			return p.value, p.state == "submit" && p.hasValue
		}
	}
}

// ---- spinner ------------------------------------------------------------------------

type spinnerT struct {
	mu       sync.Mutex
	active   bool
	msg      string
	last     string
	hasLast  bool
	ticker   *time.Ticker
	quit     chan struct{}
	sigs     chan os.Signal
	cleanups int
	ci       bool
}

var spin = &spinnerT{}

// signalMode: "real" (the first SIGINT/SIGTERM only stops the spinner with
// "■  Canceled" and the wait goes on; the next one kills, as measured),
// "ignore" (every one is swallowed) or "obey" (die at once).
func signalMode() string {
	if env("FAKE_OPENCODE_OBEY_SIGNALS") == "1" {
		return "obey"
	}
	switch m := env("FAKE_OPENCODE_SIGNALS"); m {
	case "real", "ignore", "obey":
		return m
	}
	if env("FAKE_OPENCODE_LOGIN") == "hang" {
		return "ignore"
	}
	return "real"
}

func (s *spinnerT) erasePrev() string {
	if !s.hasLast {
		return ""
	}
	pre := ""
	if s.ci {
		pre = "\n"
	}
	n := strings.Count(s.last, "\n") + 1
	return pre + move(-999, n-1) + strings.Repeat(eraseDown, n)
}

func (s *spinnerT) start(msg string) {
	s.mu.Lock()
	s.active = true
	s.ci = env("CI") == "true"
	s.msg = strings.TrimRight(msg, ".")
	s.quit = make(chan struct{})
	s.cleanups++
	s.mu.Unlock()
	// block(): hide the cursor, raw stdin, watch keys.
	out(cursorHide)
	setRaw(true)
	startKeys()
	go s.watchKeys(s.quit)
	out(cGray(sBar) + "\n")
	mode := signalMode()
	if mode != "obey" {
		s.sigs = make(chan os.Signal, 4)
		signal.Notify(s.sigs, syscall.SIGINT, syscall.SIGTERM)
		go s.watchSignals(s.sigs, mode)
	}
	frames := []string{"◒", "◐", "◓", "◑"}
	delay := 80 * time.Millisecond
	if !unicodeOn {
		frames, delay = []string{"•", "o", "O", "0"}, 120*time.Millisecond
	}
	s.ticker = time.NewTicker(delay)
	go func(t *time.Ticker, quit chan struct{}) {
		x, w := 0, 0.0
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			s.mu.Lock()
			if !s.active {
				s.mu.Unlock()
				return
			}
			if s.ci && s.msg == s.last && s.hasLast {
				s.mu.Unlock()
				continue
			}
			var b strings.Builder
			b.WriteString(s.erasePrev())
			s.last, s.hasLast = s.msg, true
			f := cMagenta(frames[x])
			if s.ci {
				b.WriteString(f + "  " + s.msg + "...")
			} else {
				dots := strings.Repeat(".", int(w))
				if len(dots) > 3 {
					dots = dots[:3]
				}
				b.WriteString(f + "  " + s.msg + dots)
			}
			out(b.String())
			x = (x + 1) % len(frames)
			if w < 4 {
				w += 0.125
			} else {
				w = 0
			}
			s.mu.Unlock()
		}
	}(s.ticker, s.quit)
}

// stop is the spinner's stop(msg, code): 0 ◇ green, 1 ■ red, other ▲ red.
func (s *spinnerT) stop(msg string, code int) {
	s.mu.Lock()
	s.active = false
	if s.ticker != nil {
		s.ticker.Stop()
	}
	if s.quit != nil {
		select {
		case <-s.quit:
		default:
			close(s.quit)
		}
	}
	symbol := cGreen(sStepSubmit)
	switch code {
	case 0:
	case 1:
		symbol = cRed(sStepCancel)
	default:
		symbol = cRed(sStepError)
	}
	// Drop the signal listeners before saying so: a signal sent by someone
	// who has just read the line below must get the default action (in the
	// real client both happen in one turn of the event loop).
	if s.sigs != nil {
		signal.Stop(s.sigs)
		signal.Reset(syscall.SIGINT, syscall.SIGTERM)
		s.sigs = nil
	}
	out(s.erasePrev() + symbol + "  " + msg + "\n")
	s.mu.Unlock()
	// block() cleanup
	out(cursorShow)
	setRaw(false)
}

func (s *spinnerT) isActive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

func (s *spinnerT) watchSignals(ch chan os.Signal, mode string) {
	first := true
	for range ch {
		if first && s.isActive() {
			first = false
			if mode == "ignore" {
				// print the cancel line like the real one, but keep every
				// listener: nothing short of SIGKILL ends the wait.
				s.mu.Lock()
				s.active = false
				if s.ticker != nil {
					s.ticker.Stop()
				}
				out(s.erasePrev() + cRed(sStepCancel) + "  Canceled\n")
				s.mu.Unlock()
				out(cursorShow)
				setRaw(false)
				continue
			}
			s.stop("Canceled", 1)
			return
		}
	}
}

// watchKeys is clack's block(): Ctrl-C or Esc shows the cursor and calls
// process.exit(0), whose exit hook prints "◇  Canceled"; other keys are echoed
// by readline and wiped again.
func (s *spinnerT) watchKeys(quit chan struct{}) {
	for {
		select {
		case <-quit:
			return
		case k := <-keys:
			if !s.isActive() {
				return
			}
			if k.isCancel() {
				out(cursorShow)
				exit(0)
			}
			echo := ""
			if isTTY(os.Stdout) {
				if k.name == "return" {
					echo = "\r\n"
				} else if k.ch != "" {
					echo = k.ch
				}
			}
			if k.name == "return" {
				out(echo + "\x1b[1A\x1b[0K")
			} else {
				out(echo + "\x1b[1D\x1b[0K")
			}
		}
	}
}

// exit is process.exit(code) with the spinner's exit hook.
func exit(code int) {
	if spin.isActive() {
		msg := "Canceled"
		if code > 1 {
			msg = "Something went wrong"
		}
		spin.stop(msg, code)
	}
	setRaw(false)
	os.Exit(code)
}
