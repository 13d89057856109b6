//go:build linux

package probe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) S ...: the state follows the last ')'.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return false
	}
	return s[i+2] != 'Z' && s[i+2] != 'X'
}

// groupMembers lists live processes whose process group is pgid.
func groupMembers(pgid int) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:]) // state ppid pgrp ...
		if len(f) > 2 && f[2] == strconv.Itoa(pgid) && f[0] != "Z" && f[0] != "X" {
			out = append(out, pid)
		}
	}
	return out
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		<-tick.C
	}
}

func TestExecRunnerExitCodeAndStreams(t *testing.T) {
	res, err := ExecRunner{}.Run(context.Background(), "/bin/sh",
		[]string{"-c", `echo "out $HEIDI_PROBE_T"; echo err >&2; cat; exit 3`}, []string{"HEIDI_PROBE_T=v1"})
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	if res.ExitCode != 3 || string(res.Stdout) != "out v1\n" || string(res.Stderr) != "err\n" {
		t.Fatalf("res = %+v (stdout %q stderr %q)", res, res.Stdout, res.Stderr)
	}
}

func TestExecRunnerEnvOverridesAndInherits(t *testing.T) {
	t.Setenv("HEIDI_PROBE_INHERITED", "inh")
	t.Setenv("HEIDI_PROBE_OVERRIDE", "old")
	res, err := ExecRunner{}.Run(context.Background(), "/bin/sh",
		[]string{"-c", `printf '%s %s' "$HEIDI_PROBE_INHERITED" "$HEIDI_PROBE_OVERRIDE"`}, []string{"HEIDI_PROBE_OVERRIDE=new"})
	if err != nil || res.ExitCode != 0 || string(res.Stdout) != "inh new" {
		t.Fatalf("res %+v stdout %q err %v", res, res.Stdout, err)
	}
}

func TestExecRunnerOwnProcessGroup(t *testing.T) {
	res, err := ExecRunner{}.Run(context.Background(), "/bin/sh", []string{"-c", `echo $$; ps -o pgid= -p $$ 2>/dev/null || cut -d' ' -f5 /proc/$$/stat`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(res.Stdout))
	if len(f) != 2 || f[0] != f[1] {
		t.Fatalf("child pid and pgid differ: %q", res.Stdout)
	}
}

func TestExecRunnerNotFound(t *testing.T) {
	res, err := ExecRunner{}.Run(context.Background(), "/nonexistent/heidi-probe-nope", nil, nil)
	if err == nil || res.ExitCode != -1 || errors.Is(err, ErrTimeout) {
		t.Fatalf("res %+v err %v", res, err)
	}
}

func TestExecRunnerOutputCap(t *testing.T) {
	res, err := ExecRunner{MaxOutput: 1000}.Run(context.Background(), "/bin/sh",
		[]string{"-c", `i=0; while [ $i -lt 200 ]; do echo 0123456789; i=$((i+1)); done; echo done >&2`}, nil)
	if err != nil || res.ExitCode != 0 || len(res.Stdout) != 1000 || string(res.Stderr) != "done\n" {
		t.Fatalf("len %d stderr %q exit %d err %v", len(res.Stdout), res.Stderr, res.ExitCode, err)
	}
}

// A timeout kills the child and its grandchild (the whole process group)
// and Run returns an error wrapping ErrTimeout.
func TestExecRunnerTimeoutKillsGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pids")
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	type out struct {
		res Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := ExecRunner{}.Run(ctx, "/bin/sh",
			[]string{"-c", `sleep 100 & echo "$$ $!" > "$0.tmp" && mv "$0.tmp" "$0"; wait`, pidFile}, nil)
		done <- out{res, err}
	}()
	var r out
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its deadline")
	}
	if !errors.Is(r.err, ErrTimeout) || r.res.ExitCode != -1 {
		t.Fatalf("res %+v err %v", r.res, r.err)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the shell never started its grandchild within the deadline: %v", err)
	}
	var shPid, sleepPid int
	if _, err := fmt.Sscan(string(data), &shPid, &sleepPid); err != nil {
		t.Fatalf("pids %q: %v", data, err)
	}
	t.Cleanup(func() { // if the test fails, do not leave our own sleep behind
		if alive(sleepPid) {
			_ = syscall.Kill(sleepPid, syscall.SIGKILL)
		}
	})
	eventually(t, 10*time.Second, "sh and its grandchild to die", func() bool {
		return !alive(shPid) && !alive(sleepPid) && len(groupMembers(shPid)) == 0
	})
	if err := syscall.Kill(sleepPid, 0); err == nil && alive(sleepPid) {
		t.Fatalf("grandchild %d still running", sleepPid)
	}
}

func TestExecRunnerCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	dir := t.TempDir()
	go func() {
		_, err := ExecRunner{}.Run(ctx, "/bin/sh", []string{"-c", `touch "$0/started"; exec sleep 100`, dir}, nil)
		done <- err
	}()
	eventually(t, 30*time.Second, "the child to start", func() bool {
		_, err := os.Stat(filepath.Join(dir, "started"))
		return err == nil
	})
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// A grandchild that leaves the process group while holding the output pipes
// cannot make Run hang: WaitDelay closes them after the child exits.
func TestExecRunnerEscapedGrandchildDoesNotHang(t *testing.T) {
	if _, err := os.Stat("/usr/bin/setsid"); err != nil {
		t.Skip("no setsid")
	}
	done := make(chan struct {
		res Result
		err error
	}, 1)
	go func() {
		res, err := ExecRunner{WaitDelay: 200 * time.Millisecond}.Run(context.Background(), "/bin/sh",
			[]string{"-c", `/usr/bin/setsid sleep 100 & echo $!`}, nil)
		done <- struct {
			res Result
			err error
		}{res, err}
	}()
	var r struct {
		res Result
		err error
	}
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run hung on a grandchild holding the pipes")
	}
	pid, perr := strconv.Atoi(strings.TrimSpace(string(r.res.Stdout)))
	if perr == nil && pid > 0 {
		// Our own stray process: end it by its id.
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	if r.err != nil || r.res.ExitCode != 0 || perr != nil {
		t.Fatalf("res %+v stdout %q err %v", r.res, r.res.Stdout, r.err)
	}
}

func TestExecRunnerContextAlreadyDone(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	res, err := ExecRunner{}.Run(ctx, "/bin/sh", []string{"-c", "exit 0"}, nil)
	if !errors.Is(err, ErrTimeout) || res.ExitCode != -1 {
		t.Fatalf("res %+v err %v", res, err)
	}
}

func TestProbeToolRealShell(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "fakecli")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho 'fakecli 3.14.15'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	hang := filepath.Join(dir, "hangcli")
	if err := os.WriteFile(hang, []byte("#!/bin/sh\nsleep 100 &\nwait\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := Default()
	s.LookPath = func(name string) (string, error) { return filepath.Join(dir, name), nil }
	tool := ProbeTool(context.Background(), s, "fakecli", []string{"--version"}, 0)
	if !tool.Found || tool.Version.String() != "3.14.15" || tool.Err != "" {
		t.Fatalf("tool %+v", tool)
	}
	tool = ProbeTool(context.Background(), s, "hangcli", []string{"--version"}, 300*time.Millisecond)
	if !tool.Found || !tool.Version.IsZero() || !strings.Contains(tool.Err, "did not finish within 300ms") {
		t.Fatalf("tool %+v", tool)
	}
}

// With Setsid already requested (as creack/pty does), setProcessGroup must
// not add Setpgid (the kernel would refuse to start the child) and a
// cancel must still kill the whole group.
func TestSetProcessGroupKeepsSetsid(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pidFile := filepath.Join(t.TempDir(), "pids")
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", `sleep 100 & echo "$$ $!" > "$0.tmp" && mv "$0.tmp" "$0"; wait`, pidFile)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	setProcessGroup(cmd)
	if cmd.SysProcAttr.Setpgid || !cmd.SysProcAttr.Setsid {
		t.Fatalf("SysProcAttr = %+v", cmd.SysProcAttr)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	eventually(t, 30*time.Second, "the grandchild to start", func() bool {
		_, err := os.Stat(pidFile)
		return err == nil
	})
	var shPid, sleepPid int
	data, _ := os.ReadFile(pidFile)
	if _, err := fmt.Sscan(string(data), &shPid, &sleepPid); err != nil {
		t.Fatalf("pids %q: %v", data, err)
	}
	t.Cleanup(func() {
		if alive(sleepPid) {
			_ = syscall.Kill(sleepPid, syscall.SIGKILL)
		}
	})
	cancel()
	_ = cmd.Wait()
	eventually(t, 10*time.Second, "the session's processes to die", func() bool {
		return !alive(shPid) && !alive(sleepPid)
	})
}
