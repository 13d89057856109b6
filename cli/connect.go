package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/heidi-cli/heidi/steps"
	"github.com/heidi-cli/heidi/wizard"
)

// connectOptions are the flags of `heidi connect opencode openai`.
type connectOptions struct {
	Plain bool
	// Accessible: plain mode for screen readers (also ACCESSIBLE=1).
	Accessible bool
	Yes        bool
	Headless   bool
	Browser    bool
	Model      string
	SkipTest   bool
	Timeout    time.Duration
}

func (a *app) connectCmd() *cobra.Command {
	connect := &cobra.Command{
		Use:   "connect",
		Short: "Connect a tool to a provider, or show the connection's status",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown tool %q: heidi connects opencode: heidi connect opencode openai", args[0])}
			}
			return cmd.Help()
		},
	}
	opencode := &cobra.Command{
		Use:   "opencode",
		Short: "Connect OpenCode to a provider",
		// An unknown provider is a usage error that names the one heidi
		// connects, not a help page with exit 0.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown provider %q: heidi connects OpenCode to openai (ChatGPT Plus/Pro): heidi connect opencode openai", args[0])}
			}
			return cmd.Help()
		},
	}
	var opts connectOptions
	openai := &cobra.Command{
		Use:   "openai",
		Short: "Connect OpenCode to your ChatGPT Plus/Pro subscription (OpenAI OAuth)",
		Long: `Walks through: prerequisites → login method → login → model check → test run → summary.
OpenCode's own login runs live inside the wizard. Run it again to repair a broken connection.

Exit status: 0 connected and tested, 1 a step failed, 2 usage error, 130 cancelled.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Headless && opts.Browser {
				return usageError{errors.New("--headless and --browser cannot be used together")}
			}
			return a.runConnect(cmd, opts)
		},
	}
	f := openai.Flags()
	f.BoolVar(&opts.Plain, "plain", false, "no full-screen interface: print the steps as plain lines")
	f.BoolVar(&opts.Accessible, "accessible", false, "for screen readers: linear lines, no redraws or spinners (also ACCESSIBLE=1)")
	f.BoolVarP(&opts.Yes, "yes", "y", false, "accept every offered repair and default choice")
	f.BoolVar(&opts.Headless, "headless", false, "use the device-code login (for SSH, containers, WSL)")
	f.BoolVar(&opts.Browser, "browser", false, "use the browser login even when this looks headless")
	f.StringVar(&opts.Model, "model", "", "model for the test run, alone (default: the one that passed last time, else a small current one; the next when OpenAI refuses it for the plan)")
	f.BoolVar(&opts.SkipTest, "skip-test", false, "do not run the test request")
	f.DurationVar(&opts.Timeout, "timeout", 0, "limit for each non-interactive OpenCode call (default: "+steps.DefaultTimeouts().String()+")")
	opencode.AddCommand(openai)
	connect.AddCommand(a.statusCmd(), opencode)
	return connect
}

func (a *app) runConnect(cmd *cobra.Command, opts connectOptions) error {
	ctx := cmd.Context()
	d := steps.NewDeps(a.sys)
	d.Timeouts = d.Timeouts.WithLimit(opts.Timeout)
	if err := guardRepo(a.sys, d.Paths); err != nil {
		return err
	}
	var (
		outcome steps.Outcome
		ok      bool
		err     error
	)
	copts := steps.ConnectOptions{Yes: opts.Yes, Headless: opts.Headless, Browser: opts.Browser, Model: opts.Model, SkipTest: opts.SkipTest}
	if a.plainMode(opts) {
		var res steps.ConnectResult
		res, err = runPlain(ctx, d, copts, a.typingIn(), a.io.ErrOut, a.io.Out)
		outcome, ok = res.Outcome, res.OK
	} else {
		var res wizard.Result
		res, err = wizard.Run(ctx, d, copts, wizard.IO{In: a.io.In, Out: a.io.Out})
		outcome, ok = res.Outcome, res.OK
		if err == nil && res.Cancelled {
			err = context.Canceled
		}
		// Print the summary again on the normal screen so it stays in scrollback.
		for _, l := range res.Summary {
			fmt.Fprintln(a.io.Out, l)
		}
	}
	if outcome.Result != "" {
		if serr := steps.SaveOutcome(d.Paths, outcome); serr != nil {
			fmt.Fprintln(a.io.ErrOut, "heidi: could not record the outcome:", serr)
		}
	}
	switch {
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		fmt.Fprintln(a.io.ErrOut, "heidi: cancelled")
		return exitError{ExitCancelled}
	case err != nil:
		return err
	case !ok:
		return exitError{ExitFailure}
	}
	return nil
}

// typingIn is stdin when it is a terminal someone types on, else nil.
func (a *app) typingIn() io.Reader {
	if in, ok := a.io.In.(interface{ Fd() uintptr }); ok && a.sys.IsTerminal(in.Fd()) {
		return a.io.In
	}
	return nil
}

// plainMode decides once, before any TUI starts: --plain, TERM=dumb,
// Windows, or stdin/stdout not a terminal.
func (a *app) plainMode(opts connectOptions) bool {
	// Accessible mode (ACCESSIBLE=1, as charm's huh reads it, or
	// --accessible): linear lines that a screen reader follows, no redraws,
	// no spinners, every state in words — plain mode.
	if opts.Plain || opts.Accessible || a.sys.Getenv("ACCESSIBLE") != "" || a.sys.Getenv("TERM") == "dumb" {
		return true
	}
	if a.sys.GOOS == "windows" {
		return true // no pty for the embedded terminal there; the login runs on the console
	}
	in, okIn := a.io.In.(interface{ Fd() uintptr })
	out, okOut := a.io.Out.(interface{ Fd() uintptr })
	return !okIn || !okOut || !a.sys.IsTerminal(in.Fd()) || !a.sys.IsTerminal(out.Fd())
}
