package steps

import (
	"regexp"
	"strings"
)

// MenuDriver drives OpenCode's interactive login menus (clack-style "Select
// provider" and "Login method" prompts) for releases whose `auth login` has
// no -p/-m flags. It reads the child's screen and answers with keys; it acts
// only on a screen it has not acted on yet, so keys are never sent before the
// prompt they are meant for is drawn.
type MenuDriver struct {
	Kind   MethodKind
	Picked string // the method label chosen, once known
	Done   bool   // both menus answered
	Fail   string // why the menus cannot lead to a ChatGPT login

	searched bool
	last     string
}

var menuRow = regexp.MustCompile(`^│\s+([●○])\s+(.+?)\s*$`)

const (
	keyUp    = "\x1b[A"
	keyDown  = "\x1b[B"
	keyEnter = "\r"
)

// Next returns the keys to send for this screen ("" when there is nothing
// to do yet).
func (d *MenuDriver) Next(screen string) string {
	if d.Done || screen == d.last {
		return ""
	}
	lines := strings.Split(screen, "\n")
	active := -1
	for i, l := range lines {
		if strings.Contains(l, "◆") {
			active = i
		}
	}
	if active < 0 {
		return ""
	}
	prompt := lines[active]
	if strings.Contains(prompt, "API key") && !strings.Contains(prompt, "Login method") {
		// OpenCode skipped the method menu: its only OpenAI method is an API key.
		d.Fail = "OpenCode offers only an API key for OpenAI here, no ChatGPT login (the plugin that adds it did not load)"
		d.last = screen
		return ""
	}
	var rows []string
	cur := -1
	search := false
	for _, l := range lines[active+1:] {
		t := strings.TrimRight(l, " ")
		if strings.HasPrefix(t, "└") {
			break
		}
		if strings.Contains(t, "Search:") {
			search = true
		}
		if m := menuRow.FindStringSubmatch(t); m != nil {
			if m[1] == "●" {
				cur = len(rows)
			}
			rows = append(rows, m[2])
		}
	}
	if cur < 0 || len(rows) == 0 {
		return ""
	}
	switch {
	case strings.Contains(prompt, "Select provider"):
		target := indexWhere(rows, func(r string) bool { return r == "OpenAI" || strings.HasPrefix(r, "OpenAI ") })
		if target < 0 {
			if search && !d.searched {
				d.searched, d.last = true, screen
				return "openai"
			}
			return ""
		}
		d.last = screen
		return moves(cur, target) + keyEnter
	case strings.Contains(prompt, "Login method"):
		label := PickMethod(rows, d.Kind)
		if label == "" && d.Kind == MethodDevice {
			label = PickMethod(rows, MethodBrowser)
		}
		target := indexWhere(rows, func(r string) bool { return r == label })
		if target < 0 {
			d.Fail = "OpenCode's login menu offers no ChatGPT method (it offers: " + strings.Join(rows, ", ") + ")"
			d.last = screen
			return ""
		}
		d.Picked, d.Done, d.last = label, true, screen
		return moves(cur, target) + keyEnter
	}
	return ""
}

func moves(from, to int) string {
	if to > from {
		return strings.Repeat(keyDown, to-from)
	}
	return strings.Repeat(keyUp, from-to)
}

func indexWhere(rows []string, f func(string) bool) int {
	for i, r := range rows {
		if f(r) {
			return i
		}
	}
	return -1
}
