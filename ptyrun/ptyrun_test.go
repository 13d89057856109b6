//go:build !windows

package ptyrun

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
)

const waitLimit = 20 * time.Second

func testEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "LC_ALL=C"}
}

func startSh(t *testing.T, script string, mod ...func(*Spec)) *Session {
	t.Helper()
	spec := Spec{Path: "/bin/sh", Args: []string{"-c", script}, Env: testEnv(), Cols: 80, Rows: 24}
	for _, m := range mod {
		m(&spec)
	}
	s, err := Start(spec)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(time.Second); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// waitFor waits, on Updates and Done, until cond holds.
func waitFor(t *testing.T, s *Session, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	done := s.Done()
	for !cond() {
		select {
		case <-s.Updates():
		case <-done:
			done = nil // one more look at the final state
			if !cond() {
				t.Fatalf("child ended before %s\nscreen:\n%s\ntranscript:\n%s", what, s.Text(), s.Transcript())
			}
			return
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s\nscreen:\n%s\ntranscript:\n%s", what, s.Text(), s.Transcript())
		}
	}
}

func waitText(t *testing.T, s *Session, want string) {
	t.Helper()
	waitFor(t, s, fmt.Sprintf("%q on screen", want), func() bool { return strings.Contains(s.Text(), want) })
}

func waitDone(t *testing.T, s *Session) {
	t.Helper()
	select {
	case <-s.Done():
	case <-time.After(waitLimit):
		t.Fatalf("child did not finish\nscreen:\n%s", s.Text())
	}
}

func TestOutputReachesScreen(t *testing.T) {
	s := startSh(t, `printf 'hello\n\033[1;31mred\033[0m\tworld   \n'`, func(sp *Spec) { sp.Cols, sp.Rows = 40, 6 })
	waitDone(t, s)
	text := s.Text()
	lines := strings.Split(text, "\n")
	if len(lines) != 6 {
		t.Fatalf("Text has %d lines, want 6: %q", len(lines), text)
	}
	if lines[0] != "hello" || lines[1] != "red     world" {
		t.Fatalf("Text = %q", text)
	}
	render := strings.Split(s.Render(), "\n")
	if len(render) != 6 {
		t.Fatalf("Render has %d lines, want 6", len(render))
	}
	for i, l := range render {
		if w := ansi.StringWidth(l); w != 40 {
			t.Errorf("Render line %d is %d cells wide, want 40: %q", i, w, l)
		}
	}
	if !strings.Contains(render[1], "\x1b[") || !strings.Contains(ansi.Strip(render[1]), "red") {
		t.Errorf("Render line 1 has no style: %q", render[1])
	}
	if got := s.Transcript(); got != "hello\nred\tworld   \n" {
		t.Errorf("Transcript = %q", got)
	}
	if x, y, _ := s.Cursor(); x != 0 || y != 2 {
		t.Errorf("Cursor = %d,%d, want 0,2", x, y)
	}
	if s.Pid() <= 0 {
		t.Errorf("Pid = %d", s.Pid())
	}
}

func TestTermIsForced(t *testing.T) {
	s := startSh(t, `printf 'term=%s\n' "$TERM"`, func(sp *Spec) { sp.Env = append(sp.Env, "TERM=dumb") })
	waitDone(t, s)
	if !strings.Contains(s.Text(), "term=xterm-256color") {
		t.Fatalf("screen: %q", s.Text())
	}
}

func TestKeysReachChildInOrder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "keys")
	s := startSh(t, `stty raw -echo; printf READY; head -c 200 > "$OUT"; printf DONE`, func(sp *Spec) {
		sp.Env = append(sp.Env, "OUT="+out)
	})
	waitText(t, s, "READY")
	var want bytes.Buffer
	for i := range 200 {
		r := rune("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i%62])
		want.WriteRune(r)
		switch i % 3 { // three input paths share one ordered queue
		case 0:
			s.SendKey(uv.KeyPressEvent{Code: r, Text: string(r)})
		case 1:
			s.SendText(string(r))
		default:
			s.WriteRaw([]byte{byte(r)})
		}
	}
	waitText(t, s, "DONE")
	waitDone(t, s)
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want.String() {
		t.Fatalf("child got\n%q\nwant\n%q", got, want.String())
	}
}

