package steps

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
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

// AccountNote is "account acct…001, ChatGPT plus plan" (either part when
// only it is known, "" when neither is): safe to show.
func AccountNote(c probe.Credential) string {
	var parts []string
	if c.Account != "" {
		parts = append(parts, "account "+c.Account)
	}
	if c.Plan != "" {
		parts = append(parts, "ChatGPT "+c.Plan+" plan")
	}
	if c.Label != "" && c.Source == probe.SourceAuthList {
		parts = append(parts, "credential "+strconv.Quote(c.Label))
	}
	return strings.Join(parts, ", ")
}

// ReplacedEntry names, in words, the openai entry of OpenCode's credential
// file that a login will overwrite ("" when there is none): OpenCode's login
// stores its result under "openai" and drops whatever was there, an API key
// included.
func ReplacedEntry(c probe.Credential) string {
	if !c.Present || c.Source != probe.SourceFile {
		return ""
	}
	switch c.Type {
	case probe.CredAPI:
		return "an OpenAI API key"
	case probe.CredOAuth:
		return "a ChatGPT login"
	default:
		return "an OpenAI entry of type " + string(c.Type)
	}
}

// ReplaceQuestion is what heidi asks before a login that will overwrite an
// OpenAI entry which is not a ChatGPT login (an API key, above all).
func ReplaceQuestion(c probe.Credential) []string {
	return []string{
		"auth.json holds " + ReplacedEntry(c) + " for OpenAI. OpenCode's ChatGPT login replaces it.",
		"heidi backs the file up first (a timestamped copy beside it, checked byte for byte), so the entry can be restored.",
	}
}

// BackupBeforeLogin copies OpenCode's credential file to a timestamped,
// byte-checked backup before a login rewrites it. It returns "" with no
// error when there is nothing to keep (no file, or an empty one); any other
// failure means the login must not run.
func BackupBeforeLogin(path string, now time.Time) (string, error) {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cannot back up %s before the login: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file (it is a %s); heidi does not log in over it", path, kind(info.Mode()))
	}
	if info.Size() == 0 {
		return "", nil
	}
	return Backup(path, now)
}
