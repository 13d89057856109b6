package e2e

// The one-button connect of `heidi serve` (issue 19): POST …/login starts
// the connect flow with OpenCode's login on this machine, GET …/events
// streams it, DELETE cancels. Against the fake opencode; the page itself
// is driven in chromium by TestBrowserServeConnectButton.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const loginAPI = "/connect/opencode/openai/login"

type serveClient struct {
	t      *testing.T
	base   string // http://127.0.0.1:port
	token  string
	client *http.Client
}

func newServeClient(t *testing.T, env *Env) (*serveClient, *Proc) {
	t.Helper()
	p, url := browserServe(t, env)
	c := &serveClient{t: t, base: strings.TrimSuffix(url, "/"), client: &http.Client{Timeout: 60 * time.Second}}
	res, err := c.client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`<meta name="heidi-token" content="([0-9a-f]+)">`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no token on the page")
	}
	c.token = string(m[1])
	return c, p
}

// do sends a request as the page does (same origin, the token) unless hdr
// says otherwise.
func (c *serveClient) do(method, path, body string, hdr map[string]string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Origin", c.base)
	req.Header.Set("X-Heidi-Token", c.token)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := c.client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

type loginEvent struct {
	Type    string   `json:"type"`
	Step    string   `json:"step"`
	Status  string   `json:"status"`
	Text    string   `json:"text"`
	URL     string   `json:"url"`
	Code    string   `json:"code"`
	QR      string   `json:"qr"`
	OK      bool     `json:"ok"`
	Result  string   `json:"result"`
	Summary []string `json:"summary"`
}

// eventStream reads the login's server-sent events; raw keeps every byte
// for the canary sweep.
type eventStream struct {
	mu     sync.Mutex
	events []loginEvent
	raw    strings.Builder
	more   chan struct{}
	ended  chan struct{}
	cancel context.CancelFunc
}

func (c *serveClient) events() *eventStream {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+loginAPI+"/events", nil)
	res, err := (&http.Client{}).Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || ct != "text/event-stream" {
		c.t.Fatalf("events: %d %s", res.StatusCode, ct)
	}
	s := &eventStream{more: make(chan struct{}, 1), ended: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(s.ended)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.raw.WriteString(line + "\n")
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var e loginEvent
				if json.Unmarshal([]byte(data), &e) == nil {
					s.events = append(s.events, e)
				}
			}
			s.mu.Unlock()
			select {
			case s.more <- struct{}{}:
			default:
			}
		}
	}()
	return s
}

// wait returns the first event of type typ, waiting for it.
func (s *eventStream) wait(t *testing.T, typ string, timeout time.Duration) loginEvent {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for _, e := range s.events {
			if e.Type == typ {
				s.mu.Unlock()
				return e
			}
		}
		s.mu.Unlock()
		select {
		case <-s.more:
		case <-s.ended:
			s.mu.Lock()
			raw := s.raw.String()
			s.mu.Unlock()
			for _, e := range s.all() {
				if e.Type == typ {
					return e
				}
			}
			t.Fatalf("the event stream ended without a %q event:\n%s", typ, raw)
		case <-deadline.C:
			t.Fatalf("no %q event within %s:\n%s", typ, timeout, s.text())
		}
	}
}

func (s *eventStream) all() []loginEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]loginEvent(nil), s.events...)
}

func (s *eventStream) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.String()
}

func TestServeLoginHeadless(t *testing.T) {
	t.Parallel()
	env, approve := headlessEnv(t)
	c, p := newServeClient(t, env)
	defer browserStop(t, env, p)
	if code, body := c.do("POST", loginAPI, `{"method":"headless"}`, nil); code != 202 {
		t.Fatalf("POST login: %d %s", code, body)
	}
	ev := c.events()
	code := ev.wait(t, "code", wzWait)
	if !regexp.MustCompile(`^[A-Z]{4}-\d{4}$`).MatchString(code.Code) || code.URL != "https://auth.openai.com/codex/device" {
		t.Fatalf("code event %+v", code)
	}
	if !strings.HasPrefix(code.QR, "data:image/png;base64,iVBOR") { // a PNG's signature, base64
		t.Errorf("no QR code of the verification page: %.60q", code.QR)
	}
	approveDevice(t, approve)
	done := ev.wait(t, "done", wzWait)
	if !done.OK || done.Result != "PASS" || strings.Join(done.Summary, "\n") != summaryOK(env) {
		t.Fatalf("done %+v\nwant:\n%s\n%s", done, summaryOK(env), ev.text())
	}
	<-ev.ended // the stream ends with the login
	wantOAuthStored(t, env)
	wantOutcome(t, env, "PASS", "")
	assertNoCanary(t, env.Canary, ev.text())
	// A page that opens later gets the whole story again.
	again := c.events()
	<-again.ended
	if again.text() != ev.text() {
		t.Error("a late page does not get the same events")
	}
}

