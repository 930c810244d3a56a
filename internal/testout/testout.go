// Package testout is the tests' buffer for what a running program prints
// (a command, an SSH session, a console on a PTY): one writer and many
// readers at once, and a wake-up on each write, so a test waiting for a
// screen blocks instead of re-reading every few milliseconds (fifty
// sessions polling would load the very machine a load test measures).
// It imports nothing of malipo's, so any package's tests can use it.
package testout

import (
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// Buffer collects output; its zero value is ready to use.
type Buffer struct {
	mu    sync.Mutex
	buf   []byte
	wrote chan struct{}
}

// New returns an empty Buffer.
func New() *Buffer { return &Buffer{} }

// ch is the wake-up channel, made on first use (mu held).
func (b *Buffer) ch() chan struct{} {
	if b.wrote == nil {
		b.wrote = make(chan struct{}, 1)
	}
	return b.wrote
}

// Write appends p and wakes a waiter, if one is not already woken.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	select {
	case b.ch() <- struct{}{}:
	default:
	}
	return len(p), nil
}

// Wrote receives after a write: wait on it, then look again.
func (b *Buffer) Wrote() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ch()
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// Len is how many bytes were written so far: a mark for From.
func (b *Buffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.buf)
}

// From is what was written after mark.
func (b *Buffer) From(mark int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf[min(mark, len(b.buf)):])
}

// WaitFor reports whether text (matched with the terminal's escape codes
// stripped) arrived after mark within d, waking on each write.
func (b *Buffer) WaitFor(mark int, text string, d time.Duration) bool {
	timeout := time.After(d)
	for !strings.Contains(ansi.Strip(b.From(mark)), text) {
		select {
		case <-b.Wrote():
		case <-timeout:
			return false
		}
	}
	return true
}
