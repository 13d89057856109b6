package redact

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

const (
	// A JWT whose signature carries a canary.
	jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6MTc5NTkyMDQ2N30.c2lnQ0FOQVJZand0c2lnbmF0dXJl"
	// An unsigned two-part JWT (second part starts with eyJ as well).
	jwt2     = "eyJhbGciOiJub25lIn0.eyJDQU5BUlkiOiJ0d28ifQ"
	skKey    = "sk-proj-CANARYabcdefghijklmnop_QRST-uvwx"
	skShort  = "sk-test-123"
	rtToken  = "rt_fake_from_server"
	rtCanary = "rt_CANARY.refresh-token_value"
	// 43-character PKCE challenge and state; the challenge deliberately
	// starts like an API key to prove query values of code_challenge and
	// state are never redacted.
	challenge = "sk-Aq3Xj9ZkP0oLmNbVcX1zQwErTyUiOpAsDfGhJkL"
	state     = "rt_Qm9ZkP0oLmNbVcX1zQwErTyUiOpAsDfGhJkL12345"
)

var authorizeURL = "https://auth.openai.com/oauth/authorize?response_type=code&client_id=app_EMoamEEZ73f0CkXaXp7hrann" +
	"&redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback&scope=openid+profile+email+offline_access" +
	"&code_challenge=" + challenge + "&code_challenge_method=S256&id_token_add_organizations=true" +
	"&codex_cli_simplified_flow=true&state=" + state + "&originator=opencode"