func TestServeLoginBrowser(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	c, p := newServeClient(t, env)
	defer browserStop(t, env, p)
	if code, body := c.do("POST", loginAPI, `{"method":"browser"}`, nil); code != 202 {
		t.Fatalf("POST login: %d %s", code, body)
	}
	ev := c.events()
	u := ev.wait(t, "url", wzWait)
	// The second login is refused while this one waits.
	if code, body := c.do("POST", loginAPI, `{"method":"headless"}`, nil); code != 409 || !strings.Contains(body, "already in progress") {
		t.Errorf("a second login: %d %s, want 409", code, body)
	}
	// What the browser does after the user signs in: OpenAI redirects it to
	// OpenCode's callback with a code and the state.
	au, err := neturl.Parse(u.URL)
	if err != nil || au.Host != "auth.openai.com" {
		t.Fatalf("url event %q", u.URL)
	}
	cb := au.Query().Get("redirect_uri") + "?code=ac_" + randHex(8) + "&state=" + neturl.QueryEscape(au.Query().Get("state"))
	res, err := http.Get(cb)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	done := ev.wait(t, "done", wzWait)
	if !done.OK || strings.Join(done.Summary, "\n") != summaryOK(env) {
		t.Fatalf("done %+v\n%s", done, ev.text())
	}
	if len(env.BrowserURLs()) != 0 {
		t.Error("the server opened a browser: the page opens the URL on a click")
	}
	assertNoCanary(t, env.Canary, ev.text())
}

func TestServeLoginCancelAndGuards(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	c, p := newServeClient(t, env)
	defer browserStop(t, env, p)
	for _, bad := range []struct {
		name string
		hdr  map[string]string
	}{
		{"without the token", map[string]string{"X-Heidi-Token": ""}},
		{"cross-origin", map[string]string{"Origin": "http://evil.example"}},
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
	} {
		if code, _ := c.do("POST", loginAPI, `{"method":"browser"}`, bad.hdr); code != 403 {
			t.Errorf("POST %s: %d, want 403", bad.name, code)
		}
	}
	if code, _ := c.do("POST", loginAPI, `{"method":"telepathy"}`, nil); code != 400 {
		t.Errorf("an unknown method: %d, want 400", code)
	}
	if code, _ := c.do("DELETE", loginAPI, "", nil); code != 404 {
		t.Errorf("DELETE with no login: %d, want 404", code)
	}
	if code, body := c.do("POST", loginAPI, `{"method":"browser"}`, nil); code != 202 {
		t.Fatalf("POST login: %d %s", code, body)
	}
	ev := c.events()
	ev.wait(t, "url", wzWait)
	if code, _ := c.do("DELETE", loginAPI, "", map[string]string{"X-Heidi-Token": ""}); code != 403 {
		t.Errorf("DELETE without the token: %d, want 403", code)
	}
	if code, body := c.do("DELETE", loginAPI, "", nil); code != 200 {
		t.Fatalf("DELETE: %d %s", code, body)
	}
	done := ev.wait(t, "done", wzWait)
	if done.OK || done.Result != "CANCELLED" {
		t.Errorf("after cancel: %+v", done)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err := netListen(env.Port)
		if err == nil {
			l.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the login's port %d is still held after the cancel", env.Port)
		}
		time.Sleep(50 * time.Millisecond) // polls the port the child held
	}
	wantOutcome(t, env, "CANCELLED", "Login")
	fmt.Fprint(io.Discard, ev.text())
}
