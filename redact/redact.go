// Package redact replaces secrets (OAuth tokens, API keys, authorization
// codes) with [Mask] before text is shown, logged or stored.
//
// [String] redacts a complete text. [Stream] redacts a byte stream that
// arrives in arbitrary pieces, such as the output of a child process in a
// pty: it holds back only a trailing run that could still turn out to be
// part of a secret, so ordinary interactive output is not delayed.
//
// What counts as a secret:
//   - JWT-like strings: "eyJ…" "." "…" "." "…" (three base64url parts), or two
//     parts when the second also starts with "eyJ";
//   - provider keys and tokens by prefix (prefixRules): "sk-" (OpenAI,
//     Anthropic, OpenRouter, DeepSeek) and "rt_" followed by at least 16 of
//     their alphabet, GitHub's gh[pousr]_ and github_pat_, GitLab, Groq,
//     Hugging Face, AWS key ids, Google's AIza/ya29./GOCSPX-, Perplexity,
//     Cerebras, Fireworks and NVIDIA keys;
//   - any value taught with [Learn] or [LearnJSON] (a user's own stored
//     secrets, whatever their shape), as is, base64- or URL-encoded;
//   - the values of the query or form parameters access_token, refresh_token,
//     id_token, code, client_secret, api_key, password, OPENAI_API_KEY and
//     the other providers' key variables (paramKeys; the name must follow the start of
//     the text, "?", "&", white space or another byte that cannot be part of
//     a name; code_challenge and code_challenge_method are kept);
//   - the string values of the JSON keys access, refresh, access_token,
//     refresh_token, id_token, key, token, OPENAI_API_KEY, apiKey, api_key;
//   - the credentials after "Bearer " (at least 8 characters, or any length
//     in an "Authorization: Bearer" header).
//
// The token patterns (eyJ, sk-, rt_) only start at a word boundary: after a
// character outside their alphabet or right after an ANSI escape sequence.
// A token that is the value of code_challenge= or state= in a URL query is
// never redacted, so an OAuth authorize URL survives byte for byte.
package redact

import "slices"

// Mask is what every secret is replaced with.
const Mask = "[redacted]"

// maxHold bounds the trailing run a Stream holds back. A candidate secret
// that grows beyond it is redacted as a whole, up to the end of its run.
const maxHold = 16 << 10

// lookback is how many already-emitted bytes a Stream keeps in front of the
// held run, so context-dependent rules (code_challenge=, state=) see the
// same bytes as String does.
const lookback = 24

// String returns s with every secret replaced by [Mask].
func String(s string) string {
	w := []byte(s)
	spans, _ := analyze(w, 0, -1, lexState{}, true, nil, nil)
	if len(spans) == 0 {
		return s
	}
	out, _ := render(make([]byte, 0, len(s)), w, spans, 0, len(w), false)
	return string(out)
}

// Stream redacts a byte stream that arrives in pieces split at arbitrary
// points (inside a secret, a UTF-8 sequence or an escape sequence). Bytes
// that are not part of a secret come out unchanged and in order. Without
// intermediate Flush calls (and with no candidate run over 16 KiB), all
// Write results plus the final Flush equal String of the whole input. A
// Flush in the middle may let out the beginning of a secret that was still
// too short to recognise; the rest of it is then redacted. A Stream is not
// safe for concurrent use.
type Stream struct {
	// w holds context (w[:emitted], already returned) followed by the
	// pending bytes that are held back.
	w       []byte
	emitted int
	// from: w[:from] is only look-back context; no secret starts there.
	from int
	pre  int      // the byte before w[0]; -1 at the start of the stream
	st   lexState // lexer state in front of w[0]
	// masked reports that the output so far ends with a Mask that covers
	// w[emitted-1], so a continuation of that secret needs no second Mask.
	masked bool
	// skipping: a candidate outgrew maxHold; drop bytes until its run ends.
	skipping bool
	spans    []span
	// marks: lexer states inside w from the last analyze, so that
	// compact need not lex w a second time.
	marks []lexMark
}

