//go:build linux

package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/creack/pty"

	"github.com/heidi-cli/heidi/ptyrun"
	"github.com/heidi-cli/heidi/redact"
)

// typedLine is what each round types, one key at a time: ordinary words,
// some of which start like a secret's prefix ("code=", "rt_", "sk-", "eyJ")
// as far as the redact filter can tell from a single letter.
const typedLine = "the quick brown fox jumps over the lazy dog"

const echoWait = 10 * time.Second

// echoSession types typedLine into `cat` running in a ptyrun.Session (keys
// through SendKey, as the wizard forwards them) and returns the time from
// each key to its echo being visible in s.Text(). After the line, Enter:
// cat prints the line back and the next round starts on a fresh line.
type echoSession struct {
	s      *ptyrun.Session
	rounds int // lines typed so far
}

func startEchoSession(filter bool) (*echoSession, error) {
	spec := ptyrun.Spec{Path: "cat", Env: []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}, Cols: 80, Rows: 24}
	if filter {
		spec.Filter = redact.NewStream()
	}
	s, err := ptyrun.Start(spec)
	if err != nil {
		return nil, err
	}
	return &echoSession{s: s}, nil
}

// cursorLine is the text of the cursor's row, up to the cursor.
func (e *echoSession) cursorLine() string {
	x, y, _ := e.s.Cursor()
	lines := strings.Split(e.s.Text(), "\n")
	if y >= len(lines) {
		return ""
	}
	l := lines[y] // Text trims trailing spaces: pad back to the cursor
	if x <= len(l) {
		return l[:x]
	}
	return l + strings.Repeat(" ", x-len(l))
}

// waitLine waits (on Updates) until the cursor's row reads want up to the
// cursor.
func (e *echoSession) waitLine(want string) error {
	deadline := time.NewTimer(echoWait)
	defer deadline.Stop()
	for {
		if e.cursorLine() == want {
			return nil
		}
		select {
		case <-e.s.Updates():
		case <-e.s.Done():
			return fmt.Errorf("cat exited")
		case <-deadline.C:
			return fmt.Errorf("echo of %q not visible after %v; screen:\n%s", want, echoWait, e.s.Text())
		}
	}
}

func (e *echoSession) typeLine(lat *[]float64) error {
	if err := e.waitLine(""); err != nil {
		return err
	}
	for i, r := range typedLine {
		t0 := time.Now()
		e.s.SendKey(uv.KeyPressEvent{Code: r, Text: string(r)})
		if err := e.waitLine(typedLine[:i+1]); err != nil {
			return err
		}
		*lat = append(*lat, ms(time.Since(t0)))
	}
	e.s.SendKey(uv.KeyPressEvent{Code: uv.KeyEnter})
	// The echoed line, then cat's copy of it, then an empty cursor line.
	deadline := time.NewTimer(echoWait)
	defer deadline.Stop()
	for strings.Count(e.s.Text(), typedLine) < 2*(e.rounds+1) || e.cursorLine() != "" {
		select {
		case <-e.s.Updates():
		case <-deadline.C:
			return fmt.Errorf("cat did not print the line back; screen:\n%s", e.s.Text())
		}
	}
	e.rounds++
	return nil
}

// echoBare is the same through a bare pty: write the key to the master, read
// until its echo arrives.
type echoBare struct {
	cmd  *exec.Cmd
	ptmx *os.File
	buf  []byte
}

func startEchoBare() (*echoBare, error) {
	cmd := exec.Command("cat")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 80, Rows: 24})
	if err != nil {
		return nil, err
	}
	return &echoBare{cmd: cmd, ptmx: ptmx, buf: make([]byte, 4096)}, nil
}

// readUntil reads from the master until the bytes read end with want.
func (e *echoBare) readUntil(want []byte) error {
	_ = e.ptmx.SetReadDeadline(time.Now().Add(echoWait))
	var got []byte
	for !bytes.HasSuffix(got, want) {
		n, err := e.ptmx.Read(e.buf)
		got = append(got, e.buf[:n]...)
		if err != nil {
			return fmt.Errorf("bare pty: %v after %q, want %q", err, got, want)
		}
	}
	return nil
}

func (e *echoBare) typeLine(lat *[]float64) error {
	for i := range len(typedLine) {
		t0 := time.Now()
		if _, err := e.ptmx.Write([]byte{typedLine[i]}); err != nil {
			return err
		}
		if err := e.readUntil([]byte{typedLine[i]}); err != nil {
			return err
		}
		*lat = append(*lat, ms(time.Since(t0)))
	}
	if _, err := e.ptmx.Write([]byte("\r")); err != nil {
		return err
	}
	return e.readUntil([]byte("\r\n" + typedLine + "\r\n"))
}

func (e *echoBare) close() {
	_ = e.cmd.Process.Kill()
	_ = e.cmd.Wait()
	_ = e.ptmx.Close()
}

// BenchmarkKeyEcho is figure 4: a keystroke into a ptyrun.Session until
// the child's echo is visible in s.Text(), next to the same keystroke
// through a bare pty (write to the master, read the echo). The child is
// `cat` in a pty with echo on (the line discipline echoes each key). The
// session is measured with and without the redact filter the wizard uses.
// Lines alternate between the three sides.
func BenchmarkKeyEcho(b *testing.B) {
	plain, err := startEchoSession(false)
	if err != nil {
		b.Fatal(err)
	}
	defer plain.s.Close(time.Second)
	filtered, err := startEchoSession(true)
	if err != nil {
		b.Fatal(err)
	}
	defer filtered.s.Close(time.Second)
	bare, err := startEchoBare()
	if err != nil {
		b.Fatal(err)
	}
	defer bare.close()

	var lp, lf, lb []float64
	sides := []func() error{
		func() error { return plain.typeLine(&lp) },
		func() error { return filtered.typeLine(&lf) },
		func() error { return bare.typeLine(&lb) },
	}
	n := rounds(6)
	b.ResetTimer()
	for range b.N {
		for r := range n {
			for k := range 3 {
				if err := sides[(r+k)%3](); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(median(lp), "session-ms")
	b.ReportMetric(median(lf), "redact-ms")
	b.ReportMetric(median(lb), "bare-ms")
	b.ReportMetric(median(lf)-median(lb), "redact-minus-bare-ms")
	b.ReportMetric(quantile(lf, 0.95), "redact-p95-ms")
	b.ReportMetric(float64(slowKeys(lf)), "redact-keys>16ms")
	b.Logf("figure 4: keys over one frame: session %d, session+redact %d %s, bare %d", slowKeys(lp), slowKeys(lf), slowKeyNames(lf), slowKeys(lb))
	b.Logf("figure 4: %d keys per side, %s; p95 session %.2f ms, session+redact %.2f ms, bare %.2f ms; max session+redact %.2f ms",
		len(lb), loadNote(), quantile(lp, 0.95), quantile(lf, 0.95), quantile(lb, 0.95), quantile(lf, 1))
}

// slowKeys counts latencies over one frame.
func slowKeys(lat []float64) int {
	n := 0
	for _, l := range lat {
		if l > ms(frameInterval) {
			n++
		}
	}
	return n
}

// slowKeyNames lists, for latencies over one frame, the key and where it
// was in typedLine (latencies are in typing order, line after line).
func slowKeyNames(lat []float64) string {
	var out []string
	for i, l := range lat {
		if l > ms(frameInterval) {
			j := i % len(typedLine)
			out = append(out, fmt.Sprintf("%q@%d=%.0fms", typedLine[max(0, j-3):j+1], j, l))
		}
	}
	return "[" + strings.Join(out, " ") + "]"
}
