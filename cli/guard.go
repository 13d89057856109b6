package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/heidi-cli/heidi/probe"
)

// guardRepo refuses to write credentials or heidi's state inside a git work
// tree, where they could be committed by accident. HEIDI_ALLOW_REPO=1
// overrides it.
func guardRepo(sys probe.Sys, p probe.Paths) error {
	if sys.Getenv("HEIDI_ALLOW_REPO") == "1" {
		return nil
	}
	for _, dir := range []struct{ what, path string }{{"OpenCode's data dir", p.Data}, {"HEIDI_HOME", p.HeidiHome}} {
		if root := gitRoot(dir.path); root != "" {
			return fmt.Errorf("%s (%s) is inside the git work tree %s; credentials there could be committed. Move it, or set HEIDI_ALLOW_REPO=1 if you are sure", dir.what, dir.path, root)
		}
	}
	return nil
}

// gitRoot returns the work tree that contains path (or its nearest existing
// parent), or "".
func gitRoot(path string) string {
	if path == "" {
		return ""
	}
	dir, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
