package steps

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heidi-cli/heidi/probe"
)

// classSamples are the texts the real client and service print, each with
// where it was seen. "measured" means the real opencode 1.18.33 printed it
// against the e2e stand-in (docs/troubleshooting.md has the runs).
var classSamples = []struct {
	text   string
	class  ErrClass
	source string
}{
	{"\n> build · gpt-5.3-codex-spark\n\nError: Bad Request: {\"detail\":\"The 'gpt-5.3-codex-spark' model is not supported when using Codex with a ChatGPT account.\"}", ClassModelRefused, "measured; anomalyco/opencode#13469"},
	{`Bad Request: {"detail":"The 'gpt-5.3-codex' model is not supported when using Codex with a ChatGPT account."}`, ClassModelRefused, "anomalyco/opencode#30392 (retired)"},
	{`Route Error (400): "No eligible ChatGPT workspaces found."`, ClassWorkspace, "openai/codex#1533"},
	{`{"error":{"code":"chatgpt_account_missing"}}`, ClassWorkspace, "openai/codex#3782"},
	{"Error: Country, region, or territory not supported", ClassRegion, "measured"},
	{`{"error":{"code":"unsupported_country_region_territory","message":"Country, region, or territory not supported","param":null,"type":"request_forbidden"}}`, ClassRegion, "openai/codex#9714"},
	{"\n> build · gpt-5.4-mini\n\nError: Token refresh failed: 403", ClassRegion, "measured (region 403 at the token endpoint)"},
	{"Error: self signed certificate in certificate chain", ClassTLS, "measured (no NODE_EXTRA_CA_CERTS)"},
	{"Error: self-signed certificate in certificate chain", ClassTLS, "Node 17+ spelling"},
	{"Error: unable to get local issuer certificate", ClassTLS, "anomalyco/opencode#1694"},
	{"code: 'SELF_SIGNED_CERT_IN_CHAIN'", ClassTLS, "--print-logs"},
	{"code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'", ClassTLS, "--print-logs"},
	{"Error: unable to verify the first certificate", ClassTLS, "anomalyco/opencode#3130"},
	{"\n> build · gpt-5.4-mini\n\nError: The usage limit has been reached", ClassUsageLimit, "measured; anomalyco/opencode#17614"},
	{`{"error":{"type":"usage_limit_reached","resets_in_seconds":10800}}`, ClassUsageLimit, "the 429 body"},
	{"You've hit your usage limit. Try again in 4 days 20 hours 9 minutes.", ClassUsageLimit, "openai/codex#3257"},
	{`{"error":{"code":"rate_limit_exceeded"}}`, ClassUsageLimit, "the 429 body"},
	{"\n> build · gpt-5.4-mini\n\nError: Usage not included in your plan", ClassPlan, "measured; anomalyco/opencode#7571"},
	{`{"error":{"type":"usage_not_included","plan_type":"free"}}`, ClassPlan, "the 429 body (codex-rs api_bridge.rs)"},
	{"To use Codex with your ChatGPT plan, upgrade to Plus: https://openai.com/chatgpt/pricing.", ClassPlan, "openai/codex#5608"},
	{"\n> build · gpt-5.4-mini\n\nError: Token refresh failed: 401", ClassRefresh, "measured (refresh_token_reused)"},
	{`{"error":{"code":"refresh_token_reused"}}`, ClassRefresh, "openai/codex#6498"},
	{"Your access token could not be refreshed because your refresh token was already used. Please log out and sign in again.", ClassRefresh, "openai/codex#9634"},
	{"Your refresh token has already been used to generate a new access token. Please try signing in again.", ClassRefresh, "the token endpoint"},
	{`{"error":{"code":"refresh_token_expired"}}`, ClassRefresh, "the token endpoint"},
	{`{"error":{"code":"refresh_token_invalidated"}}`, ClassRefresh, "the token endpoint"},
	{`{"error":"invalid_grant","error_description":"Invalid refresh token."}`, ClassRefresh, "RFC 6749"},
	{"Please contact your workspace admin to enable device code authentication", ClassDeviceDisabled, "openai/codex#9418"},
	{"Error: Failed to initiate device authorization", ClassDeviceDisabled, "anomalyco/opencode#40999"},
	{"Error: device code login is not enabled for this account", ClassDeviceDisabled, "codex"},
	{"\n> build · gpt-5.4-mini\n\nError: Provided authentication token is expired. Please try signing in again.", ClassUnauthorized, "measured (401)"},
	{"Could not parse your authentication token. Please try signing in again.", ClassUnauthorized, "the backend's 401"},
	{"Error: Forbidden: request was blocked by a gateway or proxy. You may not have permission to access this resource — check your account and provider settings.", ClassBlocked, "measured (Cloudflare 403)"},
	{"Error: Cannot connect to API: Unable to connect. Is the computer able to access the url?", ClassNetwork, "measured offline"},
	{"Error: Failed to authorize: Unable to connect. Is the computer able to access the url?", ClassNetwork, "measured offline login"},
	{"connect ECONNREFUSED 127.0.0.1:443", ClassNetwork, "Node"},
	{"getaddrinfo ENOTFOUND chatgpt.com", ClassNetwork, "Node"},
	{"getaddrinfo EAI_AGAIN chatgpt.com", ClassNetwork, "Node"},
}

