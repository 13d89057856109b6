package probe

import (
	"regexp"
	"sync"
)

// lazyRE compiles a regular expression on first use. Package-level
// MustCompile calls run at every start of the binary, `heidi --version`
// included; these patterns are only needed once a command reads a child's
// output or a file.
func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
