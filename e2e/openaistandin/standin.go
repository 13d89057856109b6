// Package openaistandin is an offline stand-in for the two OpenAI hosts a
// ChatGPT login touches — auth.openai.com (device code, browser authorize,
// token endpoint) and chatgpt.com (the Codex Responses backend) — so the real
// opencode and codex clients can complete a login and a test request in
// tests, without a network.
//
// The clients reach it as an HTTPS proxy: they honour HTTPS_PROXY and send
// CONNECT host:443; the stand-in terminates TLS for the two OpenAI hosts with
// certificates from a certificate authority made at start (the clients trust
// it through NODE_EXTRA_CA_CERTS / CODEX_CA_CERTIFICATE, see Env) and answers
// every other host at once with 502, so nothing waits on a closed network.
//
// It is test support for heidi's e2e tests and imports no heidi package.
// It never logs a request body; Requests records method, host, path, status
// and the non-secret grant type / model only.
package openaistandin

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The hosts served; every other host gets 502 Bad Gateway.
const (
	AuthHost    = "auth.openai.com"
	ChatGPTHost = "chatgpt.com"
)

// Endpoints, as the real clients call them.
const (
	PathUserCode    = "/api/accounts/deviceauth/usercode"
	PathDeviceToken = "/api/accounts/deviceauth/token"
	PathToken       = "/oauth/token"
	PathAuthorize   = "/oauth/authorize"
	PathDevicePage  = "/codex/device"
	PathResponses   = "/backend-api/codex/responses"
)

// ClientID is the public OAuth client id shared by opencode and codex.
const ClientID = "app_EMoamEEZ73f0CkXaXp7hrann"

// RefreshFault selects how the token endpoint answers a refresh_token grant.
type RefreshFault int

const (
	// RefreshOK issues new tokens; reusing a refresh token this stand-in has
	// already rotated still fails as RefreshReused does (as the real one).
	RefreshOK RefreshFault = iota
	// RefreshReused: 401 code refresh_token_reused, "Your refresh token has
	// already been used to generate a new access token. Please try signing in again."
	RefreshReused
	// RefreshExpired: 401 code refresh_token_expired.
	RefreshExpired
	// RefreshInvalidGrant: 400 {"error":"invalid_grant",...} (RFC 6749 form).
	RefreshInvalidGrant
)

// Faults are the switchable failures. The zero value is a healthy server.
type Faults struct {
	// DeviceCodeDisabled makes POST /api/accounts/deviceauth/usercode answer
	// 404 with the workspace-admin message (codex maps a 404 there to
	// "device code login is not enabled …"; opencode to "Failed to initiate
	// device authorization").
	DeviceCodeDisabled bool
	// DeviceDenied makes the poll that would have succeeded answer 400
	// access_denied instead (the user declined in the browser).
	DeviceDenied bool
	// Refresh selects the answer to refresh_token grants.
	Refresh RefreshFault
	// Responses, when non-zero, is the status every Codex responses request
	// gets instead of a stream: 401, 403, 429 or 500 carry the real servers'
	// bodies; other codes a generic JSON error.
	Responses int
	// RetryAfter, when non-zero, is sent with a Responses failure as
	// retry-after-ms and retry-after (opencode's retry loop honours them).
	RetryAfter time.Duration
	// Region makes the token endpoint (every grant) and the responses
	// endpoint answer 403 unsupported_country_region_territory, as OpenAI
	// does for a blocked country or region.
	Region bool
	// Stall makes the responses stream send response.created and then
	// nothing until the client goes away or Close.
	Stall bool
	// Delays holds a delay before answering, by request path ("" = every
	// path on the two OpenAI hosts). The wait ends early if the client goes
	// away or the server closes.
	Delays map[string]time.Duration
}

func (f Faults) clone() Faults {
	if f.Delays != nil {
		m := make(map[string]time.Duration, len(f.Delays))
		for k, v := range f.Delays {
			m[k] = v
		}
		f.Delays = m
	}
	return f
}

