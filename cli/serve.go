package cli

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/heidi-cli/heidi/server"
	"github.com/heidi-cli/heidi/steps"
)

// DefaultServeAddr is where `heidi serve` listens unless --addr says otherwise.
const DefaultServeAddr = "127.0.0.1:7077"

func (a *app) serveCmd() *cobra.Command {
	var (
		addr        string
		open        bool
		allowRemote bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the Connections page and its API on localhost",
		Long: `Serves a local web page (and a small JSON API) to connect OpenCode to your
ChatGPT Plus/Pro subscription, verify the connection and run a test request.

It listens on the loopback address only, answers only requests addressed to
it (no DNS rebinding), and POST requests need the page's own token (no CSRF).
Ctrl+C stops it and ends any running test.

API:
  GET  /connect/opencode/openai/status   the same JSON as 'heidi connect status --json'
  POST /connect/opencode/openai/test     runs opencode run "say ok" with a model the plan has`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runServe(cmd, addr, open, allowRemote)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", DefaultServeAddr, "address to listen on (host:port; a loopback address unless --allow-remote)")
	f.BoolVar(&open, "open", false, "open the page in your browser")
	f.BoolVar(&allowRemote, "allow-remote", false, "allow a non-loopback --addr (anyone who can reach it can run test requests on your subscription)")
	return cmd
}

func (a *app) runServe(cmd *cobra.Command, addr string, open, allowRemote bool) error {
	ctx := cmd.Context()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError{fmt.Errorf("--addr %q: want host:port, e.g. %s", addr, DefaultServeAddr)}
	}
	loopback := isLoopbackHost(host)
	if !loopback && !allowRemote {
		return usageError{fmt.Errorf("refusing to listen on %s: not a loopback address (use 127.0.0.1, or add --allow-remote if you really mean it)", addr)}
	}
	if !loopback {
		fmt.Fprintf(a.io.ErrOut, "heidi serve: WARNING: listening on %s, not on loopback: anyone who can reach this address can see your connection status and run test requests on your subscription.\n", addr)
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err
		}
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	url := pageURL(ln.Addr().(*net.TCPAddr))

	var logMu sync.Mutex // handlers log concurrently
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(a.io.ErrOut, "heidi serve: "+format+"\n", args...)
	}
	deps := steps.NewDeps(a.sys)
	if err := guardRepo(a.sys, deps.Paths); err != nil {
		ln.Close()
		return err
	}
	srv := server.New(deps, server.Options{Logf: logf})
	fmt.Fprintf(a.io.Out, "heidi serve: listening on %s\n", url)
	logf("press Ctrl+C to stop")

	opened := make(chan struct{})
	if open {
		go func() {
			defer close(opened)
			if err := steps.OpenBrowser(ctx, a.sys, url); err != nil && ctx.Err() == nil {
				logf("could not open a browser (%v); open %s yourself", err, url)
			}
		}()
	} else {
		close(opened)
	}

	err = srv.Serve(ctx, ln)
	<-opened
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logf("stopped")
	return nil
}

// isLoopbackHost: localhost or a loopback IP literal.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// pageURL is the URL to print for a listener: the loopback address when it
// listens on every interface.
func pageURL(a *net.TCPAddr) string {
	ip := a.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), fmt.Sprint(a.Port)) + "/"
}
