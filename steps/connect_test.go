package steps_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/steps"
	"github.com/heidi-cli/heidi/steps/steptest"
)

// fakeUI is a face for steps.Connect: it answers questions with scripted
// keys (none left: it cannot ask, as plain mode), picks scripted routes,
// runs children through run, and records everything it is told.
type fakeUI struct {
	interactive bool
	keys        []string
	routes      []steps.RouteID
	run         func(c steps.Child) steps.ChildResult
	stopAt      steps.StepID // call the Stop of this step when it runs
	cancelAt    string       // cancel the run when a question with this prompt line comes
	cancel      context.CancelFunc

	updates  []steps.StepUpdate
	notes    []string
	logs     []string
	asked    []steps.Question
	guides   []steps.GuideScreen
	children []steps.Child
	tried    []string
}

func (u *fakeUI) Interactive() bool { return u.interactive }
func (u *fakeUI) Note(s string)     { u.notes = append(u.notes, s) }
func (u *fakeUI) Log(s string)      { u.logs = append(u.logs, s) }
func (u *fakeUI) Trying(model string, _ []steps.Refusal) {
	u.tried = append(u.tried, model)
}

func (u *fakeUI) Step(s steps.StepUpdate) {
	u.updates = append(u.updates, s)
	if s.Stop != nil && s.ID == u.stopAt {
		s.Stop()
	}
}

func (u *fakeUI) Ask(ctx context.Context, q steps.Question) (int, bool) {
	u.asked = append(u.asked, q)
	if u.cancelAt != "" && strings.Contains(strings.Join(q.Prompt, "\n"), u.cancelAt) {
		u.cancel()
		return 0, false
	}
	if len(u.keys) == 0 {
		return 0, false
	}
	k := u.keys[0]
	u.keys = u.keys[1:]
	for i, c := range q.Choices {
		if c.Key == k {
			return i, true
		}
	}
	panic("no choice " + k + " in " + strings.Join(q.Prompt, " / "))
}

func (u *fakeUI) Guide(_ context.Context, g steps.GuideScreen) (int, bool) {
	u.guides = append(u.guides, g)
	if g.Auto || len(u.routes) == 0 {
		return 0, true
	}
	id := u.routes[0]
	u.routes = u.routes[1:]
	for i, r := range g.Routes {
		if r.ID == id {
			return i, true
		}
	}
	panic("no such route")
}

func (u *fakeUI) Run(_ context.Context, c steps.Child) steps.ChildResult {
	u.children = append(u.children, c)
	if u.run == nil {
		return steps.ChildResult{Exit: 1, Transcript: "not scripted"}
	}
	return u.run(c)
}

// final is the last status of each step.
func (u *fakeUI) final() map[steps.StepID]steps.StepUpdate {
	out := map[steps.StepID]steps.StepUpdate{}
	for _, s := range u.updates {
		out[s.ID] = s
	}
	return out
}

// login is OpenCode's login as the real client behaves: it stores a fresh
// ChatGPT credential and prints its lines.
func login(m *steptest.Machine, t *testing.T) func(c steps.Child) steps.ChildResult {
	return func(c steps.Child) steps.ChildResult {
		if c.Kind != steps.ChildLogin {
			return steps.ChildResult{Exit: 1}
		}
		m.WriteAuth(t, steptest.OAuthEntry)
		if c.Method == steps.MethodDevice {
			return steps.ChildResult{Transcript: steptest.DeviceTranscript}
		}
		return steps.ChildResult{Transcript: steptest.LoginTranscript}
	}
}

func backups(t *testing.T, m *steptest.Machine) []string {
	t.Helper()
	all, _ := filepath.Glob(m.AuthPath() + ".*")
	return all
}

