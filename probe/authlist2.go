package probe

import (
	"encoding/json"
	"fmt"
)

// OpenCode 2 keeps credentials in its database (opencode.db); heidi reads
// them only through `opencode auth list --format json`, never the file.
// The shape, from anomalyco/opencode packages/cli/src/commands/handlers/
// auth/list.ts at 9bf98793 and packages/schema/src/connection.ts at
// cd147331 (read 2026-12-04): an array of integrations that have a
// connection, each {id, name, connections}; a connection is
// {type:"credential", id, label, method:"oauth"|"key"} or {type:"env",
// name}; credentials first, the active one first, env variables last.

// V2Connection is one connection of an OpenCode 2 integration.
type V2Connection struct {
	Type   string `json:"type"` // "credential" or "env"
	ID     string `json:"id"`
	Label  string `json:"label"`
	Method string `json:"method"` // "oauth" or "key"
	Name   string `json:"name"`   // the variable, for type "env"
}

// V2Integration is one entry of `auth list --format json`.
type V2Integration struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Connections []V2Connection `json:"connections"`
}

// CredEnv is an OpenCode 2 connection through an environment variable
// (OPENAI_API_KEY): an API key, not a subscription.
const CredEnv CredType = "env"

// ParseV2AuthList reads `opencode auth list --format json` and describes
// the OpenAI integration's active connection. It keeps no secret: the
// list holds none (labels and ids only).
func ParseV2AuthList(out []byte, dbPath string) (Credential, error) {
	c := Credential{Source: SourceAuthList, Path: dbPath}
	var list []V2Integration
	if err := json.Unmarshal(out, &list); err != nil {
		return c, fmt.Errorf("`opencode auth list --format json` did not print the list: %v", err)
	}
	for _, in := range list {
		c.Providers = append(c.Providers, in.ID)
		if in.ID != "openai" || len(in.Connections) == 0 {
			continue
		}
		active := in.Connections[0]
		c.Present, c.EntryOK = true, true
		c.Count = len(in.Connections)
		switch {
		case active.Type == "env":
			c.Type, c.Label = CredEnv, active.Name
		case active.Method == "oauth":
			// OpenCode 2 refreshes its own tokens and shows none.
			c.Type, c.HasRefresh, c.HasAccess = CredOAuth, true, true
		case active.Method == "key":
			c.Type = CredAPI
		default:
			c.Type = CredUnknown
		}
		if active.Type != "env" {
			c.Label, c.CredID = active.Label, active.ID
		}
		for _, k := range in.Connections[1:] {
			if k.Type == "credential" && k.Method == "oauth" && active.Method != "oauth" {
				c.Detail = "another OpenAI credential (" + k.Label + ") is a ChatGPT login, but the active one is not"
			}
		}
	}
	if len(c.Providers) > MaxProviders {
		c.Providers = c.Providers[:MaxProviders]
	}
	return c, nil
}

// V2OpenAIConnections are all of the OpenAI integration's connections in
// `auth list --format json`, the active one first.
func V2OpenAIConnections(out []byte) ([]V2Connection, error) {
	var list []V2Integration
	if err := json.Unmarshal(out, &list); err != nil {
		return nil, err
	}
	for _, in := range list {
		if in.ID == "openai" {
			return in.Connections, nil
		}
	}
	return nil, nil
}
