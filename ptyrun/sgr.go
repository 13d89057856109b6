package ptyrun

import (
	"strconv"
)

// sgrEffect is what a run of SGR sequences does to the pen, field by
// field, in x/vt's terms (ultraviolet's ReadStyle): each field is either
// left alone or set, and the last setting wins. Replaying the effect is a
// few short sequences instead of every SGR of the skipped lines.
type sgrEffect struct {
	reset          bool
	attrSet, attrV uint8 // which attribute bits were set, and to what
	ul             int8  // 0: left alone, 4 or 24
	fg, bg, ulc    sgrColor
}

// sgrColor is the last colour setting of one field: its parameters as
// written (30..37, 39, 90..97, 38;5;n, 38;2;r;g;b, and their bg and
// underline counterparts); n == 0 means left alone.
type sgrColor struct {
	n int8
	p [5]int16
}

// ultraviolet's attribute bits.
const (
	sgrBold uint8 = 1 << iota
	sgrFaint
	sgrItalic
	sgrBlink
	sgrRapid
	sgrReverse
	sgrConceal
	sgrStrike
)

// sgrOn and sgrOff give the bits an SGR number sets or clears.
func sgrOn(p int) uint8 {
	switch p {
	case 1:
		return sgrBold
	case 2:
		return sgrFaint
	case 3:
		return sgrItalic
	case 5:
		return sgrBlink
	case 6:
		return sgrRapid
	case 7:
		return sgrReverse
	case 8:
		return sgrConceal
	case 9:
		return sgrStrike
	}
	return 0
}

func sgrOff(p int) uint8 {
	switch p {
	case 22:
		return sgrBold | sgrFaint
	case 23:
		return sgrItalic
	case 25:
		return sgrBlink | sgrRapid
	case 27:
		return sgrReverse
	case 28:
		return sgrConceal
	case 29:
		return sgrStrike
	}
	return 0
}

// add folds one SGR sequence (its parameter bytes) into e. It reports
// false for anything it does not model exactly (colons, malformed
// colours, unknown numbers); the caller then replays the sequences as
// they are.
func (e *sgrEffect) add(params []byte) bool {
	// Most SGRs have one parameter (colours, bold, resets): no list needed.
	if len(params) <= 3 {
		p := 0
		one := true
		for _, c := range params {
			if c < '0' || c > '9' {
				one = false
				break
			}
			p = p*10 + int(c-'0')
		}
		if one { // a lone 38, 48 or 58 is malformed: apply says so
			return e.apply(p)
		}
	}
	var ps [32]int
	n := 0
	cur := -1
	for _, c := range params {
		switch {
		case c >= '0' && c <= '9':
			if cur < 0 {
				cur = 0
			}
			if cur > 9999 {
				return false
			}
			cur = cur*10 + int(c-'0')
		case c == ';':
			if n == len(ps) {
				return false
			}
			ps[n], n, cur = max(cur, 0), n+1, -1
		default:
			return false
		}
	}
	if n == len(ps) {
		return false
	}
	ps[n], n = max(cur, 0), n+1 // a missing parameter is 0 (reset)
	for i := 0; i < n; i++ {
		p := ps[i]
		if p != 38 && p != 48 && p != 58 {
			if !e.apply(p) {
				return false
			}
			continue
		}
		k := 0
		switch {
		case i+2 < n && ps[i+1] == 5 && ps[i+2] <= 255:
			k = 3
		case i+4 < n && ps[i+1] == 2 && ps[i+2] <= 255 && ps[i+3] <= 255 && ps[i+4] <= 255:
			k = 5
		default:
			return false
		}
		c := sgrColor{n: int8(k)}
		for j := range k {
			c.p[j] = int16(ps[i+j])
		}
		switch p {
		case 38:
			e.fg = c
		case 48:
			e.bg = c
		default:
			e.ulc = c
		}
		i += k - 1
	}
	return true
}

// apply folds one parameter other than 38, 48 and 58 into e; false for
// numbers it does not model.
func (e *sgrEffect) apply(p int) bool {
	switch {
	case p == 0:
		*e = sgrEffect{reset: true}
	case sgrOn(p) != 0:
		e.attrSet |= sgrOn(p)
		e.attrV |= sgrOn(p)
	case sgrOff(p) != 0:
		e.attrSet |= sgrOff(p)
		e.attrV &^= sgrOff(p)
	case p == 4 || p == 24:
		e.ul = int8(p)
	case p >= 30 && p <= 37, p == 39, p >= 90 && p <= 97:
		e.fg = sgrColor{n: 1, p: [5]int16{int16(p)}}
	case p >= 40 && p <= 47, p == 49, p >= 100 && p <= 107:
		e.bg = sgrColor{n: 1, p: [5]int16{int16(p)}}
	case p == 59:
		e.ulc = sgrColor{n: 1, p: [5]int16{59}}
	default:
		return false
	}
	return true
}

// bgSet reports whether e sets the background (a colour, or a reset), and
// whether to the default.
func (e *sgrEffect) bgSet() (set, toDefault bool) {
	switch {
	case e.bg.n > 0:
		return true, e.bg.n == 1 && e.bg.p[0] == 49
	case e.reset:
		return true, true
	}
	return false, false
}

// appendTo appends SGR sequences with the effect of e.
func (e *sgrEffect) appendTo(b []byte) []byte {
	seq := func(ps ...int16) {
		b = append(b, "\x1b["...)
		for k, p := range ps {
			if k > 0 {
				b = append(b, ';')
			}
			b = strconv.AppendInt(b, int64(p), 10)
		}
		b = append(b, 'm')
	}
	if e.reset {
		seq(0)
	}
	// Clearing goes first: 22 and 25 clear two bits each, and a bit of
	// theirs that is set again comes after.
	for _, p := range []int16{22, 23, 25, 27, 28, 29} {
		if e.attrSet&sgrOff(int(p))&^e.attrV != 0 {
			seq(p)
		}
	}
	for p := int16(1); p <= 9; p++ {
		if bit := sgrOn(int(p)); bit != 0 && e.attrSet&e.attrV&bit != 0 {
			seq(p)
		}
	}
	if e.ul != 0 {
		seq(int16(e.ul))
	}
	for _, c := range []sgrColor{e.fg, e.bg, e.ulc} {
		if c.n > 0 {
			seq(c.p[:c.n]...)
		}
	}
	return b
}