// Options configure a Server. Zero values pick the defaults noted.
type Options struct {
	// Canary is planted in every token issued (id, access and refresh
	// tokens, and the API key of a token exchange) so a test can assert it
	// never leaks. Default: a random "CANARY…" value (see Server.Canary).
	Canary string
	// AccountID is the chatgpt_account_id claim. Default "acct-standin-0001".
	AccountID string
	// Email is the email claim. Default "standin@example.com".
	Email string
	// PlanType is the account's ChatGPT plan: the chatgpt_plan_type claim of
	// the tokens issued, and what the Codex backend serves (see entitlement):
	// "plus" (default) and "team" get every current model but the Pro-only
	// previews, "pro" gets them too, "free" gets none.
	PlanType string
	// PendingPolls is how many device-token polls answer 403 pending before
	// the authorization code is issued. Default 0.
	PendingPolls int
	// Interval is the polling interval the usercode endpoint announces, in
	// seconds. Default 1 (the real server says 5; opencode waits interval+3 s,
	// codex waits interval).
	Interval int
	// TokenTTL is expires_in of issued access tokens (and their exp).
	// Default 1 h.
	TokenTTL time.Duration
	// Reply is the text the responses stream answers. Default "ok".
	Reply string
	// Faults are the initial failures (see SetFaults).
	Faults Faults
}

// Request is one request the stand-in saw. Bodies are never recorded.
type Request struct {
	Time   time.Time
	Method string // CONNECT for a tunnel request, else the HTTP method
	Host   string // host name without port
	Path   string // URL path (no query: it can carry codes)
	Status int    // status answered (0: none yet, e.g. a stalled stream)
	Grant  string // grant_type of POST /oauth/token
	Model  string // model of POST /backend-api/codex/responses
	// Account is the ChatGPT-Account-Id header of a responses request.
	Account string
}

func (r Request) String() string {
	s := fmt.Sprintf("%s %s%s → %d", r.Method, r.Host, r.Path, r.Status)
	if r.Grant != "" {
		s += " grant=" + r.Grant
	}
	if r.Model != "" {
		s += " model=" + r.Model
	}
	if r.Account != "" {
		s += " account=" + r.Account
	}
	return s
}

// Server is a running stand-in.
type Server struct {
	opts   Options
	ca     *authority
	caFile string
	tmpDir string
	ln     net.Listener
	inner  *chanListener
	web    *http.Server
	done   chan struct{}

	wg        sync.WaitGroup
	closeOnce sync.Once

	mu        sync.Mutex
	faults    Faults
	requests  []Request
	conns     map[net.Conn]struct{}
	userCodes []string
	devices   map[string]*deviceAuth // by device_auth_id
	codes     map[string]*authCode   // authorization codes, by code
	usedRT    map[string]bool        // rotated refresh tokens
}

// Start starts a stand-in listening on 127.0.0.1 (a free port). It writes the
// CA certificate to a private temp dir that Close removes.
func Start(opts Options) (*Server, error) {
	if opts.Canary == "" {
		opts.Canary = "CANARY" + randToken(10)
	}
	if opts.AccountID == "" {
		opts.AccountID = "acct-standin-0001"
	}
	if opts.Email == "" {
		opts.Email = "standin@example.com"
	}
	if opts.PlanType == "" {
		opts.PlanType = "plus"
	}
	if opts.PendingPolls < 0 {
		opts.PendingPolls = 0
	}
	if opts.Interval <= 0 {
		opts.Interval = 1
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.Reply == "" {
		opts.Reply = "ok"
	}
	ca, err := newAuthority()
	if err != nil {
		return nil, fmt.Errorf("openaistandin: CA: %w", err)
	}
	dir, err := os.MkdirTemp("", "openai-standin-")
	if err != nil {
		return nil, fmt.Errorf("openaistandin: %w", err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, ca.pem, 0o644); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("openaistandin: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("openaistandin: listen: %w", err)
	}
	s := &Server{
		opts:    opts,
		ca:      ca,
		caFile:  caFile,
		tmpDir:  dir,
		ln:      ln,
		done:    make(chan struct{}),
		faults:  opts.Faults.clone(),
		conns:   map[net.Conn]struct{}{},
		devices: map[string]*deviceAuth{},
		codes:   map[string]*authCode{},
		usedRT:  map[string]bool{},
	}
	s.inner = newChanListener(ln.Addr())
	s.web = &http.Server{
		Handler:           s.record(http.HandlerFunc(s.route)),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          nil,
	}
	s.wg.Add(2)
	go func() { defer s.wg.Done(); _ = s.web.Serve(s.inner) }()
	go func() { defer s.wg.Done(); s.accept() }()
	return s, nil
}

// Close stops the proxy and the fake hosts, ends every open connection and
// stalled answer, waits for its goroutines and removes the CA file.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		_ = s.ln.Close()
		_ = s.inner.Close()
		_ = s.web.Close()
		s.mu.Lock()
		for c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
		_ = os.RemoveAll(s.tmpDir)
	})
	return nil
}

