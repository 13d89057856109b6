package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/steps"
)

// plainRun is the connect flow as plain lines: the same steps as the wizard,
// for pipes, TERM=dumb, CI logs and --plain.
type plainRun struct {
	ctx     context.Context
	d       steps.Deps
	opts    connectOptions
	in      io.Reader
	out     io.Writer // progress and child output
	res     io.Writer // the summary lines
	canType bool      // stdin is a terminal: a child may prompt

	prereq steps.Prereqs
	step   string // the step under way, for a cancelled outcome
	models []string
	model  string
	// guessed: the login label comes from steps.KnownMethods, not OpenCode.
	guessed bool
	// spec is the model list asked for at the start; kept: the stored login
	// was kept, so that list is the one to show.
	spec  *steps.ModelsFuture
	kept  bool
	notes []string
}

// plainFailure is a failed step with its next steps.
type plainFailure struct {
	step, why string
	next      []string
}

func (f *plainFailure) Error() string { return f.why }

func (r *plainRun) stage(n int, name string) {
	r.step = name
	r.say("[%d/6] %s", n, name)
}

func (r *plainRun) say(format string, args ...any) {
	fmt.Fprintf(r.out, format+"\n", args...)
}

func (r *plainRun) run() (steps.Outcome, error) {
	o := steps.Outcome{Result: "PASS"}
	err := r.steps()
	o.Time, o.Model = r.d.Sys.Now(), r.model
	var pf *plainFailure
	switch {
	case err == nil:
		if r.opts.SkipTest {
			o.Result = "SKIPPED"
		}
		for _, l := range steps.SummarySuccess(r.d.Paths.AuthFile, r.models, !r.opts.SkipTest) {
			fmt.Fprintln(r.res, l)
		}
	case r.ctx.Err() != nil:
		o.Result, o.Step = "CANCELLED", r.step
		return o, context.Canceled
	case errors.As(err, &pf):
		o.Result, o.Step, o.LastError = "FAIL", pf.step, pf.why
		for _, l := range steps.SummaryFailure(pf.step, pf.why, pf.next) {
			fmt.Fprintln(r.res, l)
		}
	default:
		return o, err
	}
	return o, nil
}

func fail(step, why string, next ...string) error {
	return &plainFailure{step: step, why: why, next: next}
}

// failWith presents a failure decided in steps.
func failWith(f *steps.Failure) error { return fail(f.Step, f.Why, f.Next...) }

func (r *plainRun) steps() error {
	r.stage(1, "Prerequisites")
	// A healthy re-run ends with this list: ask for it while the
	// prerequisites are checked. A login or a config repair drops it.
	r.spec = steps.StartModelsIfKept(r.ctx, r.d)
	defer r.spec.Cancel()
	p := steps.CheckPrereqs(r.ctx, r.d)
	r.prereq = p
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if !p.OpenCode.Found {
		return failWith(steps.OpenCodeMissing(r.d.Sys.GOOS))
	}
	v := steps.JudgePrereqs(p, r.opts.Headless, r.opts.Browser)
	for _, n := range v.Notes {
		r.say("      note: %s", n)
	}
	if v.Fail != nil {
		return failWith(v.Fail)
	}
	headless := v.Headless
	r.say("      OpenCode %s at %s", p.OpenCode.Version, p.OpenCode.Path)
	if headless {
		r.say("      headless session: %s", strings.Join(append(p.Headless.Reasons, flagReason(r.opts)...), "; "))
	}

	r.stage(2, "Login method")
	switch {
	case p.NeedsPlugin():
		return fail("Login method", fmt.Sprintf("OpenCode %s predates the built-in ChatGPT login; installing its plugin needs the interactive wizard.", p.OpenCode.Version),
			"Run in a terminal: "+steps.ConnectCommand, "or run: npx -y opencode-openai-codex-auth@latest, then: opencode auth login",
			"or update OpenCode (1.1.11+ has the login built in): npm install -g opencode-ai@latest")
	case p.StaleConfig():
		r.say("      %s", steps.StaleConfigExplanation)
		if !r.opts.Yes {
			return fail("Login method", "A stale opencode-openai-codex-auth plugin or provider.openai block is configured.",
				"Let heidi remove it (with a backup first): "+steps.ConnectCommand+" --yes",
				"or log in without plugins: opencode auth login --pure")
		}
		r.spec.Cancel() // the repair changes the list
		r.spec = nil
		changes, err := steps.RemoveStaleConfig(p.Config, r.d.Sys.Now())
		for _, c := range changes {
			r.say("      removed %s from %s (backup: %s)", strings.Join(c.Removed, " and "), c.Path, c.Backup)
		}
		if err != nil {
			return fail("Login method", "Could not repair the OpenCode config: "+err.Error())
		}
	default:
		r.say("      built in (OpenCode ≥ 1.1.11: no plugin needed)")
	}
	if steps.UsableLogin(p.Cred) {
		// Plain mode keeps a usable login: no method is needed, and asking
		// OpenCode for them can wait a minute on its catalogue fetch.
		r.say("      method: not needed for the stored login")
		r.stage(3, "Login")
		if err := r.login("", headless, steps.MethodBrowser); err != nil {
			return err
		}
		return r.afterLogin()
	}
	// A release measured to have the known labels starts its login at once;
	// others (and a config whose plugin may hide them) are asked first.
	labels := steps.KnownMethods(p.OpenCode.Version)
	r.guessed = labels != nil && !p.StaleConfig()
	if !r.guessed {
		var err error
		labels, err = steps.DiscoverMethods(r.ctx, r.d)
		if err != nil {
			if r.ctx.Err() != nil {
				return r.ctx.Err()
			}
			if errors.Is(err, steps.ErrNoMethodFlags) {
				return fail("Login method", err.Error()+"; its menus need the interactive wizard.", "Run in a terminal: "+steps.ConnectCommand)
			}
			return fail("Login method", err.Error(), "Run OpenCode's login yourself to see what it says: opencode auth login")
		}
	}
	kind := steps.MethodBrowser
	if headless {
		kind = steps.MethodDevice
	}
	label := steps.PickMethod(labels, kind)
	if label == "" {
		return fail("Login method", "OpenCode offers no ChatGPT login method (it offers: "+strings.Join(labels, ", ")+").",
			"A plugin may hide the built-in login; try: opencode auth login --pure")
	}
	r.say("      method: %s", label)

	r.stage(3, "Login")
	if err := r.login(label, headless, kind); err != nil {
		return err
	}
	return r.afterLogin()
}

