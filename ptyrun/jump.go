package ptyrun

import (
	"math"
	"slices"
	"strconv"

	"github.com/charmbracelet/x/ansi/parser"
)

// Jump scroll.
//
// x/vt v0.1.0 scrolls by copying every cell of the screen up one row for
// each line feed at the bottom (about 50 µs for 120x40), so a child that
// prints fast is held back by the emulator, not by the pty. Terminals meet
// the same problem with "jump scroll": lines that would scroll away before
// the next frame is drawn are never drawn.
//
// jumper does that for a batch of output (everything read while the
// emulator was busy). It follows the batch with a model of the cursor and
// of each screen row's birth: the offset of the line feed that scrolled
// the row in, or of the erase that blanked all of it. When every row on
// screen was born at or after an offset c, the screen no longer depends on
// anything before c, so the bytes before c need not be drawn. The emulator
// gets instead a stand-in: the sequences among them that change state
// other than the screen (colours, modes, titles, charsets; in order), the
// last ASCII character (which REP repeats), and the cursor position at c.
// From c on it gets the bytes themselves.
//
// The model is small on purpose: printing that stays clear of the right
// margin, CR, LF, BS, and the cursor moves, erases and edits of
// line-oriented programs such as clack's prompts. Anything else (scroll
// margins, origin mode, saved cursors, tabs, wrapping, cursor reports,
// unusual bytes) makes it lost: the emulator then gets everything as it is
// until a carriage return in the parser's ground state, where the model
// restarts from the emulator's own cursor. It parses with x/ansi's
// transition table, the one x/vt's parser runs, so both agree on where
// each sequence starts and ends. FuzzJump compares the result with the
// emulator fed without jumps.
type jumper struct {
	// Parser state, carried across batches.
	st      parser.State
	utf8Len int // bytes of the current UTF-8 sequence
	utf8Has int // bytes collected
	seqFrom int // batch offset where the current sequence began; -1: an earlier batch
	prefix  byte
	inter   byte
	ninter  int
	nparams int
	params  [maxJumpParams]int // -1: missing
	odd     bool               // colon, ignored bytes or too many params
	strFrom int                // a string ended by ESC, waiting for the '\' of ST; -2: none

	// Modes under which the model does not hold.
	decom, lrmm, awmOff, lnm, irm, margins bool
	// broken is set when the emulator panicked: its parser was reset.
	broken bool

	// The model, valid while synced.
	synced     bool
	cols, rows int
	x0, x1, y  int   // the cursor column lies in [x0, x1]
	birth      []int // per screen row, a ring: row r is birth[(top+r) % rows]
	top        int
	base       int // cuts are allowed from here (-1 until a straddling sequence ends)
	cands      []jumpCand
	spans      []jumpSpan
	lastASCII  int // offset of the last printable ASCII byte in this batch, -1
	lost       bool
	lostAt     int
	standIn    []byte
	other      []jumpSpan
	toFold     []jumpSpan
}

const (
	maxJumpParams = 16
	noStr         = -2
)

// jumpCand is a possible cut: just after a line feed, cursor at (0, y).
// Offsets are int32 here and in jumpSpan (a batch of short lines holds
// tens of thousands of each); jumpFeed does not jump in a batch of 2 GiB
// or more, and Session's are at most maxPending and a read.
type jumpCand struct{ off, y int32 }

// jumpSpan is a complete sequence that must be replayed if skipped. key
// is sgrKey's for a plain SGR found by the scan's fast path, else 0.
type jumpSpan struct {
	from, to int32
	key      uint64
}

// sgrLong is the key of a plain SGR whose parameters are too long to pack.
const sgrLong = ^uint64(0)

// sgrKey packs the parameter bytes of a plain SGR (digits and ';') into a
// key that is never 0, equal for equal bytes: their length and, when
// shorter than 8, the bytes themselves.
func sgrKey(params []byte) uint64 {
	if len(params) >= 8 {
		return sgrLong
	}
	key := uint64(len(params)+1) << 56
	for i, c := range params {
		key |= uint64(c) << (8 * i)
	}
	return key
}

