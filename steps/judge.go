package steps

import (
	"fmt"

	"github.com/heidi-cli/heidi/probe"
)

// Failure is a step that stopped the connection: which step, why, and the
// next steps, each sentence written once for every face (wizard, plain
// mode, server). It is an error, so a step of Connect can return it.
type Failure struct {
	Step StepID
	Why  string
	Next []string
}

func (f *Failure) Error() string { return f.Why }

// PrereqVerdict is what the prerequisites decide, apart from the missing
// OpenCode (which the wizard can offer to install): a failure that stops
// the run, the notes to show, and whether the login is headless.
type PrereqVerdict struct {
	Fail     *Failure
	Notes    []string
	Headless bool
}

// JudgePrereqs decides from p and the --headless/--browser flags. It does
// not judge a missing OpenCode: see OpenCodeMissing.
func JudgePrereqs(p Prereqs, forceHeadless, forceBrowser bool) PrereqVerdict {
	v := PrereqVerdict{Headless: p.Headless.Headless}
	if forceHeadless {
		v.Headless = true
	}
	if forceBrowser {
		v.Headless = false
	}
	if bad := KnownBad(p.OpenCode.Version); bad != nil {
		v.Notes = append(v.Notes, bad.Note(p.OpenCode.Version))
	}
	if p.OpenCode.Version.IsZero() {
		v.Notes = append(v.Notes, "Could not read OpenCode's version ("+p.OpenCode.Err+"); going on as if it has the built-in login.")
	}
	if p.NeedsPlugin() && !p.Npx.Found {
		v.Fail = &Failure{Step: StepPrereq,
			Why:  fmt.Sprintf("OpenCode %s needs the opencode-openai-codex-auth plugin, which is installed with npx, and Node.js is not installed.", p.OpenCode.Version),
			Next: NodeHints(p.GOOS)}
	}
	return v
}

// OpenCodeMissing is the failure when OpenCode is not installed.
func OpenCodeMissing(goos string) *Failure {
	return &Failure{Step: StepPrereq, Why: "OpenCode is not installed.", Next: InstallHints(goos)}
}

// LoginFailure judges a login that ended: nil when a fresh ChatGPT login
// was stored (VerifyLogin), else why, with OpenCode's own error line first
// when it printed one, and the next steps.
func LoginFailure(p Prereqs, paths probe.Paths, before, after probe.Credential, progress LoginProgress, kind MethodKind) *Failure {
	err := VerifyLogin(before, after)
	if err == nil {
		return nil
	}
	why := err.Error()
	if progress.Error != "" {
		why = "OpenCode: " + progress.Error
	}
	return &Failure{Step: StepLogin, Why: "Login did not complete. " + Sentence(why), Next: LoginHints(p, paths, progress, kind)}
}

// ModelsFailure is `opencode models openai` failing.
func ModelsFailure(err error) *Failure {
	return &Failure{Step: StepModels, Why: err.Error(), Next: []string{"Try it yourself: opencode models openai", "Then repair with: " + ConnectCommand}}
}

// ModelChoiceFailure is a --model that OpenCode does not list.
func ModelChoiceFailure(err error) *Failure {
	return &Failure{Step: StepModels, Why: err.Error(), Next: []string{"Pick a listed model with --model, or leave it out to let heidi choose"}}
}

// TestFailure is a failed test run, classified.
func TestFailure(r TestReport) *Failure {
	return &Failure{Step: StepTest, Why: "Test run failed: " + r.Why(), Next: r.Hints()}
}
