package ptyrun

import "encoding/binary"

// Runs of text, eight bytes at a time: the transcript and the jump-scroll
// scan both spend most of their time finding where a run of printable
// bytes ends. The word tests are the "hasless"/"hasmore"/"haszero" tricks
// (exact as yes/no answers); a word that may hold an end is finished byte
// by byte.

const (
	ones = 0x0101010101010101
	high = 0x8080808080808080
)

// asciiRun returns the end of the run of printable ASCII (0x20..0x7e)
// that starts at p[i].
func asciiRun(p []byte, i int) int {
	for ; i+8 <= len(p); i += 8 {
		x := binary.LittleEndian.Uint64(p[i:])
		if ((x-0x20*ones)&^x|(x+ones|x))&high != 0 { // a byte < 0x20 or > 0x7e
			break
		}
	}
	for i < len(p) && p[i] >= 0x20 && p[i] < 0x7f {
		i++
	}
	return i
}

// textRun returns the end of the run of bytes that are neither C0
// controls nor DEL (UTF-8 included) that starts at p[i].
func textRun(p []byte, i int) int {
	for ; i+8 <= len(p); i += 8 {
		x := binary.LittleEndian.Uint64(p[i:])
		d := x ^ 0x7f*ones
		if ((x-0x20*ones)&^x|(d-ones)&^d)&high != 0 { // a byte < 0x20 or == 0x7f
			break
		}
	}
	for i < len(p) && p[i] >= 0x20 && p[i] != 0x7f {
		i++
	}
	return i
}
