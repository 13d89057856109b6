package openaistandin

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// deviceAuth is one device-code login in progress.
type deviceAuth struct {
	userCode string
	polls    int
	code     string // authorization code, once issued
}

// authCode is an authorization code waiting for its token exchange.
type authCode struct {
	redirectURI string
	challenge   string // S256 challenge (browser flow)
	verifier    string // verifier handed out (device flow)
	used        bool
	expires     time.Time
}

// deviceRedirectURI is the redirect_uri a device-flow token exchange uses.
const deviceRedirectURI = "https://" + AuthHost + "/deviceauth/callback"

// Texts of the real servers (quoted from codex's source, issues and tests).
const (
	msgDeviceAdmin    = "Please contact your workspace admin to enable device code authentication"
	msgDevicePending  = "Device authorization is pending. Please try again."
	msgRefreshReused  = "Your refresh token has already been used to generate a new access token. Please try signing in again."
	msgRefreshExpired = "Your refresh token has expired. Please try signing in again."
	msgRefreshInvalid = "Invalid refresh token."
	msgTokenExpired   = "Provided authentication token is expired. Please try signing in again."
	msgTokenMissing   = "Missing bearer or basic authentication in header"
	msgUsageLimit     = "The usage limit has been reached"
	// msgUsageNotIncluded: the text OpenCode users report for a plan that
	// does not include the request (anomalyco/opencode#7571).
	msgUsageNotIncluded = "Usage not included in your plan"
	msgServerError      = "An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists."
	cloudflareChalPage  = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body><div class="main-content"><noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript></div></body></html>`
)

// regionBody is the 403 OpenAI answers from a blocked country or region
// (openai/codex#9714; the same body on api.openai.com).
func regionBody() map[string]any {
	return map[string]any{"error": map[string]any{
		"code":    "unsupported_country_region_territory",
		"message": "Country, region, or territory not supported",
		"param":   nil,
		"type":    "request_forbidden",
	}}
}

func randToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.TrimRight(base64.RawURLEncoding.EncodeToString(b), "=")
}

// newUserCode is like ABCD-1234 (letters without I/O, digits), random per call.
func newUserCode() string {
	const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	out := make([]byte, 0, 9)
	for i := 0; i < 4; i++ {
		out = append(out, letters[int(b[i])%len(letters)])
	}
	out = append(out, '-')
	for i := 4; i < 8; i++ {
		out = append(out, '0'+b[i]%10)
	}
	return string(out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// apiError is the OpenAI API error envelope.
func apiError(message, typ, code string) map[string]any {
	var t, c any
	if typ != "" {
		t = typ
	}
	if code != "" {
		c = code
	}
	return map[string]any{"error": map[string]any{"message": message, "type": t, "param": nil, "code": c}}
}

// readParams reads a form or JSON body (codex refreshes with JSON, everyone
// else posts forms) into a flat string map.
func readParams(r *http.Request) (map[string]string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" || (mt == "" && strings.HasPrefix(strings.TrimSpace(string(body)), "{")) {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, err
		}
		for k, v := range m {
			if s, ok := v.(string); ok {
				out[k] = s
			} else if v != nil {
				out[k] = fmt.Sprint(v)
			}
		}
		return out, nil
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	for k := range vals {
		out[k] = vals.Get(k)
	}
	return out, nil
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (s *Server) serveAuth(w http.ResponseWriter, r *http.Request, f Faults) {
	switch {
	case r.URL.Path == PathUserCode && r.Method == http.MethodPost:
		s.userCode(w, r, f)
	case r.URL.Path == PathDeviceToken && r.Method == http.MethodPost:
		s.devicePoll(w, r, f)
	case r.URL.Path == PathToken && r.Method == http.MethodPost:
		s.token(w, r, f)
	case r.URL.Path == PathAuthorize && r.Method == http.MethodGet:
		s.authorize(w, r)
	case r.URL.Path == PathDevicePage && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!DOCTYPE html><html><head><title>Enter code - OpenAI</title></head><body><h1>Enter your one-time code</h1></body></html>")
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"detail": "Not Found"})
	}
}

func (s *Server) userCode(w http.ResponseWriter, r *http.Request, f Faults) {
	p, err := readParams(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError("Invalid request body.", "invalid_request_error", "invalid_request"))
		return
	}
	if f.DeviceCodeDisabled {
		writeJSON(w, http.StatusNotFound, apiError(msgDeviceAdmin, "invalid_request_error", "device_code_auth_disabled"))
		return
	}
	if p["client_id"] != ClientID {
		writeJSON(w, http.StatusBadRequest, apiError("Unknown client_id.", "invalid_request_error", "invalid_client"))
		return
	}
	id := "deviceauth_" + randToken(18)
	code := newUserCode()
	s.mu.Lock()
	s.devices[id] = &deviceAuth{userCode: code}
	s.userCodes = append(s.userCodes, code)
	s.mu.Unlock()
	// interval is a string on the real server (codex parses it as one).
	writeJSON(w, http.StatusOK, map[string]any{
		"device_auth_id": id,
		"user_code":      code,
		"interval":       fmt.Sprint(s.opts.Interval),
	})
}

func (s *Server) devicePoll(w http.ResponseWriter, r *http.Request, f Faults) {
	p, err := readParams(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError("Invalid request body.", "invalid_request_error", "invalid_request"))
		return
	}
	s.mu.Lock()
	d := s.devices[p["device_auth_id"]]
	if d == nil || d.userCode != p["user_code"] {
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, apiError("Unknown device authorization.", "invalid_request_error", "deviceauth_invalid"))
		return
	}
	if d.polls < s.opts.PendingPolls {
		d.polls++
		s.mu.Unlock()
		writeJSON(w, http.StatusForbidden, apiError(msgDevicePending, "invalid_request_error", "deviceauth_authorization_pending"))
		return
	}
	if f.DeviceDenied {
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, apiError("The user denied the device authorization.", "invalid_request_error", "access_denied"))
		return
	}
	verifier := randToken(48)
	code := "ac_" + randToken(24)
	d.code = code
	s.codes[code] = &authCode{redirectURI: deviceRedirectURI, verifier: verifier, expires: time.Now().Add(10 * time.Minute)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"authorization_code": code,
		"code_challenge":     s256(verifier),
		"code_verifier":      verifier,
	})
}

// authorize plays an already signed-in browser at /oauth/authorize: it
// redirects to redirect_uri with a fresh code and the client's state.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bad := func(why string) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "Authorization error: "+why+"\n")
	}
	switch {
	case q.Get("response_type") != "code":
		bad("unsupported response_type")
		return
	case q.Get("client_id") != ClientID:
		bad("unknown client_id")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		bad("PKCE S256 code_challenge required")
		return
	case q.Get("state") == "":
		bad("state required")
		return
	}
	ru, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || ru.Scheme != "http" || (ru.Hostname() != "localhost" && ru.Hostname() != "127.0.0.1") {
		bad("redirect_uri not allowed")
		return
	}
	code := "ac_" + randToken(24)
	s.mu.Lock()
	s.codes[code] = &authCode{redirectURI: ru.String(), challenge: q.Get("code_challenge"), expires: time.Now().Add(10 * time.Minute)}
	s.mu.Unlock()
	v := ru.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	ru.RawQuery = v.Encode()
	w.Header().Set("Location", ru.String())
	w.WriteHeader(http.StatusFound)
}

// Authorize does what the user's browser does with the URL a client printed:
// it visits auth.openai.com/oauth/authorize (through the proxy, so it is
// recorded) as a signed-in user and returns the callback URL it is sent on
// to, http://localhost:1455/auth/callback?code=…&state=…, which the test
// then requests.
func (s *Server) Authorize(authURL string) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", err
	}
	if u.Scheme != "https" || u.Host != AuthHost || u.Path != PathAuthorize {
		return "", fmt.Errorf("openaistandin: not an authorize URL: %s", u.Redacted())
	}
	resp, err := s.Client().Get(authURL)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("openaistandin: authorize: %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	return resp.Header.Get("Location"), nil
}

func (s *Server) token(w http.ResponseWriter, r *http.Request, f Faults) {
	p, err := readParams(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "Unreadable body."})
		return
	}
	grant := p["grant_type"]
	s.note(r, func(q *Request) { q.Grant = grant })
	if p["client_id"] != ClientID {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client", "error_description": "Unknown client."})
		return
	}
	if f.Region {
		writeJSON(w, http.StatusForbidden, regionBody())
		return
	}
	switch grant {
	case "authorization_code":
		s.exchangeCode(w, p)
	case "refresh_token":
		s.refresh(w, p, f)
	case "urn:ietf:params:oauth:grant-type:token-exchange":
		// codex trades the id token for an API key after a browser login.
		if p["requested_token"] != "openai-api-key" || p["subject_token"] == "" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "Unsupported token exchange."})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"access_token": "sk-proj-standin-" + s.opts.Canary + "-" + randToken(8)})
	default:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type", "error_description": "Unsupported grant_type."})
	}
}

func (s *Server) exchangeCode(w http.ResponseWriter, p map[string]string) {
	invalid := func(why string) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_grant", "error_description": why})
	}
	s.mu.Lock()
	c := s.codes[p["code"]]
	switch {
	case c == nil:
		s.mu.Unlock()
		invalid("Invalid authorization code.")
		return
	case c.used:
		s.mu.Unlock()
		invalid("Authorization code has already been used.")
		return
	case time.Now().After(c.expires):
		s.mu.Unlock()
		invalid("Authorization code has expired.")
		return
	}
	c.used = true
	s.mu.Unlock()
	switch {
	case p["redirect_uri"] != c.redirectURI:
		invalid("redirect_uri does not match the authorization request.")
		return
	case c.verifier != "" && p["code_verifier"] != c.verifier:
		invalid("Invalid code_verifier.")
		return
	case c.challenge != "" && s256(p["code_verifier"]) != c.challenge:
		invalid("Invalid code_verifier.")
		return
	}
	writeJSON(w, http.StatusOK, s.issueTokens())
}

func (s *Server) refresh(w http.ResponseWriter, p map[string]string, f Faults) {
	rt := p["refresh_token"]
	if rt == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "Missing refresh_token."})
		return
	}
	s.mu.Lock()
	reused := s.usedRT[rt]
	if !reused && f.Refresh == RefreshOK {
		s.usedRT[rt] = true
	}
	s.mu.Unlock()
	switch {
	case reused || f.Refresh == RefreshReused:
		writeJSON(w, http.StatusUnauthorized, apiError(msgRefreshReused, "invalid_request_error", "refresh_token_reused"))
	case f.Refresh == RefreshExpired:
		writeJSON(w, http.StatusUnauthorized, apiError(msgRefreshExpired, "invalid_request_error", "refresh_token_expired"))
	case f.Refresh == RefreshInvalidGrant:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_grant", "error_description": msgRefreshInvalid})
	default:
		writeJSON(w, http.StatusOK, s.issueTokens())
	}
}

// issueTokens makes a fresh token set; every token carries the canary.
func (s *Server) issueTokens() map[string]any {
	now := time.Now()
	exp := now.Add(s.opts.TokenTTL)
	authClaims := map[string]any{
		"chatgpt_account_id": s.opts.AccountID,
		"chatgpt_plan_type":  s.opts.PlanType,
		"chatgpt_user_id":    "user-standin",
		"user_id":            "user-standin",
	}
	id := jwt(map[string]any{
		"iss": "https://" + AuthHost, "aud": []string{ClientID}, "sub": "auth0|standin",
		"iat": now.Unix(), "exp": exp.Unix(), "auth_time": now.Unix(),
		"email": s.opts.Email, "email_verified": true,
		"https://api.openai.com/auth":    authClaims,
		"https://api.openai.com/profile": map[string]any{"email": s.opts.Email, "email_verified": true},
		"standin_canary":                 s.opts.Canary,
	})
	access := jwt(map[string]any{
		"iss": "https://" + AuthHost, "aud": []string{"https://api.openai.com/v1"}, "sub": "auth0|standin",
		"client_id": ClientID, "iat": now.Unix(), "exp": exp.Unix(), "jti": randToken(12),
		"scp":                            []string{"openid", "profile", "email", "offline_access"},
		"https://api.openai.com/auth":    authClaims,
		"https://api.openai.com/profile": map[string]any{"email": s.opts.Email, "email_verified": true},
		"standin_canary":                 s.opts.Canary,
	})
	return map[string]any{
		"id_token":      id,
		"access_token":  access,
		"refresh_token": "rt_" + s.opts.Canary + "_" + randToken(24),
		"expires_in":    int(s.opts.TokenTTL / time.Second),
		"token_type":    "Bearer",
		"scope":         "openid profile email offline_access",
	}
}

// jwt makes a token the clients can decode (they never verify signatures).
func jwt(claims map[string]any) string {
	enc := base64.RawURLEncoding.EncodeToString
	h, _ := json.Marshal(map[string]any{"alg": "RS256", "typ": "JWT", "kid": "standin"})
	c, _ := json.Marshal(claims)
	return enc(h) + "." + enc(c) + "." + randToken(32)
}

// jwtClaims decodes a JWT's payload (no verification), or nil.
func jwtClaims(tok string) map[string]any {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}
