// Command fakebrowser stands in for a user's web browser when heidi honours
// $BROWSER: given an OpenAI authorize URL it "signs in" at once by calling
// the URL's redirect_uri with a code and the state, like the real page would
// after a successful ChatGPT login.
//
//	FAKE_BROWSER_LOG   append every URL received, one per line
//	FAKE_BROWSER=fail      exit 1 without doing anything (browser failed to open)
//	FAKE_BROWSER=badstate  send a wrong state (the CLI must abort: CSRF)
//	FAKE_BROWSER=ignore    record the URL, exit 0, never call back (user walked away)
//	FAKE_BROWSER_CODE      the code to send (default fake-code)
//
// It imports no heidi package.
package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: fakebrowser <url>")
		return 2
	}
	raw := args[len(args)-1]
	if p := os.Getenv("FAKE_BROWSER_LOG"); p != "" {
		if f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			fmt.Fprintln(f, raw)
			f.Close()
		}
	}
	mode := os.Getenv("FAKE_BROWSER")
	if mode == "fail" {
		fmt.Fprintln(os.Stderr, "fakebrowser: failed to open a browser window")
		return 1
	}
	u, err := url.Parse(raw)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakebrowser: bad url:", err)
		return 1
	}
	if u.Scheme != "https" || u.Host != "auth.openai.com" || u.Path != "/oauth/authorize" {
		// Some other page (docs, device page): a browser would just show it.
		return 0
	}
	if mode == "ignore" {
		return 0
	}
	q := u.Query()
	redirect, state := q.Get("redirect_uri"), q.Get("state")
	if redirect == "" {
		fmt.Fprintln(os.Stderr, "fakebrowser: no redirect_uri in the authorize URL")
		return 1
	}
	if mode == "badstate" {
		state = "wrong-" + state
	}
	code := os.Getenv("FAKE_BROWSER_CODE")
	if code == "" {
		code = "fake-code"
	}
	cb, err := url.Parse(redirect)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakebrowser: bad redirect_uri:", err)
		return 1
	}
	cq := cb.Query()
	cq.Set("code", code)
	cq.Set("state", state)
	cb.RawQuery = cq.Encode()

	client := &http.Client{Timeout: 5 * time.Second}
	// The CLI may still be starting its listener: retry briefly.
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := client.Get(cb.String())
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			title := ""
			if i := strings.Index(string(body), "<title>"); i >= 0 {
				rest := string(body)[i+7:]
				if j := strings.Index(rest, "</title>"); j >= 0 {
					title = rest[:j]
				}
			}
			fmt.Fprintf(os.Stderr, "fakebrowser: %d %s\n", resp.StatusCode, title)
			return 0
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "fakebrowser: callback failed:", err)
			return 1
		}
		time.Sleep(100 * time.Millisecond)
	}
}
