package wizard

import (
	"fmt"

	kb "charm.land/bubbles/v2/key"
)

// The wizard's keys (bubbles/key): the footer and the ? help are made from
// the bindings of the screen that is up, so what a key does is written
// once.
var (
	bindLeave   = kb.NewBinding(kb.WithKeys(keyLeave), kb.WithHelp(keyLeave, "leave"))
	bindOpen    = kb.NewBinding(kb.WithKeys(keyOpen), kb.WithHelp(keyOpen, "open in browser"))
	bindCopy    = kb.NewBinding(kb.WithKeys(keyCopy), kb.WithHelp(keyCopy, "copy"))
	bindChoose  = kb.NewBinding(kb.WithKeys("up", "down", "tab", "shift+tab"), kb.WithHelp("↑/↓", "choose"))
	bindRun     = kb.NewBinding(kb.WithKeys("enter"), kb.WithHelp("enter", "run"))
	bindConfirm = kb.NewBinding(kb.WithKeys("enter"), kb.WithHelp("enter", "confirm"))
	bindCopyCmd = kb.NewBinding(kb.WithKeys("c"), kb.WithHelp("c", "copy the command"))
	bindQuit    = kb.NewBinding(kb.WithKeys("ctrl+c"), kb.WithHelp("ctrl+c", "quit"))
	bindExit    = kb.NewBinding(kb.WithKeys("q", "enter", "esc"), kb.WithHelp("q/enter", "exit"))
	bindStop    = kb.NewBinding(kb.WithKeys("esc"), kb.WithHelp("esc", "stop"))
	bindScroll  = kb.NewBinding(kb.WithKeys("pgup", "pgdown", "home", "end"), kb.WithHelp("pgup/pgdn", "scroll"))
	bindHelp    = kb.NewBinding(kb.WithKeys("?"), kb.WithHelp("?", "keys"))
)

// footKey is one key of the footer: a binding, what it does here, and how
// long it stays when the footer is too narrow (higher stays longer).
type footKey struct {
	b    kb.Binding
	what string
	prio int
	more string // a longer sentence for the ? help, "" for what
}

// screenKeys are the keys of the screen that is up.
func (m *Model) screenKeys() []footKey {
	var ks []footKey
	add := func(prio int, b kb.Binding, what, more string) {
		if what == "" {
			what = b.Help().Desc
		}
		ks = append(ks, footKey{b: b, what: what, prio: prio, more: more})
	}
	scroll := func() {
		if m.maxScroll() > 0 {
			add(5, bindScroll, "", "scroll the screen; home and end go to its top and bottom")
		}
	}
	switch {
	case m.child != nil:
		add(9, bindLeave, "leave "+childName(m.childWhat), "end "+childName(m.childWhat)+" and go back (a waiting browser login is cancelled first)")
		if m.progress.AuthURL != "" {
			add(3, bindOpen, "", "open the sign-in page in this computer's browser")
		}
		if m.progress.AuthURL != "" || m.progress.Code != "" {
			add(4, bindCopy, "copy "+map[bool]string{true: "code", false: "URL"}[m.progress.Code != ""], "copy it (OSC 52 to the terminal, and the system clipboard where there is one)")
		}
	case m.guide:
		scroll()
		add(3, kb.NewBinding(kb.WithKeys("1"), kb.WithHelp(fmt.Sprintf("1-%d", len(m.routes)), "")), "select", "select a route (enter runs it)")
		add(1, bindChoose, "", "")
		add(4, bindRun, "", "run the selected route, or say what to do for one heidi cannot run")
		add(2, bindCopyCmd, "", "copy the selected route's command")
		add(6, bindHelp, "", "show this help")
		add(9, bindQuit, "", "quit heidi")
	case m.ask != nil:
		add(1, bindChoose, "", "")
		add(2, bindConfirm, "", "take the selected answer (each answer's letter takes it at once)")
		add(6, bindHelp, "", "show this help")
		add(9, bindQuit, "", "quit heidi (esc too)")
	case m.done:
		scroll()
		add(6, bindHelp, "", "show this help")
		add(9, bindExit, "", "leave heidi; the summary stays on the terminal")
	case m.cur == StepModels && m.status[StepModels] == Running:
		add(8, bindStop, "stop waiting", "give up waiting for OpenCode's model list (the run ends cancelled)")
		add(6, bindHelp, "", "show this help")
		add(9, bindQuit, "", "quit heidi")
	case m.cur == StepTest && m.status[StepTest] == Running:
		add(8, bindStop, "stop the test run", "stop the test request (the run ends cancelled)")
		add(6, bindHelp, "", "show this help")
		add(9, bindQuit, "", "quit heidi")
	default:
		add(6, bindHelp, "", "show this help")
		add(9, bindQuit, "", "quit heidi")
	}
	return ks
}

// helpBody is the ? screen: every key of the screen underneath, in words.
func (m *Model) helpBody() []string {
	s := m.styles
	lines := []string{s.Title.Render("Keys on this screen"), ""}
	for _, k := range m.screenKeys() {
		if k.b.Help().Key == "?" {
			continue
		}
		more := k.more
		if more == "" {
			more = k.what
		}
		lines = append(lines, wrap(s.Key.Render(fmt.Sprintf("%-10s", k.b.Help().Key))+" "+more, m.width-2)...)
	}
	return append(lines, "", s.Hint.Render("Any key closes this help."))
}