// lexMark is the lexer state in front of w[at].
type lexMark struct {
	at int
	st lexState
}

// lexTo returns the lexer state in front of w[k], starting from the
// nearest mark.
func (s *Stream) lexTo(k int) lexState {
	st, from := s.st, 0
	for i := len(s.marks) - 1; i >= 0; i-- {
		if m := s.marks[i]; m.at <= k {
			st, from = m.st, m.at
			break
		}
	}
	st.run(s.w[from:k])
	return st
}

// NewStream returns an empty Stream.
func NewStream() *Stream {
	return &Stream{pre: -1}
}

// Write takes the next piece of the stream and returns what may be shown
// now. The result is a new slice (possibly empty) that the caller may keep.
func (s *Stream) Write(p []byte) []byte { return s.Append(nil, p) }

// Append is Write that appends what may be shown now to dst.
func (s *Stream) Append(dst, p []byte) []byte {
	if s.skipping {
		j := 0
		for j < len(p) && !endsRun(p[j]) {
			j++
		}
		if j > 0 {
			s.pre = int(p[j-1])
			s.st.ended = false
		}
		if j == len(p) {
			return dst
		}
		s.skipping = false
		s.masked = false
		p = p[j:]
	}
	if len(p) == 0 {
		return dst
	}
	s.w = append(s.w, p...)
	n := len(s.w)
	var hold int
	s.spans, hold = analyze(s.w, s.from, s.pre, s.st, false, s.spans[:0], &s.marks)

	if hold < n && n-hold > maxHold || n-s.emitted > maxHold {
		// The candidate run (or a chain of overlapping secrets) is too long
		// to hold: it is a secret, and so is the rest of its run.
		if hold < n {
			s.spans = addSpan(s.spans, span{hold, max(hold, s.emitted), n})
		}
		out, masked := render(dst, s.w, s.spans, s.emitted, n, s.masked)
		s.reset(n)
		s.skipping = hold < n
		s.masked = masked
		return out
	}

	h := max(hold, s.emitted)
	keep := min(hold, h)
	for _, sp := range s.spans {
		if sp.lo < h && h < sp.hi && sp.lo >= s.emitted {
			h = sp.lo // never cut a closed secret in two
		}
	}
	for _, sp := range s.spans {
		if sp.hi > h { // not out yet: keep the candidate that found it
			keep = min(keep, sp.at)
		}
	}
	out := dst
	if h > s.emitted {
		if dst == nil {
			dst = make([]byte, 0, h-s.emitted+len(Mask))
		}
		out, s.masked = render(dst, s.w, s.spans, s.emitted, h, s.masked)
	}
	s.compact(keep, h)
	return out
}

// Flush returns everything held back, redacted as if the stream ended
// here. The held bytes stay as context: if later input continues the same
// run and so makes it (still) a secret, that continuation is redacted too.
func (s *Stream) Flush() []byte {
	if s.skipping || s.emitted == len(s.w) {
		return nil
	}
	n := len(s.w)
	var hold int
	s.spans, hold = analyze(s.w, s.from, s.pre, s.st, false, s.spans[:0], nil)
	s.spans, _ = analyze(s.w, s.from, s.pre, s.st, true, s.spans[:0], &s.marks)
	out, masked := render(make([]byte, 0, n-s.emitted+len(Mask)), s.w, s.spans, s.emitted, n, s.masked)
	s.masked = masked
	s.compact(hold, n)
	return out
}

// compact drops context that no longer matters: everything before keep,
// less lookback bytes. No secret can start before keep any more. emitted is
// the new end of the emitted region.
func (s *Stream) compact(keep, emitted int) {
	keep = max(keep, s.from)
	k := max(0, keep-lookback)
	s.from = keep - k
	s.st = s.lexTo(k)
	s.marks = s.marks[:0]
	if k > 0 {
		s.pre = int(s.w[k-1])
	}
	m := copy(s.w, s.w[k:])
	s.w = s.w[:m]
	s.emitted = emitted - k
}

