package probe

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// CredType is the type of OpenCode's credential for a provider.
type CredType string

const (
	CredNone      CredType = ""
	CredOAuth     CredType = "oauth"     // ChatGPT Plus/Pro subscription
	CredAPI       CredType = "api"       // an OpenAI API key
	CredWellKnown CredType = "wellknown" // not used by OpenAI
	CredUnknown   CredType = "unknown"   // a type string OpenCode does not know
)

// StoreProblem says what is wrong with the credential store as a whole.
type StoreProblem uint8

const (
	StoreOK StoreProblem = iota
	StoreMissing
	StoreEmpty
	StoreInvalidJSON
	StoreWrongShape // valid JSON, but not an object of provider objects
	StoreIsDir
	StoreSymlink // not followed: it may point at another user's file
	StoreUnreadable
	StoreTooLarge
)

// String names the problem in a word or two.
func (p StoreProblem) String() string {
	switch p {
	case StoreOK:
		return "ok"
	case StoreMissing:
		return "missing"
	case StoreEmpty:
		return "empty"
	case StoreInvalidJSON:
		return "invalid JSON"
	case StoreWrongShape:
		return "wrong shape"
	case StoreIsDir:
		return "directory"
	case StoreSymlink:
		return "symlink"
	case StoreUnreadable:
		return "unreadable"
	case StoreTooLarge:
		return "too large"
	}
	return fmt.Sprintf("StoreProblem(%d)", uint8(p))
}

// MaxAuthFileSize caps how much of auth.json is ever read.
const MaxAuthFileSize = 1 << 20

// CredSource says where the credential was read from.
type CredSource uint8

const (
	SourceFile     CredSource = iota // auth.json
	SourceEnv                        // OPENCODE_AUTH_CONTENT (OpenCode then ignores the file)
	SourceAuthList                   // parsed from `opencode auth list` (OpenCode 2.x)
)

// String names the source.
func (s CredSource) String() string {
	switch s {
	case SourceFile:
		return "auth.json"
	case SourceEnv:
		return AuthContentEnv
	case SourceAuthList:
		return "opencode auth list"
	}
	return fmt.Sprintf("CredSource(%d)", uint8(s))
}

// AuthContentEnv is the variable whose content OpenCode uses instead of auth.json.
const AuthContentEnv = "OPENCODE_AUTH_CONTENT"

// MaxProviders and MaxProviderIDLen bound Credential.Providers.
const (
	MaxProviders     = 100
	MaxProviderIDLen = 64
)

// Credential describes OpenCode's OpenAI credential without holding any
// secret: token values are never kept, only whether they are present.
type Credential struct {
	Source      CredSource
	Path        string
	Problem     StoreProblem
	Detail      string // safe human text about Problem ("" when StoreOK)
	EnvOverride bool   // OPENCODE_AUTH_CONTENT is set

	Present    bool // there is an "openai" entry
	Type       CredType
	Expires    time.Time // zero when the entry has no expiry
	HasRefresh bool
	HasAccess  bool
	EntryOK    bool   // the entry has every field OpenCode requires for its type
	Account    string // masked account id ("acct…000"), "" when none
	// Plan is the ChatGPT plan the access token names (its
	// chatgpt_plan_type claim: "plus", "pro", "free", "team", …), "" when
	// it names none. Not a secret; the token itself is never kept.
	Plan string
	// OpenCode 2 (SourceAuthList): the active credential's label and id
	// (not secrets), and how many OpenAI connections there are.
	Label  string
	CredID string
	Count  int

	Mode      fs.FileMode
	Size      int64
	ModTime   time.Time
	Insecure  bool     // group- or world-readable
	Providers []string // provider ids present in the store (names only)
}

// Subscription reports whether the entry is a usable-looking ChatGPT OAuth login.
func (c Credential) Subscription() bool { return c.Present && c.Type == CredOAuth && c.EntryOK }

// Expired reports whether the access token has expired at now. OpenCode
// refreshes it on use when a refresh token exists.
func (c Credential) Expired(now time.Time) bool { return !c.Expires.IsZero() && c.Expires.Before(now) }