func newJumper() *jumper { return &jumper{seqFrom: -1, lastASCII: -1, strFrom: noStr} }

// disabled reports whether a mode is set under which the model does not hold.
func (j *jumper) disabled() bool {
	return j.broken || j.decom || j.lrmm || j.awmOff || j.lnm || j.irm || j.margins
}

// newBatch starts a batch: offsets restart at 0, rows are "born before".
func (j *jumper) newBatch() {
	for i := range j.birth {
		j.birth[i] = -1
	}
	j.cands, j.spans = j.cands[:0], j.spans[:0]
	j.lastASCII = -1
	j.base = 0
	if j.st != parser.GroundState || j.strFrom != noStr {
		j.base = -1
	}
	j.seqFrom = -1
	if j.strFrom != noStr {
		j.strFrom = -1
	}
}

// start syncs the model at the emulator's cursor, which is exact between
// writes; at is the batch offset just after the carriage return.
func (j *jumper) start(x, y, cols, rows, at int) {
	j.synced = false
	if j.disabled() || cols < 8 || rows < 1 || x != 0 || y < 0 || y >= rows || j.st != parser.GroundState {
		return
	}
	j.synced = true
	j.cols, j.rows = cols, rows
	j.x0, j.x1, j.y = 0, 0, y
	if cap(j.birth) < rows {
		j.birth = make([]int, rows)
	}
	j.birth, j.top = j.birth[:rows], 0
	for i := range j.birth {
		j.birth[i] = -1
	}
	j.base = at
	j.cands, j.spans = j.cands[:0], j.spans[:0]
	j.lastASCII = -1
}

// unsync drops the model (after a resize, for example).
func (j *jumper) unsync() { j.synced = false }

// resync scans p[from:] with the model off until just after a carriage
// return in ground state. It returns that offset, or len(p) and false.
func (j *jumper) resync(p []byte, from int) (int, bool) {
	for i := from; i < len(p); i++ {
		b := p[i]
		if j.st == parser.GroundState && b >= 0x20 && b < 0x7f {
			i = asciiRun(p, i+1) - 1
			continue
		}
		if j.st == parser.GroundState {
			if k := sgrEnd(p, i); k > 0 {
				i = k - 1
				continue
			}
			if n := utf8Len(b); n > 1 && i+n <= len(p) {
				i += n - 1
				continue
			}
		}
		j.step(p, i, false)
		if b == '\r' && j.st == parser.GroundState {
			return i + 1, true
		}
	}
	return len(p), false
}

// run follows p[from:] with the model until the end of p or until the
// model is lost. It returns where the model stopped (the start of what it
// could not follow, or len(p)), how far the scanner got (resume >= stop),
// and the best cut in [from, stop] with the cursor row there; cut == from
// means nothing can be skipped.
func (j *jumper) run(p []byte, from int) (stop, resume, cut, cutY int) {
	j.lost = false
	i := from
	for ; i < len(p); i++ {
		b := p[i]
		if j.st == parser.GroundState && b >= 0x20 && b < 0x7f {
			// A run of printable ASCII at once.
			k := asciiRun(p, i+1)
			if room := j.cols - 2 - j.x1; k-i > room { // could reach the right margin and wrap
				i += max(room, 0)
				j.loseAt(i)
				break
			}
			j.x0 += k - i
			j.x1 += k - i
			j.lastASCII = k - 1
			i = k - 1
			continue
		}
		if j.st == parser.GroundState {
			if k := sgrEnd(p, i); k > 0 { // an SGR, inline: replayed
				if i >= j.base && j.base >= 0 {
					j.spans = append(j.spans, jumpSpan{int32(i), int32(k), sgrKey(p[i+2 : k-1])})
				}
				i = k - 1
				continue
			}
			if n := utf8Len(b); n > 1 && i+n <= len(p) { // a whole rune, inline
				if j.x1+2 > j.cols-2 {
					j.loseAt(i)
					break
				}
				j.x1 += 2
				i += n - 1
				continue
			}
		}
		j.step(p, i, true)
		if j.lost {
			i++ // this byte was consumed
			break
		}
	}
	stop, resume = len(p), len(p)
	if j.lost {
		stop, resume = max(j.lostAt, from), max(i, from)
		j.synced = false
	}
	cut, cutY = j.bestCut(from, stop)
	return stop, resume, cut, cutY
}