// reset empties the buffer after all n bytes were emitted.
func (s *Stream) reset(n int) {
	s.st = s.lexTo(n)
	s.marks = s.marks[:0]
	if n > 0 {
		s.pre = int(s.w[n-1])
	}
	s.w = s.w[:0]
	s.emitted = 0
	s.from = 0
}

// endsRun reports whether c ends every kind of candidate run (used after a
// candidate outgrew maxHold).
func endsRun(c byte) bool {
	return c <= ' ' || c == '"' || c == 0x7f
}

// span is a secret w[lo:hi], found by the candidate that starts at w[at].
type span struct{ at, lo, hi int }

// addSpan inserts sp into the sorted, non-overlapping list, merging
// overlaps.
func addSpan(spans []span, sp span) []span {
	if sp.lo >= sp.hi {
		return spans
	}
	i, _ := slices.BinarySearchFunc(spans, sp.lo, func(s span, lo int) int { return s.lo - lo })
	spans = slices.Insert(spans, i, sp)
	// merge with the predecessor and any successors it now overlaps
	if i > 0 && spans[i-1].hi > sp.lo {
		i--
	}
	j := i + 1
	for j < len(spans) && spans[j].lo < spans[i].hi {
		spans[i].hi = max(spans[i].hi, spans[j].hi)
		spans[i].at = min(spans[i].at, spans[j].at)
		j++
	}
	return slices.Delete(spans, i+1, j)
}

// render appends w[from:to] to dst with every span replaced by Mask. cont
// says the output before from already ends with a Mask for a span covering
// w[from-1]; a span continuing across from then needs no second Mask. It
// reports whether the output ends with a Mask covering w[to-1].
func render(dst, w []byte, spans []span, from, to int, cont bool) ([]byte, bool) {
	if from >= to {
		return dst, cont
	}
	pos := from
	endsMasked := false
	for _, sp := range spans {
		if sp.hi <= from {
			continue
		}
		if sp.lo >= to {
			break
		}
		lo, hi := max(sp.lo, from), min(sp.hi, to)
		dst = append(dst, w[pos:lo]...)
		if !(cont && sp.lo < from) {
			dst = append(dst, Mask...)
		}
		pos = hi
		endsMasked = hi == to
	}
	if pos < to {
		dst = append(dst, w[pos:to]...)
		endsMasked = false
	}
	return dst, endsMasked
}

// ---- lexer: just enough ANSI to know where escape sequences end ----

type lexMode uint8

const (
	lexGround lexMode = iota
	lexEsc
	lexEscInt
	lexCSI
	lexStr // OSC, DCS, SOS, PM, APC body
	lexStrEsc
)

type lexState struct {
	mode lexMode
	// ended: the previous byte completed an escape sequence, so a token may
	// start here even if that byte was a letter (as in "\x1b[1m").
	ended bool
}

// run steps over p.
func (l *lexState) run(p []byte) {
	for _, c := range p {
		if l.mode == lexGround && c != 0x1b {
			l.ended = false
			continue
		}
		l.step(c)
	}
}

func (l *lexState) step(c byte) {
	l.ended = false
	switch l.mode {
	case lexGround:
		if c == 0x1b {
			l.mode = lexEsc
		}
	case lexEsc:
		switch {
		case c == '[':
			l.mode = lexCSI
		case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
			l.mode = lexStr
		case c == 0x1b:
		case c >= 0x20 && c <= 0x2f:
			l.mode = lexEscInt
		case c >= 0x30 && c <= 0x7e:
			l.mode, l.ended = lexGround, true
		default:
			l.mode = lexGround
		}
	case lexEscInt:
		switch {
		case c >= 0x20 && c <= 0x2f:
		case c >= 0x30 && c <= 0x7e:
			l.mode, l.ended = lexGround, true
		case c == 0x1b:
			l.mode = lexEsc
		default:
			l.mode = lexGround
		}
	case lexCSI:
		switch {
		case c >= 0x40 && c <= 0x7e:
			l.mode, l.ended = lexGround, true
		case c >= 0x20 && c <= 0x3f:
		case c == 0x1b:
			l.mode = lexEsc
		case c == 0x18 || c == 0x1a || c >= 0x80:
			l.mode = lexGround
		}
	case lexStr:
		switch c {
		case 0x07:
			l.mode, l.ended = lexGround, true
		case 0x1b:
			l.mode = lexStrEsc
		case 0x18, 0x1a:
			l.mode = lexGround
		}
	case lexStrEsc:
		if c == '\\' {
			l.mode, l.ended = lexGround, true
		} else {
			l.mode = lexEsc
			l.step(c)
		}
	}
}