// Printed by opencode 1.18.33 (`opencode auth login`, browser method).
const liveURL = "https://auth.openai.com/oauth/authorize?response_type=code&client_id=app_EMoamEEZ73f0CkXaXp7hrann&redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback&scope=openid+profile+email+offline_access&code_challenge=EMLOaxRIEZMdxF7znl3TiufUkE2VoSLOV34-SXJkv8c&code_challenge_method=S256&id_token_add_organizations=true&codex_cli_simplified_flow=true&state=NgIuXRTgIiD0k4tE9jYi5qyBlIg9jh1_USkL03HjIMI&originator=opencode"

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "hello world", "hello world"},
		{"authorize URL intact", "●  Go to: " + authorizeURL + "\n", "●  Go to: " + authorizeURL + "\n"},
		{"authorize URL in colour", "\x1b[36m" + authorizeURL + "\x1b[39m", "\x1b[36m" + authorizeURL + "\x1b[39m"},
		{"callback code", "GET http://localhost:1455/auth/callback?code=ac_CANARY-xyz.123&state=" + state + " HTTP/1.1",
			"GET http://localhost:1455/auth/callback?code=[redacted]&state=" + state + " HTTP/1.1"},
		{"code at start", "code=abc123", "code=[redacted]"},
		{"code after space", "got code=abc123 ok", "got code=[redacted] ok"},
		{"code_challenge kept", "?code_challenge=abc&code_challenge_method=S256", "?code_challenge=abc&code_challenge_method=S256"},
		{"response_type=code kept", "?response_type=code&x=1", "?response_type=code&x=1"},
		{"mycode= kept", "mycode=abc", "mycode=abc"},
		{"fragment token", "cb#access_token=abc.def&token_type=bearer", "cb#access_token=[redacted]&token_type=bearer"},
		{"form body", "grant_type=refresh_token&refresh_token=" + rtToken + "&client_id=app_x",
			"grant_type=refresh_token&refresh_token=[redacted]&client_id=app_x"},
		{"id_token param", "?id_token=" + jwt + "&x", "?id_token=[redacted]&x"},
		{"env assignment", "OPENAI_API_KEY=hunter2hunter2 opencode", "OPENAI_API_KEY=[redacted] opencode"},
		{"empty value", "?code=&state=1", "?code=&state=1"},
		{"jwt", "token " + jwt + " end", "token [redacted] end"},
		{"jwt two parts", "x " + jwt2 + ".", "x [redacted]."},
		{"jwt header only kept", "eyJhbGciOiJub25lIn0 and eyJhbGciOiJub25lIn0.abc", "eyJhbGciOiJub25lIn0 and eyJhbGciOiJub25lIn0.abc"},
		{"jwt glued to a word kept", "abceyJa.b.c", "abceyJa.b.c"},
		{"sk key", "key: " + skKey + "\n", "key: [redacted]\n"},
		{"sk key in colour", "\x1b[1m" + skKey + "\x1b[0m", "\x1b[1m[redacted]\x1b[0m"},
		{"short sk kept", "sk-test-123", "sk-test-123"},
		{"sk inside word kept", "task-abcdefghijklmnopqrstuvwxyz", "task-abcdefghijklmnopqrstuvwxyz"},
		{"rt token", "refresh " + rtToken, "refresh [redacted]"},
		{"rt with dots", "(" + rtCanary + ")", "([redacted])"},
		{"rt inside word kept", "support_ticket_identifier_123", "support_ticket_identifier_123"},
		{"bearer", "Authorization: Bearer abcDEF123456-_.~+/=", "Authorization: Bearer [redacted]"},
		{"bearer lower", "authorization: bearer abcdefgh1", "authorization: bearer [redacted]"},
		{"bearer jwt", "Bearer " + jwt, "Bearer [redacted]"},
		{"bearer prose kept", "missing Bearer token", "missing Bearer token"},
		{"short bearer in header", "Authorization:  Bearer abc\r\n", "Authorization:  Bearer [redacted]\r\n"},
		{"live authorize URL intact", liveURL, liveURL},
		{"device code kept", "●  Enter code: ABCD-1234\n", "●  Enter code: ABCD-1234\n"},
		{"model ids kept", "openai/gpt-5.3-codex-spark openai/gpt-5.4-mini-fast", "openai/gpt-5.3-codex-spark openai/gpt-5.4-mini-fast"},
		{"paths kept", "/root/.local/share/opencode/auth.json ~/.codex/auth.json", "/root/.local/share/opencode/auth.json ~/.codex/auth.json"},
		{"opencode auth.json",
			"{\n  \"openai\": {\n    \"type\": \"oauth\",\n    \"refresh\": \"rt_x\",\n    \"access\": \"abc\",\n    \"expires\": 1795920467286,\n    \"accountId\": \"acct-fake-000\"\n  }\n}",
			"{\n  \"openai\": {\n    \"type\": \"oauth\",\n    \"refresh\": \"[redacted]\",\n    \"access\": \"[redacted]\",\n    \"expires\": 1795920467286,\n    \"accountId\": \"acct-fake-000\"\n  }\n}"},
		{"api key json", `{"openai":{"type":"api","key":"sk-test-123"}}`, `{"openai":{"type":"api","key":"[redacted]"}}`},
		{"codex auth.json", `{"OPENAI_API_KEY":null,"tokens":{"id_token" : "a","access_token":	"b\"c","refresh_token":"d","account_id":"e"}}`,
			`{"OPENAI_API_KEY":null,"tokens":{"id_token" : "[redacted]","access_token":	"[redacted]","refresh_token":"[redacted]","account_id":"e"}}`},
		{"json apiKey", `{"apiKey": "xyz", "api_key":"uvw", "token":"t", "OPENAI_API_KEY": "k"}`,
			`{"apiKey": "[redacted]", "api_key":"[redacted]", "token":"[redacted]", "OPENAI_API_KEY": "[redacted]"}`},
		{"json empty value kept", `{"key": ""}`, `{"key": ""}`},
		{"json other keys kept", `{"keys": "a", "tokens": "b", "type": "oauth"}`, `{"keys": "a", "tokens": "b", "type": "oauth"}`},
		{"json unterminated", `{"access": "abc`, `{"access": "[redacted]`},
		{"json value ends at newline", "\"key\": \"abc\nnext line", "\"key\": \"[redacted]\nnext line"},
		{"osc8 hyperlink", "\x1b]8;;http://x/cb?code=abc\x1b\\link\x1b]8;;\x1b\\", "\x1b]8;;http://x/cb?code=[redacted]\x1b\\link\x1b]8;;\x1b\\"},
		{"two secrets", skKey + " " + rtToken, "[redacted] [redacted]"},
		{"utf8 around", "→" + skKey + "←", "→[redacted]←"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// streamAll feeds in through a Stream cut at the given points and returns
// all output, including the final Flush.
func streamAll(in []byte, cuts []int) []byte {
	s := NewStream()
	var out []byte
	prev := 0
	for _, c := range cuts {
		out = append(out, s.Write(in[prev:c])...)
		prev = c
	}
	out = append(out, s.Write(in[prev:])...)
	return append(out, s.Flush()...)
}

func randomCuts(r *rand.Rand, n int) []int {
	if n == 0 {
		return nil
	}
	k := r.IntN(8)
	if r.IntN(4) == 0 {
		k = n // sometimes byte by byte
	}
	cuts := make([]int, 0, k)
	for range k {
		cuts = append(cuts, r.IntN(n+1))
	}
	if k == n {
		cuts = cuts[:0]
		for i := 1; i < n; i++ {
			cuts = append(cuts, i)
		}
	}
	sortInts(cuts)
	return cuts
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

var benign = []string{
	"hello", " ", "\n", "\r\n", "world", "\x1b[1m", "\x1b[0m", "\x1b[36m", "\x1b[999D", "\x1b[4A", "\x1b[J", "\x1b[2K\x1b[G",
	"\x1b[?25l", "\x1b[?25h", "◐  Waiting for authorization...", "│  ", "●  Go to: ", authorizeURL, "Enter code: ABCD-1234",
	"openai/gpt-5.4", "e", "ey", "eyJ", "eyJhbGciOi", "s", "sk", "sk-", "sk-test-123", "r", "rt", "rt_", "refresh_token",
	"code", "?code", "&", "?", "=", "\"", "\"key\"", ": ", "\"access\": ", "Bearer", "Bearer ", "b", "a", "i", "O", ".", "-", "_",
	"\xff", "\xe2\x97", "\x1b]0;title\x07", "\x1b]8;;http://x\x1b\\", "\x1bP", "é", "task-", "support_",
}

var secrets = []struct{ text, canary string }{
	{jwt, "c2lnQ0FOQVJZ"},
	{jwt2, "eyJDQU5BUlkiOiJ0d28ifQ"},
	{skKey, "CANARYabcdefghijklmnop"},
	{rtCanary, "CANARY.refresh"},
	{"refresh_token=CANARYvalue123", "CANARYvalue"},
	{"?code=CANARYcode&", "CANARYcode"},
	{`"access": "CANARYaccess"`, "CANARYaccess"},
	{"Authorization: Bearer CANARYbearer42", "CANARYbearer"},
	// one of every provider shape (made-up values of the documented formats)
	{"ghp_CANARY0123456789abcdefghijklmnopqrstu", "CANARY0123"},
	{"gho_CANARY16C7e42F292c6912E7710c838347Ae", "CANARY16C7"},
	{"ghu_CANARYxyz0123456789abcdefghijklmnopq", "CANARYxyz"},
	{"ghs_CANARYsrv0123456789abcdefghijklmnopq", "CANARYsrv"},
	{"ghr_CANARYref0123456789abcdefghijklmnopq", "CANARYref"},
	{"github_pat_11CANARY0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh", "11CANARY0"},
	{"glpat-CANARYgl0123456789ab", "CANARYgl"},
	{"gsk_CANARYgroq0123456789abcdefghijklmnopqrstuvwxyzABCDEF", "CANARYgroq"},
	{"hf_CANARYhuggingface0123456789abcdef", "CANARYhugging"},
	{"AKIACANARY0123456789", "CANARY0123456789"},
	{"ASIACANARYTEMP012345", "CANARYTEMP"},
	{"AIzaCANARYgoogle_0123456789-abcdefghijk", "CANARYgoogle"},
	{"ya29.CANARYvertex0123456789-abcdef_ghij", "CANARYvertex"},
	{"GOCSPX-CANARYclient0123456", "CANARYclient"},
	{"pplx-CANARYperplexity0123456789abcdefghijkl", "CANARYperplexity"},
	{"csk-CANARYcerebras0123456789abcdefgh", "CANARYcerebras"},
	{"fw_CANARYfireworks0123456789abcd", "CANARYfireworks"},
	{"nvapi-CANARYnvidia0123456789-abcdefghij", "CANARYnvidia"},
	{"sk-ant-oat01-CANARYanthropic0123456789_abcdefghijklmnop", "CANARYanthropic"},
	{"sk-or-v1-CANARYopenrouter0123456789abcdef0123456789abcdef", "CANARYopenrouter"},
	{"GITHUB_TOKEN=CANARYenvgh", "CANARYenvgh"},
	{"ANTHROPIC_API_KEY=CANARYenvant", "CANARYenvant"},
	{"AWS_SECRET_ACCESS_KEY=CANARYawssecret/abc+def", "CANARYawssecret"},
	{"client_secret=CANARYclisec", "CANARYclisec"},
	{`"refreshToken": "CANARYcamel"`, "CANARYcamel"},
	{`"secretAccessKey":"CANARYsak"`, "CANARYsak"},
}

func genInput(r *rand.Rand, withSecrets bool) (in string, canaries []string) {
	var b strings.Builder
	for range r.IntN(40) {
		b.WriteString(benign[r.IntN(len(benign))])
		if withSecrets && r.IntN(6) == 0 {
			sec := secrets[r.IntN(len(secrets))]
			// a separator keeps the token at a word boundary
			b.WriteString([]string{" ", "\n", "\x1b[0m", "(", "\t"}[r.IntN(5)])
			b.WriteString(sec.text)
			b.WriteString([]string{" ", "\n", "\x1b[0m", ")", "\r\n"}[r.IntN(5)])
			canaries = append(canaries, sec.canary)
		}
	}
	return b.String(), canaries
}

func TestStreamMatchesString(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 3000 {
		in, canaries := genInput(r, iter%2 == 0)
		cuts := randomCuts(r, len(in))
		got := string(streamAll([]byte(in), cuts))
		want := String(in)
		if got != want {
			t.Fatalf("input %q cuts %v\nstream %q\nString %q", in, cuts, got, want)
		}
		for _, c := range canaries {
			if strings.Contains(got, c) {
				t.Fatalf("canary %q survived: input %q cuts %v output %q", c, in, cuts, got)
			}
		}
	}
}

// With flushes at random points (as ptyrun's idle flush does), a secret's
// beginning may already be out, but the whole secret never is.
func TestStreamWithFlushesNeverLeaksWholeSecret(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		in, _ := genInput(r, true)
		cuts := randomCuts(r, len(in))
		s := NewStream()
		var out []byte
		prev := 0
		for _, c := range append(cuts, len(in)) {
			out = append(out, s.Write([]byte(in[prev:c]))...)
			if r.IntN(2) == 0 {
				out = append(out, s.Flush()...)
			}
			prev = c
		}
		out = append(out, s.Flush()...)
		for _, sec := range secrets {
			if bytes.Contains(out, []byte(sec.text)) {
				t.Fatalf("secret %q survived: input %q cuts %v output %q", sec.text, in, cuts, out)
			}
		}
	}
}

func TestStreamDoesNotDelayOrdinaryText(t *testing.T) {
	for _, in := range []string{"hello", "hello world\r\n", "\x1b[1mbold\x1b[0m", "x", "they", "yes", "ok.", "◐  Waiting for authorization...", "1234"} {
		s := NewStream()
		if got := string(s.Write([]byte(in))); got != in {
			t.Errorf("Write(%q) = %q, want it at once", in, got)
		}
	}
}

func TestStreamHoldsCandidates(t *testing.T) {
	for _, tt := range []struct{ emit, hold string }{
		{"", "ey"},
		{"", "eyJhbGciOi"},
		{"", "sk-"},
		{"", "refresh_token=abc"},
		{"x ", "sk-abc"},
		{"see ", "\"acc"},
		{"see ", "\"access\": \"abc"},
		{"Authorization: ", "Bearer abc"},
		{"url?", "code=1"},
	} {
		s := NewStream()
		if got := string(s.Write([]byte(tt.emit + tt.hold))); got != tt.emit {
			t.Errorf("Write(%q) = %q, want %q", tt.emit+tt.hold, got, tt.emit)
		}
		if got, want := string(s.Flush()), String(tt.emit + tt.hold)[len(tt.emit):]; got != want {
			t.Errorf("Flush after %q = %q, want %q", tt.emit+tt.hold, got, want)
		}
	}
}

func TestStreamRunEndsReleasesHeld(t *testing.T) {
	s := NewStream()
	out := string(s.Write([]byte("ab ey")))
	out += string(s.Write([]byte("es ")))
	if out != "ab eyes " {
		t.Fatalf("got %q", out)
	}
}

func TestStreamContinuationAfterFlush(t *testing.T) {
	// flushed as a secret: the continuation is redacted too, without a second mask
	s := NewStream()
	out := string(s.Write([]byte("key sk-abcdefghijklmnopqr")))
	out += string(s.Flush())
	out += string(s.Write([]byte("stuvCANARY rest")))
	out += string(s.Flush())
	if out != "key [redacted] rest" {
		t.Fatalf("got %q", out)
	}

	// flushed as not (yet) a secret: what continues it is still redacted
	s = NewStream()
	out = string(s.Write([]byte("x eyJhbGciOi")))
	out += string(s.Flush())
	out += string(s.Write([]byte("J9.eyJzdWIiOiIx.CANARY\n")))
	if out != "x eyJhbGciOi[redacted]\n" {
		t.Fatalf("got %q", out)
	}

	// a flushed param value
	s = NewStream()
	out = string(s.Write([]byte("?refresh_token=ab")))
	out += string(s.Flush())
	out += string(s.Write([]byte("CANARY&x=1")))
	if out != "?refresh_token=[redacted]&x=1" {
		t.Fatalf("got %q", out)
	}
}

func TestStreamBoundsHoldback(t *testing.T) {
	s := NewStream()
	big := "eyJ" + strings.Repeat("A", maxHold+100)
	out := string(s.Write([]byte("start " + big[:maxHold/2])))
	out += string(s.Write([]byte(big[maxHold/2:])))
	if out != "start [redacted]" {
		t.Fatalf("got %q (len %d)", out[:min(len(out), 40)], len(out))
	}
	out = string(s.Write([]byte("AAAACANARY")))
	out += string(s.Write([]byte("AA and more\n")))
	out += string(s.Flush())
	if out != " and more\n" {
		t.Fatalf("after overflow got %q", out)
	}
}

// A chain of overlapping JWT-like matches never ends a candidate run; the
// holdback must stay bounded anyway.
func TestStreamBoundsChainedSecrets(t *testing.T) {
	s := NewStream()
	chain := strings.Repeat("eyJ.", maxHold)
	var out []byte
	firstOut := -1 // input bytes written when the first output came
	for off := 0; off < len(chain); off += 4096 {
		out = append(out, s.Write([]byte(chain[off:min(off+4096, len(chain))]))...)
		if firstOut < 0 && len(out) > 0 {
			firstOut = off + 4096
		}
	}
	out = append(out, s.Write([]byte(" tail"))...)
	out = append(out, s.Flush()...)
	if firstOut < 0 || firstOut > maxHold+4096 {
		t.Errorf("nothing came out until %d bytes were in", firstOut)
	}
	if string(out) != "[redacted] tail" {
		t.Errorf("got %q", out[:min(len(out), 80)])
	}
}

// Inputs that make naive matchers quadratic; the test timeout is the
// assertion.
func TestPathologicalInputsFinish(t *testing.T) {
	for _, pat := range []string{";code=", "(code=", "\"", "\"a", "eyJ.", "eyJ-", "Bearer ", "bearer-", "sk-", "rt_", " s", "\"key\": \"\\\"", "?access_token=&"} {
		in := strings.Repeat(pat, (256<<10)/len(pat))
		_ = String(in)
		s := NewStream()
		for off := 0; off < len(in); off += 4096 {
			s.Write([]byte(in[off:min(off+4096, len(in))]))
		}
		s.Flush()
	}
}

func TestStreamUTF8AndEscapesSplit(t *testing.T) {
	in := "\x1b[38;2;255;0;0m→ ✓ ◐\x1b[0m \x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\ \xff\xfe done"
	for i := 0; i <= len(in); i++ {
		got := string(streamAll([]byte(in), []int{i}))
		if got != in {
			t.Fatalf("cut at %d: got %q", i, got)
		}
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "hello", authorizeURL, jwt, skKey, `{"access": "x"}`, "\x1b[1;30r\x1b[H\x1bM", "Bearer abcdefghij"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, sec := range secrets {
			in := a + " " + sec.text + " " + b
			got := String(in)
			// a and b may hold copies of their own; the planted one must go
			if strings.Count(got, sec.text) >= strings.Count(in, sec.text) {
				t.Fatalf("secret survived in %q: %q", in, got)
			}
		}
		_ = String(a)
	})
}

