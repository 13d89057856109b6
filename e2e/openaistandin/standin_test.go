package openaistandin

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T, o Options) *Server {
	t.Helper()
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Close()
		if t.Failed() {
			for _, r := range s.Requests() {
				t.Log(r.String())
			}
		}
	})
	return s
}

func postJSON(t *testing.T, c *http.Client, u string, body any) (*http.Response, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := c.Post(u, "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	return resp, readJSON(t, resp)
}

func postForm(t *testing.T, c *http.Client, u string, v url.Values) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	return resp, readJSON(t, resp)
}

func readJSON(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: body is not JSON: %q", resp.Request.URL, b)
	}
	return m
}

// dig walks nested maps: dig(m, "error", "code").
func dig(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

const auth = "https://" + AuthHost

func TestProxyTLSAndRefusal(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	c := s.Client()

	// An OpenAI host: CONNECT, then TLS with a leaf for that host signed by
	// the generated CA.
	resp, err := c.Get(auth + PathDevicePage)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("device page: %v tls=%v", resp.Status, resp.TLS != nil)
	}
	leaf := resp.TLS.PeerCertificates[0]
	if err := leaf.VerifyHostname(AuthHost); err != nil {
		t.Error(err)
	}
	if resp.TLS.NegotiatedProtocol == "h2" {
		t.Error("negotiated h2; the stand-in speaks HTTP/1.1 only")
	}
	// The same CA from CAPEM verifies it; the system roots do not.
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CAPEM()) {
		t.Fatal("CAPEM is not a PEM certificate")
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: AuthHost}); err != nil {
		t.Errorf("leaf does not verify against the CA: %v", err)
	}
	proxy, _ := url.Parse(s.ProxyURL())
	untrusting := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}}
	if _, err := untrusting.Get("https://" + ChatGPTHost + "/"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client without the CA: got %v, want a certificate error", err)
	}

	// Any other host: CONNECT answered 502 at once.
	_, err = c.Get("https://models.opencode.ai/api.json")
	if err == nil || !strings.Contains(err.Error(), "Bad Gateway") {
		t.Errorf("other host over CONNECT: got %v, want Bad Gateway", err)
	}
	// A plain-HTTP proxy request too.
	resp, err = c.Get("http://registry.npmjs.org/opencode-ai")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("plain HTTP through the proxy: %v, want 502", resp.Status)
	}
	// Unknown paths on the fake hosts are 404s.
	resp, err = c.Get("https://" + ChatGPTHost + "/backend-api/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown path: %v", resp.Status)
	}

	want := []string{
		"CONNECT auth.openai.com → 200",
		"GET auth.openai.com/codex/device → 200",
		"CONNECT chatgpt.com → 200",
		"CONNECT models.opencode.ai → 502",
		"GET registry.npmjs.org/opencode-ai → 502",
		"GET chatgpt.com/backend-api/nothing → 404",
	}
	var got []string
	for _, r := range s.Requests() {
		got = append(got, r.String())
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("request %q not recorded; got %q", w, got)
		}
	}
	if n := s.Count(AuthHost, PathDevicePage); n != 1 {
		t.Errorf("Count(device page) = %d", n)
	}
}

func TestEnv(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	env := map[string]string{}
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		if env[k] != s.ProxyURL() {
			t.Errorf("%s=%q, want %q", k, env[k], s.ProxyURL())
		}
	}
	if !strings.HasPrefix(s.ProxyURL(), "http://127.0.0.1:") {
		t.Errorf("proxy not on loopback: %s", s.ProxyURL())
	}
	if !strings.Contains(env["NO_PROXY"], "localhost") || !strings.Contains(env["NO_PROXY"], "127.0.0.1") {
		t.Errorf("NO_PROXY=%q must keep the localhost:1455 callback direct", env["NO_PROXY"])
	}
	if env["NODE_EXTRA_CA_CERTS"] != s.CAFile() || env["CODEX_CA_CERTIFICATE"] != s.CAFile() {
		t.Errorf("CA variables: %v", env)
	}
}