// healthyOutput is what healthy runs print (the real client's, measured):
// no class may match any of it.
var healthyOutput = []string{
	"\n> build · gpt-5.4-mini\n\nok\n",
	"ok",
	"openai/gpt-5.3-codex-spark\nopenai/gpt-5.4\nopenai/gpt-5.4-fast\nopenai/gpt-5.4-mini\nopenai/gpt-5.4-mini-fast\nopenai/gpt-5.5\nopenai/gpt-6-sol-fast\n",
	"┌  Credentials ~/.local/share/opencode/auth.json\n│\n●  OpenAI oauth\n│\n└  1 credentials\n",
	"┌  Add credential\n│\n◇  Select provider\n│  OpenAI\n│\n◇  Login method\n│  ChatGPT Pro/Plus (headless)\n│\n●  Go to: https://auth.openai.com/codex/device\n│\n●  Enter code: ABCD-1234\n│\n◇  Login successful\n│\n└  Done\n",
	"INFO  service=provider providerID=openai found\nINFO  service=session.prompt step=0 loop\nINFO  service=llm providerID=openai modelID=gpt-5.4-mini stream\n",
	"1.18.33\n",
}

func TestClassifyRecordedTexts(t *testing.T) {
	for _, s := range classSamples {
		if got := Classify(s.text); got.Class != s.class {
			t.Errorf("Classify(%q) = %q, want %q (%s)", s.text, got.Class, s.class, s.source)
		}
	}
}

// TestClassifyHealthyOutputMatchesNothing: no rule fires on healthy output.
func TestClassifyHealthyOutputMatchesNothing(t *testing.T) {
	for _, h := range healthyOutput {
		for _, r := range errRules {
			if loc := r.re().FindStringIndex(h); loc != nil {
				t.Errorf("rule %s matches healthy output %q at %q", r.class, h, h[loc[0]:loc[1]])
			}
		}
	}
}

// TestEveryAlternativeHasASample: each top-level alternative of each rule
// matches some sample of its class, and that sample is classified by this
// rule. Changing or dropping any alternative (a mutation) therefore fails
// TestClassifyRecordedTexts or this test.
func TestEveryAlternativeHasASample(t *testing.T) {
	for i, r := range errRules {
		src := r.re().String()
		flags := ""
		if strings.HasPrefix(src, "(?i)") {
			flags, src = "(?i)", src[4:]
		}
		for _, alt := range topLevelAlternatives(src) {
			re := regexp.MustCompile(flags + alt)
			found := false
			for _, s := range classSamples {
				if s.class == r.class && re.MatchString(s.text) && firstRule(s.text) == i {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("rule %d (%s): alternative %q has no recorded sample it decides", i, r.class, alt)
			}
		}
	}
}

func firstRule(text string) int {
	for i, r := range errRules {
		if r.re().MatchString(text) {
			return i
		}
	}
	return -1
}

// topLevelAlternatives splits a pattern at the | outside any group.
func topLevelAlternatives(src string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
		case '|':
			if depth == 0 {
				out = append(out, src[start:i])
				start = i + 1
			}
		}
	}
	return append(out, src[start:])
}

func TestClassifyUnknownIsNeutral(t *testing.T) {
	for _, text := range []string{
		"Error: An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists.",
		"`opencode run` did not finish within 2m0s",
		"",
	} {
		c := Classify(text)
		if c.Class != ClassUnknown || len(c.Next) != 0 || c.NextModel {
			t.Errorf("Classify(%q) = %+v, want the neutral unknown", text, c)
		}
	}
	r := TestReport{RunResult: RunResult{Model: "openai/gpt-5.4-mini", Err: "`opencode run` failed (exit 1): Error: An error occurred"}}
	for _, h := range r.Hints() {
		if strings.Contains(strings.ToLower(h), "log in again") {
			t.Errorf("an unknown failure says %q", h)
		}
	}
}

