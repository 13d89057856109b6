package redact

import (
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/charmbracelet/x/vt"
)

// screenOf draws b on a fresh emulator and returns its text.
func screenOf(t *testing.T, b []byte) string {
	t.Helper()
	em := vt.NewEmulator(200, 12)
	pw, _ := em.InputPipe().(*io.PipeWriter)
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
	_, _ = em.Write(b)
	s := em.String()
	if pw != nil {
		_ = pw.Close()
	}
	<-done
	return s
}

// TestNoSecretOnTheScreen: a secret of every rule, with escape sequences
// that draw nothing (SGR, OSC title, a zero cursor move) at random points
// inside it, and cut into random writes, never shows on the emulated
// screen.
func TestNoSecretOnTheScreen(t *testing.T) {
	inserts := []string{"\x1b[31m", "\x1b[0m", "\x1b[1;38;5;196m", "\x1b]0;title\x07", "\x1b]8;;\x1b\\", "\x1b[0C"}
	r := rand.New(rand.NewPCG(11, 12))
	for _, sec := range secrets {
		for range 12 {
			in := sec.text
			// insert one sequence inside the canary's span
			at := strings.Index(in, sec.canary)
			if at < 0 {
				t.Fatalf("canary %q not in %q", sec.canary, in)
			}
			k := at + 1 + r.IntN(len(sec.canary)-1)
			in = "out: " + in[:k] + inserts[r.IntN(len(inserts))] + in[k:] + "\r\n"
			out := streamAll([]byte(in), randomCuts(r, len(in)))
			if screen := screenOf(t, out); strings.Contains(screen, sec.canary) {
				t.Fatalf("secret %q shows on the screen: input %q, output %q, screen %q", sec.canary, in, out, screen)
			}
		}
	}
}