// InspectAuth reads OpenCode's credential store (or OPENCODE_AUTH_CONTENT) and
// describes its openai entry.
//
// When OPENCODE_AUTH_CONTENT is non-empty OpenCode ignores the file, so its
// content is parsed instead (Source=SourceEnv, EnvOverride, Path still names
// the file; the file is not looked at). Otherwise the file is Lstat'ed and
// never followed when it is a symlink; only a regular file is read, at most
// MaxAuthFileSize bytes.
func InspectAuth(s Sys, p Paths) Credential {
	if env := envFunc(s)(AuthContentEnv); env != "" {
		c := parseAuth([]byte(env), AuthContentEnv)
		c.Source, c.Path, c.EnvOverride = SourceEnv, p.AuthFile, true
		return c
	}
	c := Credential{Source: SourceFile, Path: p.AuthFile}
	fail := func(problem StoreProblem, format string, a ...any) Credential {
		c.Problem, c.Detail = problem, fmt.Sprintf(format, a...)
		return c
	}
	if s.FS == nil {
		return fail(StoreUnreadable, "auth.json could not be inspected (no filesystem)")
	}
	if p.AuthFile == "" {
		return fail(StoreMissing, "the location of auth.json is unknown")
	}
	fi, err := s.FS.Lstat(p.AuthFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail(StoreMissing, "auth.json does not exist: OpenCode has no saved credentials yet")
	case err != nil:
		return fail(StoreUnreadable, "auth.json could not be inspected (%s)", fsReason(err))
	}
	c.Mode, c.ModTime = fi.Mode(), fi.ModTime()
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fail(StoreSymlink, "auth.json is a symbolic link; heidi does not follow it, as it may point at another user's file")
	case fi.IsDir():
		return fail(StoreIsDir, "auth.json is a directory, not a file")
	case !fi.Mode().IsRegular():
		return fail(StoreUnreadable, "auth.json is not a regular file (%s)", fileKind(fi.Mode()))
	}
	c.Size = fi.Size()
	c.Insecure = s.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0
	if c.Size > MaxAuthFileSize {
		return fail(StoreTooLarge, "auth.json is %d bytes, more than the %d heidi reads", c.Size, MaxAuthFileSize)
	}
	data, truncated, err := s.FS.ReadFileCapped(p.AuthFile, MaxAuthFileSize)
	switch {
	case err != nil:
		return fail(StoreUnreadable, "auth.json could not be read (%s)", fsReason(err))
	case truncated:
		return fail(StoreTooLarge, "auth.json is larger than the %d bytes heidi reads", MaxAuthFileSize)
	}
	parsed := parseAuth(data, "auth.json")
	parsed.Source, parsed.Path = SourceFile, p.AuthFile
	parsed.Mode, parsed.Size, parsed.ModTime, parsed.Insecure = c.Mode, c.Size, c.ModTime, c.Insecure
	return parsed
}

// fsReason gives a short, content-free reason for a filesystem error.
func fsReason(err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, fs.ErrNotExist):
		return "it disappeared"
	case errors.Is(err, ErrNotRegular):
		return "not a regular file"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Err != nil {
		return SafeText(pe.Err.Error(), 60)
	}
	return "I/O error"
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// ParseAuth parses auth.json content. It is pure and bounded; it never panics.
//
// Token values are never kept: the JSON is walked with probes that record
// only whether a field is present and of which JSON kind. Beyond the openai
// entry, only provider ids (names) are reported. Any openai entry that
// OpenCode's schema would reject (it then silently ignores it) gives
// StoreWrongShape with EntryOK false. EntryOK follows that schema exactly
// (measured against opencode 1.18.33): an empty string is still a string, so
// check HasRefresh/HasAccess for usable tokens.
func ParseAuth(data []byte) Credential { return parseAuth(data, "auth.json") }

