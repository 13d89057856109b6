package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/redact"
)

var modelLine = lazyRE(`^openai/[A-Za-z0-9._:+-]+$`)

// ParseModels returns the openai/… ids in the output of `opencode models openai`.
func ParseModels(out string) []string {
	var models []string
	for _, line := range strings.Split(ansi.Strip(out), "\n") {
		line = strings.TrimSpace(line)
		if modelLine().MatchString(line) {
			models = append(models, line)
		}
	}
	return models
}

// ListModels runs `opencode models openai` and returns the model ids.
func ListModels(ctx context.Context, d Deps) ([]string, error) {
	if d.V2(ctx) {
		return listModelsV2(ctx, d)
	}
	res, err := d.opencode(ctx, d.Timeouts.Models, "models", "openai")
	if err != nil {
		if errors.Is(err, probe.ErrTimeout) {
			return nil, fmt.Errorf("`opencode models openai` did not answer within %s", d.Timeouts.Models)
		}
		return nil, fmt.Errorf("`opencode models openai` could not run: %s", redact.String(err.Error()))
	}
	models := ParseModels(string(res.Stdout))
	if res.ExitCode != 0 {
		return models, fmt.Errorf("`opencode models openai` failed (exit %d): %s", res.ExitCode, ErrorLine(res.Stderr, res.Stdout))
	}
	if len(models) == 0 {
		// Some releases print "Error: Provider not found: openai" and exit 0.
		if e := ErrorLine(res.Stderr); strings.HasPrefix(e, "Error: ") {
			return nil, fmt.Errorf("`opencode models openai` listed no OpenAI models: %s", e)
		}
		return nil, errors.New("`opencode models openai` listed no OpenAI models")
	}
	return models, nil
}
