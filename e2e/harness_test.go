package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// ---- test environment ---------------------------------------------------------

// Env is one test's world: a throwaway HOME, HEIDI_HOME, a canary secret, a
// free callback port for the fake's browser login and a marker variable that
// lets noProcessesLeft find anything the test started. The environment is
// built from scratch (nothing is inherited), so XDG_* are unset unless a test
// sets them.
type Env struct {
	t         testing.TB
	Root      string // per-test temp dir
	Home      string
	HeidiHome string
	Canary    string // a secret planted in every credential; must never leak
	Marker    string // value of HEIDI_E2E_MARKER in this env
	Port      int    // FAKE_OPENCODE_PORT
	vars      map[string]string
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// freePort asks the kernel for a free TCP port on all interfaces (the fake
// binds the callback port on all interfaces, like the real one).
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func newEnv(t testing.TB) *Env {
	t.Helper()
	root := t.TempDir()
	e := &Env{
		t:         t,
		Root:      root,
		Home:      filepath.Join(root, "home"),
		HeidiHome: filepath.Join(root, "heidi-home"),
		Canary:    "CANARY" + randHex(10),
		Marker:    "m" + randHex(8),
		Port:      freePort(t),
	}
	for _, d := range []string{e.Home, filepath.Join(root, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e.vars = map[string]string{
		"HOME":                 e.Home,
		"USER":                 "e2e",
		"PATH":                 fakeBinDir + ":/usr/local/bin:/usr/bin:/bin",
		"TERM":                 "xterm-256color",
		"LANG":                 "C.UTF-8",
		"TMPDIR":               filepath.Join(root, "tmp"),
		"HEIDI_HOME":           e.HeidiHome,
		"HEIDI_E2E_MARKER":     e.Marker,
		"FAKE_OPENCODE_CANARY": e.Canary,
		"FAKE_OPENCODE_PORT":   strconv.Itoa(e.Port),
		"FAKE_OPENCODE_LOG":    filepath.Join(root, "opencode-invocations.log"),
		"FAKE_BROWSER_LOG":     filepath.Join(root, "browser.log"),
	}
	return e
}

// Set sets one variable (chainable); "" keeps it set to the empty string.
func (e *Env) Set(k, v string) *Env { e.vars[k] = v; return e }

// Unset removes a variable.
func (e *Env) Unset(k string) *Env { delete(e.vars, k); return e }

// Get returns a variable's value.
func (e *Env) Get(k string) string { return e.vars[k] }

// UseXDG sets XDG_DATA_HOME/CONFIG/CACHE/STATE to directories under Root.
func (e *Env) UseXDG() *Env {
	for k, d := range map[string]string{"XDG_DATA_HOME": "xdg-data", "XDG_CONFIG_HOME": "xdg-config", "XDG_CACHE_HOME": "xdg-cache", "XDG_STATE_HOME": "xdg-state"} {
		e.vars[k] = filepath.Join(e.Root, d)
	}
	return e
}

// Environ returns the environment as KEY=VALUE pairs, sorted.
func (e *Env) Environ() []string {
	out := make([]string, 0, len(e.vars))
	for k, v := range e.vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// DataDir is opencode's data dir under this env.
func (e *Env) DataDir() string {
	if d := e.vars["XDG_DATA_HOME"]; d != "" {
		return filepath.Join(d, "opencode")
	}
	return filepath.Join(e.Home, ".local", "share", "opencode")
}

// ConfigDir is opencode's global config dir under this env.
func (e *Env) ConfigDir() string {
	if d := e.vars["XDG_CONFIG_HOME"]; d != "" {
		return filepath.Join(d, "opencode")
	}
	return filepath.Join(e.Home, ".config", "opencode")
}

// AuthPath is opencode's auth.json.
func (e *Env) AuthPath() string { return filepath.Join(e.DataDir(), "auth.json") }

// ReadAuth returns auth.json's content ("" when missing).
func (e *Env) ReadAuth() string {
	b, err := os.ReadFile(e.AuthPath())
	if err != nil {
		return ""
	}
	return string(b)
}

// WriteAuthRaw writes auth.json verbatim, as the real client would (0600,
// directory 0755).
func (e *Env) WriteAuthRaw(content string) {
	e.t.Helper()
	if err := os.MkdirAll(e.DataDir(), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(e.AuthPath(), []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// FakeJWT returns an unsigned JWT with the given expiry and the canary in
// its payload.
func (e *Env) FakeJWT(exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(map[string]any{
		"exp":                         exp.Unix(),
		"canary":                      e.Canary,
		"https://api.openai.com/auth": map[string]any{"chatgpt_account_id": "acct-fake-000"},
	})
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
}

// PlantAuth writes an auth.json of the given kind, formatted exactly like the
// real client's (2-space JSON, no trailing newline), every secret carrying the
// canary:
//
//	oauth    a valid ChatGPT entry (expires in an hour)
//	expired  the same, expired an hour ago
//	api      an API key entry
//	corrupt  not JSON (and the canary is in the garbage)
//	shape    an oauth entry without refresh/expires (ignored by opencode)
//	empty    {}
func (e *Env) PlantAuth(kind string) {
	e.t.Helper()
	oauth := func(exp time.Time) string {
		return fmt.Sprintf("{\n  \"openai\": {\n    \"type\": \"oauth\",\n    \"refresh\": %q,\n    \"access\": %q,\n    \"expires\": %d,\n    \"accountId\": \"acct-fake-000\"\n  }\n}",
			"rt_"+e.Canary, e.FakeJWT(exp), exp.UnixMilli())
	}
	switch kind {
	case "oauth":
		e.WriteAuthRaw(oauth(time.Now().Add(time.Hour)))
	case "expired":
		e.WriteAuthRaw(oauth(time.Now().Add(-time.Hour)))
	case "api":
		e.WriteAuthRaw(fmt.Sprintf("{\n  \"openai\": {\n    \"type\": \"api\",\n    \"key\": %q\n  }\n}", "sk-test-"+e.Canary))
	case "corrupt":
		e.WriteAuthRaw("{ broken " + e.Canary)
	case "shape":
		e.WriteAuthRaw(fmt.Sprintf("{\n  \"openai\": {\n    \"type\": \"oauth\",\n    \"access\": %q\n  }\n}", e.Canary))
	case "empty":
		e.WriteAuthRaw("{}")
	default:
		e.t.Fatalf("PlantAuth: unknown kind %q", kind)
	}
}

func readLines(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// OpenCodeCalls returns one line per fake-opencode invocation:
// `<pid> opencode "arg" "arg"...`.
func (e *Env) OpenCodeCalls() []string { return readLines(e.vars["FAKE_OPENCODE_LOG"]) }

// BrowserURLs returns the URLs the fake browser was asked to open.
func (e *Env) BrowserURLs() []string { return readLines(e.vars["FAKE_BROWSER_LOG"]) }

// ---- plain (non-TTY) runs ------------------------------------------------------------

// Result is the outcome of a plain run.
type Result struct {
	Stdout, Stderr string
	Code           int // exit code; 128+n when killed by signal n; -1 on timeout
	TimedOut       bool
	Elapsed        time.Duration
}

// RunOpts tunes runWith.
type RunOpts struct {
	Stdin   io.Reader     // nil = /dev/null
	Timeout time.Duration // 0 = 30s
	Dir     string
}

func exitCode(ps *os.ProcessState) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// runWith runs argv[0] with argv[1:] outside a terminal, in its own process
// group, killing the whole group on timeout.
func runWith(t testing.TB, env *Env, o RunOpts, argv ...string) Result {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env.Environ()
	cmd.Dir = o.Dir
	if cmd.Dir == "" {
		cmd.Dir = env.Home
	}
	cmd.Stdin = o.Stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", argv, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	r := Result{}
	select {
	case <-done:
	case <-time.After(o.Timeout):
		r.TimedOut = true
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	r.Elapsed = time.Since(start)
	r.Stdout, r.Stderr = stdout.String(), stderr.String()
	r.Code = exitCode(cmd.ProcessState)
	if r.TimedOut {
		r.Code = -1
	}
	return r
}

// runPlain runs argv (argv[0] is the program) with stdin from /dev/null and a
// 30 s limit, returning stdout, stderr and the exit code (-1 on timeout).
func runPlain(t testing.TB, env *Env, argv ...string) (stdout, stderr string, code int) {
	t.Helper()
	r := runWith(t, env, RunOpts{}, argv...)
	if r.TimedOut {
		t.Errorf("%v timed out after %v\nstdout:\n%s\nstderr:\n%s", argv, r.Elapsed, tail(r.Stdout, 2000), tail(r.Stderr, 2000))
	}
	return r.Stdout, r.Stderr, r.Code
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// Proc is a program started outside a terminal whose output can be watched
// while it runs (runWith only returns at the end).
type Proc struct {
	cmd     *exec.Cmd
	mu      sync.Mutex
	stdout  bytes.Buffer
	stderr  bytes.Buffer
	updated chan struct{}
	done    chan struct{}
	code    int
}

type procWriter struct {
	p   *Proc
	buf *bytes.Buffer
}

func (w procWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	w.buf.Write(b)
	w.p.mu.Unlock()
	select {
	case w.p.updated <- struct{}{}:
	default:
	}
	return len(b), nil
}

// startPlain starts argv without a terminal (stdin from stdin, or /dev/null
// when nil) in its own process group; t.Cleanup kills the group.
func startPlain(t testing.TB, env *Env, stdin io.Reader, argv ...string) *Proc {
	t.Helper()
	p := &Proc{updated: make(chan struct{}, 1), done: make(chan struct{})}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Env = env.Environ()
	p.cmd.Dir = env.Home
	p.cmd.Stdin = stdin
	p.cmd.Stdout = procWriter{p, &p.stdout}
	p.cmd.Stderr = procWriter{p, &p.stderr}
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", argv, err)
	}
	go func() {
		_ = p.cmd.Wait()
		p.mu.Lock()
		p.code = exitCode(p.cmd.ProcessState)
		p.mu.Unlock()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	})
	return p
}

// Stdout returns what the program wrote to stdout so far.
func (p *Proc) Stdout() string { p.mu.Lock(); defer p.mu.Unlock(); return p.stdout.String() }

// Stderr returns what the program wrote to stderr so far.
func (p *Proc) Stderr() string { p.mu.Lock(); defer p.mu.Unlock(); return p.stderr.String() }

// Exited reports whether the program has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Signal sends sig to the program.
func (p *Proc) Signal(sig syscall.Signal) { _ = p.cmd.Process.Signal(sig) }

// WaitOutput waits until stdout or stderr contains want (a substring or
// *regexp.Regexp); it fails the test with both streams on timeout or exit.
func (p *Proc) WaitOutput(t testing.TB, want any, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	ended := false
	for {
		if matches(p.Stdout(), want) || matches(p.Stderr(), want) {
			return
		}
		if ended {
			t.Fatalf("program ended before printing %v\nstdout: %q\nstderr: %q", want, tail(p.Stdout(), 2000), tail(p.Stderr(), 2000))
		}
		select {
		case <-p.updated:
		case <-p.done:
			ended = true
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %v\nstdout: %q\nstderr: %q", timeout, want, tail(p.Stdout(), 2000), tail(p.Stderr(), 2000))
		}
	}
}

// Wait waits for the program to end and returns its exit code (128+n for
// signal n); on timeout it fails the test and returns -1.
func (p *Proc) Wait(t testing.TB, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Errorf("still running after %v\nstdout: %q\nstderr: %q", timeout, tail(p.Stdout(), 2000), tail(p.Stderr(), 2000))
		return -1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.code
}

// ---- secrets ---------------------------------------------------------------------------

// findCanary reports where the canary, or one of its base64url forms (as it
// appears inside a JWT payload), first occurs in s: the form found and its
// index, or "" and -1.
func findCanary(canary, s string) (form string, idx int) {
	for _, f := range canaryForms(canary) {
		if i := strings.Index(s, f); i >= 0 {
			return f, i
		}
	}
	return "", -1
}

// assertNoCanary fails if the canary (or its base64 forms, as found inside a
// JWT) occurs in any of the texts.
func assertNoCanary(t testing.TB, canary string, texts ...string) {
	t.Helper()
	for i, s := range texts {
		if form, j := findCanary(canary, s); j >= 0 {
			lo, hi := max(0, j-60), min(len(s), j+len(form)+20)
			t.Errorf("secret canary leaked in text #%d (as %q): …%q…", i, form, s[lo:hi])
		}
	}
}

// canaryForms: the canary itself and the base64url fragments it turns into
// inside a JWT payload at each of the three byte alignments.
func canaryForms(c string) []string {
	forms := []string{c}
	enc := base64.RawURLEncoding
	for off := 0; off < 3; off++ {
		s := enc.EncodeToString([]byte(strings.Repeat("x", off) + c))
		// drop the chars touched by the prefix and the last (partial) char
		start := (off*4 + 2) / 3
		if len(s) > start+8 {
			forms = append(forms, s[start:len(s)-2])
		}
	}
	return forms
}

// assertNoCanaryInDir walks dir and fails for every file containing the
// canary. Missing dir is fine.
func assertNoCanaryInDir(t testing.TB, canary, dir string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		if _, i := findCanary(canary, string(b)); i >= 0 {
			t.Errorf("secret canary found in file %s", p)
		}
		return nil
	})
}

// ---- orphans -------------------------------------------------------------------------

type procInfo struct {
	pid     int
	cmdline string
}

func procsWithMarker(marker string) []procInfo {
	needle := []byte("HEIDI_E2E_MARKER=" + marker + "\x00")
	ents, _ := os.ReadDir("/proc")
	var out []procInfo
	self := os.Getpid()
	for _, d := range ents {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == self {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "environ"))
		if err != nil || !bytes.Contains(append(b, 0), needle) {
			continue
		}
		if st, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat")); err == nil {
			if i := bytes.LastIndexByte(st, ')'); i >= 0 && i+2 < len(st) && st[i+2] == 'Z' {
				continue // a zombie holds nothing
			}
		}
		cl, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		out = append(out, procInfo{pid, strings.TrimSpace(strings.ReplaceAll(string(cl), "\x00", " "))})
	}
	return out
}

// noProcessesLeft fails if, after a short grace period, any process carrying
// this env's marker is still alive; it then SIGKILLs them (by pid) so one
// failure does not leak into other tests.
func noProcessesLeft(t testing.TB, env *Env) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	var left []procInfo
	for {
		left = procsWithMarker(env.Marker)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // polling /proc: there is no event to wait on
	}
	for _, p := range left {
		t.Errorf("orphan process left behind: pid %d: %s", p.pid, p.cmdline)
		_ = syscall.Kill(p.pid, syscall.SIGKILL)
	}
}

// ---- the pty screen driver ---------------------------------------------------------

// Screen runs a program in a pseudo-terminal and keeps both the raw byte
// transcript and an x/vt emulation of what a user would see.
type Screen struct {
	t    testing.TB
	cmd  *exec.Cmd
	ptmx *os.File

	mu      sync.Mutex
	em      *vt.Emulator
	raw     bytes.Buffer
	updated chan struct{} // signalled (non-blocking) on every chunk

	readDone chan struct{} // pty reader finished (EOF/EIO)
	exited   chan struct{} // process reaped
	code     int

	stopAnswer atomic.Bool
	answerDone chan struct{}
	closeOnce  sync.Once
}

// startScreen starts argv in a cols×rows pty with env. The child gets its own
// session (pgid = pid); Close kills that group.
func startScreen(t testing.TB, env *Env, cols, rows int, argv ...string) *Screen {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env.Environ()
	cmd.Dir = env.Home
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		t.Fatalf("pty start %v: %v", argv, err)
	}
	s := &Screen{
		t: t, cmd: cmd, ptmx: ptmx,
		em:         vt.NewEmulator(cols, rows),
		updated:    make(chan struct{}, 1),
		readDone:   make(chan struct{}),
		exited:     make(chan struct{}),
		answerDone: make(chan struct{}),
	}
	// The emulator answers terminal queries (DA, CPR...) through its input
	// pipe; copy that back to the program.
	go func() {
		defer close(s.answerDone)
		buf := make([]byte, 256)
		for {
			n, err := s.em.Read(buf)
			if s.stopAnswer.Load() || err != nil {
				return
			}
			if n > 0 {
				_, _ = ptmx.Write(buf[:n])
			}
		}
	}()
	go func() {
		defer close(s.readDone)
		buf := make([]byte, 32*1024)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				s.feed(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		_ = cmd.Wait()
		s.mu.Lock()
		s.code = exitCode(cmd.ProcessState)
		s.mu.Unlock()
		close(s.exited)
	}()
	t.Cleanup(s.Close)
	return s
}

func (s *Screen) feed(b []byte) {
	s.mu.Lock()
	s.raw.Write(b)
	func() {
		defer func() {
			if r := recover(); r != nil {
				s.raw.WriteString(fmt.Sprintf("\n[e2e: emulator panic: %v]\n", r))
			}
		}()
		_, _ = s.em.Write(b)
	}()
	s.mu.Unlock()
	select {
	case s.updated <- struct{}{}:
	default:
	}
}

// Pid is the child's pid (and process group id).
func (s *Screen) Pid() int { return s.cmd.Process.Pid }

func normalize(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// Screen returns the visible screen, right-trimmed.
func (s *Screen) Screen() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return normalize(s.em.String())
}

// Text returns the scrollback followed by the visible screen: everything the
// user could scroll back to.
func (s *Screen) Text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.textLocked()
}

func (s *Screen) textLocked() string {
	var b strings.Builder
	if sb := s.em.Scrollback(); sb != nil {
		for _, l := range sb.Lines() {
			b.WriteString(strings.TrimRight(l.String(), " "))
			b.WriteString("\n")
		}
	}
	b.WriteString(s.em.String())
	return normalize(b.String())
}

// Raw returns the raw byte transcript so far.
func (s *Screen) Raw() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.String()
}

func matches(text string, want any) bool {
	switch w := want.(type) {
	case string:
		return strings.Contains(text, w)
	case *regexp.Regexp:
		return w.MatchString(text)
	}
	panic(fmt.Sprintf("WaitFor: want a string or *regexp.Regexp, got %T", want))
}

// WaitFor waits until the screen text (scrollback + screen) matches want (a
// substring or *regexp.Regexp) and returns that text. On timeout or if the
// program ends without matching it fails the test with the normalised screen
// and the tail of the raw transcript.
func (s *Screen) WaitFor(t testing.TB, want any, timeout time.Duration) string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	exited := false
	for {
		txt := s.Text()
		if matches(txt, want) {
			return txt
		}
		if exited {
			s.failf(t, "program ended before the screen showed %v", want)
			return txt
		}
		select {
		case <-s.updated:
		case <-s.readDone:
			// drain anything fed before EOF, then one last look
			exited = true
		case <-deadline.C:
			s.failf(t, "timed out after %v waiting for %v", timeout, want)
			return s.Text()
		}
	}
}

