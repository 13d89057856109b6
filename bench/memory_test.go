//go:build linux

package bench

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const wizardWait = 60 * time.Second

// wizardPeak runs the full connect wizard against the fake opencode and
// browser in a 100x30 pty, answering as a user would (ctrl+o to open the
// browser at the login step, q on the summary). On the summary screen,
// before heidi exits, it reads heidi's VmHWM (peak RSS, kB).
func wizardPeak(b *testing.B, heidi string) (int, error) {
	root := b.TempDir()
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	env := fakeEnv(b, root, "DISPLAY=:0", "BROWSER="+binary(b, "fakebrowser"), "FAKE_OPENCODE_PORT="+strconv.Itoa(port))
	s, err := startScreen([]string{heidi, "connect", "opencode", "openai"}, env, filepath.Join(root, "home"), 100, 30)
	if err != nil {
		return 0, err
	}
	defer s.close()
	if _, err := s.waitFor("Sign in to ChatGPT in your browser", wizardWait); err != nil {
		return 0, err
	}
	s.send("\x0f") // ctrl+o: open the browser; the fake one signs in at once
	if _, err := s.waitFor("Test run: PASS", wizardWait); err != nil {
		return 0, err
	}
	if _, err := s.waitFor("q/enter exit", wizardWait); err != nil {
		return 0, err
	}
	kb, err := vmHWM(s.cmd.Process.Pid)
	if err != nil {
		return 0, err
	}
	s.send("q")
	if code, err := s.wait(wizardWait); err != nil || code != 0 {
		return kb, fmt.Errorf("heidi exit %d (%v); screen:\n%s", code, err, s.text())
	}
	return kb, nil
}

// streamPeak runs the ptystream helper over the 20 MB file and returns
// its VmHWM (kB).
func streamPeak(b *testing.B, path string, lastLine int) (int, error) {
	r, err := timedRun([]string{binary(b, "ptystream"), path, strconv.Itoa(lastLine)}, nil, "", 10*time.Minute)
	out := r.out
	if err != nil {
		return 0, fmt.Errorf("ptystream: %v: %s", err, out)
	}
	f := strings.Fields(out)
	if len(f) != 2 || f[0] != "VmHWM" {
		return 0, fmt.Errorf("ptystream printed %q", out)
	}
	return strconv.Atoi(f[1])
}

// BenchmarkMemory is figure 5: the peak RSS (VmHWM) of heidi during a full
// wizard run against the fake opencode, and of a process streaming 20 MB
// through ptyrun (redact filter, 16 ms renders). The highest of the rounds
// is reported.
func BenchmarkMemory(b *testing.B) {
	heidi := binary(b, "heidi")
	path, _, lastLine := mixedFile(b, b.TempDir())
	var wz, st []float64
	n := rounds(2)
	b.ResetTimer()
	for range b.N {
		for range n {
			kb, err := wizardPeak(b, heidi)
			if err != nil {
				b.Fatal(err)
			}
			wz = append(wz, float64(kb)/1024)
		}
		kb, err := streamPeak(b, path, lastLine)
		if err != nil {
			b.Fatal(err)
		}
		st = append(st, float64(kb)/1024)
	}
	b.StopTimer()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(quantile(wz, 1), "wizard-peak-MB")
	b.ReportMetric(quantile(st, 1), "stream-peak-MB")
	b.Logf("figure 5: wizard VmHWM MB %v, 20 MB stream VmHWM MB %v (%s)", round1(wz), round1(st), loadNote())
}
