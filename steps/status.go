package steps

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/heidi-cli/heidi/probe"
)

// Status is the answer to "is my ChatGPT Plus/Pro subscription connected to
// OpenCode?". It never holds a token.
type Status struct {
	Connected       bool
	Reason          string // why not connected; "" when connected
	Next            string // the exact next command to run; "" when connected
	AuthPath        string
	CredentialType  probe.CredType
	Expires         time.Time
	Models          []string
	OpenCodeVersion string
	Headless        bool
	LastError       string // a safe string
	Notes           []string
	Cred            probe.Credential
	OpenCode        probe.Tool
	LastOutcome     *Outcome
	CheckedAt       time.Time
}

// ConnectCommand is the command that makes or repairs the connection.
const ConnectCommand = "heidi connect opencode openai"

// CheckStatus runs the independent probes concurrently, so it costs about one
// `opencode models openai` call, not the sum of all calls.
func CheckStatus(ctx context.Context, d Deps) Status {
	LearnSecrets(d)
	st := Status{AuthPath: d.Paths.AuthFile, CheckedAt: d.Sys.Now()}

	var (
		wg        sync.WaitGroup
		tool      probe.Tool
		models    []string
		modelsErr error
		headless  probe.Headless
	)
	_, lookErr := d.Sys.LookPath("opencode")
	found := lookErr == nil
	wg.Add(2)
	go func() {
		defer wg.Done()
		tool = d.openCodeTool(ctx)
	}()
	go func() { defer wg.Done(); headless = probe.DetectHeadless(d.Sys) }()
	if found {
		wg.Add(1)
		go func() { defer wg.Done(); models, modelsErr = ListModels(ctx, d) }()
	}
	cred := probe.InspectAuth(d.Sys, d.Paths)
	wg.Wait()

	// OpenCode 2 keeps credentials in its database; auth.json is imported once
	// and then ignored, so ask OpenCode itself.
	d.knowLine(tool)
	if tool.Found && tool.Version.CredentialDB() {
		cred = d.inspectV2(ctx)
		st.AuthPath = cred.Path
	}

	st.Cred, st.OpenCode, st.Headless = cred, tool, headless.Headless
	st.OpenCodeVersion = tool.Version.Raw
	st.CredentialType = cred.Type
	st.Expires = cred.Expires
	st.Models = models
	if o, err := LoadOutcome(d.Paths); err == nil {
		st.LastOutcome = o
	}
	if cred.EnvOverride {
		st.Notes = append(st.Notes, "OPENCODE_AUTH_CONTENT is set: OpenCode reads credentials from it and ignores auth.json")
	}
	if n := OtherPluginNote(probe.InspectConfig(d.Sys, d.Paths)); n != "" && tool.Found {
		st.Notes = append(st.Notes, n)
	}
	if bad := KnownBad(tool.Version); bad != nil {
		st.Notes = append(st.Notes, bad.Note(tool.Version))
	}
	// The wizard offers to remove a stale plugin config; status says so too.
	if cfg := (Prereqs{OpenCode: tool, Config: probe.InspectConfig(d.Sys, d.Paths)}); tool.Found && cfg.StaleConfig() {
		st.Notes = append(st.Notes, "your OpenCode config still has the old "+probe.PluginName+" plugin or a provider.openai block, which hides or skews the built-in ChatGPT login and its models; remove it (with a backup first): "+ConnectCommand+" --yes")
	}
	if cred.Insecure {
		st.Notes = append(st.Notes, fmt.Sprintf("auth.json is readable by other users (mode %#o); run: chmod 600 %s", cred.Mode.Perm(), cred.Path))
	}
	if cred.Subscription() && cred.Expired(d.Sys.Now()) {
		st.Notes = append(st.Notes, "the access token has expired; OpenCode refreshes it on the next request")
	}

	switch {
	case !tool.Found:
		st.Reason, st.Next = "OpenCode is not installed (no `opencode` on PATH).", InstallOpenCode(d.Sys.GOOS)
	case cred.Problem != probe.StoreOK && cred.Problem != probe.StoreMissing && !cred.Present:
		st.Reason = "OpenCode's credential store is unusable: " + cred.Detail
		switch {
		case cred.Source == probe.SourceAuthList:
			st.Next = "opencode auth list  (what OpenCode 2 says; then: " + ConnectCommand + ")"
		case cred.Source == probe.SourceEnv:
			// OpenCode reads the variable, not the file: the file is not the problem.
			st.Next = "Fix or unset " + probe.AuthContentEnv + " (OpenCode reads its credentials from it, not from auth.json), then run: " + ConnectCommand
		case StoreNeedsRepair(cred):
			st.Next = ConnectCommand + "  (it moves the broken file aside to a backup before logging in)"
		default:
			st.Next = "Move " + cred.Path + " aside yourself (heidi does not touch links, directories or unreadable files), then run: " + ConnectCommand
		}
	case !cred.Present:
		st.Reason, st.Next = "OpenCode has no OpenAI credential.", ConnectCommand
	case cred.Type == probe.CredEnv:
		st.Reason = "OpenCode's OpenAI connection is the " + cred.Label + " environment variable (an API key), not a ChatGPT subscription."
		st.Next = ConnectCommand
	case cred.Type == probe.CredAPI:
		st.Reason = "OpenCode's OpenAI credential is an OpenAI API key, not a ChatGPT subscription."
		st.Next = ConnectCommand
	case cred.Type != probe.CredOAuth:
		st.Reason = fmt.Sprintf("OpenCode's OpenAI credential has type %q, not a ChatGPT subscription login.", string(cred.Type))
		st.Next = ConnectCommand
	case !cred.EntryOK:
		st.Reason = "OpenCode's OpenAI login entry is incomplete (OpenCode ignores it): " + orDefault(cred.Detail, "fields are missing")
		st.Next = ConnectCommand
	case !cred.HasRefresh && cred.Source != probe.SourceAuthList && cred.Expired(d.Sys.Now()):
		st.Reason = "OpenCode's ChatGPT login has expired and has no refresh token to renew it."
		st.Next = ConnectCommand
	case modelsErr != nil:
		st.Reason = "OpenCode lists no OpenAI models: " + modelsErr.Error()
		st.Next = "opencode models openai  (then: " + ConnectCommand + ")"
		if tool.Found && !tool.Version.IsZero() && !tool.Version.BuiltinChatGPT() {
			st.Reason += " (OpenCode " + tool.Version.Raw + " needs the opencode-openai-codex-auth plugin for a ChatGPT login)"
			st.Next = ConnectCommand + "  (it installs the plugin)"
		}
	case lastTestFailed(st.LastOutcome, cred):
		// One verdict with the wizard: its last test failed and the login has
		// not changed since, so this connection is not working yet.
		o := st.LastOutcome
		st.Reason = fmt.Sprintf("The last test run failed (%s): %s", o.Time.Local().Format("2006-01-02 15:04"), orDefault(o.LastError, "no reason recorded"))
		st.Next = ConnectCommand + "  (it tests again)"
	default:
		st.Connected = true
	}
	if !st.Connected {
		st.LastError = st.Reason
	}
	return st
}

// lastTestFailed: heidi's last test run failed, and the stored login is no
// newer than that run (a new login since is judged afresh).
func lastTestFailed(o *Outcome, cred probe.Credential) bool {
	if o == nil || o.Result != "FAIL" || o.Step != "Test run" {
		return false
	}
	return cred.ModTime.IsZero() || !cred.ModTime.After(o.Time)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
