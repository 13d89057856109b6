package main

// OpenCode 2 (npm @opencode/cli 2.0.17, what the curl installer gives),
// switched on by FAKE_OPENCODE_VERSION=2.x. No real V2 is on the registry
// here, so this part is built from its source, anomalyco/opencode, read
// file by file (commits per file, 2026-12-04):
//   packages/cli/package.json                         04f4b061 (2.0.17)
//   packages/cli/src/commands/commands.ts             0720c006 (the tree, ServerParams)
//   packages/cli/src/commands/handlers/auth/login.ts  0cf6dc2d (the login lines)
//   packages/cli/src/commands/handlers/auth/list.ts   9bf98793 (list, --format json)
//   packages/cli/src/commands/handlers/auth/shared.ts 9bf98793 (resolveMethod)
//   packages/cli/src/commands/handlers/models.ts      89092562
//   packages/core/src/plugin/provider/openai.ts       046ce550 (method ids, labels, model gating)
//   packages/core/src/integration.ts                  0cf6dc2d (connections, labels, 10-minute attempts)
//   packages/core/src/database/migration/20260805200742_import_legacy_credentials.ts 40ce5240
// What it reproduces: `--version` ("opencode v2.0.17"), `auth list
// [--format json]`, `auth login <target> --method <id>` (the browser and
// device-code flows, all on stdout in clack's lines), `auth logout
// <target> <credential>`, `models` (no provider), `run`; credentials in
// its own database (opencode.db, this fake's JSON, never read by heidi),
// auth.json imported once and then ignored; and the background service:
// without --standalone a command registers one in
// $XDG_STATE_HOME/opencode/service.json that outlives it, as the real one
// spawns `opencode serve --service` detached.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func isV2() bool { return strings.HasPrefix(version(), "2.") }

// v2Method is one OpenAI login method: openai.ts at 046ce550 (labels; a
// later version renamed them "Codex … (legacy)").
type v2Method struct{ id, label string }

func v2Methods() []v2Method {
	return []v2Method{
		{"chatgpt-browser", "ChatGPT Pro/Plus (browser)"},
		{"chatgpt-headless", "ChatGPT Pro/Plus (headless)"},
		{"key", "API key"},
	}
}

// ---- the database ----------------------------------------------------------

type v2Cred struct {
	ID          string         `json:"id"`
	Integration string         `json:"integration"`
	MethodID    string         `json:"methodID"`
	Label       string         `json:"label"`
	Active      bool           `json:"active"`
	Value       map[string]any `json:"value"`
}

type v2DB struct {
	Imported    bool     `json:"imported"`
	Credentials []v2Cred `json:"credentials"`
}

func v2DBPath() string { return filepath.Join(dataDir(), "opencode.db") }

// v2Load opens the database; the first open imports auth.json once (the
// migration skips an integration that has a credential already).
func v2Load() *v2DB {
	db := &v2DB{}
	if b, err := os.ReadFile(v2DBPath()); err == nil && json.Unmarshal(b, db) == nil && db.Imported {
		return db
	}
	db.Imported = true
	for _, e := range readAuth().kvs {
		o, ok := e.v.(*obj)
		if !ok {
			continue
		}
		value := map[string]any{}
		switch entryType(o) {
		case "api":
			k, _ := o.get("key")
			value["type"], value["key"] = "key", k
		case "oauth":
			value["type"] = "oauth"
			for _, f := range []string{"refresh", "access", "expires"} {
				if v, ok := o.get(f); ok {
					value[f] = v
				}
			}
			if a, ok := o.get("accountId"); ok {
				value["metadata"] = map[string]any{"accountID": a}
			}
		default:
			continue
		}
		method := "key"
		if value["type"] == "oauth" {
			method = "chatgpt-browser"
		}
		db.Credentials = append(db.Credentials, v2Cred{ID: "cred_" + b64url(randBytes(12)), Integration: e.k, MethodID: method, Label: "default", Active: true, Value: value})
	}
	v2Save(db)
	return db
}

func v2Save(db *v2DB) {
	b, _ := json.MarshalIndent(db, "", "  ")
	_ = os.MkdirAll(dataDir(), 0o755)
	_ = os.WriteFile(v2DBPath(), b, 0o600)
}

