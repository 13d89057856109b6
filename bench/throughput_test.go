//go:build linux

package bench

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/heidi-cli/heidi/ptyrun"
	"github.com/heidi-cli/heidi/redact"
)

// frameInterval is the consumer's render limit (about 60 frames/s).
const frameInterval = 16 * time.Millisecond

// consume renders s the way a UI does: on Updates, at most once per frame
// (a notification inside a frame is coalesced into one render at its end),
// until the child is done; then once more. It returns how long each render
// took: the wait for the screen while the emulator draws, and the render.
func consume(s *ptyrun.Session) []time.Duration {
	var took []time.Duration
	var last time.Time
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	pending := false
	render := func() {
		t0 := time.Now()
		_ = s.Render()
		last = time.Now()
		took = append(took, last.Sub(t0))
	}
	for {
		select {
		case <-s.Updates():
			if since := time.Since(last); since >= frameInterval {
				render()
			} else if !pending {
				pending = true
				timer.Reset(frameInterval - since)
			}
		case <-timer.C:
			pending = false
			render()
		case <-s.Done():
			timer.Stop()
			render()
			return took
		}
	}
}

// streamSession runs `cat path` through a ptyrun.Session with the redact
// filter and a 16 ms consumer, and checks that the last line reached the
// screen.
func streamSession(path string, lastLine int) (time.Duration, []time.Duration, error) {
	t0 := time.Now()
	s, err := ptyrun.Start(ptyrun.Spec{Path: "cat", Args: []string{path}, Env: []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
		Cols: 120, Rows: 40, Filter: redact.NewStream()})
	if err != nil {
		return 0, nil, err
	}
	renders := consume(s)
	d := time.Since(t0)
	defer s.Close(0)
	if s.ExitCode() != 0 {
		return d, renders, fmt.Errorf("cat: %v", s.ExitErr())
	}
	if want := fmt.Sprintf("line %06d", lastLine); !strings.Contains(s.Text(), want) {
		return d, renders, fmt.Errorf("the screen does not end with %q:\n%s", want, s.Text())
	}
	if n, msg := s.EmulatorPanics(); n > 0 {
		return d, renders, fmt.Errorf("%d emulator panics, last %s", n, msg)
	}
	return d, renders, nil
}

// streamBare runs `cat path` in a bare pty drained by a minimal reader: the
// physical limit of the pty.
func streamBare(path string, size int64) (time.Duration, error) {
	t0 := time.Now()
	cmd := exec.Command("cat", path)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 120, Rows: 40})
	if err != nil {
		return 0, err
	}
	n, err := io.CopyBuffer(io.Discard, ptmx, make([]byte, 32<<10))
	var pe *os.PathError
	if err != nil && !errors.As(err, &pe) { // EIO at the end
		return 0, err
	}
	_ = cmd.Wait()
	d := time.Since(t0)
	_ = ptmx.Close()
	if n < size { // the tty may add bytes (ONLCR), never drop them
		return d, fmt.Errorf("bare pty read %d bytes, want >= %d", n, size)
	}
	return d, nil
}

// cpuUsed is the CPU time used so far by this process (all its threads)
// and by its waited-for children.
func cpuUsed() (self, children time.Duration) {
	var r syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &r) == nil {
		self = time.Duration(r.Utime.Nano() + r.Stime.Nano())
	}
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &r) == nil {
		children = time.Duration(r.Utime.Nano() + r.Stime.Nano())
	}
	return self, children
}

// BenchmarkThroughput is figure 3: a child floods 20 MB of mixed text and
// ANSI through ptyrun.Session (+ redact.NewStream() + a consumer rendering
// at most every 16 ms). What a user feels is whether the wizard stays
// responsive: each frame waits for the screen, which the emulator holds
// while it draws a batch, so the figure is how long a render takes (p95,
// worst) against a frame. The time against the same child into a bare pty
// is reported beside it. Interleaved, alternating the order.
func BenchmarkThroughput(b *testing.B) {
	path, size, lastLine := mixedFile(b, b.TempDir())
	if _, err := streamBare(path, size); err != nil { // page cache
		b.Fatal(err)
	}
	var sess, bare, ratio, renders, renderMs []float64
	var sessCPU, bareCPU, catCPU []float64 // ms per MB
	n := rounds(11)
	b.ResetTimer()
	for range b.N {
		for r := range n {
			var ds, db time.Duration
			var nr []time.Duration
			var err1, err2 error
			mb := float64(size) / 1e6
			session := func() {
				s0, c0 := cpuUsed()
				ds, nr, err1 = streamSession(path, lastLine)
				s1, c1 := cpuUsed()
				sessCPU, catCPU = append(sessCPU, ms(s1-s0)/mb), append(catCPU, ms(c1-c0)/mb)
			}
			bareRun := func() {
				s0, _ := cpuUsed()
				db, err2 = streamBare(path, size)
				s1, _ := cpuUsed()
				bareCPU = append(bareCPU, ms(s1-s0)/mb)
			}
			if r%2 == 0 {
				session()
				bareRun()
			} else {
				bareRun()
				session()
			}
			if err1 != nil || err2 != nil {
				b.Fatal(err1, err2)
			}
			sess, bare = append(sess, mb/ds.Seconds()), append(bare, mb/db.Seconds())
			ratio = append(ratio, float64(ds)/float64(db))
			renders = append(renders, float64(len(nr)))
			for _, d := range nr {
				renderMs = append(renderMs, ms(d))
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(median(sess), "session-MB/s")
	b.ReportMetric(median(bare), "bare-MB/s")
	b.ReportMetric(median(ratio), "ratio")
	b.ReportMetric(quantile(renderMs, 0.95), "render-p95-ms")
	b.ReportMetric(quantile(renderMs, 1), "render-max-ms")
	// CPU per MB varies less than wall time on a shared machine: the
	// process that reads the pty (heidi's side: reader, redaction,
	// transcript, emulator, renders) against the bare reader.
	b.ReportMetric(median(sessCPU), "session-cpu-ms/MB")
	b.ReportMetric(median(bareCPU), "bare-cpu-ms/MB")
	b.Logf("figure 3: %d rounds of %.1f MB, %s; session MB/s %v, bare MB/s %v, renders %v; CPU ms/MB: session %v, bare reader %v, cat under the session %v",
		len(sess), float64(size)/1e6, loadNote(), round1(sess), round1(bare), renders, round1(sessCPU), round1(bareCPU), round1(catCPU))
}