func TestSpecialKeysAreEncoded(t *testing.T) {
	s := startSh(t, `stty raw -echo; printf READY; head -c 7 | od -An -c | tr -s ' '; printf DONE`)
	waitText(t, s, "READY")
	s.SendKey(uv.KeyPressEvent{Code: uv.KeyUp})             // ESC [ A
	s.SendKey(uv.KeyPressEvent{Code: 'c', Mod: uv.ModCtrl}) // 003
	s.SendKey(uv.KeyPressEvent{Code: uv.KeyEnter})          // \r
	s.SendKey(uv.KeyPressEvent{Code: uv.KeyTab})            // \t
	s.SendKey(uv.KeyPressEvent{Code: uv.KeyBackspace})      // 177
	waitText(t, s, "DONE")
	if got := s.Text(); !strings.Contains(got, `033 [ A 003 \r \t 177`) {
		t.Fatalf("screen: %q", got)
	}
}

func TestResizeReachesChild(t *testing.T) {
	s := startSh(t, `printf 'A:'; stty size; read x; printf 'B:'; stty size; read y`)
	waitText(t, s, "A:24 80")
	s.Resize(100, 30)
	s.Resize(0, -5) // clamped, then back
	s.Resize(100, 30)
	s.SendText("\r")
	waitText(t, s, "B:30 100")
	if lines := strings.Split(s.Render(), "\n"); len(lines) != 30 || ansi.StringWidth(lines[0]) != 100 {
		t.Fatalf("Render is %d lines of %d cells", len(lines), ansi.StringWidth(lines[0]))
	}
	if n := len(strings.Split(s.Text(), "\n")); n != 30 {
		t.Fatalf("Text has %d lines", n)
	}
}

func TestOversizedScrollRegionDoesNotCrash(t *testing.T) {
	s := startSh(t, `printf '\033[1;30r\033[H\033M\033[?69h\033[1;200s\033[5L\033[5M\033Mafter\r\n'; read x; echo "got-$x"`)
	waitText(t, s, "after")
	s.SendText("ok\r")
	waitText(t, s, "got-ok")
	if n, msg := s.EmulatorPanics(); n != 0 {
		t.Errorf("clamped margins still panicked %d times: %s", n, msg)
	}
}

// A bottom margin below the screen is clamped to the last row, as xterm
// does: a line feed on the last row then scrolls the whole screen.
func TestOversizedScrollRegionIsClamped(t *testing.T) {
	s := startSh(t, `i=1; while [ $i -lt 24 ]; do printf 'L%d\r\n' $i; i=$((i+1)); done; printf 'L24\033[1;30r\033[24;1H\nlast'; read x`,
		func(sp *Spec) { sp.Rows = 24 })
	waitText(t, s, "last")
	lines := strings.Split(s.Text(), "\n")
	if lines[0] != "L2" || lines[22] != "L24" || lines[23] != "last" {
		t.Fatalf("screen:\n%s", s.Text())
	}
}

// Without the clamp, x/vt v0.1.0 panics; the guard must recover, count it
// and keep the session working.
func TestEmulatorPanicIsRecovered(t *testing.T) {
	clampMargins = false
	defer func() { clampMargins = true }()
	s := startSh(t, `printf '\033[1;30r\033[H\033M'; printf '\033[r\033[2J\033[Hafter\r\n'; read x; echo "got-$x"`)
	clampMargins = true
	waitText(t, s, "after")
	s.SendText("ok\r")
	waitText(t, s, "got-ok")
	n, msg := s.EmulatorPanics()
	if n == 0 {
		t.Skip("x/vt no longer panics on an oversized scroll region")
	}
	if !strings.Contains(msg, "index out of range") {
		t.Errorf("unexpected panic: %s", msg)
	}
}

func TestTerminalQueriesAreAnswered(t *testing.T) {
	s := startSh(t, `stty raw -echo; printf 'abc\033[6n'; r=$(dd bs=1 count=6 2>/dev/null | tr '\033' E); printf '\r\nreply=%s\r\n' "$r"; printf '\033[c'; dd bs=1 count=3 2>/dev/null | tr '\033' E; printf '\r\nDONE'`)
	waitText(t, s, "DONE")
	text := s.Text()
	if !strings.Contains(text, "reply=E[1;4R") {
		t.Fatalf("no CPR reply on screen:\n%s", text)
	}
	if !strings.Contains(text, "E[?") {
		t.Fatalf("no DA1 reply on screen:\n%s", text)
	}
}

