// Package wizard is heidi's interactive connect wizard: the only Bubble Tea
// model in heidi. It walks a typed step state machine and hosts interactive
// children (OpenCode's login, the plugin installer) in a pty whose screen is
// drawn live inside the wizard. All step logic is in package steps; this
// package only sequences, renders and routes keys.
package wizard

import (
	"context"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/ptyrun"
	"github.com/heidi-cli/heidi/steps"
	"github.com/heidi-cli/heidi/theme"
)

// StepID names the wizard's steps, in order.
type StepID uint8

const (
	StepPrereq StepID = iota
	StepMethod
	StepLogin
	StepModels
	StepTest
	StepSummary
	numSteps
)

var stepTitles = [numSteps]string{"Prerequisites", "Login method", "Login", "Models", "Test run", "Summary"}

func (s StepID) String() string { return stepTitles[s] }

// Status is where one step stands.
type Status uint8

const (
	Pending Status = iota
	Running
	NeedsUser
	Done
	Failed
	Skipped
)

// Options are the connect command's flags.
type Options struct {
	Yes      bool
	Headless bool // --headless
	Browser  bool // --browser
	Model    string
	SkipTest bool
}

// Result is what the wizard ends with.
type Result struct {
	OK        bool
	Cancelled bool
	Summary   []string // the summary lines, to print again after the program exits
	Outcome   steps.Outcome
}

// childKind says what the embedded terminal is running.
type childKind uint8

const (
	childNone childKind = iota
	childLogin
	childPlugin
	childInstall
	childCodex
)

// question is a choice the user must make (or --yes makes for them).
type question struct {
	prompt  []string
	options []option
	cursor  int
}

type option struct {
	key   string // a single key that picks it
	label string
	act   func(m *Model) tea.Cmd
}

// Model is the wizard's state. It is the sole tea.Model of heidi.
type Model struct {
	ctx    context.Context
	deps   steps.Deps
	opts   Options
	styles theme.Styles
	sup    *supervisor

	width, height int

	cur     StepID
	status  [numSteps]Status
	detail  [numSteps]string // one line of result per step
	started time.Time        // when the current long-running action started
	now     time.Time

	spin spinner.Model

	prereq   steps.Prereqs
	headless bool
	methods  []string
	method   string
	// methodsLater: a usable login is stored, so the login methods are
	// asked for only if the user chooses to log in again (issue 17: that
	// call can wait a minute on OpenCode's catalogue fetch).
	methodsLater bool
	// loginAfterMethods: the methods were asked for after "log in again".
	loginAfterMethods bool
	// spec is `opencode models openai` started with the prerequisites: a
	// kept login ends with that list (issue 17). Dropped by a login or a
	// config repair, which change it.
	spec *steps.ModelsFuture
	// specs are all the lists started, ended and waited for at the end so
	// no `opencode models` outlives heidi.
	specs []*steps.ModelsFuture
	// methodsGuessed: the labels come from steps.KnownMethods, not from
	// OpenCode; a wrong guess is corrected from the login's own answer.
	methodsGuessed bool
	kind           steps.MethodKind
	before         probe.Credential
	models         []string
	model          string
	run            steps.TestReport
	cands          []string // test models in the order they are tried
	// trying is the model the test run is on now (it moves on when OpenAI
	// refuses one for the plan); written by the run's goroutine.
	trying  *atomic.Pointer[tryState]
	runStop context.CancelFunc
	// loginTries counts the failed browser logins offered a retry;
	// loginExit is the last login child's exit code.
	loginTries, loginExit int
	// modelsStop gives up the model list (esc); modelsStopped: it was.
	modelsStop    func()
	modelsStopped bool
	// testStopped: the user stopped the test run with esc.
	testStopped bool
	notes       []string // things done along the way (backups, repairs)
	failMsg     string   // why the wizard failed
	next        []string // what the user can do next

	ask *question

	guide     bool          // the headless guidance screen is up
	guideSeen bool          // it was shown once this run
	routes    []steps.Route // its routes
	routeSel  int
	codeAt    time.Time // when the device code appeared

	child      *ptyrun.Session
	childWhat  childKind
	childTitle string
	progress   steps.LoginProgress
	menu       *steps.MenuDriver // drives OpenCode's menus when it has no -p/-m
	failWhy    string            // why heidi ended the child itself
	port       int               // the login's callback port, from its URL
	opened     bool              // the browser was opened for this URL
	leaving    bool              // the user asked to leave the child
	flash      string

	done   bool
	result Result
}

// tryState is one attempt of the test run.
type tryState struct {
	model   string
	refused []steps.Refusal
}
