package sshd

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"
	"time"
)

// TestSessionHeap measures the live heap one session adds (n sessions on
// Wallets, first frame drawn, against the idle server), and with
// MALIPO_HEAP_PROFILE=FILE writes a heap profile while they are open, to
// see where a session's memory goes:
//
//	MALIPO_SESSION_HEAP=50 MALIPO_HEAP_PROFILE=/tmp/heap.pprof go test -run TestSessionHeap -v ./sshd/
//	go tool pprof -sample_index=inuse_space -top /tmp/heap.pprof
func TestSessionHeap(t *testing.T) {
	if os.Getenv("MALIPO_SESSION_HEAP") == "" {
		t.Skip("set MALIPO_SESSION_HEAP=N to measure N sessions' heap")
	}
	n := 50
	fmt.Sscanf(os.Getenv("MALIPO_SESSION_HEAP"), "%d", &n)
	users := viewers(t, n)
	ts := startServer(t, users, func(c *Config) {
		roomFor(c, n)
	})
	warm := ts.login(t, users[0])
	warm.waitFor(t, "Payroll")
	warm.close()
	waitSessions(t, ts, 0)
	baseHeap, _ := settle(t, ts)
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() {
			tm, err := ts.open(u.signer, true)
			if err != nil {
				t.Error(err)
				return
			}
			t.Cleanup(tm.close)
			if !tm.waitUntil("Payroll", patience) {
				t.Errorf("session %d: no wallets", i)
			}
		})
	}
	wg.Wait()
	waitSessions(t, ts, n)
	time.Sleep(2 * time.Second) // let the first loads land (a figure, not a synchronisation)
	heap, g := ts.liveFootprint()
	t.Logf("%d sessions: live heap %d KB over idle %d KB = %.0f KB per session; %d goroutines",
		n, (heap-baseHeap)>>10, baseHeap>>10, float64(heap-baseHeap)/1024/float64(n), g)
	if path := os.Getenv("MALIPO_HEAP_PROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}
