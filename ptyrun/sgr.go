package ptyrun

import (
	"strconv"
)

// sgrEffect is what a run of SGR sequences does to the pen, field by
// field, in x/vt's terms (ultraviolet's ReadStyle): each field is either
// left alone or set, and the last setting wins. Replaying the effect is
// one short sequence instead of every SGR of the skipped lines.
type sgrEffect struct {
	reset          bool
	attrSet, attrV uint8 // which attribute bits were set, and to what
	ul             string
	fg, bg, ulc    string // the last colour parameters, as written
}

// ultraviolet's attribute bits, in the order of their SGR numbers.
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

// sgrOn and sgrOff map SGR numbers to the bits they set or clear.
var sgrOn = map[int]uint8{1: sgrBold, 2: sgrFaint, 3: sgrItalic, 5: sgrBlink, 6: sgrRapid, 7: sgrReverse, 8: sgrConceal, 9: sgrStrike}
var sgrOff = map[int]uint8{22: sgrBold | sgrFaint, 23: sgrItalic, 25: sgrBlink | sgrRapid, 27: sgrReverse, 28: sgrConceal, 29: sgrStrike}

// add folds one SGR sequence (its parameter bytes) into e. It reports
// false for anything it does not model exactly (colons, malformed
// colours, unknown numbers); the caller then replays the sequences as
// they are.
func (e *sgrEffect) add(params []byte) bool {
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
		switch {
		case p == 0:
			*e = sgrEffect{reset: true}
		case sgrOn[p] != 0:
			e.attrSet |= sgrOn[p]
			e.attrV |= sgrOn[p]
		case sgrOff[p] != 0:
			e.attrSet |= sgrOff[p]
			e.attrV &^= sgrOff[p]
		case p == 4:
			e.ul = "4"
		case p == 24:
			e.ul = "24"
		case p >= 30 && p <= 37, p == 39, p >= 90 && p <= 97:
			e.fg = strconv.Itoa(p)
		case p >= 40 && p <= 47, p == 49, p >= 100 && p <= 107:
			e.bg = strconv.Itoa(p)
		case p == 59:
			e.ulc = "59"
		case p == 38 || p == 48 || p == 58:
			k := 0
			switch {
			case i+2 < n && ps[i+1] == 5 && ps[i+2] <= 255:
				k = 3
			case i+4 < n && ps[i+1] == 2 && ps[i+2] <= 255 && ps[i+3] <= 255 && ps[i+4] <= 255:
				k = 5
			default:
				return false
			}
			s := strconv.Itoa(p)
			for _, q := range ps[i+1 : i+k] {
				s += ";" + strconv.Itoa(q)
			}
			switch p {
			case 38:
				e.fg = s
			case 48:
				e.bg = s
			default:
				e.ulc = s
			}
			i += k - 1
		default:
			return false
		}
	}
	return true
}

// appendTo appends SGR sequences with the effect of e.
func (e *sgrEffect) appendTo(b []byte) []byte {
	seq := func(p string) {
		b = append(b, "\x1b["...)
		b = append(b, p...)
		b = append(b, 'm')
	}
	if e.reset {
		seq("0")
	}
	// Clearing goes first: 22 and 25 clear two bits each, and a bit of
	// theirs that is set again comes after.
	for _, p := range []int{22, 23, 25, 27, 28, 29} {
		if bits := sgrOff[p]; e.attrSet&bits&^e.attrV != 0 {
			seq(strconv.Itoa(p))
		}
	}
	for p := 1; p <= 9; p++ {
		if bit := sgrOn[p]; bit != 0 && e.attrSet&e.attrV&bit != 0 {
			seq(strconv.Itoa(p))
		}
	}
	for _, p := range []string{e.ul, e.fg, e.bg, e.ulc} {
		if p != "" {
			seq(p)
		}
	}
	return b
}
