package steps

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/heidi-cli/heidi/probe"
)

// probeMethod is a method label no OpenCode has; asking for it makes OpenCode
// list the labels it does have ("Unknown method … Available: …").
const probeMethod = "heidi-list-methods"

var availableRe = lazyRE(`Unknown method "[^"]*" for [^.]*\. Available: ([^\n]+)`)

// ParseMethods extracts the login method labels from OpenCode's
// "Unknown method … Available: a, b, c" error.
func ParseMethods(out string) []string {
	t := ansi.Strip(out)
	m := availableRe().FindStringSubmatch(t)
	if m == nil {
		m = v2NotFoundRe().FindStringSubmatch(t) // OpenCode 2's ids
	}
	if m == nil {
		return nil
	}
	var labels []string
	for _, l := range strings.Split(m[1], ", ") {
		if l = strings.TrimSpace(l); l != "" {
			labels = append(labels, l)
		}
	}
	return labels
}

// Sentence starts s with a capital letter (it follows a full stop).
func Sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// KnownMethods are the OpenAI login labels of the OpenCode releases
// measured to have them (docs/versions.md: from 1.2.20, which has -p/-m,
// through 1.18.33 every 1.x lists these three), nil for the others, whose
// labels must be asked for. With them the login starts at once, without a
// discovery call first; a wrong guess costs one quick "Unknown method …
// Available: …" answer, which names the right labels (issue 17).
func KnownMethods(v probe.Version) []string {
	if v.CredentialDB() {
		return v2Methods
	}
	if v.Major == 1 && v.AtLeast(1, 2, 20) && KnownBad(v) == nil {
		return []string{"ChatGPT Pro/Plus (browser)", "ChatGPT Pro/Plus (headless)", "Manually enter API Key"}
	}
	return nil
}

// ErrNoMethodFlags means this OpenCode's `auth login` has no -p/-m flags
// (releases before them print the help instead): the menus must be used.
var ErrNoMethodFlags = errors.New("this OpenCode's `auth login` has no --provider/--method flags")

// DiscoverMethods asks OpenCode which OpenAI login methods it offers, by
// their labels, which differ across versions.
func DiscoverMethods(ctx context.Context, d Deps) ([]string, error) {
	args := []string{"auth", "login", "-p", "openai", "-m", probeMethod}
	if d.V2(ctx) {
		args = LoginArgsFor(true, probeMethod)
	}
	res, err := d.opencodeEnv(ctx, d.Timeouts.List, noCatalogueEnv, args...)
	if err != nil {
		if errors.Is(err, probe.ErrTimeout) {
			return nil, fmt.Errorf("OpenCode did not list its login methods within %s", d.Timeouts.List)
		}
		return nil, fmt.Errorf("cannot run opencode: %w", err)
	}
	all := string(res.Stderr) + "\n" + string(res.Stdout)
	if labels := ParseMethods(all); len(labels) > 0 {
		return labels, nil
	}
	if strings.Contains(all, "Unknown provider") {
		return nil, errors.New("this OpenCode does not know the OpenAI provider")
	}
	if strings.Contains(all, "opencode auth login") || strings.Contains(all, "Options:") || strings.Contains(all, "--help") {
		return nil, ErrNoMethodFlags
	}
	return nil, fmt.Errorf("OpenCode did not list its login methods: %s", ErrorLine(res.Stderr, res.Stdout))
}

// Method kinds heidi can drive.
type MethodKind uint8

const (
	MethodBrowser MethodKind = iota // browser + localhost callback
	MethodDevice                    // device code or manual paste: works headless
)

// PickMethod chooses the label for kind among labels, or "" when none fits.
// It never picks the API-key method: that is not a subscription login.
func PickMethod(labels []string, kind MethodKind) string {
	var want []string
	if kind == MethodBrowser {
		want = []string{"(browser)", "codex subscription", "sign in with chatgpt", "browser"}
	} else {
		want = []string{"(headless)", "device code", "device", "headless", "manual url paste"}
	}
	for _, w := range want {
		for _, l := range labels {
			ll := strings.ToLower(l)
			if strings.Contains(ll, "api key") {
				continue
			}
			if strings.Contains(ll, w) {
				return l
			}
		}
	}
	if kind == MethodBrowser {
		// Early built-in releases (1.1.x) call their only ChatGPT method
		// plainly "ChatGPT Pro/Plus": a browser login.
		for _, l := range labels {
			ll := strings.ToLower(l)
			if strings.Contains(ll, "chatgpt") && !strings.Contains(ll, "api key") && !strings.Contains(ll, "headless") && !strings.Contains(ll, "paste") && !strings.Contains(ll, "device") {
				return l
			}
		}
	}
	return ""
}