func TestDeviceFlow(t *testing.T) {
	t.Parallel()
	s := start(t, Options{PendingPolls: 2, Canary: "CANARYunit1", AccountID: "acct-unit"})
	c := s.Client()

	resp, uc := postJSON(t, c, auth+PathUserCode, map[string]string{"client_id": ClientID})
	if resp.StatusCode != 200 {
		t.Fatalf("usercode: %v %v", resp.Status, uc)
	}
	code, _ := uc["user_code"].(string)
	id, _ := uc["device_auth_id"].(string)
	if !regexp.MustCompile(`^[A-Z]{4}-[0-9]{4}$`).MatchString(code) || id == "" {
		t.Fatalf("usercode answer: %v", uc)
	}
	if uc["interval"] != "1" { // a string, as on the real server
		t.Errorf("interval = %#v, want \"1\"", uc["interval"])
	}
	if got := s.UserCodes(); len(got) != 1 || got[0] != code {
		t.Errorf("UserCodes = %v", got)
	}
	// Another login gets another code.
	if _, uc2 := postJSON(t, c, auth+PathUserCode, map[string]string{"client_id": ClientID}); uc2["user_code"] == code {
		t.Error("user code is not random per request")
	}

	poll := map[string]string{"device_auth_id": id, "user_code": code}
	for i := 0; i < 2; i++ {
		resp, m := postJSON(t, c, auth+PathDeviceToken, poll)
		if resp.StatusCode != 403 || dig(m, "error", "code") != "deviceauth_authorization_pending" {
			t.Fatalf("poll %d: %v %v, want 403 pending", i, resp.Status, m)
		}
	}
	resp, m := postJSON(t, c, auth+PathDeviceToken, poll)
	if resp.StatusCode != 200 {
		t.Fatalf("poll 3: %v %v", resp.Status, m)
	}
	ac, _ := m["authorization_code"].(string)
	verifier, _ := m["code_verifier"].(string)
	if ac == "" || verifier == "" || m["code_challenge"] != s256(verifier) {
		t.Fatalf("code answer: %v", m)
	}
	if resp, m := postJSON(t, c, auth+PathDeviceToken, map[string]string{"device_auth_id": id, "user_code": "WRNG-0000"}); resp.StatusCode != 400 {
		t.Errorf("poll with the wrong user code: %v %v", resp.Status, m)
	}

	exchange := url.Values{"grant_type": {"authorization_code"}, "code": {ac}, "redirect_uri": {deviceRedirectURI}, "client_id": {ClientID}, "code_verifier": {"wrong"}}
	if resp, m := postForm(t, c, auth+PathToken, exchange); resp.StatusCode != 400 || m["error"] != "invalid_grant" {
		t.Errorf("wrong verifier: %v %v", resp.Status, m)
	}
	// a failed exchange burns the code, as a real server does
	exchange.Set("code_verifier", verifier)
	if resp, m := postForm(t, c, auth+PathToken, exchange); resp.StatusCode != 400 || m["error"] != "invalid_grant" {
		t.Errorf("reused code: %v %v", resp.Status, m)
	}

	// A fresh device login, exchanged properly.
	_, uc = postJSON(t, c, auth+PathUserCode, map[string]string{"client_id": ClientID})
	poll = map[string]string{"device_auth_id": uc["device_auth_id"].(string), "user_code": uc["user_code"].(string)}
	var last map[string]any
	for i := 0; i < 3; i++ {
		_, last = postJSON(t, c, auth+PathDeviceToken, poll)
	}
	exchange = url.Values{"grant_type": {"authorization_code"}, "code": {last["authorization_code"].(string)}, "redirect_uri": {deviceRedirectURI},
		"client_id": {ClientID}, "code_verifier": {last["code_verifier"].(string)}}
	resp, tok := postForm(t, c, auth+PathToken, exchange)
	if resp.StatusCode != 200 {
		t.Fatalf("exchange: %v %v", resp.Status, tok)
	}
	checkTokens(t, tok, "CANARYunit1", "acct-unit")

	var grants []string
	for _, r := range s.Requests() {
		if r.Path == PathToken {
			grants = append(grants, r.Grant)
		}
	}
	if strings.Join(grants, ",") != "authorization_code,authorization_code,authorization_code" {
		t.Errorf("recorded grants %v", grants)
	}
}