func parseAuth(data []byte, what string) (c Credential) {
	defer func() { // belt and braces: ParseAuth must never panic
		if r := recover(); r != nil {
			c = Credential{Problem: StoreInvalidJSON, Detail: what + " could not be decoded"}
		}
	}()
	fail := func(problem StoreProblem, format string, a ...any) Credential {
		c.Problem, c.Detail = problem, fmt.Sprintf(format, a...)
		c.EntryOK = false
		return c
	}
	if len(data) > MaxAuthFileSize {
		return fail(StoreTooLarge, "%s is %d bytes, more than the %d heidi reads", what, len(data), MaxAuthFileSize)
	}
	if len(bytes.Trim(data, " \t\r\n")) == 0 {
		return fail(StoreEmpty, "%s is empty", what)
	}
	var st authStore
	if err := json.Unmarshal(data, &st); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fail(StoreInvalidJSON, "%s is not valid JSON (syntax error near byte %d)", what, se.Offset)
		}
		return fail(StoreInvalidJSON, "%s is not valid JSON", what)
	}
	if st.kind != kindObject {
		return fail(StoreWrongShape, "%s holds %s, not an object of providers", what, st.kind)
	}
	c.Providers = st.providers
	sort.Strings(c.Providers)
	o := st.openai
	if o == nil {
		return c
	}
	c.Present = true
	if o.kind != kindObject {
		return fail(StoreWrongShape, "the \"openai\" entry in %s is %s, not an object", what, o.kind)
	}
	switch o.typ.kind {
	case kindAbsent:
		return fail(StoreWrongShape, "the \"openai\" entry in %s has no \"type\"", what)
	case kindString:
		c.Type = o.typ.typ
	default:
		return fail(StoreWrongShape, "the \"type\" of the \"openai\" entry in %s is %s, not a string", what, o.typ.kind)
	}
	c.HasRefresh = o.refresh.nonEmptyString()
	c.HasAccess = o.access.nonEmptyString()
	c.Plan = o.access.plan
	if o.expires.ok {
		if ms := o.expires.value; ms >= -maxJSDateMillis && ms <= maxJSDateMillis {
			c.Expires = time.UnixMilli(int64(ms)).UTC()
		}
	}
	if o.account.kind == kindString {
		c.Account = o.account.masked
	}

	entry := fmt.Sprintf("the %s entry for openai in %s", c.Type, what)
	want := func(name string, got jsonKind, kind jsonKind) (string, bool) {
		switch {
		case got == kindAbsent:
			return fmt.Sprintf("%s has no %q", entry, name), false
		case got != kind:
			return fmt.Sprintf("%s has %q as %s, not %s", entry, name, got, kind), false
		}
		return "", true
	}
	optional := func(name string, got jsonKind, kind jsonKind) (string, bool) {
		if got == kindAbsent {
			return "", true
		}
		return want(name, got, kind)
	}
	var checks []func() (string, bool)
	switch c.Type {
	case CredOAuth:
		checks = []func() (string, bool){
			func() (string, bool) { return want("refresh", o.refresh.kind, kindString) },
			func() (string, bool) { return want("access", o.access.kind, kindString) },
			func() (string, bool) { return want("expires", o.expires.kind, kindNumber) },
			func() (string, bool) { return optional("accountId", o.account.kind, kindString) },
			func() (string, bool) { return optional("enterpriseUrl", o.enterpriseURL.kind, kindString) },
		}
	case CredAPI:
		checks = []func() (string, bool){
			func() (string, bool) { return want("key", o.key.kind, kindString) },
			func() (string, bool) { return optional("metadata", o.metadata.kind, kindObject) },
		}
	case CredWellKnown:
		checks = []func() (string, bool){
			func() (string, bool) { return want("key", o.key.kind, kindString) },
			func() (string, bool) { return want("token", o.token.kind, kindString) },
		}
	default:
		return fail(StoreWrongShape, "the \"openai\" entry in %s has a \"type\" OpenCode does not know", what)
	}
	for _, check := range checks {
		if msg, ok := check(); !ok {
			return fail(StoreWrongShape, "%s", msg)
		}
	}
	c.EntryOK = true
	return c
}

// maxJSDateMillis is the largest |ms| a JavaScript Date can hold.
const maxJSDateMillis = 8.64e15

