//go:build windows

package probe

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// jobHelper: this test binary as a parent that starts a child (this binary
// again) and prints its pid, then either waits ("wait") or exits at once
// ("exit"), leaving the child running; and as that child, which waits.
func jobHelper() {
	switch os.Getenv("HEIDI_JOB_HELPER") {
	case "child":
		time.Sleep(time.Minute)
		os.Exit(0)
	case "wait", "exit":
		c := exec.Command(os.Args[0], "-test.run=^TestJob")
		c.Env = append(os.Environ(), "HEIDI_JOB_HELPER=child")
		if err := c.Start(); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString(strconv.Itoa(c.Process.Pid) + "\n")
		if os.Getenv("HEIDI_JOB_HELPER") == "wait" {
			time.Sleep(time.Minute)
		}
		os.Exit(0)
	}
}

// gone reports whether pid has ended (or never existed), waiting up to 10 s.
func gone(pid int) bool {
	h, err := windows.OpenProcess(windows.SYNCHRONIZE, false, uint32(pid))
	if err != nil {
		return true
	}
	defer windows.CloseHandle(h)
	ev, _ := windows.WaitForSingleObject(h, 10000)
	return ev == windows.WAIT_OBJECT_0
}

func startParent(t *testing.T, ctx context.Context, mode string) (*exec.Cmd, int) {
	t.Helper()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestJob")
	cmd.Env = append(os.Environ(), "HEIDI_JOB_HELPER="+mode)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	SetProcessGroup(cmd)
	if err := StartInGroup(cmd); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	pid, perr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || perr != nil {
		t.Fatalf("the parent printed %q: %v %v", line, err, perr)
	}
	return cmd, pid
}

// TestJobEndsTheTree: cancelling a command ends its child too (the job),
// and a child left running by a command that ended goes with the job.
func TestJobEndsTheTree(t *testing.T) {
	jobHelper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd, child := startParent(t, ctx, "wait")
	cancel()
	_ = WaitInGroup(cmd)
	if !gone(child) {
		t.Errorf("the child %d outlived its cancelled parent", child)
	}

	cmd, child = startParent(t, context.Background(), "exit")
	if err := WaitInGroup(cmd); err != nil {
		t.Fatal(err)
	}
	if !gone(child) {
		t.Errorf("the child %d outlived its parent's job", child)
	}
}
