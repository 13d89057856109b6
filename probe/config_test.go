package probe

import (
	"io/fs"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// The plugin installer's modern template, abridged, as JSONC.
const installerJSONC = `{
  // written by opencode-openai-codex-auth
  "$schema": "https://opencode.ai/config.json",
  "plugin": [
    "opencode-openai-codex-auth", // unpinned
  ],
  "provider": {
    "openai": {
      "options": {
        "reasoningEffort": "medium",
        "apiKey": "` + canaryKey + `", /* a user put a key here */
      },
    },
  },
}`

func TestInspectConfig(t *testing.T) {
	const dir = "/home/ada/.config/opencode"
	tests := []struct {
		name  string
		goos  string
		fs    *fakeFS
		want  []ConfigFile
		stale bool
		over  bool
	}{
		{name: "no config", fs: newFakeFS()},
		{
			name:  "installer JSONC with comments and trailing commas",
			fs:    newFakeFS().file(dir+"/opencode.jsonc", 0o644, installerJSONC),
			want:  []ConfigFile{{Path: dir + "/opencode.jsonc", PluginEntries: []string{"opencode-openai-codex-auth"}, ProviderOpenAI: true}},
			stale: true, over: true,
		},
		{
			name: "all three files, OpenCode's order",
			fs: newFakeFS().
				file(dir+"/opencode.jsonc", 0o644, `{"$schema":"https://opencode.ai/config.json"}`).
				file(dir+"/config.json", 0o644, `{"plugin":["other-plugin","opencode-openai-codex-auth@4.4.0"]}`).
				file(dir+"/opencode.json", 0o644, `{"provider":{"anthropic":{},"openai":"`+canaryKey+`"}}`),
			want: []ConfigFile{
				{Path: dir + "/config.json", PluginEntries: []string{"opencode-openai-codex-auth@4.4.0"}},
				{Path: dir + "/opencode.json"},
				{Path: dir + "/opencode.jsonc"},
			},
			stale: true,
		},
		{
			name: "scoped and URL forms; look-alikes ignored; userinfo hidden",
			fs: newFakeFS().file(dir+"/opencode.json", 0o644, `{"plugin":[
				"@someone/opencode-openai-codex-auth@1.2.3",
				"file:///home/ada/src/opencode-openai-codex-auth",
				"https://user:`+canaryToken+`@github.com/x/opencode-openai-codex-auth.git#v1",
				"opencode-openai-codex-auth-fork",
				"my-opencode-openai-codex-auth",
				"opencode-gemini-auth",
				42, null, ["opencode-openai-codex-auth"]
			]}`),
			want: []ConfigFile{{Path: dir + "/opencode.json", PluginEntries: []string{
				"@someone/opencode-openai-codex-auth@1.2.3",
				"file:///home/ada/src/opencode-openai-codex-auth",
				"https://…@github.com/x/opencode-openai-codex-auth.git#v1",
			},
				// look-alikes are not the plugin, but may claim the openai auth hook too
				OtherOpenAIPlugins: []string{"opencode-openai-codex-auth-fork", "my-opencode-openai-codex-auth"},
			}},
			stale: true,
		},
		{
			name: "keys are case-sensitive",
			fs:   newFakeFS().file(dir+"/opencode.json", 0o644, `{"Plugin":["opencode-openai-codex-auth"],"provider":{"OpenAI":{}}}`),
			want: []ConfigFile{{Path: dir + "/opencode.json"}},
		},
		{
			name: "invalid JSONC says where, not what",
			fs:   newFakeFS().file(dir+"/config.json", 0o644, "{\n  \"plugin\": [\n    "+canaryKey+"\n  ]\n}"),
			want: []ConfigFile{{Path: dir + "/config.json", ParseError: "config.json is not valid JSON with comments (line 3, column 5)"}},
		},
		{
			name: "plugin is not an array",
			fs:   newFakeFS().file(dir+"/opencode.json", 0o644, `{"plugin":"opencode-openai-codex-auth","provider":{"openai":{}}}`),
			want: []ConfigFile{{Path: dir + "/opencode.json", ParseError: `opencode.json has "plugin" as a string, not an array`, ProviderOpenAI: true}},
			over: true,
		},
		{
			name: "provider is not an object",
			fs:   newFakeFS().file(dir+"/opencode.json", 0o644, `{"provider":["openai"]}`),
			want: []ConfigFile{{Path: dir + "/opencode.json", ParseError: `opencode.json has "provider" as an array, not an object`}},
		},
		{
			name: "top level is not an object",
			fs:   newFakeFS().file(dir+"/opencode.json", 0o644, `["opencode-openai-codex-auth"]`),
			want: []ConfigFile{{Path: dir + "/opencode.json", ParseError: "opencode.json holds an array, not an object"}},
		},
		{
			name: "empty file is an empty config",
			fs:   newFakeFS().file(dir+"/opencode.json", 0o644, "\n"),
			want: []ConfigFile{{Path: dir + "/opencode.json"}},
		},
		{
			name: "directory",
			fs:   newFakeFS().file(dir+"/opencode.json", fs.ModeDir|0o755, ""),
			want: []ConfigFile{{Path: dir + "/opencode.json", ParseError: "opencode.json is a directory, not a file"}},
		},
		{
			name: "unreadable",
			fs:   newFakeFS().add(dir+"/opencode.json", &fakeFile{mode: 0o644, data: []byte(installerJSONC), readErr: syscall.EACCES}),
			want: []ConfigFile{{Path: dir + "/opencode.json", ParseError: "opencode.json could not be read (permission denied)"}},
		},
		{
			name: "stat fails",
			fs:   newFakeFS().add(dir+"/opencode.json", &fakeFile{statErr: syscall.EACCES}),
			want: []ConfigFile{{Path: dir + "/opencode.json", ParseError: "opencode.json could not be inspected (permission denied)"}},
		},
		{
			name: "too large",
			fs:   newFakeFS().file(dir+"/opencode.json", 0o644, `{"x":"`+strings.Repeat("a", MaxConfigFileSize)+`"}`),
			want: []ConfigFile{{Path: dir + "/opencode.json", ParseError: "opencode.json is larger than the 1048576 bytes heidi reads"}},
		},
		{
			name: "symlinked config (dotfile managers) is followed",
			fs: newFakeFS().add(dir+"/opencode.json", &fakeFile{mode: fs.ModeSymlink | 0o777, target: "/home/ada/dotfiles/opencode.json"}).
				file("/home/ada/dotfiles/opencode.json", 0o644, `{"plugin":["opencode-openai-codex-auth@latest"]}`),
			want:  []ConfigFile{{Path: dir + "/opencode.json", PluginEntries: []string{"opencode-openai-codex-auth@latest"}}},
			stale: true,
		},
		{
			name:  "windows paths",
			goos:  "windows",
			fs:    newFakeFS().file(`C:\Users\ada\.config\opencode\opencode.jsonc`, 0o644, installerJSONC),
			want:  []ConfigFile{{Path: `C:\Users\ada\.config\opencode\opencode.jsonc`, PluginEntries: []string{"opencode-openai-codex-auth"}, ProviderOpenAI: true}},
			stale: true, over: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			goos := tt.goos
			if goos == "" {
				goos = "linux"
			}
			s := fakeSys(goos, nil, tt.fs)
			if goos == "windows" {
				s.Home = `C:\Users\ada`
			}
			r := InspectConfig(s, ResolvePaths(s))
			if !reflect.DeepEqual(r.Files, tt.want) {
				t.Fatalf("Files =\n%+v\nwant\n%+v", r.Files, tt.want)
			}
			if r.StalePlugin() != tt.stale || r.ProviderOverride() != tt.over {
				t.Errorf("StalePlugin %v ProviderOverride %v", r.StalePlugin(), r.ProviderOverride())
			}
			assertNoCanary(t, r)
		})
	}
}

