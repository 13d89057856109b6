package probe

import (
	"runtime"
	"testing"
)

func TestResolvePaths(t *testing.T) {
	tests := []struct {
		name string
		goos string
		home string
		env  fakeEnv
		want Paths
	}{
		{
			name: "linux defaults",
			goos: "linux", home: "/home/ada",
			want: Paths{
				Home:      "/home/ada",
				Data:      "/home/ada/.local/share/opencode",
				Config:    "/home/ada/.config/opencode",
				State:     "/home/ada/.local/state/opencode",
				Cache:     "/home/ada/.cache/opencode",
				Log:       "/home/ada/.local/share/opencode/log",
				AuthFile:  "/home/ada/.local/share/opencode/auth.json",
				HeidiHome: "/home/ada/.config/heidi",
			},
		},
		{
			name: "linux XDG overrides",
			goos: "linux", home: "/home/ada",
			env: fakeEnv{
				"XDG_DATA_HOME":   "/x/data/",
				"XDG_CONFIG_HOME": "/x/config",
				"XDG_STATE_HOME":  "/x/state",
				"XDG_CACHE_HOME":  "/x/cache",
			},
			want: Paths{
				Home:      "/home/ada",
				Data:      "/x/data/opencode",
				Config:    "/x/config/opencode",
				State:     "/x/state/opencode",
				Cache:     "/x/cache/opencode",
				Log:       "/x/data/opencode/log",
				AuthFile:  "/x/data/opencode/auth.json",
				HeidiHome: "/x/config/heidi",
			},
		},
		{
			name: "HEIDI_HOME wins, empty XDG is unset",
			goos: "freebsd", home: "/usr/home/ada",
			env: fakeEnv{"HEIDI_HOME": "/srv/heidi", "XDG_DATA_HOME": ""},
			want: Paths{
				Home:      "/usr/home/ada",
				Data:      "/usr/home/ada/.local/share/opencode",
				Config:    "/usr/home/ada/.config/opencode",
				State:     "/usr/home/ada/.local/state/opencode",
				Cache:     "/usr/home/ada/.cache/opencode",
				Log:       "/usr/home/ada/.local/share/opencode/log",
				AuthFile:  "/usr/home/ada/.local/share/opencode/auth.json",
				HeidiHome: "/srv/heidi",
			},
		},
		{
			name: "darwin: OpenCode uses ~/.local/share, heidi Application Support",
			goos: "darwin", home: "/Users/ada",
			env: fakeEnv{"XDG_CONFIG_HOME": "/Users/ada/xdgconf"},
			want: Paths{
				Home:      "/Users/ada",
				Data:      "/Users/ada/.local/share/opencode",
				Config:    "/Users/ada/xdgconf/opencode",
				State:     "/Users/ada/.local/state/opencode",
				Cache:     "/Users/ada/.cache/opencode",
				Log:       "/Users/ada/.local/share/opencode/log",
				AuthFile:  "/Users/ada/.local/share/opencode/auth.json",
				HeidiHome: "/Users/ada/Library/Application Support/heidi",
			},
		},
		{
			name: "windows: USERPROFILE, not AppData, for OpenCode",
			goos: "windows", home: `C:\Ignored`,
			env: fakeEnv{"USERPROFILE": `C:\Users\Ada`, "AppData": `C:\Users\Ada\AppData\Roaming`},
			want: Paths{
				Home:      `C:\Users\Ada`,
				Data:      `C:\Users\Ada\.local\share\opencode`,
				Config:    `C:\Users\Ada\.config\opencode`,
				State:     `C:\Users\Ada\.local\state\opencode`,
				Cache:     `C:\Users\Ada\.cache\opencode`,
				Log:       `C:\Users\Ada\.local\share\opencode\log`,
				AuthFile:  `C:\Users\Ada\.local\share\opencode\auth.json`,
				HeidiHome: `C:\Users\Ada\AppData\Roaming\heidi`,
			},
		},
		{
			name: "windows: no USERPROFILE or AppData, XDG with forward slashes",
			goos: "windows", home: `D:\home\ada\`,
			env: fakeEnv{"XDG_DATA_HOME": `D:/xdg/data/`},
			want: Paths{
				Home:      `D:\home\ada\`,
				Data:      `D:\xdg\data\opencode`,
				Config:    `D:\home\ada\.config\opencode`,
				State:     `D:\home\ada\.local\state\opencode`,
				Cache:     `D:\home\ada\.cache\opencode`,
				Log:       `D:\xdg\data\opencode\log`,
				AuthFile:  `D:\xdg\data\opencode\auth.json`,
				HeidiHome: `D:\home\ada\AppData\Roaming\heidi`,
			},
		},
		{
			name: "windows: UNC profile",
			goos: "windows", home: "",
			env: fakeEnv{"USERPROFILE": `\\srv\users\ada`, "APPDATA": `\\srv\users\ada\Roaming`},
			want: Paths{
				Home:      `\\srv\users\ada`,
				Data:      `\\srv\users\ada\.local\share\opencode`,
				Config:    `\\srv\users\ada\.config\opencode`,
				State:     `\\srv\users\ada\.local\state\opencode`,
				Cache:     `\\srv\users\ada\.cache\opencode`,
				Log:       `\\srv\users\ada\.local\share\opencode\log`,
				AuthFile:  `\\srv\users\ada\.local\share\opencode\auth.json`,
				HeidiHome: `\\srv\users\ada\Roaming\heidi`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeSys(tt.goos, tt.env, nil)
			s.Home = tt.home
			if got := ResolvePaths(s); got != tt.want {
				t.Errorf("ResolvePaths =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestResolvePathsNilGetenv(t *testing.T) {
	p := ResolvePaths(Sys{GOOS: "linux", Home: "/h"})
	if p.AuthFile != "/h/.local/share/opencode/auth.json" {
		t.Fatalf("AuthFile = %q", p.AuthFile)
	}
}

func TestResolvePathsDefaultHost(t *testing.T) {
	// The real Sys gives paths that exist in the form the host expects.
	s := Default()
	p := ResolvePaths(s)
	if p.Data == "" || p.AuthFile == "" || p.HeidiHome == "" {
		t.Fatalf("empty paths: %+v", p)
	}
	if runtime.GOOS != "windows" && s.Getenv("XDG_DATA_HOME") == "" && p.Data != s.Home+"/.local/share/opencode" {
		t.Fatalf("Data = %q", p.Data)
	}
}

func TestJoinPath(t *testing.T) {
	tests := []struct {
		goos string
		elem []string
		want string
	}{
		{"linux", []string{"/a/", "b", "../c"}, "/a/c"},
		{"linux", []string{"", "a"}, "a"},
		{"windows", []string{`C:\`, "a"}, `C:\a`},
		{"windows", []string{`C:\x\\y\`, `.\z`}, `C:\x\y\z`},
		{"windows", []string{`C:\x`, `..`, "y"}, `C:\y`},
		{"windows", []string{`\\host\share`, "d"}, `\\host\share\d`},
		{"windows", []string{`rel`, "..", ".."}, `..`},
		{"windows", nil, ""},
	}
	for _, tt := range tests {
		if got := JoinPath(tt.goos, tt.elem...); got != tt.want {
			t.Errorf("JoinPath(%s, %q) = %q, want %q", tt.goos, tt.elem, got, tt.want)
		}
	}
}