func (j *jumper) loseAt(off int) {
	if j.lost && j.lostAt <= off {
		return
	}
	j.lost = true
	j.lostAt = off
}

// lose marks the model lost at the start of the current sequence.
func (j *jumper) lose(i int) {
	if j.seqFrom >= 0 && j.seqFrom <= i {
		j.loseAt(j.seqFrom)
	} else {
		j.loseAt(0)
	}
}

// bestCut returns the last candidate in [max(from, base), stop] at or
// before every row's birth.
func (j *jumper) bestCut(from, stop int) (int, int) {
	lo := max(from, j.base)
	if j.base < 0 || len(j.cands) == 0 {
		return from, 0
	}
	minBirth := stop
	for _, b := range j.birth {
		minBirth = min(minBirth, b)
	}
	for k := len(j.cands) - 1; k >= 0; k-- {
		c := j.cands[k]
		if int(c.off) < lo {
			break
		}
		if int(c.off) <= minBirth && int(c.off) <= stop {
			return int(c.off), int(c.y)
		}
	}
	return from, 0
}

// makeStandIn returns what the emulator gets instead of p[lo:cut]: the
// replayed sequences (SGRs folded into one effect when they allow it),
// then CR, the last ASCII character, the scrolls of p[cut:stop] that can
// be made at once (see earlyScrolls), and the cursor position at the cut.
func (j *jumper) makeStandIn(p []byte, lo, cut, cutY, stop int) []byte {
	b := j.standIn[:0]
	var eff sgrEffect
	fold := true
	// Only the last occurrence of each SGR counts: every field it sets, it
	// sets again. So the spans are read from the cut back, a sequence
	// already seen is passed over, and a few distinct SGRs are folded
	// instead of every one of the skipped lines.
	var seen [16]uint64
	nseen := 0
	toFold := j.toFold[:0] // SGR spans to fold, last first
	other := j.other[:0]   // spans that are not plain SGRs, last first
	for k := len(j.spans) - 1; k >= 0; k-- {
		s := j.spans[k]
		if int(s.from) < lo || int(s.to) > cut {
			continue
		}
		key := s.key
		if key == 0 { // not from the fast path: a C1 CSI, an odd SGR, or no SGR
			if params, ok := sgrParams(p[s.from:s.to]); ok {
				key = sgrKey(params)
			}
		}
		if key != 0 {
			if key != sgrLong {
				if slices.Contains(seen[:nseen], key) {
					continue
				}
				if nseen < len(seen) {
					seen[nseen] = key
					nseen++
				}
			}
			toFold = append(toFold, s)
			continue
		}
		seq := p[s.from:s.to]
		if seq[0] == 0x90 || len(seq) > 1 && seq[1] == 'P' {
			fold = false // DECRQSS can ask for the pen: keep the order
		}
		if seq[len(seq)-1] == 'm' && (seq[0] == 0x9b || len(seq) > 1 && seq[1] == '[') {
			fold = false // an SGR the effect does not model (colons): keep the order
		}
		other = append(other, s)
	}
	for k := len(toFold) - 1; k >= 0 && fold; k-- {
		params, _ := sgrParams(p[toFold[k].from:toFold[k].to])
		fold = eff.add(params)
	}
	j.toFold, j.other = toFold, other
	if fold {
		for k := len(other) - 1; k >= 0; k-- {
			b = append(b, p[other[k].from:other[k].to]...)
		}
		b = eff.appendTo(b)
	} else {
		for _, s := range j.spans {
			if int(s.from) >= lo && int(s.to) <= cut {
				b = append(b, p[s.from:s.to]...)
			}
		}
	}
	b = append(b, '\r')
	if j.lastASCII >= lo && j.lastASCII < cut {
		b = append(b, p[j.lastASCII])
	}
	// The background at the cut is known to be the default when the
	// folded effect says so; otherwise it is whatever the emulator has.
	set, toDefault := eff.bgSet()
	bgDefault := fold && set && toDefault
	if n := j.earlyScrolls(p, cut, stop, cutY, bgDefault); n > 0 {
		b = append(b, "\x1b["...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, 'S')
		cutY -= n
	}
	b = append(b, "\x1b["...)
	b = strconv.AppendInt(b, int64(cutY+1), 10)
	b = append(b, ";1H"...)
	j.standIn = b
	return b
}

