package steps

import (
	"fmt"
	"strings"

	"github.com/heidi-cli/heidi/probe"
)

// BadRelease is a range of OpenCode releases known to break the ChatGPT
// connection, with the upstream issues and the way out.
type BadRelease struct {
	From, Below probe.Version // [From, Below)
	What        string
	Issues      []string
	MoveTo      []string // commands, most useful first
}

// badReleases: reported upstream with a reproduction. The bug depends on
// the machine: upstream it was reported on Windows (Scoop) and could not
// be reproduced by the maintainers everywhere, and the real 1.15.4 here
// (Linux, the version matrix, 2026-12-04) lists the ChatGPT methods and
// keeps a stored login. So heidi warns and goes on; it stops only when
// the methods are in fact missing (see ConnectFailure in connect.go).
var badReleases = []BadRelease{{
	From:  probe.Version{Major: 1, Minor: 14, Patch: 49},
	Below: probe.Version{Major: 1, Minor: 16, Patch: 0},
	What:  "on some machines its `auth login` offers only \"Manually enter API Key\" for OpenAI: the ChatGPT Plus/Pro login methods are missing, and a stored ChatGPT login may be ignored",
	// 1.14.48 works, 1.14.49 and later lost them there, still on 1.15.6.
	Issues: []string{"anomalyco/opencode#27905", "#28608", "#28636"},
	MoveTo: []string{
		"Update OpenCode (1.18.33 is tested with heidi): npm install -g opencode-ai@latest",
		"or go back to the last good release: npm install -g opencode-ai@1.14.48",
	},
}}

// KnownBad returns the known-bad range v falls in, or nil.
func KnownBad(v probe.Version) *BadRelease {
	if v.IsZero() {
		return nil
	}
	for i := range badReleases {
		b := &badReleases[i]
		if v.AtLeast(b.From.Major, b.From.Minor, b.From.Patch) && !v.AtLeast(b.Below.Major, b.Below.Minor, b.Below.Patch) {
			return b
		}
	}
	return nil
}

// Why is the bug in a sentence.
func (b *BadRelease) Why(v probe.Version) string {
	return fmt.Sprintf("OpenCode %s has a known bug: %s (%s).", v.Raw, b.What, strings.Join(b.Issues, ", "))
}

// Note is the warning shown while heidi goes on with such a release.
func (b *BadRelease) Note(v probe.Version) string {
	return b.Why(v) + " heidi goes on; if the login shows no ChatGPT method: " + b.MoveTo[0]
}
