package steps

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/heidi-cli/heidi/probe"
)

// StepID names the connect flow's steps, in order.
type StepID uint8

const (
	StepPrereq StepID = iota
	StepMethod
	StepLogin
	StepModels
	StepTest
	StepSummary
	NumSteps
)

var stepNames = [NumSteps]string{"Prerequisites", "Login method", "Login", "Models", "Test run", "Summary"}

func (s StepID) String() string {
	if s < NumSteps {
		return stepNames[s]
	}
	return fmt.Sprintf("step %d", s)
}

// StepStatus is where one step stands.
type StepStatus uint8

const (
	Pending StepStatus = iota
	Running
	NeedsUser
	Done
	Failed
	Skipped
)

// ConnectOptions are the connect command's flags, the same for every face.
type ConnectOptions struct {
	Yes      bool // pick every default without asking
	Headless bool // --headless
	Browser  bool // --browser
	Model    string
	SkipTest bool
}

// StepUpdate is a step's new state. Stop, when set, ends the step's wait at
// the user's request (the wizard's esc): the run ends CANCELLED.
type StepUpdate struct {
	ID     StepID
	Status StepStatus
	Detail string
	Stop   func()
}

// Choice is one answer to a Question.
type Choice struct {
	Key   string // the single key that picks it
	Label string
}

// Question is a choice the user makes; the first choice is the default.
type Question struct {
	Prompt  []string
	Choices []Choice
}

// ChildKind says what an interactive child is.
type ChildKind uint8

const (
	ChildLogin ChildKind = iota + 1
	ChildPlugin
	ChildInstall
	ChildCodex
)

// Child is an interactive program the flow needs run where the user can see
// it (the wizard's embedded terminal, plain mode's lines).
type Child struct {
	Kind  ChildKind
	Name  string // looked up on PATH
	Args  []string
	Title string // the command as shown
	Env   []string
	// For a login: the method kind, and Menus when this OpenCode has no
	// -p/-m flags and its menus must be answered.
	Method   MethodKind
	Menus    bool
	Headless bool
	// Paste: the plugin's "Manual URL Paste" login, which shows no code.
	Paste bool
}

// ChildResult is how an interactive child ended.
type ChildResult struct {
	Exit       int
	Transcript string // what it printed, redacted, escapes stripped
	Left       bool   // the user left it before it ended
	Why        string // heidi ended it, and why ("" when it ended itself)
	Err        error  // it could not be started
}

// GuideScreen is the headless guidance: why, and the routes to a login.
type GuideScreen struct {
	Routes []Route
	Why    []string // why the session looks headless; nil for --headless
	// Auto: --yes, and route 1 runs: take it without waiting.
	Auto bool
}

// UI is what a face (the wizard, plain mode, the server) gives the flow.
// Connect calls it from one goroutine; the calls that wait (Ask, Guide,
// Run) return early when ctx ends.
type UI interface {
	// Interactive reports whether the face can host a child that needs a
	// terminal (OpenCode's menus, npm and npx installers, codex).
	Interactive() bool
	Step(StepUpdate)
	// Note is something done or found along the way (a backup, a repair).
	Note(string)
	// Log is a detail line for a face that prints lines; a face that
	// shows the steps as rows may drop it.
	Log(string)
	// Ask returns the picked choice; ok is false when the face cannot ask
	// (no terminal) or ctx ended.
	Ask(ctx context.Context, q Question) (choice int, ok bool)
	// Guide shows the headless routes and returns the one picked to run
	// (RouteDevice, RouteTunnel or RouteCodex); ok false when ctx ended.
	Guide(ctx context.Context, g GuideScreen) (route int, ok bool)
	Run(ctx context.Context, c Child) ChildResult
	// Trying says which model the test run is on, and those refused.
	Trying(model string, refused []Refusal)
}

// ConnectResult is how a connect run ended.
type ConnectResult struct {
	OK        bool
	Cancelled bool
	Summary   []string // the summary lines
	Outcome   Outcome
	Failure   *Failure // why it failed, nil otherwise
	Models    []string
	Test      TestReport
}