func TestPasteIsBracketedWhenEnabled(t *testing.T) {
	s := startSh(t, `printf '\033[?2004h'; stty raw -echo; printf READY; head -c 17 | tr '\033' E; printf '\r\nDONE'`)
	waitText(t, s, "READY")
	s.Paste("hi-yo")
	waitText(t, s, "DONE")
	if !strings.Contains(s.Text(), "E[200~hi-yoE[201~") {
		t.Fatalf("screen:\n%s", s.Text())
	}
}

func TestExitCode(t *testing.T) {
	for _, tt := range []struct {
		script string
		code   int
		err    bool
	}{
		{"exit 0", 0, false},
		{"exit 3", 3, true},
		{"kill -9 $$", -1, true},
	} {
		s := startSh(t, tt.script)
		if got := s.ExitCode(); got != -1 && !isDone(s) {
			t.Errorf("ExitCode before Done = %d", got)
		}
		waitDone(t, s)
		if got := s.ExitCode(); got != tt.code {
			t.Errorf("%s: ExitCode = %d, want %d", tt.script, got, tt.code)
		}
		if got := s.ExitErr(); (got != nil) != tt.err {
			t.Errorf("%s: ExitErr = %v", tt.script, got)
		}
	}
}

func isDone(s *Session) bool {
	select {
	case <-s.Done():
		return true
	default:
		return false
	}
}

func TestStartError(t *testing.T) {
	_, err := Start(Spec{Path: "/nonexistent/heidi-child", Cols: 10, Rows: 5})
	if err == nil {
		t.Fatal("Start of a missing binary succeeded")
	}
}

func TestBigOutputFinishes(t *testing.T) {
	// 1.5 MB: several times the transcript cap. x/vt processes about 3 MB/s
	// (less under -race on a loaded machine), so the deadline is generous.
	s := startSh(t, `i=0; while [ $i -lt 5 ]; do head -c 300000 /dev/zero | tr '\0' 'x'; printf '\033[32m%s\033[0m\n' "$i"; i=$((i+1)); done; printf 'END\n'`)
	select {
	case <-s.Done():
	case <-time.After(3 * time.Minute):
		t.Fatalf("child did not finish\nscreen:\n%s", s.Text())
	}
	if !strings.Contains(s.Text(), "END") {
		t.Fatalf("last output missing:\n%s", s.Text())
	}
	tr := s.Transcript()
	if len(tr) > transcriptMax || !strings.HasSuffix(tr, "4\nEND\n") {
		t.Fatalf("transcript: %d bytes, ends %q", len(tr), tr[max(0, len(tr)-40):])
	}
}

func TestGarbageDoesNotPanic(t *testing.T) {
	script := `printf '\377\376\300\200 \342\202 ok1\r\n'
printf '\033[999999999999;99999999999H\033[99999999999J\033]\033[?\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;21;22;23;24;25;26;27;28;29;30;31;32;33;34;35;36;37;38m'
printf '\033P+q\033\\\033[38;5;999m\033[38;2;999;999;999m\033[48:2::1:2:3m\033(0lqk\033(B\033#8\033[99999@\033[99999P\033[99999X\033[99999b'
printf '\033]8;;%s\033\\\033]52;c;!!!\007\033[?1049h\033[?1049l\033[?1000;1006h\033[0 q\033[99999S\033[99999T\033c'
printf 'ok2\r\n'`
	s := startSh(t, script)
	waitDone(t, s)
	if !strings.Contains(s.Text(), "ok2") {
		t.Fatalf("screen:\n%s", s.Text())
	}
	if !strings.Contains(s.Transcript(), "ok1\n") || !strings.Contains(s.Transcript(), "ok2\n") {
		t.Fatalf("transcript: %q", s.Transcript())
	}
}

// dropFilter removes every 'Z' and 'Q' (a canary made of them cannot
// survive however reads split it) and upper-cases the rest.
type dropFilter struct{}

func (dropFilter) Write(p []byte) []byte {
	out := make([]byte, 0, len(p))
	for _, c := range bytes.ToUpper(p) {
		if c != 'Z' && c != 'Q' {
			out = append(out, c)
		}
	}
	return out
}
func (dropFilter) Flush() []byte { return nil }

