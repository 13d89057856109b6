//go:build linux

package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// headerText is the start of the wizard's header line ("heidi · connect
// OpenCode → OpenAI (ChatGPT Plus/Pro)").
const headerText = "heidi · connect"

// fakeEnv is a throwaway world for heidi against the fake opencode (and the
// fake browser): everything under root, nothing inherited.
func fakeEnv(b testing.TB, root string, extra ...string) []string {
	b.Helper()
	oc := binary(b, "opencode")
	home, tmp := filepath.Join(root, "home"), filepath.Join(root, "tmp")
	for _, d := range []string{home, tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	return append([]string{
		"HOME=" + home, "HEIDI_HOME=" + filepath.Join(root, "heidi-home"), "TMPDIR=" + tmp,
		"PATH=" + filepath.Dir(oc) + ":/usr/local/bin:/usr/bin:/bin",
		"TERM=xterm-256color", "LANG=C.UTF-8", "USER=bench",
	}, extra...)
}

// startSample is one start-up measurement.
type startSample struct {
	wall, cpu time.Duration
}

// BenchmarkStartup is figure 2: the time from exec to the wizard's first
// frame (the header text on an emulated screen; heidi runs `connect opencode
// openai` in a 100x30 pty against the fake opencode with
// FAKE_OPENCODE_DELAY=5s, so nothing else happens meanwhile), and the wall
// time of `heidi --version`, each divided by the start-to-exit time of a
// hello-world Go binary. The three are interleaved, rotating the order.
//
// Because the wall figures swing with the machine's load, it also reports
// CPU time: heidi's own (all threads, not its children) up to the moment the
// frame was seen, and user+system time of --version and hello-world.
func BenchmarkStartup(b *testing.B) {
	heidi, hello := binary(b, "heidi"), binary(b, "hello")
	root := b.TempDir()
	env := fakeEnv(b, root, "FAKE_OPENCODE_DELAY=5s", "DISPLAY=:0")
	home := filepath.Join(root, "home")

	firstFrame := func() startSample {
		t0 := time.Now()
		s, err := startScreen([]string{heidi, "connect", "opencode", "openai"}, env, home, 100, 30)
		if err != nil {
			b.Fatal(err)
		}
		defer s.close()
		seen, err := s.waitFor(headerText, 30*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		cpu, err := schedTime(s.cmd.Process.Pid)
		if err != nil {
			b.Fatal(err)
		}
		return startSample{wall: seen.Sub(t0), cpu: cpu}
	}
	exe := func(argv ...string) startSample {
		r, err := timedRun(argv, env, home, 30*time.Second)
		if err != nil || strings.TrimSpace(r.out) == "" {
			b.Fatalf("%v: %v %q", argv, err, r.out)
		}
		return startSample{wall: r.wall, cpu: r.cpu}
	}
	sides := []func() startSample{
		firstFrame,
		func() startSample { return exe(heidi, "--version") },
		func() startSample { return exe(hello) },
	}
	// One of each first: page cache, dynamic state.
	for _, f := range sides {
		f()
	}
	var ff, ver, hw, ffR, verR, ffCPU, verCPU, hwCPU []float64
	n := rounds(15)
	b.ResetTimer()
	for range b.N {
		for r := range n {
			var d [3]startSample
			for k := range 3 {
				i := (r + k) % 3
				d[i] = sides[i]()
			}
			ff, ver, hw = append(ff, ms(d[0].wall)), append(ver, ms(d[1].wall)), append(hw, ms(d[2].wall))
			ffR = append(ffR, float64(d[0].wall)/float64(d[2].wall))
			verR = append(verR, float64(d[1].wall)/float64(d[2].wall))
			ffCPU, verCPU, hwCPU = append(ffCPU, ms(d[0].cpu)), append(verCPU, ms(d[1].cpu)), append(hwCPU, ms(d[2].cpu))
		}
	}
	b.StopTimer()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(median(ff), "firstframe-ms")
	b.ReportMetric(median(ver), "version-ms")
	b.ReportMetric(median(hw), "hello-ms")
	b.ReportMetric(median(ffR), "firstframe/hello")
	b.ReportMetric(median(verR), "version/hello")
	b.ReportMetric(median(ffCPU), "firstframe-cpu-ms")
	b.ReportMetric(median(verCPU), "version-cpu-ms")
	b.ReportMetric(median(hwCPU), "hello-cpu-ms")
	b.Logf("figure 2: %d rounds, %s; p90 wall: first frame %.1f ms, --version %.1f ms, hello %.1f ms",
		len(ff), loadNote(), quantile(ff, 0.9), quantile(ver, 0.9), quantile(hw, 0.9))
}
