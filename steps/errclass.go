package steps

import (
	"regexp"
	"strings"
)

// ErrClass is the kind of a failure the real service or client reports.
type ErrClass string

// The classes, each matched on the texts the real service or client prints
// (sources beside each rule; measurements in docs/troubleshooting.md).
const (
	ClassUnknown        ErrClass = ""
	ClassModelRefused   ErrClass = "model-refused"   // this model is not served for this ChatGPT plan (Pro-only preview or retired)
	ClassPlan           ErrClass = "plan"            // the plan does not include Codex (Free) or this request
	ClassUsageLimit     ErrClass = "usage-limit"     // the plan's 5-hour or weekly window is used up
	ClassRegion         ErrClass = "region"          // the CLI's egress is geo-blocked
	ClassTLS            ErrClass = "tls"             // a TLS-intercepting proxy whose CA Node does not trust
	ClassRefresh        ErrClass = "refresh"         // refresh token reused or revoked
	ClassUnauthorized   ErrClass = "unauthorized"    // 401 without a refresh story
	ClassWorkspace      ErrClass = "workspace"       // Team/Business account without an eligible workspace
	ClassDeviceDisabled ErrClass = "device-disabled" // device-code login is off for the account or workspace
	ClassBlocked        ErrClass = "blocked"         // OpenAI's edge (Cloudflare) blocked this network
	ClassNetwork        ErrClass = "network"         // OpenAI cannot be reached at all
)

// Classified is a failure with its class and the exact next step.
type Classified struct {
	Class ErrClass
	Why   string   // one sentence a person understands
	Next  []string // what to do, most useful first
	// NextModel: another model may pass where this one was refused.
	NextModel bool
}

type errRule struct {
	class ErrClass
	re    func() *regexp.Regexp
}

// errRules are tried in order; the first match wins. Each pattern is a phrase
// the real service or client prints, never a bare word that a healthy run's
// output could contain.
var errRules = []errRule{
	// Measured (1.18.33 against the e2e stand-in): Error: Bad Request: {"detail":"The
	// 'gpt-5.3-codex-spark' model is not supported when using Codex with a ChatGPT account."}
	// The real body: anomalyco/opencode#13469, #30392; openai/codex#22357, #17642, #26053 (retired models).
	{ClassModelRefused, lazyRE(`(?i)model is not supported when using codex with a chatgpt account`)},
	// Team/Business: Route Error (400): "No eligible ChatGPT workspaces found." code
	// chatgpt_account_missing (openai/codex#1533, #3782).
	{ClassWorkspace, lazyRE(`(?i)no eligible chatgpt workspaces found|chatgpt_account_missing`)},
	// Measured: Error: Country, region, or territory not supported (the 403 body's message);
	// the body's code unsupported_country_region_territory (openai/codex#9714).
	{ClassRegion, lazyRE(`(?i)unsupported_country_region_territory|country, region, or territory not supported`)},
	// Measured: OpenCode prints only "Token refresh failed: 403" when the token
	// endpoint answers that 403.
	{ClassRegion, lazyRE(`(?i)token refresh failed: 403\b`)},
	// Measured: Error: self signed certificate in certificate chain (Node behind a
	// Zscaler-style proxy; anomalyco/opencode#640, #1694, #3130). Newer Node spells it
	// "self-signed"; the codes come with --print-logs.
	{ClassTLS, lazyRE(`(?i)self[- ]signed certificate in certificate chain|unable to get local issuer certificate|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|unable to verify the first certificate`)},
	// Measured: Error: The usage limit has been reached (429 usage_limit_reached;
	// anomalyco/opencode#17614). Codex: "You've hit your usage limit. Try again in 4 days
	// 20 hours 9 minutes." (openai/codex#3257).
	{ClassUsageLimit, lazyRE(`(?i)usage limit has been reached|usage_limit_reached|you've hit your usage limit|rate_limit_exceeded`)},
	// Measured: Error: Usage not included in your plan (429 usage_not_included;
	// anomalyco/opencode#7571). Codex: "To use Codex with your ChatGPT plan, upgrade to
	// Plus" (openai/codex#5608, #2330).
	{ClassPlan, lazyRE(`(?i)usage not included in your plan|usage_not_included|with your chatgpt plan, upgrade to plus`)},
	// Measured: Error: Token refresh failed: 401 (the server's refresh_token_reused 401;
	// anomalyco/opencode#10909). Codex: "Your access token could not be refreshed because
	// your refresh token was already used." (openai/codex#6498, #9634); the server:
	// "Your refresh token has already been used to generate a new access token."
	{ClassRefresh, lazyRE(`(?i)token refresh failed: 401\b|refresh_token_reused|refresh token (?:was already|has already been) used|refresh_token_expired|refresh_token_invalidated|\binvalid_grant\b`)},
	// "Please contact your workspace admin to enable device code authentication"
	// (openai/codex#9418); OpenCode "Failed to initiate device authorization"
	// (anomalyco/opencode#40999); codex "device code login is not enabled".
	{ClassDeviceDisabled, lazyRE(`(?i)to enable device code authentication|failed to initiate device authorization|device code login is not enabled`)},
	// Measured: Error: Provided authentication token is expired. Please try signing in
	// again. (the backend's 401); "Could not parse your authentication token."
	{ClassUnauthorized, lazyRE(`(?i)provided authentication token is expired|could not parse your authentication token`)},
	// Measured: Error: Forbidden: request was blocked by a gateway or proxy. (OpenCode's
	// text for Cloudflare's 403 challenge page; VPN and datacenter addresses get it).
	{ClassBlocked, lazyRE(`(?i)request was blocked by a gateway or proxy`)},
	// Measured (fake and real offline): Error: Cannot connect to API: Unable to connect.
	// Is the computer able to access the url? Node's codes with --print-logs.
	{ClassNetwork, lazyRE(`(?i)unable to connect\. is the computer able to access the url|\bECONNREFUSED\b|\bENOTFOUND\b|\bEAI_AGAIN\b`)},
}

