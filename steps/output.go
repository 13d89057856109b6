package steps

// What heidi shows of a child's output, in one place: its telling line,
// its last lines, its last error line; each stripped of escapes, redacted
// and bounded, so it is safe to show.

import (
	"cmp"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/redact"
)

// ErrorLine picks the most telling line of a child's output ("Error: …" first),
// stripped of escapes, redacted and shortened. It is safe to show.
func ErrorLine(streams ...[]byte) string {
	var last string
	for _, b := range streams {
		for _, line := range strings.Split(ansi.Strip(string(b)), "\n") {
			line = strings.TrimSpace(strings.TrimLeft(line, "│┌└■◇●◆ "))
			if line == "" {
				continue
			}
			if i := strings.Index(line, "Error: "); i >= 0 {
				return shorten(redact.String(line[i:]), 200)
			}
			if last == "" {
				last = line
			}
		}
	}
	if last == "" {
		return "no output"
	}
	return shorten(redact.String(last), 200)
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Tail returns the last n non-empty lines of s (at most max bytes),
// ANSI-stripped and redacted: safe to show.
func Tail(s string, n, max int) string {
	s = redact.String(ansi.Strip(s))
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n") {
		if strings.TrimSpace(l) != "" && !spinnerOnly(l) {
			lines = append(lines, strings.TrimRight(l, " \t"))
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := strings.Join(lines, "\n")
	if len(out) > max {
		out = "…" + out[len(out)-max:]
	}
	return out
}

// LastErrorLine is the last line of a child's transcript that says
// "error", else its last line; redacted and short.
func LastErrorLine(transcript string) string {
	var last, lastErr string
	for _, l := range strings.Split(ansi.Strip(transcript), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		last = l
		if strings.Contains(strings.ToLower(l), "error") {
			lastErr = l
		}
	}
	l := redact.String(cmp.Or(lastErr, last))
	if r := []rune(l); len(r) > 200 {
		l = string(r[:199]) + "…"
	}
	return l
}
