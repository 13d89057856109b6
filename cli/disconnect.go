package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/heidi-cli/heidi/steps"
)

// disconnectCmd is `heidi disconnect opencode openai`: the opposite of
// connect, as gh pairs auth login/logout and codex login/logout. It asks no
// confirmation (neither do gh auth logout nor codex logout): the store is
// backed up first, byte for byte, and the command says where.
func (a *app) disconnectCmd() *cobra.Command {
	disconnect := &cobra.Command{
		Use:   "disconnect",
		Short: "Remove a connection made with connect",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown tool %q: heidi disconnects opencode: heidi disconnect opencode openai", args[0])}
			}
			return cmd.Help()
		},
	}
	opencode := &cobra.Command{
		Use:   "opencode",
		Short: "Disconnect OpenCode from a provider",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown provider %q: heidi disconnects OpenCode from openai: heidi disconnect opencode openai", args[0])}
			}
			return cmd.Help()
		},
	}
	var timeout time.Duration
	openai := &cobra.Command{
		Use:   "openai",
		Short: "Remove OpenCode's OpenAI (ChatGPT Plus/Pro) login, after a backup",
		Long: `Removes the OpenAI credential from OpenCode's store, through OpenCode's own
'opencode auth logout openai' where the release has it, else by removing that
one entry. On OpenCode 2 it logs out each ChatGPT credential of its database by
id (API keys stay). A timestamped, byte-checked backup of the store comes
first; other providers stay. Log in again with: heidi connect opencode openai

Exit status: 0 disconnected (or nothing to remove), 1 it could not be done.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d := steps.NewDeps(a.sys)
			d.Timeouts = d.Timeouts.WithLimit(timeout)
			res, err := steps.Disconnect(cmd.Context(), d)
			w := a.io.Out
			if err != nil {
				if cmd.Context().Err() != nil {
					return exitError{ExitCancelled}
				}
				fmt.Fprintln(w, "Not disconnected: OpenCode → OpenAI (ChatGPT Plus/Pro)")
				fmt.Fprintln(w, "Reason: "+err.Error())
				if res.Backup != "" {
					fmt.Fprintln(w, "Backup: "+res.Backup)
				}
				return exitError{ExitFailure}
			}
			if !res.Removed {
				fmt.Fprintln(w, "Nothing to disconnect: OpenCode has no OpenAI credential")
			} else {
				fmt.Fprintln(w, "Disconnected: OpenCode → OpenAI (ChatGPT Plus/Pro)")
				fmt.Fprintln(w, "Backup: "+res.Backup)
				fmt.Fprintln(w, "Removed with: "+res.How)
				_ = steps.SaveOutcome(d.Paths, steps.Outcome{Time: d.Sys.Now(), Result: "DISCONNECTED"})
			}
			if len(res.Remaining) > 0 {
				fmt.Fprintln(w, "Still in "+res.Store+": "+strings.Join(res.Remaining, ", "))
			}
			for _, n := range res.Notes {
				fmt.Fprintln(w, "Note: "+n)
			}
			if res.Removed {
				fmt.Fprintln(w, "Connect again with: "+steps.ConnectCommand)
			}
			return nil
		},
	}
	openai.Flags().DurationVar(&timeout, "timeout", 0, "limit for each OpenCode call (default: "+steps.DefaultTimeouts().String()+")")
	opencode.AddCommand(openai)
	disconnect.AddCommand(opencode)
	return disconnect
}
