// Package server is `heidi serve`: a small HTTP server, bound to loopback,
// that serves the Connections page and a JSON API over the same step logic
// the wizard and the plain mode use (steps). It never returns a token: status
// goes through steps.ToJSON and every piece of child output through redact.
//
// Security model: the server answers only requests whose Host is a loopback
// address or localhost with the bound port (DNS rebinding), POSTs need a
// same-origin Origin and the per-process token the page carries in a <meta>
// (CSRF), no CORS header is ever sent, bodies are capped and every response
// carries a strict Content-Security-Policy.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/heidi-cli/heidi/steps"
)

// Options tune a Server. The zero value is usable.
type Options struct {
	// Addr is the host:port the listener is bound to. It is only needed when
	// the handler is used without a real connection (httptest.NewRecorder):
	// otherwise the Host check uses the connection's local address.
	Addr string
	// Grace is how long Serve waits, once its context is done, for in-flight
	// requests to finish after cancelling running tests (default 5 s).
	Grace time.Duration
	// MaxBody caps a request body in bytes (default 4 KiB).
	MaxBody int64
	// Logf, when set, gets one line per test run and per refused request.
	// Lines hold no secret.
	Logf func(format string, args ...any)
}

// Server serves the Connections page and its API.
type Server struct {
	deps  steps.Deps
	opts  Options
	token string // per-process CSRF token, handed to the page in a <meta>

	// stop is cancelled when Serve shuts down: running tests are cancelled
	// and their children killed.
	stop     context.Context
	stopFunc context.CancelFunc

	testMu sync.Mutex // held while a test runs (TryLock: a second gets 409)

	loginMu sync.Mutex
	login   *loginRun // the login in progress, or the last one

	workMu  sync.Mutex
	stopped bool           // set by Serve when it shuts down: no new work starts
	work    sync.WaitGroup // running tests and status checks (they start opencode)

	statusMu  sync.Mutex
	statusCur *statusCall // the status check in flight, shared by concurrent callers

	handler http.Handler
}

// New returns a Server over deps.
func New(deps steps.Deps, opts Options) *Server {
	if opts.Grace <= 0 {
		opts.Grace = 5 * time.Second
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 4 << 10
	}
	s := &Server{deps: deps, opts: opts, token: newToken()}
	s.stop, s.stopFunc = context.WithCancel(context.Background())
	s.handler = s.routes()
	return s
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("heidi: no randomness for the session token: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// Handler returns the HTTP handler (page, assets and API, behind the
// security checks).
func (s *Server) Handler() http.Handler { return s.handler }

// Serve serves on ln until ctx is done, then cancels running tests, shuts
// the server down (waiting up to Options.Grace for in-flight requests) and
// returns nil. It returns an error only when serving itself fails. Call it
// once per Server.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		s.shutdownWork()
		s.waitWork(s.opts.Grace)
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}

	s.shutdownWork() // cancel running tests first: their handlers then answer at once
	shutCtx, cancel := context.WithTimeout(context.Background(), s.opts.Grace)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		_ = srv.Close()
	}
	<-errc
	s.waitWork(s.opts.Grace)
	return nil
}

// shutdownWork refuses new work and cancels what runs.
func (s *Server) shutdownWork() {
	s.workMu.Lock()
	s.stopped = true
	s.workMu.Unlock()
	s.stopFunc()
}

// waitWork waits (at most d) for running tests and checks to return, which
// happens once their children are gone.
func (s *Server) waitWork(d time.Duration) {
	done := make(chan struct{})
	go func() { s.work.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.logf("some opencode calls did not end within %s", d)
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}
