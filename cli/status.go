package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/steps"
)

// StatusLine is the first line of `heidi connect status`.
func StatusLine(connected bool) string {
	if connected {
		return "OpenCode: OpenAI (ChatGPT Plus/Pro) CONNECTED"
	}
	return "OpenCode: OpenAI (ChatGPT Plus/Pro) NOT CONNECTED"
}

func (a *app) statusCmd() *cobra.Command {
	var asJSON, check bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Say whether OpenCode is connected to your ChatGPT Plus/Pro subscription",
		Long: `Checks that OpenCode is installed, that its credential store holds an OpenAI
ChatGPT (OAuth) login, and that 'opencode models openai' lists models.
With --check it also sends the tiny test request ("say ok", the model that
passed last time first), so a login the service no longer accepts shows
NOT CONNECTED with the reason; without it, status stays offline and fast
and shows when the last test passed.
Exit status: 0 connected, 1 not connected.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d := steps.NewDeps(a.sys)
			d.Timeouts = d.Timeouts.WithLimit(timeout)
			st := steps.CheckStatus(cmd.Context(), d)
			var live *steps.TestReport
			if check {
				live = steps.LiveCheck(cmd.Context(), d, &st)
			}
			if asJSON {
				enc := json.NewEncoder(a.io.Out)
				enc.SetIndent("", "  ")
				j := steps.ToJSON(st)
				j.Check = steps.ToCheckJSON(live, d.Sys.Now())
				if err := enc.Encode(j); err != nil {
					return err
				}
			} else {
				writeStatus(a.io.Out, st)
			}
			if err := cmd.Context().Err(); err != nil {
				return err
			}
			if !st.Connected {
				return exitError{ExitFailure}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	cmd.Flags().BoolVar(&check, "check", false, "also send the test request, to check the login is still accepted")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "limit for each OpenCode call (default: "+steps.DefaultTimeouts().String()+")")
	return cmd
}

func writeStatus(w io.Writer, st steps.Status) {
	fmt.Fprintln(w, StatusLine(st.Connected))
	row := func(k, v string) { fmt.Fprintf(w, "  %-11s %s\n", k+":", v) }
	if !st.Connected {
		row("Reason", st.Reason)
		row("Next", st.Next)
	}
	if st.OpenCode.Found {
		v := st.OpenCodeVersion
		if v == "" {
			v = "unknown (" + st.OpenCode.Err + ")"
		}
		row("OpenCode", v)
	}
	row("Auth file", st.AuthPath)
	if st.Cred.Present {
		row("Credential", describeCred(st.Cred, st.CheckedAt))
	}
	if len(st.Models) > 0 {
		row("Models", fmt.Sprintf("%d (first: %s)", len(st.Models), st.Models[0]))
	}
	if o := st.LastOutcome; o != nil {
		s := fmt.Sprintf("%s at %s", o.Result, o.Time.Local().Format("2006-01-02 15:04"))
		if o.Model != "" {
			s += " with " + o.Model
		}
		row("Last test", s)
	}
	if st.Headless {
		row("Session", "headless (use the device-code login: "+steps.ConnectCommand+" --headless)")
	}
	for _, n := range st.Notes {
		row("Note", n)
	}
}

func describeCred(c probe.Credential, now time.Time) string {
	var s string
	switch c.Type {
	case probe.CredOAuth:
		s = "oauth (ChatGPT subscription)"
	case probe.CredAPI:
		s = "api (OpenAI API key)"
	default:
		s = string(c.Type)
	}
	if c.Account != "" {
		s += ", account " + c.Account
	}
	if c.Plan != "" {
		s += ", ChatGPT " + c.Plan + " plan"
	}
	if !c.Expires.IsZero() {
		word := "expires"
		if c.Expired(now) {
			word = "expired"
		}
		s += fmt.Sprintf(", %s %s", word, c.Expires.Local().Format("2006-01-02 15:04 MST"))
	}
	return s
}
