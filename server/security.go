package server

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// CSP is the Content-Security-Policy of every response: no inline script or
// style, nothing loaded from anywhere but this server.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// TokenHeader carries the per-process CSRF token on every POST.
const TokenHeader = "X-Heidi-Token"

// guard sets the security headers and refuses requests that fail the Host,
// fetch-site, Origin or token checks, before next sees them.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")

		if !s.hostAllowed(r) {
			s.refuse(w, r, "this server answers only on its loopback address (Host "+quote(r.Host)+" refused)")
			return
		}
		// A browser says where a request comes from: the API is for this page only.
		if strings.HasPrefix(r.URL.Path, "/connect/") {
			switch r.Header.Get("Sec-Fetch-Site") {
			case "", "same-origin", "none":
			default:
				s.refuse(w, r, "cross-site requests are refused")
				return
			}
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !sameOrigin(r) {
				s.refuse(w, r, "cross-origin request refused (the Origin header must be this page's origin)")
				return
			}
			if !s.tokenOK(r) {
				s.refuse(w, r, "missing or wrong "+TokenHeader+" header; reload the page")
				return
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBody)
		next.ServeHTTP(w, r)
	})
}

func (s *Server) refuse(w http.ResponseWriter, r *http.Request, why string) {
	s.logf("refused %s %s: %s", r.Method, quote(r.URL.Path), why)
	writeJSON(w, http.StatusForbidden, errorResponse{Error: why})
}

// quote shows an attacker-chosen string safely and briefly.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return strconv.Quote(s)
}

// hostAllowed is the DNS-rebinding check: the Host header must name
// localhost or an IP literal that is loopback (or the very address the
// client connected to, for --allow-remote), with the port the server is
// bound to. A host name other than localhost is never accepted.
func (s *Server) hostAllowed(r *http.Request) bool {
	localIP, localPort, ok := s.localAddr(r)
	if !ok {
		return false
	}
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		return false // browsers always send the port of a non-default one; 80 is never ours by accident
	}
	if port != localPort {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	if ip == nil || strings.Contains(host, "%") {
		return false
	}
	return ip.IsLoopback() || (localIP != nil && !localIP.IsUnspecified() && ip.Equal(localIP))
}

// localAddr is the address the request arrived on: the connection's local
// address, else Options.Addr.
func (s *Server) localAddr(r *http.Request) (net.IP, string, bool) {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if t, ok := a.(*net.TCPAddr); ok {
			return t.IP, strconv.Itoa(t.Port), true
		}
	}
	host, port, err := net.SplitHostPort(s.opts.Addr)
	if err != nil || port == "" || port == "0" {
		return nil, "", false
	}
	return net.ParseIP(host), port, true
}

// sameOrigin: the Origin header is exactly this server's origin. Browsers
// send it on every POST; a request without it is refused.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o != "" && strings.EqualFold(o, "http://"+r.Host)
}

func (s *Server) tokenOK(r *http.Request) bool {
	got := r.Header.Get(TokenHeader)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}
