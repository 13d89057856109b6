package probe

import (
	"strings"
	"testing"
)

// TestParseV2AuthList: the shapes of OpenCode 2's `auth list --format
// json` (list.ts at 9bf98793, connection.ts at cd147331).
func TestParseV2AuthList(t *testing.T) {
	cases := []struct {
		name, in string
		present  bool
		typ      CredType
		label    string
		count    int
		err      bool
	}{
		{"nothing", "[]\n", false, CredNone, "", 0, false},
		{"oauth", `[{"id":"openai","name":"OpenAI","connections":[{"type":"credential","id":"cred_1","label":"OpenAI","method":"oauth"}]}]`, true, CredOAuth, "OpenAI", 1, false},
		{"key", `[{"id":"openai","name":"OpenAI","connections":[{"type":"credential","id":"cred_1","label":"default","method":"key"}]}]`, true, CredAPI, "default", 1, false},
		{"env", `[{"id":"openai","name":"OpenAI","connections":[{"type":"env","name":"OPENAI_API_KEY"}]}]`, true, CredEnv, "OPENAI_API_KEY", 1, false},
		{"two, active first", `[{"id":"anthropic","name":"Anthropic","connections":[{"type":"env","name":"ANTHROPIC_API_KEY"}]},{"id":"openai","name":"OpenAI","connections":[{"type":"credential","id":"cred_2","label":"OpenAI 2","method":"key"},{"type":"credential","id":"cred_1","label":"OpenAI","method":"oauth"},{"type":"env","name":"OPENAI_API_KEY"}]}]`, true, CredAPI, "OpenAI 2", 3, false},
		{"the table, not JSON", "OpenAI  OpenAI                      stored\n", false, CredNone, "", 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseV2AuthList([]byte(c.in), "/db")
			if (err != nil) != c.err || got.Present != c.present || got.Type != c.typ || got.Label != c.label || got.Count != c.count || got.Source != SourceAuthList {
				t.Fatalf("got %+v, %v", got, err)
			}
			if c.name == "two, active first" && !strings.Contains(got.Detail, "OpenAI") {
				t.Errorf("an inactive ChatGPT login is not mentioned: %q", got.Detail)
			}
		})
	}
}
