package sshd

import (
	"fmt"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"
)

// liveFootprint is the heap in use after a full collection and the number
// of goroutines. The IntaSend client's pool of idle keep-alive connections
// (bounded, shared by every session, closed after 90 s idle) is closed
// first: it is not what sessions leave behind.
func (ts *testServer) liveFootprint() (heap uint64, goroutines int) {
	ts.demo.Client.CloseIdleConnections()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, runtime.NumGoroutine()
}

// TestSessionsReleaseMemory is issue 10's leak check: after 50 real SSH
// sessions (PTY, the console on the demo, first frame drawn) log out,
// the server's live heap and goroutine count come back to within 10% of
// their idle baseline. A session that left a goroutine or a reference
// behind (a resize watcher, a request still in flight, a program kept in
// the live table) would show up 50 times over.
func TestSessionsReleaseMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 50 SSH sessions")
	}
	const n = 50
	u := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{u}, func(c *Config) {
		c.MaxSessionsPerUser, c.MaxSessions = n, n
		// All 50 come from 127.0.0.1 at once: lift the per-source cap on
		// connections not logged in yet.
		c.MaxStartups = MaxStartups{Start: n, Rate: 100, Full: n, PerSource: n}
	})
	// One session first: what is built once (styles, the demo's HTTP
	// connections, lazily compiled tables) belongs in the baseline.
	warm := ts.login(t, u)
	warm.waitFor(t, "Payroll")
	warm.close()
	waitSessions(t, ts, 0)
	baseHeap, baseG := settle(t, ts)

	terms := make([]*term, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range terms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tm, err := ts.open(u.signer, true)
			if err != nil {
				errs <- err
				return
			}
			terms[i] = tm
			// The console's first frame: its loads are in flight (or
			// done), which logging out must cancel and release.
			if !tm.waitUntil("wanjiru (approver)", 60*time.Second) {
				errs <- fmt.Errorf("session %d never showed the console", i)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	waitSessions(t, ts, n)
	peakHeap, peakG := ts.liveFootprint()
	for _, tm := range terms {
		tm.close()
	}
	waitSessions(t, ts, 0)

	var heap uint64
	var g int
	// patience, not a tight bound: under -race on a loaded machine the
	// 50 logouts (each an fsynced audit record) and the goroutines they
	// end take their time; the wait returns as soon as the figures are in.
	ok := waitUntil(patience, func() bool {
		heap, g = ts.liveFootprint()
		return float64(heap) <= 1.1*float64(baseHeap) && float64(g) <= 1.1*float64(baseG)
	})
	t.Logf("idle: heap %d KB, %d goroutines; %d sessions: heap %d KB, %d goroutines; after logout: heap %d KB, %d goroutines",
		baseHeap>>10, baseG, n, peakHeap>>10, peakG, heap>>10, g)
	if !ok {
		var b strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
		t.Logf("goroutines left:\n%s", b.String())
		t.Errorf("after %d sessions logged out the server holds heap %d KB (idle %d KB) and %d goroutines (idle %d): more than 10%% above idle",
			n, heap>>10, baseHeap>>10, g, baseG)
	}
}

// waitSessions waits until the server has want consoles running.
func waitSessions(t testing.TB, ts *testServer, want int) {
	t.Helper()
	if !waitUntil(patience, func() bool { return ts.srv.Sessions() == want }) {
		t.Fatalf("%d sessions, want %d", ts.srv.Sessions(), want)
	}
}

// settle measures once the goroutine count has stopped falling (what the
// last session left winding down has ended).
func settle(t *testing.T, ts *testServer) (uint64, int) {
	t.Helper()
	heap, g := ts.liveFootprint()
	for range 50 {
		time.Sleep(20 * time.Millisecond)
		h2, g2 := ts.liveFootprint()
		if g2 >= g {
			return h2, g2
		}
		heap, g = h2, g2
	}
	return heap, g
}
