package wizard

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/skip2/go-qrcode"

	"github.com/heidi-cli/heidi/steps"
	"github.com/heidi-cli/heidi/theme"
)

// sideCols is the width of the code-and-QR column beside a device-code login.
const sideCols = 34

// onGuide shows the headless guidance screen the flow asks for; with
// --yes route 1 runs at once.
func (m *Model) onGuide(msg guideMsg) (tea.Model, tea.Cmd) {
	m.routes, m.guideWhy, m.guideAns = msg.g.Routes, msg.g.Why, msg.reply
	m.guide = true
	m.routeSel = 0
	if msg.g.Auto {
		m.pickRoute(0)
	}
	return m, m.nextEvent()
}

func (m *Model) guideKey(ks string) (tea.Model, tea.Cmd) {
	switch ks {
	case "up", "shift+tab":
		m.routeSel = (m.routeSel + len(m.routes) - 1) % len(m.routes)
		m.flash = ""
	case "down", "tab":
		m.routeSel = (m.routeSel + 1) % len(m.routes)
		m.flash = ""
	case "enter":
		return m.pickRoute(m.routeSel)
	case "c":
		if cmd := m.routes[m.routeSel].Command; cmd != "" {
			m.flash = "Sent to the terminal's clipboard (OSC 52); if nothing was copied, select the command above."
			return m, m.copyCmd(cmd)
		}
	case "ctrl+c", "esc":
		return m.cancel()
	default:
		// A digit selects its route; enter runs it (as the footer says), so
		// a stray digit never starts a login or lands in a child's prompt.
		if len(ks) == 1 && ks[0] >= '1' && int(ks[0]-'1') < len(m.routes) {
			m.routeSel = int(ks[0] - '1')
			m.flash = ""
			if !m.routeRuns(m.routes[m.routeSel]) {
				return m.pickRoute(m.routeSel) // only says what to do
			}
		}
	}
	return m, nil
}

// routeRuns reports whether picking r starts something (a login or codex).
func (m *Model) routeRuns(r steps.Route) bool {
	switch r.ID {
	case steps.RouteDevice, steps.RouteCodex:
		return r.Runnable
	case steps.RouteTunnel:
		return true
	}
	return false
}

// pickRoute answers the guide with route i when heidi can run it; the
// others only say what to do.
func (m *Model) pickRoute(i int) (tea.Model, tea.Cmd) {
	m.routeSel = i
	r := m.routes[i]
	m.flash = ""
	switch {
	case r.ID == steps.RouteDevice && !r.Runnable:
		m.flash = "This OpenCode has no device-code login; pick another route."
	case r.ID == steps.RouteCodex && !r.Runnable:
		m.flash = "Codex is not installed: npm install -g @openai/codex"
	case m.routeRuns(r):
		m.guide = false
		ans := m.guideAns
		m.guideAns = nil
		if ans != nil {
			ans <- i // buffered: the flow reads it
		}
		return m, nil
	default:
		m.flash = "Press c to copy the command above."
	}
	return m, nil
}

func (m *Model) guideBody() []string {
	s := m.styles
	var lines []string
	for _, l := range m.guideWhy {
		lines = append(lines, wrap(l, m.width-1)...)
	}
	if len(m.guideWhy) == 0 {
		lines = []string{"You asked for the headless login (--headless). Pick a route:"}
	}
	lines = append(lines, "")
	for i, r := range m.routes {
		mark, st := "  ", s.Subtle
		if i == m.routeSel {
			mark, st = s.StepActive.Render(theme.GlyphArrow)+" ", s.Title
		}
		lines = append(lines, trunc(mark+s.Key.Render(fmt.Sprint(i+1))+" "+st.Render(r.Title), m.width))
	}
	lines = append(lines, "")
	r := m.routes[m.routeSel]
	for _, l := range r.Lines {
		lines = append(lines, wrap(s.Subtle.Render(l), m.width-2)...)
	}
	if r.Command != "" {
		for _, l := range commandLines(r.Command, m.width-2) {
			lines = append(lines, "  "+s.Code.Render(l))
		}
	}
	if m.flash != "" {
		lines = append(lines, "", s.Warn.Render(m.flash))
	}
	for _, n := range m.notes {
		lines = append(lines, wrap(s.Warn.Render("• ")+n, m.width-2)...)
	}
	return lines
}

