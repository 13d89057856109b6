package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"
)

// ---- providers ------------------------------------------------------------------

type provider struct {
	id, name string
	env      []string
}

// catalog is the provider list of the bundled models.dev snapshot in 1.18.33
// (211 providers, extracted from the binary), in snapshot order.
func catalog() []provider {
	var ps []provider
	sc := bufio.NewScanner(strings.NewReader(asset("data/providers.tsv")))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 2 {
			continue
		}
		p := provider{id: f[0], name: f[1]}
		if len(f) > 2 && f[2] != "" {
			p.env = strings.Split(f[2], ",")
		}
		ps = append(ps, p)
	}
	return ps
}

func providerName(id string) string {
	if n, ok := catalogName(id); ok {
		return n
	}
	return id
}

// catalogName is the display name of a catalogued provider.
func catalogName(id string) (string, bool) {
	for _, p := range catalog() {
		if p.id == id && p.name != "" {
			return p.name, true
		}
	}
	return "", false
}

// loginOptions is the "Select provider" list: a fixed priority for the first
// seven, then by name (JS string order), hints on opencode and openai.
func loginOptions() []option {
	prio := map[string]int{"opencode": 0, "openai": 1, "github-copilot": 2, "google": 3, "anthropic": 4, "openrouter": 5, "vercel": 6}
	cfg := globalConfig()
	disabled := map[string]bool{}
	if d, ok := cfg["disabled_providers"].([]any); ok {
		for _, x := range d {
			if s, ok := x.(string); ok {
				disabled[s] = true
			}
		}
	}
	var enabled map[string]bool
	if e, ok := cfg["enabled_providers"].([]any); ok {
		enabled = map[string]bool{}
		for _, x := range e {
			if s, ok := x.(string); ok {
				enabled[s] = true
			}
		}
	}
	var ps []provider
	for _, p := range catalog() {
		if disabled[p.id] || (enabled != nil && !enabled[p.id]) {
			continue
		}
		ps = append(ps, p)
	}
	rank := func(id string) int {
		if r, ok := prio[id]; ok {
			return r
		}
		return 99
	}
	sort.SliceStable(ps, func(i, j int) bool {
		ri, rj := rank(ps[i].id), rank(ps[j].id)
		if ri != rj {
			return ri < rj
		}
		return utf16Less(ps[i].name, ps[j].name)
	})
	hints := map[string]string{"opencode": "recommended", "openai": "ChatGPT Plus/Pro or API key"}
	var opts []option
	for _, p := range ps {
		opts = append(opts, option{value: p.id, label: p.name, hint: hints[p.id]})
	}
	return append(opts, option{value: "other", label: "Other"})
}

func utf16Less(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] != br[i] {
			return ar[i] < br[i]
		}
	}
	return len(ar) < len(br)
}

// ---- auth list -------------------------------------------------------------------

func authList() int {
	uiEmpty()
	intro("Credentials " + styleDim + tildify(authPath()))
	all := readAuth()
	for _, e := range all.kvs {
		logInfo(providerName(e.k) + " " + styleDim + entryType(e.v))
	}
	outro(fmt.Sprintf("%d credentials", len(all.kvs)))
	type envHit struct{ provider, envVar string }
	var hits []envHit
	for _, p := range catalog() {
		for _, v := range p.env {
			if os.Getenv(v) != "" {
				name := p.name
				if name == "" {
					name = p.id
				}
				hits = append(hits, envHit{name, v})
			}
		}
	}
	if len(hits) > 0 {
		uiEmpty()
		intro("Environment")
		for _, h := range hits {
			logInfo(h.provider + " " + styleDim + h.envVar)
		}
		s := "s"
		if len(hits) == 1 {
			s = ""
		}
		outro(fmt.Sprintf("%d environment variable%s", len(hits), s))
	}
	return 0
}

// ---- auth logout -----------------------------------------------------------------

func authLogout(a cliArgs) int {
	uiEmpty()
	all := readAuth()
	intro("Remove credential")
	if len(all.kvs) == 0 {
		logError("No credentials found")
		return 0
	}
	var target string
	if len(a.pos) > 1 {
		want := a.pos[1]
		for _, e := range all.kvs {
			name, known := catalogName(e.k)
			if e.k == want || (known && strings.EqualFold(name, want)) {
				target = e.k
				break
			}
		}
		if target == "" {
			errorLine(fmt.Sprintf("Unknown configured provider %q", want))
			return 1
		}
	} else {
		var opts []option
		for _, e := range all.kvs {
			opts = append(opts, option{value: e.k, label: providerName(e.k) + styleDim + " (" + entryType(e.v) + ")"})
		}
		v, ok := newAutocomplete("Select provider", opts, 8).run()
		if !ok {
			return 1
		}
		target = v
	}
	if err := removeAuth(target); err != nil {
		errorLine("Failed to write auth data")
		return 1
	}
	outro("Logout successful")
	return 0
}

// ---- auth login ------------------------------------------------------------------

const (
	labelBrowser  = "ChatGPT Pro/Plus (browser)"
	labelHeadless = "ChatGPT Pro/Plus (headless)"
	labelAPIKey   = "Manually enter API Key"
)