// checkTokens checks a token answer: JWTs carrying the account and the
// canary, a refresh token carrying the canary, an expires_in.
func checkTokens(t *testing.T, tok map[string]any, canary, account string) {
	t.Helper()
	for _, k := range []string{"id_token", "access_token"} {
		s, _ := tok[k].(string)
		cl := jwtClaims(s)
		if cl == nil {
			t.Errorf("%s is not a JWT: %q", k, s)
			continue
		}
		if dig(cl, "https://api.openai.com/auth", "chatgpt_account_id") != account {
			t.Errorf("%s: account claim %v", k, cl["https://api.openai.com/auth"])
		}
		if cl["standin_canary"] != canary {
			t.Errorf("%s does not carry the canary", k)
		}
		if exp, _ := cl["exp"].(float64); time.Unix(int64(exp), 0).Before(time.Now()) {
			t.Errorf("%s: exp %v is not in the future", k, cl["exp"])
		}
	}
	if rt, _ := tok["refresh_token"].(string); !strings.Contains(rt, canary) {
		t.Errorf("refresh token %q does not carry the canary", rt)
	}
	if tok["expires_in"] != float64(3600) {
		t.Errorf("expires_in = %v", tok["expires_in"])
	}
}

func TestBrowserAuthorize(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Canary: "CANARYunit2"})
	c := s.Client()
	verifier := randToken(40)
	q := url.Values{
		"response_type": {"code"}, "client_id": {ClientID}, "redirect_uri": {"http://localhost:1455/auth/callback"},
		"scope": {"openid profile email offline_access"}, "code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"},
		"state": {"st4te"}, "originator": {"opencode"},
	}
	cb, err := s.Authorize(auth + PathAuthorize + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(cb)
	if err != nil || u.Host != "localhost:1455" || u.Path != "/auth/callback" || u.Query().Get("state") != "st4te" || u.Query().Get("code") == "" {
		t.Fatalf("callback URL %q", cb)
	}
	if _, err := s.Authorize("https://example.com/oauth/authorize"); err == nil {
		t.Error("Authorize accepted a foreign URL")
	}
	bad := url.Values{}
	for k, v := range q {
		bad[k] = v
	}
	bad.Del("code_challenge")
	if _, err := s.Authorize(auth + PathAuthorize + "?" + bad.Encode()); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("authorize without PKCE: %v", err)
	}

	exchange := url.Values{"grant_type": {"authorization_code"}, "code": {u.Query().Get("code")}, "redirect_uri": {"http://localhost:1455/auth/callback"},
		"client_id": {ClientID}, "code_verifier": {verifier}}
	resp, tok := postForm(t, c, auth+PathToken, exchange)
	if resp.StatusCode != 200 {
		t.Fatalf("exchange: %v %v", resp.Status, tok)
	}
	checkTokens(t, tok, "CANARYunit2", "acct-standin-0001")

	// PKCE is checked: another code with a wrong verifier fails.
	cb, _ = s.Authorize(auth + PathAuthorize + "?" + q.Encode())
	u, _ = url.Parse(cb)
	exchange.Set("code", u.Query().Get("code"))
	exchange.Set("code_verifier", randToken(40))
	if resp, m := postForm(t, c, auth+PathToken, exchange); resp.StatusCode != 400 || m["error"] != "invalid_grant" {
		t.Errorf("wrong verifier: %v %v", resp.Status, m)
	}
	// client_id is checked
	exchange.Set("client_id", "someone-else")
	if resp, _ := postForm(t, c, auth+PathToken, exchange); resp.StatusCode != 401 {
		t.Errorf("foreign client_id: %v", resp.Status)
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Canary: "CANARYunit3"})
	c := s.Client()
	refresh := func(rt string, asJSON bool) (*http.Response, map[string]any) {
		if asJSON { // codex refreshes with a JSON body
			return postJSON(t, c, auth+PathToken, map[string]string{"grant_type": "refresh_token", "refresh_token": rt, "client_id": ClientID, "scope": "openid profile email"})
		}
		return postForm(t, c, auth+PathToken, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {ClientID}})
	}
	resp, tok := refresh("rt_from_elsewhere", false)
	if resp.StatusCode != 200 {
		t.Fatalf("refresh: %v %v", resp.Status, tok)
	}
	checkTokens(t, tok, "CANARYunit3", "acct-standin-0001")
	rt2 := tok["refresh_token"].(string)
	if resp, tok := refresh(rt2, true); resp.StatusCode != 200 || tok["refresh_token"] == rt2 {
		t.Errorf("JSON refresh: %v, rotated=%v", resp.Status, tok["refresh_token"] != rt2)
	}
	// rotation: the first token was used
	resp, m := refresh("rt_from_elsewhere", false)
	if resp.StatusCode != 401 || dig(m, "error", "code") != "refresh_token_reused" || !strings.Contains(dig(m, "error", "message").(string), "already been used") {
		t.Errorf("reuse: %v %v", resp.Status, m)
	}

	for _, c := range []struct {
		f      RefreshFault
		status int
		check  func(map[string]any) bool
	}{
		{RefreshReused, 401, func(m map[string]any) bool { return dig(m, "error", "code") == "refresh_token_reused" }},
		{RefreshExpired, 401, func(m map[string]any) bool { return dig(m, "error", "code") == "refresh_token_expired" }},
		{RefreshInvalidGrant, 400, func(m map[string]any) bool { return m["error"] == "invalid_grant" }},
	} {
		s.SetFaults(Faults{Refresh: c.f})
		resp, m := refresh("rt_fresh_"+randToken(4), false)
		if resp.StatusCode != c.status || !c.check(m) {
			t.Errorf("fault %d: %v %v", c.f, resp.Status, m)
		}
	}
	// a failed refresh did not burn the token: it works once the fault is gone
	s.SetFaults(Faults{})
	if resp, _ := refresh("rt_kept", false); resp.StatusCode != 200 {
		t.Errorf("after clearing the fault: %v", resp.Status)
	}
}

