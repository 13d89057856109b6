// Package ptyrun runs a child process in a pseudo-terminal and renders its
// screen through an x/vt terminal emulator, so a TUI can show the child's
// screen live inside its own frame.
//
// Output goes through two goroutines joined by a bounded queue: one only
// reads the pty (the child is never held up by the work below); the other
// takes whatever has piled up as one batch through the optional Filter
// (secret redaction) into the transcript and the emulator, then sends a
// coalescing notification on Updates. The consumer
// renders when notified (Render, Text, Cursor); nothing renders per read.
// When the child floods (a batch far larger than anything a login prints),
// only the end of the batch is drawn, so the emulator never holds the
// screen for long: keys and frames go on, and memory stays bounded by the
// queue. Input (keys, text, pastes, raw bytes) is queued without
// blocking the caller and reaches the child in order through one writer;
// the emulator's replies to terminal queries (DA1, CPR, …) travel the same
// path, so queries are always answered and never block the emulator.
//
// The child runs in its own session and process group (pgid == pid), so
// Signal and Close reach everything it started. On Windows, Start returns
// ErrUnsupported.
package ptyrun

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
)

// ErrUnsupported is returned by Start where no pty is available (Windows).
var ErrUnsupported = errors.New("embedded terminal is not supported on Windows")

// Filter sees every byte the child prints before the emulator and the
// transcript do. Write returns what may be shown now; Flush returns what it
// held back. *redact.Stream satisfies it.
type Filter interface {
	Write(p []byte) []byte
	Flush() []byte
}

// appendFilter is a Filter that can append its output to a buffer
// (*redact.Stream can), which saves a copy per read.
type appendFilter interface {
	Append(dst, p []byte) []byte
}

// Spec describes the child to start.
type Spec struct {
	Path string
	Args []string // without argv[0]
	Env  []string // full environment for the child; TERM=xterm-256color is forced
	Dir  string
	// Initial size in cells, clamped to at least 1.
	Cols, Rows int
	// Filter, if set, sees every byte the child prints before the emulator
	// and the transcript do.
	Filter Filter
}

const (
	// transcriptMax bounds Transcript.
	transcriptMax = 256 << 10
	// idleFlush: a Filter that holds bytes back is flushed after this much
	// silence, so a prompt that ends in a held-back run still shows. Under
	// one frame (16 ms), so a typed "b" (which could start "Bearer") is
	// echoed within a frame; a continuation of a flushed run that turns out
	// to be a secret is still redacted by the filter.
	idleFlush = 10 * time.Millisecond
	// After the child exits, the rest of its output is read until EIO; if
	// a grandchild keeps the pty open, stop after this much silence, or
	// after drainMax in total.
	drainQuiet = 250 * time.Millisecond
	drainMax   = 2 * time.Second
	readSize   = 32 << 10
	// maxPending bounds the queue between the reader and the rest. A
	// reader that finds it full waits, and so does the child.
	maxPending = 2 << 20
	// filterPiece is how much of a batch goes through the Filter at once.
	filterPiece = 64 << 10
	// floodBatch: a batch above this is a flood (a whole real login prints
	// about 7 KB, in small batches over seconds); only its last floodTail
	// bytes or so are drawn, from a line start (see draw). x/vt draws about
	// 3 MB/s here, so a tail holds the screen for about 3 ms, well inside
	// a frame (bench figure 3).
	floodBatch = 16 << 10
	floodTail  = 8 << 10
)

// Session is a child process running in a pty, seen through an emulator.
// All methods are safe for concurrent use.
type Session struct {
	pid    int
	cmd    *exec.Cmd
	ptmx   *os.File
	filter Filter

	// mu guards the emulator and everything the reader produces.
	mu        sync.Mutex
	em        *vt.Emulator
	pw        *io.PipeWriter // the emulator's input pipe (keys and replies)
	cols      int
	rows      int
	tmu       sync.Mutex // guards tr (Transcript need not wait for the emulator)
	tr        transcript
	emuPanics int
	lastPanic string
	dropped   int64 // bytes of floods not drawn

	raw     *byteQueue // reader -> outputLoop
	emuDone chan struct{}

	// idle flushes the Filter after a silence (see idleFlush); the flush
	// itself happens in outputLoop, the Filter's only user.
	idle *time.Timer

	updates chan struct{}
	done    chan struct{}

	in  *queue[input]
	out *queue[[]byte]

	exited   atomic.Bool
	exitAt   time.Time // written before exited is set
	exitCode int
	exitErr  error

	closeOnce sync.Once
	closeErr  error
	ptmxOnce  sync.Once
}

