package e2e

// A real-browser test of `heidi serve`: the built heidi serves the page with
// the fake opencode on PATH, and Debian's chromium (HEIDI_CHROMIUM) clicks
// through it with chromedp. Screenshots go to e2e/artifacts/ (git-ignored).

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// browserChromium returns $HEIDI_CHROMIUM or skips, loudly.
func browserChromium(t *testing.T) string {
	t.Helper()
	p := os.Getenv("HEIDI_CHROMIUM")
	if p == "" {
		t.Skip("SKIPPED: the real-browser test of `heidi serve` needs HEIDI_CHROMIUM=/usr/bin/chromium " +
			"(scripts/test.sh installs Debian's chromium and sets it)")
	}
	if !fileExists(p) {
		t.Fatalf("HEIDI_CHROMIUM=%s does not exist", p)
	}
	return p
}

// browserLoopbackPort asks the kernel for a free port on 127.0.0.1.
func browserLoopbackPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// browserServe starts `heidi serve` on a free loopback port in env and waits
// for it to print its URL.
func browserServe(t *testing.T, env *Env) (*Proc, string) {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", browserLoopbackPort(t))
	p := startPlain(t, env, nil, heidi(t), "serve", "--addr", addr)
	url := "http://" + addr + "/"
	p.WaitOutput(t, "heidi serve: listening on "+url+"\n", 20*time.Second)
	return p, url
}

// browserStart launches chromium headless with a fresh profile and returns a
// tab context. Everything is bounded by the parent ctx.
func browserStart(t *testing.T, ctx context.Context, chromium string) context.Context {
	t.Helper()
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 1400),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
	)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return bctx
}

// browserDo runs actions and fails the test on error, saying which step.
func browserDo(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
}

func browserEval[T any](t *testing.T, ctx context.Context, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	return v
}