func TestFilterIsApplied(t *testing.T) {
	s := startSh(t, `printf 'hello zqzqZQZQ world\n'; printf 'ZQZQ%.0s' 1 2 3 4 5 6 7 8 9 10; printf '\n'`,
		func(sp *Spec) { sp.Filter = dropFilter{} })
	waitDone(t, s)
	if !strings.Contains(s.Text(), "HELLO  WORLD") {
		t.Fatalf("screen:\n%s", s.Text())
	}
	for name, got := range map[string]string{"Text": s.Text(), "Render": s.Render(), "Transcript": s.Transcript()} {
		if strings.ContainsAny(got, "ZQzq") {
			t.Errorf("canary reached %s: %q", name, got)
		}
	}
}

// holdFilter holds everything back until Flush, like a redactor with a
// pending run; the idle flush must show it while the child waits.
type holdFilter struct {
	mu      sync.Mutex
	held    []byte
	flushes int
}

func (f *holdFilter) Write(p []byte) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.held = append(f.held, p...)
	return nil
}

func (f *holdFilter) Flush() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushes++
	out := f.held
	f.held = nil
	return out
}

func TestIdleAndFinalFlush(t *testing.T) {
	f := &holdFilter{}
	s := startSh(t, `printf 'prompt> '; read x; printf 'tail-%s' "$x"`, func(sp *Spec) { sp.Filter = f })
	waitText(t, s, "prompt>") // only an idle flush can show it: the child is blocked in read
	s.SendText("1\r")
	waitDone(t, s)
	if !strings.Contains(s.Text(), "tail-1") {
		t.Fatalf("final output missing:\n%s", s.Text())
	}
}

func TestGroupKillLeavesNoProcess(t *testing.T) {
	s := startSh(t, `trap "" TERM; sleep 1000 & echo "bg=$!"; sleep 1000`)
	waitFor(t, s, "bg pid", func() bool { return regexp.MustCompile(`bg=\d+`).MatchString(s.Text()) })
	m := regexp.MustCompile(`bg=(\d+)`).FindStringSubmatch(s.Text())
	bg, _ := strconv.Atoi(m[1])
	pid := s.Pid()
	if err := s.Close(200 * time.Millisecond); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !isDone(s) {
		t.Fatal("Done not closed after Close")
	}
	for _, p := range []int{pid, bg} {
		waitGone(t, p)
	}
	if got := s.ExitCode(); got != -1 {
		t.Errorf("ExitCode after SIGKILL = %d, want -1", got)
	}
}

// waitGone waits until pid no longer exists. An orphan that init has not
// reaped yet is a zombie: dead, so that counts.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		err := syscall.Kill(pid, 0)
		if errors.Is(err, syscall.ESRCH) || isZombie(pid) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still alive (kill: %v)", pid, err)
		}
		runtime.Gosched()
		time.Sleep(5 * time.Millisecond) // polling a condition with a deadline, not synchronisation
	}
}

func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && i+2 < len(b) && b[i+2] == 'Z'
}

func TestDoneWhileGrandchildHoldsPty(t *testing.T) {
	s := startSh(t, `sleep 1000 & echo started`)
	waitDone(t, s) // the drain stops although the pty stays open
	if !strings.Contains(s.Transcript(), "started") {
		t.Fatalf("transcript: %q", s.Transcript())
	}
	if err := s.Close(100 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(-s.Pid(), 0); err == nil {
		waitFor(t, s, "group gone", func() bool {
			return errors.Is(syscall.Kill(-s.Pid(), 0), syscall.ESRCH) || groupAllZombies(s.Pid())
		})
	}
}

func groupAllZombies(pgid int) bool {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if g, err := syscall.Getpgid(pid); err == nil && g == pgid && !isZombie(pid) {
			return false
		}
	}
	return true
}

