package ptyrun

import (
	"strings"
	"unicode/utf8"
)

// transcript keeps the plain text of everything printed: escape sequences
// removed, CR, LF and CRLF turned into "\n", and cursor moves that start
// another line (CUU/CUD/CNL/CPL/CUP/VPA, CHA to column 1, a far CUB such as
// clack's "\x1b[999D") ending the current line, so redrawn prompts read as
// lines. It is a state machine, so sequences split across reads are fine.
type transcript struct {
	buf         []byte
	mode        uint8
	param       int  // first CSI parameter
	paramDone   bool // past the first ';'
	private     bool // CSI with a '<', '=', '>' or '?' prefix
	atLineStart bool
	pendingCR   bool
}

const (
	trGround uint8 = iota
	trEsc
	trEscInt
	trCSI
	trStr
	trStrEsc
)

func (t *transcript) Write(p []byte) {
	if t.buf == nil {
		t.atLineStart = true
	}
	for i := 0; i < len(p); i++ {
		if t.mode == trGround {
			// A run of printable bytes goes in at once (ground's common case).
			k := i
			for k < len(p) && p[k] >= 0x20 && p[k] != 0x7f {
				k++
			}
			if k > i {
				if t.pendingCR {
					t.newline()
				}
				t.buf = append(t.buf, p[i:k]...)
				t.atLineStart = false
				i = k - 1
				t.trim()
				continue
			}
		}
		t.step(p[i])
	}
	t.trim()
}

// trim keeps the buffer under twice what String shows.
func (t *transcript) trim() {
	if len(t.buf) > 2*transcriptMax {
		n := copy(t.buf, t.buf[len(t.buf)-transcriptMax:])
		t.buf = t.buf[:n]
	}
}

func (t *transcript) step(c byte) {
	switch t.mode {
	case trGround:
		t.ground(c)
	case trEsc:
		switch {
		case c == '[':
			t.mode, t.param, t.paramDone, t.private = trCSI, 0, false, false
		case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
			t.mode = trStr
		case c == 0x1b:
		case c >= 0x20 && c <= 0x2f:
			t.mode = trEscInt
		case c >= 0x30 && c <= 0x7e:
			t.mode = trGround
			if c == 'E' { // NEL
				t.lineBreak()
			}
		default:
			t.mode = trGround
			t.ground(c)
		}
	case trEscInt:
		switch {
		case c >= 0x20 && c <= 0x2f:
		case c >= 0x30 && c <= 0x7e:
			t.mode = trGround
		case c == 0x1b:
			t.mode = trEsc
		default:
			t.mode = trGround
			t.ground(c)
		}
	case trCSI:
		switch {
		case c >= '0' && c <= '9':
			if !t.paramDone && t.param < 1<<20 {
				t.param = t.param*10 + int(c-'0')
			}
		case c == ';' || c == ':':
			t.paramDone = true
		case c >= 0x3c && c <= 0x3f:
			t.private = true
		case c >= 0x20 && c <= 0x2f:
		case c >= 0x40 && c <= 0x7e:
			t.mode = trGround
			t.csi(c)
		case c == 0x1b:
			t.mode = trEsc
		case c == 0x18 || c == 0x1a || c >= 0x80:
			t.mode = trGround
		default: // C0 controls are executed inside a sequence
			t.ground(c)
		}
	case trStr:
		switch c {
		case 0x07, 0x18, 0x1a:
			t.mode = trGround
		case 0x1b:
			t.mode = trStrEsc
		}
	case trStrEsc:
		if c == '\\' {
			t.mode = trGround
		} else {
			t.mode = trEsc
			t.step(c)
		}
	}
}

func (t *transcript) ground(c byte) {
	switch {
	case c == 0x1b:
		t.mode = trEsc
	case c == '\r':
		if !t.atLineStart {
			t.pendingCR = true
		}
	case c == '\n':
		t.newline()
	case c == '\t' || c >= 0x20 && c != 0x7f:
		if t.pendingCR {
			t.newline()
		}
		t.buf = append(t.buf, c)
		t.atLineStart = false
	}
}

func (t *transcript) csi(final byte) {
	if t.private {
		return
	}
	switch final {
	case 'A', 'B', 'E', 'F', 'H', 'f', 'd':
		t.lineBreak()
	case 'G':
		if t.param <= 1 {
			t.lineBreak()
		}
	case 'D':
		if t.param >= 80 {
			t.lineBreak()
		}
	}
}

func (t *transcript) lineBreak() {
	if !t.atLineStart {
		t.newline()
	}
}

func (t *transcript) newline() {
	t.buf = append(t.buf, '\n')
	t.atLineStart = true
	t.pendingCR = false
}

func (t *transcript) String() string {
	b := t.buf
	if len(b) > transcriptMax {
		b = b[len(b)-transcriptMax:]
		for len(b) > 0 && !utf8.RuneStart(b[0]) {
			b = b[1:]
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
