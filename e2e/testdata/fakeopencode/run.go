package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"
)

func randID(prefix string, n int) string {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := randBytes(n)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return prefix + string(b)
}

// unknownError is the opaque error opencode prints for a missing model or
// credential (the real cause only shows with --print-logs).
func unknownError() {
	ref := "err_" + hex.EncodeToString(randBytes(4))
	uiPrintln(styleDanger + "Error: " + styleNormal + "{\n  \"name\": \"UnknownError\",\n  \"data\": {\n    \"message\": \"Unexpected server error. Check server logs for details.\",\n    \"ref\": \"" + ref + "\"\n  }\n}")
}

func jsonLine(typ, session string, fields map[string]any) {
	m := map[string]any{"type": typ, "timestamp": time.Now().UnixMilli(), "sessionID": session}
	for k, v := range fields {
		m[k] = v
	}
	// the real line has type, timestamp, sessionID first; encoding/json sorts
	// keys, so build it by hand to keep that order.
	var b strings.Builder
	b.WriteString(`{"type":` + mustJSON(typ) + `,"timestamp":` + fmt.Sprint(m["timestamp"]) + `,"sessionID":` + mustJSON(session))
	for _, k := range []string{"part", "error"} {
		if v, ok := fields[k]; ok {
			b.WriteString(`,"` + k + `":` + mustJSON(v))
		}
	}
	b.WriteString("}\n")
	os.Stdout.WriteString(b.String())
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func runCmd(a cliArgs) int {
	ensureDefaultConfig()
	msg := strings.Join(append(append([]string{}, a.pos...), a.rest...), " ")
	if !isTTY(os.Stdin) { // Bun.stdin.text(): blocks until EOF
		b, _ := io.ReadAll(os.Stdin)
		if p := string(b); p != "" {
			if msg == "" {
				msg = p
			} else {
				msg += "\n" + p
			}
		}
	}
	if strings.TrimSpace(msg) == "" && a.flags["command"] == "" {
		errorLine("You must provide a message or a command")
		return 1
	}
	jsonOut := a.flags["format"] == "json"
	cfg := globalConfig()
	model := a.flags["model"]
	if model == "" {
		if m, ok := cfg["model"].(string); ok {
			model = m
		} else if openaiAuth(cfg) != "" {
			model = "openai/gpt-5.5"
		} else {
			model = "opencode/big-pickle"
		}
	}
	providerID, modelID, _ := strings.Cut(model, "/")
	agent := a.flags["agent"]
	if agent == "" {
		agent = "build"
	}
	session := randID("ses_", 26)
	delay := envDuration("FAKE_OPENCODE_RUN_DELAY", 0)

	mode := env("FAKE_OPENCODE_RUN")
	if mode == "" {
		mode = "ok"
		ids, ok := providerModels(providerID, cfg)
		found := false
		for _, m := range ids {
			if m == modelID {
				found = true
			}
		}
		if !ok || !found {
			mode = "nocred"
		}
	}
	header := func() {
		if !jsonOut {
			uiEmpty()
			uiPrintln("> " + agent + " · " + modelID)
			uiEmpty()
		}
	}
	if mode == "ok" && providerID == "openai" && openaiAuth(cfg) == "oauth" {
		mode = entitlement(modelID)
	}
	switch mode {
	case "notsupported":
		// Measured: the real 1.18.33 against the e2e stand-in's 400 (the
		// body of anomalyco/opencode#13469), rc 1.
		header()
		time.Sleep(delay)
		errorLine(`Bad Request: {"detail":"The '` + modelID + `' model is not supported when using Codex with a ChatGPT account."}`)
		return 1
	case "notincluded":
		// Measured: the real 1.18.33 against the stand-in's 429
		// usage_not_included (it retries for ~75 s first), rc 1.
		header()
		time.Sleep(delay)
		errorLine("Usage not included in your plan")
		return 1
	case "nocred", "fail":
		time.Sleep(delay)
		if jsonOut {
			jsonLine("error", session, map[string]any{"error": map[string]any{
				"name": "UnknownError",
				"data": map[string]any{"message": "Unexpected server error. Check server logs for details.", "ref": "err_" + hex.EncodeToString(randBytes(4))},
			}})
			return 1
		}
		unknownError()
		return 1
	case "hang":
		header()
		hangForever()
	case "offline":
		header()
		time.Sleep(delay)
		const m = "Cannot connect to API: Unable to connect. Is the computer able to access the url?"
		if jsonOut {
			os.Stdout.WriteString(`{"type":"error","timestamp":` + fmt.Sprint(time.Now().UnixMilli()) + `,"sessionID":` + mustJSON(session) +
				`,"error":{"name":"APIError","data":{"message":` + mustJSON(m) + `,"isRetryable":true,"metadata":{"url":"https://api.openai.com/v1/responses"}}}}` + "\n")
			return 1
		}
		errorLine(m)
		return 1
	}
	// ok / leak
	header()
	time.Sleep(delay)
	text := env("FAKE_OPENCODE_RUN_TEXT")
	if text == "" {
		text = "ok"
	}
	if mode == "leak" {
		c := canary()
		if c == "" {
			c = "NO-CANARY-SET"
		}
		jwt := fakeJWT(time.Now().Add(time.Hour))
		text = "debug dump: access_token=" + jwt + " refresh_token=rt_" + c + " OPENAI_API_KEY=sk-proj-" + c + "\n" +
			// one secret of each provider shape heidi's redactor knows
			"providers: ghp_" + c + " gho_" + c + " ghu_" + c + " ghs_" + c + " ghr_" + c + " github_pat_11" + c + "_x" +
			" glpat-" + c + " gsk_" + c + " hf_" + c + " AIza" + c + "0123456789abc ya29." + c + " GOCSPX-" + c +
			" pplx-" + c + " csk-" + c + " fw_" + c + " nvapi-" + c + " sk-ant-oat01-" + c + " sk-or-v1-" + c + " AKIA" + strings.ToUpper(c)[:16] + " ASIA" + strings.ToUpper(c)[:16] + "\n" +
			"env: GITHUB_TOKEN=" + c + " ANTHROPIC_API_KEY=" + c + " AWS_SECRET_ACCESS_KEY=" + c + "\n" +
			// and every secret-looking value of the store, as is, base64 and URL-escaped
			storeDump() + "ok"
		uiPrintln("Authorization: Bearer " + jwt)
	}
	msgID := randID("msg_", 26)
	now := time.Now().UnixMilli()
	if jsonOut {
		jsonLine("step_start", session, map[string]any{"part": map[string]any{"id": randID("prt_", 26), "sessionID": session, "messageID": msgID, "type": "step-start"}})
		jsonLine("text", session, map[string]any{"part": map[string]any{"id": randID("prt_", 26), "sessionID": session, "messageID": msgID, "type": "text", "text": text, "time": map[string]any{"start": now, "end": now}}})
		jsonLine("step_finish", session, map[string]any{"part": map[string]any{"id": randID("prt_", 26), "sessionID": session, "messageID": msgID, "type": "step-finish", "reason": "stop", "cost": 0,
			"tokens": map[string]any{"input": 12, "output": 1, "reasoning": 0, "cache": map[string]any{"read": 0, "write": 0}}}})
		return 0
	}
	t := strings.TrimSpace(text)
	if !isTTY(os.Stdout) {
		os.Stdout.WriteString(t + "\n")
		return 0
	}
	uiEmpty()
	uiPrintln(t)
	uiEmpty()
	return 0
}

// accountPlan is the ChatGPT plan of the logged-in account: the backend's
// truth is FAKE_OPENCODE_PLAN when set, else the plan claim of the stored
// access token, else "plus".
func accountPlan() string {
	if p := env("FAKE_OPENCODE_PLAN"); p != "" {
		return p
	}
	if v, ok := readAuth().get("openai"); ok {
		if o, ok := v.(*obj); ok {
			if a, ok := o.get("access"); ok {
				if tok, ok := a.(string); ok {
					if p := planClaim(tok); p != "" {
						return p
					}
				}
			}
		}
	}
	return "plus"
}

func planClaim(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Auth struct {
			Plan string `json:"chatgpt_plan_type"`
		} `json:"https://api.openai.com/auth"`
	}
	_ = json.Unmarshal(b, &c)
	return c.Auth.Plan
}

// entitlement is the Codex backend's per-plan answer to a ChatGPT login (as
// the e2e stand-in's, which cites the real texts): Free gets no Codex, the
// -spark research preview is Pro only.
func entitlement(modelID string) string {
	plan := accountPlan()
	switch {
	case plan == "free":
		return "notincluded"
	case strings.HasSuffix(modelID, "-spark") && plan != "pro":
		return "notsupported"
	}
	return "ok"
}

// storeDump prints each string value (12 bytes or more) of every stored
// credential as is, in standard base64 and URL-escaped: a hostile or
// verbose child that echoes the user's secrets of any shape.
func storeDump() string {
	var b strings.Builder
	for _, e := range readAuth().kvs {
		o, ok := e.v.(*obj)
		if !ok {
			continue
		}
		for _, f := range o.kvs {
			v, ok := f.v.(string)
			if !ok || len(v) < 12 || f.k == "type" || f.k == "accountId" {
				continue
			}
			b.WriteString(e.k + "." + f.k + ": " + v + " b64=" + base64.StdEncoding.EncodeToString([]byte(v)) + " url=" + url.QueryEscape(v) + "\n")
		}
	}
	return b.String()
}
