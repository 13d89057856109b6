package redact

import (
	"encoding/base64"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

// unknownShape is a secret of no shape the rules know (as a provider's
// opaque key in auth.json would be).
const unknownShape = "Zq8vN2pL0xYt5RwK3mHs/Q+e"

func TestLearnMasksEveryForm(t *testing.T) {
	defer forget()
	LearnJSON([]byte(`{"openai":{"type":"oauth","accountId":"acct-0123456789abcdef"},"mistral":{"type":"api","key":"` + unknownShape + `"},"x":{"type":"api","key":"short"}}`))
	forms := []string{
		unknownShape,
		base64.StdEncoding.EncodeToString([]byte(unknownShape)),
		base64.RawURLEncoding.EncodeToString([]byte(unknownShape)),
		url.QueryEscape(unknownShape),
	}
	for _, f := range forms {
		for _, in := range []string{f, "key=" + f + "&x=1", "\x1b[31m" + f + "\x1b[0m", `{"k":"` + f + `"}`, "Error: " + f + ": unauthorized"} {
			if got := String(in); strings.Contains(got, f) || !strings.Contains(got, Mask) {
				t.Errorf("String(%q) = %q", in, got)
			}
			// a Stream cut at every point, with no flush in between
			for cut := 0; cut <= len(in); cut++ {
				s := NewStream()
				out := string(s.Write([]byte(in[:cut]))) + string(s.Write([]byte(in[cut:]))) + string(s.Flush())
				if strings.Contains(out, f) || out != String(in) {
					t.Fatalf("cut %d of %q: %q, want %q", cut, in, out, String(in))
				}
			}
		}
	}
	// public values and short strings stay
	for _, keep := range []string{"acct-0123456789abcdef", "short", "oauth", "Zq8vN2pL0xYt5RwK3mH"} {
		if got := String("id " + keep + " end"); got != "id "+keep+" end" {
			t.Errorf("String kept nothing of %q: %q", keep, got)
		}
	}
}

func TestLearnRandomCuts(t *testing.T) {
	defer forget()
	Learn(unknownShape)
	r := rand.New(rand.NewPCG(7, 8))
	b64 := base64.StdEncoding.EncodeToString([]byte(unknownShape))
	for range 2000 {
		in, _ := genInput(r, true)
		canary := unknownShape
		if r.IntN(2) == 0 {
			canary = b64
		}
		k := r.IntN(len(in) + 1)
		in = in[:k] + " " + canary + "\n" + in[k:]
		got := string(streamAll([]byte(in), randomCuts(r, len(in))))
		if got != String(in) || strings.Contains(got, canary) {
			t.Fatalf("input %q\nstream %q\nString %q", in, got, String(in))
		}
	}
}

func TestLearnIgnoresWhatCannotBeASecret(t *testing.T) {
	defer forget()
	LearnJSON([]byte(`{"a":{"type":"oauth","enterpriseUrl":"https://example.com/abcdefghijklmnop","email":"someone@example.com","note":"a b c d e f g h i j"}}`))
	LearnJSON([]byte(`not json`))
	if n := Known(); n != 0 {
		t.Fatalf("Known() = %d after public values only", n)
	}
}