var providerIDRE = lazyRE(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// looksLikeProviderID reports whether a top-level key can be shown as a provider id.
func looksLikeProviderID(k string) bool {
	return len(k) <= MaxProviderIDLen && providerIDRE().MatchString(k)
}

// authStore is auth.json as probes: the kind of the top-level value, the
// provider ids and the openai entry (nil when absent).
type authStore struct {
	kind      jsonKind
	providers []string
	openai    *openaiProbe
}

func (s *authStore) UnmarshalJSON(b []byte) error {
	*s = authStore{kind: kindOf(b)}
	if s.kind != kindObject {
		return nil
	}
	seen := map[string]bool{}
	_, err := walkObject(b, func(key string) any {
		if !seen[key] && len(s.providers) < MaxProviders && looksLikeProviderID(key) {
			seen[key] = true
			s.providers = append(s.providers, key)
		}
		if key == "openai" {
			s.openai = &openaiProbe{}
			return s.openai
		}
		return nil
	})
	return err
}

// openaiProbe is one provider entry as probes. It holds no values except the
// credential type, the expiry and the masked account id.
type openaiProbe struct {
	kind          jsonKind
	typ           typeProbe
	refresh       kindProbe
	access        accessProbe
	key           kindProbe
	token         kindProbe
	metadata      kindProbe
	enterpriseURL kindProbe
	expires       numberProbe
	account       accountProbe
}

func (o *openaiProbe) UnmarshalJSON(b []byte) error {
	*o = openaiProbe{kind: kindOf(b)}
	if o.kind != kindObject {
		return nil
	}
	_, err := walkObject(b, func(key string) any {
		switch key {
		case "type":
			return &o.typ
		case "refresh":
			return &o.refresh
		case "access":
			return &o.access
		case "key":
			return &o.key
		case "token":
			return &o.token
		case "metadata":
			return &o.metadata
		case "enterpriseUrl":
			return &o.enterpriseURL
		case "expires":
			return &o.expires
		case "accountId":
			return &o.account
		}
		return nil
	})
	return err
}

// typeProbe keeps the kind of "type" and, for a string, the CredType it
// names (never the string itself).
type typeProbe struct {
	kind jsonKind
	typ  CredType
}

func (t *typeProbe) UnmarshalJSON(b []byte) error {
	*t = typeProbe{kind: kindOf(b)}
	if t.kind != kindString {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t.typ = credTypeOf(s)
	return nil
}

// credTypeOf maps OpenCode's type string to a CredType.
func credTypeOf(s string) CredType {
	switch s {
	case "oauth":
		return CredOAuth
	case "api":
		return CredAPI
	case "wellknown":
		return CredWellKnown
	}
	return CredUnknown
}

// accessProbe keeps the kind of "access" and the plan its JWT payload names;
// the token itself is dropped at once.
type accessProbe struct {
	kindProbe
	plan string
}

func (a *accessProbe) UnmarshalJSON(b []byte) error {
	*a = accessProbe{}
	if err := a.kindProbe.UnmarshalJSON(b); err != nil || a.kind != kindString {
		return err
	}
	var tok string
	if json.Unmarshal(b, &tok) != nil {
		return nil
	}
	a.plan = PlanOfJWT(tok)
	return nil
}

var planRE = lazyRE(`^[a-z][a-z0-9_-]{0,23}$`)

// PlanOfJWT reads the chatgpt_plan_type claim of an OpenAI access or id
// token's payload ("" when absent or not a plain lowercase word). It checks
// no signature: the plan is shown, never trusted.
func PlanOfJWT(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(parts[1]) > 64<<10 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var claims struct {
		Auth struct {
			Plan string `json:"chatgpt_plan_type"`
		} `json:"https://api.openai.com/auth"`
	}
	if json.Unmarshal(raw, &claims) != nil || !planRE().MatchString(claims.Auth.Plan) {
		return ""
	}
	return claims.Auth.Plan
}

// accountProbe keeps the kind of "accountId" and, for a string, only its mask.
type accountProbe struct {
	kind   jsonKind
	masked string
}

func (a *accountProbe) UnmarshalJSON(b []byte) error {
	*a = accountProbe{kind: kindOf(b)}
	if a.kind != kindString {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	a.masked = Mask(s)
	return nil
}

// ParseAuthList parses `opencode auth list` output (ANSI allowed) into provider
// display name (lower-cased, e.g. "openai") → credential type.
//
// Lines "●  <Display Name> <type>" under the "Credentials" header are stored
// credentials. Lines under the "Environment" header ("●  OpenAI
// OPENAI_API_KEY") are keys taken from environment variables: they are
// reported as CredAPI, but only for a provider that has no stored credential
// (a stored credential always wins, whatever the order of the sections).
func ParseAuthList(out string) map[string]CredType {
	stored := map[string]CredType{}
	fromEnv := map[string]CredType{}
	inEnv := false
	for _, line := range strings.Split(ansi.Strip(out), "\n") {
		line = strings.TrimSpace(strings.TrimRight(line, "\r"))
		switch {
		case strings.HasPrefix(line, "┌"):
			head := strings.TrimSpace(strings.TrimPrefix(line, "┌"))
			inEnv = strings.HasPrefix(strings.ToLower(head), "environment")
		case strings.HasPrefix(line, "●"):
			fields := strings.Fields(strings.TrimPrefix(line, "●"))
			if len(fields) < 2 {
				continue
			}
			name := strings.ToLower(strings.Join(fields[:len(fields)-1], " "))
			word := fields[len(fields)-1]
			if inEnv {
				fromEnv[name] = CredAPI
			} else {
				stored[name] = credTypeOf(word)
			}
		}
	}
	for name, t := range fromEnv {
		if _, ok := stored[name]; !ok {
			stored[name] = t
		}
	}
	return stored
}

// Mask returns a masked form of an identifier that is safe to show:
// "" stays "", up to 6 characters give "…" and the last 2 (the last 1 for 2
// characters, nothing for 1), longer ones the first 4, "…" and the last 3
// ("acct-fake-000" → "acct…000"). Control and invisible characters become "?".
func Mask(id string) string {
	if id == "" {
		return ""
	}
	r := []rune(id)
	for i, c := range r {
		if unicode.IsControl(c) || unicode.Is(unicode.Cf, c) || !unicode.IsPrint(c) {
			r[i] = '?'
		}
	}
	n := len(r)
	if n <= 6 {
		keep := min(2, n-1)
		return "…" + string(r[n-keep:])
	}
	return string(r[:4]) + "…" + string(r[n-3:])
}