// Canary is the secret planted in every token.
func (s *Server) Canary() string { return s.opts.Canary }

// AccountID is the chatgpt_account_id in issued tokens.
func (s *Server) AccountID() string { return s.opts.AccountID }

// ProxyURL is the proxy's URL, http://127.0.0.1:<port>.
func (s *Server) ProxyURL() string { return "http://" + s.ln.Addr().String() }

// CAFile is the path of the CA certificate (PEM).
func (s *Server) CAFile() string { return s.caFile }

// CAPEM is the CA certificate, PEM encoded.
func (s *Server) CAPEM() []byte { return append([]byte(nil), s.ca.pem...) }

// Env is the environment a child needs to reach the stand-in: the proxy
// variables in both spellings, NO_PROXY for the local browser callback, and
// the CA for Bun/Node (NODE_EXTRA_CA_CERTS) and codex (CODEX_CA_CERTIFICATE).
func (s *Server) Env() []string {
	p := s.ProxyURL()
	const noProxy = "localhost,127.0.0.1,::1"
	return []string{
		"HTTPS_PROXY=" + p, "https_proxy=" + p,
		"HTTP_PROXY=" + p, "http_proxy=" + p,
		"NO_PROXY=" + noProxy, "no_proxy=" + noProxy,
		"NODE_EXTRA_CA_CERTS=" + s.caFile,
		"CODEX_CA_CERTIFICATE=" + s.caFile,
	}
}

// Client is an http.Client that goes through the proxy and trusts only the
// stand-in's CA, without following redirects (a 302 from /oauth/authorize is
// returned as is).
func (s *Server) Client() *http.Client {
	proxy, _ := url.Parse(s.ProxyURL())
	return &http.Client{
		Transport: &http.Transport{
			Proxy:             http.ProxyURL(proxy),
			TLSClientConfig:   &tls.Config{RootCAs: s.ca.pool()},
			ForceAttemptHTTP2: false,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

// SetFaults replaces the failures in effect (safe while clients run).
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f.clone()
	s.mu.Unlock()
}

// Faults returns the failures in effect.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.clone()
}

// Requests returns every request seen so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests matched host and path ("" matches any).
func (s *Server) Count(host, path string) int {
	n := 0
	for _, r := range s.Requests() {
		if (host == "" || r.Host == host) && (path == "" || r.Path == path) {
			n++
		}
	}
	return n
}

// UserCodes returns the device user codes issued so far.
func (s *Server) UserCodes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.userCodes...)
}

func (s *Server) addRequest(r Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	return len(s.requests) - 1
}

func (s *Server) updateRequest(i int, f func(*Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i >= 0 && i < len(s.requests) {
		f(&s.requests[i])
	}
}

// ---- the proxy ----------------------------------------------------------------

func (s *Server) track(c net.Conn, on bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		select {
		case <-s.done:
			return false
		default:
		}
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
	}
	return true
}

func (s *Server) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		if !s.track(c, true) {
			_ = c.Close()
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if handedOff := s.serveProxyConn(c); !handedOff {
				_ = c.Close()
				s.track(c, false)
			}
		}()
	}
}

