package steps

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heidi-cli/heidi/probe"
)

// withFaults swaps the filesystem seams for one test (not parallel).
func withFaults(t *testing.T, open func(string, int, os.FileMode) (*os.File, error), ren func(string, string) error) {
	t.Helper()
	oldOpen, oldRename := openFile, rename
	if open != nil {
		openFile = open
	}
	if ren != nil {
		rename = ren
	}
	t.Cleanup(func() { openFile, rename = oldOpen, oldRename })
}

// diskFull opens /dev/full instead: every write fails with ENOSPC.
func diskFull(string, int, os.FileMode) (*os.File, error) {
	return os.OpenFile("/dev/full", os.O_WRONLY, 0)
}

func readOnly(oldpath, newpath string) error {
	return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: syscall.EROFS}
}

func TestRepairWithDiskFullChangesNothing(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full on this system")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "opencode.jsonc")
	if err := os.WriteFile(path, []byte(pluginConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	withFaults(t, diskFull, nil)
	report := probe.ConfigReport{Files: []probe.ConfigFile{{Path: path, PluginEntries: []string{"opencode-openai-codex-auth"}, ProviderOpenAI: true}}}
	_, err := RemoveStaleConfig(report, time.Unix(1800000000, 0))
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("err = %v, want a clear disk-full error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != pluginConfig {
		t.Fatal("the config changed although its backup failed")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left files behind: %v", entries)
	}
}

func TestMoveAsideOnReadOnlyStoreKeepsTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.json")
	orig := []byte("{ broken")
	os.WriteFile(path, orig, 0o600)
	withFaults(t, nil, readOnly)
	_, err := MoveStoreAside(path, time.Unix(1800000000, 0))
	if err == nil || !strings.Contains(err.Error(), "read-only file system") {
		t.Fatalf("err = %v, want a clear read-only error", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
		t.Fatal("the store changed")
	}
}

func TestAtomicWriteOnReadOnlyDirKeepsTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "opencode.json")
	os.WriteFile(path, []byte("old"), 0o644)
	withFaults(t, nil, readOnly)
	if err := WriteFileAtomic(path, []byte("new"), 0o644); err == nil {
		t.Fatal("write succeeded on a read-only filesystem")
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("content %q, want the old one", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp file left behind: %v", entries)
	}
}