// creds are an integration's credentials, the active one first (the
// server lists them reversed, newest first, and the newest is active).
func (db *v2DB) creds(integration string) []v2Cred {
	var out []v2Cred
	for i := len(db.Credentials) - 1; i >= 0; i-- {
		if c := db.Credentials[i]; c.Integration == integration {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Active && !out[j].Active })
	return out
}

// add stores a new active credential: labels "OpenAI", "OpenAI 2", …
// (integration.ts createCredential).
func (db *v2DB) add(integration, methodID string, value map[string]any) {
	n := len(db.creds(integration))
	label := "OpenAI"
	if n > 0 {
		label = "OpenAI " + strconv.Itoa(n+1)
	}
	for i := range db.Credentials {
		if db.Credentials[i].Integration == integration {
			db.Credentials[i].Active = false
		}
	}
	db.Credentials = append(db.Credentials, v2Cred{ID: "cred_" + b64url(randBytes(12)), Integration: integration, MethodID: methodID, Label: label, Active: true, Value: value})
	v2Save(db)
}

// v2OpenAIAuth is how OpenAI is connected on V2: the active credential's
// type ("oauth" or "api"), else OPENAI_API_KEY ("api"), else "".
func v2OpenAIAuth() string {
	if cs := v2Load().creds("openai"); len(cs) > 0 {
		if cs[0].Value["type"] == "oauth" {
			return "oauth"
		}
		return "api"
	}
	if os.Getenv("OPENAI_API_KEY") != "" {
		return "api"
	}
	return ""
}

// ---- the command tree ------------------------------------------------------

func runV2(argv []string) int {
	a := parseArgs(argv, false)
	if a.has("version") { // Effect's built-in: "<name> v<version>" on stdout
		fmt.Fprintln(os.Stdout, "opencode v"+version())
		return 0
	}
	words := a.pos
	if len(words) == 0 {
		if a.has("help") {
			os.Stdout.WriteString(v2Help)
			return 0
		}
		errorLine("the opencode TUI is not implemented by fakeopencode")
		return 1
	}
	if !a.has("standalone") && a.flags["server"] == "" {
		v2EnsureService()
	}
	switch words[0] {
	case "auth":
		sub := ""
		if len(words) > 1 {
			sub = words[1]
		}
		rest := words[min(2, len(words)):]
		switch sub {
		case "list":
			return v2AuthList(a)
		case "login":
			return v2AuthLogin(a, rest)
		case "logout":
			return v2AuthLogout(rest)
		}
		os.Stdout.WriteString(v2Help)
		return 0
	case "models":
		return modelsCmd(cliArgs{flags: a.flags})
	case "run":
		return runCmd(parseArgs(argv[1:], false))
	}
	errorLine("fakeopencode: command " + strconv.Quote(words[0]) + " is not implemented")
	return 1
}

const v2Help = `DESCRIPTION
  OpenCode command line interface

USAGE
  opencode [flags] [directory]

SUBCOMMANDS
  auth      Manage integration credentials
  models    List available models
  run       Run OpenCode with a message
  serve     Start a headless OpenCode server
`

// v2EnsureService stands for Service.ensure: with no service registered,
// the real CLI spawns `opencode serve --service` detached (it outlives the
// command) and registers it in service.json.
func v2EnsureService() {
	p := filepath.Join(stateDir(), "service.json")
	if _, err := os.Stat(p); err == nil {
		return
	}
	_ = os.MkdirAll(stateDir(), 0o755)
	_ = os.WriteFile(p, []byte(`{"id":"svc_fake","version":"`+version()+`","url":"http://127.0.0.1:49374","pid":0,"password":"x"}`), 0o600)
}

func v2JSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	return b.String()
}

