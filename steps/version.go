package steps

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/heidi-cli/heidi/probe"
)

// openCodeTool finds opencode and its version. An npm install keeps the
// version in the opencode-ai package.json next to the binary; reading it
// saves starting a second ~185 MB Bun process beside `opencode models` (a
// measured 1.45× the CPU of status). Anything else runs `opencode --version`.
func (d Deps) openCodeTool(ctx context.Context) probe.Tool {
	if path, err := d.Sys.LookPath("opencode"); err == nil {
		if v, ok := npmPackageVersion(path); ok {
			return probe.Tool{Name: "opencode", Path: path, Found: true, Version: v}
		}
	}
	t := d.probeTool(ctx, "opencode", "--version")
	// OpenCode 2 says "opencode v2.0.17" (Effect's version line).
	if _, num, ok := strings.Cut(t.Version.Raw, " v"); ok && strings.HasPrefix(t.Version.Raw, "opencode") {
		t.Version.Raw = num
	}
	return t
}

// npmPackageVersion reads the version of the opencode-ai npm package that
// holds bin (…/node_modules/opencode-ai/bin/opencode[.exe]).
func npmPackageVersion(bin string) (probe.Version, bool) {
	real, err := filepath.EvalSymlinks(bin)
	if err != nil {
		return probe.Version{}, false
	}
	dir := filepath.Dir(real)
	for i := 0; i < 3; i++ {
		if v, ok := readOpenCodePackage(filepath.Join(dir, "package.json")); ok {
			return v, true
		}
		dir = filepath.Dir(dir)
	}
	return probe.Version{}, false
}

func readOpenCodePackage(path string) (probe.Version, bool) {
	f, err := os.Open(path)
	if err != nil {
		return probe.Version{}, false
	}
	defer f.Close()
	var pkg struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if err := json.NewDecoder(io.LimitReader(f, 64<<10)).Decode(&pkg); err != nil || pkg.Name != "opencode-ai" {
		return probe.Version{}, false
	}
	return probe.ParseVersion(pkg.Version)
}
