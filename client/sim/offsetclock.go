package sim

import (
	"sync"
	"time"
)

// OffsetClock is real time plus an offset that only grows. `malipo sim`
// runs on one so that the control API can jump ahead (to see a chargeback
// complete, or a webhook's fifth retry, without waiting a day) while time
// otherwise flows as usual.
type OffsetClock struct {
	mu  sync.Mutex
	off time.Duration
}

// NewOffsetClock starts at real time.
func NewOffsetClock() *OffsetClock { return &OffsetClock{} }

// Now implements Clock.
func (c *OffsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

// Advance moves the clock forward by d.
func (c *OffsetClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}