type inputKind uint8

const (
	inKey inputKind = iota
	inText
	inPaste
	inRaw
)

type input struct {
	kind inputKind
	key  uv.KeyEvent
	text string
	raw  []byte
}

// Start starts the child in a new pty of the given size.
func Start(spec Spec) (*Session, error) {
	cols, rows := max(spec.Cols, 1), max(spec.Rows, 1)
	em := newEmulator(cols, rows)
	pw, ok := em.InputPipe().(*io.PipeWriter)
	if !ok { // x/vt changed: without the writer the pump could not be stopped
		return nil, errors.New("ptyrun: unexpected x/vt input pipe type")
	}
	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Env = withTerm(spec.Env)
	cmd.Dir = spec.Dir
	ptmx, err := startPty(cmd, cols, rows)
	if errors.Is(err, ErrUnsupported) {
		return nil, ErrUnsupported
	}
	if err != nil {
		return nil, fmt.Errorf("start %s in a pty: %w", spec.Path, err)
	}
	s := &Session{
		pid:     cmd.Process.Pid,
		cmd:     cmd,
		ptmx:    ptmx,
		filter:  spec.Filter,
		cols:    cols,
		rows:    rows,
		updates: make(chan struct{}, 1),
		done:    make(chan struct{}),
		in:      newQueue[input](),
		out:     newQueue[[]byte](),
		em:      em,
		pw:      pw,
		emuDone: make(chan struct{}),
		raw:     newByteQueue(maxPending),
	}
	s.idle = time.AfterFunc(time.Hour, s.idleFlush)
	s.idle.Stop()

	readerDone := make(chan struct{})
	go s.readLoop(readerDone)
	go s.outputLoop()
	go s.waitLoop(readerDone)
	go s.encodeLoop()
	go s.pumpLoop()
	go s.writeLoop()
	return s, nil
}

func withTerm(env []string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "TERM=") {
			out = append(out, kv)
		}
	}
	return append(out, "TERM=xterm-256color")
}

// clampMargins is switched off by a test that needs x/vt's panic.
var clampMargins = true

func newEmulator(cols, rows int) *vt.Emulator {
	em := vt.NewEmulator(cols, rows)
	// Only the screen is shown, so drop x/vt's scrollback altogether. Its
	// minimum size through the API is 1, which still clones every scrolled
	// line (an allocation of a whole row of cells per line feed at the
	// bottom). The zero Scrollback has no capacity: Push returns at once.
	if sb := em.Scrollback(); sb != nil {
		*sb = vt.Scrollback{}
	}
	if !clampMargins {
		return em
	}
	// DECSTBM with a bottom margin below the screen (a child drawing for its
	// old height before it sees SIGWINCH) makes x/vt v0.1.0 index out of
	// range on the next reverse index. Clamp margins to the screen as xterm
	// does. The params alias the parser's buffer, which the default handler
	// (registered earlier, so called after this one) reads. Writes stay
	// recover-guarded for whatever else may panic.
	clamp := func(limit func() int) vt.CsiHandler {
		return func(params ansi.Params) bool {
			n := limit()
			for i := 0; i < len(params) && i < 2; i++ {
				if params[i].Param(0) > n {
					params[i] = ansi.Param(n)
				}
			}
			return false
		}
	}
	em.RegisterCsiHandler('r', clamp(em.Height)) // DECSTBM
	// DECSLRM (with mode 69) has the same problem with right margins; when
	// mode 69 is off, CSI s saves the cursor and ignores its parameters.
	em.RegisterCsiHandler('s', clamp(em.Width))
	return em
}

// Updates delivers a value (coalesced, capacity 1) when the screen may
// have changed.
func (s *Session) Updates() <-chan struct{} { return s.updates }

// Done is closed when the child has exited and all its output has been
// processed.
func (s *Session) Done() <-chan struct{} { return s.done }

// ExitCode is the child's exit status, valid after Done; -1 if a signal
// killed it (and -1 before Done).
func (s *Session) ExitCode() int {
	select {
	case <-s.done:
		return s.exitCode
	default:
		return -1
	}
}

// ExitErr is the error from waiting for the child (nil on exit status 0),
// valid after Done (nil before).
func (s *Session) ExitErr() error {
	select {
	case <-s.done:
		return s.exitErr
	default:
		return nil
	}
}

// Pid is the child's process id, which is also its process group id.
func (s *Session) Pid() int { return s.pid }