// TestConnectBranches runs the one connect flow through every branch over
// a fake face: what it decides, asks, runs and ends with.
func TestConnectBranches(t *testing.T) {
	const apiKey = `{"openai":{"type":"api","key":"sk-proj-` + steptest.Canary + `aaaaaaaaaaaaaaaaaaaa"}}`
	cases := []struct {
		name  string
		setup func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions)
		// result is PASS, FAIL, SKIPPED or CANCELLED; step the failed one.
		result, step string
		check        func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult)
	}{
		{name: "opencode missing, plain", result: "FAIL", step: "Prerequisites",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.Tools["opencode"] = false
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "OpenCode is not installed.", "npm install -g opencode-ai")
				if len(u.asked) != 0 {
					t.Error("plain mode was asked to install")
				}
			}},
		{name: "opencode missing, wizard declines npm", result: "FAIL", step: "Prerequisites",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.Tools["opencode"], u.interactive, u.keys = false, true, []string{"n"}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if len(u.asked) != 1 || len(u.children) != 0 {
					t.Errorf("asked %d, children %d", len(u.asked), len(u.children))
				}
			}},
		{name: "opencode missing, npm install fails", result: "FAIL", step: "Prerequisites",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.Tools["opencode"], u.interactive, u.keys = false, true, []string{"y"}
				u.run = func(c steps.Child) steps.ChildResult {
					return steps.ChildResult{Exit: 1, Transcript: "npm error code EACCES"}
				}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "npm install -g opencode-ai failed (exit 1).", "npm error code EACCES")
			}},
		{name: "opencode installed by npm, then connected", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.Tools["opencode"], u.interactive, o.Yes = false, true, true
				u.run = func(c steps.Child) steps.ChildResult {
					if c.Kind == steps.ChildInstall {
						m.Tools["opencode"] = true
						return steps.ChildResult{}
					}
					return login(m, t)(c)
				}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if len(u.children) != 2 || u.children[0].Kind != steps.ChildInstall || u.children[1].Kind != steps.ChildLogin {
					t.Errorf("children %+v", u.children)
				}
			}},
		{name: "known-bad release that works here: a warning, then on", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.Run.Answers["opencode --version"] = probe.Result{Stdout: []byte("1.15.4\n")}
				m.Run.Answers["opencode auth login -p openai -m heidi-list-methods"] = probe.Result{ExitCode: 1,
					Stderr: []byte(`Error: Unknown method "heidi-list-methods" for openai. Available: ChatGPT Pro/Plus (browser), ChatGPT Pro/Plus (headless), Manually enter API Key`)}
				u.run = login(m, t)
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, u.notes, "OpenCode 1.15.4 has a known bug", "heidi goes on")
				if !m.Run.Called("opencode auth login -p openai -m heidi-list-methods") {
					t.Error("the methods of a known-bad release were guessed, not read")
				}
			}},
		{name: "known-bad release with the bug: stops at the method, with the way out", result: "FAIL", step: "Login method",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.Run.Answers["opencode --version"] = probe.Result{Stdout: []byte("1.14.50\n")}
				// anomalyco/opencode#27905: only the API key method is left.
				m.Run.Answers["opencode auth login -p openai -m heidi-list-methods"] = probe.Result{ExitCode: 1,
					Stderr: []byte(`Error: Unknown method "heidi-list-methods" for openai. Available: Manually enter API Key`)}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "known bug", "anomalyco/opencode#27905", "npm install -g opencode-ai@latest", "npm install -g opencode-ai@1.14.48")
			}},
		{name: "plugin release without node", result: "FAIL", step: "Prerequisites",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.Run.Answers["opencode --version"] = probe.Result{Stdout: []byte("1.0.185\n")}
				m.Tools["npx"], m.Tools["node"], m.Tools["npm"] = false, false, false
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "Node.js is not installed")
			}},
		{name: "plugin release in plain mode", result: "FAIL", step: "Login method",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.Run.Answers["opencode --version"] = probe.Result{Stdout: []byte("1.0.185\n")}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "needs the interactive wizard")
			}},
		{name: "stale config, plain without --yes", result: "FAIL", step: "Login method",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) { staleConfig(t, m) },
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "A stale opencode-openai-codex-auth plugin", steps.ConnectCommand+" --yes")
				if b, _ := filepath.Glob(configPath(m) + ".*"); len(b) != 0 {
					t.Errorf("the config was touched: %v", b)
				}
			}},
		{name: "stale config repaired with --yes", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				staleConfig(t, m)
				o.Yes = true
				m.Run.Answers["opencode auth login -p openai -m heidi-list-methods"] = probe.Result{ExitCode: 1,
					Stderr: []byte(`Error: Unknown method "heidi-list-methods" for openai. Available: ChatGPT Pro/Plus (browser), ChatGPT Pro/Plus (headless), Manually enter API Key`)}
				u.run = login(m, t)
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if b, _ := filepath.Glob(configPath(m) + ".*"); len(b) != 1 {
					t.Errorf("backups of the config: %v", b)
				}
				wantIn(t, u.notes, "Removed ")
				if !m.Run.Called("opencode auth login -p openai -m heidi-list-methods") {
					t.Error("a stale config hides the labels: OpenCode must be asked")
				}
			}},
		{name: "kept login", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, steptest.OAuthEntry)
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				f := u.final()
				if f[steps.StepLogin].Status != steps.Skipped || len(u.children) != 0 {
					t.Errorf("login %+v, children %d", f[steps.StepLogin], len(u.children))
				}
				if !strings.HasSuffix(f[steps.StepMethod].Detail, "not needed for the stored login") || m.Run.Called("opencode auth login") {
					t.Errorf("methods asked for a kept login: %q", f[steps.StepMethod].Detail)
				}
				// The Pro-only model listed first is not the one tested (issue 14).
				if r.Outcome.Model != "openai/gpt-5.4-mini" || r.Test.Model != "openai/gpt-5.4-mini" {
					t.Errorf("tested %q", r.Outcome.Model)
				}
				wantIn(t, r.Summary, "Connected: OpenCode → OpenAI (ChatGPT Plus/Pro)", "Models: 4 (first: openai/gpt-5.3-codex-spark)")
			}},
		{name: "log in again asks for the methods then", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, steptest.OAuthEntry)
				u.interactive, u.keys, u.run = true, []string{"l"}, login(m, t)
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if len(u.children) != 1 || strings.Join(u.children[0].Args, " ") != "auth login -p openai -m ChatGPT Pro/Plus (browser)" {
					t.Errorf("children %+v", u.children)
				}
				if len(backups(t, m)) != 1 {
					t.Errorf("no backup before replacing the login: %v", backups(t, m))
				}
			}},
		{name: "fresh browser login", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) { u.run = login(m, t) },
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				c := u.children[0]
				if c.Kind != steps.ChildLogin || c.Method != steps.MethodBrowser || c.Headless {
					t.Errorf("child %+v", c)
				}
				if d := u.final()[steps.StepLogin].Detail; !strings.HasPrefix(d, "ChatGPT login stored") {
					t.Errorf("login detail %q", d)
				}
			}},
		{name: "API key kept in a backup, plain", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, apiKey)
				u.run = login(m, t)
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				b := backups(t, m)
				if len(b) != 1 {
					t.Fatalf("backups %v", b)
				}
				if got, _ := os.ReadFile(b[0]); string(got) != apiKey {
					t.Error("the backup is not the API key entry byte for byte")
				}
				wantIn(t, u.logs, "an OpenAI API key")
			}},
		{name: "API key kept: the user says no", result: "FAIL", step: "Login",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, apiKey)
				u.interactive, u.keys = true, []string{"n"}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if m.ReadAuth() != apiKey || len(u.children) != 0 {
					t.Error("the API key was touched")
				}
			}},
		{name: "broken store, plain", result: "FAIL", step: "Login",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, "{not json")
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "credential store is broken", "--yes")
				if m.ReadAuth() != "{not json" {
					t.Error("the broken store was changed")
				}
			}},
		{name: "broken store moved aside with --yes", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, "{not json")
				o.Yes, u.run = true, login(m, t)
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, u.notes, "Moved the broken ")
				found := false
				for _, b := range backups(t, m) {
					if got, _ := os.ReadFile(b); string(got) == "{not json" {
						found = true
					}
				}
				if !found {
					t.Errorf("the broken store is not kept: %v", backups(t, m))
				}
			}},
		{name: "store is a directory", result: "FAIL", step: "Login",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				if err := os.MkdirAll(m.AuthPath(), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "cannot be used")
			}},
		{name: "labels of another release", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				n := 0
				u.run = func(c steps.Child) steps.ChildResult {
					if n++; n == 1 {
						// OpenCode's answer to a label it does not have (1.x, docs/versions.md).
						return steps.ChildResult{Exit: 1, Transcript: `Error: Unknown method "ChatGPT Pro/Plus (browser)" for openai. Available: Codex browser (legacy), Codex device code (legacy), Manually enter API Key`}
					}
					return login(m, t)(c)
				}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if len(u.children) != 2 || u.children[1].Args[len(u.children[1].Args)-1] != "Codex browser (legacy)" {
					t.Errorf("children %+v", u.children)
				}
				wantIn(t, u.notes, "This OpenCode names its login methods: Codex browser (legacy)")
			}},
		{name: "failed browser login, the user takes the device code", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				u.interactive, u.keys = true, []string{"d"}
				u.run = func(c steps.Child) steps.ChildResult {
					if c.Method == steps.MethodBrowser {
						return steps.ChildResult{Exit: 1, Transcript: "Error: Failed to start server on port 1455"}
					}
					return login(m, t)(c)
				}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if len(u.asked) != 1 || !strings.Contains(u.asked[0].Prompt[0], "OpenCode: Failed to start server on port 1455") {
					t.Errorf("asked %+v", u.asked)
				}
				if len(u.children) != 2 || u.children[1].Method != steps.MethodDevice {
					t.Errorf("children %+v", u.children)
				}
			}},
		{name: "failed browser login, plain", result: "FAIL", step: "Login",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				u.run = func(c steps.Child) steps.ChildResult { return steps.ChildResult{Exit: 1} }
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "Login did not complete.")
			}},
		{name: "login cancelled inside OpenCode", result: "FAIL", step: "Login",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				u.interactive = true
				u.run = func(c steps.Child) steps.ChildResult {
					return steps.ChildResult{Transcript: "┌  Add credential\n◇  Canceled\n"}
				}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if len(u.asked) != 0 {
					t.Error("a login the user cancelled offered a retry")
				}
			}},
		{name: "left the login", result: "FAIL", step: "Login",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				u.interactive, u.keys = true, []string{"s"}
				u.run = func(c steps.Child) steps.ChildResult { return steps.ChildResult{Exit: -1, Left: true} }
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "You left the login before it finished.")
			}},
		{name: "headless: codex, then the device code", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.Env["SSH_CONNECTION"] = "10.0.0.1 1 10.0.0.2 22"
				m.Tools["codex"] = true
				m.Run.Answers["codex --version"] = probe.Result{Stdout: []byte("codex-cli 0.77.0\n")}
				u.interactive, u.routes = true, []steps.RouteID{steps.RouteCodex, steps.RouteDevice}
				u.run = func(c steps.Child) steps.ChildResult {
					if c.Kind == steps.ChildCodex {
						return steps.ChildResult{Exit: 1, Transcript: "Error logging in: error sending request"}
					}
					return login(m, t)(c)
				}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if len(u.guides) != 2 || len(u.guides[0].Why) == 0 {
					t.Errorf("guides %d", len(u.guides))
				}
				if len(u.children) != 2 || u.children[1].Method != steps.MethodDevice || !u.children[1].Headless {
					t.Errorf("children %+v", u.children)
				}
				wantIn(t, u.notes, "codex login --device-auth failed (exit 1): Error logging in: error sending request")
			}},
		{name: "headless: left the login, back to the guide", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				o.Headless, u.interactive = true, true
				u.routes = []steps.RouteID{steps.RouteDevice, steps.RouteTunnel}
				n := 0
				u.run = func(c steps.Child) steps.ChildResult {
					if n++; n == 1 {
						return steps.ChildResult{Exit: -1, Left: true}
					}
					return login(m, t)(c)
				}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if len(u.guides) != 2 || u.children[1].Method != steps.MethodBrowser {
					t.Errorf("guides %d, children %+v", len(u.guides), u.children)
				}
			}},
		{name: "no method flags: plain stops", result: "FAIL", step: "Login method",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.Run.Answers["opencode --version"] = probe.Result{Stdout: []byte("1.1.40\n")}
				m.Run.Answers["opencode auth login -p openai -m heidi-list-methods"] = probe.Result{Stdout: []byte("opencode auth login\n\nlog in to a provider\n\nOptions:\n  --help")}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "its menus need the interactive wizard")
			}},
		{name: "no method flags: the wizard answers the menus", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.Run.Answers["opencode --version"] = probe.Result{Stdout: []byte("1.1.40\n")}
				m.Run.Answers["opencode auth login -p openai -m heidi-list-methods"] = probe.Result{Stdout: []byte("opencode auth login\n\nOptions:\n  --help")}
				u.interactive, u.run = true, login(m, t)
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if c := u.children[0]; !c.Menus || strings.Join(c.Args, " ") != "auth login" {
					t.Errorf("child %+v", c)
				}
			}},
		{name: "models fail", result: "FAIL", step: "Models",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, steptest.OAuthEntry)
				m.Run.Answers["opencode models openai"] = probe.Result{ExitCode: 1, Stderr: []byte("Error: Unexpected error")}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "Try it yourself: opencode models openai")
			}},
		{name: "--model not listed", result: "FAIL", step: "Models",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, steptest.OAuthEntry)
				o.Model = "gpt-9"
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "openai/gpt-9")
			}},
		{name: "esc on the model list", result: "CANCELLED", step: "Models",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				u.run, u.stopAt = login(m, t), steps.StepModels
				m.Run.Errs = map[string]error{"opencode models openai": context.Canceled}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "Models: CANCELLED", "you stopped waiting")
			}},
		{name: "esc on the test run", result: "CANCELLED", step: "Test run",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, steptest.OAuthEntry)
				u.stopAt = steps.StepTest
				m.Run.Errs = map[string]error{"opencode run say ok --model=openai/gpt-5.4-mini": context.Canceled}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "Test run: CANCELLED")
			}},
		{name: "test run fails", result: "FAIL", step: "Test run",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, steptest.OAuthEntry)
				m.Run.Answers["opencode run say ok --model=openai/gpt-5.4-mini"] = probe.Result{ExitCode: 1,
					Stdout: []byte("Error: Cannot connect to API: Unable to connect. Is the computer able to access the url?\n")}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "Test run: FAIL")
				wantIn(t, u.logs, "output (last lines, redacted):")
			}},
		{name: "--skip-test", result: "SKIPPED",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, steptest.OAuthEntry)
				o.SkipTest = true
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if m.Run.Called("opencode run") {
					t.Error("--skip-test ran the test")
				}
			}},
		{name: "OpenCode 2: browser login by method id, judged by its auth list", result: "PASS",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, steptest.OAuthEntry) // stale: OpenCode 2 ignores auth.json
				v2 := m.Run.Answers
				v2["opencode --version"] = probe.Result{Stdout: []byte("opencode v2.0.17\n")}
				v2["opencode auth list --format json --standalone"] = probe.Result{Stdout: []byte("[]\n")}
				v2["opencode models --standalone"] = probe.Result{Stdout: []byte(steptest.Models)}
				v2["opencode run say ok --model=openai/gpt-5.4-mini --standalone"] = probe.Result{Stdout: []byte("ok\n")}
				u.run = func(c steps.Child) steps.ChildResult {
					v2["opencode auth list --format json --standalone"] = probe.Result{Stdout: []byte(
						`[{"id":"openai","name":"OpenAI","connections":[{"type":"credential","id":"cred_new","label":"OpenAI","method":"oauth"}]}]`)}
					return steps.ChildResult{Transcript: "┌  Connect an integration\n│\n◇  Authorization started\n│\n●  https://auth.openai.com/oauth/authorize?x=1\n│\n◆  Connected to OpenAI\n│\n└  Done\n"}
				}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if len(u.children) != 1 || strings.Join(u.children[0].Args, " ") != "auth login openai --method chatgpt-browser --standalone" {
					t.Errorf("children %+v", u.children)
				}
				wantIn(t, r.Summary, "Credentials: OpenCode 2's database, ")
				if len(backups(t, m)) != 0 {
					t.Error("auth.json was backed up for an OpenCode 2 login, which does not touch it")
				}
				if m.Run.Called("opencode models openai") {
					t.Error("OpenCode 2 was asked for `models openai`")
				}
			}},
		{name: "OpenCode 2: a login that stores nothing new fails", result: "FAIL", step: "Login",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				v2 := m.Run.Answers
				v2["opencode --version"] = probe.Result{Stdout: []byte("opencode v2.0.17\n")}
				v2["opencode auth list --format json --standalone"] = probe.Result{Stdout: []byte("[]\n")}
				u.run = func(c steps.Child) steps.ChildResult {
					return steps.ChildResult{Exit: 1, Transcript: "┌  Connect an integration\n│\n■  Authorization expired\n│\n└  Failed\n"}
				}
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				wantIn(t, r.Summary, "OpenCode: Authorization expired")
			}},
		{name: "ctrl+c at a question", result: "CANCELLED", step: "Login",
			setup: func(t *testing.T, m *steptest.Machine, u *fakeUI, o *steps.ConnectOptions) {
				m.WriteAuth(t, steptest.OAuthEntry)
				u.interactive, u.cancelAt = true, "already stored"
			},
			check: func(t *testing.T, m *steptest.Machine, u *fakeUI, r steps.ConnectResult) {
				if len(r.Summary) != 0 || m.Run.Called("opencode run") {
					t.Errorf("a cancelled run went on: %q", r.Summary)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := steptest.NewMachine(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			u := &fakeUI{cancel: cancel}
			var o steps.ConnectOptions
			c.setup(t, m, u, &o)
			r := steps.Connect(ctx, steps.NewDeps(m.Sys), o, u)
			if r.Outcome.Result != c.result || (c.step != "" && r.Outcome.Step != c.step) {
				t.Fatalf("outcome %s at %q, want %s at %q\nsummary:\n%s\nnotes: %q", r.Outcome.Result, r.Outcome.Step, c.result, c.step, strings.Join(r.Summary, "\n"), u.notes)
			}
			if r.OK != (c.result == "PASS" || c.result == "SKIPPED") || r.Cancelled != (c.result == "CANCELLED") {
				t.Errorf("ok %v cancelled %v for %s", r.OK, r.Cancelled, c.result)
			}
			c.check(t, m, u, r)
			all := strings.Join(append(append(append(r.Summary, u.notes...), u.logs...), stepDetails(u)...), "\n")
			if strings.Contains(all, steptest.Canary) {
				t.Fatalf("a secret reached the face:\n%s", all)
			}
		})
	}
}

