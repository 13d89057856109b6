// Package e2e holds black-box tests of the built heidi binary. It imports no
// product package: it builds heidi and the fakes (testdata/fakeopencode,
// testdata/fakebrowser) once, then drives them as a user would, in a pty or
// through plain pipes.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var (
	// fakeBinDir holds `opencode` (the fake) and `fakebrowser`; it goes first
	// on PATH in every test environment.
	fakeBinDir string
	// heidiBin is the built heidi binary ("" when the build failed).
	heidiBin string
	// heidiBuildErr explains why heidiBin is empty.
	heidiBuildErr error
)

// afterTests run once all tests are done (the Windows tier's wine prefix).
var afterTests []func()

// goTool is the go command: `go test` puts its own first on PATH.
func goTool() string { return "go" }

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func goBuild(dir, out, pkg string) error {
	cmd := exec.Command(goTool(), "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, strings.TrimSpace(string(b)))
	}
	return nil
}

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "heidi-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	fakeBinDir = filepath.Join(tmp, "fakebin")
	if err := os.MkdirAll(fakeBinDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	wd, _ := os.Getwd()
	if err := goBuild(wd, filepath.Join(fakeBinDir, "opencode"), "./testdata/fakeopencode"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: cannot build the fake opencode:", err)
		return 1
	}
	if err := goBuild(wd, filepath.Join(fakeBinDir, "fakebrowser"), "./testdata/fakebrowser"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: cannot build the fake browser:", err)
		return 1
	}
	// heidi is written concurrently by others and may not compile yet: the
	// fake's own tests still run; heidi-dependent tests skip (see heidi(t)).
	out := filepath.Join(tmp, "heidi")
	if err := goBuild(filepath.Join(wd, ".."), out, "."); err != nil {
		heidiBuildErr = err
		fmt.Fprintf(os.Stderr, "e2e: WARNING: heidi did not build; heidi tests will skip:\n%v\n", err)
	} else {
		heidiBin = out
	}
	code := m.Run()
	for _, f := range afterTests {
		f()
	}
	return code
}

// heidi returns the built heidi binary. When the build failed the test is
// skipped with the compiler's message, or fails if HEIDI_E2E_REQUIRE=1.
func heidi(t testing.TB) string {
	t.Helper()
	if heidiBin == "" {
		msg := fmt.Sprintf("heidi binary unavailable (build failed):\n%v", heidiBuildErr)
		if os.Getenv("HEIDI_E2E_REQUIRE") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return heidiBin
}

// fakeOpenCode is the path of the fake `opencode`.
func fakeOpenCode() string { return filepath.Join(fakeBinDir, "opencode") }

// fakeBrowser is the path of the fake browser.
func fakeBrowser() string { return filepath.Join(fakeBinDir, "fakebrowser") }

// realOpenCode returns $HEIDI_REAL_OPENCODE (the real opencode binary used
// for side-by-side checks) or skips the test saying how to enable it.
func realOpenCode(t testing.TB) string {
	t.Helper()
	p := os.Getenv("HEIDI_REAL_OPENCODE")
	if p == "" {
		t.Skip("SKIPPED: comparison with the real opencode needs HEIDI_REAL_OPENCODE=/path/to/opencode " +
			"(e.g. .cache/clients/node_modules/.bin/opencode); it runs offline with a throwaway HOME")
	}
	if !fileExists(p) {
		t.Fatalf("HEIDI_REAL_OPENCODE=%s does not exist", p)
	}
	return p
}
