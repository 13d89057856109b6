package probe

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/tailscale/hujson"
)

// PluginName is the third-party plugin that, configured on OpenCode >= 1.1.11,
// hides or shadows the built-in ChatGPT login.
const PluginName = "opencode-openai-codex-auth"

// ConfigFile is one OpenCode global config file.
type ConfigFile struct {
	Path          string
	ParseError    string   // safe text when the file is not valid JSONC
	PluginEntries []string // entries of "plugin" that name PluginName (any version suffix)
	// OtherOpenAIPlugins are other "plugin" entries whose name says openai,
	// codex or chatgpt: such a plugin may register an openai auth hook,
	// which replaces OpenCode's built-in ChatGPT login (anomalyco/opencode#16316).
	OtherOpenAIPlugins []string
	ProviderOpenAI     bool // a provider.openai block is present
}

// ConfigReport is what the global OpenCode config says about OpenAI login.
type ConfigReport struct {
	Files []ConfigFile // existing config.json, opencode.json, opencode.jsonc in the config dir
}

// ConfigFileNames are OpenCode's global config files, in the order OpenCode
// merges them (later wins).
var ConfigFileNames = []string{"config.json", "opencode.json", "opencode.jsonc"}

// MaxConfigFileSize caps how much of a config file is read.
const MaxConfigFileSize = 1 << 20

// StalePlugin reports whether any file configures PluginName.
func (r ConfigReport) StalePlugin() bool {
	for _, f := range r.Files {
		if len(f.PluginEntries) > 0 {
			return true
		}
	}
	return false
}

// OtherOpenAIPlugins lists the plugins (other than PluginName) that may
// claim the openai auth hook, across the files.
func (r ConfigReport) OtherOpenAIPlugins() []string {
	var out []string
	for _, f := range r.Files {
		out = append(out, f.OtherOpenAIPlugins...)
	}
	return out
}

// ProviderOverride reports whether any file has a provider.openai block.
func (r ConfigReport) ProviderOverride() bool {
	for _, f := range r.Files {
		if f.ProviderOpenAI {
			return true
		}
	}
	return false
}

// InspectConfig reads the global config files in p.Config (capped reads, JSONC).
// Files that do not exist are left out; symlinks are followed (dotfile
// managers link config files). A file that cannot be read or parsed is
// listed with ParseError set.
func InspectConfig(s Sys, p Paths) ConfigReport {
	var r ConfigReport
	if s.FS == nil || p.Config == "" {
		return r
	}
	for _, name := range ConfigFileNames {
		path := JoinPath(s.GOOS, p.Config, name)
		fi, err := s.FS.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		f := ConfigFile{Path: path}
		switch {
		case err != nil:
			f.ParseError = fmt.Sprintf("%s could not be inspected (%s)", name, fsReason(err))
		case fi.IsDir():
			f.ParseError = name + " is a directory, not a file"
		case !fi.Mode().IsRegular():
			f.ParseError = fmt.Sprintf("%s is not a regular file (%s)", name, fileKind(fi.Mode()))
		default:
			data, truncated, err := s.FS.ReadFileCapped(path, MaxConfigFileSize)
			switch {
			case err != nil:
				f.ParseError = fmt.Sprintf("%s could not be read (%s)", name, fsReason(err))
			case truncated:
				f.ParseError = fmt.Sprintf("%s is larger than the %d bytes heidi reads", name, MaxConfigFileSize)
			default:
				parsed := ParseConfig(data)
				parsed.Path = path
				if parsed.ParseError != "" {
					parsed.ParseError = name + " " + parsed.ParseError
				}
				f = parsed
			}
		}
		r.Files = append(r.Files, f)
	}
	return r
}

// ParseConfig parses the content of one OpenCode config file (JSON with
// comments and trailing commas). It is pure and never panics; ParseError
// ("is not valid JSON with comments (line 3, column 7)", without the file
// name) never quotes the content. Path is left empty.
func ParseConfig(data []byte) (f ConfigFile) {
	defer func() {
		if r := recover(); r != nil {
			f = ConfigFile{ParseError: "could not be decoded"}
		}
	}()
	if len(data) > MaxConfigFileSize {
		f.ParseError = fmt.Sprintf("is larger than the %d bytes heidi reads", MaxConfigFileSize)
		return f
	}
	if len(strings.Trim(string(data), " \t\r\n")) == 0 {
		// OpenCode treats an empty file as an empty config.
		return f
	}
	std, err := hujson.Standardize(append([]byte(nil), data...))
	if err != nil {
		f.ParseError = "is not valid JSON with comments" + hujsonWhere(err)
		return f
	}
	var cfg configProbe
	if err := cfg.decode(std); err != nil {
		f.ParseError = "could not be decoded"
		return f
	}
	switch {
	case cfg.kind != kindObject:
		f.ParseError = fmt.Sprintf("holds %s, not an object", cfg.kind)
		return f
	case cfg.pluginKind != kindAbsent && cfg.pluginKind != kindArray:
		f.ParseError = fmt.Sprintf(`has "plugin" as %s, not an array`, cfg.pluginKind)
	case cfg.providerKind != kindAbsent && cfg.providerKind != kindObject:
		f.ParseError = fmt.Sprintf(`has "provider" as %s, not an object`, cfg.providerKind)
	}
	f.PluginEntries = cfg.plugins
	f.OtherOpenAIPlugins = cfg.others
	f.ProviderOpenAI = cfg.openaiKind == kindObject
	return f
}

