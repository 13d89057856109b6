package steps

import (
	"io/fs"

	"github.com/heidi-cli/heidi/probe"
	"github.com/heidi-cli/heidi/redact"
)

// LearnSecrets hands every string in OpenCode's credential store that could
// be a secret (the file, and OPENCODE_AUTH_CONTENT when set) to the
// redactor, so that child output and everything heidi shows mask them
// whatever their shape, encoded or not. The redactor keeps only keyed
// hashes and lengths (redact.Learn); the bytes read here are dropped at
// once. A symlink, a non-regular file or a missing store teaches nothing.
func LearnSecrets(d Deps) {
	if d.Sys.Getenv != nil {
		if env := d.Sys.Getenv(probe.AuthContentEnv); env != "" {
			redact.LearnJSON([]byte(env))
		}
	}
	if d.Sys.FS == nil || d.Paths.AuthFile == "" {
		return
	}
	fi, err := d.Sys.FS.Lstat(d.Paths.AuthFile)
	if err != nil || fi.Mode()&fs.ModeType != 0 {
		return
	}
	b, _, err := d.Sys.FS.ReadFileCapped(d.Paths.AuthFile, probe.MaxAuthFileSize)
	if err == nil {
		redact.LearnJSON(b)
	}
	clear(b)
}
