package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

const (
	clientID = "app_EMoamEEZ73f0CkXaXp7hrann"
	issuer   = "https://auth.openai.com"
)

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// ---- the tokens a successful login stores ---------------------------------------

func canary() string { return env("FAKE_OPENCODE_CANARY") }

// fakeJWT is an unsigned JWT ({"alg":"none"}) whose payload carries exp, the
// ChatGPT account claim and, when set, the canary.
func fakeJWT(exp time.Time) string {
	payload := map[string]any{
		"exp": exp.Unix(),
		"iat": time.Now().Unix(),
		"iss": issuer,
		"https://api.openai.com/auth": map[string]any{
			"chatgpt_account_id": "acct-fake-000",
			"chatgpt_plan_type":  loginPlan(),
		},
	}
	if c := canary(); c != "" {
		payload["canary"] = c
	}
	pb, _ := json.Marshal(payload)
	return b64url([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64url(pb) + "."
}

// loginPlan is the plan claim of the tokens a login issues.
func loginPlan() string {
	if p := env("FAKE_OPENCODE_PLAN"); p != "" {
		return p
	}
	return "plus"
}

// oauthEntry is the auth.json value written after a ChatGPT login, in the key
// order the real client writes: type, refresh, access, expires, accountId.
func oauthEntry() *obj {
	exp := time.Now().Add(time.Hour) // expires_in defaults to 3600 s
	refresh := "rt_" + b64url(randBytes(24))
	if c := canary(); c != "" {
		refresh = "rt_" + c
	}
	o := &obj{}
	o.set("type", "oauth")
	o.set("refresh", refresh)
	o.set("access", fakeJWT(exp))
	o.set("expires", json.Number(strconv.FormatInt(exp.UnixMilli(), 10)))
	o.set("accountId", "acct-fake-000")
	return o
}

// ---- shared waiting logic -------------------------------------------------------

type outcome struct {
	err string // "" = success
}

// behaviour after the "server" answered: FAKE_OPENCODE_LOGIN.
func loginMode() string { return env("FAKE_OPENCODE_LOGIN") }

func crashNow() {
	os.Stderr.WriteString("panic(main thread): Segmentation fault at address 0x0\noh no: Bun has crashed. This indicates a bug in Bun, not your code.\n")
	killSelf()
	hangForever()
}

// ---- browser (loopback callback on :1455) ---------------------------------------

func callbackPort() int {
	if p, err := strconv.Atoi(env("FAKE_OPENCODE_PORT")); err == nil && p > 0 {
		return p
	}
	return 1455
}

func pkce() (verifier, challenge string) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
	b := randBytes(43)
	v := make([]byte, 43)
	for i, x := range b {
		v[i] = alphabet[int(x)%len(alphabet)]
	}
	sum := sha256.Sum256(v)
	return string(v), b64url(sum[:])
}

// formEncode is URLSearchParams.toString() for ordered pairs.
func formEncode(pairs [][2]string) string {
	enc := func(s string) string {
		var b strings.Builder
		for _, c := range []byte(s) {
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '*', c == '-', c == '.', c == '_':
				b.WriteByte(c)
			case c == ' ':
				b.WriteByte('+')
			default:
				fmt.Fprintf(&b, "%%%02X", c)
			}
		}
		return b.String()
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = enc(p[0]) + "=" + enc(p[1])
	}
	return strings.Join(parts, "&")
}

func authorizeURL(redirect, challenge, state string) string {
	return issuer + "/oauth/authorize?" + formEncode([][2]string{
		{"response_type", "code"},
		{"client_id", clientID},
		{"redirect_uri", redirect},
		{"scope", "openid profile email offline_access"},
		{"code_challenge", challenge},
		{"code_challenge_method", "S256"},
		{"id_token_add_organizations", "true"},
		{"codex_cli_simplified_flow", "true"},
		{"state", state},
		{"originator", "opencode"},
	})
}

