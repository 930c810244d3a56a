package common

import "time"

// Backoff is the delay before the next try of a poll or reload after
// failures failed tries in a row: base, doubled per failure, never above
// most. Every screen's timer backs off the same way, so an IntaSend that is
// down is not asked harder by one screen than by another.
func Backoff(base, most time.Duration, failures int) time.Duration {
	d := base
	for i := 0; i < failures && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}