// LoginArgs are the arguments of OpenCode's login for one method label; an
// empty label means the interactive menus.
func LoginArgs(label string) []string {
	if label == "" {
		return []string{"auth", "login"}
	}
	return []string{"auth", "login", "-p", "openai", "-m", label}
}

// LoginProgress is what the child's output says so far.
type LoginProgress struct {
	AuthURL   string // the browser authorization URL
	DeviceURL string // the device-code verification page
	Code      string // the one-time device code
	Success   bool   // "Login successful"
	Cancelled bool   // "Canceled"
	Error     string // the "Error: …" line, safe to show
}

var (
	authURLRe   = lazyRE(`Go to: (https://auth\.openai\.com/oauth/authorize\?\S+)`)
	deviceURLRe = lazyRE(`(https://auth\.openai\.com/codex/device)\b`)
	codeRe      = lazyRE(`Enter code: ([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})+)`)
	errRe       = lazyRE(`Error: ([^\n]+)`)
	anyURLRe    = lazyRE(`https://auth\.openai\.com/oauth/authorize\?[^\s"'<>]+`)
)

// ParseLogin reads the (ANSI-stripped) transcript of OpenCode's login.
func ParseLogin(transcript string) LoginProgress {
	t := ansi.Strip(transcript)
	var p LoginProgress
	if m := authURLRe().FindStringSubmatch(t); m != nil {
		p.AuthURL = m[1]
	} else if m := anyURLRe().FindString(t); m != "" {
		p.AuthURL = m // the plugin prints the URL on a line of its own
	}
	if m := deviceURLRe().FindStringSubmatch(t); m != nil {
		p.DeviceURL = m[1]
	}
	if m := codeRe().FindStringSubmatch(t); m != nil {
		p.Code = m[1]
	}
	p.Success = strings.Contains(t, "Login successful")
	p.Cancelled = strings.Contains(t, "Canceled")
	parseV2Login(t, &p)
	if m := errRe().FindAllStringSubmatch(t, -1); m != nil {
		p.Error = shorten(strings.TrimSpace(m[len(m)-1][1]), 200)
	}
	return p
}

// CallbackPort returns the localhost port of the authorization URL's
// redirect_uri (1455 for OpenCode), or 0.
func CallbackPort(authURL string) int {
	u, err := url.Parse(authURL)
	if err != nil {
		return 0
	}
	r, err := url.Parse(u.Query().Get("redirect_uri"))
	if err != nil {
		return 0
	}
	if h := r.Hostname(); h != "localhost" && h != "127.0.0.1" {
		return 0
	}
	port, _ := strconv.Atoi(r.Port())
	return port
}

// CancelBrowserLogin asks a waiting browser login to give up. The real
// client ignores SIGTERM and SIGINT for up to 300 s while it waits, but
// answers GET /cancel on its callback port within 0.1 s.
func CancelBrowserLogin(ctx context.Context, port int) {
	if port <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	u := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) + "/cancel"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
	}
}

// VerifyLogin judges a login by the store, never by the exit code alone
// (Ctrl+C in the real client's terminal exits 0): after must hold a usable
// OpenAI OAuth entry that is new or changed since before.
func VerifyLogin(before, after probe.Credential) error {
	switch {
	case after.Problem == probe.StoreMissing:
		return errors.New("the login finished but OpenCode stored no OpenAI credential")
	case after.Problem != probe.StoreOK && !after.Present:
		return fmt.Errorf("OpenCode's credential store is unusable after the login: %s", after.Detail)
	case !after.Present:
		return errors.New("the login finished but OpenCode stored no OpenAI credential")
	case after.Type != probe.CredOAuth:
		return fmt.Errorf("the stored OpenAI credential is %q, not a ChatGPT subscription login", string(after.Type))
	case !after.EntryOK:
		return errors.New("the stored OpenAI login is incomplete")
	}
	fresh := !before.Present || before.Type != probe.CredOAuth ||
		!after.ModTime.Equal(before.ModTime) || !after.Expires.Equal(before.Expires) || after.Size != before.Size
	if after.Source == probe.SourceAuthList { // OpenCode 2: a new credential is active
		fresh = !before.Present || before.Type != probe.CredOAuth || after.CredID != before.CredID
	}
	if !fresh {
		return errors.New("the login finished but the stored OpenAI login did not change")
	}
	return nil
}