func TestDeviceFaults(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Faults: Faults{DeviceCodeDisabled: true}})
	c := s.Client()
	resp, m := postJSON(t, c, auth+PathUserCode, map[string]string{"client_id": ClientID})
	if resp.StatusCode != 404 || !strings.Contains(dig(m, "error", "message").(string), "workspace admin to enable device code authentication") {
		t.Errorf("disabled: %v %v", resp.Status, m)
	}
	s.SetFaults(Faults{DeviceDenied: true})
	_, uc := postJSON(t, c, auth+PathUserCode, map[string]string{"client_id": ClientID})
	resp, m = postJSON(t, c, auth+PathDeviceToken, map[string]string{"device_auth_id": uc["device_auth_id"].(string), "user_code": uc["user_code"].(string)})
	if resp.StatusCode != 400 || dig(m, "error", "code") != "access_denied" {
		t.Errorf("denied: %v %v", resp.Status, m)
	}
}

// sseEvent is one parsed server-sent event.
type sseEvent struct {
	name string
	data map[string]any
}

func readSSE(t *testing.T, r io.Reader) []sseEvent {
	t.Helper()
	var out []sseEvent
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var name, data string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if data != "" {
				var m map[string]any
				if err := json.Unmarshal([]byte(data), &m); err != nil {
					t.Fatalf("event %s: data is not JSON: %q", name, data)
				}
				out = append(out, sseEvent{name, m})
			}
			name, data = "", ""
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data += strings.TrimPrefix(line, "data: ")
		}
	}
	return out
}

func accessToken(t *testing.T, s *Server) string {
	t.Helper()
	tok := s.issueTokens()
	return tok["access_token"].(string)
}

func responsesRequest(t *testing.T, ctx context.Context, s *Server, bearer string, body string) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+ChatGPTHost+PathResponses, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	req.Header.Set("ChatGPT-Account-Id", s.AccountID())
	return s.Client().Do(req)
}

const okBody = `{"model":"gpt-5.4-mini","stream":true,"store":false,"instructions":"x","input":[{"role":"user","content":[{"type":"input_text","text":"say ok"}]}]}`