// ForPlan sharpens c with the plan the stored login names (probe's
// Credential.Plan): on Free no model is included, so another model will
// not pass either.
func (c Classified) ForPlan(plan string) Classified {
	if c.Class == ClassPlan && plan == "free" {
		c.Why = "This login is on the ChatGPT Free plan: Codex needs ChatGPT Plus or higher"
		c.Next = []string{"Upgrade at https://chatgpt.com/#pricing, or log in with an account on Plus, Pro, Team or Business: " + ConnectCommand}
		c.NextModel = false
	}
	return c
}

// UsageURL is where a ChatGPT user sees the Codex usage windows.
const UsageURL = "https://chatgpt.com/codex/settings/usage"

var resetRE = lazyRE(`(?i)try again in ((?:\d+ (?:days?|hours?|minutes?|seconds?|mins?)\b[ ,]*(?:and )?)+)`)

// Classify names the failure in text (a client's output and heidi's own
// error line). An unknown failure gets a neutral hint, never "log in again".
func Classify(text string) Classified {
	class := ClassUnknown
	for _, r := range errRules {
		if r.re().MatchString(text) {
			class = r.class
			break
		}
	}
	c := Classified{Class: class}
	switch class {
	case ClassModelRefused:
		c.Why = "OpenAI does not serve this model for this ChatGPT plan (a Pro-only preview, or a retired model)"
		c.Next = []string{"Pick a model your plan has: " + ConnectCommand + " --model openai/<id> (see: opencode models openai)"}
		c.NextModel = true
	case ClassPlan:
		c.Why = "Your ChatGPT plan does not include this: Codex needs ChatGPT Plus or higher"
		c.Next = []string{"Check or upgrade the plan at https://chatgpt.com/#pricing, or pick another model with --model"}
		low := strings.ToLower(text)
		c.NextModel = strings.Contains(low, "usage not included") || strings.Contains(low, "usage_not_included")
	case ClassUsageLimit:
		c.Why = "You hit your plan's usage limit"
		when := "later"
		if m := resetRE().FindStringSubmatch(text); m != nil {
			when = "in " + strings.TrimRight(m[1], " ,")
		}
		c.Next = []string{"Try again " + when + "; your usage windows: " + UsageURL}
	case ClassRegion:
		c.Why = "OpenAI refuses requests from this network's country or region"
		if strings.Contains(strings.ToLower(text), "token refresh failed: 403") {
			c.Why = "OpenAI refused to refresh the login from this network (403: usually a blocked country or region)"
		}
		c.Next = []string{"OpenCode does not use your browser's VPN or system proxy: send it through the same proxy with HTTPS_PROXY=http://<proxy>:<port>, then run heidi again"}
	case ClassTLS:
		c.Why = "A proxy on this network intercepts TLS with a certificate OpenCode does not trust"
		c.Next = []string{"Give OpenCode your company's CA bundle: export NODE_EXTRA_CA_CERTS=/path/to/ca-bundle.pem, then run heidi again (never set NODE_TLS_REJECT_UNAUTHORIZED=0)"}
	case ClassRefresh:
		c.Why = "The stored login's refresh token was already used or revoked (another tool or a copied store used it)"
		c.Next = []string{"Log in again in heidi: " + ConnectCommand + " (and do not copy the store between tools or machines)"}
	case ClassUnauthorized:
		c.Why = "OpenAI did not accept the stored login (401)"
		c.Next = []string{"Log in again: " + ConnectCommand}
	case ClassWorkspace:
		c.Why = "The account has no eligible ChatGPT workspace for Codex (Team/Business)"
		c.Next = []string{"Sign in again and pick the workspace that has Codex: " + ConnectCommand + "; an admin may need to enable Codex for it"}
	case ClassDeviceDisabled:
		c.Why = "Device-code login is turned off for this account or workspace"
		c.Next = []string{"Enable it in ChatGPT → Settings → Security (a workspace admin may have to), or log in through an SSH tunnel: ssh -L 1455:localhost:1455 <user>@<this host>, then " + ConnectCommand + " --browser"}
	case ClassBlocked:
		c.Why = "OpenAI's edge blocked the request from this network (a gateway or proxy challenge)"
		c.Next = []string{"Try without the VPN or proxy, or from another network; if a company proxy is in the way, ask for chatgpt.com and auth.openai.com to be allowed"}
	case ClassNetwork:
		c.Why = "OpenCode cannot reach OpenAI"
		c.Next = []string{"Check the network, the proxy (HTTPS_PROXY) and the firewall, then run heidi again"}
	}
	return c
}
