package steps

import (
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

	searched     bool // "openai" typed into the provider search
	movedProv    bool // arrows sent in the provider menu
	providerDone bool // Enter sent on OpenAI
	movedMethod  bool // arrows sent in the method menu
	last         string
}

var (
	menuRow    = lazyRE(`^│\s+([●○])\s+(.+?)\s*$`)
	searchLine = lazyRE(`Search:\s*(\S*)`)
)

const (
	keyUp    = "\x1b[A"
	keyDown  = "\x1b[B"
	keyEnter = "\r"
)

// Next returns the keys to send for this screen ("" when there is nothing
// to do yet). Each prompt is answered once: arrows (or the search text) are
// sent first, and Enter only once a redraw shows the wanted row highlighted,
// so the intermediate redraws that follow each key are never answered.
func (d *MenuDriver) Next(screen string) string {
	if d.Done || d.Fail != "" || screen == d.last {
		return ""
	}
	d.last = screen
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
	if d.providerDone && strings.Contains(prompt, "API key") && !strings.Contains(prompt, "Login method") {
		// OpenCode skipped the method menu: its only OpenAI method is an API key.
		d.Fail = "OpenCode offers only an API key for OpenAI here, no ChatGPT login (the plugin that adds it did not load)"
		return ""
	}
	var rows []string
	cur := -1
	search, searchText := false, ""
	for _, l := range lines[active+1:] {
		t := strings.TrimRight(l, " ")
		if strings.HasPrefix(t, "└") {
			break
		}
		if m := searchLine().FindStringSubmatch(t); m != nil {
			search, searchText = true, strings.Trim(m[1], "_")
		}
		if m := menuRow().FindStringSubmatch(t); m != nil {
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
	case strings.Contains(prompt, "Select provider") && !d.providerDone:
		isOpenAI := func(r string) bool { return r == "OpenAI" || strings.HasPrefix(r, "OpenAI ") }
		if isOpenAI(rows[cur]) {
			d.providerDone = true
			return keyEnter
		}
		if search && !d.searched {
			d.searched = true
			return "openai"
		}
		if d.searched && !strings.EqualFold(searchText, "openai") {
			return "" // the search text is still being drawn
		}
		target := indexWhere(rows, isOpenAI)
		if target < 0 || d.movedProv {
			return ""
		}
		d.movedProv = true
		return moves(cur, target)
	case strings.Contains(prompt, "Login method") && d.providerDone:
		label := PickMethod(rows, d.Kind)
		if label == "" && d.Kind == MethodDevice {
			label = PickMethod(rows, MethodBrowser)
		}
		target := indexWhere(rows, func(r string) bool { return r == label })
		if target < 0 {
			d.Fail = "OpenCode's login menu offers no ChatGPT method (it offers: " + strings.Join(rows, ", ") + ")"
			return ""
		}
		if target == cur {
			d.Picked, d.Done = label, true
			return keyEnter
		}
		if d.movedMethod {
			return ""
		}
		d.movedMethod = true
		return moves(cur, target)
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
