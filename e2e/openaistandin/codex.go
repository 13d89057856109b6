package openaistandin

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (s *Server) serveChatGPT(w http.ResponseWriter, r *http.Request, f Faults) {
	if r.URL.Path != PathResponses {
		writeJSON(w, http.StatusNotFound, map[string]any{"detail": "Not Found"})
		return
	}
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"detail": "Method Not Allowed"})
		return
	}
	s.responses(w, r, f)
}

// responses is POST chatgpt.com/backend-api/codex/responses: a streamed
// Responses API answer whose text is Options.Reply.
func (s *Server) responses(w http.ResponseWriter, r *http.Request, f Faults) {
	var body struct {
		Model  string `json:"model"`
		Stream *bool  `json:"stream"`
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	s.note(r, func(q *Request) { q.Model, q.Account = body.Model, r.Header.Get("ChatGPT-Account-Id") })

	// Authentication first, as the real backend does.
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || bearer == "" {
		writeJSON(w, http.StatusUnauthorized, apiError(msgTokenMissing, "invalid_request_error", ""))
		return
	}
	claims := jwtClaims(bearer)
	if claims == nil {
		writeJSON(w, http.StatusUnauthorized, apiError("Could not parse your authentication token. Please try signing in again.", "invalid_request_error", "token_invalid"))
		return
	}
	if exp, _ := claims["exp"].(float64); exp == 0 || time.Unix(int64(exp), 0).Before(time.Now()) {
		writeJSON(w, http.StatusUnauthorized, apiError(msgTokenExpired, "", "token_expired"))
		return
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"detail": "Invalid JSON body"})
		return
	}
	if f.Region {
		writeJSON(w, http.StatusForbidden, regionBody())
		return
	}
	if f.Responses != 0 {
		s.responsesFault(w, f)
		return
	}
	if status, refusal := s.entitlement(body.Model); refusal != nil {
		writeJSON(w, status, refusal)
		return
	}
	if body.Stream == nil || !*body.Stream {
		writeJSON(w, http.StatusBadRequest, map[string]any{"detail": "Stream must be set to true"})
		return
	}
	if body.Model == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"detail": "Model is required"})
		return
	}
	s.stream(w, r, body.Model, f.Stall)
}

// Retired lists the models the real backend stopped serving to ChatGPT
// accounts: gpt-5.2 and gpt-5.3-codex on 2026-06-02 (openai/codex#26053, a
// maintainer: "have been retired"; anomalyco/opencode#30306, #30392), and
// gpt-5.2-codex with them.
var Retired = []string{"gpt-5.2", "gpt-5.2-codex", "gpt-5.3-codex"}

// ProOnly reports whether only a Pro plan gets model: the -spark research
// preview (gpt-5.3-codex-spark: "Pro users only", anomalyco/opencode#13469;
// openai/codex#22357, #17642).
func ProOnly(model string) bool { return strings.HasSuffix(model, "-spark") }

// entitlement is the backend's per-plan check, done after authentication
// and before any streaming, with the real answers:
//   - a retired model, or a Pro-only one for another plan: HTTP 400
//     {"detail":"The '<model>' model is not supported when using Codex with a ChatGPT account."}
//     (the exact body in anomalyco/opencode#13469 and #30392);
//   - a plan without Codex (free): HTTP 429 with error type
//     usage_not_included (codex-rs codex-api api_bridge.rs maps that type to
//     "To use Codex with your ChatGPT plan, upgrade to Plus"; OpenCode users
//     see "Usage not included in your plan", anomalyco/opencode#7571).
func (s *Server) entitlement(model string) (int, map[string]any) {
	plan := s.opts.PlanType
	if plan == "free" {
		return http.StatusTooManyRequests, map[string]any{"error": map[string]any{
			"type":      "usage_not_included",
			"message":   msgUsageNotIncluded,
			"plan_type": plan,
		}}
	}
	id := strings.TrimPrefix(model, "openai/")
	retired := false
	for _, r := range Retired {
		retired = retired || id == r
	}
	if retired || (ProOnly(id) && plan != "pro") {
		return http.StatusBadRequest, map[string]any{"detail": "The '" + id + "' model is not supported when using Codex with a ChatGPT account."}
	}
	return 0, nil
}