// hujsonWhere extracts " (line L, column C)" from a hujson error without
// quoting anything else from it (its text can quote the input).
func hujsonWhere(err error) string {
	var line, col int
	if n, _ := fmt.Sscanf(err.Error(), "hujson: line %d, column %d:", &line, &col); n == 2 {
		return fmt.Sprintf(" (line %d, column %d)", line, col)
	}
	return ""
}

// configProbe is a config file as probes: the kinds of the top level,
// "plugin", "provider" and "provider.openai", and the plugin entries that
// name PluginName. Nothing else (a provider block can hold an API key) is kept.
type configProbe struct {
	kind         jsonKind
	pluginKind   jsonKind
	providerKind jsonKind
	openaiKind   jsonKind
	plugins      []string
	others       []string
}

// maxPluginEntries bounds how many matching plugin entries are kept.
const maxPluginEntries = 20

func (c *configProbe) decode(b []byte) error {
	*c = configProbe{kind: kindOf(b)}
	if c.kind != kindObject {
		return nil
	}
	var plugin pluginsProbe
	var provider providerProbe
	_, err := walkObject(b, func(key string) any {
		switch key {
		case "plugin":
			plugin = pluginsProbe{}
			return &plugin
		case "provider":
			provider = providerProbe{}
			return &provider
		}
		return nil
	})
	c.pluginKind, c.providerKind = plugin.kind, provider.kind
	c.plugins, c.others, c.openaiKind = plugin.matches, plugin.others, provider.openai.kind
	return err
}

// pluginsProbe keeps the kind of "plugin" and the entries naming PluginName.
type pluginsProbe struct {
	kind    jsonKind
	matches []string
	others  []string
}

func (p *pluginsProbe) UnmarshalJSON(b []byte) error {
	*p = pluginsProbe{kind: kindOf(b)}
	if p.kind != kindArray {
		return nil
	}
	_, err := walkArray(b, func(int) any {
		return &pluginProbe{into: &p.matches, others: &p.others}
	})
	return err
}

// providerProbe keeps the kind of "provider" and of its "openai" member.
type providerProbe struct {
	kind   jsonKind
	openai kindProbe
}

func (p *providerProbe) UnmarshalJSON(b []byte) error {
	*p = providerProbe{kind: kindOf(b)}
	if p.kind != kindObject {
		return nil
	}
	_, err := walkObject(b, func(key string) any {
		if key == "openai" {
			return &p.openai
		}
		return nil
	})
	return err
}

// pluginProbe appends a plugin entry to *into when it names PluginName, to
// *others when its name otherwise says openai, codex or chatgpt.
type pluginProbe struct{ into, others *[]string }

func (p *pluginProbe) UnmarshalJSON(b []byte) error {
	if kindOf(b) != kindString || len(*p.into) >= maxPluginEntries {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if IsPluginEntry(s) {
		*p.into = append(*p.into, SafeText(redactUserinfo(s), 200))
	} else if l := strings.ToLower(s); (strings.Contains(l, "openai") || strings.Contains(l, "codex") || strings.Contains(l, "chatgpt")) && len(*p.others) < maxPluginEntries {
		*p.others = append(*p.others, SafeText(redactUserinfo(s), 200))
	}
	return nil
}

// IsPluginEntry reports whether a "plugin" entry names PluginName: the bare
// name, name@version, @scope/name[@version], or a path or URL whose last
// element is the name (optionally with .git, a version, #ref or ?query).
func IsPluginEntry(entry string) bool {
	s := strings.TrimSpace(entry)
	if i := strings.IndexAny(s, "#?"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimRight(s, `/\`)
	if i := strings.LastIndexAny(s, `/\:`); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.Index(s, "@"); i > 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(s, ".git")
	return strings.EqualFold(s, PluginName)
}

// redactUserinfo hides credentials in a URL-like entry ("https://user:tok@host/…").
func redactUserinfo(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return s[:i+3] + "…@" + rest[at+1:]
	}
	return s
}