// afterLogin runs the models and test-run stages.
func (r *plainRun) afterLogin() error {
	r.stage(4, "Models")
	var models []string
	var err error
	if r.spec != nil && r.kept {
		models, err = r.spec.Wait()
	} else {
		models, err = steps.ListModels(r.ctx, r.d)
	}
	if err != nil {
		if r.ctx.Err() != nil {
			return r.ctx.Err()
		}
		return failWith(steps.ModelsFailure(err))
	}
	r.models = models
	last := ""
	if o, oerr := steps.LoadOutcome(r.d.Paths); oerr == nil && o.Result == "PASS" {
		last = o.Model
	}
	cands, err := steps.TestCandidates(models, r.opts.Model, last)
	if err != nil {
		return failWith(steps.ModelChoiceFailure(err))
	}
	r.model = cands[0]
	r.say("      %d models (first: %s)", len(models), models[0])

	r.stage(5, "Test run")
	if r.opts.SkipTest {
		r.say("      skipped (--skip-test)")
	} else {
		res := steps.TestWithFallback(r.ctx, r.d, cands, func(model string, refused []steps.Refusal) {
			if n := len(refused); n > 0 {
				r.say("      %s was refused: %s; trying another model", refused[n-1].Model, refused[n-1].Reason)
			}
			r.say("      opencode run %q --model=%s (up to %s)", steps.TestPrompt, model, r.d.Timeouts.Run)
		})
		r.model = res.Model
		if r.ctx.Err() != nil {
			return r.ctx.Err()
		}
		if !res.Pass {
			if res.Tail != "" {
				r.say("      output (last lines, redacted):")
				for _, l := range strings.Split(res.Tail, "\n") {
					r.say("        %s", l)
				}
			}
			return failWith(steps.TestFailure(res))
		}
		r.say("      PASS in %.1fs with %s", res.Duration.Seconds(), res.Model)
		if note := res.Note(); note != "" {
			r.say("      %s", note)
		}
	}
	r.say("[6/6] Summary")
	return nil
}

func flagReason(o connectOptions) []string {
	if o.Headless {
		return []string{"--headless"}
	}
	return nil
}

