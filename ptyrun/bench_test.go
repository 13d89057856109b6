//go:build !windows

package ptyrun

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/creack/pty"
)

// benchFile writes about 20 MB of mixed ANSI text (colours, clack-style
// redraws, UTF-8) and returns its path and size.
func benchFile(b testing.TB) (string, int64) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "mixed.txt")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	var n int64
	for i := 0; n < 20<<20; i++ {
		k, _ := fmt.Fprintf(w, "\x1b[36m│\x1b[39m  line %06d \x1b[1mopenai/gpt-5.4\x1b[22m ✓ ◐ the quick brown fox jumps over the lazy dog\r\n", i)
		n += int64(k)
		if i%40 == 0 {
			k, _ = fmt.Fprintf(w, "\x1b[999D\x1b[4A\x1b[J\x1b[32m◇\x1b[39m  Login method\r\n\x1b[90m│\x1b[39m  \x1b[2mChatGPT Pro/Plus (browser)\x1b[22m\r\n")
			n += int64(k)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path, n
}

// BenchmarkThroughput compares a child cat-ing 20 MB through a Session
// (emulator, transcript, notifications) with a bare pty drained by a
// minimal reader. Both report MB/s.
func BenchmarkThroughput(b *testing.B) {
	path, size := benchFile(b)
	b.Run("session", func(b *testing.B) {
		b.SetBytes(size)
		for range b.N {
			s, err := Start(Spec{Path: "cat", Args: []string{path}, Env: testEnv(), Cols: 120, Rows: 40})
			if err != nil {
				b.Fatal(err)
			}
			<-s.Done()
			if s.ExitCode() != 0 {
				b.Fatalf("cat: %v", s.ExitErr())
			}
			_ = s.Close(0)
		}
	})
	b.Run("bare", func(b *testing.B) {
		b.SetBytes(size)
		for range b.N {
			cmd := exec.Command("cat", path)
			ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 120, Rows: 40})
			if err != nil {
				b.Fatal(err)
			}
			_, err = io.Copy(io.Discard, ptmx)
			var pe *os.PathError
			if err != nil && !errors.As(err, &pe) { // EIO at the end
				b.Fatal(err)
			}
			_ = cmd.Wait()
			_ = ptmx.Close()
		}
	})
}

// BenchmarkStages measures the per-byte stages of the output path on the
// same 20 MB, in memory: the transcript, a batch shown, and x/vt itself
// on the first 2 MB.
func BenchmarkStages(b *testing.B) {
	path, size := benchFile(b)
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("transcript512k", func(b *testing.B) {
		b.SetBytes(size)
		for range b.N {
			var t transcript
			for i := 0; i < len(data); i += 512 << 10 {
				t.Write(data[i:min(i+512<<10, len(data))])
			}
		}
	})
	b.Run("transcript", func(b *testing.B) {
		b.SetBytes(size)
		for range b.N {
			var t transcript
			for i := 0; i < len(data); i += readSize {
				t.Write(data[i:min(i+readSize, len(data))])
			}
		}
	})
	b.Run("show", func(b *testing.B) {
		// Everything the output goroutine does with a batch but the
		// Filter (transcript, emulator, floods drawn from their end); 512
		// KiB batches, and a render after each.
		b.SetBytes(size)
		for range b.N {
			s := &Session{em: newEmulator(120, 40), cols: 120, rows: 40}
			for i := 0; i < len(data); i += maxPending / 4 {
				s.show(data[i:min(i+maxPending/4, len(data))])
				_ = s.Render()
			}
		}
	})
	b.Run("emulator", func(b *testing.B) {
		b.SetBytes(2 << 20)
		for range b.N {
			em := newEmulator(120, 40)
			_, _ = em.Write(data[:2<<20])
			_ = em.Close()
		}
	})
}