// earlyScrolls returns how many of the scrolls that p[cut:stop] makes at
// the bottom row the stand-in may make up front, in one SU, instead of
// the emulator copying the whole screen up a row at each of those line
// feeds. With n scrolls made early the emulator shows, until the plain
// stream has made its n-th scroll, a frame n-k rows further down than the
// plain stream's after k of them; from then on the two frames are the
// same. So up to the n-th scroll the tail may not use what differs
// between the frames: a row above the early frame's top (a cursor move up
// too far), the plain frame's bottom edge (a move down that stops there),
// absolute rows (CUP, VPA), or a background other than the one the early
// scrolls filled their rows with (an SGR that changes it, unless bgDefault
// says the cut's background is the default and the SGR keeps it; x/vt's
// ED 2 and 3 clear to the default whatever the pen). Only
// text, CR, LF, BS, BEL, NUL, SGR and the model's relative moves and
// erases are read; anything else ends the early scrolls where it stands.
// The cut is in ground state, just after a line feed.
func (j *jumper) earlyScrolls(p []byte, cut, stop, cutY int, bgDefault bool) int {
	R := j.rows
	y, k, minV := cutY, 0, cutY // row, scrolls so far, topmost line reached (k + row)
	for i := cut; i < stop; i++ {
		b := p[i]
		switch {
		case b >= 0x20 && b < 0x7f, b == '\r', b == '\b', b == 0x07, b == 0x00:
		case b >= 0xc2 && b <= 0xf4: // a UTF-8 sequence in ground state
			i += utf8Len(b) - 1
		case b == '\n' || b == '\v' || b == '\f':
			if y < R-1 {
				y++
				continue
			}
			if minV < k+1 {
				return k
			}
			k++
		case b == 0x1b && i+2 < stop && p[i+1] == '[':
			var ps [8]int
			n, cur, end := 0, -1, 0
			for q := i + 2; q < stop && q < i+64; q++ {
				c := p[q]
				if c >= '0' && c <= '9' {
					cur = max(cur, 0)*10 + int(c-'0')
					if cur > 1<<16 {
						return k
					}
					continue
				}
				if n == len(ps) {
					return k
				}
				ps[n], n, cur = cur, n+1, -1
				if c != ';' {
					end = q
					break
				}
			}
			if end == 0 {
				return k
			}
			arg := max(ps[0], 1) // CUU and friends: missing or 0 is 1
			switch p[end] {
			case 'm':
				if !sgrKeepsBg(p[i+2:end], bgDefault) {
					return k
				}
			case 'A', 'F': // CUU, CPL
				minV = min(minV, k+y-arg)
				y = max(y-arg, 0)
			case 'B', 'e', 'E': // CUD, VPR, CNL
				if y+arg > R-1 {
					return k
				}
				y += arg
			case 'J':
				// ED 0 and 1 fill with the pen's background, the one the
				// early scrolls used; ED 2 and 3 clear to the default, also
				// the rows scrolled in early, which the plain stream fills
				// later with the pen's.
				if ps[0] >= 2 && !bgDefault {
					return k
				}
			case 'C', 'a', 'D', 'G', '`', 'K', 'X', '@', 'P':
				// columns, or erases within the row: the same cells in
				// both frames, and the same fill
			default:
				return k
			}
			i = end
		default:
			return k
		}
	}
	return k
}

// sgrKeepsBg reports whether an SGR (its parameter bytes) leaves the
// background as it was; with bgDefault, it may also set it to the default,
// which it already is. What the effect model does not know ends it too.
func sgrKeepsBg(params []byte, bgDefault bool) bool {
	var e sgrEffect
	if !e.add(params) {
		return false
	}
	set, toDefault := e.bgSet()
	return !set || toDefault && bgDefault
}

