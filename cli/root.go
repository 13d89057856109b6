// Package cli is heidi's command tree (cobra). It parses flags, decides
// between the interactive wizard and plain output, and maps results to exit
// codes. All step logic lives in steps; all TUI code lives in wizard.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/heidi-cli/heidi/internal/version"
	"github.com/heidi-cli/heidi/probe"
)

// Exit codes, as documented in the README.
const (
	ExitOK        = 0   // success / connected
	ExitFailure   = 1   // failure / not connected
	ExitUsage     = 2   // usage error
	ExitCancelled = 130 // cancelled (Ctrl+C, SIGTERM, SIGHUP)
)

// exitError carries an exit code through cobra without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// usageError marks bad flags or arguments (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// IO is where a command reads and writes.
type IO struct {
	In          io.Reader
	Out, ErrOut io.Writer
}

// app is shared by all commands.
type app struct {
	io  IO
	sys probe.Sys
}

// Main runs heidi with args and returns the process exit code.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	return Run(ctx, args, IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}, probe.Default())
}

// Run is Main with its world passed in, for tests.
func Run(ctx context.Context, args []string, stdio IO, sys probe.Sys) int {
	a := &app{io: stdio, sys: sys}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.ErrOut)
	err := root.ExecuteContext(ctx)
	var ee exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stdio.ErrOut, "heidi: cancelled")
		return ExitCancelled
	default:
		fmt.Fprintln(stdio.ErrOut, "heidi:", err)
		var ue usageError
		if errors.As(err, &ue) || isCobraUsage(err) {
			fmt.Fprintln(stdio.ErrOut, "Run 'heidi --help' for usage.")
			return ExitUsage
		}
		return ExitFailure
	}
}

// isCobraUsage recognises cobra's own argument and flag errors, which it
// returns as plain errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument", "flag needs an argument", "accepts ", "requires at least", "requires at most", "bad flag syntax"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "heidi",
		Short: "Connect your ChatGPT Plus/Pro subscription to OpenCode and prove it works",
		Long: `heidi connects your existing ChatGPT Plus/Pro subscription to OpenCode through
OpenAI's official OAuth login (no API credits), then proves the connection works
by listing models and running a tiny request.

This is for personal development use with your own subscription. For production
or multi-user systems, use the OpenAI Platform API.`,
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("heidi {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(a.connectCmd(), a.disconnectCmd(), a.serveCmd())
	return root
}
