package steps

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Seams for fault tests (disk full, read-only filesystem).
var (
	openFile = os.OpenFile
	rename   = os.Rename
)

// BackupSuffix is put between a file's name and its timestamp.
const BackupSuffix = ".heidi-backup-"

// backupName is path + ".heidi-backup-20261129T023917.123Z" (UTC, sortable).
func backupName(path string, now time.Time) string {
	return path + BackupSuffix + now.UTC().Format("20060102T150405.000Z")
}

// Backup copies path to a new timestamped file beside it (mode 0600), and checks the copy byte for byte. It never overwrites.
func Backup(path string, now time.Time) (string, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return "", fmt.Errorf("cannot back up %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("cannot back up %s: not a regular file", path)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("cannot back up %s: %w", path, err)
	}
	dst := backupName(path, now)
	f, err := openFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // backups may hold secrets: owner only
	if err != nil {
		return "", fmt.Errorf("cannot create backup %s: %w", dst, err)
	}
	_, werr := f.Write(src)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(dst) // our own partial copy, never the user's file
		return "", fmt.Errorf("cannot write backup %s: %w", dst, err)
	}
	got, err := os.ReadFile(dst)
	if err != nil || !bytes.Equal(got, src) {
		return "", fmt.Errorf("backup %s does not match the original; nothing was changed", dst)
	}
	return dst, nil
}

// WriteFileAtomic replaces path with data: a temporary file in the same
// directory is written, synced and renamed over path, so a reader sees either
// the old or the new content, never a mix.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := io.Copy(f, bytes.NewReader(data))
	cherr := f.Chmod(perm)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, cherr, serr, cerr); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("cannot replace %s: %w", path, err)
	}
	return nil
}
