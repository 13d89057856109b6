package cli

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/steps"
)

// plainUI presents the connect flow (steps.Connect) as plain lines, for
// pipes, TERM=dumb, CI logs, screen readers and --plain. It asks nothing:
// the flow takes the safe default or stops with the --yes hint.
type plainUI struct {
	d       steps.Deps
	out     io.Writer // progress and child output
	said    [steps.NumSteps]string
	started [steps.NumSteps]bool
	// in is a terminal the user types on (nil: nobody to ask, the flow
	// takes the safe default or stops with the --yes hint).
	in *bufio.Reader
}

// runPlain runs the connect flow in plain mode; the summary goes to res.
// When in is a terminal, questions are numbered prompts on it.
func runPlain(ctx context.Context, d steps.Deps, o steps.ConnectOptions, in io.Reader, out, res io.Writer) (steps.ConnectResult, error) {
	ui := &plainUI{d: d, out: out}
	if in != nil {
		ui.in = bufio.NewReader(in)
	}
	r := steps.Connect(ctx, d, o, ui)
	if r.Cancelled {
		return r, context.Canceled
	}
	for _, l := range r.Summary {
		fmt.Fprintln(res, l)
	}
	return r, nil
}

func (u *plainUI) say(format string, args ...any) {
	fmt.Fprintf(u.out, format+"\n", args...)
}

func (u *plainUI) Interactive() bool { return false }

func (u *plainUI) Step(s steps.StepUpdate) {
	if !u.started[s.ID] && (s.Status != steps.Failed || s.ID == steps.StepSummary) {
		u.started[s.ID] = true
		u.say("[%d/%d] %s", s.ID+1, steps.NumSteps, s.ID)
	}
	// The prerequisites' row is said by the line with OpenCode's path.
	if s.Status == steps.Failed || s.Status == steps.NeedsUser || s.Detail == "" || s.Detail == u.said[s.ID] || (s.ID == steps.StepPrereq && s.Status == steps.Done) {
		return
	}
	u.said[s.ID] = s.Detail
	u.say("      %s", s.Detail)
}

func (u *plainUI) Note(s string) { u.say("      note: %s", s) }
func (u *plainUI) Log(s string)  { u.say("      %s", s) }

// Ask puts the question as numbered choices, linear and redraw-free (a
// screen reader follows it): a number, the choice's letter, or enter for
// the first. No terminal, end of input or three wrong answers: it cannot
// ask.
func (u *plainUI) Ask(ctx context.Context, q steps.Question) (int, bool) {
	if u.in == nil {
		return 0, false
	}
	for _, l := range q.Prompt {
		u.say("      %s", l)
	}
	for i, c := range q.Choices {
		u.say("        %d) %s (%s)", i+1, c.Label, c.Key)
	}
	for range 3 {
		fmt.Fprintf(u.out, "      Choose 1-%d [1]: ", len(q.Choices))
		line, ok := u.readLine(ctx)
		if !ok {
			u.say("")
			return 0, false
		}
		line = strings.TrimSpace(line)
		if line == "" {
			return 0, true
		}
		if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(q.Choices) {
			return n - 1, true
		}
		for i, c := range q.Choices {
			if strings.EqualFold(line, c.Key) {
				return i, true
			}
		}
		u.say("      Please answer with a number from 1 to %d.", len(q.Choices))
	}
	return 0, false
}

// readLine reads one line, or gives up when ctx ends.
func (u *plainUI) readLine(ctx context.Context) (string, bool) {
	got := make(chan string, 1)
	go func() {
		l, err := u.in.ReadString('\n')
		if err != nil && l == "" {
			close(got)
			return
		}
		got <- l
	}()
	select {
	case l, ok := <-got:
		return l, ok
	case <-ctx.Done():
		return "", false
	}
}

// Guide prints the headless routes; route 1 (the device-code login) runs.
func (u *plainUI) Guide(_ context.Context, g steps.GuideScreen) (int, bool) {
	if len(g.Why) > 0 {
		for _, l := range g.Why {
			u.say("      %s", l)
		}
	} else {
		u.say("      Headless login (--headless). The routes:")
	}
	for i, rt := range g.Routes {
		u.say("      %d. %s", i+1, rt.Title)
		for _, l := range rt.Lines {
			u.say("         %s", l)
		}
		if rt.Command != "" {
			u.say("         $ %s", rt.Command)
		}
	}
	u.say("      Running route 1 now.")
	return 0, true
}

// Run runs OpenCode's login on plain lines (with -p/-m it needs no
// terminal); the flow asks plain mode for no other child.
func (u *plainUI) Run(ctx context.Context, c steps.Child) steps.ChildResult {
	if c.Kind != steps.ChildLogin {
		return steps.ChildResult{Err: fmt.Errorf("%s needs the interactive wizard", c.Title)}
	}
	opened := false
	run, err := steps.RunLogin(ctx, u.d, c.Args, nil, &lineWriter{w: u.out, prefix: "      │ "}, func(p steps.LoginProgress) {
		switch {
		case p.Code != "" && !opened:
			opened = true
			u.say("")
			u.say("      Open %s and enter the code %s", cmp.Or(p.DeviceURL, "https://auth.openai.com/codex/device"), p.Code)
			u.say("      (device-code login must be enabled in ChatGPT → Settings → Security)")
		case p.AuthURL != "" && !opened:
			opened = true
			u.say("")
			u.say("      Open this URL to sign in to ChatGPT in your browser:")
			u.say("      %s", p.AuthURL)
			if !c.Headless {
				if err := steps.OpenBrowser(ctx, u.d.Sys, p.AuthURL); err != nil {
					u.say("      (could not open a browser: %v — open the URL yourself)", err)
				}
			}
		}
	})
	return steps.ChildResult{Exit: run.ExitCode, Transcript: run.Transcript, Err: err}
}

func (u *plainUI) Trying(model string, refused []steps.Refusal) {
	if n := len(refused); n > 0 {
		u.say("      %s was refused: %s; trying another model", refused[n-1].Model, refused[n-1].Reason)
	}
	u.say("      opencode run %q --model=%s (up to %s)", steps.TestPrompt, model, u.d.Timeouts.Run)
}

// lineWriter shows a child's output in plain mode: escapes stripped,
// spinner frames dropped, one indented line per output line.
type lineWriter struct {
	w      io.Writer
	prefix string
	buf    []byte
}

var spinnerRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`[◒◐◓◑◇]\s+Waiting for authorization\.{0,3}`)
})

func (l *lineWriter) Write(b []byte) (int, error) {
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		line := ansi.Strip(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
		line = strings.TrimSpace(spinnerRe().ReplaceAllString(strings.ReplaceAll(line, "\r", ""), ""))
		if line == "" || line == "│" {
			continue
		}
		if _, err := fmt.Fprintln(l.w, l.prefix+line); err != nil {
			return len(b), err
		}
	}
	if len(l.buf) > 64<<10 { // a spinner that never ends its line
		l.buf = l.buf[len(l.buf)-(4<<10):]
	}
	return len(b), nil
}
