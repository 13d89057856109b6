//go:build linux

package e2e

// The Windows tier (issue 20): heidi.exe, built for windows/amd64, run
// under Debian's wine 8 with the Windows build of the fake opencode.
// Go ≥ 1.22 needs bcryptprimitives.dll!ProcessPrng, which wine 8 lacks: a
// shim (ProcessPrng calling RtlGenRandom, built with mingw) goes into the
// prefix's system32. The tests share one prefix, so they run one after
// another, each from an empty profile. HEIDI_WINE=1 enables the tier
// (scripts/test.sh installs wine and mingw and sets it).

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// winShim is the three-line ProcessPrng the Go runtime asks for.
const winShim = `#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n; len -= n;
  }
  return TRUE;
}
`

type winTier struct {
	dir     string // heidi.exe, opencode.exe, fakebrowser.exe
	prefix  string // WINEPREFIX
	profile string // the prefix's C:\users\<user>, as a Unix path
	err     error
}

var (
	winOnce sync.Once
	win     winTier
	// winMu: one prefix, one profile — the tests take turns.
	winMu sync.Mutex
)

// winPath is a Unix path as wine's Z: drive shows it.
func winPath(p string) string { return "Z:" + strings.ReplaceAll(p, "/", `\`) }

func winSetup(t *testing.T) *winTier {
	t.Helper()
	if os.Getenv("HEIDI_WINE") == "" {
		t.Skip("SKIPPED: the Windows tier needs HEIDI_WINE=1 with wine and mingw installed (scripts/test.sh does both)")
	}
	winOnce.Do(func() {
		dir, err := os.MkdirTemp("", "heidi-e2e-win-")
		if err != nil {
			win.err = err
			return
		}
		win.dir, win.prefix = dir, filepath.Join(dir, "prefix")
		afterTests = append(afterTests, func() {
			k := exec.Command("wineserver", "-k") // no wine process outlives the tests
			k.Env = append(os.Environ(), "WINEPREFIX="+win.prefix)
			_ = k.Run()
			_ = os.RemoveAll(dir)
		})
		wd, _ := os.Getwd()
		for _, b := range [][3]string{
			{filepath.Dir(wd), "heidi.exe", "."},
			{wd, "opencode.exe", "./testdata/fakeopencode"},
			{wd, "fakebrowser.exe", "./testdata/fakebrowser"},
		} {
			cmd := exec.Command(goTool(), "build", "-o", filepath.Join(dir, b[1]), b[2])
			cmd.Dir = b[0]
			cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				win.err = fmt.Errorf("build %s: %v\n%s", b[1], err, out)
				return
			}
		}
		src := filepath.Join(dir, "shim.c")
		if err := os.WriteFile(src, []byte(winShim), 0o644); err != nil {
			win.err = err
			return
		}
		dll := filepath.Join(dir, "bcryptprimitives.dll")
		if out, err := exec.Command("x86_64-w64-mingw32-gcc", "-shared", "-O2", "-o", dll, src, "-ladvapi32").CombinedOutput(); err != nil {
			win.err = fmt.Errorf("the ProcessPrng shim: %v\n%s", err, out)
			return
		}
		boot := exec.Command("wineboot", "-i")
		boot.Env = append(os.Environ(), "WINEPREFIX="+win.prefix, "WINEDEBUG=-all")
		if out, err := boot.CombinedOutput(); err != nil {
			win.err = fmt.Errorf("wineboot: %v\n%s", err, out)
			return
		}
		if err := copyFile(dll, filepath.Join(win.prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll")); err != nil {
			win.err = err
			return
		}
		users, _ := filepath.Glob(filepath.Join(win.prefix, "drive_c", "users", "*"))
		for _, u := range users {
			if b := filepath.Base(u); b != "Public" && b != "public" {
				win.profile = u
			}
		}
		if win.profile == "" {
			win.err = fmt.Errorf("no user profile in %s", win.prefix)
		}
	})
	if win.err != nil {
		t.Fatalf("Windows tier setup: %v", win.err)
	}
	return &win
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// winEnv is one test's Windows machine: an empty profile (the previous
// test's is removed), its own HEIDI_HOME, the fake on PATH.
type winEnv struct {
	t        *testing.T
	w        *winTier
	root     string
	vars     map[string]string
	canary   string
	winsPort int
}

func newWinEnv(t *testing.T) *winEnv {
	w := winSetup(t)
	winMu.Lock()
	t.Cleanup(winMu.Unlock)
	for _, d := range []string{".local", ".config", ".cache"} {
		_ = os.RemoveAll(filepath.Join(w.profile, d))
	}
	root := t.TempDir()
	e := &winEnv{t: t, w: w, root: root, canary: "CANARY" + randHex(10), winsPort: freePort(t)}
	e.vars = map[string]string{
		"WINEPREFIX":           w.prefix,
		"WINEDEBUG":            "-all",
		"WINEPATH":             winPath(w.dir),
		"PATH":                 "/usr/bin:/bin",
		"HEIDI_HOME":           winPath(filepath.Join(root, "heidi-home")),
		"FAKE_OPENCODE_CANARY": e.canary,
		"FAKE_OPENCODE_PORT":   strconv.Itoa(e.winsPort),
		"FAKE_OPENCODE_LOG":    winPath(filepath.Join(root, "opencode.log")),
		"FAKE_BROWSER_LOG":     winPath(filepath.Join(root, "browser.log")),
	}
	return e
}

func (e *winEnv) set(k, v string) *winEnv { e.vars[k] = v; return e }

func (e *winEnv) environ() []string {
	var out []string
	for k, v := range e.vars {
		out = append(out, k+"="+v)
	}
	return out
}

// authPath is OpenCode's store on this Windows machine (as a Unix path),
// and its Windows name.
func (e *winEnv) authPath() (unix, windows string) {
	unix = filepath.Join(e.w.profile, ".local", "share", "opencode", "auth.json")
	return unix, `C:\users\` + filepath.Base(e.w.profile) + `\.local\share\opencode\auth.json`
}

func (e *winEnv) writeAuth(content string) {
	e.t.Helper()
	p, _ := e.authPath()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

func (e *winEnv) oauth() string {
	return `{"openai":{"type":"oauth","refresh":"rt_` + e.canary + `","access":"eyJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDAsImNhbmFyeSI6IiJ9.","expires":4102444800000,"accountId":"acct-fake-000"}}`
}

// run runs heidi.exe under wine.
func (e *winEnv) run(timeout time.Duration, args ...string) (stdout, stderr string, code int) {
	e.t.Helper()
	cmd := exec.Command("wine", append([]string{filepath.Join(e.w.dir, "heidi.exe")}, args...)...)
	cmd.Env = e.environ()
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Stdin = strings.NewReader("")
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		e.t.Fatalf("heidi.exe %q timed out after %s\nstdout:\n%s\nstderr:\n%s", args, timeout, out.String(), errb.String())
	}
	assertNoCanary(e.t, e.canary, out.String(), errb.String())
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

func TestWindowsStatus(t *testing.T) {
	cases := []struct {
		name, store string
		code        int
		want        string
	}{
		{"no store", "", 1, "OpenCode has no OpenAI credential."},
		{"ChatGPT login", "oauth", 0, "CONNECTED"},
		{"API key", `{"openai":{"type":"api","key":"sk-proj-CANARYAPIKEYxxxxxxxxxxxxxxxx"}}`, 1, "OpenAI API key, not a ChatGPT subscription"},
		{"corrupt", `{"openai": {`, 1, "credential store is unusable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newWinEnv(t)
			switch c.store {
			case "":
			case "oauth":
				e.writeAuth(e.oauth())
			default:
				e.writeAuth(c.store)
			}
			out, errOut, code := e.run(time.Minute, "connect", "status")
			_, winAuth := e.authPath()
			if code != c.code || !strings.Contains(out, c.want) || !strings.Contains(out, "Auth file:  "+winAuth) {
				t.Fatalf("exit %d (want %d)\n%s%s", code, c.code, out, errOut)
			}
			for _, unix := range []string{"lsof", "brew ", "| bash", "chmod"} {
				if strings.Contains(out, unix) {
					t.Errorf("a Unix command on Windows: %q\n%s", unix, out)
				}
			}
			js, _, _ := e.run(time.Minute, "connect", "status", "--json")
			var st map[string]any
			if err := json.Unmarshal([]byte(js), &st); err != nil || st["authPath"] != winAuth {
				t.Errorf("--json: %v authPath %v\n%s", err, st["authPath"], js)
			}
		})
	}
}

func TestWindowsPlainConnect(t *testing.T) {
	t.Run("headless", func(t *testing.T) {
		e := newWinEnv(t).set("FAKE_OPENCODE_DEVICE_DELAY", "0.3")
		out, errOut, code := e.run(2*time.Minute, "connect", "opencode", "openai", "--headless")
		_, winAuth := e.authPath()
		want := strings.Join([]string{connectedLine, "Auth file: " + winAuth, "Models: 19 (first: " + firstOAuthModel + ")", "Test run: PASS"}, "\n") + "\n"
		if code != 0 || out != want {
			t.Fatalf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, out, want, errOut)
		}
		if !strings.Contains(errOut, "[1/6] Prerequisites") || !strings.Contains(errOut, "Enter code") && !strings.Contains(errOut, "enter the code") {
			t.Errorf("plain progress:\n%s", errOut)
		}
	})
	t.Run("browser", func(t *testing.T) {
		e := newWinEnv(t).set("BROWSER", winPath(filepath.Join(e2eWinDir(t), "fakebrowser.exe")))
		out, errOut, code := e.run(2*time.Minute, "connect", "opencode", "openai", "--browser")
		if code != 0 || !strings.HasPrefix(out, connectedLine) || !strings.Contains(out, "Test run: PASS") {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		if b, _ := os.ReadFile(filepath.Join(e.root, "browser.log")); !strings.Contains(string(b), "https://auth.openai.com/oauth/authorize?") {
			t.Errorf("the browser got %q", b)
		}
	})
	t.Run("a corrupt store is moved aside with --yes", func(t *testing.T) {
		e := newWinEnv(t).set("FAKE_OPENCODE_DEVICE_DELAY", "0.3")
		e.writeAuth(`{"openai": {`)
		out, errOut, code := e.run(2*time.Minute, "connect", "opencode", "openai", "--headless", "--yes")
		if code != 0 || !strings.Contains(out, "Test run: PASS") || !strings.Contains(errOut, "Moved the broken") {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		p, _ := e.authPath()
		backups, _ := filepath.Glob(p + ".*")
		found := false
		for _, b := range backups {
			if c, _ := os.ReadFile(b); string(c) == `{"openai": {` {
				found = true
			}
		}
		if !found {
			t.Errorf("the corrupt store is not kept in a backup: %v", backups)
		}
	})
	t.Run("usage error", func(t *testing.T) {
		e := newWinEnv(t)
		if _, _, code := e.run(time.Minute, "connect", "opencode", "openai", "--headless", "--browser"); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
	})
}

func e2eWinDir(t *testing.T) string { return winSetup(t).dir }

func TestWindowsServe(t *testing.T) {
	e := newWinEnv(t)
	e.writeAuth(e.oauth())
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command("wine", filepath.Join(e.w.dir, "heidi.exe"), "serve", "--addr", addr)
	cmd.Env = e.environ()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || !strings.Contains(lines.Text(), "listening on http://"+addr) {
		t.Fatalf("serve said %q", lines.Text())
	}
	base := "http://" + addr
	client := &http.Client{Timeout: time.Minute}
	res, err := client.Get(base + "/connect/opencode/openai/status")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !regexp.MustCompile(`"connected":\s*true`).Match(body) {
		t.Fatalf("status %d %s", res.StatusCode, body)
	}
	res, err = client.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="heidi-token" content="([0-9a-f]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no token")
	}
	req, _ := http.NewRequest("POST", base+"/connect/opencode/openai/test", strings.NewReader("{}"))
	req.Header.Set("Origin", base)
	req.Header.Set("X-Heidi-Token", string(m[1]))
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !regexp.MustCompile(`"pass":\s*true`).Match(tb) {
		t.Errorf("test %d %s", res.StatusCode, tb)
	}
	assertNoCanary(t, e.canary, string(body), string(page), string(tb))
}

// TestWindowsJobObject runs probe's Job Object test (a cancelled command's
// child ends with it, and so does a child its parent left running) in a
// Windows build of probe's tests, under wine.
func TestWindowsJobObject(t *testing.T) {
	e := newWinEnv(t)
	exe := filepath.Join(e.root, "probe.test.exe")
	wd, _ := os.Getwd()
	build := exec.Command(goTool(), "test", "-c", "-o", exe, "./probe")
	build.Dir = filepath.Dir(wd)
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command("wine", exe, "-test.run=^TestJobEndsTheTree$", "-test.v")
	cmd.Env = e.environ()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestJobEndsTheTree") {
		t.Fatalf("%v\n%s", err, out)
	}
}