// sgrParams returns the parameter bytes of a plain SGR sequence (no
// private prefix, no intermediates).
func sgrParams(seq []byte) ([]byte, bool) {
	var body []byte
	switch {
	case len(seq) >= 3 && seq[0] == 0x1b && seq[1] == '[':
		body = seq[2:]
	case len(seq) >= 2 && seq[0] == 0x9b:
		body = seq[1:]
	default:
		return nil, false
	}
	if body[len(body)-1] != 'm' {
		return nil, false
	}
	body = body[:len(body)-1]
	for _, c := range body {
		if !(c >= '0' && c <= '9' || c == ';') {
			return nil, false
		}
	}
	return body, true
}

// step feeds one byte (not the printable-ASCII fast path) to the parser
// and, when model is true, to the model.
func (j *jumper) step(p []byte, i int, model bool) {
	b := p[i]
	if j.st == parser.Utf8State {
		j.utf8Has++
		if j.utf8Has < j.utf8Len {
			return
		}
		j.st = parser.GroundState
		j.groundAgain(i)
		if model {
			// A cluster is at most 2 cells, and may be 0.
			if j.x1+2 > j.cols-2 {
				j.lose(i)
				return
			}
			j.x1 += 2
		}
		return
	}
	prev := j.st
	next, action := parser.Table.Transition(prev, b)
	if b == 0x1b && prev == parser.EscapeState {
		// Two ESCs in a row: x/ansi executes the first.
		j.st = next
		j.seqFrom = i
		j.clearSeq()
		if model {
			j.lose(i - 1)
		}
		return
	}
	// A string ended by ESC: only ESC '\' (ST) is a clean end.
	if prev == parser.EscapeState && j.strFrom != noStr {
		from := j.strFrom
		j.strFrom = noStr
		if next == parser.GroundState && action == parser.DispatchAction && b == '\\' {
			j.st = next
			j.groundAgain(i)
			if from >= 0 && from >= j.base {
				j.spans = append(j.spans, jumpSpan{int32(from), int32(i + 1), 0})
			}
			return
		}
		if model {
			j.lose(i)
		}
	}
	switch action {
	case parser.ClearAction:
		if prev != parser.GroundState && prev != parser.EscapeState && model {
			j.lose(i) // ESC or a C1 introducer cut the current sequence short
		}
		if prev == parser.GroundState || next == parser.EscapeState || b == 0x9b || b == 0x90 {
			j.seqFrom = i
		}
		j.clearSeq()
	case parser.StartAction:
		if prev == parser.GroundState {
			j.seqFrom = i // C1 string introducers
		}
	case parser.CollectAction:
		switch {
		case next == parser.Utf8State:
			if prev != parser.GroundState && model {
				j.lose(i) // a UTF-8 lead byte cut the current sequence short
			}
			j.seqFrom = i
			j.utf8Len = utf8Len(b)
			j.utf8Has = 1
		default:
			j.inter = b
			j.ninter++
		}
	case parser.PrefixAction:
		j.prefix = b
	case parser.ParamAction:
		j.param(b)
	case parser.PrintAction:
		// Only reached for the resync path's bytes >= 0x20 < 0x7f that
		// are not in ground; ground printables take the fast path.
		if model {
			if j.x1+1 > j.cols-2 {
				j.loseAt(i)
				return
			}
			j.x0++
			j.x1++
			j.lastASCII = i
		}
	case parser.ExecuteAction:
		if prev != parser.GroundState || next != parser.GroundState {
			if model { // a control inside a sequence, or a C1 abort
				j.lose(i)
			}
		} else if model {
			j.control(i, b)
		}
	case parser.DispatchAction:
		j.dispatch(p, i, prev, next, model)
	case parser.PutAction:
		// string body
	case parser.NoneAction:
		if prev != parser.GroundState && next == parser.GroundState && model {
			j.lose(i) // an aborted sequence (CAN, SUB, a CSI gone wrong)
		}
		if prev == parser.GroundState && b == 0x7f && model {
			j.loseAt(i)
		}
	}
	j.st = next
	if next == parser.GroundState && prev != parser.GroundState {
		j.groundAgain(i)
	}
}

