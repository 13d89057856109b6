package e2e

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/heidi-cli/heidi/e2e/openaistandin"
)

// The wizard itself (in a pty, as a person runs it) against the real
// opencode and the OpenAI stand-in.

func standinWizard(t *testing.T, env *Env, cols, rows int) *Screen {
	return startScreen(t, env, cols, rows, connectArgv(t, "--timeout=4m")...)
}

// TestStandinWizardHeadless: SSH session → the guide → route 1; the
// stand-in's user code appears on heidi's screen; the real client finishes
// the login, the models and a PASS test run; then heidi serve's test
// endpoint passes too.
func TestStandinWizardHeadless(t *testing.T) {
	t.Parallel()
	heidi(t)
	realOpenCode(t)
	env, s := standinSetup(t, openaistandin.Options{PendingPolls: 1})
	standinLinkOpenCode(t, env)
	env.Set("SSH_CONNECTION", "10.0.0.5 50000 10.0.0.9 22")
	w := standinWizard(t, env, 100, 30)
	w.WaitFor(t, "5 Troubleshooting", standinLoginTimeout)
	w.Send("1")
	w.Send(keyEnter) // a digit selects; enter runs
	w.WaitFor(t, "Your one-time code", standinLoginTimeout)
	codes := s.UserCodes()
	if len(codes) != 1 {
		t.Fatalf("user codes %v", codes)
	}
	w.WaitFor(t, strings.Join(strings.Split(codes[0], ""), " "), standinLoginTimeout)
	w.WaitFor(t, "Test run: PASS", standinHeidiTimeout)
	if code := quitSummary(t, w); code != 0 {
		t.Fatalf("exit %d", code)
	}
	standinWantIssued(t, env, s)
	cleanAfter(t, env, w)

	p, url := browserServe(t, env)
	page := standinGet(t, url)
	m := regexp.MustCompile(`name="heidi-token" content="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no token in the page")
	}
	req, _ := http.NewRequest(http.MethodPost, url+"connect/opencode/openai/test", strings.NewReader("{}"))
	req.Header.Set("Origin", strings.TrimSuffix(url, "/"))
	req.Header.Set("X-Heidi-Token", m[1])
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !regexp.MustCompile(`"pass":\s*true`).Match(body) {
		t.Errorf("serve's test endpoint: %s %s", resp.Status, body)
	}
	assertNoCanary(t, env.Canary, string(body), page)
	p.Signal(syscall.SIGTERM)
	p.Wait(t, wzWait)
}

func standinGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// screenURL reads the authorization URL off heidi's screen: it starts after
// "Go to: " and is soft-wrapped over the following full-width lines.
func screenURL(screen string) string {
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		j := strings.Index(l, "Go to: https://auth.openai.com/oauth/authorize?")
		if j < 0 {
			continue
		}
		u := strings.TrimRight(l[j+len("Go to: "):], " ")
		for _, next := range lines[i+1:] {
			next = strings.TrimRight(next, " ")
			if next == "" || strings.HasPrefix(next, "│") || strings.Contains(next, " ") {
				break
			}
			u += next
		}
		return u
	}
	return ""
}

// TestStandinWizardBrowser: the test plays the browser with the URL it
// reads from the wizard's screen; the real client completes the login.
func TestStandinWizardBrowser(t *testing.T) {
	t.Parallel()
	heidi(t)
	realOpenCode(t)
	standinPort1455.Lock()
	defer standinPort1455.Unlock()
	env, s := standinSetup(t, openaistandin.Options{})
	standinLinkOpenCode(t, env)
	env.Set("DISPLAY", ":0").Set("BROWSER", "true")
	standinWaitPortFree(t, 1455, 60e9)
	w := standinWizard(t, env, 100, 30)
	w.WaitFor(t, "ctrl+o opens it", standinLoginTimeout)
	authURL := screenURL(w.Screen())
	if !strings.HasSuffix(authURL, "originator=opencode") {
		t.Fatalf("could not read the URL off the screen (%q):\n%s", authURL, w.Screen())
	}
	cb, err := s.Authorize(authURL)
	if err != nil {
		t.Fatalf("authorize %s: %v", authURL, err)
	}
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Get(cb)
	if err != nil {
		t.Fatalf("callback: %v", err)
	}
	resp.Body.Close()
	w.WaitFor(t, "Test run: PASS", standinHeidiTimeout)
	if code := quitSummary(t, w); code != 0 {
		t.Fatalf("exit %d", code)
	}
	out := afterExit(t, w)
	if !strings.Contains(out, "Connected: OpenCode → OpenAI (ChatGPT Plus/Pro)\nAuth file: "+env.AuthPath()+"\nModels: ") {
		t.Errorf("the summary was not printed again after exit:\n%s", out)
	}
	standinWantIssued(t, env, s)
	cleanAfter(t, env, w)
}

// TestStandinWizardRefreshReused: the stored login's refresh token was used
// elsewhere; the test run fails and the wizard says to log in again.
func TestStandinWizardRefreshReused(t *testing.T) {
	t.Parallel()
	heidi(t)
	realOpenCode(t)
	env, _ := standinSetup(t, openaistandin.Options{Faults: openaistandin.Faults{Refresh: openaistandin.RefreshReused}})
	standinLinkOpenCode(t, env)
	env.Set("DISPLAY", ":0")
	env.PlantAuth("expired")
	w := startScreen(t, env, 100, 30, connectArgv(t, "--timeout=4m", "--yes")...)
	w.WaitFor(t, "Test run: FAIL", standinHeidiTimeout)
	w.WaitFor(t, "Log in again in heidi", wzWait)
	if code := w.Wait(t, wzWait); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	cleanAfter(t, env, w)
}

// TestStandinServeConnectButton: the page's one button with the real
// opencode and the stand-in (issue 19): over SSH the page suggests the
// one-time code, shows it, the stand-in approves it, and the flow ends
// with the four summary lines, tested. Screenshots of each state go to
// e2e/artifacts.
func TestStandinServeConnectButton(t *testing.T) {
	chromium := browserChromium(t)
	heidi(t)
	realOpenCode(t)
	env, s := standinSetup(t, openaistandin.Options{PendingPolls: 2})
	standinLinkOpenCode(t, env)
	env.Set("SSH_CONNECTION", "10.0.0.5 50000 10.0.0.9 22")
	p, url := browserServe(t, env)
	defer func() { p.Signal(syscall.SIGTERM); p.Wait(t, wzWait) }()

	ctx, cancel := context.WithTimeout(context.Background(), standinHeidiTimeout)
	defer cancel()
	tab := browserStart(t, ctx, chromium)
	browserDo(t, tab, "open the page", chromedp.Navigate(url))
	browserPoll(t, tab, "the first status check", `document.getElementById('status').dataset.seq === '1'`, standinRunTimeout)
	browserScreenshot(t, tab, "standin-serve-1-before.png")
	if m := browserEval[string](t, tab, `document.querySelector('input[name="method"]:checked').value`); m != "headless" {
		t.Errorf("over SSH the page suggests %q", m)
	}
	browserDo(t, tab, "press Connect", chromedp.Click(chromedp.ID("connect-btn")))
	browserPoll(t, tab, "the device code", `!document.getElementById('login-code-box').hidden`, standinLoginTimeout)
	browserScreenshot(t, tab, "standin-serve-2-code.png")
	code := browserText(t, tab, "#login-code")
	if codes := s.UserCodes(); len(codes) != 1 || codes[0] != code {
		t.Errorf("the page shows %q, the stand-in issued %v", code, codes)
	}
	browserPoll(t, tab, "the summary", `document.getElementById('login-card').dataset.state !== 'running' && !document.getElementById('login-done').hidden`, standinHeidiTimeout)
	browserScreenshot(t, tab, "standin-serve-3-done.png")
	summary := browserText(t, tab, "#login-summary")
	if !strings.HasPrefix(summary, connectedLine) || !strings.Contains(summary, "Test run: PASS") {
		t.Fatalf("summary:\n%s\npage:\n%s", summary, browserPageText(tab))
	}
	standinWantIssued(t, env, s)
	assertNoCanary(t, env.Canary, browserPageText(tab))
}
