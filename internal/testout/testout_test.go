package testout

import (
	"sync"
	"testing"
	"time"
)

// TestBufferConcurrent: writers and readers at once (run with -race); every
// byte arrives, From cuts at the mark, and a write wakes a waiter.
func TestBufferConcurrent(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte("ab"))
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if b.Len() != 800 {
		t.Fatalf("len %d, want 800", b.Len())
	}
	mark := b.Len()
	<-b.Wrote() // a write happened since the channel was made: it must not block
	_, _ = b.Write([]byte("tail"))
	<-b.Wrote()
	if got := b.From(mark); got != "tail" {
		t.Fatalf("From(mark) = %q, want tail", got)
	}
	if got := b.From(mark + 100); got != "" {
		t.Fatalf("From past the end = %q", got)
	}
}

// TestWaitFor: text behind escape codes is found; absent text times out.
func TestWaitFor(t *testing.T) {
	b := New()
	go func() { _, _ = b.Write([]byte("\x1b[1mTotal\x1b[0m KES")) }()
	if !b.WaitFor(0, "Total KES", time.Minute) {
		t.Fatal("Total KES not found")
	}
	if b.WaitFor(b.Len(), "never", time.Millisecond) {
		t.Fatal("found text that was never written")
	}
}
