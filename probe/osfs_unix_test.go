//go:build unix

package probe

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// realSys is the real machine with HOME moved to a temp dir and no
// OPENCODE_AUTH_CONTENT.
func realSys(t *testing.T, env fakeEnv) (Sys, Paths) {
	t.Helper()
	s := Default()
	s.Home = t.TempDir()
	if env == nil {
		env = fakeEnv{}
	}
	s.Getenv = env.get
	p := ResolvePaths(s)
	if err := os.MkdirAll(p.Data, 0o755); err != nil {
		t.Fatal(err)
	}
	return s, p
}

func TestInspectAuthRealFiles(t *testing.T) {
	t.Run("oauth 0600", func(t *testing.T) {
		s, p := realSys(t, nil)
		if err := os.WriteFile(p.AuthFile, []byte(goodOAuth), 0o600); err != nil {
			t.Fatal(err)
		}
		c := InspectAuth(s, p)
		if !c.Subscription() || c.Insecure || c.Mode.Perm() != 0o600 || c.Size != int64(len(goodOAuth)) || c.ModTime.IsZero() {
			t.Fatalf("got %+v", c)
		}
		assertNoCanary(t, c)
	})
	t.Run("0644 is insecure", func(t *testing.T) {
		s, p := realSys(t, nil)
		if err := os.WriteFile(p.AuthFile, []byte(goodAPI), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p.AuthFile, 0o644); err != nil {
			t.Fatal(err)
		}
		c := InspectAuth(s, p)
		if !c.Insecure || c.Type != CredAPI || !c.EntryOK {
			t.Fatalf("got %+v", c)
		}
		assertNoCanary(t, c)
	})
	t.Run("missing", func(t *testing.T) {
		s, p := realSys(t, nil)
		if c := InspectAuth(s, p); c.Problem != StoreMissing {
			t.Fatalf("got %+v", c)
		}
	})
	t.Run("directory", func(t *testing.T) {
		s, p := realSys(t, nil)
		if err := os.Mkdir(p.AuthFile, 0o700); err != nil {
			t.Fatal(err)
		}
		if c := InspectAuth(s, p); c.Problem != StoreIsDir {
			t.Fatalf("got %+v", c)
		}
	})
	t.Run("symlink to a valid file is not followed", func(t *testing.T) {
		s, p := realSys(t, nil)
		other := filepath.Join(t.TempDir(), "someone-elses.json")
		if err := os.WriteFile(other, []byte(goodOAuth), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(other, p.AuthFile); err != nil {
			t.Fatal(err)
		}
		c := InspectAuth(s, p)
		if c.Problem != StoreSymlink || c.Present {
			t.Fatalf("got %+v", c)
		}
		assertNoCanary(t, c)
	})
	t.Run("FIFO does not hang", func(t *testing.T) {
		s, p := realSys(t, nil)
		if err := syscall.Mkfifo(p.AuthFile, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		if c := InspectAuth(s, p); c.Problem != StoreUnreadable || !strings.Contains(c.Detail, "named pipe") {
			t.Fatalf("got %+v", c)
		}
		// Even if asked directly, OSFS refuses it without blocking.
		if _, _, err := (OSFS{}).ReadFileCapped(p.AuthFile, 10); !errors.Is(err, ErrNotRegular) {
			t.Fatalf("ReadFileCapped(fifo) err = %v", err)
		}
	})
	t.Run("larger than the cap", func(t *testing.T) {
		s, p := realSys(t, nil)
		big := `{"openai":"` + strings.Repeat("x", MaxAuthFileSize) + `"}`
		if err := os.WriteFile(p.AuthFile, []byte(big), 0o600); err != nil {
			t.Fatal(err)
		}
		if c := InspectAuth(s, p); c.Problem != StoreTooLarge || c.Size != int64(len(big)) {
			t.Fatalf("got %+v", c)
		}
	})
	t.Run("XDG_DATA_HOME moves it", func(t *testing.T) {
		xdg := t.TempDir()
		s, p := realSys(t, fakeEnv{"XDG_DATA_HOME": xdg})
		if p.AuthFile != filepath.Join(xdg, "opencode", "auth.json") {
			t.Fatalf("AuthFile = %q", p.AuthFile)
		}
		if err := os.WriteFile(p.AuthFile, []byte(goodOAuth), 0o600); err != nil {
			t.Fatal(err)
		}
		if c := InspectAuth(s, p); !c.Subscription() {
			t.Fatalf("got %+v", c)
		}
	})
}

func TestOSFSReadFileCapped(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	if err := os.WriteFile(f, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		limit     int64
		want      string
		truncated bool
	}{
		{10, "0123456789", false},
		{11, "0123456789", false},
		{9, "012345678", true},
		{0, "", true},
	}
	for _, tt := range tests {
		data, trunc, err := OSFS{}.ReadFileCapped(f, tt.limit)
		if err != nil || string(data) != tt.want || trunc != tt.truncated {
			t.Errorf("limit %d: %q %v %v", tt.limit, data, trunc, err)
		}
	}
	if _, _, err := (OSFS{}).ReadFileCapped(dir, 10); !errors.Is(err, ErrNotRegular) {
		t.Errorf("directory: err = %v", err)
	}
	if _, _, err := (OSFS{}).ReadFileCapped(filepath.Join(dir, "nope"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: err = %v", err)
	}
	fi, err := OSFS{}.Lstat(f)
	if err != nil || fi.Size() != 10 {
		t.Errorf("Lstat: %v %v", fi, err)
	}
}
