package app

import (
	"testing"
	"time"

	"github.com/malipo/malipo/ui/common"
)

func TestAgeText(t *testing.T) {
	base := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		age   time.Duration
		fresh time.Duration
		want  string
	}{
		{0, freshFor, "just now"},
		{9*time.Second + 999*time.Millisecond, freshFor, "just now"},
		{10 * time.Second, freshFor, "10s ago"},
		{90 * time.Second, freshFor, "1m ago"},
		{5 * time.Second, freshness(false), "5s ago"},
		{time.Second, freshness(false), "just now"},
	} {
		if got := ageText(base.Add(tc.age), base, tc.fresh); got != tc.want {
			t.Errorf("ageText(%s, fresh %s) = %q, want %q", tc.age, tc.fresh, got, tc.want)
		}
	}
}

// TestClockTicksWhereTheAgeChanges: for ages from nothing to two hours,
// connected and offline, the text is the same until the moment
// untilAgeChanges names, and different at it: the bar is never stale and
// no tick is wasted (but for the 10 ms a tick is never sooner than).
func TestClockTicksWhereTheAgeChanges(t *testing.T) {
	base := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	for _, fresh := range []time.Duration{freshness(true), freshness(false)} {
		for d := time.Duration(0); d < 2*time.Hour; d += 997 * time.Millisecond {
			next := untilAgeChanges(d, fresh)
			now := ageText(base.Add(d), base, fresh)
			if before := ageText(base.Add(d+next-time.Millisecond), base, fresh); next > clockLeast && before != now {
				t.Fatalf("age %s (fresh %s): %q turned %q before the tick in %s", d, fresh, now, before, next)
			}
			if at := ageText(base.Add(d+next), base, fresh); at == now {
				t.Fatalf("age %s (fresh %s): still %q at the tick in %s", d, fresh, now, next)
			}
		}
	}
}

func TestNextClock(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	m := &Model{c: &common.Common{Now: func() time.Time { return now }}}
	if got := m.nextClock(); got != clockMost {
		t.Errorf("not connected yet: next tick in %s, want %s", got, clockMost)
	}
	for _, tc := range []struct {
		ok   bool
		age  time.Duration
		want time.Duration
	}{
		{true, 3 * time.Second, 7 * time.Second},                              // "just now" until 10 s
		{true, 0, clockMost},                                                  // a fresh answer: the most
		{true, 42*time.Second + 300*time.Millisecond, 700 * time.Millisecond}, // counting seconds
		{false, 5*time.Minute + 20*time.Second, clockMost},                    // "5m ago" holds 40 s: the most
	} {
		m.health = health{known: true, ok: tc.ok, lastOK: now.Add(-tc.age)}
		if got := m.nextClock(); got != tc.want {
			t.Errorf("ok %v, age %s: next tick in %s, want %s", tc.ok, tc.age, got, tc.want)
		}
	}
}