func TestCloseIdempotentAndConcurrent(t *testing.T) {
	s := startSh(t, `while :; do echo "line $$"; done`)
	waitText(t, s, "line")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 3 { // readers and writers hammer the session meanwhile
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = s.Render()
				_ = s.Text()
				_, _, _ = s.Cursor()
				_ = s.Transcript()
				s.SendKey(uv.KeyPressEvent{Code: 'x', Text: "x"})
				s.Resize(70, 20)
				s.Resize(80, 24)
			}
		})
	}
	var cw sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		cw.Go(func() { errs <- s.Close(300 * time.Millisecond) })
	}
	cw.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	if !isDone(s) {
		t.Fatal("not done after Close")
	}
	if err := s.Close(0); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// use after Close is harmless
	s.SendText("late")
	s.Resize(10, 10)
	_ = s.Render()
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 3 {
		s, err := Start(Spec{Path: "/bin/sh", Args: []string{"-c", "read x; echo $x"}, Env: testEnv(), Cols: 20, Rows: 5, Filter: &holdFilter{}})
		if err != nil {
			t.Fatal(err)
		}
		s.SendText("hi\r")
		waitDone(t, s)
		_ = s.Close(time.Second)
	}
	s, err := Start(Spec{Path: "/bin/sh", Args: []string{"-c", "sleep 1000"}, Env: testEnv(), Cols: 20, Rows: 5})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close(50 * time.Millisecond)
	deadline := time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond) // polling a condition with a deadline
	}
}

func TestTranscriptNormalisesLines(t *testing.T) {
	in := "a\r\nb\rc\n\r\nd\r\r\ne" +
		"\x1b[?25l◐  Waiting\x1b[999D\x1b[J◓  Waiting.\x1b[999D\x1b[J" +
		"\x1b[2K\x1b[Gline\x1b[1A\x1b[Jx\x1b]0;title\x07y\x1bP+q\x1b\\z\x1b[31mred\x1b[0m\x1b[5Dq\x1b[10Gw\x1bEn\tt\x07\x08"
	want := "a\nb\nc\n\nd\ne◐  Waiting\n◓  Waiting.\nline\nxyzredqw\nn\tt"
	for cut := range len(in) + 1 {
		var tr transcript
		tr.Write([]byte(in[:cut]))
		tr.Write([]byte(in[cut:]))
		if got := tr.String(); got != want {
			t.Fatalf("cut %d: got %q\nwant %q", cut, got, want)
		}
	}
}

func TestTranscriptIsBounded(t *testing.T) {
	var tr transcript
	chunk := []byte(strings.Repeat("é", 1000) + "\n")
	for range 1000 {
		tr.Write(chunk)
	}
	got := tr.String()
	if len(got) > transcriptMax || len(got) < transcriptMax-4 {
		t.Fatalf("len = %d", len(got))
	}
	if !strings.HasPrefix(got, "é") && !strings.HasPrefix(got, "\n") {
		t.Fatalf("starts mid-rune: %q", got[:4])
	}
}

func TestQueueOrder(t *testing.T) {
	q := newQueue[int]()
	go func() {
		for i := range 1000 {
			q.push(i)
		}
		q.close()
	}()
	for i := range 1000 {
		v, ok := q.pop()
		if !ok || v != i {
			t.Fatalf("pop = %d,%v want %d", v, ok, i)
		}
	}
	if _, ok := q.pop(); ok {
		t.Fatal("pop after close succeeded")
	}
	q.push(1) // dropped after close
	if _, ok := q.pop(); ok {
		t.Fatal("push after close was kept")
	}
}

func TestSignalReachesGroup(t *testing.T) {
	s := startSh(t, `trap 'echo got-int; exit 7' INT; echo ready; while :; do sleep 0.05; done`)
	waitText(t, s, "ready")
	if err := s.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	if !strings.Contains(s.Text(), "got-int") || s.ExitCode() != 7 {
		t.Fatalf("exit %d, screen:\n%s", s.ExitCode(), s.Text())
	}
}

func TestCloseGivesGraceToTerm(t *testing.T) {
	s := startSh(t, `trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 1; done`)
	waitText(t, s, "ready")
	if err := s.Close(waitLimit); err != nil {
		t.Fatal(err)
	}
	if s.ExitCode() != 0 || !strings.Contains(s.Transcript(), "bye") {
		t.Fatalf("exit %d, transcript %q", s.ExitCode(), s.Transcript())
	}
}

func TestSizeIsClamped(t *testing.T) {
	s := startSh(t, `stty size`, func(sp *Spec) { sp.Cols, sp.Rows = 0, -3 })
	waitDone(t, s)
	if got := s.Transcript(); got != "1 1\n" {
		t.Fatalf("stty size said %q", got)
	}
	if got := s.Text(); strings.Contains(got, "\n") {
		t.Fatalf("Text of a 1-row screen = %q", got)
	}
	if got := s.Render(); ansi.StringWidth(got) != 1 || strings.Contains(got, "\n") {
		t.Fatalf("Render of a 1x1 screen = %q", got)
	}
}