// ---- matching ----

const (
	noMatch = iota
	matched
	partial // w ends while the candidate is still viable (or still growing)
)

// analyze finds the secrets in w that start at or after from. pre is the
// byte before w[0] (-1 at the start of the text) and st the lexer state in
// front of w[0]. If final is
// false, hold is the first index at which a candidate starts that reaches
// the end of w and could still become, or grow as, a secret (len(w) if
// none). Spans are sorted and do not overlap.
func analyze(w []byte, from, pre int, st lexState, final bool, spans []span, marks *[]lexMark) ([]span, int) {
	n := len(w)
	hold := n
	if marks != nil {
		*marks = (*marks)[:0]
	}
	nextMark := markEvery
	// A parameter candidate inside the value of an earlier one can only
	// find a part of that value: skip it (keeps ";code=;code=…" linear).
	paramEnd := 0
	for i := 0; i < n; i++ {
		if marks != nil && i >= nextMark {
			*marks = append(*marks, lexMark{i, st})
			nextMark = i + markEvery
		}
		if st.mode == lexGround {
			// Skip what can start neither a candidate nor an escape
			// sequence; for those bytes the lexer only clears ended. That
			// includes a candidate's first byte right after a letter or a
			// digit: every rule but a JSON key's quote wants a boundary
			// there, and once a byte has been skipped ended is false.
			j := i
			for j < n {
				if c := w[j]; stopByte[c] && (c == '"' || c == 0x1b || j == 0 || !isAlnum(w[j-1]) || j == i && st.ended) {
					break
				}
				j++
			}
			if j > i {
				st.ended = false
				i = j
				if i == n {
					break
				}
			}
			// A whole CSI whose bytes start no candidate (digits and
			// separators, a final that is not a first byte), such as an
			// SGR, goes at once: the lexer ends it in ground, ended.
			if k := plainCSIEnd(w, i); k > 0 {
				st = lexState{mode: lexGround, ended: true}
				i = k - 1
				continue
			}
		}
		c := w[i]
		if i >= from && firstByte[c] {
			spans, hold, paramEnd = candidatesAt(w, i, pre, st, final, spans, hold, paramEnd)
		}
		if st.mode == lexGround && c != 0x1b { // step's common case, inline
			st.ended = false
			continue
		}
		st.step(c)
	}
	return knownSpans(w, from, final, spans, hold)
}

// candidatesAt tries every rule whose candidate can start at w[i] (a
// firstByte), adding the secrets found to spans and lowering hold to i
// when a candidate is still open at the end of w.
func candidatesAt(w []byte, i, pre int, st lexState, final bool, spans []span, hold, paramEnd int) ([]span, int, int) {
	c, n := w[i], len(w)
	prev := pre
	if i > 0 {
		prev = int(w[i-1])
	}
	try := func(r, lo, hi int) {
		switch r {
		case matched:
			spans = addSpan(spans, span{i, lo, hi})
		case partial:
			hold = min(hold, i)
		}
	}
	switch c {
	case 'e':
		if tokenBoundary(prev, st, isB64) && !protectedValue(w, i) {
			try(matchJWT(w, i, final))
		}
	case '"':
		try(matchJSON(w, i, final))
	case 'b', 'B':
		if tokenBoundary(prev, st, isAlnum) {
			try(matchBearer(w, i, final))
		}
	}
	for _, r := range prefixRules[c] {
		if tokenBoundary(prev, st, r.in) && !protectedValue(w, i) {
			try(matchPrefixed(w, i, r.prefix, r.in, r.min, final))
		}
	}
	if i >= paramEnd && paramBoundary(prev, st) {
		r, lo, hi := matchParam(w, i, final)
		switch r {
		case matched:
			paramEnd = hi
		case partial:
			paramEnd = n
		}
		try(r, lo, hi)
	}
	return spans, hold, paramEnd
}

