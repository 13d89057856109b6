// Package wizard is heidi's interactive connect wizard: the only Bubble Tea
// model in heidi. It presents the connect flow of package steps (every
// decision and sentence is there) and hosts its interactive children
// (OpenCode's login, the installers, codex) in a pty whose screen is drawn
// live inside the wizard. This package only renders, answers and routes
// keys.
package wizard

import (
	"context"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/heidi-cli/heidi/ptyrun"
	"github.com/heidi-cli/heidi/steps"
	"github.com/heidi-cli/heidi/theme"
)

// The steps and their statuses are the connect flow's (steps.Connect).
type (
	StepID = steps.StepID
	Status = steps.StepStatus
	// Options are the connect command's flags.
	Options = steps.ConnectOptions
)

const (
	StepPrereq  = steps.StepPrereq
	StepMethod  = steps.StepMethod
	StepLogin   = steps.StepLogin
	StepModels  = steps.StepModels
	StepTest    = steps.StepTest
	StepSummary = steps.StepSummary
	numSteps    = steps.NumSteps

	Pending   = steps.Pending
	Running   = steps.Running
	NeedsUser = steps.NeedsUser
	Done      = steps.Done
	Failed    = steps.Failed
	Skipped   = steps.Skipped
)

// Result is what the wizard ends with.
type Result struct {
	OK        bool
	Cancelled bool
	Summary   []string // the summary lines, to print again after the program exits
	Outcome   steps.Outcome
}

// childKind says what the embedded terminal is running.
type childKind = steps.ChildKind

const (
	childNone    childKind = 0
	childLogin             = steps.ChildLogin
	childPlugin            = steps.ChildPlugin
	childInstall           = steps.ChildInstall
	childCodex             = steps.ChildCodex
)

// question is a choice the flow asks the user to make.
type question struct {
	prompt  []string
	options []steps.Choice
	cursor  int
	reply   chan<- int
}

// Model is the wizard's state. It is the sole tea.Model of heidi. The
// connect flow (steps.Connect) runs in a command's goroutine and reaches
// the model only as messages; the model answers its questions and hosts
// its children, and is itself touched only in Update.
type Model struct {
	ctx    context.Context
	deps   steps.Deps
	opts   Options
	styles theme.Styles
	sup    *supervisor

	// events carries the flow's calls to Update; flowStop ends the flow
	// (ctrl+c); flowDone is closed when it has returned.
	events   chan tea.Msg
	flowCtx  context.Context
	flowStop context.CancelFunc
	flowDone chan struct{}
	started1 bool // the flow was started

	width, height int
	scroll        int  // the body's first line shown, when it is taller than the screen
	help          bool // the ? help is up

	cur     StepID
	status  [numSteps]Status
	detail  [numSteps]string // one line of result per step
	stop    [numSteps]func() // esc ends this step's wait
	started time.Time        // when the current long-running action started
	now     time.Time

	spin spinner.Model

	kind  steps.MethodKind // of the login that runs or ran
	model string           // the test model tried now
	run   steps.TestReport
	// trying is the test run's attempt now (it moves on when OpenAI
	// refuses a model for the plan).
	trying *tryState
	notes  []string // things done along the way (backups, repairs)

	ask *question

	guide    bool          // the headless guidance screen is up
	guideWhy []string      // why this session looks headless
	routes   []steps.Route // its routes
	routeSel int
	guideAns chan<- int
	codeAt   time.Time // when the device code appeared

	child      *ptyrun.Session
	childWhat  childKind
	childTitle string
	childSpec  steps.Child
	childReply chan<- steps.ChildResult
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