func browserText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return browserEval[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).innerText`, sel))
}

// browserPoll waits until the JavaScript condition is true in the page.
func browserPoll(t *testing.T, ctx context.Context, what, cond string, timeout time.Duration) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(timeout))); err != nil {
		t.Fatalf("browser: waiting for %s (%s): %v\npage text:\n%s", what, cond, err, browserPageText(ctx))
	}
}

func browserPageText(ctx context.Context) string {
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	return s
}

func browserScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browser: screenshot: %v", err)
	}
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join("artifacts", name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: e2e/%s", p)
}

// browserWaitFor polls a condition outside the browser (the /proc table,
// the fake's invocation log), with a deadline.
func browserWaitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond) // polling: there is no event to wait on
	}
}

func browserCount(lines []string, sub string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}

// browserStop sends SIGTERM and checks a prompt exit 0 with nothing left behind.
func browserStop(t *testing.T, env *Env, p *Proc) {
	t.Helper()
	start := time.Now()
	p.Signal(syscall.SIGTERM)
	code := p.Wait(t, 15*time.Second)
	if code != 0 {
		t.Fatalf("heidi serve exited %d after SIGTERM, want 0\nstderr:\n%s", code, p.Stderr())
	}
	t.Logf("heidi serve stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(p.Stderr(), "heidi serve: stopped") {
		t.Errorf("no 'stopped' line on stderr:\n%s", p.Stderr())
	}
	noProcessesLeft(t, env)
}

func TestBrowserServe(t *testing.T) {
	chromium := browserChromium(t)
	heidi(t)
	env := newEnv(t)
	env.PlantAuth("oauth")
	env.Set("FAKE_OPENCODE_RUN", "ok")
	p, url := browserServe(t, env)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := browserStart(t, ctx, chromium)

	browserDo(t, tab, "open the page", chromedp.Navigate(url))
	if title := browserEval[string](t, tab, `document.title`); !strings.Contains(title, "Connections → OpenAI (ChatGPT Plus/Pro)") {
		t.Errorf("title = %q", title)
	}
	if crumbs := browserText(t, tab, "nav.crumbs"); !strings.Contains(crumbs, "Connections") || !strings.Contains(crumbs, "OpenAI (ChatGPT Plus/Pro)") {
		t.Errorf("breadcrumb = %q", crumbs)
	}
	// The page checks the status once by itself on load.
	browserPoll(t, tab, "the first status check", `document.getElementById('status').dataset.seq === '1'`, 30*time.Second)

	// Verify, from the keyboard: focus the button and press Enter.
	before := browserCount(env.OpenCodeCalls(), `"models" "openai"`)
	browserDo(t, tab, "press Verify", chromedp.Focus(chromedp.ID("verify-btn")), chromedp.KeyEvent(kb.Enter))
	browserPoll(t, tab, "the Verify result", `document.getElementById('status').dataset.seq === '2'`, 30*time.Second)
	if after := browserCount(env.OpenCodeCalls(), `"models" "openai"`); after <= before {
		t.Errorf("Verify did not ask opencode again (models calls %d → %d)", before, after)
	}
	if got := browserText(t, tab, "#badge-text"); got != "Connected" {
		t.Errorf("badge = %q, want Connected\n%s", got, browserPageText(tab))
	}
	if got := browserText(t, tab, "#f-connected"); got != "Connected" {
		t.Errorf("connection = %q", got)
	}
	models := browserEval[[]string](t, tab, `[...document.querySelectorAll('#models li')].map(li => li.textContent)`)
	if len(models) != 19 || models[0] != "openai/gpt-5.3-codex-spark" {
		t.Errorf("models shown = %v, want the fake's 19 ChatGPT models", models)
	}
	if hi := browserEval[[]string](t, tab, `[...document.querySelectorAll('#models li.test-model')].map(li => li.textContent)`); len(hi) != 1 || hi[0] != "openai/gpt-5.4-mini" {
		t.Errorf("highlighted test model = %v, want openai/gpt-5.4-mini (not the Pro-only preview listed first)", hi)
	}
	if got := browserText(t, tab, "#f-auth"); got != env.AuthPath() {
		t.Errorf("auth file = %q, want %q", got, env.AuthPath())
	}

	// Test: record every state the result area goes through (the spinner is
	// shown synchronously on click), then wait for the outcome.
	browserEval[chromedp.Void](t, tab, `window.__states = [];
		new MutationObserver(() => window.__states.push(
			document.getElementById('test-result').dataset.state + ':' +
			document.getElementById('test-btn').getAttribute('aria-busy') + ':' +
			!document.getElementById('test-running').hidden)
		).observe(document.getElementById('test-result'), {attributes: true, attributeFilter: ['data-state']}); true`)
	browserDo(t, tab, "click Test", chromedp.Click(chromedp.ID("test-btn")))
	browserPoll(t, tab, "the test result", `document.getElementById('test-result').dataset.state === 'pass' || document.getElementById('test-result').dataset.state === 'fail'`, 60*time.Second)
	if got := browserText(t, tab, "#test-badge-text"); got != "PASS" {
		t.Fatalf("test badge = %q, want PASS\n%s", got, browserPageText(tab))
	}
	if states := browserEval[[]string](t, tab, `window.__states`); len(states) < 2 || states[0] != "running:true:true" {
		t.Errorf("the Test button showed no spinner while running: states %v", states)
	}
	if s := browserText(t, tab, "#test-summary"); !strings.Contains(s, "PASS") || !strings.Contains(s, "openai/gpt-5.4-mini") {
		t.Errorf("test summary = %q", s)
	}
	if s := browserText(t, tab, "#test-tail"); !strings.Contains(s, "ok") {
		t.Errorf("test output tail = %q", s)
	}
	if n := browserCount(env.OpenCodeCalls(), `"run" "say ok" "--model=openai/gpt-5.4-mini"`); n != 1 {
		t.Errorf("opencode run was called %d times, want 1:\n%s", n, strings.Join(env.OpenCodeCalls(), "\n"))
	}
	browserScreenshot(t, tab, "serve.png")

	// Connect: the modal lists the commands; the plugin step is hidden for 1.18.33.
	browserDo(t, tab, "open the terminal commands", chromedp.Click(chromedp.ID("terminal-btn")), chromedp.WaitVisible(chromedp.ID("connect-dialog")))
	dlg := browserText(t, tab, "#connect-dialog")
	for _, want := range []string{"opencode auth login", "opencode models openai", "heidi connect opencode openai"} {
		if !strings.Contains(dlg, want) {
			t.Errorf("Connect dialog lacks %q:\n%s", want, dlg)
		}
	}
	if strings.Contains(dlg, "opencode-openai-codex-auth") {
		t.Errorf("the plugin step is shown for OpenCode 1.18.33, which has the login built in:\n%s", dlg)
	}
	// Copy: grant clipboard access to this origin, click, read it back.
	origin := strings.TrimSuffix(url, "/")
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(tab, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: origin,
		}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
	if _, err := chromedp.Call(tab, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatalf("focus emulation: %v", err)
	}
	copyBtn := `#connect-dialog button.copy[data-copy="opencode auth login"]`
	browserDo(t, tab, "click Copy", chromedp.Click(chromedp.CSS(copyBtn)))
	browserPoll(t, tab, "the Copied feedback", fmt.Sprintf(`document.querySelector(%q).textContent === 'Copied'`, copyBtn), 10*time.Second)
	if clip := browserEval[string](t, tab, `navigator.clipboard.readText()`, chromedp.EvalAwaitPromise); clip != "opencode auth login" {
		t.Errorf("clipboard = %q, want %q", clip, "opencode auth login")
	}
	browserScreenshot(t, tab, "serve-connect.png")
	// Escape closes the dialog and gives the focus back to Connect.
	browserDo(t, tab, "press Escape", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.ID("connect-dialog")))
	if id := browserEval[string](t, tab, `document.activeElement.id`); id != "terminal-btn" {
		t.Errorf("focus after closing the dialog is on %q, want terminal-btn", id)
	}

	// Dark mode.
	if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
	}); err != nil {
		t.Fatalf("dark mode: %v", err)
	}
	if bg := browserEval[string](t, tab, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(14, 17, 22)" {
		t.Errorf("dark mode background = %q", bg)
	}
	browserScreenshot(t, tab, "serve-dark.png")

	html := browserEval[string](t, tab, `document.documentElement.outerHTML`)
	assertNoCanary(t, env.Canary, html, p.Stdout(), p.Stderr())
	if strings.Contains(html, "rt_") || strings.Contains(html, "eyJ") {
		t.Errorf("something token-like is on the page")
	}

	browserStop(t, env, p)
}