func FuzzStream(f *testing.F) {
	f.Add("hello world", uint64(1))
	f.Add("●  Go to: "+authorizeURL+"\r\n", uint64(77))
	f.Add("\x1b[1mrefresh_token=abc&code=1\x1b[0m \"key\": \"v\"", uint64(12345))
	f.Fuzz(func(t *testing.T, a string, seed uint64) {
		r := rand.New(rand.NewPCG(seed, seed>>7))
		sec := secrets[seed%uint64(len(secrets))]
		cut := 0
		if len(a) > 0 {
			cut = r.IntN(len(a) + 1)
		}
		in := a[:cut] + "\n" + sec.text + "\n" + a[cut:]
		cuts := randomCuts(r, len(in))
		got := string(streamAll([]byte(in), cuts))
		if strings.Count(got, sec.canary) >= strings.Count(in, sec.canary) {
			t.Fatalf("canary survived: %q -> %q", in, got)
		}
		if len(in) < maxHold {
			if want := String(in); got != want {
				t.Fatalf("stream %q != String %q (input %q cuts %v)", got, want, in, cuts)
			}
		}
	})
}

func BenchmarkStream(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; buf.Len() < 1<<20; i++ {
		fmt.Fprintf(&buf, "\x1b[36m│\x1b[39m  line %d: \x1b[1mopenai/gpt-5.4\x1b[22m \"type\": \"oauth\" see https://example.com/a?b=c&d=e ✓ ◐\r\n", i)
		if i%50 == 0 {
			buf.WriteString("\x1b[999D\x1b[4A\x1b[J●  Go to: " + authorizeURL + "\r\n")
		}
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		s := NewStream()
		for off := 0; off < len(data); off += 4096 {
			s.Write(data[off:min(off+4096, len(data))])
		}
		s.Flush()
	}
}

