package ptyrun

import (
	"math/rand"
	"testing"
)

// TestRuns holds asciiRun and textRun to the byte-by-byte definitions,
// at every start, over random bytes weighted towards the edges of the
// classes (0x1f/0x20, 0x7e/0x7f/0x80, 0xff).
func TestRuns(t *testing.T) {
	edges := []byte{0x00, 0x1b, 0x1f, 0x20, 0x21, 0x41, 0x7e, 0x7f, 0x80, 0x81, 0x9b, 0xc3, 0xfe, 0xff}
	r := rand.New(rand.NewSource(3))
	for range 3000 {
		p := make([]byte, r.Intn(40))
		for k := range p {
			switch r.Intn(4) {
			case 0:
				p[k] = byte(r.Intn(256))
			case 1:
				p[k] = edges[r.Intn(len(edges))]
			default:
				p[k] = byte(0x20 + r.Intn(0x5f)) // printable, so runs are long
			}
		}
		for i := 0; i <= len(p); i++ {
			a, x := i, i
			for a < len(p) && p[a] >= 0x20 && p[a] < 0x7f {
				a++
			}
			for x < len(p) && p[x] >= 0x20 && p[x] != 0x7f {
				x++
			}
			if got := asciiRun(p, i); got != a {
				t.Fatalf("asciiRun(%q, %d) = %d, want %d", p, i, got, a)
			}
			if got := textRun(p, i); got != x {
				t.Fatalf("textRun(%q, %d) = %d, want %d", p, i, got, x)
			}
		}
	}
}
