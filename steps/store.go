package steps

import (
	"fmt"
	"os"
	"time"

	"github.com/heidi-cli/heidi/probe"
)

// StoreNeedsRepair reports whether the credential store is in a state that
// OpenCode silently ignores (or cannot write over), so it should be moved aside
// before a login.
func StoreNeedsRepair(c probe.Credential) bool {
	if c.Source != probe.SourceFile {
		return false
	}
	switch c.Problem {
	case probe.StoreInvalidJSON, probe.StoreWrongShape, probe.StoreEmpty, probe.StoreTooLarge:
		return true
	}
	return false
}

// MoveStoreAside renames a broken auth.json to a timestamped backup beside
// it. Nothing is deleted: the user's bytes stay in the backup.
func MoveStoreAside(path string, now time.Time) (string, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return "", fmt.Errorf("cannot move %s aside: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file (it is a %s); move it aside by hand", path, kind(info.Mode()))
	}
	dst := backupName(path, now)
	if _, err := os.Lstat(dst); err == nil {
		return "", fmt.Errorf("cannot move %s aside: %s already exists", path, dst)
	}
	if err := rename(path, dst); err != nil {
		return "", fmt.Errorf("cannot move %s aside: %w", path, err)
	}
	_ = os.Chmod(dst, 0o600)
	return dst, nil
}

func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&os.ModeSymlink != 0:
		return "symbolic link"
	default:
		return "special file"
	}
}

// UsableLogin reports whether c is a ChatGPT login OpenCode can keep using:
// an OAuth entry with a refresh token (OpenCode refreshes an expired access
// token on the next request).
func UsableLogin(c probe.Credential) bool { return c.Subscription() && c.HasRefresh }