// serveProxyConn reads proxy requests from c. A CONNECT to one of the two
// OpenAI hosts hands the connection (TLS-wrapped) to the fake hosts' HTTP
// server and returns true; anything else gets 502 and false.
func (s *Server) serveProxyConn(c net.Conn) bool {
	br := bufio.NewReader(c)
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	req, err := http.ReadRequest(br)
	if err != nil {
		return false
	}
	_ = c.SetReadDeadline(time.Time{})
	host := req.Host
	if req.Method != http.MethodConnect && req.URL != nil && req.URL.Host != "" {
		host = req.URL.Host
	}
	name := hostOnly(host)
	if req.Method == http.MethodConnect && (name == AuthHost || name == ChatGPTHost) {
		s.addRequest(Request{Time: time.Now(), Method: http.MethodConnect, Host: name, Path: "", Status: http.StatusOK})
		if _, err := io.WriteString(c, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
			return false
		}
		tc := tls.Server(&bufferedConn{Conn: c, r: br, closed: func() { s.track(c, false) }}, &tls.Config{
			MinVersion: tls.VersionTLS12,
			NextProtos: []string{"http/1.1"},
			GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
				sni := h.ServerName
				if sni == "" {
					sni = name
				}
				if sni != AuthHost && sni != ChatGPTHost {
					return nil, fmt.Errorf("openaistandin: no certificate for %q", sni)
				}
				return s.ca.leaf(sni)
			},
		})
		// The HTTP server owns the connection from here; it stays in
		// s.conns (so Close ends it) until the server closes it.
		if !s.inner.push(tc) {
			return false
		}
		return true
	}
	// Any other host or a plain-HTTP proxy request: fail fast.
	path := ""
	if req.Method != http.MethodConnect && req.URL != nil {
		path = req.URL.Path
	}
	s.addRequest(Request{Time: time.Now(), Method: req.Method, Host: name, Path: path, Status: http.StatusBadGateway})
	_, _ = io.Copy(io.Discard, io.LimitReader(req.Body, 1<<20))
	_ = req.Body.Close()
	body := "openai stand-in: no network for " + name + "\n"
	_, _ = fmt.Fprintf(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	return false
}

func hostOnly(hostport string) string {
	h := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		h = hh
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

// bufferedConn reads first what the proxy's bufio.Reader already holds, and
// reports its closing.
type bufferedConn struct {
	net.Conn
	r      *bufio.Reader
	closed func()
	once   sync.Once
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *bufferedConn) Close() error {
	err := b.Conn.Close()
	b.once.Do(b.closed)
	return err
}

// chanListener is a net.Listener fed with connections by the proxy.
type chanListener struct {
	addr net.Addr
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) push(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }

// ---- the fake hosts ---------------------------------------------------------------

type reqIndexKey struct{}

// record notes every request on the fake hosts and its status.
func (s *Server) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := s.addRequest(Request{Time: time.Now(), Method: r.Method, Host: hostOnly(r.Host), Path: r.URL.Path})
		rw := &statusWriter{ResponseWriter: w, set: func(code int) {
			s.updateRequest(i, func(q *Request) { q.Status = code })
		}}
		// A handler that returns without answering (the client went away
		// during a delay, or Close) leaves Status 0.
		h.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), reqIndexKey{}, i)))
	})
}

// note adds the grant or model to the current request's record.
func (s *Server) note(r *http.Request, f func(*Request)) {
	if i, ok := r.Context().Value(reqIndexKey{}).(int); ok {
		s.updateRequest(i, f)
	}
}

type statusWriter struct {
	http.ResponseWriter
	set   func(int)
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.set(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// wait sleeps d unless the request ends or the server closes first; it
// reports whether the full delay passed.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.done:
	}
	return false
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	f := s.Faults()
	d, ok := f.Delays[r.URL.Path]
	if !ok {
		d = f.Delays[""]
	}
	if !s.wait(r, d) {
		return
	}
	switch hostOnly(r.Host) {
	case AuthHost:
		s.serveAuth(w, r, f)
	case ChatGPTHost:
		s.serveChatGPT(w, r, f)
	default:
		writeJSON(w, http.StatusMisdirectedRequest, map[string]any{"detail": "Misdirected Request"})
	}
}