// analyzeRef is analyze as it was before it learned to skip: every byte
// goes to the lexer and every candidate's first byte through the rules.
// TestAnalyzeSkips holds analyze to it.
func analyzeRef(w []byte, from, pre int, st lexState, final bool) ([]span, int) {
	hold, paramEnd := len(w), 0
	var spans []span
	for i, c := range w {
		if i >= from && firstByte[c] {
			spans, hold, paramEnd = candidatesAt(w, i, pre, st, final, spans, hold, paramEnd)
		}
		st.step(c)
	}
	return spans, hold
}

// analyzeInput builds a text from pieces that start, end, nearly make and
// surround secrets.
func analyzeInput(r *rand.Rand) []byte {
	pieces := []string{"e", "s", "r", "b", "B", "a", "i", "c", "O", "\"", " ", "x", "9", "-", "_", ".", "=", "&", "?", "/", "%",
		"eyJ", "sk-", "rt_", "Bearer ", "bearer ", "access_token=", "code=", "code_challenge=", "state=", "refresh_token=",
		"\"access\": \"", "\"key\":\"", "\x1b[1m", "\x1b[0m", "\x1b]0;t\x07", "\x1b", "\r\n", "abcdefghijklmnopqrstuvwxyz0123456789",
		jwt, skKey, "OPENAI_API_KEY=", "id_token=", "é", "\t",
		"\x1b[", "\x1b[1", "1;", "\x1b[38;5;208m", "\x1b[?25l", "\x1b[1 q", "\x1b[2\"q", "\x1b[1c"} // CSIs: whole, cut, odd finals
	var b []byte
	for range r.IntN(40) {
		b = append(b, pieces[r.IntN(len(pieces))]...)
	}
	return b
}