// groundAgain notes that the parser is back in ground after byte i.
func (j *jumper) groundAgain(i int) {
	if j.base < 0 && j.strFrom == noStr {
		j.base = i + 1
	}
}

func (j *jumper) clearSeq() {
	j.prefix, j.inter, j.ninter, j.nparams, j.odd = 0, 0, 0, 0, false
}

func (j *jumper) param(b byte) {
	if j.nparams == 0 {
		j.nparams = 1
		j.params[0] = -1
	}
	switch {
	case b >= '0' && b <= '9':
		k := j.nparams - 1
		if j.params[k] < 0 {
			j.params[k] = 0
		}
		if j.params[k] < 1<<16 {
			j.params[k] = j.params[k]*10 + int(b-'0')
		} else {
			j.odd = true
		}
	case b == ';' || b == ':':
		if b == ':' {
			j.odd = true
		}
		if j.nparams == maxJumpParams {
			j.odd = true
			return
		}
		j.params[j.nparams] = -1
		j.nparams++
	default:
		j.odd = true
	}
}

// arg returns parameter k, or def when it is missing.
func (j *jumper) arg(k, def int) int {
	if k >= j.nparams || j.params[k] < 0 {
		return def
	}
	return j.params[k]
}

// control is a C0 control executed in ground state.
func (j *jumper) control(i int, b byte) {
	switch b {
	case '\r':
		j.x0, j.x1 = 0, 0
	case '\n', '\v', '\f':
		j.lineFeed(i)
	case '\b':
		j.x0, j.x1 = max(j.x0-1, 0), max(j.x1-1, 0)
	case 0x07: // BEL: replay (a bell callback)
		if i >= j.base {
			j.spans = append(j.spans, jumpSpan{int32(i), int32(i + 1), 0})
		}
	case 0x00:
	default:
		j.loseAt(i) // tabs, shifts, C1 controls, ...
	}
}

// setBirth notes that screen row r was blanked whole at offset i.
func (j *jumper) setBirth(r, i int) { j.birth[(j.top+r)%j.rows] = i }

func (j *jumper) lineFeed(i int) {
	if j.y == j.rows-1 {
		j.birth[j.top] = i // the top row leaves; its slot is the new bottom row's
		j.top = (j.top + 1) % j.rows
	} else {
		j.y++
	}
	if j.x0 == 0 && j.x1 == 0 && j.base >= 0 && i+1 >= j.base {
		j.cands = append(j.cands, jumpCand{int32(i + 1), int32(j.y)})
	}
}