var firstByte = func() (t [256]bool) {
	for _, c := range []byte(`e"bB`) {
		t[c] = true
	}
	for _, k := range paramKeys {
		t[k[0]] = true
	}
	for c, rs := range prefixRules {
		t[c] = t[c] || len(rs) > 0
	}
	return t
}()

// prefixRule is a secret that starts with a fixed prefix followed by at
// least min bytes of its alphabet.
type prefixRule struct {
	prefix string
	in     func(byte) bool
	min    int
}

// prefixRules, by first byte: the shapes of the secrets OpenCode's
// providers use (formats as the providers document them and as public
// secret-scanner rule lists such as gitleaks describe them; the rules here
// are written from those shapes, generous on length). No rule starts with
// a prefix whose first byte alone is common at the end of ordinary output
// ("x", digits): a Stream would hold that byte back. Those secrets (xAI's
// xai-, Google's 1// refresh tokens) are masked by value when they are in
// the user's store (see Learn).
var prefixRules = func() (t [256][]prefixRule) {
	for _, r := range []prefixRule{
		{"sk-", isB64, 16},         // OpenAI sk-proj-/sk-svcacct-, Anthropic sk-ant-api03-/sk-ant-oat01-, OpenRouter sk-or-v1-, DeepSeek
		{"rt_", isRT, 16},          // OpenAI refresh tokens
		{"ghp_", isAlnum, 20},      // GitHub personal access token
		{"gho_", isAlnum, 20},      // GitHub OAuth token (OpenCode's github-copilot login)
		{"ghu_", isAlnum, 20},      // GitHub user-to-server token (Copilot)
		{"ghs_", isAlnum, 20},      // GitHub server-to-server token
		{"ghr_", isAlnum, 20},      // GitHub refresh token
		{"github_pat_", isB64, 22}, // GitHub fine-grained token
		{"glpat-", isB64, 20},      // GitLab personal access token
		{"gsk_", isAlnum, 20},      // Groq
		{"hf_", isAlnum, 20},       // Hugging Face
		{"AKIA", isUpperAlnum, 16}, // AWS access key id
		{"ASIA", isUpperAlnum, 16}, // AWS temporary access key id
		{"AIza", isB64, 30},        // Google API key (Gemini)
		{"ya29.", isRT, 20},        // Google OAuth access token (Vertex)
		{"GOCSPX-", isB64, 16},     // Google OAuth client secret
		{"pplx-", isAlnum, 20},     // Perplexity
		{"csk-", isAlnum, 20},      // Cerebras
		{"fw_", isAlnum, 20},       // Fireworks
		{"nvapi-", isB64, 20},      // NVIDIA
	} {
		t[r.prefix[0]] = append(t[r.prefix[0]], r)
	}
	return t
}()