// openaiMethods are the OpenAI login method labels: the three built-in ones,
// FAKE_OPENCODE_METHODS when set, and only the API key before 1.1.11.
func openaiMethods() []string {
	if m := env("FAKE_OPENCODE_METHODS"); m != "" {
		var out []string
		for _, s := range strings.Split(m, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	if !hasBuiltinChatGPT() {
		return []string{labelAPIKey}
	}
	return []string{labelBrowser, labelHeadless, labelAPIKey}
}

// methodKind maps a label to the flow the fake runs for it.
func methodKind(label string) string {
	l := strings.ToLower(label)
	switch {
	case strings.Contains(l, "api key"):
		return "api"
	case strings.Contains(l, "headless") || strings.Contains(l, "device"):
		return "headless"
	case strings.Contains(l, "paste"):
		return "code"
	}
	return "browser"
}

func requiredValidate(s string) string {
	if s == "" {
		return "Required"
	}
	return ""
}

func authLogin(a cliArgs) int {
	uiEmpty()
	intro("Add credential")
	if len(a.pos) > 1 { // login <url>: the well-known flow needs the network
		u := strings.TrimRight(a.pos[1], "/")
		errorLine("Failed to load auth provider metadata from " + u + ": Unable to connect. Is the computer able to access the url?")
		return 1
	}
	ensureDefaultConfig()
	opts := loginOptions()
	var pid string
	if want := a.flags["provider"]; want != "" {
		for _, o := range opts[:len(opts)-1] {
			if o.value == want {
				pid = o.value
				break
			}
		}
		if pid == "" {
			for _, o := range opts[:len(opts)-1] {
				if strings.EqualFold(o.label, want) {
					pid = o.value
					break
				}
			}
		}
		if pid == "" {
			errorLine(fmt.Sprintf("Unknown provider %q", want))
			return 1
		}
	} else {
		v, ok := newAutocomplete("Select provider", opts, 8).run()
		if !ok {
			return 1
		}
		pid = v
	}
	if pid == "openai" {
		if rc, handled := pluginLogin(pid, openaiMethods(), a.flags["method"]); handled {
			return rc
		}
	}
	if pid == "other" {
		v, ok := newText("Enter provider id", func(s string) string {
			if s != "" && regexp.MustCompile(`^[0-9a-z-]+$`).MatchString(s) {
				return ""
			}
			return "a-z, 0-9 and hyphens only"
		}).run()
		if !ok {
			return 1
		}
		pid = strings.TrimPrefix(v, "@ai-sdk/")
		logWarn("This only stores a credential for " + pid + " - you will need configure it in opencode.json, check the docs for examples.")
	}
	switch pid {
	case "opencode":
		logInfo("Create an api key at https://opencode.ai/auth")
	case "vercel":
		logInfo("You can create an api key at https://vercel.link/ai-gateway-token")
	}
	key, ok := newPassword("Enter your API key", requiredValidate).run()
	if !ok {
		return 1
	}
	info := &obj{}
	info.set("type", "api")
	info.set("key", key)
	if err := setAuth(pid, info); err != nil {
		errorLine("Failed to write auth data")
		return 1
	}
	outro("Done")
	return 0
}

// pluginLogin is the auth-plugin path (U8 in the bundle). handled=false means
// the provider has no plugin methods and the generic API-key prompt follows.
func pluginLogin(pid string, methods []string, want string) (rc int, handled bool) {
	if len(methods) == 0 {
		return 0, false
	}
	idx := 0
	if want != "" {
		idx = -1
		for i, m := range methods {
			if strings.EqualFold(m, want) {
				idx = i
				break
			}
		}
		if idx < 0 {
			errorLine(fmt.Sprintf("Unknown method %q for %s. Available: %s", want, pid, strings.Join(methods, ", ")))
			return 1, true
		}
	} else if len(methods) > 1 {
		var opts []option
		for i, m := range methods {
			opts = append(opts, option{value: fmt.Sprint(i), label: m})
		}
		v, ok := newSelect("Login method", opts).run()
		if !ok {
			return 1, true
		}
		fmt.Sscan(v, &idx)
	}
	time.Sleep(10 * time.Millisecond) // Effect.sleep("10 millis")
	switch methodKind(methods[idx]) {
	case "api":
		key, ok := newPassword("Enter your API key", requiredValidate).run()
		if !ok {
			return 1, true
		}
		info := &obj{}
		info.set("type", "api")
		info.set("key", key)
		if err := setAuth(pid, info); err != nil {
			errorLine("Failed to write auth data")
			return 1, true
		}
		outro("Done")
		return 0, true
	case "headless":
		return headlessLogin(pid), true
	case "code":
		return codeLogin(pid), true
	}
	return browserLogin(pid), true
}

// failAuthorize is the `Failed to authorize: <cause>` error: printed on
// stderr, then process exit 1 (whose exit hook cancels a running spinner).
func failAuthorize(cause string) int {
	errorLine("Failed to authorize: " + cause)
	exit(1)
	return 1
}

// finishLogin stores the tokens (unless noop), stops the spinner and says Done.
func finishLogin(pid string) int {
	if env("FAKE_OPENCODE_LOGIN") != "noop" {
		if err := setAuth(pid, oauthEntry()); err != nil {
			errorLine("Failed to write auth data")
			exit(1)
		}
	}
	spin.stop("Login successful", 0)
	outro("Done")
	return 0
}
