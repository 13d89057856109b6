package version

import (
	"os"
	"os/exec"
	"testing"
)

// TestLoneVersionFlag runs this test binary as `<binary> --version` and
// `-v`: the package's init answers and exits before the test framework
// starts. With anything else next to the flag, init lets the program go on.
func TestLoneVersionFlag(t *testing.T) {
	for _, arg := range []string{"--version", "-v"} {
		out, err := exec.Command(os.Args[0], arg).Output()
		if err != nil || string(out) != Line() {
			t.Errorf("%s: %q, %v; want %q and exit 0", arg, out, err, Line())
		}
	}
	out, err := exec.Command(os.Args[0], "-test.run=^$", "--version").CombinedOutput()
	if err == nil || string(out) == Line() {
		t.Errorf("-test.run=^$ --version: %q, %v; want the test binary's own error for an unknown flag", out, err)
	}
}

func TestString(t *testing.T) {
	defer func(v string) { Version = v }(Version)
	Version = "v1.2.3"
	if got := String(); got != "v1.2.3" {
		t.Errorf("String() = %q with Version set", got)
	}
	if got := Line(); got != "heidi v1.2.3\n" {
		t.Errorf("Line() = %q", got)
	}
	Version = ""
	if got := String(); got != "dev" { // a test binary has no module version
		t.Errorf("String() = %q without Version, want dev", got)
	}
}