// An OpenCode older than 1.1.11 needs the plugin: the Connect dialog shows
// its npx command. And SIGTERM in the middle of a hanging test run ends the
// run's opencode child and heidi serve promptly, with exit 0.
func TestBrowserServeOldOpenCodeAndShutdown(t *testing.T) {
	chromium := browserChromium(t)
	heidi(t)
	env := newEnv(t)
	env.PlantAuth("oauth")
	env.Set("FAKE_OPENCODE_VERSION", "1.0.185")
	env.Set("FAKE_OPENCODE_RUN", "hang")
	p, url := browserServe(t, env)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tab := browserStart(t, ctx, chromium)
	browserDo(t, tab, "open the page", chromedp.Navigate(url))
	browserPoll(t, tab, "the first status check", `document.getElementById('status').dataset.seq === '1'`, 30*time.Second)

	browserDo(t, tab, "open the terminal commands", chromedp.Click(chromedp.ID("terminal-btn")), chromedp.WaitVisible(chromedp.ID("step-plugin")))
	if s := browserText(t, tab, "#step-plugin"); !strings.Contains(s, "npx -y opencode-openai-codex-auth@latest") || !strings.Contains(s, "1.0.185") {
		t.Errorf("plugin step = %q", s)
	}
	browserDo(t, tab, "close Connect", chromedp.Click(chromedp.ID("dlg-done")), chromedp.WaitNotVisible(chromedp.ID("connect-dialog")))

	browserDo(t, tab, "click Test", chromedp.Click(chromedp.ID("test-btn")), chromedp.WaitVisible(chromedp.ID("test-running")))
	browserWaitFor(t, "the test's `opencode run` to start", 30*time.Second, func() bool {
		for _, pr := range procsWithMarker(env.Marker) {
			if strings.Contains(pr.cmdline, "opencode run") {
				return true
			}
		}
		return false
	})
	browserStop(t, env, p)
	// The page got its answer before the server went away.
	browserPoll(t, tab, "the cancelled test result", `document.getElementById('test-result').dataset.state === 'fail'`, 10*time.Second)
	if s := browserText(t, tab, "#test-error"); !strings.Contains(s, "cancelled") {
		t.Errorf("test error after SIGTERM = %q", s)
	}
	assertNoCanary(t, env.Canary, browserPageText(tab), p.Stdout(), p.Stderr())
}