// SendKey queues a key press for the child, encoded by the emulator for
// the child's current modes. It never blocks.
func (s *Session) SendKey(k uv.KeyEvent) { s.in.push(input{kind: inKey, key: k}) }

// SendText queues text for the child. It never blocks.
func (s *Session) SendText(text string) { s.in.push(input{kind: inText, text: text}) }

// Paste queues a paste, bracketed if the child enabled bracketed paste.
func (s *Session) Paste(text string) { s.in.push(input{kind: inPaste, text: text}) }

// WriteRaw queues raw bytes for the child (for example "\r").
func (s *Session) WriteRaw(p []byte) {
	s.in.push(input{kind: inRaw, raw: append([]byte(nil), p...)})
}

// Resize changes the pty size (the child gets SIGWINCH) and the emulator's.
// Sizes are clamped to at least 1.
func (s *Session) Resize(cols, rows int) {
	cols, rows = max(cols, 1), max(rows, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if cols == s.cols && rows == s.rows {
		return
	}
	_ = setSize(s.ptmx, cols, rows) // fails harmlessly once the pty is closed
	s.guard(func() { s.em.Resize(cols, rows) })
	s.cols, s.rows = cols, rows
	s.notify()
}

// Render returns the screen with styles as ANSI: exactly Rows lines
// separated by "\n", each Cols cells wide.
func (s *Session) Render() string {
	s.mu.Lock()
	var raw string
	s.guard(func() { raw = s.em.Render() })
	cols, rows := s.cols, s.rows
	s.mu.Unlock()
	lines := strings.Split(raw, "\n")
	var b strings.Builder
	for y := range rows {
		line := ""
		if y < len(lines) {
			line = lines[y]
		}
		if w := ansi.StringWidth(line); w > cols {
			line = ansi.Truncate(line, cols, "") + ansi.ResetStyle
		} else if w < cols {
			line += strings.Repeat(" ", cols-w)
		}
		b.WriteString(line)
		if y < rows-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Text returns the screen as plain text: exactly Rows lines separated by
// "\n", trailing spaces trimmed.
func (s *Session) Text() string {
	s.mu.Lock()
	var raw string
	s.guard(func() { raw = s.em.String() })
	rows := s.rows
	s.mu.Unlock()
	lines := strings.Split(raw, "\n")
	if len(lines) > rows {
		lines = lines[:rows]
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	for len(lines) < rows {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// Cursor returns the cursor's cell position and whether it is visible.
func (s *Session) Cursor() (x, y int, visible bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guard(func() {
		p := s.em.CursorPosition()
		x, y, visible = p.X, p.Y, !s.em.CursorHidden()
	})
	return x, y, visible
}

// Transcript returns the last 256 KiB of everything the child printed
// (after the Filter), without escape sequences and with CR, LF and CRLF
// (and cursor moves to another line) turned into "\n".
func (s *Session) Transcript() string {
	s.tmu.Lock()
	defer s.tmu.Unlock()
	return s.tr.String()
}

// EmulatorPanics reports how many panics inside the emulator were
// recovered, and the last one's message.
func (s *Session) EmulatorPanics() (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emuPanics, s.lastPanic
}

// Signal sends sig to the child's whole process group.
func (s *Session) Signal(sig os.Signal) error { return signalGroup(s.pid, sig) }

// Close ends the session: SIGTERM to the process group, up to grace for
// the child to exit, then SIGKILL to the group, close the pty and reap.
// It is idempotent and safe to call concurrently with everything else; it
// returns once no process of the group is left (as far as signals reach).
func (s *Session) Close(grace time.Duration) error {
	s.closeOnce.Do(func() { s.closeErr = s.close(grace) })
	return s.closeErr
}

func (s *Session) close(grace time.Duration) error {
	_ = signalGroup(s.pid, sigTERM)
	t := time.NewTimer(max(grace, 0))
	defer t.Stop()
	select {
	case <-s.done:
		// The child is gone; give the rest of its group the same grace.
		waitGroupGone(s.pid, t.C)
	case <-t.C:
	}
	_ = killGroup(s.pid)
	s.closePty()
	select {
	case <-s.done:
		return nil
	case <-time.After(5 * time.Second):
		return fmt.Errorf("ptyrun: pid %d did not go away after SIGKILL", s.pid)
	}
}

func (s *Session) closePty() {
	s.ptmxOnce.Do(func() { _ = s.ptmx.Close() })
}

// ---- goroutines ----

func (s *Session) readLoop(readerDone chan<- struct{}) {
	defer close(readerDone)
	buf := make([]byte, readSize)
	for {
		n, err := s.ptmx.Read(buf)
		if n > 0 {
			s.raw.put(buf[:n])
			if s.exited.Load() {
				s.extendDrain()
			}
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) && !s.exited.Load() {
				_ = s.ptmx.SetReadDeadline(time.Time{})
				continue
			}
			break
		}
	}
	s.raw.close()
}

func (s *Session) extendDrain() {
	d := time.Now().Add(drainQuiet)
	if limit := s.exitAt.Add(drainMax); limit.Before(d) {
		d = limit
	}
	_ = s.ptmx.SetReadDeadline(d)
}

func (s *Session) waitLoop(readerDone <-chan struct{}) {
	err := s.cmd.Wait()
	s.exitAt = time.Now()
	s.exited.Store(true)
	s.extendDrain() // pollable pty: stop reading once output dries up
	<-readerDone
	<-s.emuDone

	code := 0
	if err != nil {
		code = -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode() // -1 when killed by a signal
		}
	}
	s.exitCode, s.exitErr = code, err

	// Stop the input side: the encoder, the pipe pump and the pty writer.
	s.in.close()
	_ = s.pw.Close()
	s.closePty()
	close(s.done)
	s.notify()
}

// idleFlush asks outputLoop to flush the Filter: nothing came for a while.
func (s *Session) idleFlush() { s.raw.poke() }

// outputLoop takes each batch the reader queued through the Filter into
// the transcript and the emulator; it flushes the Filter after a silence
// and at the end.
func (s *Session) outputLoop() {
	defer close(s.emuDone)
	var out, batch []byte
	for {
		var closed, poked bool
		batch, closed, poked = s.raw.take(batch)
		switch {
		case len(batch) > 0 && s.filter == nil:
			s.show(batch)
		case len(batch) > 0:
			// In pieces, the Filter's own buffers stay small. out is sized
			// for the batch at once: growing it by doubling would touch
			// twice the memory, and fresh pages are what costs here.
			if cap(out) < len(batch) {
				out = make([]byte, 0, len(batch)+len(batch)/8)
			}
			out = out[:0]
			for p := batch; len(p) > 0; {
				n := min(len(p), filterPiece)
				if af, ok := s.filter.(appendFilter); ok {
					out = af.Append(out, p[:n])
				} else {
					out = append(out, s.filter.Write(p[:n])...)
				}
				p = p[n:]
			}
			s.show(out)
			s.idle.Reset(idleFlush)
		case closed:
			s.idle.Stop()
			if s.filter != nil {
				s.show(s.filter.Flush())
			}
			return
		case poked && s.filter != nil:
			s.show(s.filter.Flush())
		}
	}
}

// show puts filtered output into the transcript and the emulator.
func (s *Session) show(p []byte) {
	if len(p) == 0 {
		return
	}
	s.tmu.Lock()
	s.tr.Write(p)
	s.tmu.Unlock()
	s.mu.Lock()
	s.draw(p)
	s.mu.Unlock()
	s.notify()
}

// draw feeds a batch to the emulator. Of a flood it draws only the end:
// the last floodTail bytes, from the first line start in them (a CAN first
// puts the parser back to ground). The lines before would have scrolled
// away unseen; the transcript keeps them all. Called with mu held.
func (s *Session) draw(p []byte) {
	if len(p) > floodBatch {
		cut := len(p) - floodTail
		if i := bytes.IndexByte(p[cut:], '\n'); i >= 0 {
			cut += i + 1
		}
		s.dropped += int64(cut)
		s.writeEmu([]byte{0x18})
		p = p[cut:]
	}
	s.writeEmu(p)
}

// Dropped reports how many bytes of floods were never drawn.
func (s *Session) Dropped() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// writeEmu feeds the emulator one escape sequence at a time (each piece
// starts at an ESC), so a panic in x/vt costs at most the rest of the piece
// that caused it. After a panic a CAN puts the parser back to ground.
// Called with mu held.
func (s *Session) writeEmu(p []byte) {
	for len(p) > 0 {
		n := bytes.IndexByte(p[1:], 0x1b) + 1
		if n == 0 {
			n = len(p)
		}
		piece := p[:n]
		if !s.guard(func() { _, _ = s.em.Write(piece) }) {
			s.guard(func() { _, _ = s.em.Write([]byte{0x18}) })
		}
		p = p[n:]
	}
}

// guard runs f (an emulator call, with mu held) and survives a panic in
// x/vt, which then only costs the rest of that call. It reports whether f
// returned normally.
func (s *Session) guard(f func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s.emuPanics++
			s.lastPanic = fmt.Sprint(r)
		}
	}()
	f()
	return true
}

func (s *Session) notify() {
	select {
	case s.updates <- struct{}{}:
	default:
	}
}

// encodeLoop turns queued input into bytes on the emulator's input pipe,
// in order. Keys are encoded under mu because the encoding depends on the
// child's modes.
func (s *Session) encodeLoop() {
	for {
		it, ok := s.in.pop()
		if !ok {
			return
		}
		switch it.kind {
		case inKey:
			s.mu.Lock()
			s.guard(func() { s.em.SendKey(it.key) })
			s.mu.Unlock()
		case inPaste:
			s.mu.Lock()
			s.guard(func() { s.em.Paste(it.text) })
			s.mu.Unlock()
		case inText:
			_, _ = io.WriteString(s.pw, it.text)
		case inRaw:
			_, _ = s.pw.Write(it.raw)
		}
	}
}

// pumpLoop drains the emulator's input pipe into an unbounded queue, so
// neither SendKey nor a query reply inside em.Write ever waits on the pty.
func (s *Session) pumpLoop() {
	buf := make([]byte, 4096)
	for {
		n, err := s.em.Read(buf)
		if n > 0 {
			s.out.push(append([]byte(nil), buf[:n]...))
		}
		if err != nil {
			s.out.close()
			return
		}
	}
}

// writeLoop is the one writer to the pty.
func (s *Session) writeLoop() {
	broken := false
	for {
		p, ok := s.out.pop()
		if !ok {
			return
		}
		if !broken {
			if _, err := s.ptmx.Write(p); err != nil {
				broken = true // child gone or pty closed; drop the rest
			}
		}
	}
}

// ---- bounded byte queue ----

// byteQueue joins two stages of the output pipeline: put appends (waiting
// while maxPending bytes are queued), take hands over everything queued at
// once. poke wakes a taker with nothing queued (the idle flush).
type byteQueue struct {
	max    int
	mu     sync.Mutex
	cond   *sync.Cond
	buf    []byte
	closed bool
	poked  bool
}

func newByteQueue(max int) *byteQueue {
	q := &byteQueue{max: max}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *byteQueue) put(p []byte) {
	if len(p) == 0 {
		return
	}
	q.mu.Lock()
	for len(q.buf) >= q.max && !q.closed {
		q.cond.Wait()
	}
	wake := len(q.buf) == 0 // a taker waits on an empty queue
	if cap(q.buf) == 0 {
		// Once, at the size it will need: growing by doubling would touch
		// twice the memory, and fresh pages are what costs here.
		q.buf = make([]byte, 0, q.max+max(len(p), readSize))
	}
	q.buf = append(q.buf, p...)
	if wake {
		q.cond.Broadcast()
	}
	q.mu.Unlock()
}

// take waits for bytes, a poke or the close, and returns the queued bytes
// in place of spare (whose memory the queue reuses).
func (q *byteQueue) take(spare []byte) (batch []byte, closed, poked bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.buf) == 0 && !q.closed && !q.poked {
		q.cond.Wait()
	}
	batch, closed, poked = q.buf, q.closed, q.poked
	// The buffers stay bounded: put appends only below max, and what it
	// appends is at most one earlier stage's batch.
	q.buf, q.poked = spare[:0], false
	q.cond.Broadcast() // a putter may be waiting for room
	return batch, closed, poked
}

func (q *byteQueue) poke() {
	q.mu.Lock()
	q.poked = true
	q.cond.Broadcast()
	q.mu.Unlock()
}

func (q *byteQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}

// ---- unbounded FIFO ----

type queue[T any] struct {
	mu     sync.Mutex
	items  []T
	closed bool
	ready  chan struct{} // capacity 1
}

func newQueue[T any]() *queue[T] { return &queue[T]{ready: make(chan struct{}, 1)} }

func (q *queue[T]) push(v T) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, v)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

func (q *queue[T]) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// pop blocks until an item is available; ok is false once the queue is
// closed and empty.
func (q *queue[T]) pop() (v T, ok bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			v = q.items[0]
			var zero T
			q.items[0] = zero
			q.items = q.items[1:]
			if len(q.items) == 0 {
				q.items = nil
			}
			q.mu.Unlock()
			return v, true
		}
		if q.closed {
			q.mu.Unlock()
			return v, false
		}
		q.mu.Unlock()
		<-q.ready
	}
}
