package probe

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"
)

// Canaries are planted in every credential a test writes. None may ever
// appear in a value probe returns. They contain '!' so they can never pass
// as a provider id (the only strings from the input probe reports).
const (
	canaryRefresh = "rt!CANARY-REFRESH!7f3a91"
	canaryAccess  = "at!CANARY-ACCESS!c0ffee"
	canaryKey     = "sk!CANARY-APIKEY!d00d42"
	canaryToken   = "wk!CANARY-TOKEN!b1ab1a"
	canaryOther   = "sk!CANARY-OTHERPROVIDER!99"
)

var canaries = []string{canaryRefresh, canaryAccess, canaryKey, canaryToken, canaryOther}

// assertNoCanary fails when any canary (or a long chunk of one) shows in
// the printed forms of v.
func assertNoCanary(t testing.TB, v any) {
	t.Helper()
	for _, form := range []string{fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprint(v)} {
		for _, c := range canaries {
			if strings.Contains(form, c) || strings.Contains(form, strings.Split(c, "!")[1]) {
				t.Fatalf("canary %q leaked into %s", c, form)
			}
		}
	}
}

// fakeEnv is an environment for Sys.Getenv.
type fakeEnv map[string]string

func (e fakeEnv) get(k string) string { return e[k] }

func (e fakeEnv) list() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}

// fakeFile is one entry of fakeFS. For a symlink, target names the file
// Stat follows to.
type fakeFile struct {
	mode     fs.FileMode
	data     []byte
	size     int64 // reported size when > 0, else len(data)
	modTime  time.Time
	target   string
	lstatErr error
	statErr  error
	readErr  error
}

type fakeFS struct {
	mu    sync.Mutex
	files map[string]*fakeFile
	reads []string // paths passed to ReadFileCapped
}

func newFakeFS() *fakeFS { return &fakeFS{files: map[string]*fakeFile{}} }

func (f *fakeFS) add(path string, ff *fakeFile) *fakeFS {
	f.files[path] = ff
	return f
}

func (f *fakeFS) file(path string, mode fs.FileMode, data string) *fakeFS {
	return f.add(path, &fakeFile{mode: mode, data: []byte(data), modTime: time.Unix(1795920000, 0)})
}

type fakeInfo struct {
	name string
	f    *fakeFile
}

func (i fakeInfo) Name() string { return i.name }
func (i fakeInfo) Size() int64 {
	if i.f.size > 0 {
		return i.f.size
	}
	return int64(len(i.f.data))
}
func (i fakeInfo) Mode() fs.FileMode  { return i.f.mode }
func (i fakeInfo) ModTime() time.Time { return i.f.modTime }
func (i fakeInfo) IsDir() bool        { return i.f.mode.IsDir() }
func (i fakeInfo) Sys() any           { return nil }

func (f *fakeFS) Lstat(name string) (fs.FileInfo, error) {
	ff, ok := f.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrNotExist}
	}
	if ff.lstatErr != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: ff.lstatErr}
	}
	return fakeInfo{name, ff}, nil
}

func (f *fakeFS) Stat(name string) (fs.FileInfo, error) {
	for range 10 {
		ff, ok := f.files[name]
		if !ok {
			return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
		}
		if ff.statErr != nil {
			return nil, &fs.PathError{Op: "stat", Path: name, Err: ff.statErr}
		}
		if ff.mode&fs.ModeSymlink == 0 {
			return fakeInfo{name, ff}, nil
		}
		name = ff.target
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: errors.New("too many links")}
}

func (f *fakeFS) ReadFileCapped(name string, limit int64) ([]byte, bool, error) {
	f.mu.Lock()
	f.reads = append(f.reads, name)
	f.mu.Unlock()
	fi, err := f.Stat(name)
	if err != nil {
		return nil, false, err
	}
	ff := fi.(fakeInfo).f
	if ff.readErr != nil {
		return nil, false, &fs.PathError{Op: "read", Path: name, Err: ff.readErr}
	}
	if ff.mode.IsDir() {
		return nil, false, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	if int64(len(ff.data)) > limit {
		return ff.data[:limit], true, nil
	}
	return ff.data, false, nil
}

// fakeRunner answers commands from a table keyed by the program path.
type fakeRunner struct {
	mu    sync.Mutex
	calls []string
	fn    func(ctx context.Context, name string, args []string) (Result, error)
}

func (r *fakeRunner) Run(ctx context.Context, name string, args []string, env []string) (Result, error) {
	r.mu.Lock()
	r.calls = append(r.calls, name+" "+strings.Join(args, " "))
	r.mu.Unlock()
	return r.fn(ctx, name, args)
}

// fakeSys is a Sys with nothing real in it.
func fakeSys(goos string, env fakeEnv, fsys FS) Sys {
	if env == nil {
		env = fakeEnv{}
	}
	return Sys{
		GOOS:     goos,
		Getenv:   env.get,
		Environ:  env.list,
		LookPath: func(string) (string, error) { return "", errors.New("not found") },
		FS:       fsys,
		Run: &fakeRunner{fn: func(context.Context, string, []string) (Result, error) {
			return Result{ExitCode: -1}, errors.New("no runner")
		}},
		Home:        "/home/ada",
		ProcVersion: func() string { return "" },
		PortFree:    func(int) bool { return true },
		IsTerminal:  func(uintptr) bool { return false },
		Now:         func() time.Time { return time.Unix(1795000000, 0) },
	}
}