func TestClassifyHints(t *testing.T) {
	want := map[ErrClass]string{
		ClassModelRefused:   "--model openai/<id>",
		ClassPlan:           "pricing",
		ClassUsageLimit:     UsageURL,
		ClassRegion:         "HTTPS_PROXY=",
		ClassTLS:            "NODE_EXTRA_CA_CERTS=",
		ClassRefresh:        "Log in again in heidi",
		ClassUnauthorized:   "Log in again",
		ClassWorkspace:      "pick the workspace",
		ClassDeviceDisabled: "Settings → Security",
		ClassBlocked:        "another network",
		ClassNetwork:        "HTTPS_PROXY",
	}
	for _, s := range classSamples {
		c := Classify(s.text)
		if c.Why == "" || !strings.Contains(strings.Join(c.Next, "\n"), want[s.class]) {
			t.Errorf("%s (%q): Why %q, Next %q; want a next step with %q", s.class, s.text, c.Why, c.Next, want[s.class])
		}
		if c.NextModel != (s.class == ClassModelRefused || s.class == ClassPlan && !strings.Contains(s.text, "upgrade to Plus")) {
			t.Errorf("%s: NextModel = %v", s.class, c.NextModel)
		}
	}
	if tls := Classify("self signed certificate in certificate chain"); !strings.Contains(tls.Next[0], "never set NODE_TLS_REJECT_UNAUTHORIZED=0") {
		t.Errorf("TLS hint does not warn off NODE_TLS_REJECT_UNAUTHORIZED: %q", tls.Next)
	}
	if u := Classify("You've hit your usage limit. Try again in 4 days 20 hours 9 minutes."); !strings.Contains(u.Next[0], "Try again in 4 days 20 hours 9 minutes;") {
		t.Errorf("usage limit does not pass on the reset time: %q", u.Next)
	}
	if u := Classify("Error: The usage limit has been reached"); !strings.Contains(u.Next[0], "Try again later;") {
		t.Errorf("usage limit without a time: %q", u.Next)
	}
	if f := Classify("Error: Usage not included in your plan").ForPlan("free"); f.NextModel || !strings.Contains(f.Why, "Free plan") {
		t.Errorf("Free plan: %+v", f)
	}
	if p := Classify("Error: Usage not included in your plan").ForPlan("plus"); !p.NextModel {
		t.Errorf("Plus with a model outside the plan should try another model: %+v", p)
	}
}

func TestRankTestModels(t *testing.T) {
	// opencode 1.18.33's list for a ChatGPT login (measured, in its order).
	listed := []string{"openai/gpt-5.3-codex-spark", "openai/gpt-5.4", "openai/gpt-5.4-fast", "openai/gpt-5.4-mini", "openai/gpt-5.4-mini-fast",
		"openai/gpt-5.5", "openai/gpt-5.5-fast", "openai/gpt-6-sol", "openai/gpt-6-sol-fast"}
	got := RankTestModels(listed)
	want := []string{"openai/gpt-5.4-mini", "openai/gpt-5.4-mini-fast", "openai/gpt-6-sol", "openai/gpt-5.5", "openai/gpt-5.4",
		"openai/gpt-6-sol-fast", "openai/gpt-5.5-fast", "openai/gpt-5.4-fast", "openai/gpt-5.3-codex-spark"}
	if !slices.Equal(got, want) {
		t.Fatalf("RankTestModels =\n%q\nwant\n%q", got, want)
	}
	if got := RankTestModels([]string{"openai/gpt-5.1-codex-max", "openai/gpt-5.2-preview", "openai/gpt-5.1-codex"}); got[0] != "openai/gpt-5.1-codex-max" || got[2] != "openai/gpt-5.2-preview" {
		t.Errorf("codex-only list: %q", got)
	}
	if got := RankTestModels(nil); len(got) != 0 {
		t.Errorf("empty: %q", got)
	}
}

func TestTestCandidates(t *testing.T) {
	listed := []string{"openai/gpt-5.3-codex-spark", "openai/gpt-5.4", "openai/gpt-5.4-mini"}
	if c, err := TestCandidates(listed, "gpt-5.3-codex-spark", "openai/gpt-5.4"); err != nil || !slices.Equal(c, []string{"openai/gpt-5.3-codex-spark"}) {
		t.Errorf("--model: %q %v (it alone, no fallback)", c, err)
	}
	if _, err := TestCandidates(listed, "gpt-9", ""); err == nil {
		t.Error("an unlisted --model is not an error")
	}
	if c, _ := TestCandidates(listed, "", "openai/gpt-5.4"); !slices.Equal(c, []string{"openai/gpt-5.4", "openai/gpt-5.4-mini", "openai/gpt-5.3-codex-spark"}) {
		t.Errorf("last passed first: %q", c)
	}
	if c, _ := TestCandidates(listed, "", "openai/gpt-5.2"); c[0] != "openai/gpt-5.4-mini" {
		t.Errorf("an unlisted last model is ignored: %q", c)
	}
	if _, err := TestCandidates(nil, "", ""); err == nil {
		t.Error("no models is not an error")
	}
}

