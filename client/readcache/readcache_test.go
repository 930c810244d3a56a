package readcache_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/readcache"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/demo"
)

// fixture is a client over the cache over a seeded simulator on loopback,
// everything on one manual clock. gate, when set, holds requests whose
// route contains hold until it is closed.
type fixture struct {
	sim   *sim.Server
	clock *sim.ManualClock
	cache *readcache.Cache
	cl    *client.Client
	mu    sync.Mutex
	hold  string
	gate  chan struct{}
}

func newFixture(t *testing.T, faults ...sim.Fault) *fixture {
	t.Helper()
	f := &fixture{clock: sim.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))}
	f.sim = sim.New(sim.Options{Seed: true, Rand: 7, Clock: f.clock, Faults: faults})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		hold, gate := f.hold, f.gate
		f.mu.Unlock()
		if gate != nil && strings.Contains(r.URL.Path, hold) {
			<-gate
		}
		f.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.cache = readcache.New(nil, readcache.Options{TTL: 4 * time.Second, StatusTTL: time.Second, Now: f.clock.Now})
	pub, sec := demo.Keys()
	cl, err := client.New(pub, sec, client.WithBaseURL(srv.URL), client.WithHTTPClient(f.cache.HTTPClient()),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	f.cl = cl
	return f
}

// calls is how many requests for route the simulator answered.
func (f *fixture) calls(route string) int { return f.sim.Counters().Requests[route] }

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestIdenticalReadsInFlightAreMerged(t *testing.T) {
	f := newFixture(t)
	f.mu.Lock()
	f.hold, f.gate = "wallets/", make(chan struct{})
	f.mu.Unlock()
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			p, err := f.cl.ListWallets(context.Background(), 1)
			if err == nil && len(p.Results) == 0 {
				err = context.Canceled // any non-nil: an empty list is wrong here
			}
			errs <- err
		})
	}
	waitUntil(t, "every read waiting on the one request", func() bool { return f.cache.Stats().Waiting == n })
	close(f.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := f.calls("GET wallets/"); got != 1 {
		t.Errorf("%d sessions' identical reads made %d requests, want 1", n, got)
	}
	if s := f.cache.Stats(); s.Merged != n {
		t.Errorf("stats %+v: want %d merged", s, n)
	}
}

func TestTTLAndInvalidation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	read := func() {
		t.Helper()
		if _, err := f.cl.ListWallets(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name string
		do   func()
		want int // GET wallets/ requests the simulator has answered after the step
	}{
		{"first read asks", read, 1},
		{"again within the TTL: kept", read, 1},
		{"3.9 s later: still kept", func() { f.clock.Advance(3900 * time.Millisecond); read() }, 1},
		{"past the TTL: asks again", func() { f.clock.Advance(200 * time.Millisecond); read() }, 2},
		{"a webhook invalidates", func() { f.cache.Invalidate(); read() }, 3},
		{"money moved (an STK push): the next read asks", func() {
			if _, err := f.cl.STKPush(ctx, client.STKPushRequest{Phone: "254708374149", Amount: 100_00, APIRef: "t"}); err != nil {
				t.Fatal(err)
			}
			read()
		}, 4},
		{"a PUT is not a read: passed through, invalidates", func() {
			req, _ := http.NewRequest(http.MethodPut, f.cl.BaseURL()+"subscriptions-plans/nope/", strings.NewReader("{}"))
			for range 2 {
				if resp, err := f.cache.HTTPClient().Do(req); err == nil {
					resp.Body.Close()
				}
			}
			read()
		}, 5},
	}
	for _, s := range steps {
		s.do()
		if got := f.calls("GET wallets/"); got != s.want {
			t.Fatalf("%s: %d wallet reads reached the simulator, want %d", s.name, got, s.want)
		}
	}
}

func TestMoneyMovingCallsAreNeverMergedOrKept(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for i := range 3 {
		if _, err := f.cl.STKPush(ctx, client.STKPushRequest{Phone: "254708374149", Amount: 100_00, APIRef: "same"}); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
	}
	if got := f.calls("POST payment/mpesa-stk-push/"); got != 3 {
		t.Errorf("3 identical pushes reached the simulator %d times, want 3", got)
	}
}

func TestStatusQueriesKeptBriefly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	push, err := f.cl.STKPush(ctx, client.STKPushRequest{Phone: "254708374149", Amount: 100_00, APIRef: "s"})
	if err != nil {
		t.Fatal(err)
	}
	id := push.Invoice.ID
	for range 3 {
		if _, err := f.cl.PaymentStatus(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.calls("POST payment/status/"); got != 1 {
		t.Errorf("3 status reads within a second: %d requests, want 1", got)
	}
	f.clock.Advance(time.Second)
	if _, err := f.cl.PaymentStatus(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := f.calls("POST payment/status/"); got != 2 {
		t.Errorf("after the status TTL: %d requests, want 2", got)
	}
}

func TestErrorsAreNotKept(t *testing.T) {
	ctx := context.Background()
	faults, err := sim.ParseFaults("GET wallets/:5xx")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, faults...)
	for range 2 {
		if _, err := f.cl.ListWallets(ctx, 1); err == nil {
			t.Fatal("a 5xx read succeeded")
		}
	}
	if got := f.calls("GET wallets/"); got != 2 {
		t.Errorf("a failed read was kept: %d requests for 2 reads, want 2", got)
	}
}

// A session that logs out (its context cancelled) while others wait on
// the same read must not fail them.
func TestOneCallerCancellingDoesNotFailTheOthers(t *testing.T) {
	f := newFixture(t)
	f.mu.Lock()
	f.hold, f.gate = "wallets/", make(chan struct{})
	f.mu.Unlock()
	gone, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, err := f.cl.ListWallets(gone, 1); first <- err }()
	waitUntil(t, "the first read waiting", func() bool { return f.cache.Stats().Waiting == 1 })
	second := make(chan error, 1)
	go func() { _, err := f.cl.ListWallets(context.Background(), 1); second <- err }()
	waitUntil(t, "both reads waiting", func() bool { return f.cache.Stats().Waiting == 2 })
	cancel()
	if err := <-first; err == nil {
		t.Error("the cancelled read succeeded")
	}
	close(f.gate)
	if err := <-second; err != nil {
		t.Errorf("the other session's read failed with the first one's cancellation: %v", err)
	}
}

func TestBoundedBytes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	small := readcache.New(nil, readcache.Options{MaxBytes: 256 << 10, Now: f.clock.Now})
	pub, sec := demo.Keys()
	cl, err := client.New(pub, sec, client.WithBaseURL(f.cl.BaseURL()), client.WithHTTPClient(small.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	for page := 1; page <= 30; page++ {
		_, _ = cl.Transactions(ctx, client.TransactionFilter{Page: page})
	}
	if n, size := small.Len(), small.Bytes(); n == 0 || n >= 30 || size > 256<<10 {
		t.Errorf("%d answers (%d bytes) kept in 256 KB after 30 distinct reads", n, size)
	}
}