// TestBrowserServeCLI drives `heidi serve` without a browser (it runs without
// HEIDI_CHROMIUM): the --addr checks, --open, the API and its guards over real
// HTTP, and Ctrl+C.
func TestBrowserServeCLI(t *testing.T) {
	bin := heidi(t)

	t.Run("refuses a non-loopback address", func(t *testing.T) {
		env := newEnv(t)
		for _, addr := range []string{"0.0.0.0:7077", ":7077", "192.0.2.1:7077", "example.com:7077"} {
			_, errOut, code := runPlain(t, env, bin, "serve", "--addr", addr)
			if code != 2 || !strings.Contains(errOut, "not a loopback address") || !strings.Contains(errOut, "--allow-remote") {
				t.Errorf("--addr %s: rc %d, stderr %q; want rc 2 and the reason", addr, code, errOut)
			}
		}
		if _, errOut, code := runPlain(t, env, bin, "serve", "--addr", "nonsense"); code != 2 || !strings.Contains(errOut, "host:port") {
			t.Errorf("--addr nonsense: rc %d, stderr %q", code, errOut)
		}
	})

	t.Run("port in use", func(t *testing.T) {
		env := newEnv(t)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		_, errOut, code := runPlain(t, env, bin, "serve", "--addr", l.Addr().String())
		if code != 1 || !strings.Contains(errOut, "cannot listen on "+l.Addr().String()) {
			t.Errorf("busy port: rc %d, stderr %q; want rc 1", code, errOut)
		}
	})

	t.Run("allow-remote warns", func(t *testing.T) {
		env := newEnv(t)
		port := browserLoopbackPort(t)
		p := startPlain(t, env, nil, bin, "serve", "--addr", fmt.Sprintf("0.0.0.0:%d", port), "--allow-remote")
		p.WaitOutput(t, fmt.Sprintf("heidi serve: listening on http://127.0.0.1:%d/\n", port), 20*time.Second)
		// The warning goes to stderr before the line above goes to stdout,
		// but the two pipes are read apart: wait for it, do not peek.
		p.WaitOutput(t, "heidi serve: WARNING: listening on 0.0.0.0:", 5*time.Second)
		p.Signal(syscall.SIGINT)
		if code := p.Wait(t, 15*time.Second); code != 0 {
			t.Errorf("rc %d after SIGINT, want 0", code)
		}
	})

	t.Run("open, API and guards", func(t *testing.T) {
		env := newEnv(t)
		env.PlantAuth("oauth")
		env.Set("FAKE_OPENCODE_RUN", "leak") // hostile output: the API must redact it
		env.Set("BROWSER", fakeBrowser())
		addr := fmt.Sprintf("127.0.0.1:%d", browserLoopbackPort(t))
		url := "http://" + addr + "/"
		p := startPlain(t, env, nil, bin, "serve", "--addr", addr, "--open")
		p.WaitOutput(t, "heidi serve: listening on "+url+"\n", 20*time.Second)
		browserWaitFor(t, "--open to hand the URL to $BROWSER", 20*time.Second, func() bool {
			return browserCount(env.BrowserURLs(), url) > 0
		})

		client := &http.Client{Timeout: 30 * time.Second}
		var seen []string
		call := func(method, path, host string, hdr map[string]string) (int, string) {
			t.Helper()
			req, err := http.NewRequest(method, url+strings.TrimPrefix(path, "/"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if host != "" {
				req.Host = host
			}
			for k, v := range hdr {
				req.Header.Set(k, v)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if v := res.Header.Get("Access-Control-Allow-Origin"); v != "" {
				t.Errorf("%s %s: Access-Control-Allow-Origin %q", method, path, v)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("%s %s: CSP %q", method, path, csp)
			}
			seen = append(seen, string(b))
			return res.StatusCode, string(b)
		}

		code, body := call("GET", "/", "", nil)
		m := regexp.MustCompile(`<meta name="heidi-token" content="([0-9a-f]+)">`).FindStringSubmatch(body)
		if code != 200 || m == nil {
			t.Fatalf("page: %d, token found: %v", code, m != nil)
		}
		token := m[1]
		if code, body := call("GET", "/connect/opencode/openai/status", "", nil); code != 200 || !strings.Contains(body, `"connected": true`) {
			t.Errorf("status: %d %s", code, body)
		}
		if code, _ := call("GET", "/connect/opencode/openai/status", "rebind.example:"+strings.Split(addr, ":")[1], nil); code != 403 {
			t.Errorf("status with a foreign Host: %d, want 403", code)
		}
		origin := strings.TrimSuffix(url, "/")
		if code, _ := call("POST", "/connect/opencode/openai/test", "", map[string]string{"Origin": origin}); code != 403 {
			t.Errorf("test without the token: %d, want 403", code)
		}
		if code, _ := call("POST", "/connect/opencode/openai/test", "", map[string]string{"Origin": "http://evil.example", "X-Heidi-Token": token}); code != 403 {
			t.Errorf("test from another origin: %d, want 403", code)
		}
		if n := browserCount(env.OpenCodeCalls(), `"run"`); n != 0 {
			t.Errorf("refused requests ran opencode run %d times", n)
		}
		code, body = call("POST", "/connect/opencode/openai/test", "", map[string]string{"Origin": origin, "X-Heidi-Token": token})
		if code != 200 || !strings.Contains(body, `"pass": true`) || !strings.Contains(body, "[redacted]") {
			t.Errorf("test run with leaking output: %d %s", code, body)
		}
		assertNoCanary(t, env.Canary, append(seen, p.Stdout(), p.Stderr())...)

		p.Signal(syscall.SIGINT)
		if code := p.Wait(t, 15*time.Second); code != 0 {
			t.Errorf("rc %d after SIGINT, want 0\n%s", code, p.Stderr())
		}
		noProcessesLeft(t, env)
		assertNoCanaryInDir(t, env.Canary, env.HeidiHome)
	})
}

// TestBrowserServeConnectButton: the one button (issue 19). A person who
// only opens the page connects with a one-time code (the headless route,
// the default over SSH) and then with the browser route, each to the
// four summary lines, verified and tested by the flow itself.
func TestBrowserServeConnectButton(t *testing.T) {
	chromium := browserChromium(t)
	heidi(t)
	env, approve := headlessEnv(t)
	env.Set("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22") // the page suggests the code
	p, url := browserServe(t, env)
	defer browserStop(t, env, p)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab := browserStart(t, ctx, chromium)
	browserDo(t, tab, "open the page", chromedp.Navigate(url))
	browserPoll(t, tab, "the first status check", `document.getElementById('status').dataset.seq === '1'`, 30*time.Second)
	if m := browserEval[string](t, tab, `document.querySelector('input[name="method"]:checked').value`); m != "headless" {
		t.Errorf("over SSH the page suggests %q, want headless", m)
	}
	if why := browserText(t, tab, "#method-why"); !strings.Contains(why, "headless session") {
		t.Errorf("the page does not say why it suggests the code: %q", why)
	}
	if label := browserText(t, tab, "#connect-btn"); label != "Connect OpenAI (ChatGPT Plus/Pro)" {
		t.Errorf("the button says %q", label)
	}
	browserDo(t, tab, "press Connect", chromedp.Focus(chromedp.ID("connect-btn")), chromedp.KeyEvent(kb.Enter))
	browserPoll(t, tab, "the device code", `!document.getElementById('login-code-box').hidden && /^[A-Z]{4}-\d{4}$/.test(document.getElementById('login-code').textContent)`, wzWait)
	code := browserText(t, tab, "#login-code")
	if w := browserEval[int](t, tab, `(() => { const q = document.getElementById('login-qr'); return q.hidden ? 0 : q.naturalWidth; })()`); w < 100 {
		t.Errorf("the QR code of the verification page is not shown (natural width %d)", w)
	}
	if link := browserEval[string](t, tab, `document.getElementById('login-verify').href`); link != "https://auth.openai.com/codex/device" {
		t.Errorf("verification link %q", link)
	}
	browserScreenshot(t, tab, "serve-connect-code.png")
	approveDevice(t, approve)
	browserPoll(t, tab, "the summary", `document.getElementById('login-card').dataset.state === 'ok'`, wzWait)
	summary := browserText(t, tab, "#login-summary")
	if summary != summaryOK(env) {
		t.Errorf("summary on the page:\n%s\nwant:\n%s", summary, summaryOK(env))
	}
	browserPoll(t, tab, "the status after the login", `document.getElementById('badge-text').textContent === 'Connected'`, 30*time.Second)
	browserScreenshot(t, tab, "serve-connect-done.png")
	assertNoCanary(t, env.Canary, browserPageText(tab), code)

	// Pressed again on a connected machine, it keeps the login and tests.
	browserDo(t, tab, "press Connect again", chromedp.Click(chromedp.ID("connect-btn")))
	browserPoll(t, tab, "the re-run", `document.getElementById('login-card').dataset.state === 'ok' && document.getElementById('login-steps').textContent.includes('kept the existing ChatGPT login')`, wzWait)

	// The browser route, on a desktop with no login yet: the page links the
	// authorization URL; following it (here: calling OpenCode's callback as
	// the browser would after the sign-in) ends the login.
	env = desktopEnv(t)
	p2, url2 := browserServe(t, env)
	defer browserStop(t, env, p2)
	browserDo(t, tab, "open the second page", chromedp.Navigate(url2))
	browserPoll(t, tab, "its status check", `document.getElementById('status').dataset.seq === '1'`, 30*time.Second)
	if m := browserEval[string](t, tab, `document.querySelector('input[name="method"]:checked').value`); m != "browser" {
		t.Errorf("on a desktop the page suggests %q, want browser", m)
	}
	browserDo(t, tab, "press Connect", chromedp.Click(chromedp.ID("connect-btn")))
	browserPoll(t, tab, "the sign-in link", `!document.getElementById('login-url-box').hidden`, wzWait)
	href := browserEval[string](t, tab, `document.getElementById('login-url').href`)
	if target := browserEval[string](t, tab, `document.getElementById('login-url').target`); target != "_blank" {
		t.Errorf("the sign-in link opens in %q, want a new tab", target)
	}
	browserScreenshot(t, tab, "serve-connect-browser.png")
	au, err := neturl.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(au.Query().Get("redirect_uri") + "?code=ac_x&state=" + au.Query().Get("state"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	browserPoll(t, tab, "the second summary", `document.getElementById('login-card').dataset.state === 'ok' && document.getElementById('login-url-box').hidden`, wzWait)
	if s := browserText(t, tab, "#login-summary"); s != summaryOK(env) {
		t.Errorf("browser route summary:\n%s", s)
	}
	assertNoCanary(t, env.Canary, browserPageText(tab))
}
