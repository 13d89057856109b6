//go:build linux

package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// These tests check the bench's own helpers; nothing here is timed.

func TestMedianAndQuantile(t *testing.T) {
	if got := median([]float64{5, 1, 3}); got != 3 {
		t.Errorf("median odd = %v, want 3", got)
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median even = %v, want 2.5", got)
	}
	if got := median(nil); got != 0 {
		t.Errorf("median empty = %v", got)
	}
	xs := []float64{10, 1, 9, 2, 8, 3, 7, 4, 6, 5}
	if got := quantile(xs, 1); got != 10 {
		t.Errorf("max = %v", got)
	}
	if got := quantile(xs, 0.9); got != 9 {
		t.Errorf("p90 = %v, want 9", got)
	}
	if xs[0] != 10 {
		t.Error("median/quantile sorted the caller's slice")
	}
}

func TestParseVmHWM(t *testing.T) {
	st := "Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t   17432 kB\nVmRSS:\t 100 kB\n"
	if kb, err := parseVmHWM(st); err != nil || kb != 17432 {
		t.Errorf("parseVmHWM = %d, %v", kb, err)
	}
	if _, err := parseVmHWM("Name:\tx\n"); err == nil {
		t.Error("no error without a VmHWM line")
	}
	kb, err := vmHWM(os.Getpid())
	if err != nil || kb <= 0 {
		t.Errorf("vmHWM(self) = %d, %v", kb, err)
	}
}

func TestWriteMixed(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.txt")
	n, last, err := writeMixed(p, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != n || n < 64<<10 {
		t.Errorf("wrote %d bytes, reported %d", len(b), n)
	}
	if !strings.Contains(string(b), "\x1b[") || !strings.Contains(string(b), "◇") {
		t.Error("the input is not mixed text and ANSI")
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
	if want := fmt.Sprintf("line %06d", last); !strings.Contains(lines[len(lines)-1], want) {
		t.Errorf("last line %q does not contain %q", lines[len(lines)-1], want)
	}
}