// v2AuthList is list.ts at 9bf98793: integrations that have connections,
// credentials (active first) then env variables.
func v2AuthList(a cliArgs) int {
	type conn struct {
		Type   string `json:"type"`
		ID     string `json:"id,omitempty"`
		Label  string `json:"label,omitempty"`
		Method string `json:"method,omitempty"`
		Name   string `json:"name,omitempty"`
	}
	type integ struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Connections []conn `json:"connections"`
	}
	db := v2Load()
	var conns []conn
	for _, c := range db.creds("openai") {
		m := "key"
		if c.Value["type"] == "oauth" {
			m = "oauth"
		}
		conns = append(conns, conn{Type: "credential", ID: c.ID, Label: c.Label, Method: m})
	}
	if os.Getenv("OPENAI_API_KEY") != "" {
		conns = append(conns, conn{Type: "env", Name: "OPENAI_API_KEY"})
	}
	list := []integ{}
	if len(conns) > 0 {
		list = append(list, integ{ID: "openai", Name: "OpenAI", Connections: conns})
	}
	if a.flags["format"] == "json" {
		os.Stdout.WriteString(v2JSON(list))
		return 0
	}
	if len(list) == 0 {
		os.Stdout.WriteString("No authenticated integrations\n")
		return 0
	}
	width := len("OpenAI") + 2
	for _, c := range conns {
		source, typ := c.Label, "stored"
		if c.Type == "env" {
			source, typ = c.Name, "environment"
		}
		fmt.Fprintf(os.Stdout, "%-*s%-28s%s\n", width, "OpenAI", source, typ)
	}
	return 0
}

// v2Fail is handlePromptErrors: "│ ■ <msg>", then outro "Failed", rc 1,
// all on stdout.
func v2Fail(msg string) int {
	logError(msg)
	outro("Failed")
	return 1
}

func v2AuthLogin(a cliArgs, rest []string) int {
	interactive := isTTY(os.Stdin) && isTTY(os.Stdout)
	if len(rest) == 0 && !interactive {
		return v2Fail("Pass an integration ID or name when running without an interactive terminal")
	}
	intro("Connect an integration")
	if len(rest) == 0 || (rest[0] != "openai" && !strings.EqualFold(rest[0], "OpenAI")) {
		target := ""
		if len(rest) > 0 {
			target = rest[0]
		}
		return v2Fail("Integration not found: " + target)
	}
	want := a.flags["method"]
	var m v2Method
	if want == "" {
		if !interactive {
			return v2Fail("Pass --method when running without an interactive terminal")
		}
		return v2Fail("the method menu is not implemented by fakeopencode")
	}
	var ids []string
	for _, c := range v2Methods() {
		ids = append(ids, c.id)
		if c.id == want || (c.id != "key" && strings.EqualFold(c.label, want)) || (c.id == "key" && want == "key") {
			m = c
		}
	}
	if m.id == "" {
		return v2Fail("Authentication method not found: " + want + ". Available: " + strings.Join(ids, ", "))
	}
	if m.id == "key" {
		return v2Fail("API key input requires an interactive terminal")
	}
	logStep("Authorization started")
	switch m.id {
	case "chatgpt-headless":
		return v2DeviceLogin()
	default:
		return v2BrowserLogin()
	}
}

func logStep(msg string) { logMessage(msg, cGreen(sStepSubmit)) }

// v2Wait waits for the attempt: done gives its error ("" for success); an
// interrupt (SIGINT, SIGTERM) ends it with "└  Cancelled" and rc 0
// (Effect's teardown maps an interrupt to 0; not measured on a real V2).
func v2Wait(done <-chan string) int {
	logStep("Waiting for authorization...")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	lifetime := envDuration("FAKE_OPENCODE_LOGIN_TIMEOUT", 10*time.Minute) // the server's attempt lifetime
	if loginMode() == "hang" {
		lifetime = 1000 * time.Hour
	}
	select {
	case e := <-done:
		if e != "" {
			return v2Fail(e)
		}
	case <-sig:
		out(cGray(sBarEnd) + "  " + cRed("Cancelled") + "\n\n")
		return 0
	case <-time.After(lifetime):
		return v2Fail("Authorization expired")
	}
	if loginMode() != "noop" {
		exp := time.Now().Add(time.Hour)
		refresh := "rt_" + b64url(randBytes(24))
		if c := canary(); c != "" {
			refresh = "rt_" + c
		}
		v2Load().add("openai", "chatgpt-browser", map[string]any{"type": "oauth", "refresh": refresh, "access": fakeJWT(exp),
			"expires": exp.UnixMilli(), "metadata": map[string]any{"accountID": "acct-fake-000"}})
	}
	logSuccess("Connected to OpenAI")
	outro("Done")
	return 0
}