func (s *Server) responsesFault(w http.ResponseWriter, f Faults) {
	if f.RetryAfter > 0 {
		w.Header().Set("retry-after-ms", strconv.FormatInt(f.RetryAfter.Milliseconds(), 10))
		w.Header().Set("retry-after", strconv.FormatInt(int64((f.RetryAfter+time.Second-1)/time.Second), 10))
	}
	switch f.Responses {
	case http.StatusUnauthorized:
		writeJSON(w, f.Responses, apiError(msgTokenExpired, "", "token_expired"))
	case http.StatusForbidden:
		// Cloudflare's challenge page, as users report it.
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.Header().Set("cf-ray", "8f00standin0000-LHR")
		w.WriteHeader(f.Responses)
		_, _ = io.WriteString(w, cloudflareChalPage)
	case http.StatusTooManyRequests:
		resets := 3 * 3600
		writeJSON(w, f.Responses, map[string]any{"error": map[string]any{
			"type":              "usage_limit_reached",
			"message":           msgUsageLimit,
			"plan_type":         s.opts.PlanType,
			"resets_at":         time.Now().Add(time.Duration(resets) * time.Second).Unix(),
			"resets_in_seconds": resets,
		}})
	case http.StatusInternalServerError:
		writeJSON(w, f.Responses, apiError(msgServerError, "server_error", "server_error"))
	default:
		writeJSON(w, f.Responses, apiError(http.StatusText(f.Responses), "server_error", ""))
	}
}

// stream writes the Responses API event sequence the OpenAI provider of the
// AI SDK (and codex) expect: created, in_progress, output_item.added,
// content_part.added, output_text.delta…, output_text.done,
// content_part.done, output_item.done, completed (with usage).
func (s *Server) stream(w http.ResponseWriter, r *http.Request, model string, stall bool) {
	fl, _ := w.(http.Flusher)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("x-request-id", "req_"+randToken(12))
	w.WriteHeader(http.StatusOK)

	seq := 0
	send := func(typ string, ev map[string]any) bool {
		ev["type"] = typ
		ev["sequence_number"] = seq
		seq++
		b, _ := json.Marshal(ev)
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ, b); err != nil {
			return false
		}
		if fl != nil {
			fl.Flush()
		}
		return true
	}
	now := time.Now().Unix()
	respID := "resp_" + randToken(18)
	msgID := "msg_" + randToken(18)
	response := func(status string, output []any, usage any) map[string]any {
		return map[string]any{
			"id": respID, "object": "response", "created_at": now, "status": status,
			"model": model, "output": output, "usage": usage, "error": nil,
			"incomplete_details": nil, "parallel_tool_calls": false, "store": false,
			"service_tier": "auto", "tools": []any{}, "tool_choice": "auto",
		}
	}
	if !send("response.created", map[string]any{"response": response("in_progress", []any{}, nil)}) {
		return
	}
	if stall {
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	}
	if !send("response.in_progress", map[string]any{"response": response("in_progress", []any{}, nil)}) {
		return
	}
	text := s.opts.Reply
	if !send("response.output_item.added", map[string]any{"output_index": 0, "item": map[string]any{
		"id": msgID, "type": "message", "status": "in_progress", "role": "assistant", "content": []any{},
	}}) {
		return
	}
	if !send("response.content_part.added", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0,
		"part": map[string]any{"type": "output_text", "text": "", "annotations": []any{}, "logprobs": []any{}}}) {
		return
	}
	for _, d := range chunks(text) {
		if !send("response.output_text.delta", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "delta": d, "logprobs": []any{}}) {
			return
		}
	}
	part := map[string]any{"type": "output_text", "text": text, "annotations": []any{}, "logprobs": []any{}}
	item := map[string]any{"id": msgID, "type": "message", "status": "completed", "role": "assistant", "content": []any{part}}
	if !send("response.output_text.done", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "text": text, "logprobs": []any{}}) ||
		!send("response.content_part.done", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "part": part}) ||
		!send("response.output_item.done", map[string]any{"output_index": 0, "item": item}) {
		return
	}
	out := len(strings.Fields(text)) + 1
	send("response.completed", map[string]any{"response": response("completed", []any{item}, map[string]any{
		"input_tokens": 42, "input_tokens_details": map[string]any{"cached_tokens": 0},
		"output_tokens": out, "output_tokens_details": map[string]any{"reasoning_tokens": 0},
		"total_tokens": 42 + out,
	})})
}

// chunks splits text into a few deltas (one per word, spaces kept).
func chunks(text string) []string {
	var out []string
	start := 0
	for i := 1; i < len(text); i++ {
		if text[i] == ' ' {
			out = append(out, text[start:i])
			start = i
		}
	}
	return append(out, text[start:])
}