func TestAnalyzeSkips(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		w := analyzeInput(r)
		from, pre := 0, -1
		if len(w) > 0 && r.IntN(3) == 0 {
			from = r.IntN(len(w))
		}
		if r.IntN(2) == 0 {
			pre = int("a \x1bm\""[r.IntN(5)])
		}
		var st lexState
		if r.IntN(3) == 0 {
			st.ended = true
		}
		final := r.IntN(2) == 0
		gs, gh := analyze(w, from, pre, st, final, nil, nil)
		ws, wh := analyzeRef(w, from, pre, st, final)
		if gh != wh || fmt.Sprint(gs) != fmt.Sprint(ws) {
			t.Fatalf("analyze(%q, from %d, pre %d, ended %v, final %v) = %v hold %d, want %v hold %d", w, from, pre, st.ended, final, gs, gh, ws, wh)
		}
	}
}

// BenchmarkStreamPieces is how ptyrun feeds a Stream: 64 KiB pieces of a
// fast child's coloured lines, into a reused buffer.
func BenchmarkStreamPieces(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; buf.Len() < 8<<20; i++ {
		fmt.Fprintf(&buf, "\x1b[36m│\x1b[39m  line %06d \x1b[1mopenai/gpt-5.4\x1b[22m ✓ ◐ the quick brown fox jumps over the lazy dog\r\n", i)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	var out []byte
	for range b.N {
		s := NewStream()
		for off := 0; off < len(data); off += 64 << 10 {
			out = s.Append(out[:0], data[off:min(off+64<<10, len(data))])
		}
	}
}
