package cmd

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Serve's memory governor (issue 14: server memory ≤ 2 MB a session).
//
// What a session holds live is about 1.2 MB (Bubble Tea's two cell
// buffers for the screen are most of it); left to GOGC=100 the heap grows
// to twice the live heap between collections, so at the peak of many
// sessions switching tabs the process held 2.5–2.7 MB a session, mostly
// garbage not yet collected. A soft memory limit (debug.SetMemoryLimit,
// what GOMEMLIMIT sets) that follows the open sessions collects that
// garbage sooner: the limit is base + budget × sessions, re-set every
// second.
//
// The floor keeps the limit from ever squeezing the heap below
// 1.5 × what is live (as GOGC=50 would): a session that holds far more
// than the budget (a 5,000-row batch being previewed) then costs
// memory, not a collector running back to back. Below the limit GOGC=100
// still decides, so a lightly loaded server collects as rarely as before.
const (
	// memBase is what an idle server may use before any session: it
	// starts at about 22 MB RSS.
	memBase = 32 << 20
	// memFloor is the least headroom over the live heap, as a fraction.
	memFloor = 0.5
	// memEvery is how often the limit follows the sessions.
	memEvery = time.Second
)

// memGovernor computes the soft memory limit.
type memGovernor struct {
	base, perSession uint64
	floor            float64
}

// limit is the soft limit for sessions open, given the live heap and the
// memory the runtime holds that is not heap (stacks, metadata).
func (g memGovernor) limit(sessions int, live, other uint64) int64 {
	want := g.base + uint64(sessions)*g.perSession
	least := other + live + uint64(float64(live)*g.floor)
	return int64(min(max(want, least), math.MaxInt64))
}

// memSample reads the live heap (as of the last collection) and the
// runtime's memory outside the heap.
func memSample() (live, other uint64) {
	s := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	metrics.Read(s)
	v := func(i int) uint64 {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s[i].Value.Uint64()
	}
	heap := v(2) + v(3) + v(4) + v(5)
	return v(0), v(1) - min(heap, v(1))
}

// governMemory keeps the soft memory limit at the governor's figure for
// the sessions open until ctx ends, and puts the previous limit back then.
// perSessionMiB 0 turns it off; so does GOMEMLIMIT in the environment
// (the administrator's own limit wins).
func governMemory(ctx context.Context, perSessionMiB float64, sessions func() int, stderr io.Writer) func() {
	if perSessionMiB <= 0 || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	g := memGovernor{base: memBase, perSession: uint64(perSessionMiB * (1 << 20)), floor: memFloor}
	set := func() {
		live, other := memSample()
		debug.SetMemoryLimit(g.limit(sessions(), live, other))
	}
	before := debug.SetMemoryLimit(-1)
	set()
	fmt.Fprintf(stderr, "malipo serve: soft memory limit %d MiB + %.2f MiB a session (--memory-per-session), never under 1.5x the live heap\n",
		memBase>>20, perSessionMiB)
	stop := every(ctx, memEvery, func(context.Context) { set() })
	return func() {
		stop()
		debug.SetMemoryLimit(before)
	}
}

// every runs fn every d, in the background, until ctx ends or the
// returned func is called; that func returns once fn has stopped.
// serve's housekeeping (the memory limit, the store's health) runs on it.
func every(ctx context.Context, d time.Duration, fn func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fn(ctx)
			}
		}
	}()
	return func() { cancel(); <-done }
}