// stop is a step the user stopped (esc): a cancel, not a failure.
type stop struct {
	step StepID
	why  string
}

func (s *stop) Error() string { return s.why }

// Connect runs the connect flow once, for any face: prerequisites → login
// method → login → models → test run → summary. Every decision and every
// sentence a user reads about them is here; ui only presents them.
func Connect(ctx context.Context, d Deps, o ConnectOptions, ui UI) ConnectResult {
	f := &flow{ctx: ctx, d: d, o: o, ui: ui}
	err := f.run()
	f.endSpecs()
	return f.result(err)
}

type flow struct {
	ctx context.Context
	d   Deps
	o   ConnectOptions
	ui  UI

	cur      StepID
	p        Prereqs
	headless bool
	v2       bool // OpenCode 2: --method ids, credentials in its database

	methods    []string
	method     string
	kind       MethodKind
	menus      bool // no -p/-m: the login's menus are answered
	guessed    bool // the labels are KnownMethods', not OpenCode's
	later      bool // a usable login is stored: methods only if it is replaced
	methodBase string
	loginTries int

	spec  *ModelsFuture   // the list started with the prerequisites
	specs []*ModelsFuture // every list started, ended at the end
	kept  bool

	models []string
	cands  []string
	model  string
	test   TestReport
}

