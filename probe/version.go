package probe

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// Version is a parsed semantic version such as OpenCode's "1.18.33".
type Version struct {
	Major, Minor, Patch int
	Raw                 string // the text it was parsed from, trimmed
}

var versionRE = lazyRE(`(\d+)\.(\d+)\.(\d+)`)

// maxRawVersion bounds Version.Raw: longer text is replaced by the line that
// holds the version, or by the match itself.
const maxRawVersion = 80

// ParseVersion extracts the first x.y.z in s ("1.18.33", "v1.2.3", "codex-cli 0.169.0", "v20.20.2").
//
// Raw is s trimmed; when that is multi-line or longer than 80 bytes, Raw is the
// trimmed line holding the version (or just the x.y.z when that line is long too).
func ParseVersion(s string) (Version, bool) {
	m := versionRE().FindStringSubmatchIndex(s)
	if m == nil {
		return Version{}, false
	}
	var nums [3]int
	for i := range nums {
		n, err := strconv.Atoi(s[m[2+2*i]:m[3+2*i]])
		if err != nil { // overflow
			return Version{}, false
		}
		nums[i] = n
	}
	raw := strings.TrimSpace(s)
	if len(raw) > maxRawVersion || strings.ContainsAny(raw, "\r\n") {
		start := strings.LastIndexAny(s[:m[0]], "\r\n") + 1
		end := len(s)
		if i := strings.IndexAny(s[m[1]:], "\r\n"); i >= 0 {
			end = m[1] + i
		}
		raw = strings.TrimSpace(s[start:end])
		if len(raw) > maxRawVersion {
			raw = s[m[0]:m[1]]
		}
	}
	return Version{Major: nums[0], Minor: nums[1], Patch: nums[2], Raw: raw}, true
}

// IsZero reports whether v was never parsed.
func (v Version) IsZero() bool { return v.Raw == "" && v.Major == 0 && v.Minor == 0 && v.Patch == 0 }

// AtLeast reports v >= major.minor.patch.
func (v Version) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor != minor {
		return v.Minor > minor
	}
	return v.Patch >= patch
}

// String returns "major.minor.patch", or "" for the zero Version.
func (v Version) String() string {
	if v.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// BuiltinChatGPT reports whether this OpenCode has the ChatGPT Plus/Pro login
// built in (1.1.11 and later), so the third-party plugin is not needed.
func (v Version) BuiltinChatGPT() bool { return v.AtLeast(1, 1, 11) }

// CredentialDB reports whether this OpenCode keeps credentials in its database
// (the 2.x line) rather than in auth.json.
func (v Version) CredentialDB() bool { return v.Major >= 2 }

// Tool is one external program: found?, where, and its version.
type Tool struct {
	Name    string
	Path    string
	Found   bool
	Version Version
	Err     string // a safe, human message when the version could not be read
}

// Default timeouts for the version probes (research: opencode --version takes ~1 s).
const VersionTimeout = 10 * time.Second

// ProbeTool looks name up on PATH and runs `name args...` (e.g. --version)
// bounded by timeout, parsing the version from stdout (then stderr).
//
// Not on PATH: Found is false and Err is "". Found but the version could not
// be read (start failure, timeout, non-zero exit, no x.y.z in the output):
// Found is true and Err is a short message that quotes at most one sanitised
// line of output, cut to about 60 characters. The version is only trusted
// from a run that exited 0. A timeout <= 0 means VersionTimeout.
func ProbeTool(ctx context.Context, s Sys, name string, args []string, timeout time.Duration) Tool {
	t := Tool{Name: name}
	if s.LookPath == nil || s.Run == nil {
		t.Err = "cannot look for programs here"
		return t
	}
	p, err := s.LookPath(name)
	if err != nil || p == "" {
		return t
	}
	t.Path, t.Found = p, true
	if timeout <= 0 {
		timeout = VersionTimeout
	}
	cmdline := strings.TrimSpace(name + " " + strings.Join(args, " "))
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := s.Run.Run(rctx, p, args, nil)
	switch {
	case errors.Is(err, ErrTimeout) || (err != nil && errors.Is(rctx.Err(), context.DeadlineExceeded)):
		t.Err = fmt.Sprintf("`%s` did not finish within %s", cmdline, timeout)
		return t
	case errors.Is(err, context.Canceled):
		t.Err = fmt.Sprintf("`%s` was cancelled", cmdline)
		return t
	case err != nil:
		t.Err = fmt.Sprintf("`%s` could not be run", cmdline)
		return t
	}
	if res.ExitCode != 0 {
		t.Err = fmt.Sprintf("`%s` exited with code %d", cmdline, res.ExitCode)
		if line := firstLine(res.Stderr, res.Stdout); line != "" {
			t.Err += ": " + line
		}
		return t
	}
	for _, out := range [][]byte{res.Stdout, res.Stderr} {
		if v, ok := ParseVersion(string(out)); ok {
			t.Version = v
			return t
		}
	}
	t.Err = fmt.Sprintf("`%s` exited with code 0 but printed no version", cmdline)
	if line := firstLine(res.Stdout, res.Stderr); line != "" {
		t.Err += ": " + line
	}
	return t
}

// maxQuoted is how many runes of a program's output an error message may quote.
const maxQuoted = 60

// firstLine returns the first non-blank line of the first output that has
// one, with ANSI sequences and control characters removed, cut to maxQuoted
// runes. It looks at no more than the first 4 KiB of each output.
func firstLine(outs ...[]byte) string {
	for _, out := range outs {
		if len(out) > 4096 {
			out = out[:4096]
		}
		for _, line := range strings.Split(ansi.Strip(string(out)), "\n") {
			if l := SafeText(line, maxQuoted); l != "" {
				return l
			}
		}
	}
	return ""
}

// SafeText makes s fit to show in a terminal or a log line: ANSI sequences
// and control characters go, invalid UTF-8 becomes U+FFFD, runs of spaces
// collapse, and the result is cut to at most max runes (ending in "…" when
// cut). It is meant for short non-secret text such as a program's error line.
func SafeText(s string, max int) string {
	if max <= 0 {
		return ""
	}
	cut := false
	if limit := 4*max + 64; len(s) > limit {
		s, cut = s[:limit], true
	}
	out := make([]rune, 0, max+1)
	pending := false
	for _, r := range ansi.Strip(s) {
		if unicode.Is(unicode.Cf, r) { // zero-width and bidi controls
			continue
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			pending = len(out) > 0
			continue
		}
		if pending {
			out = append(out, ' ')
			pending = false
		}
		out = append(out, r)
		if len(out) > max {
			break
		}
	}
	switch {
	case len(out) > max:
		out = append(out[:max-1], '…')
	case cut && len(out) == max:
		out[max-1] = '…'
	case cut:
		out = append(out, '…')
	}
	return string(out)
}
