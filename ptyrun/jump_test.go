package ptyrun

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
)

// jumpTokens are the pieces FuzzJump builds streams from: what the model
// follows, what makes it lost, and junk.
var jumpTokens = []string{
	"\r\n", "\r\n", "\r\n", "\r", "\n", "\b", "\t", "\v", "\f", "\x07", "\x00", "\x7f",
	"é", "│", "✓", "◐", "界", "👩\u200d👩\u200d👧", "e\u0301", "🇫🇷", "\u200b",
	"\x1b[2m", "\x1b[25m", "\x1b[5m", "\x1b[6m", "\x1b[22;2m", "\x1b[;1m", "\x1b[38;2;300;1;1m", "\x1b[48;5;17m",
	"\x1b[58;5;3m", "\x1b[59m", "\x1b[24m", "\x1b[4m", "\x1b[21m", "\x1b[97;104m", "\x1b[9;29;3m", "\x1b[38;5;1;1m",
	"\x1b[1m", "\x1b[22m", "\x1b[31m", "\x1b[39m", "\x1b[38;5;208m", "\x1b[48;2;1;2;3m", "\x1b[m", "\x1b[0m", "\x1b[4:3m", "\x1b[7m", "\x1b[38;5m",
	"\x1b[A", "\x1b[3A", "\x1b[0A", "\x1b[B", "\x1b[2B", "\x1b[C", "\x1b[5C", "\x1b[D", "\x1b[999D", "\x1b[G", "\x1b[7G", "\x1b[0G",
	"\x1b[H", "\x1b[2;3H", "\x1b[99;99H", "\x1b[0;0f", "\x1b[3d", "\x1b[E", "\x1b[2F", "\x1b[a", "\x1b[2e", "\x1b[4`",
	"\x1b[J", "\x1b[0J", "\x1b[1J", "\x1b[2J", "\x1b[3J", "\x1b[5J", "\x1b[K", "\x1b[1K", "\x1b[2K", "\x1b[X", "\x1b[3X", "\x1b[@", "\x1b[2P",
	"\x1b[2;4r", "\x1b[r", "\x1b7", "\x1b8", "\x1bM", "\x1bD", "\x1bE", "\x1bH", "\x1b[?6h", "\x1b[?6l", "\x1b[?7l", "\x1b[?7h",
	"\x1b[?1049h", "\x1b[?1049l", "\x1b[?25l", "\x1b[?25h", "\x1b[?2004h", "\x1b[4h", "\x1b[4l", "\x1b[20h", "\x1b[20l",
	"\x1b[S", "\x1b[2T", "\x1b[L", "\x1b[M", "\x1b[b", "\x1b[3b", "\x1b[6n", "\x1b[5n", "\x1b[c", "\x1b[>c", "\x1bc", "\x1b[!p",
	"\x1b[s", "\x1b[u", "\x1b[3g", "\x1b[I", "\x1b[Z", "\x1b[?69h", "\x1b[?69l", "\x1b[2 q", "\x1b[?1$p",
	"\x1b]0;title\x07", "\x1b]8;;http://x\x1b\\", "\x1b]8;;\x1b\\", "\x1b]2;t\x1b[1m", "\x1bP$qm\x1b\\", "\x1b_apc\x1b\\",
	"\x1b(0", "\x1b(B", "\x0e", "\x0f", "\x1b#8", "\x1b=", "\x1b>", "\x1b\x1b", "\x18", "\x1a", "\x9b1m", "\x85", "\xc3", "\xe2\x94", "\xff",
	"\x1b[1;2\r3H", "\x1b[1$4m", "\x1b[?1;2$\x1b[m",
}

// jumpBurstSGR are pen changes inside bursts, which jumps fold into one.
var jumpBurstSGR = []string{"", "\x1b[1m", "\x1b[22m", "\x1b[2;3m", "\x1b[25;5m", "\x1b[m", "\x1b[48;5;22m", "\x1b[49;7m",
	"\x1b[38;2;1;2;3m", "\x1b[4m\x1b[24m", "\x1b[22;1m", "\x1b[0;2m", "\x1b[9m", "\x1b[27;28;29m", "\x1b[58;2;9;9;9m", "\x1b[4:3m"}

