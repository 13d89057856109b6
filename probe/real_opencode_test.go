package probe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRealOpenCodeAuthList runs the real `opencode auth list` (path in
// HEIDI_REAL_OPENCODE) in a throwaway HOME with a planted oauth entry and
// checks that ParseAuthList and InspectAuth agree with it.
func TestRealOpenCodeAuthList(t *testing.T) {
	bin := os.Getenv("HEIDI_REAL_OPENCODE")
	if bin == "" {
		t.Skip("SKIPPED: HEIDI_REAL_OPENCODE is not set, so ParseAuthList was NOT checked against the real " +
			"`opencode auth list` (set it to the opencode binary, e.g. .cache/clients/node_modules/.bin/opencode)")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("HEIDI_REAL_OPENCODE=%q: %v", bin, err)
	}
	// An unsigned JWT-looking access token with a canary inside.
	access := "eyJhbGciOiJub25lIn0.eyJleHAiOjQ5MDAwMDAwMDB9." + strings.ReplaceAll(canaryAccess, "!", "_")
	oauth := `{
  "openai": {
    "type": "oauth",
    "refresh": "` + canaryRefresh + `",
    "access": "` + access + `",
    "expires": 4900000000000,
    "accountId": "acct-fake-000"
  }
}`
	run := func(t *testing.T, file string, extraEnv ...string) (Credential, map[string]CredType) {
		t.Helper()
		home := t.TempDir()
		env := fakeEnv{}
		for _, kv := range extraEnv {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		s := Default()
		s.Home = home
		s.Getenv = env.get
		p := ResolvePaths(s)
		if err := os.MkdirAll(p.Data, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p.AuthFile, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		childEnv := append([]string{
			"HOME=" + home,
			"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
			"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
			"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
			"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
			"OPENCODE_AUTH_CONTENT=",
			"OPENAI_API_KEY=",
			"OPENCODE_DISABLE_AUTOUPDATE=1",
			"NO_COLOR=",
		}, extraEnv...)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		res, err := ExecRunner{}.Run(ctx, bin, []string{"auth", "list"}, childEnv)
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("opencode auth list: exit %d err %v stderr %q", res.ExitCode, err, SafeText(string(res.Stderr), 200))
		}
		for _, c := range canaries {
			if strings.Contains(string(res.Stdout)+string(res.Stderr), c) {
				t.Fatalf("opencode printed a planted secret")
			}
		}
		list := ParseAuthList(string(res.Stdout))
		cred := InspectAuth(s, p)
		assertNoCanary(t, list)
		assertNoCanary(t, cred)
		t.Logf("auth list: %v; InspectAuth: %v %v source %v", list, cred.Type, cred.Problem, cred.Source)
		return cred, list
	}

	t.Run("oauth in auth.json", func(t *testing.T) {
		cred, list := run(t, oauth)
		if list["openai"] != CredOAuth {
			t.Fatalf("ParseAuthList = %v, want openai: oauth", list)
		}
		if !cred.Subscription() || cred.Source != SourceFile {
			t.Fatalf("InspectAuth = %+v", cred)
		}
	})
	t.Run("OPENCODE_AUTH_CONTENT overrides the file", func(t *testing.T) {
		content := `{"openai":{"type":"api","key":"` + canaryKey + `"}}`
		cred, list := run(t, oauth, AuthContentEnv+"="+content)
		if list["openai"] != CredAPI {
			t.Fatalf("ParseAuthList = %v, want openai: api", list)
		}
		if cred.Type != CredAPI || !cred.EnvOverride || cred.Source != SourceEnv {
			t.Fatalf("InspectAuth = %+v", cred)
		}
	})
	t.Run("ill-shaped entry in auth.json is ignored by OpenCode and flagged by InspectAuth", func(t *testing.T) {
		bad := `{"openai":{"type":"oauth","access":"` + access + `"},"anthropic":{"type":"api","key":"` + canaryOther + `"}}`
		cred, list := run(t, bad)
		if _, ok := list["openai"]; ok || list["anthropic"] != CredAPI {
			t.Fatalf("ParseAuthList = %v, want only anthropic: api", list)
		}
		if cred.Problem != StoreWrongShape || cred.EntryOK || !cred.Present {
			t.Fatalf("InspectAuth = %+v", cred)
		}
	})
	t.Run("OPENCODE_AUTH_CONTENT is listed even when ill-shaped", func(t *testing.T) {
		// Measured on 1.18.33: content from the variable is not validated
		// by `auth list`, so the list alone cannot be trusted; InspectAuth
		// still reports the shape problem.
		bad := `{"openai":{"type":"oauth","access":"` + access + `"}}`
		cred, list := run(t, "{}", AuthContentEnv+"="+bad)
		if list["openai"] != CredOAuth {
			t.Logf("NOTE: this opencode no longer lists ill-shaped OPENCODE_AUTH_CONTENT (got %v)", list)
		}
		if cred.Problem != StoreWrongShape || cred.EntryOK || cred.Source != SourceEnv {
			t.Fatalf("InspectAuth = %+v", cred)
		}
	})
}
