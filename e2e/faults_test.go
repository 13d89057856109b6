package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// hostileOpenCode stands in for opencode and, at login, misbehaves in every
// way a terminal program can: an oversized scroll region with a reverse
// index, a cursor-position query, invalid UTF-8, malformed escapes, an OSC 52
// clipboard write aimed at the user's real terminal, secrets in three forms,
// and megabytes of output, then it hangs. Other commands go to the fake.
const hostileOpenCode = `#!/bin/sh
case "$*" in
"auth login -p openai -m heidi-list-methods") exec "$FAKE" "$@" ;;
"auth login"*)
  printf '\033[1;30r\033[H\033M'
  printf '\033[6n'
  printf '\377\376\300 invalid utf8 \033[999;999;999;999;999m \033[?9999h \033P unterminated dcs\033\\'
  printf '\033]52;c;cHduZWQ=\007'
  printf '\033]0;hostile title\007'
  printf 'token eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.%s\n' "$HOSTILE_CANARY"
  printf 'key sk-proj-%s0123456789abcdef\n' "$HOSTILE_CANARY"
  printf 'refresh_token=%s&x=1\n' "$HOSTILE_CANARY"
  head -c 1500000 /dev/zero | tr '\0' 'x' | fold -w 97
  echo
  echo "HOSTILE-READY"
  exec sleep 1000 ;;
*) exec "$FAKE" "$@" ;;
esac
`

// crashingOpenCode dies by a signal in the middle of its login.
const crashingOpenCode = `#!/bin/sh
case "$*" in
"auth login -p openai -m heidi-list-methods") exec "$FAKE" "$@" ;;
"auth login"*) echo "about to crash"; kill -SEGV $$ ;;
*) exec "$FAKE" "$@" ;;
esac
`

// hangingVersion never answers --version.
const hangingVersion = `#!/bin/sh
case "$*" in
"--version") exec sleep 1000 ;;
*) exec "$FAKE" "$@" ;;
esac
`

func wrapOpenCode(t *testing.T, env *Env, script string) {
	t.Helper()
	dir := filepath.Join(env.Root, "wrapbin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "opencode"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env.Set("FAKE", fakeOpenCode())
	env.Set("PATH", dir+":"+env.Get("PATH"))
}

// saneTermios is what a fresh pty starts with: the state a user's terminal
// must be left in.
func saneTermios(t *testing.T) *unix.Termios {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	defer s.Close()
	tio, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio
}

func assertTermiosRestored(t *testing.T, s *Screen, want *unix.Termios) {
	t.Helper()
	got, err := unix.IoctlGetTermios(int(s.ptmx.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	const lflags = unix.ICANON | unix.ECHO | unix.ISIG | unix.IEXTEN
	const iflags = unix.ICRNL | unix.IXON
	if got.Lflag&lflags != want.Lflag&lflags || got.Iflag&iflags != want.Iflag&iflags || got.Oflag&unix.OPOST != want.Oflag&unix.OPOST {
		t.Errorf("terminal not restored: lflag %#x iflag %#x oflag %#x, want %#x %#x %#x",
			got.Lflag&lflags, got.Iflag&iflags, got.Oflag&unix.OPOST, want.Lflag&lflags, want.Iflag&iflags, want.Oflag&unix.OPOST)
	}
}

func TestFaultHostileLoginChild(t *testing.T) {
	t.Parallel()
	sane := saneTermios(t)
	env := desktopEnv(t)
	env.Set("HOSTILE_CANARY", env.Canary)
	wrapOpenCode(t, env, hostileOpenCode)
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "HOSTILE-READY", 90e9)
	// Still responsive: the reserved chord ends the hanging child.
	leaveLogin(t, s, 90e9)
	if code := quitSummary(t, s); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	raw := s.Raw()
	if strings.Contains(raw, "cHduZWQ=") || strings.Contains(raw, "hostile title") {
		t.Error("the child's OSC 52 clipboard write or title reached the real terminal")
	}
	if !strings.Contains(s.Text(), "You left the login") {
		t.Errorf("no clear message after leaving:\n%s", s.Screen())
	}
	assertTermiosRestored(t, s, sane)
	cleanAfter(t, env, s)
}

func TestFaultLoginChildCrashes(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	wrapOpenCode(t, env, crashingOpenCode)
	s := startWizard(t, env, 100, 30)
	s.WaitFor(t, "Login did not complete", 60e9)
	s.WaitFor(t, "What now?", 60e9) // retry, device code, or stop (issue 15 item 4)
	s.Send("s")
	if code := quitSummary(t, s); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	cleanAfter(t, env, s)
}

func TestFaultVersionHangs(t *testing.T) {
	t.Parallel()
	env := desktopEnv(t)
	env.PlantAuth("oauth")
	wrapOpenCode(t, env, hangingVersion)
	s := startWizard(t, env, 100, 30, "--timeout", "2s")
	s.WaitFor(t, "Could not read OpenCode's version", 60e9)
	s.WaitFor(t, "Keep the existing login", 60e9)
	s.Send("k")
	if code := quitSummary(t, s); code != 0 {
		t.Fatalf("exit %d, want 0 (the rest of the checks pass):\n%s", code, s.Screen())
	}
	cleanAfter(t, env, s)
}

func TestFaultStatusWithHostileStores(t *testing.T) {
	t.Parallel()
	cases := map[string]func(env *Env){
		"50 MB of garbage": func(env *Env) {
			env.WriteAuthRaw("")
			f, err := os.OpenFile(env.AuthPath(), os.O_WRONLY|os.O_TRUNC, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			chunk := []byte(strings.Repeat("garbage "+env.Canary+" ", 1000))
			for n := 0; n < 50<<20; n += len(chunk) {
				f.Write(chunk)
			}
			f.Close()
		},
		"a directory": func(env *Env) {
			os.MkdirAll(env.AuthPath(), 0o700)
		},
		"a symlink to another user's file": func(env *Env) {
			other := filepath.Join(env.Root, "other-user-auth.json")
			os.WriteFile(other, []byte(`{"openai":{"type":"oauth","refresh":"rt_`+env.Canary+`","access":"x","expires":1}}`), 0o600)
			os.MkdirAll(filepath.Dir(env.AuthPath()), 0o755)
			os.Symlink(other, env.AuthPath())
		},
	}
	for name, plant := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			plant(env)
			out, errOut, code := runPlain(t, env, heidi(t), "connect", "status")
			if code != 1 || !strings.Contains(out, "NOT CONNECTED") || !strings.Contains(out, "Reason:") {
				t.Fatalf("exit %d:\n%s\n%s", code, out, errOut)
			}
			assertNoCanary(t, env.Canary, out, errOut)
		})
	}
}

func TestFaultGarbageStoreMovedAsideIntact(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	garbage := strings.Repeat("\x00\xff garbage "+env.Canary, 200000) // ~6 MB, over heidi's read cap
	env.WriteAuthRaw(garbage)
	env.Set("FAKE_OPENCODE_DEVICE_DELAY", "0s")
	out, errOut, code := runPlain(t, env, heidi(t), "connect", "opencode", "openai", "--plain", "--headless", "--yes")
	if code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", code, out, errOut)
	}
	matches, _ := filepath.Glob(env.AuthPath() + ".heidi-backup-*")
	if len(matches) != 1 {
		t.Fatalf("backups: %v", matches)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil || string(b) != garbage {
		t.Fatalf("the backup does not hold the original bytes (%v)", err)
	}
	assertNoCanary(t, env.Canary, out, errOut)
}
