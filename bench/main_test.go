//go:build linux

// Package bench measures heidi's performance figures (issue 7) as ratios
// taken side by side in one run: the two sides of every figure are
// interleaved for several rounds and the medians are reported with
// b.ReportMetric. It holds no timed assertions: run it as benchmarks,
//
//	go test -bench . -run '^$' -benchtime 1x ./bench/
//
// or through bench/run.sh, which prints the markdown table the README shows.
// The binaries it needs (heidi, the fake opencode and browser from
// e2e/testdata, a pty streaming helper and a hello-world) are built once, on
// first use, into a temporary directory.
package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binDir     string // temp dir for every built binary
	binDirErr  error
	binDirOnce sync.Once

	buildMu sync.Mutex
	built   = map[string]buildResult{}
)

type buildResult struct {
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// repoRoot is the module root (bench's parent directory).
func repoRoot() string {
	wd, _ := os.Getwd()
	return filepath.Dir(wd)
}

// goTool is the go command: `go test` puts its own first on PATH.
func goTool() string { return "go" }

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func goBuild(dir, out string, args ...string) error {
	cmd := exec.Command(goTool(), append([]string{"build", "-o", out}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build %s: %v\n%s", strings.Join(args, " "), err, strings.TrimSpace(string(b)))
	}
	return nil
}

// helloSource is the reference program for start-up figures.
const helloSource = `package main

import "fmt"

func main() { fmt.Println("hello, world") }
`

// binary builds (once) and returns one of: heidi, opencode (the fake),
// fakebrowser, ptystream, hello. It fails the benchmark when the build fails.
func binary(b testing.TB, name string) string {
	b.Helper()
	binDirOnce.Do(func() { binDir, binDirErr = os.MkdirTemp("", "heidi-bench-bin-") })
	if binDirErr != nil {
		b.Fatal(binDirErr)
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	if r, ok := built[name]; ok {
		if r.err != nil {
			b.Fatal(r.err)
		}
		return r.path
	}
	root := repoRoot()
	var r buildResult
	switch name {
	case "heidi":
		// HEIDI_BENCH_BINARY measures a given build (a release, or one kept
		// for perf to resolve symbols) instead of building one here.
		if p := os.Getenv("HEIDI_BENCH_BINARY"); p != "" {
			r.path = p
			break
		}
		r.path = filepath.Join(binDir, "heidi")
		r.err = goBuild(root, r.path, ".")
	case "opencode":
		// The fake goes into its own directory, first on PATH.
		r.path = filepath.Join(binDir, "fakebin", "opencode")
		r.err = goBuild(root, r.path, "./e2e/testdata/fakeopencode")
	case "fakebrowser":
		r.path = filepath.Join(binDir, "fakebin", "fakebrowser")
		r.err = goBuild(root, r.path, "./e2e/testdata/fakebrowser")
	case "ptystream":
		r.path = filepath.Join(binDir, "ptystream")
		r.err = goBuild(root, r.path, "./bench/testdata/ptystream")
	case "hello":
		src := filepath.Join(binDir, "hello-src")
		r.path = filepath.Join(binDir, "hello")
		if r.err = os.MkdirAll(src, 0o755); r.err == nil {
			r.err = os.WriteFile(filepath.Join(src, "main.go"), []byte(helloSource), 0o644)
		}
		if r.err == nil {
			r.err = goBuild(src, r.path, "main.go")
		}
	default:
		r.err = fmt.Errorf("bench: unknown binary %q", name)
	}
	built[name] = r
	if r.err != nil {
		b.Fatal(r.err)
	}
	return r.path
}

// median returns the median of xs (0 for none).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// quantile returns the q-quantile (nearest rank) of xs.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// rounds returns n, or HEIDI_BENCH_ROUNDS when set (for quicker or longer
// runs).
func rounds(n int) int {
	if v, err := strconv.Atoi(os.Getenv("HEIDI_BENCH_ROUNDS")); err == nil && v > 0 {
		return v
	}
	return n
}

// loadNote describes the machine for the log: cores and load average.
func loadNote() string {
	la, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(la))
	if len(f) >= 3 {
		return fmt.Sprintf("nproc %d, load %s %s %s", runtime.NumCPU(), f[0], f[1], f[2])
	}
	return fmt.Sprintf("nproc %d", runtime.NumCPU())
}

// killGroup SIGKILLs the process group pgid (a child started with its own
// session or process group), so nothing it started survives a round.
func killGroup(pgid int) {
	if pgid > 0 {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}

// vmHWM returns a live process's peak resident set (VmHWM) in kB.
func vmHWM(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseVmHWM(string(b))
}

func parseVmHWM(status string) (int, error) {
	for _, l := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				return strconv.Atoi(f[0])
			}
		}
	}
	return 0, fmt.Errorf("no VmHWM line in /proc status")
}