func TestResponsesStream(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Reply: "ok then"})
	resp, err := responsesRequest(t, context.Background(), s, accessToken(t, s), okBody)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%v %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	evs := readSSE(t, resp.Body)
	var names []string
	text := ""
	for i, e := range evs {
		names = append(names, e.name)
		if e.data["type"] != e.name {
			t.Errorf("event %d: type %v under event %q", i, e.data["type"], e.name)
		}
		if e.data["sequence_number"] != float64(i) {
			t.Errorf("event %d: sequence_number %v", i, e.data["sequence_number"])
		}
		if e.name == "response.output_text.delta" {
			text += e.data["delta"].(string)
		}
	}
	want := "response.created response.in_progress response.output_item.added response.content_part.added " +
		"response.output_text.delta response.output_text.delta response.output_text.done response.content_part.done " +
		"response.output_item.done response.completed"
	if strings.Join(names, " ") != want {
		t.Errorf("events:\n%s\nwant\n%s", strings.Join(names, " "), want)
	}
	if text != "ok then" {
		t.Errorf("deltas make %q", text)
	}
	if len(evs) == 0 {
		t.Fatal("no events")
	}
	created, done := evs[0].data, evs[len(evs)-1].data
	if dig(created, "response", "model") != "gpt-5.4-mini" || dig(created, "response", "id") == "" {
		t.Errorf("created: %v", created)
	}
	if dig(done, "response", "status") != "completed" || dig(done, "response", "usage", "input_tokens") == nil || dig(done, "response", "usage", "output_tokens") == nil {
		t.Errorf("completed: %v", done)
	}
	item := evs[len(evs)-2].data["item"].(map[string]any)
	if item["type"] != "message" || dig(item, "id") != dig(evs[2].data, "item", "id") {
		t.Errorf("output_item.done: %v", item)
	}
	if n := s.Count(ChatGPTHost, PathResponses); n != 1 {
		t.Errorf("Count(responses) = %d", n)
	}
	for _, r := range s.Requests() {
		if r.Path == PathResponses && (r.Model != "gpt-5.4-mini" || r.Status != 200 || r.Account != s.AccountID()) {
			t.Errorf("recorded %v", r)
		}
	}
}

func TestResponsesAuthAndValidation(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	expired := jwt(map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})
	for _, c := range []struct {
		name, bearer, body string
		status             int
		check              string
	}{
		{"no token", "", okBody, 401, "Missing bearer"},
		{"not a JWT", "opaque", okBody, 401, "token_invalid"},
		{"expired", expired, okBody, 401, "token_expired"},
		{"not streaming", accessToken(t, s), `{"model":"m","stream":false}`, 400, "Stream must be set to true"},
		{"no model", accessToken(t, s), `{"stream":true}`, 400, "Model is required"},
	} {
		resp, err := responsesRequest(t, context.Background(), s, c.bearer, c.body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.check) {
			t.Errorf("%s: %v %s", c.name, resp.Status, b)
		}
	}
}

// TestEntitlements: the backend's per-plan answers, with the real bodies.
func TestEntitlements(t *testing.T) {
	t.Parallel()
	body := func(model string) string { return strings.Replace(okBody, "gpt-5.4-mini", model, 1) }
	notSupported := func(model string) string {
		return `{"detail":"The '` + model + `' model is not supported when using Codex with a ChatGPT account."}`
	}
	for _, c := range []struct {
		plan, model string
		status      int
		check       string
	}{
		{"plus", "gpt-5.4-mini", 200, "response.created"},
		{"plus", "gpt-5.3-codex-spark", 400, notSupported("gpt-5.3-codex-spark")},
		{"team", "gpt-5.3-codex-spark", 400, notSupported("gpt-5.3-codex-spark")},
		{"pro", "gpt-5.3-codex-spark", 200, "response.created"},
		{"pro", "gpt-5.3-codex", 400, notSupported("gpt-5.3-codex")},
		{"plus", "gpt-5.2", 400, notSupported("gpt-5.2")},
		{"free", "gpt-5.4-mini", 429, `"type":"usage_not_included"`},
	} {
		s := start(t, Options{PlanType: c.plan})
		resp, err := responsesRequest(t, context.Background(), s, accessToken(t, s), body(c.model))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.check) {
			t.Errorf("%s, %s: %v %s", c.plan, c.model, resp.Status, b)
		}
	}
}