// deviceSide is the column beside a device-code login: the code, large, the
// page to enter it on, a QR code of that page, and the time left.
func (m *Model) deviceSide(rows int) []string {
	s := m.styles
	p := m.progress
	if p.Code == "" {
		if m.childSpec.Paste {
			// Manual URL Paste: no code comes (issue 15 item 12).
			return append([]string{s.Title.Render("Paste the redirect URL")},
				wrap(s.Subtle.Render("Open OpenCode's sign-in URL in any browser and sign in; copy the http://localhost:1455/… address the browser ends on and paste it here."), sideCols)...)
		}
		return []string{s.Subtle.Render("Waiting for the code…")}
	}
	url := firstNonEmpty(p.DeviceURL, "https://auth.openai.com/codex/device")
	left := time.Duration(steps.DeviceCodeLifetime)*time.Second - m.now.Sub(m.codeAt)
	if left < 0 {
		left = 0
	}
	lines := []string{
		s.Title.Render("Your one-time code"),
		s.Big.Render(spaced(p.Code)),
		s.Subtle.Render("Enter it at"),
		link(url, s.Code.Render(strings.TrimPrefix(url, "https://"))),
		s.Subtle.Render(fmt.Sprintf("expires in about %d:%02d", int(left.Minutes()), int(left.Seconds())%60)),
	}
	if qr := qrLines(url); len(qr)+len(lines)+1 <= rows {
		lines = append(lines, "")
		for _, l := range qr {
			lines = append(lines, s.QR.Render(l))
		}
	} else {
		lines = append(lines, "", s.Hint.Render("(taller terminal: QR code)"))
	}
	return lines
}

func spaced(code string) string {
	return strings.Join(strings.Split(code, ""), " ")
}

// qrLines renders a QR code with half blocks: two modules per text row,
// dark modules drawn in the terminal's foreground colour on a light quiet zone
// so phones can read it on dark and light themes alike.
func qrLines(content string) []string {
	q, err := qrcode.New(content, qrcode.Low)
	if err != nil {
		return nil
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	n := len(bm)
	const quiet = 1
	size := n + 2*quiet
	at := func(y, x int) bool {
		y, x = y-quiet, x-quiet
		return y >= 0 && x >= 0 && y < n && x < n && bm[y][x]
	}
	var lines []string
	for y := 0; y < size; y += 2 {
		var b strings.Builder
		for x := 0; x < size; x++ {
			top, bot := at(y, x), y+1 < size && at(y+1, x)
			// Light modules are drawn (█), dark ones left blank: on a dark
			// terminal this gives dark modules on a light field.
			switch {
			case !top && !bot:
				b.WriteString("█")
			case !top && bot:
				b.WriteString("▀")
			case top && !bot:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		lines = append(lines, b.String())
	}
	return lines
}

// commandLines lays a shell command out in lines of at most w cells,
// breaking only between arguments, each broken line ending with " \\" so
// the lines pasted together are still the one command. An argument wider
// than a line gets a line of its own (only a screen too narrow for it cuts
// it).
func commandLines(cmd string, w int) []string {
	if ansi.StringWidth(cmd) <= w {
		return []string{cmd}
	}
	const cont = " \\"
	var lines []string
	cur := ""
	for _, arg := range shellWords(cmd) {
		switch {
		case cur == "":
			cur = arg
		case ansi.StringWidth(cur)+1+ansi.StringWidth(arg)+len(cont) <= w:
			cur += " " + arg
		default:
			lines = append(lines, cur+cont)
			cur = "    " + arg
			if ansi.StringWidth(cur) > w {
				cur = arg // no room for the indent: the argument stays whole
			}
		}
	}
	return append(lines, cur)
}

// shellWords splits cmd at the spaces outside quotes.
func shellWords(cmd string) []string {
	var words []string
	var b strings.Builder
	quote := byte(0)
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == ' ':
			if b.Len() > 0 {
				words = append(words, b.String())
				b.Reset()
			}
			continue
		}
		b.WriteByte(c)
	}
	if b.Len() > 0 {
		words = append(words, b.String())
	}
	return words
}
