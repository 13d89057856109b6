package probe

import (
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

const fakeExpiresMS = 1795920467286

func oauthEntry(extra string) string {
	return `{"type":"oauth","refresh":"` + canaryRefresh + `","access":"` + canaryAccess +
		`","expires":1795920467286,"accountId":"acct-fake-000"` + extra + `}`
}

var (
	goodOAuth = `{
  "openai": ` + oauthEntry("") + `,
  "anthropic": {"type":"api","key":"` + canaryOther + `"}
}`
	goodAPI       = `{"openai":{"type":"api","key":"` + canaryKey + `"}}`
	goodWellKnown = `{"openai":{"type":"wellknown","key":"` + canaryKey + `","token":"` + canaryToken + `"}}`
)

// authCase is one auth.json content and what ParseAuth must say about it.
type authCase struct {
	name    string
	data    string
	problem StoreProblem
	detail  []string // substrings Detail must contain
	check   func(t *testing.T, c Credential)
}

var authCases = []authCase{
	{
		name: "oauth, as written by a ChatGPT login",
		data: goodOAuth,
		check: func(t *testing.T, c Credential) {
			want := Credential{
				Source: SourceFile, Present: true, Type: CredOAuth, HasRefresh: true, HasAccess: true,
				EntryOK: true, Account: "acct…000", Expires: time.UnixMilli(fakeExpiresMS).UTC(),
				Providers: []string{"anthropic", "openai"},
			}
			if !reflect.DeepEqual(c, want) {
				t.Fatalf("got  %+v\nwant %+v", c, want)
			}
			if !c.Subscription() {
				t.Error("Subscription() = false")
			}
			if c.Expired(time.UnixMilli(fakeExpiresMS-1)) || !c.Expired(time.UnixMilli(fakeExpiresMS+1)) {
				t.Error("Expired() wrong around the expiry")
			}
		},
	},
	{
		name: "oauth with enterpriseUrl and unknown extra fields",
		data: `{"openai":` + oauthEntry(`,"enterpriseUrl":"https://example.invalid","extra":{"nested":["`+canaryOther+`"]}`) + `}`,
		check: func(t *testing.T, c Credential) {
			if !c.Subscription() {
				t.Fatalf("not a subscription: %+v", c)
			}
		},
	},
	{
		name: "api key",
		data: goodAPI,
		check: func(t *testing.T, c Credential) {
			if !c.Present || c.Type != CredAPI || !c.EntryOK || c.Subscription() || c.HasRefresh || c.HasAccess || !c.Expires.IsZero() {
				t.Fatalf("got %+v", c)
			}
		},
	},
	{
		name: "api key with metadata",
		data: `{"openai":{"type":"api","key":"` + canaryKey + `","metadata":{"a":"b"}}}`,
		check: func(t *testing.T, c Credential) {
			if !c.EntryOK {
				t.Fatalf("got %+v", c)
			}
		},
	},
	{
		name: "wellknown",
		data: goodWellKnown,
		check: func(t *testing.T, c Credential) {
			if c.Type != CredWellKnown || !c.EntryOK {
				t.Fatalf("got %+v", c)
			}
		},
	},
	{
		name: "no openai entry",
		data: `{"anthropic":{"type":"api","key":"` + canaryOther + `"}}`,
		check: func(t *testing.T, c Credential) {
			if c.Present || c.EntryOK || c.Type != CredNone || !reflect.DeepEqual(c.Providers, []string{"anthropic"}) {
				t.Fatalf("got %+v", c)
			}
		},
	},
	{
		name: "empty object after logout",
		data: "{}",
		check: func(t *testing.T, c Credential) {
			if c.Present || len(c.Providers) != 0 {
				t.Fatalf("got %+v", c)
			}
		},
	},
	{name: "zero bytes", data: "", problem: StoreEmpty, detail: []string{"auth.json is empty"}},
	{name: "only whitespace", data: " \n\t\r\n ", problem: StoreEmpty, detail: []string{"empty"}},
	{name: "corrupt", data: `{ broken ` + canaryKey, problem: StoreInvalidJSON, detail: []string{"not valid JSON", "byte"}},
	{
		name: "truncated in the middle of a token", data: `{"openai":{"type":"oauth","refresh":"` + canaryRefresh,
		problem: StoreInvalidJSON, detail: []string{"not valid JSON"},
	},
	{name: "trailing garbage", data: goodAPI + `x` + canaryKey, problem: StoreInvalidJSON},
	{name: "BOM", data: "\xef\xbb\xbf" + goodAPI, problem: StoreInvalidJSON},
	{name: "too deep", data: strings.Repeat("[", 20000) + strings.Repeat("]", 20000), problem: StoreInvalidJSON},
	{name: "top level array", data: `[` + goodOAuth + `]`, problem: StoreWrongShape, detail: []string{"an array", "not an object"}},
	{name: "top level string", data: `"` + canaryKey + `"`, problem: StoreWrongShape, detail: []string{"a string"}},
	{name: "top level null", data: `null`, problem: StoreWrongShape, detail: []string{"null"}},
	{name: "top level number", data: `42`, problem: StoreWrongShape, detail: []string{"a number"}},
	{
		name: "openai is a string", data: `{"openai":"` + canaryKey + `"}`, problem: StoreWrongShape,
		detail: []string{`"openai" entry`, "a string, not an object"},
		check: func(t *testing.T, c Credential) {
			if !c.Present || c.EntryOK || c.Subscription() {
				t.Fatalf("got %+v", c)
			}
		},
	},
	{name: "openai is null", data: `{"openai":null}`, problem: StoreWrongShape, detail: []string{"null"}},
	{name: "openai is an array", data: `{"openai":[` + oauthEntry("") + `]}`, problem: StoreWrongShape, detail: []string{"an array"}},
	{
		name: "type is not a string", data: `{"openai":{"type":1,"key":"` + canaryKey + `"}}`, problem: StoreWrongShape,
		detail: []string{`"type"`, "a number, not a string"},
	},
	{name: "type missing", data: `{"openai":{"key":"` + canaryKey + `"}}`, problem: StoreWrongShape, detail: []string{`no "type"`}},
	{
		name: "type field with the wrong case", data: `{"openai":{"Type":"oauth","refresh":"` + canaryRefresh + `","access":"a","expires":1}}`,
		problem: StoreWrongShape, detail: []string{`no "type"`},
	},
	{
		name: "unknown type", data: `{"openai":{"type":"bearer-` + canaryToken + `","key":"` + canaryKey + `"}}`, problem: StoreWrongShape,
		detail: []string{"does not know"},
		check: func(t *testing.T, c Credential) {
			if c.Type != CredUnknown {
				t.Fatalf("Type = %q", c.Type)
			}
		},
	},
	{
		name: "expires is a string", data: `{"openai":{"type":"oauth","refresh":"` + canaryRefresh + `","access":"` + canaryAccess + `","expires":"1795920467286"}}`,
		problem: StoreWrongShape, detail: []string{`"expires" as a string, not a number`},
		check: func(t *testing.T, c Credential) {
			if !c.Expires.IsZero() || c.Type != CredOAuth || !c.HasRefresh || !c.HasAccess || c.EntryOK {
				t.Fatalf("got %+v", c)
			}
		},
	},
	{
		name: "oauth without refresh (OpenCode ignores it)", data: `{"openai":{"type":"oauth","access":"` + canaryAccess + `","expires":1795920467286}}`,
		problem: StoreWrongShape, detail: []string{`no "refresh"`},
		check: func(t *testing.T, c Credential) {
			if c.HasRefresh || !c.HasAccess || c.Expires.IsZero() {
				t.Fatalf("got %+v", c)
			}
		},
	},
	{
		name: "oauth with an empty refresh is accepted, as OpenCode does",
		data: `{"openai":{"type":"oauth","refresh":"","access":"` + canaryAccess + `","expires":1}}`,
		check: func(t *testing.T, c Credential) {
			if !c.EntryOK || c.HasRefresh || !c.HasAccess || !c.Expires.Equal(time.UnixMilli(1)) {
				t.Fatalf("got %+v", c)
			}
		},
	},
	{
		name: "oauth with null access", data: `{"openai":{"type":"oauth","refresh":"` + canaryRefresh + `","access":null,"expires":1}}`,
		problem: StoreWrongShape, detail: []string{`"access" as null`},
	},
	{
		name: "oauth without expires", data: `{"openai":{"type":"oauth","refresh":"` + canaryRefresh + `","access":"` + canaryAccess + `"}}`,
		problem: StoreWrongShape, detail: []string{`no "expires"`},
	},
	{
		name: "accountId is a number", data: `{"openai":{"type":"oauth","refresh":"` + canaryRefresh + `","access":"x","expires":1,"accountId":7}}`,
		problem: StoreWrongShape, detail: []string{`"accountId" as a number`},
	},
	{
		name: "api without key", data: `{"openai":{"type":"api","value":"` + canaryKey + `"}}`,
		problem: StoreWrongShape, detail: []string{`no "key"`},
	},
	{
		name: "api key is an object", data: `{"openai":{"type":"api","key":{"v":"` + canaryKey + `"}}}`,
		problem: StoreWrongShape, detail: []string{`"key" as an object`},
	},
	{
		name: "wellknown without token", data: `{"openai":{"type":"wellknown","key":"` + canaryKey + `"}}`,
		problem: StoreWrongShape, detail: []string{`no "token"`},
	},
	{
		name: "later duplicate wins, as in JSON.parse",
		data: `{"openai":{"type":"api","key":"` + canaryKey + `"},"openai":` + oauthEntry("") + `}`,
		check: func(t *testing.T, c Credential) {
			if !c.Subscription() || !reflect.DeepEqual(c.Providers, []string{"openai"}) {
				t.Fatalf("got %+v", c)
			}
		},
	},
	{
		name: "provider key in other case is another provider",
		data: `{"OpenAI":` + oauthEntry("") + `}`,
		check: func(t *testing.T, c Credential) {
			if c.Present || !reflect.DeepEqual(c.Providers, []string{"OpenAI"}) {
				t.Fatalf("got %+v", c)
			}
		},
	},
	{
		name: "expires out of any date range",
		data: `{"openai":{"type":"oauth","refresh":"` + canaryRefresh + `","access":"","expires":1e300}}`,
		check: func(t *testing.T, c Credential) {
			if !c.EntryOK || !c.Expires.IsZero() || c.HasAccess {
				t.Fatalf("got %+v", c)
			}
		},
	},
	{
		name: "odd provider keys are not listed",
		data: `{"` + canaryKey + `":1,"with space":{},"` + strings.Repeat("a", 65) + `":{},"ok-1.x_y":{},"\u001b[31m":{},"":{},"openai":` + oauthEntry("") + `}`,
		check: func(t *testing.T, c Credential) {
			if !reflect.DeepEqual(c.Providers, []string{"ok-1.x_y", "openai"}) {
				t.Fatalf("Providers = %q", c.Providers)
			}
		},
	},
	{
		name: "provider count is capped",
		data: manyProviders(150),
		check: func(t *testing.T, c Credential) {
			if len(c.Providers) != MaxProviders || c.Providers[0] != "p000" {
				t.Fatalf("%d providers, first %q", len(c.Providers), c.Providers[0])
			}
		},
	},
	{
		name: "account id with terminal escapes is masked and made printable",
		data: `{"openai":` + strings.Replace(oauthEntry(""), "acct-fake-000", `\u001b]0;pwn\u0007acct`, 1) + `}`,
		check: func(t *testing.T, c Credential) {
			if c.Account != "?]0;…cct" || strings.ContainsAny(c.Account, "\x1b\x07") {
				t.Fatalf("Account = %q", c.Account)
			}
		},
	},
	{name: "larger than the cap", data: `{"x":"` + strings.Repeat("a", MaxAuthFileSize) + `"}`, problem: StoreTooLarge},
}

func manyProviders(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"p%03d":{"type":"api","key":"%s"}`, i, canaryOther)
	}
	b.WriteString("}")
	return b.String()
}

func TestParseAuth(t *testing.T) {
	for _, tt := range authCases {
		t.Run(tt.name, func(t *testing.T) {
			c := ParseAuth([]byte(tt.data))
			if c.Problem != tt.problem {
				t.Fatalf("Problem = %v (%q), want %v", c.Problem, c.Detail, tt.problem)
			}
			checkDetail(t, c, tt.detail)
			if c.Source != SourceFile || c.EnvOverride {
				t.Errorf("Source %v EnvOverride %v", c.Source, c.EnvOverride)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
			assertNoCanary(t, c)
		})
	}
}

func checkDetail(t *testing.T, c Credential, want []string) {
	t.Helper()
	if c.Problem == StoreOK {
		if c.Detail != "" {
			t.Errorf("Detail %q on StoreOK", c.Detail)
		}
		return
	}
	if c.Detail == "" {
		t.Errorf("no Detail for %v", c.Problem)
	}
	if c.EntryOK || c.Subscription() {
		t.Errorf("EntryOK with problem %v", c.Problem)
	}
	for _, w := range want {
		if !strings.Contains(c.Detail, w) {
			t.Errorf("Detail %q lacks %q", c.Detail, w)
		}
	}
	if len(c.Detail) > 200 {
		t.Errorf("Detail is %d bytes", len(c.Detail))
	}
}

func TestInspectAuthFake(t *testing.T) {
	const auth = "/home/ada/.local/share/opencode/auth.json"
	mtime := time.Unix(1795920000, 0)
	tests := []struct {
		name    string
		goos    string
		env     fakeEnv
		fs      *fakeFS
		problem StoreProblem
		detail  []string
		noRead  bool
		check   func(t *testing.T, c Credential)
	}{
		{
			name: "missing", fs: newFakeFS(), problem: StoreMissing, detail: []string{"does not exist"}, noRead: true,
		},
		{
			name: "good oauth 0600",
			fs:   newFakeFS().file(auth, 0o600, goodOAuth),
			check: func(t *testing.T, c Credential) {
				if !c.Subscription() || c.Mode != 0o600 || c.Size != int64(len(goodOAuth)) || !c.ModTime.Equal(mtime) || c.Insecure || c.Path != auth {
					t.Fatalf("got %+v", c)
				}
			},
		},
		{
			name: "world-readable is insecure",
			fs:   newFakeFS().file(auth, 0o644, goodAPI),
			check: func(t *testing.T, c Credential) {
				if !c.Insecure || c.Type != CredAPI {
					t.Fatalf("got %+v", c)
				}
			},
		},
		{
			name: "group-writable is insecure",
			fs:   newFakeFS().file(auth, 0o620, goodAPI),
			check: func(t *testing.T, c Credential) {
				if !c.Insecure {
					t.Fatalf("got %+v", c)
				}
			},
		},
		{
			name: "windows modes are not judged",
			goos: "windows",
			fs:   newFakeFS().file(`C:\Users\ada\.local\share\opencode\auth.json`, 0o666, goodAPI),
			check: func(t *testing.T, c Credential) {
				if c.Insecure || c.Type != CredAPI || c.Path != `C:\Users\ada\.local\share\opencode\auth.json` {
					t.Fatalf("got %+v", c)
				}
			},
		},
		{
			name: "empty file keeps its metadata", fs: newFakeFS().file(auth, 0o600, ""), problem: StoreEmpty,
			check: func(t *testing.T, c Credential) {
				if c.Mode != 0o600 || c.Size != 0 || c.Path != auth {
					t.Fatalf("got %+v", c)
				}
			},
		},
		{name: "invalid JSON", fs: newFakeFS().file(auth, 0o600, `{ broken `+canaryKey), problem: StoreInvalidJSON, detail: []string{"auth.json is not valid JSON"}},
		{name: "wrong shape", fs: newFakeFS().file(auth, 0o600, `{"openai":"`+canaryKey+`"}`), problem: StoreWrongShape},
		{name: "directory", fs: newFakeFS().file(auth, fs.ModeDir|0o755, ""), problem: StoreIsDir, detail: []string{"directory"}, noRead: true},
		{
			name: "symlink is not followed",
			fs: newFakeFS().add(auth, &fakeFile{mode: fs.ModeSymlink | 0o777, target: "/home/eve/auth.json"}).
				file("/home/eve/auth.json", 0o600, goodOAuth),
			problem: StoreSymlink, detail: []string{"symbolic link", "does not follow"}, noRead: true,
			check: func(t *testing.T, c Credential) {
				if c.Present || c.Mode&fs.ModeSymlink == 0 {
					t.Fatalf("got %+v", c)
				}
			},
		},
		{
			name:    "named pipe is not opened",
			fs:      newFakeFS().file(auth, fs.ModeNamedPipe|0o600, ""),
			problem: StoreUnreadable, detail: []string{"not a regular file", "named pipe"}, noRead: true,
		},
		{
			name:    "lstat denied",
			fs:      newFakeFS().add(auth, &fakeFile{lstatErr: syscall.EACCES}),
			problem: StoreUnreadable, detail: []string{"could not be inspected", "permission denied"}, noRead: true,
		},
		{
			name:    "read denied",
			fs:      newFakeFS().add(auth, &fakeFile{mode: 0o600, data: []byte(goodOAuth), readErr: syscall.EACCES}),
			problem: StoreUnreadable, detail: []string{"could not be read", "permission denied"},
		},
		{
			name:    "I/O error",
			fs:      newFakeFS().add(auth, &fakeFile{mode: 0o600, data: []byte(goodOAuth), readErr: syscall.EIO}),
			problem: StoreUnreadable, detail: []string{"input/output error"},
		},
		{
			name:    "huge by its size is not read",
			fs:      newFakeFS().add(auth, &fakeFile{mode: 0o600, size: 50 << 20}),
			problem: StoreTooLarge, detail: []string{"52428800 bytes"}, noRead: true,
		},
		{
			name:    "grew past the cap while read",
			fs:      newFakeFS().add(auth, &fakeFile{mode: 0o600, size: 10, data: []byte(`{"x":"` + strings.Repeat("a", MaxAuthFileSize) + `"}`)}),
			problem: StoreTooLarge, detail: []string{"larger than"},
		},
		{
			name: "OPENCODE_AUTH_CONTENT overrides the file",
			env:  fakeEnv{AuthContentEnv: goodOAuth},
			fs:   newFakeFS().file(auth, 0o644, goodAPI),
			check: func(t *testing.T, c Credential) {
				if c.Source != SourceEnv || !c.EnvOverride || c.Path != auth || !c.Subscription() || c.Mode != 0 || c.Insecure {
					t.Fatalf("got %+v", c)
				}
			},
			noRead: true,
		},
		{
			name: "OPENCODE_AUTH_CONTENT with a missing file",
			env:  fakeEnv{AuthContentEnv: goodAPI}, fs: newFakeFS(),
			check: func(t *testing.T, c Credential) {
				if c.Source != SourceEnv || c.Type != CredAPI || !c.EntryOK {
					t.Fatalf("got %+v", c)
				}
			},
			noRead: true,
		},
		{
			name: "OPENCODE_AUTH_CONTENT invalid", env: fakeEnv{AuthContentEnv: `{"openai":` + canaryKey},
			fs: newFakeFS().file(auth, 0o600, goodOAuth), problem: StoreInvalidJSON,
			detail: []string{"OPENCODE_AUTH_CONTENT is not valid JSON"}, noRead: true,
			check: func(t *testing.T, c Credential) {
				if !c.EnvOverride || c.Source != SourceEnv || c.Path != auth {
					t.Fatalf("got %+v", c)
				}
			},
		},
		{
			name: "OPENCODE_AUTH_CONTENT whitespace", env: fakeEnv{AuthContentEnv: "  "},
			fs: newFakeFS(), problem: StoreEmpty, detail: []string{"OPENCODE_AUTH_CONTENT is empty"}, noRead: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			goos := tt.goos
			if goos == "" {
				goos = "linux"
			}
			s := fakeSys(goos, tt.env, tt.fs)
			if goos == "windows" {
				s.Home = `C:\Users\ada`
			}
			p := ResolvePaths(s)
			c := InspectAuth(s, p)
			if c.Problem != tt.problem {
				t.Fatalf("Problem = %v (%q), want %v", c.Problem, c.Detail, tt.problem)
			}
			if c.Path != p.AuthFile {
				t.Errorf("Path = %q, want %q", c.Path, p.AuthFile)
			}
			checkDetail(t, c, tt.detail)
			if tt.noRead && len(tt.fs.reads) != 0 {
				t.Errorf("file was read: %q", tt.fs.reads)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
			assertNoCanary(t, c)
		})
	}
}

func TestMask(t *testing.T) {
	tests := map[string]string{
		"":                  "",
		"a":                 "…",
		"ab":                "…b",
		"abc":               "…bc",
		"abcdef":            "…ef",
		"abcdefg":           "abcd…efg",
		"acct-fake-000":     "acct…000",
		"ünïcødé-account-Ω": "ünïc…t-Ω",
		"ab\x1bcdefgh\x07":  "ab?c…gh?",
	}
	for in, want := range tests {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Mask(canaryRefresh); strings.Contains(got, "CANARY") {
		t.Errorf("Mask leaks: %q", got)
	}
}

// The exact shapes `opencode auth list` printed (real-clients.md §1,
// confirmed byte for byte against opencode 1.18.33): the path and the type
// word are dim (\e[90m) with no reset.
const (
	authListEmpty = "┌  Credentials \x1b[90m~/.local/share/opencode/auth.json\n│\n└  0 credentials\n\n"
	authListAPI   = "┌  Credentials \x1b[90m~/.local/share/opencode/auth.json\n│\n●  OpenAI \x1b[90mapi\n│\n└  1 credentials\n\n"
	authListOAuth = "┌  Credentials \x1b[90m~/.local/share/opencode/auth.json\n│\n●  OpenAI \x1b[90moauth\n│\n└  1 credentials\n\n"
	authListEnv   = "┌  Environment\n│\n●  OpenAI \x1b[90mOPENAI_API_KEY\n│\n└  1 environment variable\n\n"
)

func TestParseAuthList(t *testing.T) {
	captured, err := os.ReadFile("testdata/authlist-1.18.33-oauth-api-env.txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		out  string
		want map[string]CredType
	}{
		{"empty store", authListEmpty, map[string]CredType{}},
		{"api", authListAPI, map[string]CredType{"openai": CredAPI}},
		{"oauth", authListOAuth, map[string]CredType{"openai": CredOAuth}},
		{"oauth then env: the stored credential wins", authListOAuth + authListEnv, map[string]CredType{"openai": CredOAuth}},
		{"env before stored", authListEnv + authListOAuth, map[string]CredType{"openai": CredOAuth}},
		{"env only counts as an API key", authListEmpty + authListEnv, map[string]CredType{"openai": CredAPI}},
		{"CRLF and a multi-word provider", strings.ReplaceAll("┌  Credentials /x/auth.json\n│\n●  GitHub Copilot \x1b[90moauth\n●  Weird \x1b[90mbearer\n└  2 credentials\n", "\n", "\r\n"),
			map[string]CredType{"github copilot": CredOAuth, "weird": CredUnknown}},
		{"captured from opencode 1.18.33", string(captured), map[string]CredType{"openai": CredOAuth, "anthropic": CredAPI}},
		{"garbage", "\x1b[2J●\n● \n" + canaryKey, map[string]CredType{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseAuthList(tt.out)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseAuthList = %v, want %v", got, tt.want)
			}
			assertNoCanary(t, got)
		})
	}
}
