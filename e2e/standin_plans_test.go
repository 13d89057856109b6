package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/e2e/openaistandin"
)

// The real client's texts for the service's failures, measured with
// opencode 1.18.33 against the stand-in (docs/troubleshooting.md quotes
// them with the upstream issues that show the real service's bodies).
// TestStandinRealClientTexts keeps them true: when a release prints
// something else, it fails and the classifier's samples need a look.
var realClientTexts = []struct {
	name  string
	opts  openaistandin.Options
	auth  string // PlantAuth kind
	noCA  bool   // the client does not trust the intercepting CA
	model string
	want  string // the line opencode prints on stderr
}{
	{"pro-only model on plus", openaistandin.Options{PlanType: "plus"}, "oauth", false, "openai/gpt-5.3-codex-spark",
		`Error: Bad Request: {"detail":"The 'gpt-5.3-codex-spark' model is not supported when using Codex with a ChatGPT account."}`},
	{"usage limit", openaistandin.Options{Faults: openaistandin.Faults{Responses: 429, RetryAfter: 50 * time.Millisecond}}, "oauth", false, "openai/gpt-5.4-mini",
		"Error: The usage limit has been reached"},
	{"region at the backend", openaistandin.Options{Faults: openaistandin.Faults{Region: true}}, "oauth", false, "openai/gpt-5.4-mini",
		"Error: Country, region, or territory not supported"},
	{"region at refresh", openaistandin.Options{Faults: openaistandin.Faults{Region: true}}, "expired", false, "openai/gpt-5.4-mini",
		"Error: Token refresh failed: 403"},
	{"refresh token reused", openaistandin.Options{Faults: openaistandin.Faults{Refresh: openaistandin.RefreshReused}}, "expired", false, "openai/gpt-5.4-mini",
		"Error: Token refresh failed: 401"},
	{"TLS interception", openaistandin.Options{}, "oauth", true, "openai/gpt-5.4-mini",
		"Error: self signed certificate in certificate chain"},
	{"401", openaistandin.Options{Faults: openaistandin.Faults{Responses: 401}}, "oauth", false, "openai/gpt-5.4-mini",
		"Error: Provided authentication token is expired. Please try signing in again."},
	{"cloudflare 403", openaistandin.Options{Faults: openaistandin.Faults{Responses: 403}}, "oauth", false, "openai/gpt-5.4-mini",
		"Error: Forbidden: request was blocked by a gateway or proxy."},
}

func TestStandinRealClientTexts(t *testing.T) {
	t.Parallel()
	oc := realOpenCode(t)
	for _, c := range realClientTexts {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env, _ := standinSetup(t, c.opts)
			if c.noCA {
				env.Set("NODE_EXTRA_CA_CERTS", "")
			}
			env.PlantAuth(c.auth)
			r := standinRun(t, env, standinRunTimeout, oc, "run", "say ok", "--model="+c.model)
			errOut := ansi.Strip(r.Stderr)
			if r.Code != 1 || !strings.Contains(errOut, c.want) {
				t.Errorf("want rc 1 and %q; %s", c.want, standinDump(r))
			}
			assertNoCanary(t, env.Canary, r.Stdout, r.Stderr)
		})
	}
}

// standinPlanConnect logs in with the device code (so the tokens carry the
// plan's claims) and runs the whole plain flow.
func standinPlanConnect(t *testing.T, plan string, last string) (*Env, *openaistandin.Server, Result) {
	t.Helper()
	heidi(t)
	realOpenCode(t)
	env, s := standinSetup(t, openaistandin.Options{PlanType: plan})
	standinLinkOpenCode(t, env)
	if last != "" {
		o := map[string]any{"time": time.Now().Add(-24 * time.Hour).UTC(), "model": last, "result": "PASS"}
		b, _ := json.Marshal(o)
		if err := os.MkdirAll(env.HeidiHome, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(env.HeidiHome, "last-connect.json"), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return env, s, standinHeidiConnect(t, env)
}

var plainPass = regexp.MustCompile(`(?m)^      PASS in [0-9.]+s with (openai/\S+)$`)

func lastModel(t *testing.T, env *Env) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(env.HeidiHome, "last-connect.json"))
	if err != nil {
		t.Fatal(err)
	}
	var o struct{ Model, Result string }
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return o.Result + " " + o.Model
}

