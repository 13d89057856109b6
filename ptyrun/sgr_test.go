package ptyrun

import (
	"math/rand"
	"strings"
	"testing"
)

// TestSGRFold: any run of SGR sequences, folded into one effect, leaves
// the emulator's pen where the run itself does, from any starting pen.
func TestSGRFold(t *testing.T) {
	ops := []string{"", "0", "1", "2", "3", "5", "6", "7", "8", "9", "22", "23", "25", "27", "28", "29", "4", "24",
		"31", "39", "97", "44", "49", "107", "38;5;208", "48;5;17", "38;2;1;2;3", "48;2;250;0;9", "58;5;3", "58;2;4;5;6", "59",
		"1;22", "22;1", "2;1;22;2", "5;25;6", ";1", "0;7"}
	r := rand.New(rand.NewSource(3))
	a, b := drainedEmulator(t, 10, 2), drainedEmulator(t, 10, 2)
	for range 3000 {
		start := "\x1b[0m\x1b[H\x1b[" + ops[r.Intn(len(ops))] + "m\x1b[" + ops[r.Intn(len(ops))] + "m"
		var raw strings.Builder
		var eff sgrEffect
		for range 1 + r.Intn(6) {
			p := ops[r.Intn(len(ops))]
			raw.WriteString("\x1b[" + p + "m")
			if !eff.add([]byte(p)) {
				t.Fatalf("%q not folded", p)
			}
		}
		_, _ = a.Write([]byte(start + raw.String() + "X"))
		_, _ = b.Write(append(eff.appendTo([]byte(start)), 'X'))
		if sa, sb := a.CellAt(0, 0).Style, b.CellAt(0, 0).Style; !sa.Equal(&sb) {
			t.Fatalf("start %q, run %q folded to %q: pen %+v, want %+v", start, raw.String(), eff.appendTo(nil), sb, sa)
		}
	}
	for _, p := range []string{"4:3", "21", "53", "38;5", "38;2;1;2", "38;5;256", "1:2"} {
		var eff sgrEffect
		if eff.add([]byte(p)) {
			t.Errorf("%q folded, want it replayed as it is", p)
		}
	}
}
