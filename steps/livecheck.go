package steps

import (
	"context"
	"time"

	"github.com/heidi-cli/heidi/redact"
)

// LiveCheck is `status --check`: when st says connected, it also sends the
// tiny test request (the model that passed last time first), so a login the
// service no longer accepts (a reused or revoked refresh token, a plan that
// lost Codex) shows NOT CONNECTED with its classified reason. The run is
// recorded like any test run. It returns nil when nothing was sent.
func LiveCheck(ctx context.Context, d Deps, st *Status) *TestReport {
	if !st.Connected {
		return nil
	}
	last := ""
	if o := st.LastOutcome; o != nil && o.Result == "PASS" {
		last = o.Model
	}
	cands, err := TestCandidates(st.Models, "", last)
	if err != nil {
		return nil
	}
	rep := TestWithFallback(ctx, d, cands, nil)
	o := Outcome{Time: d.Sys.Now(), Model: rep.Model, Result: "PASS"}
	switch {
	case rep.Pass:
	case ctx.Err() != nil:
		o.Result, o.Step, o.LastError = "CANCELLED", "Test run", "cancelled"
	default:
		o.Result, o.Step, o.LastError = "FAIL", "Test run", "Test run failed: "+rep.Why()
		st.Connected = false
		st.Reason = "The test request failed: " + redact.String(rep.Why())
		st.Next = ConnectCommand
		if h := rep.Hints(); len(h) > 0 {
			st.Next = redact.String(h[0])
		}
		st.LastError = st.Reason
	}
	_ = SaveOutcome(d.Paths, o) // best effort: the answer is what counts
	st.LastOutcome = &o
	return &rep
}

// CheckJSON is the live check in status --json.
type CheckJSON struct {
	Pass       bool      `json:"pass"`
	Model      string    `json:"model"`
	DurationMs int64     `json:"durationMs"`
	Class      string    `json:"class,omitempty"`
	Error      string    `json:"error,omitempty"`
	Refused    []Refusal `json:"refused,omitempty"`
	At         time.Time `json:"at"`
}

// ToCheckJSON converts a live check.
func ToCheckJSON(r *TestReport, at time.Time) *CheckJSON {
	if r == nil {
		return nil
	}
	c := &CheckJSON{Pass: r.Pass, Model: r.Model, DurationMs: r.Duration.Milliseconds(), Refused: r.Refused, At: at.UTC()}
	if !r.Pass {
		c.Class, c.Error = string(r.Class.Class), redact.String(r.Why())
	}
	return c
}
