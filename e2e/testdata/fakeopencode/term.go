package main

import (
	"os"
	"sync"
	"time"
	"unicode/utf8"
)

type key struct {
	ch   string // the printable text, if any
	name string // return, enter, backspace, escape, up, down, left, right, tab, space, c (with ctrl)...
	ctrl bool
	seq  string
}

func (k key) isCancel() bool { return k.seq == "\x03" || k.name == "escape" }

var (
	keysOnce sync.Once
	keys     = make(chan key, 1024)
)

// startKeys begins reading stdin (lazily, like the real prompts). EOF simply
// stops the feed: a prompt waiting for keys then waits forever, as the real
// client does with stdin=/dev/null.
func startKeys() {
	keysOnce.Do(func() {
		chunks := make(chan []byte, 64)
		go func() {
			b := make([]byte, 4096)
			for {
				n, err := os.Stdin.Read(b)
				if n > 0 {
					chunks <- append([]byte(nil), b[:n]...)
				}
				if err != nil {
					close(chunks)
					return
				}
			}
		}()
		go func() {
			var pend []byte
			for {
				var timeout <-chan time.Time
				if len(pend) > 0 {
					timeout = time.After(50 * time.Millisecond) // escapeCodeTimeout
				}
				select {
				case c, ok := <-chunks:
					if !ok {
						parseKeys(pend, true)
						return
					}
					pend = parseKeys(append(pend, c...), false)
				case <-timeout:
					pend = parseKeys(pend, true)
				}
			}
		}()
	})
}

// parseKeys emits every complete key in b and returns an incomplete escape
// sequence tail (unless flush, when a lone ESC becomes the escape key).
func parseKeys(b []byte, flush bool) []byte {
	for len(b) > 0 {
		c := b[0]
		switch {
		case c == 0x1b:
			if len(b) == 1 {
				if !flush {
					return b
				}
				keys <- key{name: "escape", seq: "\x1b"}
				return nil
			}
			if b[1] == '[' || b[1] == 'O' {
				// CSI / SS3: parameters then a final byte in 0x40..0x7e
				j := 2
				for j < len(b) && (b[j] < 0x40 || b[j] > 0x7e) {
					j++
				}
				if j >= len(b) {
					if !flush {
						return b
					}
					keys <- key{name: "escape", seq: "\x1b"}
					b = b[1:]
					continue
				}
				seq := string(b[:j+1])
				name := map[byte]string{'A': "up", 'B': "down", 'C': "right", 'D': "left", 'H': "home", 'F': "end"}[b[j]]
				if b[j] == '~' {
					name = map[string]string{"3": "delete", "1": "home", "4": "end", "7": "home", "8": "end"}[string(b[2:j])]
				}
				if name == "" {
					name = "undefined"
				}
				keys <- key{name: name, seq: seq}
				b = b[j+1:]
				continue
			}
			if b[1] == 0x1b {
				keys <- key{name: "escape", seq: "\x1b"}
				b = b[1:]
				continue
			}
			// meta + char
			_, sz := utf8.DecodeRune(b[1:])
			keys <- key{name: string(b[1 : 1+sz]), seq: string(b[:1+sz])}
			b = b[1+sz:]
		case c == '\r':
			keys <- key{name: "return", seq: "\r"}
			b = b[1:]
		case c == '\n':
			keys <- key{name: "enter", seq: "\n"}
			b = b[1:]
		case c == '\t':
			keys <- key{name: "tab", seq: "\t"}
			b = b[1:]
		case c == 0x7f || c == 0x08:
			keys <- key{name: "backspace", seq: string(c)}
			b = b[1:]
		case c < 0x20:
			keys <- key{name: string(rune('a' + c - 1)), ctrl: true, seq: string(c)}
			b = b[1:]
		default:
			r, sz := utf8.DecodeRune(b)
			if r == utf8.RuneError && sz == 1 && !flush && len(b) < 4 && !utf8.FullRune(b) {
				return b
			}
			s := string(b[:sz])
			name := s
			if s == " " {
				name = "space"
			} else if len(s) == 1 && s[0] >= 'A' && s[0] <= 'Z' {
				name = string(s[0] + 32)
			}
			keys <- key{ch: s, name: name, seq: s}
			b = b[sz:]
		}
	}
	return nil
}