func (s *Screen) failf(t testing.TB, format string, args ...any) {
	t.Helper()
	raw := s.Raw()
	t.Fatalf("%s\n--- screen ---\n%s\n--- raw transcript (tail) ---\n%q", fmt.Sprintf(format, args...), s.Screen(), tail(raw, 3000))
}

// Send writes keys to the program as typed ("\r" is Enter, "\x1b[B" Down,
// "\x03" Ctrl-C).
func (s *Screen) Send(keys string) {
	s.t.Helper()
	if _, err := s.ptmx.Write([]byte(keys)); err != nil {
		s.t.Errorf("send %q: %v", keys, err)
	}
}

// Resize changes the pty size (the kernel sends SIGWINCH) and the emulator's.
func (s *Screen) Resize(cols, rows int) {
	s.t.Helper()
	if err := pty.Setsize(s.ptmx, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)}); err != nil {
		s.t.Errorf("resize: %v", err)
	}
	s.mu.Lock()
	s.em.Resize(cols, rows)
	s.mu.Unlock()
}

// Signal sends sig to the program (not its group).
func (s *Screen) Signal(sig syscall.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.t.Errorf("signal %v: %v", sig, err)
	}
}

// Exited reports whether the program has been reaped.
func (s *Screen) Exited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// Wait waits for the program to exit and returns its exit code (128+n when
// killed by signal n). On timeout it fails the test (with the screen) and
// returns -1.
func (s *Screen) Wait(t testing.TB, timeout time.Duration) int {
	t.Helper()
	select {
	case <-s.exited:
	case <-time.After(timeout):
		s.failf(t, "program still running after %v", timeout)
		return -1
	}
	// let the reader take the last bytes (EIO comes once the last holder of
	// the pty's slave side is gone; a lingering grandchild may keep it open)
	select {
	case <-s.readDone:
	case <-time.After(2 * time.Second):
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.code
}

// Close kills the program's process group (if still alive), reaps it and
// releases the pty and emulator. It is registered with t.Cleanup.
func (s *Screen) Close() {
	s.closeOnce.Do(func() {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			s.t.Errorf("pty child %d not reaped 5s after SIGKILL", s.cmd.Process.Pid)
		}
		_ = s.ptmx.Close()
		select {
		case <-s.readDone:
		case <-time.After(2 * time.Second):
		}
		// Stop the answer copier: flag it, then make the emulator answer a
		// Primary Device Attributes query so the copier's blocked Read
		// returns and it sees the flag; only then close the emulator.
		s.stopAnswer.Store(true)
		s.mu.Lock()
		defer s.mu.Unlock()
		_, _ = s.em.Write([]byte("\x1b[c"))
		<-s.answerDone
		_ = s.em.Close()
	})
}
