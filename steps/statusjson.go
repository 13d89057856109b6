package steps

import "time"

// StatusJSON is the --json shape of `heidi connect status` (and of the
// server's status endpoint). It never holds a token.
type StatusJSON struct {
	Connected       bool      `json:"connected"`
	AuthPath        string    `json:"authPath"`
	CredentialType  string    `json:"credentialType"`
	Expires         *int64    `json:"expires"` // epoch milliseconds, as OpenCode stores it
	Account         string    `json:"account,omitempty"`
	Plan            string    `json:"plan,omitempty"` // the ChatGPT plan the login's token names
	Models          []string  `json:"models"`
	OpenCodeVersion string    `json:"opencodeVersion"`
	Headless        bool      `json:"headless"`
	LastError       string    `json:"lastError"`
	Next            string    `json:"next"`
	Notes           []string  `json:"notes"`
	CheckedAt       time.Time `json:"checkedAt"`
	// Check is the live test request of status --check (absent without it).
	Check *CheckJSON `json:"check,omitempty"`
}

// ToJSON converts a status for --json and the HTTP API.
func ToJSON(st Status) StatusJSON {
	j := StatusJSON{
		Connected:       st.Connected,
		AuthPath:        st.AuthPath,
		CredentialType:  string(st.CredentialType),
		Account:         st.Cred.Account,
		Plan:            st.Cred.Plan,
		Models:          st.Models,
		OpenCodeVersion: st.OpenCodeVersion,
		Headless:        st.Headless,
		LastError:       st.LastError,
		Next:            st.Next,
		Notes:           st.Notes,
		CheckedAt:       st.CheckedAt.UTC(),
	}
	if j.Models == nil {
		j.Models = []string{}
	}
	if j.Notes == nil {
		j.Notes = []string{}
	}
	if !st.Expires.IsZero() {
		ms := st.Expires.UnixMilli()
		j.Expires = &ms
	}
	return j
}