// dispatch classifies a complete sequence ending at byte i.
func (j *jumper) dispatch(p []byte, i int, prev, next parser.State, model bool) {
	from := j.seqFrom
	replay := func() {
		if from >= 0 && from >= j.base {
			j.spans = append(j.spans, jumpSpan{int32(from), int32(i + 1), 0})
		}
	}
	switch prev {
	case parser.OscStringState, parser.DcsStringState, parser.SosStringState, parser.PmStringState, parser.ApcStringState:
		if next == parser.EscapeState { // ESC: wait for '\'
			j.strFrom = from
			if from < 0 {
				j.strFrom = -1
			}
			j.seqFrom = i
			j.clearSeq()
			return
		}
		replay()
		return
	case parser.EscapeState, parser.EscapeIntermediateState:
		switch {
		case j.ninter == 1 && (j.inter == '(' || j.inter == ')' || j.inter == '*' || j.inter == '+' || j.inter == '-' || j.inter == '.' || j.inter == '/'):
			replay() // charset designation
		case j.ninter == 0 && (p[i] == '=' || p[i] == '>' || p[i] == '\\'):
			replay() // keypad modes; a lone ST
		default:
			if model {
				j.lose(i)
			}
		}
		return
	}
	// CSI
	final := p[i]
	if j.ninter == 0 && j.prefix == '?' && (final == 'h' || final == 'l') {
		safe := j.decModes(final == 'h')
		if safe {
			replay()
		} else if model {
			j.lose(i)
		}
		return
	}
	if j.ninter == 0 && j.prefix == 0 && (final == 'h' || final == 'l') {
		safe := true
		for k := 0; k < j.nparams; k++ {
			switch j.arg(k, 0) {
			case 4:
				j.irm = final == 'h'
				safe = false
			case 20:
				j.lnm = final == 'h'
				safe = false
			case 2, 12:
			default:
				safe = false
			}
		}
		if safe && !j.odd {
			replay()
		} else if model {
			j.lose(i)
		}
		return
	}
	if j.ninter == 0 && j.prefix == 0 && final == 'r' {
		top, bot := j.arg(0, 1), j.arg(1, 0)
		j.margins = !(j.nparams == 0 || (top <= 1 && (bot == 0 || (j.rows > 0 && bot >= j.rows))))
		if model {
			j.lose(i)
		}
		return
	}
	switch {
	case final == 'm' && j.ninter == 0 && (j.prefix == 0 || j.prefix == '>'):
		replay() // SGR, XTMODKEYS
		return
	case j.prefix == '>' && j.ninter == 0:
		replay() // DA2, XTVERSION, kitty keyboard push, ...
		return
	case (j.prefix == '<' || j.prefix == '=') && j.ninter == 0 && final == 'u':
		replay()
		return
	case j.prefix == '?' && j.ninter == 0 && (final == 'u' || final == 'W'):
		replay()
		return
	case j.ninter == 1 && ((j.inter == '$' && final == 'p') || (j.inter == ' ' && final == 'q') || (j.inter == '"' && final == 'q')):
		replay() // DECRQM, DECSCUSR, DECSCA
		return
	case j.prefix == 0 && j.ninter == 0 && final == 'c' && j.arg(0, 0) == 0:
		replay() // DA1
		return
	case j.prefix == 0 && j.ninter == 0 && final == 'n' && j.arg(0, 0) == 5:
		replay() // status report
		return
	case j.prefix == 0 && j.ninter == 0 && final == 'g':
		replay() // tab clear: state; tabs themselves are not modelled
		return
	}
	if !model {
		return
	}
	if j.prefix != 0 || j.ninter != 0 || j.odd {
		j.lose(i)
		return
	}
	if !j.cursorOp(i, final) {
		j.lose(i)
	}
}

// cursorOp applies a modelled CSI (no prefix, no intermediates) and
// reports whether it is one.
func (j *jumper) cursorOp(i int, final byte) bool {
	C, R := j.cols, j.rows
	n := j.arg(0, 1)
	setX := func(x int) bool {
		x = min(max(x, 0), C-1)
		if x > C-2 {
			return false
		}
		j.x0, j.x1 = x, x
		return true
	}
	switch final {
	case 'A': // CUU
		j.y = max(j.y-n, 0)
	case 'B': // CUD
		j.y = min(j.y+n, R-1)
	case 'e': // VPR
		j.y = min(j.y+n, R-1)
	case 'C': // CUF
		if j.x1+n > C-2 {
			return false
		}
		j.x0, j.x1 = j.x0+n, j.x1+n
	case 'a': // HPR
		if j.x1+n > C-2 {
			return false
		}
		j.x0, j.x1 = j.x0+n, j.x1+n
	case 'D': // CUB
		j.x0, j.x1 = max(j.x0-n, 0), max(j.x1-n, 0)
	case 'E': // CNL
		j.y = min(j.y+n, R-1)
		j.x0, j.x1 = 0, 0
	case 'F': // CPL
		j.y = max(j.y-n, 0)
		j.x0, j.x1 = 0, 0
	case 'G', '`': // CHA, HPA
		return setX(n - 1)
	case 'd': // VPA
		j.y = min(max(n-1, 0), R-1)
	case 'H', 'f': // CUP, HVP
		row, col := j.arg(0, 1), j.arg(1, 1)
		if !setX(col - 1) {
			return false
		}
		j.y = min(max(row-1, 0), R-1)
	case 'J': // ED
		switch j.arg(0, 0) {
		case 0:
			for r := j.y + 1; r < R; r++ {
				j.setBirth(r, i)
			}
			if j.x0 == 0 && j.x1 == 0 {
				j.setBirth(j.y, i)
			}
		case 1:
			for r := 0; r < j.y; r++ {
				j.setBirth(r, i)
			}
		case 2, 3:
			for r := range j.birth {
				j.birth[r] = i
			}
		default:
			return false
		}
	case 'K': // EL
		switch j.arg(0, 0) {
		case 0:
			if j.x0 == 0 && j.x1 == 0 {
				j.setBirth(j.y, i)
			}
		case 1:
		case 2:
			j.setBirth(j.y, i)
		default:
			return false
		}
	case 'X', '@', 'P': // ECH, ICH, DCH: the row's cells only
	default:
		return false
	}
	return true
}