func (f *flow) run() error {
	for _, step := range []func() error{f.prereqs, f.loginMethod, f.login, f.listModels, f.testRun} {
		if err := step(); err != nil {
			return err
		}
		if err := f.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (f *flow) result(err error) ConnectResult {
	r := ConnectResult{Outcome: Outcome{Time: f.d.Sys.Now(), Model: f.model, Result: "PASS"}, Models: f.models, Test: f.test}
	var fl *Failure
	var st *stop
	switch {
	case err == nil:
		r.OK = true
		if f.o.SkipTest {
			r.Outcome.Result = "SKIPPED"
		}
		r.Summary = SummarySuccess(f.d.Paths.AuthFile, f.models, !f.o.SkipTest)
		if f.v2 {
			r.Summary[1] = "Credentials: OpenCode 2's database, " + V2DBPath(f.d.Paths)
		}
		f.ui.Step(StepUpdate{ID: StepSummary, Status: Done})
		return r
	case errors.As(err, &st):
		r.Cancelled = true
		r.Outcome.Result, r.Outcome.Step = "CANCELLED", st.step.String()
		r.Summary = SummaryStopped(st.step.String(), st.why)
		f.ui.Step(StepUpdate{ID: st.step, Status: Failed, Detail: "stopped"})
	case f.ctx.Err() != nil || errors.Is(err, context.Canceled):
		r.Cancelled = true
		r.Outcome.Result, r.Outcome.Step = "CANCELLED", f.cur.String()
		return r
	case errors.As(err, &fl):
		r.Failure = fl
	default:
		r.Failure = &Failure{Step: f.cur, Why: err.Error()}
	}
	if fl := r.Failure; fl != nil {
		r.Outcome.Result, r.Outcome.Step, r.Outcome.LastError = "FAIL", fl.Step.String(), fl.Why
		r.Summary = SummaryFailure(fl.Step.String(), fl.Why, fl.Next)
		f.ui.Step(StepUpdate{ID: fl.Step, Status: Failed, Detail: firstLine(fl.Why)})
	}
	f.cur = StepSummary
	f.ui.Step(StepUpdate{ID: StepSummary, Status: Failed})
	return r
}

func (f *flow) step(id StepID, st StepStatus, detail string) {
	if st == Running || st == NeedsUser {
		f.cur = id
	}
	f.ui.Step(StepUpdate{ID: id, Status: st, Detail: detail})
}

// ask puts q to the user; --yes takes the first choice without asking.
func (f *flow) ask(q Question) (int, bool) {
	if f.o.Yes {
		return 0, true
	}
	return f.ui.Ask(f.ctx, q)
}

// cancelled is the context's error, or context.Canceled when a face gave
// up waiting without it.
func (f *flow) cancelled() error {
	return cmp.Or(f.ctx.Err(), context.Canceled)
}

func fail(id StepID, why string, next ...string) *Failure {
	var keep []string
	for _, n := range next {
		if strings.TrimSpace(n) != "" {
			keep = append(keep, n)
		}
	}
	return &Failure{Step: id, Why: why, Next: keep}
}

// ---- step 1: prerequisites ----

func (f *flow) prereqs() error {
	for {
		f.step(StepPrereq, Running, "")
		// A healthy re-run ends with this list: ask for it while the
		// prerequisites are checked (issue 17). A login or a config repair
		// drops it.
		f.dropSpec()
		if f.spec = StartModelsIfKept(f.ctx, f.d); f.spec != nil {
			f.specs = append(f.specs, f.spec)
		}
		f.p = CheckPrereqs(f.ctx, f.d)
		if err := f.ctx.Err(); err != nil {
			return err
		}
		if f.p.OpenCode.Found {
			break
		}
		if err := f.installOpenCode(); err != nil {
			return err
		}
	}
	p := f.p
	f.v2 = p.OpenCode.Version.CredentialDB()
	v := JudgePrereqs(p, f.o.Headless, f.o.Browser)
	for _, n := range v.Notes {
		f.ui.Note(n)
	}
	if v.Fail != nil {
		return v.Fail
	}
	f.headless = v.Headless
	f.ui.Log(fmt.Sprintf("OpenCode %s at %s", p.OpenCode.Version, p.OpenCode.Path))
	d := "OpenCode " + cmp.Or(p.OpenCode.Version.Raw, "(version unknown)")
	if f.headless {
		d += " · headless"
		why := p.Headless.Reasons
		if f.o.Headless {
			why = append(append([]string{}, why...), "--headless")
		}
		f.ui.Log("headless session: " + strings.Join(why, "; "))
	} else if busy := p.BusyPorts(); len(busy) > 0 {
		f.ui.Note(fmt.Sprintf("Port %d is in use: the browser login needs it. Stop what holds it (%s) or use --headless.", busy[0], PortHolder(f.d.Sys.GOOS, busy[0])))
	}
	f.step(StepPrereq, Done, d)
	return nil
}

// installOpenCode offers npm's install of a missing OpenCode, where a face
// can host it; nil means it was installed and the checks run again.
func (f *flow) installOpenCode() error {
	missing := OpenCodeMissing(f.d.Sys.GOOS)
	if !f.p.Npm.Found || !f.ui.Interactive() {
		return missing
	}
	f.step(StepPrereq, NeedsUser, "OpenCode is not installed")
	i, ok := f.ask(Question{
		Prompt:  []string{"OpenCode is not installed.", "Install it now with npm? (runs: npm install -g opencode-ai)"},
		Choices: []Choice{{"y", "Yes, install with npm"}, {"n", "No, I will install it myself"}},
	})
	if err := f.ctx.Err(); err != nil {
		return err
	}
	if !ok || i != 0 {
		return missing
	}
	const title = "npm install -g opencode-ai"
	f.step(StepPrereq, Running, "installing OpenCode with npm")
	r := f.ui.Run(f.ctx, Child{Kind: ChildInstall, Name: "npm", Args: []string{"install", "-g", "opencode-ai"}, Title: title, Env: childEnv})
	if err := f.ctx.Err(); err != nil {
		return err
	}
	if r.Err != nil {
		return fail(StepPrereq, "Could not start "+title+": "+r.Err.Error(), InstallHints(f.d.Sys.GOOS)...)
	}
	if r.Exit != 0 || r.Left {
		return fail(StepPrereq, fmt.Sprintf("%s failed (exit %d).", title, r.Exit), append([]string{Tail(r.Transcript, 6, 600)}, InstallHints(f.d.Sys.GOOS)...)...)
	}
	f.step(StepPrereq, Running, "installed OpenCode; checking again")
	return nil
}

// ---- step 2: login method ----

func (f *flow) loginMethod() error {
	f.step(StepMethod, Running, "")
	p := f.p
	f.methodBase = "built in (no plugin needed)"
	switch {
	case p.NeedsPlugin():
		return f.installPlugin()
	case p.StaleConfig():
		if err := f.staleConfig(); err != nil {
			return err
		}
	}
	if UsableLogin(p.Cred) {
		// A kept login needs no method, and asking OpenCode for them can
		// wait a minute on its catalogue fetch (issue 17).
		f.later = true
		f.step(StepMethod, Done, f.methodBase+" · not needed for the stored login")
		return nil
	}
	if err := f.findMethods(); err != nil {
		return err
	}
	f.step(StepMethod, Done, f.methodBase+" · "+cmp.Or(f.method, "menus"))
	return nil
}

func (f *flow) installPlugin() error {
	const title = "npx -y opencode-openai-codex-auth@latest"
	if !f.ui.Interactive() {
		return fail(StepMethod, fmt.Sprintf("OpenCode %s predates the built-in ChatGPT login; installing its plugin needs the interactive wizard.", f.p.OpenCode.Version),
			"Run in a terminal: "+ConnectCommand, "or run: "+title+", then: opencode auth login",
			"or update OpenCode (1.1.11+ has the login built in): npm install -g opencode-ai@latest")
	}
	f.step(StepMethod, Running, "installing the opencode-openai-codex-auth plugin")
	f.dropSpec() // the plugin changes the list
	since := f.d.Sys.Now()
	r := f.ui.Run(f.ctx, Child{Kind: ChildPlugin, Name: "npx", Args: []string{"-y", "opencode-openai-codex-auth@latest"}, Title: title,
		Env: append(append([]string{}, childEnv...), "npm_config_fetch_retries=1")})
	if err := f.ctx.Err(); err != nil {
		return err
	}
	const hint = "Check that the npm registry is reachable, or update OpenCode to 1.1.11+ (no plugin needed): npm install -g opencode-ai@latest"
	if r.Err != nil {
		return fail(StepMethod, "Could not start "+title+": "+r.Err.Error(), hint)
	}
	if r.Exit != 0 || r.Left {
		return fail(StepMethod, fmt.Sprintf("%s failed (exit %d).", title, r.Exit), Tail(r.Transcript, 6, 600), hint)
	}
	f.ui.Note("Installed the opencode-openai-codex-auth plugin.")
	for _, n := range PluginBackups(f.p.Config, since) {
		f.ui.Note(n)
	}
	f.methodBase = "plugin installed"
	if err := f.discoverMethods(); err != nil {
		return err
	}
	f.step(StepMethod, Done, f.methodBase+" · "+cmp.Or(f.method, "menus"))
	return nil
}

func (f *flow) staleConfig() error {
	var what []string
	for _, c := range f.p.Config.Files {
		for _, e := range c.PluginEntries {
			what = append(what, fmt.Sprintf("  • plugin %q in %s", e, c.Path))
		}
		if c.ProviderOpenAI {
			what = append(what, "  • a provider.openai block in "+c.Path)
		}
	}
	f.ui.Log(StaleConfigExplanation)
	prompt := append(append([]string{"Your OpenCode config has:"}, what...), "", StaleConfigExplanation, "",
		"Remove them? A timestamped backup of each file is made first; comments are kept.")
	f.step(StepMethod, NeedsUser, "")
	i, ok := f.ask(Question{Prompt: prompt, Choices: []Choice{
		{"y", "Yes, back up and remove them"},
		{"n", "No, keep my config (the built-in login may stay hidden)"},
	}})
	if err := f.ctx.Err(); err != nil {
		return err
	}
	if !ok {
		return fail(StepMethod, "A stale opencode-openai-codex-auth plugin or provider.openai block is configured.",
			"Let heidi remove it (with a backup first): "+ConnectCommand+" --yes",
			"or log in without plugins: opencode auth login --pure")
	}
	f.step(StepMethod, Running, "")
	if i != 0 {
		f.ui.Note("Kept the stale plugin config; if login fails, try: opencode auth login --pure")
		return nil
	}
	f.dropSpec() // the repair changes the list
	changes, err := RemoveStaleConfig(f.p.Config, f.d.Sys.Now())
	for _, c := range changes {
		f.ui.Note(fmt.Sprintf("Removed %s from %s (backup: %s)", strings.Join(c.Removed, " and "), c.Path, c.Backup))
	}
	if err != nil {
		return fail(StepMethod, "Could not repair the OpenCode config: "+err.Error(),
			"Remove the opencode-openai-codex-auth plugin and provider.openai from your OpenCode config by hand, or log in with: opencode auth login --pure")
	}
	f.methodBase = "built in · stale plugin config removed"
	return nil
}

// findMethods yields the login methods: the known labels of a release
// measured to have them (no OpenCode call: the login starts at once), else
// OpenCode's own answer. A stale plugin config may hide the built-in
// labels, so then OpenCode is asked.
func (f *flow) findMethods() error {
	if known := KnownMethods(f.p.OpenCode.Version); known != nil && !f.p.StaleConfig() {
		f.guessed = true
		return f.pick(known)
	}
	return f.discoverMethods()
}

func (f *flow) discoverMethods() error {
	f.guessed = false
	labels, err := DiscoverMethods(f.ctx, f.d)
	if err != nil {
		if f.ctx.Err() != nil {
			return f.ctx.Err()
		}
		if !errors.Is(err, ErrNoMethodFlags) {
			return fail(StepMethod, err.Error(), "Run OpenCode's login yourself to see what it says: opencode auth login")
		}
		if !f.ui.Interactive() {
			return fail(StepMethod, err.Error()+"; its menus need the interactive wizard.", "Run in a terminal: "+ConnectCommand)
		}
		f.menus, f.method, f.kind = true, "", f.wantKind()
		f.ui.Note("This OpenCode has no --provider/--method flags: heidi answers its menus (you can take over with the keys).")
		return nil
	}
	return f.pick(labels)
}

func (f *flow) wantKind() MethodKind {
	if f.headless {
		return MethodDevice
	}
	return MethodBrowser
}

// pick takes the method of the wanted kind from labels: the device-code
// login on a headless session (the browser login when there is none).
func (f *flow) pick(labels []string) error {
	f.methods, f.kind = labels, f.wantKind()
	f.method = PickMethod(labels, f.kind)
	if f.method == "" && f.kind == MethodDevice {
		f.kind = MethodBrowser
		f.method = PickMethod(labels, f.kind)
	}
	if f.method == "" {
		why := "OpenCode offers no ChatGPT login method (it offers: " + strings.Join(labels, ", ") + ")."
		if bad := KnownBad(f.p.OpenCode.Version); bad != nil {
			// The known bug, met on this machine.
			return fail(StepMethod, why+" "+bad.Why(f.p.OpenCode.Version), bad.MoveTo...)
		}
		hint := cmp.Or(OtherPluginNote(f.p.Config), "A plugin may hide the built-in login; try: opencode auth login --pure")
		if f.v2 {
			hint = "Update OpenCode 2: curl -fsSL https://opencode.ai/install | bash"
		}
		return fail(StepMethod, why, hint, "Update OpenCode: npm install -g opencode-ai@latest")
	}
	return nil
}

// ---- step 3: login ----

func (f *flow) login() error {
	f.step(StepLogin, Running, "")
	c := f.p.Cred
	if c.EnvOverride {
		f.ui.Note("OPENCODE_AUTH_CONTENT is set: OpenCode reads credentials from it, not from auth.json.")
	}
	if c.Subscription() && !UsableLogin(c) {
		f.ui.Note("The stored ChatGPT login has no refresh token; logging in again.")
	}
	switch {
	case UsableLogin(c):
		f.step(StepLogin, NeedsUser, "")
		i, _ := f.ask(Question{
			Prompt:  []string{"A ChatGPT login is already stored" + accountSuffix(c) + ".", "Keep it, or log in again?"},
			Choices: []Choice{{"k", "Keep the existing login"}, {"l", "Log in again"}},
		})
		if err := f.ctx.Err(); err != nil {
			return err
		}
		if i == 0 { // a face that cannot ask keeps it too
			f.kept = true
			f.step(StepLogin, Skipped, "kept the existing ChatGPT login"+accountSuffix(c))
			return nil
		}
		if f.later {
			f.later = false
			f.step(StepLogin, Running, "asking OpenCode for its login methods")
			if err := f.findMethods(); err != nil {
				return err
			}
		}
	case StoreNeedsRepair(c):
		f.step(StepLogin, NeedsUser, "")
		i, ok := f.ask(Question{Prompt: []string{
			"OpenCode's credential store is broken: " + c.Detail,
			"OpenCode silently ignores it. Move it aside to a timestamped backup (nothing is deleted) and log in?",
		}, Choices: []Choice{{"y", "Yes, move it aside and log in"}, {"n", "No, stop here"}}})
		if err := f.ctx.Err(); err != nil {
			return err
		}
		if !ok || i != 0 {
			return fail(StepLogin, "OpenCode's credential store is broken: "+c.Detail,
				"Let heidi move it aside to a backup and log in: "+ConnectCommand+" --yes")
		}
		b, err := MoveStoreAside(c.Path, f.d.Sys.Now())
		if err != nil {
			return fail(StepLogin, err.Error(), "Move "+c.Path+" aside yourself, then run heidi again.")
		}
		f.ui.Note("Moved the broken " + c.Path + " aside to " + b)
	case c.Problem == probe.StoreSymlink || c.Problem == probe.StoreIsDir || c.Problem == probe.StoreUnreadable:
		return fail(StepLogin, "OpenCode's credential store cannot be used: "+c.Detail,
			"Move "+c.Path+" aside yourself (heidi does not touch links, directories or unreadable files), then run heidi again.")
	case c.Present && c.Type != probe.CredOAuth && ReplacedEntry(c) != "":
		lines := ReplaceQuestion(c)
		for _, l := range lines {
			f.ui.Log(l)
		}
		f.step(StepLogin, NeedsUser, "")
		// A face that cannot ask logs in after the backup: the entry is
		// kept byte for byte in it.
		i, _ := f.ask(Question{Prompt: append(lines, "Back it up and log in?"),
			Choices: []Choice{{"y", "Yes, back it up and log in"}, {"n", "No, stop here"}}})
		if err := f.ctx.Err(); err != nil {
			return err
		}
		if i != 0 {
			return fail(StepLogin, "Not logged in: auth.json keeps "+ReplacedEntry(c)+" for OpenAI.",
				"Run heidi again and let it back the entry up, or keep using the API key.")
		}
	}
	return f.runLogin()
}

func accountSuffix(c probe.Credential) string {
	if n := AccountNote(c); n != "" {
		return " (" + n + ")"
	}
	return ""
}

// runLogin runs OpenCode's login until a fresh ChatGPT login is stored, the
// user stops, or it fails.
func (f *flow) runLogin() error {
	if f.headless {
		if err := f.guide(); err != nil {
			return err
		}
	}
	backup := !f.v2 // OpenCode 2's login adds a credential to its database; auth.json is not touched
	for {
		before := f.d.InspectCred(f.ctx)
		if backup {
			// OpenCode's login rewrites the store: keep a byte-checked copy first.
			b, err := BackupBeforeLogin(f.d.Paths.AuthFile, f.d.Sys.Now())
			if err != nil {
				return fail(StepLogin, err.Error(), "Nothing was changed. Make "+filepath.Dir(f.d.Paths.AuthFile)+" writable, then run heidi again.")
			}
			if b != "" {
				f.ui.Note("Backed up " + f.d.Paths.AuthFile + " to " + b + " before the login")
			}
		}
		backup = !f.v2
		if f.method != "" {
			f.step(StepMethod, Done, f.methodBase+" · "+f.method)
		}
		args := LoginArgsFor(f.v2, f.method)
		title := "opencode " + strings.Join(QuoteArgs(args), " ")
		f.step(StepLogin, Running, "running "+title)
		r := f.ui.Run(f.ctx, Child{Kind: ChildLogin, Name: "opencode", Args: args, Title: title, Env: childEnv,
			Method: f.kind, Menus: f.menus, Headless: f.headless, Paste: f.kind == MethodDevice && PasteLogin(f.method, f.p, f.menus)})
		if err := f.ctx.Err(); err != nil {
			return err
		}
		progress := ParseLogin(r.Transcript)
		if r.Err != nil {
			return fail(StepLogin, "Could not run OpenCode's login: "+r.Err.Error(), LoginHints(f.p, f.d.Paths, progress, f.kind)...)
		}
		if f.guessed {
			if labels := ParseMethods(r.Transcript); len(labels) > 0 {
				// The known label was wrong for this release; OpenCode
				// named its own, and nothing else happened.
				f.guessed, backup = false, false
				f.ui.Note("This OpenCode names its login methods: " + strings.Join(labels, ", "))
				if err := f.pick(labels); err != nil {
					return err
				}
				continue
			}
		}
		if r.Why != "" {
			return fail(StepLogin, r.Why+".", "Update OpenCode (1.1.11+ has the ChatGPT login built in): npm install -g opencode-ai@latest")
		}
		if r.Left && f.headless {
			// Back to the headless guide, so another route can be picked.
			if err := f.guide(); err != nil {
				return err
			}
			continue
		}
		var why *Failure
		if r.Left {
			why = fail(StepLogin, "You left the login before it finished.", LoginHints(f.p, f.d.Paths, progress, f.kind)...)
		} else {
			after := f.d.InspectCred(f.ctx)
			why = LoginFailure(f.p, f.d.Paths, before, after, progress, f.kind)
			if why == nil {
				f.step(StepLogin, Done, "ChatGPT login stored"+accountSuffix(after))
				return nil
			}
			if progress.Cancelled && r.Exit == 0 {
				// The user cancelled inside OpenCode (ctrl+c: "◇  Canceled",
				// rc 0; docs/versions.md): that ends here.
				return why
			}
		}
		if err := f.retry(why); err != nil {
			return err
		}
	}
}

// retry offers a way on after a failed browser login (issue 15 item 4):
// try again, take the device-code login (it needs no browser or callback
// on this machine), or stop. nil means: run the login again.
func (f *flow) retry(why *Failure) error {
	if f.kind != MethodBrowser || f.method == "" || f.o.Yes || f.loginTries >= 3 {
		return why
	}
	f.loginTries++
	choices := []Choice{{"r", "Try the browser login again"}}
	dev := PickMethod(f.methods, MethodDevice)
	if dev != "" {
		choices = append(choices, Choice{"d", "Use the device-code login instead (a code to enter on any device)"})
	}
	choices = append(choices, Choice{"s", "Stop here"})
	f.step(StepLogin, NeedsUser, "did not complete")
	i, ok := f.ui.Ask(f.ctx, Question{Prompt: []string{why.Why, "What now?"}, Choices: choices})
	if err := f.ctx.Err(); err != nil {
		return err
	}
	switch {
	case !ok || choices[i].Key == "s":
		return why
	case choices[i].Key == "d":
		f.method, f.kind = dev, MethodDevice
	}
	return nil
}

// guide shows the headless routes and sets the login to run from the one
// picked; Codex's own login runs from here and comes back.
func (f *flow) guide() error {
	for {
		device := PickMethod(f.methods, MethodDevice)
		routes := HeadlessRoutes(f.d.Sys, f.p, f.d.Paths, device, f.menus)
		f.step(StepLogin, NeedsUser, "headless: choose a route")
		g := GuideScreen{Routes: routes, Auto: f.o.Yes && routes[0].Runnable}
		if len(f.p.Headless.Reasons) > 0 {
			g.Why = HeadlessWhy(f.p.Headless)
		}
		i, ok := f.ui.Guide(f.ctx, g)
		if !ok || f.ctx.Err() != nil {
			return f.cancelled()
		}
		switch routes[i].ID {
		case RouteDevice:
			if device != "" || f.menus {
				f.method, f.kind = device, MethodDevice
			}
			return nil
		case RouteTunnel:
			if b := PickMethod(f.methods, MethodBrowser); b != "" || f.menus {
				f.method, f.kind = b, MethodBrowser
			}
			return nil
		case RouteCodex:
			f.codexLogin()
		}
	}
}

// codexLogin runs `codex login --device-auth`: Codex is signed in (or
// not), but OpenCode still needs its own login.
func (f *flow) codexLogin() {
	const title = "codex login --device-auth"
	f.step(StepLogin, Running, "running "+title)
	r := f.ui.Run(f.ctx, Child{Kind: ChildCodex, Name: "codex", Args: []string{"login", "--device-auth"}, Title: title})
	reason := LastErrorLine(r.Transcript)
	switch {
	case r.Err != nil:
		f.ui.Note("Could not start " + title + ": " + r.Err.Error())
	case r.Left:
		f.ui.Note("Left " + title + ".")
	case r.Exit == 0:
		f.ui.Note("The Codex CLI is signed in. OpenCode keeps its own login: pick route 1 or 3 to connect OpenCode too.")
	case reason != "":
		f.ui.Note(fmt.Sprintf("%s failed (exit %d): %s", title, r.Exit, reason))
	default:
		f.ui.Note(fmt.Sprintf("%s failed (exit %d).", title, r.Exit))
	}
}

// ---- step 4: models ----

func (f *flow) dropSpec() {
	if f.spec != nil {
		f.spec.Stop()
		f.spec = nil
	}
}

// endSpecs ends every list started ahead of need and waits until their
// children are gone (a kill and a reap: milliseconds).
func (f *flow) endSpecs() {
	f.spec = nil
	for _, s := range f.specs {
		s.Cancel()
	}
	f.specs = nil
}

func (f *flow) listModels() error {
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	spec := f.spec
	if !f.kept {
		spec = nil // a login ran: the list may have changed
		f.dropSpec()
	}
	f.spec = nil
	var stopped atomic.Bool
	f.cur = StepModels
	f.ui.Step(StepUpdate{ID: StepModels, Status: Running, Stop: func() { stopped.Store(true); cancel(); spec.Stop() }})
	var models []string
	var err error
	if spec != nil {
		models, err = spec.Wait()
	} else {
		models, err = ListModels(ctx, f.d)
	}
	if e := f.ctx.Err(); e != nil {
		return e
	}
	if err != nil && stopped.Load() {
		return &stop{StepModels, "you stopped waiting for OpenCode's model list; run heidi again"}
	}
	if err != nil {
		return ModelsFailure(err)
	}
	last := ""
	if o, oerr := LoadOutcome(f.d.Paths); oerr == nil && o.Result == "PASS" {
		last = o.Model
	}
	cands, err := TestCandidates(models, f.o.Model, last)
	if err != nil {
		return ModelChoiceFailure(err)
	}
	f.models, f.cands, f.model = models, cands, cands[0]
	noun := "models"
	if len(models) == 1 {
		noun = "model"
	}
	f.step(StepModels, Done, fmt.Sprintf("%d %s (first: %s)", len(models), noun, models[0]))
	return nil
}

// ---- step 5: test run ----

func (f *flow) testRun() error {
	if f.o.SkipTest {
		f.step(StepTest, Skipped, "skipped (--skip-test)")
		return nil
	}
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	var stopped atomic.Bool
	f.cur = StepTest
	f.ui.Step(StepUpdate{ID: StepTest, Status: Running, Stop: func() { stopped.Store(true); cancel() }})
	res := TestWithFallback(ctx, f.d, f.cands, f.ui.Trying)
	f.test, f.model = res, res.Model
	if err := f.ctx.Err(); err != nil {
		return err
	}
	if note := res.Note(); note != "" {
		f.ui.Note("Test run: " + note)
	}
	if !res.Pass && stopped.Load() {
		// A cancel, not a failure: exit 130, no advice (issue 15 item 10).
		return &stop{StepTest, "you stopped the test run before it finished; run heidi again to test"}
	}
	if !res.Pass {
		if res.Tail != "" {
			f.ui.Log("output (last lines, redacted):")
			for _, l := range strings.Split(res.Tail, "\n") {
				f.ui.Log("  " + l)
			}
		}
		return TestFailure(res)
	}
	f.step(StepTest, Done, fmt.Sprintf("PASS in %.1fs with %s", res.Duration.Seconds(), res.Model))
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