func stepDetails(u *fakeUI) []string {
	var out []string
	for _, s := range u.updates {
		out = append(out, s.Detail)
	}
	for _, q := range u.asked {
		out = append(out, q.Prompt...)
	}
	return out
}

func wantIn(t *testing.T, lines []string, subs ...string) {
	t.Helper()
	all := strings.Join(lines, "\n")
	for _, s := range subs {
		if !strings.Contains(all, s) {
			t.Errorf("lacks %q:\n%s", s, all)
		}
	}
}

func configPath(m *steptest.Machine) string {
	return filepath.Join(m.Home, ".config", "opencode", "opencode.json")
}

func staleConfig(t *testing.T, m *steptest.Machine) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(configPath(m)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(configPath(m), []byte(`{"plugin":["opencode-openai-codex-auth"],"provider":{"openai":{"options":{}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWindowsHints: no Unix-only command is advised on Windows (issue 20).
func TestWindowsHints(t *testing.T) {
	unix := []string{"lsof", "brew ", "curl ", "| bash", "apt install"}
	p := steps.Prereqs{GOOS: "windows", Ports: []probe.PortStatus{{Port: 1455, Free: false}}}
	var all []string
	all = append(all, steps.InstallHints("windows")...)
	all = append(all, steps.InstallOpenCode("windows"), steps.PortHolder("windows", 1455))
	all = append(all, steps.NodeHints("windows")...)
	all = append(all, steps.LoginHints(p, probe.Paths{Log: `C:\Users\ada\.local\share\opencode\log`}, steps.LoginProgress{Error: "Failed to start server. Is port 1455 in use?"}, steps.MethodBrowser)...)
	text := strings.Join(all, "\n")
	for _, u := range unix {
		if strings.Contains(text, u) {
			t.Errorf("a Windows hint says %q:\n%s", u, text)
		}
	}
	for _, want := range []string{"netstat -ano | findstr :1455", "excludedportrange", "winget install", "npm install -g opencode-ai"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Windows hints lack %q:\n%s", want, text)
		}
	}
	if l := steps.PortHolder("linux", 1455); l != "lsof -i :1455" {
		t.Errorf("linux: %q", l)
	}
}

// TestLineIsNotDecidedByACancelledCall: a version probe cancelled before
// it answers does not settle the line for a long-lived server's Deps.
func TestLineIsNotDecidedByACancelledCall(t *testing.T) {
	m := steptest.NewMachine(t)
	m.Run.Answers["opencode --version"] = probe.Result{Stdout: []byte("opencode v2.0.17\n")}
	d := steps.NewDeps(m.Sys)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m.Run.Hold = map[string]chan struct{}{"opencode --version": make(chan struct{})}
	if d.V2(ctx) {
		t.Fatal("a cancelled probe said OpenCode 2")
	}
	m.Run.Hold = nil
	if !d.V2(context.Background()) {
		t.Fatal("the line was settled by the cancelled call")
	}
}