// TestStandinPlanPlus: a Plus account on the real client. OpenCode lists
// the Pro-only preview first; heidi does not test with it, and passes.
func TestStandinPlanPlus(t *testing.T) {
	t.Parallel()
	env, s, r := standinPlanConnect(t, "plus", "")
	m := plainPass.FindStringSubmatch(r.Stderr)
	if r.Code != 0 || !strings.HasSuffix(r.Stdout, "\nTest run: PASS\n") || m == nil || strings.HasSuffix(m[1], "-spark") {
		t.Fatalf("want exit 0, Test run: PASS and a model Plus has; %s", standinDump(r))
	}
	if !strings.Contains(r.Stdout, "Models: 19 (first: openai/gpt-5.3-codex-spark)\n") {
		t.Errorf("the Models line must still name the first listed model:\n%s", r.Stdout)
	}
	for _, q := range standinResponses(s) {
		if openaistandin.ProOnly(q.Model) || q.Status != 200 {
			t.Errorf("responses request %v: a Plus account's test must not be refused", q)
		}
	}
	if got := lastModel(t, env); got != "PASS "+m[1] {
		t.Errorf("last-connect.json: %q, want PASS %s", got, m[1])
	}
}

// TestStandinPlanDowngradedToPlus: last time the Pro-only preview passed
// (the account was Pro); now it is Plus. The backend refuses the preview
// with its real 400; heidi says so, passes with the next model and
// remembers that one.
func TestStandinPlanDowngradedToPlus(t *testing.T) {
	t.Parallel()
	env, s, r := standinPlanConnect(t, "plus", "openai/gpt-5.3-codex-spark")
	m := plainPass.FindStringSubmatch(r.Stderr)
	if r.Code != 0 || !strings.HasSuffix(r.Stdout, "\nTest run: PASS\n") || m == nil || m[1] == "openai/gpt-5.3-codex-spark" {
		t.Fatalf("want exit 0 and PASS with another model; %s", standinDump(r))
	}
	if !strings.Contains(r.Stderr, "openai/gpt-5.3-codex-spark was refused: OpenAI does not serve this model for this ChatGPT plan") ||
		!strings.Contains(r.Stderr, "refused for this plan: openai/gpt-5.3-codex-spark (") {
		t.Errorf("heidi does not say the preview was refused:\n%s", r.Stderr)
	}
	resp := standinResponses(s)
	if len(resp) == 0 || resp[0].Model != "gpt-5.3-codex-spark" || resp[0].Status != 400 {
		t.Errorf("responses %v: want the preview first, refused with 400", resp)
	}
	if got := lastModel(t, env); got != "PASS "+m[1] {
		t.Errorf("last-connect.json: %q, want PASS %s", got, m[1])
	}
	t.Logf("heidi says:\n%s%s", r.Stderr, r.Stdout)
}

// TestStandinPlanPro: Pro passes as before.
func TestStandinPlanPro(t *testing.T) {
	t.Parallel()
	_, _, r := standinPlanConnect(t, "pro", "")
	if r.Code != 0 || !strings.HasSuffix(r.Stdout, "\nTest run: PASS\n") || plainPass.FindStringSubmatch(r.Stderr) == nil {
		t.Fatalf("want exit 0 and Test run: PASS; %s", standinDump(r))
	}
}

// TestStandinPlanFree: Free has no Codex. The real client retries the 429
// for about 75 s, then heidi fails with the plan message, without trying
// other models.
func TestStandinPlanFree(t *testing.T) {
	t.Parallel()
	_, s, r := standinPlanConnect(t, "free", "")
	if r.Code != 1 || !strings.Contains(r.Stdout, "Test run: FAIL\n") {
		t.Fatalf("want exit 1 and Test run: FAIL; %s", standinDump(r))
	}
	if !strings.Contains(r.Stdout, "Free plan: Codex needs ChatGPT Plus or higher") || !strings.Contains(r.Stdout, "chatgpt.com/#pricing") {
		t.Errorf("no plan message:\n%s", r.Stdout)
	}
	if strings.Contains(strings.ToLower(r.Stdout), "log in again") {
		t.Errorf("a plan problem is not a login problem:\n%s", r.Stdout)
	}
	models := map[string]bool{}
	for _, q := range standinResponses(s) {
		models[q.Model] = true
	}
	if len(models) != 1 {
		t.Errorf("heidi tried %d models on a Free plan, want 1: %v", len(models), models)
	}
	t.Logf("heidi says:\n%s%s", r.Stderr, r.Stdout)
}