// decModes applies DECSET/DECRST and reports whether all its modes are
// ones the model can replay.
func (j *jumper) decModes(set bool) bool {
	if j.odd || j.nparams == 0 {
		return false
	}
	safe := true
	for k := 0; k < j.nparams; k++ {
		switch j.arg(k, 0) {
		case 6:
			j.decom = set
			safe = false
		case 69:
			j.lrmm = set
			safe = false
		case 7:
			j.awmOff = !set
			safe = false
		case 1, 5, 9, 12, 25, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1015, 1016, 2004, 2026:
		default:
			safe = false
		}
	}
	return safe
}

// sgrEnd returns the end of a plain SGR sequence (ESC [ digits and
// semicolons m) starting at p[i], or 0. The parser goes through it from
// ground state back to ground state, dispatching it.
func sgrEnd(p []byte, i int) int {
	if p[i] != 0x1b || i+2 >= len(p) || p[i+1] != '[' {
		return 0
	}
	for k := i + 2; k < len(p) && k < i+64; k++ {
		c := p[k]
		switch {
		case c >= '0' && c <= '9' || c == ';':
		case c == 'm':
			return k + 1
		default:
			return 0
		}
	}
	return 0
}

// utf8Len is x/ansi's length for a UTF-8 lead byte.
func utf8Len(b byte) int {
	switch {
	case b >= 0xc2 && b <= 0xdf:
		return 2
	case b >= 0xe0 && b <= 0xef:
		return 3
	case b >= 0xf0 && b <= 0xf4:
		return 4
	}
	return 1
}

// jumpFeed writes the batch p to an emulator through j. write feeds the
// emulator; cursor reads its cursor between writes. It returns how many
// bytes of p were skipped. Contiguous parts of p go out in one write:
// x/vt ends a grapheme cluster at the end of each write, so splitting a
// write where the plain stream is not split could change a cluster.
func jumpFeed(j *jumper, p []byte, write func([]byte), cursor func() (x, y int), cols, rows int) (skipped int) {
	pa, pb := 0, 0 // p[pa:pb] is waiting to be written
	emit := func(a, b int) {
		if a == pb {
			pb = b
			return
		}
		if pb > pa {
			write(p[pa:pb])
		}
		pa, pb = a, b
	}
	flush := func() {
		if pb > pa {
			write(p[pa:pb])
		}
		pa = pb
	}
	if len(p) > math.MaxInt32 {
		j.unsync()
		write(p)
		return 0
	}
	j.newBatch()
	for i := 0; i < len(p); {
		if !j.synced {
			k, ok := j.resync(p, i)
			emit(i, k)
			i = k
			if ok {
				flush()
				x, y := cursor()
				j.start(x, y, cols, rows, i)
			}
			continue
		}
		stop, resume, cut, cutY := j.run(p, i)
		if lo := max(i, j.base); cut > lo {
			emit(i, lo)
			flush()
			write(j.makeStandIn(p, lo, cut, cutY, stop))
			pa, pb = cut, cut
			emit(cut, resume)
			skipped += cut - lo
		} else {
			emit(i, resume)
		}
		i = resume
	}
	flush()
	return skipped
}