// TestRegionFault: the token endpoint and the backend answer the region 403.
func TestRegionFault(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := accessToken(t, s)
	s.SetFaults(Faults{Region: true})
	resp, err := responsesRequest(t, context.Background(), s, tok, okBody)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `{"error":{"code":"unsupported_country_region_territory","message":"Country, region, or territory not supported","param":null,"type":"request_forbidden"}}`
	if resp.StatusCode != 403 || strings.TrimSpace(string(b)) != want {
		t.Errorf("responses: %v %s", resp.Status, b)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {ClientID}, "refresh_token": {"rt_x"}}
	resp, err = s.Client().PostForm("https://"+AuthHost+PathToken, form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || strings.TrimSpace(string(b)) != want {
		t.Errorf("token: %v %s", resp.Status, b)
	}
}

func TestResponsesFaults(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := accessToken(t, s)
	for _, c := range []struct {
		status int
		check  string
	}{
		{401, `"code":"token_expired"`},
		{403, "<title>Just a moment...</title>"},
		{429, `"type":"usage_limit_reached"`},
		{500, `"type":"server_error"`},
		{503, `"Service Unavailable"`},
	} {
		s.SetFaults(Faults{Responses: c.status, RetryAfter: 1500 * time.Millisecond})
		resp, err := responsesRequest(t, context.Background(), s, tok, okBody)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.check) {
			t.Errorf("%d: %v %s", c.status, resp.Status, b)
		}
		if resp.Header.Get("retry-after-ms") != "1500" || resp.Header.Get("retry-after") != "2" {
			t.Errorf("%d: retry headers %q %q", c.status, resp.Header.Get("retry-after-ms"), resp.Header.Get("retry-after"))
		}
	}
	if f := s.Faults(); f.Responses != 503 {
		t.Errorf("Faults() = %+v", f)
	}
}

// TestStallAndDelayEndOnClose: a stalled stream and a delayed answer hold
// the client until it gives up or the server closes; Close returns.
func TestStallAndDelayEndOnClose(t *testing.T) {
	t.Parallel()
	s, err := Start(Options{Faults: Faults{Stall: true, Delays: map[string]time.Duration{PathUserCode: time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// the client giving up ends a delayed answer
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, auth+PathUserCode, strings.NewReader(`{"client_id":"`+ClientID+`"}`))
		resp, err := s.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()

	resp, err := responsesRequest(t, context.Background(), s, accessToken(t, s), okBody)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "event: response.created\n" {
		t.Fatalf("first line %q %v", line, err)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("delayed request: %v, want context.Canceled", err)
	}

	closed := make(chan struct{})
	go func() { _ = s.Close(); close(closed) }()
	// the stalled stream ends (EOF or reset) once the server closes
	_, err = io.Copy(io.Discard, br)
	_ = err
	select {
	case <-closed:
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not return")
	}
	for _, r := range s.Requests() {
		if r.Path == PathResponses && r.Status != 200 {
			t.Errorf("stalled stream recorded as %v", r)
		}
		if r.Path == PathUserCode && r.Status != 0 {
			t.Errorf("a request never answered is recorded as %v", r)
		}
	}
	// nothing listens any more
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(s.ProxyURL(), "http://"), time.Second); err == nil {
		c.Close()
		t.Error("proxy still accepting after Close")
	}
}

func TestRecordsCarryNoSecrets(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Canary: "CANARYunit9", PendingPolls: 0})
	c := s.Client()
	_, uc := postJSON(t, c, auth+PathUserCode, map[string]string{"client_id": ClientID})
	_, m := postJSON(t, c, auth+PathDeviceToken, map[string]string{"device_auth_id": uc["device_auth_id"].(string), "user_code": uc["user_code"].(string)})
	_, tok := postForm(t, c, auth+PathToken, url.Values{"grant_type": {"authorization_code"}, "code": {m["authorization_code"].(string)},
		"redirect_uri": {deviceRedirectURI}, "client_id": {ClientID}, "code_verifier": {m["code_verifier"].(string)}})
	postForm(t, c, auth+PathToken, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}, "client_id": {ClientID}})
	resp, err := responsesRequest(t, context.Background(), s, tok["access_token"].(string), okBody)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// A callback-style query string never lands in the record either.
	cb, _ := s.Authorize(auth + PathAuthorize + "?" + url.Values{"response_type": {"code"}, "client_id": {ClientID},
		"redirect_uri": {"http://localhost:1455/auth/callback"}, "code_challenge": {"x"}, "code_challenge_method": {"S256"}, "state": {"s"}}.Encode())
	code := ""
	if u, err := url.Parse(cb); err == nil {
		code = u.Query().Get("code")
	}
	for _, r := range s.Requests() {
		txt := r.String() + r.Path + r.Host + r.Grant + r.Model
		for _, secret := range []string{"CANARYunit9", uc["user_code"].(string), m["authorization_code"].(string), m["code_verifier"].(string), code} {
			if secret != "" && strings.Contains(txt, secret) {
				t.Errorf("record %q carries a secret", txt)
			}
		}
	}
	if len(s.Requests()) < 8 {
		t.Errorf("only %d requests recorded", len(s.Requests()))
	}
}