func TestIsPluginEntry(t *testing.T) {
	yes := []string{
		"opencode-openai-codex-auth", "opencode-openai-codex-auth@4.4.0", " opencode-openai-codex-auth@latest ",
		"@scope/opencode-openai-codex-auth", "@scope/opencode-openai-codex-auth@1", "npm:opencode-openai-codex-auth@1",
		"github:numman-ali/opencode-openai-codex-auth", "git+https://github.com/x/opencode-openai-codex-auth.git",
		"file:../opencode-openai-codex-auth/", `C:\src\opencode-openai-codex-auth`, "Opencode-OpenAI-Codex-Auth",
		"https://github.com/x/opencode-openai-codex-auth?tab=readme",
	}
	no := []string{
		"", "opencode-openai-codex-auth-v2", "opencode-openai-codex", "@opencode-openai-codex-auth",
		"https://github.com/opencode-openai-codex-auth/other", "opencode-copilot-auth",
	}
	for _, s := range yes {
		if !IsPluginEntry(s) {
			t.Errorf("IsPluginEntry(%q) = false", s)
		}
	}
	for _, s := range no {
		if IsPluginEntry(s) {
			t.Errorf("IsPluginEntry(%q) = true", s)
		}
	}
}

func TestParseConfigNeverQuotesContent(t *testing.T) {
	for _, in := range []string{
		`{"plugin": [` + canaryKey + `]}`,
		`{"provider": {"openai": {"options": {"apiKey": "` + canaryKey + `"}}}`,
		`{"a": tru` + canaryKey,
		`/* ` + canaryKey,
		"{\"a\": \"" + canaryKey + "\n\"}",
	} {
		f := ParseConfig([]byte(in))
		if f.ParseError == "" {
			t.Errorf("no error for %q", in)
		}
		assertNoCanary(t, f)
	}
}
