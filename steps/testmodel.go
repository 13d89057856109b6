package steps

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heidi-cli/heidi/probe"
)

// MaxModelTries is how many models the test run tries before it gives up
// when OpenAI refuses a model for the plan.
const MaxModelTries = 3

// previewRE marks research previews and Pro-only models: `-spark` is Pro only
// (gpt-5.3-codex-spark, anomalyco/opencode#13469), previews come and go.
var previewRE = lazyRE(`(?i)-spark\b|preview|research|-pro\b|experimental`)

var versionRE = lazyRE(`gpt-(\d+)(?:\.(\d+))?`)

// RankTestModels orders the listed models for the test run: a small current
// general model first (the newest -mini), then the newest mainline model,
// then the rest, and research previews and Pro-only names last; a -fast
// variant right after its class. The order within a class is newest first;
// ties keep OpenCode's order.
func RankTestModels(models []string) []string {
	type ranked struct {
		id           string
		class, major int
		minor, index int
	}
	rs := make([]ranked, 0, len(models))
	for i, m := range models {
		id := strings.TrimPrefix(m, "openai/")
		r := ranked{id: m, index: i, class: 3}
		if v := versionRE().FindStringSubmatch(id); v != nil {
			r.major, _ = strconv.Atoi(v[1])
			r.minor, _ = strconv.Atoi(v[2])
		}
		switch {
		case previewRE().MatchString(id):
			r.class = 9
		case strings.Contains(id, "mini"):
			r.class = 0
		case !strings.Contains(id, "codex") && versionRE().MatchString(id):
			r.class = 1
		case strings.Contains(id, "codex"):
			r.class = 2
		}
		// A -fast variant uses the plan's allowance faster; the plain one first.
		r.class *= 2
		if strings.HasSuffix(id, "-fast") {
			r.class++
		}
		rs = append(rs, r)
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		if a.class != b.class {
			return a.class - b.class
		}
		if a.major != b.major {
			return b.major - a.major
		}
		if a.minor != b.minor {
			return b.minor - a.minor
		}
		return a.index - b.index
	})
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.id
	}
	return out
}

// TestCandidates is the order in which the test run tries models: --model
// alone when given; else the model that passed last time (when still
// listed), then RankTestModels.
func TestCandidates(models []string, want, last string) ([]string, error) {
	if want != "" {
		m, err := ResolveModel(models, want)
		if err != nil {
			return nil, err
		}
		return []string{m}, nil
	}
	if len(models) == 0 {
		return nil, fmt.Errorf("OpenCode lists no OpenAI models")
	}
	ranked := RankTestModels(models)
	if last != "" && slices.Contains(models, last) {
		ranked = append([]string{last}, slices.DeleteFunc(ranked, func(m string) bool { return m == last })...)
	}
	return ranked, nil
}

// Refusal is a model OpenAI refused for the plan during the test run.
type Refusal struct {
	Model  string `json:"model"`
	Reason string `json:"reason"`
}

// TestReport is the whole test run: the last attempt, and the models refused
// before it.
type TestReport struct {
	RunResult
	Refused []Refusal
	Class   Classified // of the last attempt, when it failed
}

// Note is one line naming the refused models, "" when none was.
func (r TestReport) Note() string {
	if len(r.Refused) == 0 {
		return ""
	}
	var parts []string
	for _, f := range r.Refused {
		parts = append(parts, f.Model+" ("+f.Reason+")")
	}
	return "refused for this plan: " + strings.Join(parts, ", ")
}

// Hints are the next steps after a failed test run.
func (r TestReport) Hints() []string {
	h := append([]string{}, r.Class.Next...)
	return append(h, "Try it yourself: opencode run \""+TestPrompt+"\" --model="+r.Model+" --print-logs")
}

// Why is the failure in a sentence, with the class when it is known.
func (r TestReport) Why() string {
	if r.Class.Why == "" {
		return r.Err
	}
	return r.Class.Why + ": " + r.Err
}

// TestWithFallback runs the test request with the first candidate; when
// OpenAI refuses that model for the plan, it tries the next one, at most
// MaxModelTries models, all inside one Timeouts.Run budget. onTry (may be
// nil) hears of each attempt before it starts.
func TestWithFallback(ctx context.Context, d Deps, candidates []string, onTry func(model string, refused []Refusal)) TestReport {
	var rep TestReport
	start := d.Sys.Now()
	plan := probe.InspectAuth(d.Sys, d.Paths).Plan
	LearnSecrets(d) // once per test run: a login since the prerequisites brought new tokens
	for i, model := range candidates {
		left := d.Timeouts.Run
		if i > 0 {
			left -= d.Sys.Now().Sub(start)
			if i >= MaxModelTries || left < time.Second {
				break
			}
			left = left.Truncate(time.Second)
		}
		if onTry != nil {
			onTry(model, rep.Refused)
		}
		dd := d
		dd.Timeouts.Run = left
		run := TestRun(ctx, dd, model)
		rep.RunResult = run
		rep.Duration = d.Sys.Now().Sub(start)
		if run.Pass || ctx.Err() != nil {
			rep.Class = Classified{}
			return rep
		}
		prev := rep.Class.Class
		rep.Class = Classify(run.Err + "\n" + run.Tail).ForPlan(plan)
		// Two models in a row outside the plan: it is the plan, not the model.
		if !rep.Class.NextModel || (i > 0 && prev == ClassPlan && rep.Class.Class == ClassPlan) {
			return rep
		}
		rep.Refused = append(rep.Refused, Refusal{Model: run.Model, Reason: rep.Class.Why})
	}
	if len(rep.Refused) > 0 && !rep.Pass {
		rep.Refused = rep.Refused[:len(rep.Refused)-1] // the last one is the reported failure itself
	}
	return rep
}