func isUpperAlnum(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// markEvery is how often analyze notes the lexer state for compact.
const markEvery = 4096

// stopByte: firstByte and ESC, where analyze's skip in ground state stops.
var stopByte = func() (t [256]bool) {
	t = firstByte
	t[0x1b] = true
	return t
}()

// plainCSIEnd returns the end of the CSI sequence at w[i] when it is
// complete in w, its parameters are 0x30..0x3f and its final byte is not a
// firstByte; otherwise 0.
func plainCSIEnd(w []byte, i int) int {
	if w[i] != 0x1b || i+2 >= len(w) || w[i+1] != '[' {
		return 0
	}
	for k := i + 2; k < len(w); k++ {
		switch c := w[k]; {
		case c >= 0x30 && c <= 0x3f:
		case c >= 0x40 && c <= 0x7e && !firstByte[c]:
			return k + 1
		default:
			return 0
		}
	}
	return 0
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isB64(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

func isRT(c byte) bool { return isB64(c) || c == '.' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isParamVal(c byte) bool {
	switch c {
	case '&', '?', '#', '"', '\'', '<', '>', '`', ' ', 0x7f:
		return false
	}
	return c > ' '
}

func isBearerTok(c byte) bool {
	switch c {
	case '-', '.', '_', '~', '+', '/', '=':
		return true
	}
	return isAlnum(c)
}

// tokenBoundary: a token may start after the start of the text, an escape
// sequence, or a byte outside its alphabet.
func tokenBoundary(prev int, st lexState, in func(byte) bool) bool {
	return prev < 0 || st.ended || !in(byte(prev))
}

// paramBoundary: a query/form parameter name follows the start of the text,
// an escape sequence, or a byte that cannot be part of a name or path
// ("?", "&", "#", white space, quotes, brackets, …).
func paramBoundary(prev int, st lexState) bool {
	return prev < 0 || st.ended || !isRT(byte(prev)) && prev != '/' && prev != '%' && prev != '='
}

// protectedValue reports whether w[i] starts the value of a code_challenge=
// or state= query parameter (public values that a user must see intact).
func protectedValue(w []byte, i int) bool {
	if i == 0 || w[i-1] != '=' {
		return false
	}
	for _, k := range [...]string{"code_challenge=", "state="} {
		j := i - len(k)
		if j >= 1 && string(w[j:i]) == k && (w[j-1] == '?' || w[j-1] == '&') {
			return true
		}
	}
	return false
}

const (
	litNo = iota
	litFull
	litPrefix // w ends inside a matching prefix of the literal
)

func lit(w []byte, i int, s string, fold bool) int {
	for k := 0; k < len(s); k++ {
		if i+k >= len(w) {
			return litPrefix
		}
		c := w[i+k]
		if fold && c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[k] {
			return litNo
		}
	}
	return litFull
}

// more is the result when w ends while a candidate is still viable.
func more(final bool) (int, int, int) {
	if final {
		return noMatch, 0, 0
	}
	return partial, 0, 0
}

// skip steps over the bytes of in from w[j]. Complete escape sequences
// between two such bytes are stepped over too (a child may colour or
// hyperlink part of a token, and the screen still shows it whole); an
// escape sequence still open at the end of w counts as more to come.
func skip(w []byte, j int, in func(byte) bool) int { return skipTok(w, j, in, false) }

// skipTok is skip; when final, escape sequences that run to the end of w
// are not part of the token.
func skipTok(w []byte, j int, in func(byte) bool, final bool) int {
	n := len(w)
	for j < n {
		if in(w[j]) {
			j++
			continue
		}
		if w[j] != 0x1b {
			return j
		}
		save := j
		for j < n && w[j] == 0x1b {
			e := escEnd(w, j)
			if e < 0 {
				return n
			}
			if e == 0 {
				return save
			}
			j = e
		}
		if j == n {
			if final {
				return save
			}
			return n
		}
		if !in(w[j]) {
			return save
		}
	}
	return j
}

// maxEsc bounds the escape sequence skip steps over inside a token.
const maxEsc = 512

// escEnd returns the end of the complete escape sequence at w[j] (an ESC),
// -1 when w ends inside it, and 0 when it is malformed or longer than
// maxEsc.
func escEnd(w []byte, j int) int {
	n := min(len(w), j+maxEsc)
	if j+1 >= len(w) {
		return -1
	}
	switch c := w[j+1]; {
	case c == '[':
		k := j + 2
		for k < n && w[k] >= 0x20 && w[k] <= 0x3f {
			k++
		}
		switch {
		case k == len(w):
			return -1
		case k < n && w[k] >= 0x40 && w[k] <= 0x7e:
			return k + 1
		}
		return 0
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		for k := j + 2; k < n; k++ {
			switch w[k] {
			case 0x07:
				return k + 1
			case 0x1b:
				if k+1 == len(w) {
					return -1
				}
				if w[k+1] == '\\' {
					return k + 2
				}
				return 0
			case 0x18, 0x1a:
				return 0
			}
		}
		if n == len(w) {
			return -1
		}
		return 0
	case c == '\\':
		return 0 // ST ends an OSC or DCS string: never inside a token
	default:
		k := j + 1
		for k < n && w[k] >= 0x20 && w[k] <= 0x2f {
			k++
		}
		switch {
		case k == len(w):
			return -1
		case k < n && w[k] >= 0x30 && w[k] <= 0x7e:
			return k + 1
		}
		return 0
	}
}

// hasEyJ reports whether w[lo:hi] starts with "eyJ", escape sequences
// between its letters aside.
func hasEyJ(w []byte, lo, hi int) bool {
	got := 0
	for k := lo; k < hi && got < 3; {
		if w[k] == 0x1b {
			e := escEnd(w[:hi], k)
			if e <= 0 {
				return false
			}
			k = e
			continue
		}
		if w[k] != "eyJ"[got] {
			return false
		}
		got++
		k++
	}
	return got == 3
}

func matchJWT(w []byte, i int, final bool) (int, int, int) {
	n := len(w)
	switch lit(w, i, "eyJ", false) {
	case litNo:
		return noMatch, 0, 0
	case litPrefix:
		return more(final)
	}
	j := skipTok(w, i+3, isB64, final)
	if j == n {
		return more(final)
	}
	if w[j] != '.' {
		return noMatch, 0, 0
	}
	p2 := j + 1
	j = skipTok(w, p2, isB64, final)
	if j == n && !final {
		return partial, 0, 0
	}
	if j == p2 {
		return noMatch, 0, 0
	}
	two := hasEyJ(w, p2, j)
	if j == n || w[j] != '.' {
		if two {
			return matched, i, j
		}
		return noMatch, 0, 0
	}
	p3 := j + 1
	j = skipTok(w, p3, isB64, final)
	if j == n && !final {
		return partial, 0, 0
	}
	if j > p3 {
		return matched, i, j
	}
	if two {
		return matched, i, p3 - 1
	}
	return noMatch, 0, 0
}

func matchPrefixed(w []byte, i int, prefix string, in func(byte) bool, minLen int, final bool) (int, int, int) {
	switch lit(w, i, prefix, false) {
	case litNo:
		return noMatch, 0, 0
	case litPrefix:
		return more(final)
	}
	v := i + len(prefix)
	j := skipTok(w, v, in, final)
	if j == len(w) && !final {
		return partial, 0, 0
	}
	if j-v >= minLen {
		return matched, i, j
	}
	return noMatch, 0, 0
}

var paramKeys = [...]string{"access_token=", "refresh_token=", "id_token=", "code=", "OPENAI_API_KEY=",
	"client_secret=", "api_key=", "apikey=", "password=",
	"ANTHROPIC_API_KEY=", "ANTHROPIC_AUTH_TOKEN=", "GITHUB_TOKEN=", "GH_TOKEN=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=",
	"AWS_BEARER_TOKEN_BEDROCK=", "GEMINI_API_KEY=", "GOOGLE_API_KEY=", "GOOGLE_GENERATIVE_AI_API_KEY=", "AZURE_API_KEY=", "AZURE_OPENAI_API_KEY=",
	"GROQ_API_KEY=", "XAI_API_KEY=", "OPENROUTER_API_KEY=", "MISTRAL_API_KEY=", "DEEPSEEK_API_KEY=", "TOGETHER_API_KEY=",
	"CEREBRAS_API_KEY=", "FIREWORKS_API_KEY=", "HF_TOKEN=", "OPENCODE_API_KEY="}

func matchParam(w []byte, i int, final bool) (int, int, int) {
	best := noMatch
	for _, k := range paramKeys {
		if k[0] != w[i] {
			continue
		}
		switch lit(w, i, k, false) {
		case litNo:
			continue
		case litPrefix:
			if !final {
				best = partial
			}
			continue
		}
		v := i + len(k)
		j := skipTok(w, v, isParamVal, final)
		if j == len(w) && !final {
			return partial, 0, 0
		}
		if j > v {
			return matched, v, j
		}
		return noMatch, 0, 0
	}
	return best, 0, 0
}

var jsonKeys = [...]string{"access", "refresh", "access_token", "refresh_token", "id_token", "key", "token", "OPENAI_API_KEY", "apiKey", "api_key",
	"accessToken", "refreshToken", "idToken", "client_secret", "clientSecret", "secret", "password", "secretAccessKey", "sessionToken"}

// jsonKeyFirst: the first bytes of jsonKeys.
var jsonKeyFirst = func() (t [256]bool) {
	for _, k := range jsonKeys {
		t[k[0]] = true
	}
	return t
}()

func matchJSON(w []byte, i int, final bool) (int, int, int) {
	if i+1 < len(w) && !jsonKeyFirst[w[i+1]] {
		return noMatch, 0, 0
	}
	best := noMatch
	for _, k := range jsonKeys {
		r, lo, hi := matchJSONKey(w, i, k, final)
		if r == matched {
			return r, lo, hi
		}
		if r == partial {
			best = partial
		}
	}
	return best, 0, 0
}

func matchJSONKey(w []byte, i int, key string, final bool) (int, int, int) {
	n := len(w)
	j := i + 1
	switch lit(w, j, key, false) {
	case litNo:
		return noMatch, 0, 0
	case litPrefix:
		return more(final)
	}
	j += len(key)
	if j == n {
		return more(final)
	}
	if w[j] != '"' {
		return noMatch, 0, 0
	}
	// white space, ':', white space, '"'
	for _, want := range [...]byte{':', '"'} {
		j = skip(w, j+1, isSpace)
		if j == n {
			return more(final)
		}
		if w[j] != want {
			return noMatch, 0, 0
		}
	}
	j++
	v := j
	for j < n {
		c := w[j]
		if c == '"' || c < ' ' || c == 0x7f {
			break
		}
		if c == '\\' {
			j += 2
			continue
		}
		j++
	}
	if j >= n {
		if !final {
			return partial, 0, 0
		}
		j = n
	}
	if j > v {
		return matched, v, j
	}
	return noMatch, 0, 0
}

func matchBearer(w []byte, i int, final bool) (int, int, int) {
	n := len(w)
	switch lit(w, i, "bearer", true) {
	case litNo:
		return noMatch, 0, 0
	case litPrefix:
		return more(final)
	}
	j := i + 6
	if j == n {
		return more(final)
	}
	if w[j] != ' ' && w[j] != '\t' {
		return noMatch, 0, 0
	}
	j = skip(w, j, func(c byte) bool { return c == ' ' || c == '\t' })
	if j == n {
		return more(final)
	}
	t := j
	j = skipTok(w, t, isBearerTok, final)
	if j == n && !final {
		return partial, 0, 0
	}
	if j-t >= 8 || j > t && afterAuthorization(w, i) {
		return matched, t, j
	}
	return noMatch, 0, 0
}

// afterAuthorization reports whether w[:i] ends with "Authorization:" and
// at most 8 blanks (any case), within the look-back a Stream keeps.
func afterAuthorization(w []byte, i int) bool {
	const h = "authorization:"
	j := i
	for j > 0 && i-j < 8 && (w[j-1] == ' ' || w[j-1] == '\t') {
		j--
	}
	if j < len(h) {
		return false
	}
	for k := range len(h) {
		c := w[j-len(h)+k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != h[k] {
			return false
		}
	}
	return true
}
