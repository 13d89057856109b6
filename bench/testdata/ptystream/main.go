//go:build linux

// Command ptystream is bench's memory probe for the embedded terminal: it
// streams a file through `cat` in a ptyrun.Session with the redact filter
// and a consumer that renders at most every 16 ms (as the wizard does),
// checks that the file's last line reached the screen, and prints its own
// peak resident set:
//
//	ptystream <file> <last-line-number>   →   "VmHWM <kB>" on stdout
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/heidi-cli/heidi/ptyrun"
	"github.com/heidi-cli/heidi/redact"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "ptystream:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: ptystream <file> <last-line-number>")
	}
	last, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	s, err := ptyrun.Start(ptyrun.Spec{Path: "cat", Args: []string{args[0]}, Env: []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
		Cols: 120, Rows: 40, Filter: redact.NewStream()})
	if err != nil {
		return err
	}
	defer s.Close(0)
	consume(s)
	if s.ExitCode() != 0 {
		return fmt.Errorf("cat: %v", s.ExitErr())
	}
	if want := fmt.Sprintf("line %06d", last); !strings.Contains(s.Text(), want) {
		return fmt.Errorf("the screen does not show %q", want)
	}
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return err
	}
	for _, l := range strings.Split(string(st), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				fmt.Println("VmHWM", f[0])
				return nil
			}
		}
	}
	return fmt.Errorf("no VmHWM in /proc/self/status")
}

// consume renders on Updates, at most once per 16 ms, until the child is
// done (the same consumer as bench's throughput figure).
func consume(s *ptyrun.Session) {
	const frame = 16 * time.Millisecond
	var last time.Time
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	pending := false
	render := func() { _ = s.Render(); last = time.Now() }
	for {
		select {
		case <-s.Updates():
			if since := time.Since(last); since >= frame {
				render()
			} else if !pending {
				pending = true
				timer.Reset(frame - since)
			}
		case <-timer.C:
			pending = false
			render()
		case <-s.Done():
			timer.Stop()
			render()
			return
		}
	}
}
