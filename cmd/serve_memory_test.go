package cmd

import (
	"bytes"
	"context"
	"runtime/debug"
	"testing"
)

func TestMemGovernorLimit(t *testing.T) {
	const mib = 1 << 20
	g := memGovernor{base: 32 * mib, perSession: 2 * mib, floor: 0.5}
	for _, tc := range []struct {
		name        string
		sessions    int
		live, other uint64
		want        int64
	}{
		{"idle server: the base", 0, 10 * mib, 5 * mib, 32 * mib},
		{"sessions within budget: base + budget each", 100, 120 * mib, 20 * mib, 232 * mib},
		{"a session holding far more: never under 1.5x live", 10, 200 * mib, 8 * mib, 308 * mib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := g.limit(tc.sessions, tc.live, tc.other); got != tc.want {
				t.Errorf("limit(%d, %d MiB, %d MiB) = %d MiB, want %d MiB", tc.sessions, tc.live/mib, tc.other/mib, got/mib, tc.want/mib)
			}
		})
	}
}

// TestGovernMemory: the governor sets the soft limit from the sessions
// open, and puts the previous limit back when serve stops; GOMEMLIMIT in
// the environment or 0 leave the runtime alone.
func TestGovernMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	var log bytes.Buffer
	stop := governMemory(context.Background(), 2, func() int { return 1000 }, &log)
	// 1000 sessions at 2 MiB: the budget dwarfs this test's live heap.
	if got, want := debug.SetMemoryLimit(-1), int64(memBase+1000*2<<20); got != want {
		t.Errorf("limit %d MiB, want %d MiB", got>>20, want>>20)
	}
	stop()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("after stop the limit is %d, want the previous %d", got, before)
	}
	for _, tc := range []struct {
		name, env string
		mib       float64
	}{{"off", "", 0}, {"GOMEMLIMIT wins", "1GiB", 2}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("GOMEMLIMIT", tc.env)
			}
			governMemory(context.Background(), tc.mib, func() int { return 1000 }, &log)()
			if got := debug.SetMemoryLimit(-1); got != before {
				t.Errorf("limit changed to %d", got)
			}
		})
	}
}
