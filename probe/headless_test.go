package probe

import (
	"reflect"
	"strings"
	"testing"
)

func TestDetectHeadless(t *testing.T) {
	desktop := fakeEnv{"DISPLAY": ":0"}
	tests := []struct {
		name    string
		goos    string
		env     fakeEnv
		proc    string
		want    Headless
		reasons []string // substrings, one per reason, in order
	}{
		{name: "linux desktop", goos: "linux", env: desktop},
		{name: "wayland desktop", goos: "linux", env: fakeEnv{"WAYLAND_DISPLAY": "wayland-0"}},
		{name: "macOS without DISPLAY", goos: "darwin"},
		{name: "windows without DISPLAY", goos: "windows"},
		{
			name: "linux without a display", goos: "linux",
			want: Headless{Headless: true, NoDisplay: true}, reasons: []string{"neither DISPLAY nor WAYLAND_DISPLAY"},
		},
		{
			name: "freebsd without a display", goos: "freebsd",
			want: Headless{Headless: true, NoDisplay: true}, reasons: []string{"DISPLAY"},
		},
		{
			name: "CI=true", goos: "darwin", env: fakeEnv{"CI": "true"},
			want: Headless{Headless: true, CI: true}, reasons: []string{"CI is set"},
		},
		{name: "CI=false", goos: "darwin", env: fakeEnv{"CI": "false"}},
		{name: "CI=FALSE", goos: "darwin", env: fakeEnv{"CI": "FALSE"}},
		{name: "CI=0", goos: "darwin", env: fakeEnv{"CI": "0"}},
		{name: "CI empty", goos: "darwin", env: fakeEnv{"CI": ""}},
		{
			name: "CI=1", goos: "windows", env: fakeEnv{"CI": "1"},
			want: Headless{Headless: true, CI: true}, reasons: []string{"CI"},
		},
		{
			name: "SSH_CONNECTION", goos: "darwin", env: fakeEnv{"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"},
			want: Headless{Headless: true, SSH: true}, reasons: []string{"SSH session (SSH_CONNECTION is set)"},
		},
		{
			name: "SSH_CLIENT", goos: "linux", env: fakeEnv{"DISPLAY": ":10", "SSH_CLIENT": "10.0.0.1 5000 22"},
			want: Headless{Headless: true, SSH: true}, reasons: []string{"SSH_CLIENT is set"},
		},
		{
			name: "SSH_TTY", goos: "openbsd", env: fakeEnv{"DISPLAY": ":0", "SSH_TTY": "/dev/pts/1"},
			want: Headless{Headless: true, SSH: true}, reasons: []string{"SSH_TTY is set"},
		},
		{
			name: "WSL_DISTRO_NAME", goos: "linux", env: fakeEnv{"DISPLAY": ":0", "WSL_DISTRO_NAME": "Ubuntu"},
			want: Headless{Headless: true, WSL: true}, reasons: []string{"WSL_DISTRO_NAME is set"},
		},
		{
			name: "WSL from /proc/version", goos: "linux", env: desktop,
			proc: "Linux version 5.15.153.1-microsoft-standard-WSL2 (root@1) (gcc) #1 SMP",
			want: Headless{Headless: true, WSL: true}, reasons: []string{"/proc/version"},
		},
		{
			name: "WSL1 upper-case Microsoft", goos: "linux", env: desktop,
			proc: "Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com)",
			want: Headless{Headless: true, WSL: true}, reasons: []string{"/proc/version"},
		},
		{
			name: "only wsl in /proc/version", goos: "linux", env: desktop, proc: "Linux version 6.6 (wsl-builder)",
			want: Headless{Headless: true, WSL: true}, reasons: []string{"/proc/version"},
		},
		{name: "plain linux /proc/version", goos: "linux", env: desktop, proc: "Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org)"},
		{name: "WSL_DISTRO_NAME ignored off linux", goos: "windows", env: fakeEnv{"WSL_DISTRO_NAME": "Ubuntu"}, proc: "microsoft"},
		{
			name: "everything at once", goos: "linux",
			env:     fakeEnv{"CI": "yes", "SSH_CONNECTION": "x", "WSL_DISTRO_NAME": "Ubuntu"},
			want:    Headless{Headless: true, CI: true, SSH: true, NoDisplay: true, WSL: true},
			reasons: []string{"CI", "SSH_CONNECTION", "DISPLAY", "WSL_DISTRO_NAME"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeSys(tt.goos, tt.env, nil)
			proc := tt.proc
			s.ProcVersion = func() string { return proc }
			got := DetectHeadless(s)
			reasons := got.Reasons
			got.Reasons = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("DetectHeadless = %+v, want %+v", got, tt.want)
			}
			if len(reasons) != len(tt.reasons) {
				t.Fatalf("reasons %q, want %d", reasons, len(tt.reasons))
			}
			for i, r := range reasons {
				if !strings.Contains(r, tt.reasons[i]) || strings.Contains(r, "\n") || r == "" {
					t.Errorf("reason %d = %q, want it to mention %q", i, r, tt.reasons[i])
				}
			}
		})
	}
}

func TestDetectHeadlessNilProcVersion(t *testing.T) {
	s := fakeSys("linux", fakeEnv{"DISPLAY": ":0"}, nil)
	s.ProcVersion = nil
	if h := DetectHeadless(s); h.Headless {
		t.Fatalf("got %+v", h)
	}
}

func TestCheckPorts(t *testing.T) {
	s := fakeSys("linux", nil, nil)
	var asked []int
	s.PortFree = func(p int) bool { asked = append(asked, p); return p != 1455 }
	got := CheckPorts(s)
	want := []PortStatus{{1455, false}, {1457, true}}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(asked, LoginPorts) {
		t.Fatalf("CheckPorts = %v (asked %v)", got, asked)
	}
}

func TestPortFreeReal(t *testing.T) {
	// Take a free port, then check that portFree sees it busy while held.
	l, err := listenLocal()
	if err != nil {
		t.Skipf("cannot listen: %v", err)
	}
	port := l.port
	if portFree(port) {
		l.close()
		t.Fatalf("port %d reported free while held", port)
	}
	l.close()
	if !portFree(port) {
		t.Fatalf("port %d reported busy after release", port)
	}
	if portFree(0) || portFree(70000) {
		t.Fatal("invalid ports reported free")
	}
}