// planToken is an access token naming plan (an unsigned JWT).
func planToken(plan string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"exp":1900000000,"https://api.openai.com/auth":{"chatgpt_plan_type":"`+plan+`"}}`)) + "."
}

// fallbackRig is a runner whose `opencode run` answers per model (a reply of
// "" means ok) and whose clock moves by step per run.
func fallbackRig(t *testing.T, plan string, step time.Duration, fail map[string]string) (Deps, *[]string) {
	t.Helper()
	home := t.TempDir()
	writeAuth(t, home, `{"openai":{"type":"oauth","refresh":"rt_x","access":"`+planToken(plan)+`","expires":1900000000000}}`)
	var ran []string
	now := time.Unix(1800000000, 0)
	sys := fakeSys(t, home, nil, true)
	sys.Now = func() time.Time { return now }
	sys.Run = runFunc(func(_ context.Context, _ string, args []string) (probe.Result, error) {
		if len(args) < 3 || args[0] != "run" {
			return probe.Result{ExitCode: 127}, nil
		}
		model := strings.TrimPrefix(args[2], "--model=")
		ran = append(ran, model)
		now = now.Add(step)
		if e, ok := fail[model]; ok {
			return probe.Result{ExitCode: 1, Stderr: []byte("\n> build · " + strings.TrimPrefix(model, "openai/") + "\n\nError: " + e + "\n")}, nil
		}
		return probe.Result{Stdout: []byte("ok\n"), Stderr: []byte("> build · x\n")}, nil
	})
	return NewDeps(sys), &ran
}

type runFunc func(ctx context.Context, name string, args []string) (probe.Result, error)

func (f runFunc) Run(ctx context.Context, name string, args []string, _ []string) (probe.Result, error) {
	return f(ctx, name, args)
}

func notSupported(m string) string {
	return fmt.Sprintf(`Bad Request: {"detail":"The '%s' model is not supported when using Codex with a ChatGPT account."}`, strings.TrimPrefix(m, "openai/"))
}

func TestWithFallbackTriesTheNextModel(t *testing.T) {
	cands := []string{"openai/gpt-5.3-codex-spark", "openai/gpt-5.4-mini", "openai/gpt-5.4"}
	d, ran := fallbackRig(t, "plus", time.Second, map[string]string{"openai/gpt-5.3-codex-spark": notSupported("openai/gpt-5.3-codex-spark")})
	var heard []string
	r := TestWithFallback(context.Background(), d, cands, func(m string, refused []Refusal) { heard = append(heard, fmt.Sprint(m, len(refused))) })
	if !r.Pass || r.Model != "openai/gpt-5.4-mini" || len(r.Refused) != 1 || r.Refused[0].Model != "openai/gpt-5.3-codex-spark" {
		t.Fatalf("report %+v", r)
	}
	if !slices.Equal(*ran, cands[:2]) || !slices.Equal(heard, []string{"openai/gpt-5.3-codex-spark0", "openai/gpt-5.4-mini1"}) {
		t.Errorf("ran %q, heard %q", *ran, heard)
	}
	if n := r.Note(); !strings.Contains(n, "gpt-5.3-codex-spark (OpenAI does not serve this model") {
		t.Errorf("note %q", n)
	}
	if r.Duration != 2*time.Second {
		t.Errorf("duration %v, want the whole run's 2s", r.Duration)
	}
}

func TestWithFallbackStopsAtThreeModels(t *testing.T) {
	cands := []string{"openai/a-spark", "openai/b", "openai/c", "openai/d"}
	fail := map[string]string{}
	for _, m := range cands {
		fail[m] = notSupported(m)
	}
	d, ran := fallbackRig(t, "plus", time.Second, fail)
	r := TestWithFallback(context.Background(), d, cands, nil)
	if r.Pass || len(*ran) != MaxModelTries || r.Class.Class != ClassModelRefused || len(r.Refused) != MaxModelTries-1 || r.Model != "openai/c" {
		t.Fatalf("ran %q, report %+v", *ran, r)
	}
}

func TestWithFallbackKeepsTheBudget(t *testing.T) {
	cands := []string{"openai/a", "openai/b", "openai/c"}
	d, ran := fallbackRig(t, "plus", 90*time.Second, map[string]string{"openai/a": notSupported("a"), "openai/b": notSupported("b")})
	d.Timeouts.Run = 2 * time.Minute
	r := TestWithFallback(context.Background(), d, cands, nil)
	// a takes 90 s, b gets the 30 s left and also takes 90 s: no time for c.
	if len(*ran) != 2 || r.Pass {
		t.Fatalf("ran %q within a 2m budget; report %+v", *ran, r)
	}
}

func TestWithFallbackDoesNotRetryOtherFailures(t *testing.T) {
	for _, tc := range []struct {
		plan, err string
		class     ErrClass
	}{
		{"plus", "Token refresh failed: 401", ClassRefresh},
		{"plus", "The usage limit has been reached", ClassUsageLimit},
		{"free", "Usage not included in your plan", ClassPlan},
		{"plus", "An error occurred while processing your request.", ClassUnknown},
	} {
		d, ran := fallbackRig(t, tc.plan, time.Second, map[string]string{"openai/a": tc.err})
		r := TestWithFallback(context.Background(), d, []string{"openai/a", "openai/b"}, nil)
		if len(*ran) != 1 || r.Pass || r.Class.Class != tc.class {
			t.Errorf("%s on %s: ran %q, class %q", tc.err, tc.plan, *ran, r.Class.Class)
		}
	}
	// On Plus, "not included" is about the model: another may pass.
	d, ran := fallbackRig(t, "plus", time.Second, map[string]string{"openai/a": "Usage not included in your plan"})
	if r := TestWithFallback(context.Background(), d, []string{"openai/a", "openai/b"}, nil); !r.Pass || len(*ran) != 2 {
		t.Errorf("plus, not included: ran %q, %+v", *ran, r)
	}
}

func TestPlanOfJWT(t *testing.T) {
	if p := probe.PlanOfJWT(planToken("plus")); p != "plus" {
		t.Errorf("plan %q", p)
	}
	for _, bad := range []string{"", "a.b", planToken("Plus; rm -rf"), planToken(strings.Repeat("x", 40)), "x.!!!.y"} {
		if p := probe.PlanOfJWT(bad); p != "" {
			t.Errorf("PlanOfJWT(%q) = %q", bad, p)
		}
	}
}

func TestTimeoutsString(t *testing.T) {
	if got := DefaultTimeouts().String(); got != "20s version, 45s models and method list, 2m test run" {
		t.Errorf("DefaultTimeouts().String() = %q", got)
	}
	if got := (Timeouts{Version: time.Hour, Models: 90 * time.Second, Run: 1500 * time.Millisecond}).String(); got != "1h version, 1m30s models and method list, 1.5s test run" {
		t.Errorf("String() = %q", got)
	}
}

// TestWithFallbackPlanTwiceIsThePlan: a login whose token names no plan gets
// "not included" for two models: heidi stops there, not at the budget.
func TestWithFallbackPlanTwiceIsThePlan(t *testing.T) {
	d, ran := fallbackRig(t, "", time.Second, map[string]string{"openai/a": "Usage not included in your plan", "openai/b": "Usage not included in your plan"})
	r := TestWithFallback(context.Background(), d, []string{"openai/a", "openai/b", "openai/c"}, nil)
	if r.Pass || len(*ran) != 2 || r.Class.Class != ClassPlan || len(r.Refused) != 1 {
		t.Fatalf("ran %q, report %+v", *ran, r)
	}
}

type envRunner struct{ env []string }

func (e *envRunner) Run(_ context.Context, _ string, _ []string, env []string) (probe.Result, error) {
	e.env = env
	return probe.Result{ExitCode: 1, Stderr: []byte(`Error: Unknown method "heidi-list-methods" for openai. Available: ChatGPT Pro/Plus (browser), ChatGPT Pro/Plus (headless), Manually enter API Key` + "\n")}, nil
}

// TestDiscoverMethodsSkipsTheCatalogue: the method list does not depend on
// the model catalogue, so its fetch (81 s on a blackholed network) is off.
func TestDiscoverMethodsSkipsTheCatalogue(t *testing.T) {
	r := &envRunner{}
	sys := fakeSys(t, t.TempDir(), nil, true)
	sys.Run = r
	labels, err := DiscoverMethods(context.Background(), NewDeps(sys))
	if err != nil || len(labels) != 3 || !slices.Contains(r.env, "OPENCODE_DISABLE_MODELS_FETCH=1") || !slices.Contains(r.env, "OPENCODE_DISABLE_AUTOUPDATE=1") {
		t.Fatalf("labels %q, err %v, env %q", labels, err, r.env)
	}
}

func TestSentence(t *testing.T) {
	for in, want := range map[string]string{"the login finished": "The login finished", "OpenCode: x": "OpenCode: x", "": "", "élan": "Élan", "`x`": "`x`"} {
		if got := Sentence(in); got != want {
			t.Errorf("Sentence(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStatusBrokenAuthContentNamesTheVariable: a broken OPENCODE_AUTH_CONTENT
// is fixed in the variable, not by moving a file aside (issue 15 item 11).
func TestStatusBrokenAuthContentNamesTheVariable(t *testing.T) {
	home := t.TempDir()
	r := &fakeRunner{answers: map[string]probe.Result{
		"opencode --version":     {Stdout: []byte("1.18.33\n")},
		"opencode models openai": {Stdout: []byte(oauthModels)},
	}}
	sys := fakeSys(t, home, r, true)
	sys.Getenv = func(k string) string {
		if k == probe.AuthContentEnv {
			return "{ broken"
		}
		return map[string]string{"HOME": home, "HEIDI_HOME": home + "/heidi"}[k]
	}
	st := CheckStatus(context.Background(), NewDeps(sys))
	if st.Connected || !strings.Contains(st.Next, "Fix or unset OPENCODE_AUTH_CONTENT") || strings.Contains(st.Next, "aside") {
		t.Fatalf("reason %q, next %q", st.Reason, st.Next)
	}
}

// TestStatusAgreesWithAFailedTest: after the wizard's test run failed,
// status does not say CONNECTED until the login changes (issue 15 item 8).
func TestStatusAgreesWithAFailedTest(t *testing.T) {
	home := t.TempDir()
	writeAuth(t, home, oauthEntry)
	r := &fakeRunner{answers: map[string]probe.Result{
		"opencode --version":     {Stdout: []byte("1.18.33\n")},
		"opencode models openai": {Stdout: []byte(oauthModels)},
	}}
	d := NewDeps(fakeSys(t, home, r, true))
	fail := Outcome{Time: time.Now().Add(time.Hour), Model: "openai/gpt-5.4", Result: "FAIL", Step: "Test run", LastError: "Test run failed: You hit your plan's usage limit"}
	if err := SaveOutcome(d.Paths, fail); err != nil {
		t.Fatal(err)
	}
	st := CheckStatus(context.Background(), d)
	if st.Connected || !strings.Contains(st.Reason, "The last test run failed") || !strings.Contains(st.Reason, "usage limit") {
		t.Fatalf("after a failed test: connected %v, reason %q", st.Connected, st.Reason)
	}
	// a login newer than the failed run is judged afresh
	fail.Time = time.Now().Add(-time.Hour)
	if err := SaveOutcome(d.Paths, fail); err != nil {
		t.Fatal(err)
	}
	if st := CheckStatus(context.Background(), d); !st.Connected {
		t.Fatalf("a newer login: %q", st.Reason)
	}
}

// TestStatusNotesStaleConfig: status says what the wizard would repair
// (issue 15 item 13).
func TestStatusNotesStaleConfig(t *testing.T) {
	home := t.TempDir()
	writeAuth(t, home, oauthEntry)
	dir := filepath.Join(home, ".config", "opencode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "opencode.json"), []byte(`{"plugin":["opencode-openai-codex-auth@latest"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &fakeRunner{answers: map[string]probe.Result{
		"opencode --version":     {Stdout: []byte("1.18.33\n")},
		"opencode models openai": {Stdout: []byte(oauthModels)},
	}}
	st := CheckStatus(context.Background(), NewDeps(fakeSys(t, home, r, true)))
	if !strings.Contains(strings.Join(st.Notes, "\n"), ConnectCommand+" --yes") {
		t.Fatalf("notes %q", st.Notes)
	}
}

func TestStartModelsIfKept(t *testing.T) {
	home := t.TempDir()
	r := &fakeRunner{answers: map[string]probe.Result{"opencode models openai": {Stdout: []byte(oauthModels)}}}
	d := NewDeps(fakeSys(t, home, r, true))
	if f := StartModelsIfKept(context.Background(), d); f != nil || r.calls.Load() != 0 {
		t.Fatal("no stored login, yet the models were asked for")
	}
	writeAuth(t, home, oauthEntry)
	f := StartModelsIfKept(context.Background(), d)
	if f == nil {
		t.Fatal("a usable login, and no early model list")
	}
	if models, err := f.Wait(); err != nil || len(models) != 3 {
		t.Fatalf("%q %v", models, err)
	}
	f.Cancel() // after Wait: a no-op
}

func TestKnownBad(t *testing.T) {
	for raw, bad := range map[string]bool{"1.14.48": false, "1.14.49": true, "1.15.6": true, "1.15.99": true, "1.16.0": false, "1.18.33": false, "": false, "2.1.4": false} {
		v, _ := probe.ParseVersion(raw)
		if got := KnownBad(v) != nil; got != bad {
			t.Errorf("KnownBad(%s) = %v, want %v", raw, got, bad)
		}
		if bad && KnownMethods(v) != nil {
			t.Errorf("KnownMethods guesses labels for the broken %s", raw)
		}
	}
}

// TestPasteRouteSaysWhatItIs: the old plugin's Manual URL Paste is not a
// device code (issue 15 item 12).
func TestPasteRouteSaysWhatItIs(t *testing.T) {
	home := t.TempDir()
	sys := fakeSys(t, home, &fakeRunner{}, true)
	p := Prereqs{OpenCode: probe.Tool{Found: true, Version: probe.Version{Major: 1, Minor: 0, Patch: 185, Raw: "1.0.185"}}}
	routes := HeadlessRoutes(sys, p, probe.ResolvePaths(sys), "", true)
	if !strings.Contains(routes[0].Title, "paste the redirect URL") || strings.Contains(routes[0].Title, "device-code") || !strings.Contains(strings.Join(routes[0].Lines, " "), "http://localhost:1455") {
		t.Errorf("route 1 on 1.0.185 + plugin: %+v", routes[0])
	}
	p.OpenCode.Version = probe.Version{Major: 1, Minor: 18, Patch: 33, Raw: "1.18.33"}
	if r := HeadlessRoutes(sys, p, probe.ResolvePaths(sys), "ChatGPT Pro/Plus (headless)", false); !strings.Contains(r[0].Title, "device-code") {
		t.Errorf("route 1 on 1.18.33: %q", r[0].Title)
	}
}

// TestDisconnectWithoutProviderArgument: a release whose logout only asks
// in a menu (1.14.41) gets the entry removed by heidi, after a backup, the
// other providers kept in order and format.
func TestDisconnectWithoutProviderArgument(t *testing.T) {
	home := t.TempDir()
	store := "{\n  \"anthropic\": {\n    \"type\": \"api\",\n    \"key\": \"sk-ant-x\"\n  },\n  \"openai\": {\n    \"type\": \"oauth\",\n    \"refresh\": \"rt_" + canary + "\",\n    \"access\": \"a.b.c\",\n    \"expires\": 1900000000000\n  },\n  \"mistral\": {\n    \"type\": \"api\",\n    \"key\": \"opq\"\n  }\n}"
	writeAuth(t, home, store)
	r := &fakeRunner{answers: map[string]probe.Result{"opencode auth logout --help": {Stdout: []byte("opencode auth logout\n\nlog out from a configured provider\n")}}}
	d := NewDeps(fakeSys(t, home, r, true))
	res, err := Disconnect(context.Background(), d)
	if err != nil || !res.Removed || !strings.Contains(res.How, "heidi removed") || strings.Join(res.Remaining, ",") != "anthropic,mistral" {
		t.Fatalf("%+v %v", res, err)
	}
	path := filepath.Join(home, ".local", "share", "opencode", "auth.json")
	got, _ := os.ReadFile(path)
	want := "{\n  \"anthropic\": {\n    \"type\": \"api\",\n    \"key\": \"sk-ant-x\"\n  },\n  \"mistral\": {\n    \"type\": \"api\",\n    \"key\": \"opq\"\n  }\n}"
	if string(got) != want {
		t.Errorf("auth.json after:\n%s\nwant:\n%s", got, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(res.Backup); string(b) != store {
		t.Errorf("the backup is not the store byte for byte")
	}
	// nothing left to remove: no second backup, no error
	if res, err := Disconnect(context.Background(), d); err != nil || res.Removed || res.Backup != "" {
		t.Errorf("second run: %+v %v", res, err)
	}
	// a broken store is not touched
	writeAuth(t, home, "{ broken")
	if _, err := Disconnect(context.Background(), d); err == nil {
		t.Error("a broken store was edited")
	}
}

// TestBrowserCommandWSL: on WSL the Windows browser opens through wslview.
func TestBrowserCommandWSL(t *testing.T) {
	sys := fakeSys(t, t.TempDir(), &fakeRunner{}, true)
	sys.ProcVersion = func() string { return "Linux version 5.15.153.1-microsoft-standard-WSL2" }
	sys.LookPath = func(n string) (string, error) {
		if n == "wslview" || n == "xdg-open" {
			return "/usr/bin/" + n, nil
		}
		return "", fmt.Errorf("%s: not found", n)
	}
	if argv, err := BrowserCommand(sys, "https://x"); err != nil || argv[0] != "wslview" {
		t.Errorf("WSL: %q %v", argv, err)
	}
	sys.ProcVersion = func() string { return "Linux version 6.1" }
	if argv, _ := BrowserCommand(sys, "https://x"); argv[0] != "xdg-open" {
		t.Errorf("Linux: %q", argv)
	}
}

func TestClipboardCommand(t *testing.T) {
	sys := fakeSys(t, t.TempDir(), &fakeRunner{}, true)
	have := map[string]bool{"xclip": true, "wl-copy": true, "pbcopy": true, "clip.exe": true}
	sys.LookPath = func(n string) (string, error) {
		if have[n] {
			return "/usr/bin/" + n, nil
		}
		return "", fmt.Errorf("%s: not found", n)
	}
	env := map[string]string{"DISPLAY": ":0"}
	sys.Getenv = func(k string) string { return env[k] }
	if c := ClipboardCommand(sys); len(c) == 0 || c[0] != "xclip" {
		t.Errorf("X11: %q", c)
	}
	env["WAYLAND_DISPLAY"] = "wayland-0"
	if c := ClipboardCommand(sys); len(c) == 0 || c[0] != "wl-copy" {
		t.Errorf("Wayland: %q", c)
	}
	env["SSH_CONNECTION"] = "10.0.0.5 5000 10.0.0.9 22"
	if c := ClipboardCommand(sys); c != nil {
		t.Errorf("over SSH the local clipboard is the remote one: %q", c)
	}
	delete(env, "SSH_CONNECTION")
	sys.GOOS = "darwin"
	if c := ClipboardCommand(sys); len(c) == 0 || c[0] != "pbcopy" {
		t.Errorf("macOS: %q", c)
	}
	sys.GOOS, env = "linux", map[string]string{}
	if c := ClipboardCommand(sys); c != nil {
		t.Errorf("no display: %q", c)
	}
}

// TestOtherPluginNamed: a plugin other than the old one, whose name says
// openai/codex/chatgpt, is named in status and the login hints.
func TestOtherPluginNamed(t *testing.T) {
	home := t.TempDir()
	writeAuth(t, home, oauthEntry)
	dir := filepath.Join(home, ".config", "opencode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "opencode.json"), []byte(`{"plugin":["oc-codex-multi-auth@1.2.0","opencode-gemini-auth"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &fakeRunner{answers: map[string]probe.Result{
		"opencode --version":     {Stdout: []byte("1.18.33\n")},
		"opencode models openai": {Stdout: []byte(oauthModels)},
	}}
	d := NewDeps(fakeSys(t, home, r, true))
	st := CheckStatus(context.Background(), d)
	notes := strings.Join(st.Notes, "\n")
	if !strings.Contains(notes, "oc-codex-multi-auth@1.2.0") || strings.Contains(notes, "gemini") || !strings.Contains(notes, "--pure") {
		t.Fatalf("notes %q", st.Notes)
	}
	p := CheckPrereqs(context.Background(), d)
	if h := strings.Join(LoginHints(p, d.Paths, LoginProgress{}, MethodBrowser), "\n"); !strings.Contains(h, "oc-codex-multi-auth") {
		t.Errorf("login hints %q", h)
	}
}

func TestTailDropsSpinnerLeftovers(t *testing.T) {
	got := Tail("npm ERR! code ENOTFOUND\r|\r/\r-\r\\\n⠋ ⠙\nnpm ERR! network request failed\n-- done --\n", 12, 2000)
	if got != "npm ERR! code ENOTFOUND\nnpm ERR! network request failed\n-- done --" {
		t.Errorf("Tail = %q", got)
	}
}

func TestJudgePrereqs(t *testing.T) {
	ok := Prereqs{OpenCode: probe.Tool{Found: true, Version: probe.Version{Major: 1, Minor: 18, Patch: 33, Raw: "1.18.33"}}, Headless: probe.Headless{Headless: true}}
	if v := JudgePrereqs(ok, false, false); v.Fail != nil || !v.Headless {
		t.Errorf("healthy headless: %+v", v)
	}
	if v := JudgePrereqs(ok, false, true); v.Headless {
		t.Error("--browser did not win")
	}
	bad := ok
	bad.OpenCode.Version = probe.Version{Major: 1, Minor: 15, Patch: 6, Raw: "1.15.6"}
	// A known-bad release is a warning, not a stop: the bug depends on the
	// machine (the real 1.15.4 works in the matrix here).
	if v := JudgePrereqs(bad, false, false); v.Fail != nil || len(v.Notes) != 1 || !strings.Contains(v.Notes[0], "known bug") {
		t.Errorf("known-bad: %+v", v)
	}
	old := ok
	old.OpenCode.Version = probe.Version{Major: 1, Minor: 0, Patch: 185, Raw: "1.0.185"}
	if v := JudgePrereqs(old, false, false); v.Fail == nil || !strings.Contains(v.Fail.Why, "Node.js is not installed") {
		t.Errorf("plugin without npx: %+v", v)
	}
	unknown := ok
	unknown.OpenCode.Version, unknown.OpenCode.Err = probe.Version{}, "timed out"
	if v := JudgePrereqs(unknown, false, false); v.Fail != nil || len(v.Notes) != 1 {
		t.Errorf("unknown version: %+v", v)
	}
	if f := OpenCodeMissing("windows"); strings.Contains(strings.Join(f.Next, " "), "curl") {
		t.Errorf("Windows gets a shell pipe: %q", f.Next)
	}
}

func TestFailuresOnce(t *testing.T) {
	before := probe.Credential{}
	after := probe.Credential{Present: true, Type: probe.CredOAuth, EntryOK: true, HasRefresh: true, HasAccess: true, ModTime: time.Now()}
	if f := LoginFailure(Prereqs{}, probe.Paths{}, before, after, LoginProgress{}, MethodBrowser); f != nil {
		t.Errorf("a fresh login failed: %+v", f)
	}
	f := LoginFailure(Prereqs{}, probe.Paths{}, before, probe.Credential{}, LoginProgress{Error: "Failed to authorize: Token exchange failed: 400"}, MethodBrowser)
	if f == nil || f.Step != StepLogin || f.Why != "Login did not complete. OpenCode: Failed to authorize: Token exchange failed: 400" || len(f.Next) == 0 {
		t.Errorf("%+v", f)
	}
	if f := ModelsFailure(fmt.Errorf("x")); f.Step != StepModels || len(f.Next) != 2 {
		t.Errorf("%+v", f)
	}
	r := TestReport{RunResult: RunResult{Model: "openai/gpt-5.4-mini", Err: "e"}, Class: Classify("Error: The usage limit has been reached")}
	if f := TestFailure(r); !strings.HasPrefix(f.Why, "Test run failed: You hit your plan's usage limit") || !strings.Contains(strings.Join(f.Next, " "), UsageURL) {
		t.Errorf("%+v", f)
	}
}
