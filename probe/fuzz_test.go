package probe

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzCanary is planted in the seeds. It contains '!', so it can never pass
// as a provider id, and is longer than what Mask shows of an account id.
const fuzzCanary = "Zq9!fuzz-canary!Zq9"

// FuzzParseAuth checks that ParseAuth never panics and never lets a planted
// secret into its result. Seeds live in testdata/fuzz/FuzzParseAuth/.
func FuzzParseAuth(f *testing.F) {
	for _, tt := range authCases {
		if len(tt.data) < 4096 {
			f.Add([]byte(strings.NewReplacer(canaryRefresh, fuzzCanary, canaryAccess, fuzzCanary,
				canaryKey, fuzzCanary, canaryToken, fuzzCanary, canaryOther, fuzzCanary).Replace(tt.data)))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := ParseAuth(data)
		printed := fmt.Sprintf("%+v", c)
		if strings.Contains(printed, fuzzCanary) || strings.Contains(printed, "fuzz-canary") {
			t.Fatalf("canary leaked: %s", printed)
		}
		// Every string probe reports is bounded and printable.
		if !utf8.ValidString(c.Detail) || len(c.Detail) > 200 {
			t.Fatalf("bad Detail %q", c.Detail)
		}
		if (c.Problem == StoreOK) != (c.Detail == "") {
			t.Fatalf("Problem %v with Detail %q", c.Problem, c.Detail)
		}
		if c.EntryOK && (!c.Present || c.Problem != StoreOK) {
			t.Fatalf("EntryOK without a good entry: %+v", c)
		}
		if len(c.Providers) > MaxProviders {
			t.Fatalf("%d providers", len(c.Providers))
		}
		for _, p := range c.Providers {
			if len(p) > MaxProviderIDLen || !looksLikeProviderID(p) {
				t.Fatalf("bad provider id %q", p)
			}
		}
		if utf8.RuneCountInString(c.Account) > 8 {
			t.Fatalf("Account %q too long", c.Account)
		}
		// ParseAuthList and ParseConfig get the same treatment.
		for name := range ParseAuthList(string(data)) {
			if strings.Contains(name, "\x1b") {
				t.Fatalf("ANSI in provider name %q", name)
			}
		}
		// Config entries naming the plugin are reported by design; nothing
		// else from the input may show.
		cf := ParseConfig(data)
		if strings.Contains(cf.ParseError, "fuzz-canary") || strings.Contains(cf.Path, "fuzz-canary") {
			t.Fatalf("canary leaked from config: %+v", cf)
		}
		for _, e := range cf.PluginEntries {
			if !IsPluginEntry(strings.ReplaceAll(e, "…@", "")) && !strings.Contains(e, "…") {
				t.Fatalf("non-plugin entry reported: %q", e)
			}
		}
	})
}