func drainedEmulator(t testing.TB, cols, rows int) *vt.Emulator {
	em := newEmulator(cols, rows)
	pw, ok := em.InputPipe().(*io.PipeWriter)
	if !ok {
		t.Fatal("x/vt input pipe is not an *io.PipeWriter")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 256)
		for {
			if _, err := em.Read(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = pw.Close()
		<-done
	})
	return em
}

// floodLines is a flood of numbered, coloured lines, as a runaway child
// prints them.
func floodLines(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "\x1b[36m│\x1b[39m  line %06d the quick brown fox\r\n", i)
	}
	return b.Bytes()
}

// TestFloodDrawsOnlyItsEnd: a batch far larger than a login's output is
// drawn from a line start near its end, so the emulator (and with it the
// screen lock) is busy for a screenful, not a megabyte; the screen then
// shows what an emulator fed every byte shows, and the transcript keeps it
// all.
func TestFloodDrawsOnlyItsEnd(t *testing.T) {
	data := floodLines(256 << 10)
	s := &Session{em: drainedEmulator(t, 100, 30), cols: 100, rows: 30}
	s.show(data)
	if d := s.Dropped(); d < int64(len(data)-floodTail-200) || d > int64(len(data)-floodTail+200) {
		t.Fatalf("dropped %d of %d bytes, want about all but the last %d", d, len(data), floodTail)
	}
	ref := drainedEmulator(t, 100, 30)
	_, _ = ref.Write(data)
	if got, want := s.em.String(), ref.String(); got != want {
		t.Fatalf("screen after a flood:\n%s\nwant:\n%s", got, want)
	}
	// A line that was not drawn is in the transcript (its last 256 KiB).
	undrawn := data[len(data)-100<<10:]
	undrawn = undrawn[bytes.Index(undrawn, []byte("line ")):]
	undrawn = undrawn[:bytes.IndexByte(undrawn, '\r')]
	if !strings.Contains(s.Transcript(), string(undrawn)) {
		t.Errorf("the transcript lost %q, which was not drawn", undrawn)
	}
	small := &Session{em: drainedEmulator(t, 100, 30), cols: 100, rows: 30}
	small.show(data[:floodBatch])
	if small.Dropped() != 0 {
		t.Error("output the size of a login was not drawn whole")
	}
}

// TestFloodingChildFinishes: a child that floods 8 MB ends, its last lines
// on the screen, with keys still reaching it on the way.
func TestFloodingChildFinishes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flood.txt")
	data := floodLines(8 << 20)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Start(Spec{Path: "cat", Args: []string{path}, Env: testEnv(), Cols: 100, Rows: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(time.Second)
	s.SendText("x") // never blocks, even while the emulator is busy
	waitDone(t, s)
	last := strings.TrimSpace(string(data[bytes.LastIndex(data[:len(data)-2], []byte("\r\n"))+2:]))
	if txt := s.Text(); !strings.Contains(txt, strings.TrimPrefix(ansi.Strip(last), "│  ")) {
		t.Fatalf("the last line %q is not on the screen:\n%s", ansi.Strip(last), txt)
	}
}

func TestByteQueue(t *testing.T) {
	q := newByteQueue(8)
	q.put([]byte("abc"))
	q.put([]byte("de"))
	if b, closed, _ := q.take(nil); string(b) != "abcde" || closed {
		t.Fatalf("take = %q %v", b, closed)
	}
	q.close()
	if _, closed, _ := q.take(nil); !closed {
		t.Fatal("take after close is not closed")
	}

	q = newByteQueue(4)
	q.put([]byte("full"))
	put := make(chan struct{})
	go func() { q.put([]byte("more")); close(put) }()
	select {
	case <-put:
		t.Fatal("put did not wait for room")
	default:
	}
	if b, _, _ := q.take(nil); string(b) != "full" {
		t.Fatalf("take = %q", b)
	}
	<-put
	if b, _, _ := q.take(nil); string(b) != "more" {
		t.Fatalf("take = %q", b)
	}
}