func v2BrowserLogin() int {
	port := callbackPort()
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		// The newer source's text when 1455 (and 1457) are taken.
		return v2Fail(fmt.Sprintf("OpenAI browser login needs local port %d or 1457, but both are already in use. Stop the processes using those ports or choose ChatGPT Pro/Plus (headless), then try again.", port))
	}
	redirect := fmt.Sprintf("http://localhost:%d/auth/callback", port)
	_, challenge := pkce()
	state := b64url(randBytes(32))
	done := make(chan string, 4)
	mux := http.NewServeMux()
	mux.HandleFunc("/auth/callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case q.Get("error") != "":
			w.WriteHeader(200)
			_, _ = w.Write([]byte(errorPage(q.Get("error_description"))))
			done <- q.Get("error_description")
		case q.Get("code") == "":
			w.WriteHeader(400)
			_, _ = w.Write([]byte(errorPage("Missing authorization code")))
			done <- "Missing authorization code"
		case q.Get("state") != state:
			w.WriteHeader(400)
			_, _ = w.Write([]byte(errorPage("Invalid OAuth state")))
			done <- "Invalid OAuth state"
		default:
			_, _ = w.Write([]byte(successPage()))
			switch loginMode() {
			case "fail":
				done <- "Token exchange failed: 400"
			case "hang":
			default:
				done <- ""
			}
		}
	})
	mux.HandleFunc("/cancel", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("Login cancelled"))
		done <- "Login cancelled"
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer ln.Close()
	logInfo("Complete authorization in your browser. This window will close automatically.")
	logInfo(authorizeURL(redirect, challenge, state))
	return v2Wait(done)
}

func v2DeviceLogin() int {
	switch env("FAKE_OPENCODE_DEVICE") {
	case "offline":
		return v2Fail("Unable to connect. Is the computer able to access the url?")
	case "disabled":
		return v2Fail("Device authorization failed: 404")
	}
	logInfo("Enter code: " + deviceCode())
	logInfo(issuer + "/codex/device")
	done := make(chan string, 1)
	go func() {
		if f := env("FAKE_OPENCODE_DEVICE_APPROVE"); f != "" {
			for {
				if _, err := os.Stat(f); err == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		} else {
			time.Sleep(envDuration("FAKE_OPENCODE_DEVICE_DELAY", time.Second))
		}
		switch loginMode() {
		case "hang":
			return
		case "fail":
			done <- "Device authorization failed: 500"
		default:
			done <- ""
		}
	}()
	return v2Wait(done)
}

// v2AuthLogout is logout.ts (the newer one): without a TTY both the
// integration and the credential must be named.
func v2AuthLogout(rest []string) int {
	interactive := isTTY(os.Stdin) && isTTY(os.Stdout)
	switch {
	case len(rest) == 0 && !interactive:
		return v2Fail("Pass an integration ID or name when running without an interactive terminal")
	case len(rest) < 2 && !interactive:
		return v2Fail("Pass a credential ID or label when running without an interactive terminal")
	case len(rest) < 2:
		return v2Fail("the account picker is not implemented by fakeopencode")
	}
	intro("Log out of an account")
	db := v2Load()
	cs := db.creds("openai")
	if len(cs) == 0 {
		if os.Getenv("OPENAI_API_KEY") != "" {
			return v2Fail("OpenAI is authenticated through OPENAI_API_KEY; unset the environment variable to disconnect")
		}
		return v2Fail("No stored credentials for OpenAI")
	}
	var keep []v2Cred
	found := false
	for _, c := range db.Credentials {
		if c.Integration == "openai" && !found && (c.ID == rest[1] || strings.EqualFold(c.Label, rest[1])) {
			found = true
			continue
		}
		keep = append(keep, c)
	}
	if !found {
		return v2Fail("Credential not found for OpenAI: " + rest[1])
	}
	db.Credentials = keep
	if left := db.creds("openai"); len(left) > 0 {
		for i := range db.Credentials {
			if db.Credentials[i].ID == left[0].ID {
				db.Credentials[i].Active = true
			}
		}
	}
	v2Save(db)
	logStep("Removed account from OpenAI")
	outro("Done")
	return 0
}