func browserLogin(pid string) int {
	port := callbackPort()
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return failAuthorize(fmt.Sprintf("Failed to start server. Is port %d in use?", port))
	}
	redirect := fmt.Sprintf("http://localhost:%d/auth/callback", port)
	_, challenge := pkce()
	state := b64url(randBytes(32))

	results := make(chan outcome, 4)
	pending := true // m0 (the pending authorization) is set
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	take := func() bool { // returns whether the pending authorization was still set, and clears it
		<-mu
		was := pending
		pending = false
		mu <- struct{}{}
		return was
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// The answer is flushed before the CLI side learns the outcome, so a
		// browser still gets its page when the CLI then exits at once.
		reply := func(status int, ctype, body string) {
			if ctype != "" {
				w.Header().Set("Content-Type", ctype)
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
		const htmlType = "text/html; charset=utf-8"
		switch r.URL.Path {
		case "/auth/callback":
			q := r.URL.Query()
			code, st, e, ed := q.Get("code"), q.Get("state"), q.Get("error"), q.Get("error_description")
			switch {
			case e != "":
				msg := ed
				if msg == "" {
					msg = e
				}
				was := take()
				reply(200, htmlType, errorPage(msg))
				if was {
					results <- outcome{err: msg}
				}
			case code == "":
				was := take()
				reply(400, htmlType, errorPage("Missing authorization code"))
				if was {
					results <- outcome{err: "Missing authorization code"}
				}
			default:
				<-mu
				ok := pending && st == state
				was := pending
				pending = false
				mu <- struct{}{}
				if !ok {
					reply(400, htmlType, errorPage("Invalid state - potential CSRF attack"))
					if was {
						results <- outcome{err: "Invalid state - potential CSRF attack"}
					}
					return
				}
				reply(200, htmlType, successPage())
				go exchange(results)
			}
		case "/cancel":
			was := take()
			reply(200, "", "Login cancelled")
			if was {
				results <- outcome{err: "Login cancelled"}
			}
		default:
			reply(404, "", "Not found")
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()

	logInfo("Go to: " + authorizeURL(redirect, challenge, state))
	logInfo("Complete authorization in your browser. This window will close automatically.")
	spin.start("Waiting for authorization...")
	if loginMode() == "crash" {
		crashNow()
	}
	timeout := time.NewTimer(envDuration("FAKE_OPENCODE_LOGIN_TIMEOUT", 300*time.Second))
	if loginMode() == "hang" {
		timeout.Stop()
	}
	select {
	case r := <-results:
		if r.err != "" {
			return failAuthorize(r.err)
		}
	case <-timeout.C:
		if take() {
			return failAuthorize("OAuth callback timeout - authorization took too long")
		}
		r := <-results // a callback won the race
		if r.err != "" {
			return failAuthorize(r.err)
		}
	}
	_ = ln.Close() // the real client closes its server after a good callback
	return finishLogin(pid)
}

// exchange stands in for the POST to /oauth/token after a good callback.
func exchange(results chan<- outcome) {
	switch loginMode() {
	case "hang":
		return
	case "crash":
		crashNow()
	case "fail":
		results <- outcome{err: "Token exchange failed: 400"}
	case "offline":
		results <- outcome{err: "Unable to connect. Is the computer able to access the url?"}
	default:
		results <- outcome{}
	}
}

// ---- headless (device code) -------------------------------------------------------

func deviceCode() string {
	if c := env("FAKE_OPENCODE_DEVICE_CODE"); c != "" {
		return c
	}
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b strings.Builder
	for i := 0; i < 4; i++ {
		n, _ := rand.Int(rand.Reader, big.NewInt(26))
		b.WriteByte(letters[n.Int64()])
	}
	b.WriteByte('-')
	for i := 0; i < 4; i++ {
		n, _ := rand.Int(rand.Reader, big.NewInt(10))
		b.WriteByte(byte('0' + n.Int64()))
	}
	return b.String()
}

func headlessLogin(pid string) int {
	switch env("FAKE_OPENCODE_DEVICE") {
	case "offline":
		return failAuthorize("Unable to connect. Is the computer able to access the url?")
	case "disabled":
		// usercode answered non-OK (404 when device codes are off): the
		// built-in plugin throws this exact message.
		return failAuthorize("Failed to initiate device authorization")
	}
	logInfo("Go to: " + issuer + "/codex/device")
	logInfo("Enter code: " + deviceCode())
	spin.start("Waiting for authorization...")
	mode := loginMode()
	if mode == "crash" {
		crashNow()
	}
	if f := env("FAKE_OPENCODE_DEVICE_APPROVE"); f != "" {
		// "the user approved the code": poll for the file, as the real
		// client polls the token endpoint (no client-side deadline).
		for {
			if _, err := os.Stat(f); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	} else {
		time.Sleep(envDuration("FAKE_OPENCODE_DEVICE_DELAY", time.Second))
	}
	switch mode {
	case "hang":
		hangForever()
	case "offline":
		return failAuthorize("Unable to connect. Is the computer able to access the url?")
	case "fail":
		// the token poll got a status other than 403/404: {type:"failed"}.
		// The real client then says Done and exits 0 without a credential.
		spin.stop("Failed to authorize", 1)
		outro("Done")
		return 0
	}
	return finishLogin(pid)
}

// ---- "Manual URL Paste" (code method, plugin era) ----------------------------------------

func codeLogin(pid string) int {
	port := callbackPort()
	_, challenge := pkce()
	state := b64url(randBytes(32))
	logInfo("Go to: " + authorizeURL(fmt.Sprintf("http://localhost:%d/auth/callback", port), challenge, state))
	code, ok := newText("Paste the authorization code here: ", requiredValidate).run()
	if !ok || code == "" {
		return 1
	}
	switch loginMode() {
	case "fail":
		logError("Failed to authorize")
		outro("Done")
		return 0
	case "offline":
		errorLine("Failed to authorize: Unable to connect. Is the computer able to access the url?")
		return 1
	}
	if loginMode() != "noop" {
		if err := setAuth(pid, oauthEntry()); err != nil {
			errorLine("Failed to write auth data")
			return 1
		}
	}
	logSuccess("Login successful")
	outro("Done")
	return 0
}

// ---- the pages the callback server answers with (title and text as the real
// ones; the real pages also carry ~7 KB of CSS and an SVG logo) -------------------

func successPage() string {
	return callbackPage("success", "Authorization successful", "OpenCode is now connected to ChatGPT.", "", "You can close this window.")
}

func errorPage(detail string) string {
	return callbackPage("error", "Authorization failed", "OpenCode couldn't finish connecting to ChatGPT.", detail, "Close this window and try again from OpenCode.")
}

func callbackPage(status, headline, message, detail, footnote string) string {
	d := `<pre class="detail" id="oc-detail" hidden></pre>`
	if detail != "" {
		d = `<pre class="detail" id="oc-detail">` + html.EscapeString(detail) + `</pre>`
	}
	script := ""
	if status == "success" {
		script = "\n    <script>setTimeout(function(){try{window.close()}catch(e){}},2500)</script>"
	}
	return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>` + headline + ` · OpenCode</title>
  </head>
  <body>
    <main class="card" id="oc-card" data-status="` + status + `" role="status" aria-live="polite">
      <h1 class="headline" id="oc-headline">` + headline + `</h1>
      <p class="message" id="oc-message">` + message + `</p>
      ` + d + `
      <p class="footnote" id="oc-footnote">` + footnote + `</p>
    </main>` + script + `
  </body>
</html>
`
}