func (r *plainRun) login(label string, headless bool, kind steps.MethodKind) error {
	c := r.prereq.Cred
	if c.EnvOverride {
		r.say("      note: OPENCODE_AUTH_CONTENT is set; OpenCode reads credentials from it, not from auth.json")
	}
	if steps.UsableLogin(c) {
		r.say("      kept the existing ChatGPT login%s", accountSuffix(c))
		r.kept = true
		return nil
	}
	if steps.StoreNeedsRepair(c) {
		if !r.opts.Yes {
			return fail("Login", "OpenCode's credential store is broken: "+c.Detail,
				"Let heidi move it aside to a backup and log in: "+steps.ConnectCommand+" --yes")
		}
		b, err := steps.MoveStoreAside(c.Path, r.d.Sys.Now())
		if err != nil {
			return fail("Login", err.Error())
		}
		r.say("      moved the broken %s aside to %s", c.Path, b)
	} else if c.Problem == probe.StoreSymlink || c.Problem == probe.StoreIsDir || c.Problem == probe.StoreUnreadable {
		return fail("Login", "OpenCode's credential store cannot be used: "+c.Detail,
			"Move "+c.Path+" aside yourself, then run heidi again.")
	}
	if what := steps.ReplacedEntry(c); what != "" && c.Type != probe.CredOAuth {
		for _, l := range steps.ReplaceQuestion(c) {
			r.say("      %s", l)
		}
	}
	if headless {
		r.printGuide(label)
	}
	before := probe.InspectAuth(r.d.Sys, r.d.Paths)
	// OpenCode's login rewrites the store: keep a byte-checked copy first.
	backup, err := steps.BackupBeforeLogin(r.d.Paths.AuthFile, r.d.Sys.Now())
	if err != nil {
		return fail("Login", err.Error(), "Nothing was changed. Make "+filepath.Dir(r.d.Paths.AuthFile)+" writable, then run heidi again.")
	}
	if backup != "" {
		r.say("      backed up %s to %s before the login", r.d.Paths.AuthFile, backup)
	}
	r.say("      running: opencode %s", strings.Join(steps.QuoteArgs(steps.LoginArgs(label)), " "))
	opened := false
retry:
	run, err := steps.RunLogin(r.ctx, r.d, label, nil, &lineWriter{w: r.out, prefix: "      │ "}, func(p steps.LoginProgress) {
		switch {
		case p.Code != "" && !opened:
			opened = true
			r.say("")
			r.say("      Open %s and enter the code %s", firstNonEmpty(p.DeviceURL, "https://auth.openai.com/codex/device"), p.Code)
			r.say("      (device-code login must be enabled in ChatGPT → Settings → Security)")
		case p.AuthURL != "" && !opened:
			opened = true
			r.say("")
			r.say("      Open this URL to sign in to ChatGPT in your browser:")
			r.say("      %s", p.AuthURL)
			if !headless {
				if err := steps.OpenBrowser(r.ctx, r.d.Sys, p.AuthURL); err != nil {
					r.say("      (could not open a browser: %v — open the URL yourself)", err)
				}
			}
		}
	})
	if r.ctx.Err() != nil {
		return r.ctx.Err()
	}
	if err != nil {
		return fail("Login", "Could not run OpenCode's login: "+err.Error(), steps.LoginHints(r.prereq, r.d.Paths, run.Progress, kind)...)
	}
	if r.guessed && len(run.Methods) > 0 {
		// The known label was wrong for this release; OpenCode named its own.
		r.guessed = false
		if label = steps.PickMethod(run.Methods, kind); label == "" {
			return fail("Login method", "OpenCode offers no ChatGPT login method (it offers: "+strings.Join(run.Methods, ", ")+").",
				"A plugin may hide the built-in login; try: opencode auth login --pure")
		}
		r.say("      this OpenCode names its methods %s; running: opencode %s", strings.Join(run.Methods, ", "), strings.Join(steps.QuoteArgs(steps.LoginArgs(label)), " "))
		goto retry
	}
	after := probe.InspectAuth(r.d.Sys, r.d.Paths)
	if f := steps.LoginFailure(r.prereq, r.d.Paths, before, after, run.Progress, kind); f != nil {
		return failWith(f)
	}
	r.say("      ChatGPT login stored%s", accountSuffix(after))
	return nil
}

// printGuide prints the headless guidance screen as text; route 1 (the
// device-code login) then runs.
func (r *plainRun) printGuide(deviceLabel string) {
	if len(r.prereq.Headless.Reasons) > 0 {
		for _, l := range steps.HeadlessWhy(r.prereq.Headless) {
			r.say("      %s", l)
		}
	} else {
		r.say("      Headless login (--headless). The routes:")
	}
	for i, rt := range steps.HeadlessRoutes(r.d.Sys, r.prereq, r.d.Paths, deviceLabel, false) {
		r.say("      %d. %s", i+1, rt.Title)
		for _, l := range rt.Lines {
			r.say("         %s", l)
		}
		if rt.Command != "" {
			r.say("         $ %s", rt.Command)
		}
	}
	r.say("      Running route 1 now.")
}

func accountSuffix(c probe.Credential) string {
	if n := steps.AccountNote(c); n != "" {
		return " (" + n + ")"
	}
	return ""
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
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
