package steps

import (
	"fmt"
	"strings"
)

// SummarySuccess is the summary of a connected run, exactly these lines.
func SummarySuccess(authFile string, models []string, tested bool) []string {
	test := "PASS"
	if !tested {
		test = "SKIPPED"
	}
	first := "none"
	if len(models) > 0 {
		first = models[0]
	}
	return []string{
		"Connected: OpenCode → OpenAI (ChatGPT Plus/Pro)",
		"Auth file: " + authFile,
		fmt.Sprintf("Models: %d (first: %s)", len(models), first),
		"Test run: " + test,
	}
}

// SummaryStopped is the summary of a step the user stopped (why says
// what): a cancel, not a failure, so no advice.
func SummaryStopped(step, why string) []string {
	return []string{
		"Not tested: OpenCode → OpenAI (ChatGPT Plus/Pro)",
		step + ": CANCELLED",
		"Reason: " + why + ": " + ConnectCommand,
	}
}

// SummaryFailure is the summary of a run that stopped at step.
func SummaryFailure(step, why string, next []string) []string {
	lines := []string{"Not connected: OpenCode → OpenAI (ChatGPT Plus/Pro)"}
	if step == "Test run" {
		lines = append(lines, "Test run: FAIL")
	} else {
		lines = append(lines, step+": FAIL")
	}
	lines = append(lines, "Reason: "+why, "Next:")
	for _, n := range next {
		if strings.TrimSpace(n) != "" {
			lines = append(lines, "  "+n)
		}
	}
	return append(lines, "  Troubleshooting guide: "+TroubleshootingGuide)
}

// ResolveModel picks the test model: want (with or without "openai/") when
// OpenCode lists it, else the first listed model when want is empty.
func ResolveModel(models []string, want string) (string, error) {
	if len(models) == 0 {
		return "", fmt.Errorf("OpenCode lists no OpenAI models")
	}
	if want == "" {
		return models[0], nil
	}
	if !strings.HasPrefix(want, "openai/") {
		want = "openai/" + want
	}
	for _, m := range models {
		if m == want {
			return want, nil
		}
	}
	show := models
	if len(show) > 6 {
		show = show[:6]
	}
	return "", fmt.Errorf("%s is not among the %d OpenAI models OpenCode lists for this login (e.g. %s)", want, len(models), strings.Join(show, ", "))
}