// jumpStream builds a stream from fuzz data: tokens, text runs and bursts
// of lines (what makes jumps happen).
func jumpStream(data []byte) []byte {
	var b bytes.Buffer
	line := 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c < 0x80:
			b.WriteString(jumpTokens[int(c)%len(jumpTokens)])
		case c < 0xc0:
			n := int(c-0x80) % 50
			for k := range n {
				b.WriteByte(byte('a' + (k+line)%26))
			}
		case c < 0xf0:
			// A burst of lines, what makes jumps happen, with what the
			// model must get right mixed in: wide glyphs near the margin,
			// erases from the middle of a line, redraws.
			for range int(c-0xc0) + 1 {
				line++
				b.WriteString(jumpBurstSGR[(line+int(c))%len(jumpBurstSGR)])
				fmt.Fprintf(&b, "\x1b[3%dm%d\x1b[39m ", line%8, line)
				n := (line*7 + int(c)) % 40
				for k := range n {
					if (line+k)%(3+line%5) == 0 {
						b.WriteString("界")
					} else {
						b.WriteByte(byte('a' + k%26))
					}
				}
				switch line % 11 {
				case 3:
					b.WriteString("\x1b[2D\x1b[K")
				case 5:
					b.WriteString("\x1b[1A\x1b[J")
				case 7:
					b.WriteString("\x1b[999D\x1b[2A\x1b[J◇  menu")
				case 9:
					b.WriteString("\x1b[3D\x1b[J")
				}
				b.WriteString("\r\n")
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.Bytes()
}

// screenState is what must be identical with and without jumps.
func screenState(em *vt.Emulator) string {
	p := em.CursorPosition()
	return fmt.Sprintf("cursor %d,%d hidden=%v alt=%v\n%s\n--\n%s", p.X, p.Y, em.CursorHidden(), em.IsAltScreen(), em.Render(), em.String())
}

// probe is written after the stream: it shows the pen (styled text), the
// last character (REP) and the charset state in the cells it writes.
const jumpProbe = "Zq\x1b[2b"

func checkJump(t testing.TB, cols, rows int, stream []byte, cuts []int) (skipped int) {
	t.Helper()
	ref, got := drainedEmulator(t, cols, rows), drainedEmulator(t, cols, rows)
	j := newJumper()
	write := func(p []byte) {
		if len(p) > 0 {
			_, _ = got.Write(p)
		}
	}
	cursor := func() (int, int) { p := got.CursorPosition(); return p.X, p.Y }
	prev := 0
	for _, c := range append(cuts, len(stream)) {
		c = min(max(c, prev), len(stream))
		chunk := stream[prev:c]
		_, _ = ref.Write(chunk)
		skipped += jumpFeed(j, chunk, write, cursor, cols, rows)
		prev = c
	}
	if a, b := screenState(ref), screenState(got); a != b {
		t.Fatalf("%dx%d screens differ after %q (cuts %v)\nwant:\n%s\n\ngot:\n%s", cols, rows, stream, cuts, a, b)
	}
	_, _ = ref.Write([]byte(jumpProbe))
	jumpFeed(j, []byte(jumpProbe), write, cursor, cols, rows)
	if a, b := screenState(ref), screenState(got); a != b {
		t.Fatalf("%dx%d screens differ after %q (cuts %v)\nwant:\n%s\n\ngot:\n%s", cols, rows, stream, cuts, a, b)
	}
	return skipped
}

// drainedEmulator returns an emulator whose replies to queries are read
// and dropped, so a query inside Write never blocks. It is stopped the
// way Session stops its own: by closing the reply pipe (x/vt's Close
// races with a pending Read).
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

func FuzzJump(f *testing.F) {
	f.Add([]byte{0xc5, 0x00, 0xc8}, uint8(20), uint8(4), uint16(7))
	f.Add([]byte("\xd0\x16\x17\xd0\x20\xd0"), uint8(12), uint8(3), uint16(0))
	f.Add([]byte{0xe0, 0x55, 0xe0, 0x60, 0xe0, 0x30, 0xe0}, uint8(30), uint8(5), uint16(100))
	f.Add([]byte{0xc3, 0x88, 0xbf, 0x01, 0xc9, 0x02, 0x03, 0xc4}, uint8(10), uint8(2), uint16(33))
	f.Fuzz(func(t *testing.T, data []byte, cols, rows uint8, seed uint16) {
		c, r := 8+int(cols)%40, 1+int(rows)%10
		stream := jumpStream(data)
		var cuts []int
		if seed != 0 && len(stream) > 0 {
			for k := int(seed) % 97; k < len(stream); k += 1 + int(seed)%331 {
				cuts = append(cuts, k)
			}
		}
		checkJump(t, c, r, stream, cuts)
	})
}

// TestJumpSkipsScrolledLines: a fast child's lines (with clack-style
// redraws) mostly never reach the emulator, and the screen is the same.
func TestJumpSkipsScrolledLines(t *testing.T) {
	var b strings.Builder
	for i := range 5000 {
		if i%40 == 1 {
			b.WriteString("\x1b[999D\x1b[4A\x1b[J\x1b[32m◇\x1b[39m  Login method\r\n\x1b[90m│\x1b[39m  \x1b[2mChatGPT Pro/Plus (browser)\x1b[22m\r\n")
		}
		fmt.Fprintf(&b, "\x1b[36m│\x1b[39m  line %06d \x1b[1mopenai/gpt-5.4\x1b[22m ✓ ◐ the quick brown fox\r\n", i)
	}
	stream := []byte(b.String())
	skipped := checkJump(t, 120, 40, stream, []int{len(stream) / 3, len(stream) / 2})
	if skipped < len(stream)*9/10 {
		t.Errorf("skipped %d of %d bytes, want most", skipped, len(stream))
	}
}

// TestJumpHoldsBackUnderMargins: with scroll margins set the model is off
// and everything is drawn.
func TestJumpHoldsBackUnderMargins(t *testing.T) {
	var b strings.Builder
	b.WriteString("\x1b[2;5r")
	for i := range 500 {
		fmt.Fprintf(&b, "line %d\r\n", i)
	}
	if skipped := checkJump(t, 40, 10, []byte(b.String()), nil); skipped != 0 {
		t.Errorf("skipped %d bytes under scroll margins", skipped)
	}
	b.WriteString("\x1b[r")
	for i := range 500 {
		fmt.Fprintf(&b, "line %d\r\n", i)
	}
	if skipped := checkJump(t, 40, 10, []byte(b.String()), nil); skipped == 0 {
		t.Errorf("nothing skipped after the margins were reset")
	}
}

// TestJumpModelRules: streams where each rule of the model decides
// whether a row may be skipped.
func TestJumpModelRules(t *testing.T) {
	for _, s := range []string{
		"l1\r\nl2\r\nl3\r\nl4\r\n\x1b[1A\x1b[3C\x1b[Jm1\r\nm2\r\n",              // ED 0 from mid-row keeps the left part
		"l1\r\nl2\r\nl3\r\nl4\r\n\x1b[1A\x1b[3C\x1b[Km1\r\nm2\r\n",              // EL 0 likewise
		"l1\r\nl2\r\nl3\r\nabcdefgh\r\n\r\n\x1b[2A\x1b[3C\x1b[1K\x1b[B\r\x1b[J", // EL 1 keeps the right part
		"l1\r\nl2\r\nl3\r\nl4\r\n\x1b[1A\x1b[1Jm1\r\nm2\r\n",                    // ED 1 keeps the cursor row
		"l1\r\nl2\r\nl3\r\nl4\r\n\x1b[1A界界界\x1b[Jm1\r\n",                        // wide glyphs
		"l1\r\nl2\r\nl3\r\nl4\r\nab\b\b\x1b[Jm1\r\nm2\r\n",                      // BS back to column 0
		"l1\r\nl2\r\nl3\r\nl4\r\n\x1b[9A\x1b[2B\x1b[2;1H\x1b[Jm1\r\n",           // clamped moves, CUP
	} {
		for _, cols := range []int{8, 10, 20} {
			checkJump(t, cols, 3, []byte(s), nil)
			checkJump(t, cols, 3, []byte(s), []int{4})
		}
	}
}

// TestJumpBirthRing: the rows' births are a ring that turns with each
// scroll; an erase must mark the screen row it hits, not the ring slot of
// the same number.
func TestJumpBirthRing(t *testing.T) {
	const stream = "A\r\nB\r\nC\r\nD\r\n\x1b[3;1H\x1b[2K\x1b[1;1H\x1b[K"
	j := newJumper()
	j.start(0, 0, 10, 3, 0)
	j.run([]byte(stream), 0)
	lf := func(n int) int { // offset of the n-th line feed
		for i, k := 0, 0; i < len(stream); i++ {
			if stream[i] == '\n' {
				if k++; k == n {
					return i
				}
			}
		}
		return -1
	}
	el2, el0 := strings.Index(stream, "2K")+1, strings.LastIndex(stream, "K")
	// Rows after two scrolls: C's row (never scrolled in, then erased by
	// EL 0 at column 0), D's row (the third line feed), the bottom row
	// (the fourth, then erased by EL 2).
	want := []int{el0, lf(3), el2}
	for r, w := range want {
		if got := j.birth[(j.top+r)%j.rows]; got != w {
			t.Errorf("row %d born at %d, want %d (births %v, top %d)", r, got, w, j.birth, j.top)
		}
	}
}

// TestJumpRandom is FuzzJump over a fixed set of random streams, so that
// plain `go test` covers more than the seeds.
func TestJumpRandom(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	streams, jumped := 0, 0
	for range 200 {
		data := make([]byte, 5+r.Intn(60))
		r.Read(data)
		for k := range data {
			if r.Intn(3) == 0 {
				data[k] = byte(0xc0 + r.Intn(48)) // bursts of lines
			}
		}
		stream := jumpStream(data)
		var cuts []int
		for k, step := r.Intn(97), 1+r.Intn(300); k < len(stream); k += step {
			cuts = append(cuts, k)
		}
		if checkJump(t, 8+r.Intn(40), 1+r.Intn(10), stream, cuts) > 0 {
			jumped++
		}
		streams++
	}
	if jumped < streams/5 {
		t.Errorf("only %d of %d streams jumped: the test no longer exercises jumps", jumped, streams)
	}
}

// earlyMoves are what earlyStream mixes into lines: what the model
// follows and early scrolls must respect.
var earlyMoves = []string{"\x1b[A", "\x1b[2A", "\x1b[5A", "\x1b[F", "\x1b[B", "\x1b[3B", "\x1b[2e", "\x1b[E",
	"\x1b[H", "\x1b[2;3H", "\x1b[4d", "\x1b[J", "\x1b[1J", "\x1b[2J", "\x1b[3J", "\x1b[K", "\x1b[2K", "\x1b[3D", "\b",
	"\x1b[41m", "\x1b[49m", "\x1b[m", "\x1b[0;1m", "\x1b[48;5;3m", "\x1b[38;5;41m", "\x1b[104m", "\x1b[1m", "\x1b[32m"}

// earlyStream builds a stream of short lines and earlyMoves, choices from
// next(n) in [0, n): bursts of lines (so that batches jump), then lines
// mixed with moves and ending soon after them (so that rows written
// before a move are still on the screen at the end).
func earlyStream(rows int, next func(n int) int) []byte {
	var b strings.Builder
	for range 2 + next(6) {
		for range next(3 * rows) {
			fmt.Fprintf(&b, "l%d\r\n", next(1000))
		}
		for range next(2 * rows) {
			switch next(3) {
			case 0:
				b.WriteString(earlyMoves[next(len(earlyMoves))])
			case 1:
				fmt.Fprintf(&b, "m%d", next(100))
			default:
				b.WriteString("\r\n")
			}
		}
	}
	return []byte(b.String())
}

// earlyScrolled reports whether jumpFeed scrolled early anywhere in stream.
func earlyScrolled(t *testing.T, cols, rows int, stream []byte) bool {
	j := newJumper()
	em := drainedEmulator(t, cols, rows)
	early := false
	jumpFeed(j, stream, func(p []byte) {
		early = early || bytes.HasSuffix(p, []byte("H")) && bytes.Contains(p, []byte("S\x1b["))
		_, _ = em.Write(p)
	}, func() (int, int) { p := em.CursorPosition(); return p.X, p.Y }, cols, rows)
	return early
}

// TestJumpEarlyScrolls: earlyStream streams, where jumps happen in
// nearly every batch and the tails after the cuts use what the early
// scrolls must respect. Each rule of earlyScrolls, removed, makes this
// test fail.
func TestJumpEarlyScrolls(t *testing.T) {
	// Rows written after the cut, then what the early frame cannot do,
	// and those rows still on the screen at the end.
	lines := strings.Repeat("l1\r\nl2\r\nl3\r\n", 4)
	for _, s := range []string{
		"a\r\nZ\x1b[3A\r\n\r\n\r\n\r\n\r\n\r\n",   // up past the early frame's top
		"a\r\nZ\x1b[1;1H\r\n\r\n\r\n\r\n\r\n\r\n", // an absolute row
		"a\r\nZ\x1b[1A\x1b[9B\r\n\r\n\r\n\r\n",    // down to the plain frame's bottom
		"a\r\n\x1b[44mZ\r\n\r\n\r\n",              // a background for the rows to come
		"\x1b[44ma\r\nZ\x1b[2J\r\n\r\n\r\n",       // ED 2 under a background
	} {
		checkJump(t, 10, 4, []byte(lines+s), nil)
	}
	r := rand.New(rand.NewSource(11))
	early := 0
	for range 400 {
		cols, rows := 12+r.Intn(20), 2+r.Intn(7)
		stream := earlyStream(rows, r.Intn)
		var cuts []int
		for k, step := r.Intn(50), 20+r.Intn(200); k < len(stream); k += step {
			cuts = append(cuts, k)
		}
		checkJump(t, cols, rows, stream, cuts)
		if !bytes.Contains(stream, []byte("S")) && earlyScrolled(t, cols, rows, stream) {
			early++
		}
	}
	if early < 100 {
		t.Errorf("early scrolls in only %d of 400 streams: the test no longer exercises them", early)
	}
}

// FuzzJumpEarly is TestJumpEarlyScrolls with the choices from fuzz data.
func FuzzJumpEarly(f *testing.F) {
	f.Add([]byte{3, 7, 1, 9, 4, 2, 2, 8, 0, 13, 5, 1, 1, 2, 0, 0, 4}, uint8(20), uint8(5), uint16(40))
	f.Fuzz(func(t *testing.T, data []byte, cols, rows uint8, step uint16) {
		c, r := 12+int(cols)%30, 2+int(rows)%8
		k := 0
		next := func(n int) int {
			if k >= len(data) {
				return 0
			}
			k++
			return int(data[k-1]) % n
		}
		stream := earlyStream(r, next)
		var cuts []int
		if step != 0 {
			for k := int(step) % 50; k < len(stream); k += 1 + int(step)%300 {
				cuts = append(cuts, k)
			}
		}
		checkJump(t, c, r, stream, cuts)
	})
}

// holdLastFilter holds back each piece's last byte until the next piece or
// Flush, like a redaction filter in the middle of a candidate secret.
type holdLastFilter struct{ held *[]byte }

func (f holdLastFilter) Write(p []byte) []byte { return f.Append(nil, p) }

func (f holdLastFilter) Append(dst, p []byte) []byte {
	if len(p) == 0 {
		return dst
	}
	dst = append(dst, *f.held...)
	dst = append(dst, p[:len(p)-1]...)
	*f.held = append((*f.held)[:0], p[len(p)-1])
	return dst
}

func (f holdLastFilter) Flush() []byte {
	out := append([]byte(nil), *f.held...)
	*f.held = (*f.held)[:0]
	return out
}

// TestSessionJumpsFastOutput: a child printing 1 MB as fast as it can,
// through a Session with a filter, ends with the screen (and
// styles) an emulator fed every byte shows, while most lines were never
// drawn. The batches depend on timing; the result must not.
func TestSessionJumpsFastOutput(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 1<<20; i++ {
		if i%40 == 1 {
			b.WriteString("\x1b[999D\x1b[4A\x1b[J\x1b[32m◇\x1b[39m  Login method\r\n\x1b[90m│\x1b[39m  \x1b[2mChatGPT Pro/Plus (browser)\x1b[22m\r\n")
		}
		fmt.Fprintf(&b, "\x1b[36m│\x1b[39m  line %06d \x1b[1mopenai/gpt-5.4\x1b[22m ✓ ◐ the quick brown fox\r\n", i)
	}
	path := filepath.Join(t.TempDir(), "out.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Start(Spec{Path: "cat", Args: []string{path}, Env: testEnv(), Cols: 100, Rows: 30, Filter: holdLastFilter{new([]byte)}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(time.Second)
	waitDone(t, s)
	ref := drainedEmulator(t, 100, 30)
	_, _ = ref.Write([]byte(strings.ReplaceAll(b.String(), "\n", "\r\n"))) // the tty's ONLCR
	s.mu.Lock()
	got := screenState(s.em)
	s.mu.Unlock()
	if want := screenState(ref); got != want {
		t.Fatalf("screen differs from an emulator fed every byte\nwant:\n%s\ngot:\n%s", want, got)
	}
	if j := s.Jumped(); j < int64(b.Len())/2 {
		t.Errorf("jumped %d of %d bytes: the fast child was drawn line by line", j, b.Len())
	}
}

// TestByteQueue: take hands over everything queued at once; waitFill
// returns as soon as the level is reached or the queue closes, not at
// its deadline; put waits while the queue is full.
func TestByteQueue(t *testing.T) {
	q := newByteQueue(8)
	q.put([]byte("abc"))
	q.put([]byte("de"))
	if b, closed, _ := q.take(nil); string(b) != "abcde" || closed {
		t.Fatalf("take = %q %v", b, closed)
	}
	far := time.Now().Add(time.Hour)
	go q.put([]byte("0123456789"))
	q.waitFill(6, far) // would take an hour if the level did not end it
	go q.close()
	q.waitFill(100, far)
	b, closed, _ := q.take(nil)
	if string(b) != "0123456789" || !closed {
		t.Fatalf("take = %q %v", b, closed)
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
