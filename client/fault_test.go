package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

// TestFaultStormApprovesExactlyOnce initiates and approves 200 payout
// batches through the client while the simulator injects faults into about
// 20% of send-money requests: 5xx, 429, connections dropped before and
// after processing, answers stalled past the client's timeout, and latency.
// Every logical batch must end approved exactly once, and the wallet must
// move by exactly 200 batches' worth. A batch whose initiate failed
// ambiguously may be left behind unapproved (an orphan): it holds and moves
// no money, and it is counted.
func TestFaultStormApprovesExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("fault storm skipped in -short")
	}
	const (
		batches = 200
		workers = 16
		amount  = 100 // KES per batch, one transaction
	)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = workers
	e := newEnv(t, sim.Options{}, client.WithHTTPClient(&http.Client{Transport: tr, Timeout: 400 * time.Millisecond}),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 5, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond}))
	e.fund(client.Units(150_000))
	before := e.settlement()

	const route = "POST send-money/"
	e.srv.SetFaults([]sim.Fault{
		{Route: route, Kind: sim.ServerError, Rate: 0.04, Status: 503},
		{Route: route, Kind: sim.ServerError, Rate: 0.02, Status: 500},
		{Route: route, Kind: sim.TooMany, Rate: 0.01, RetryAfter: time.Second},
		{Route: route, Kind: sim.DropBefore, Rate: 0.04},
		{Route: route, Kind: sim.DropAfter, Rate: 0.04},
		{Route: route, Kind: sim.Timeout, Rate: 0.03, Latency: 2 * time.Second},
		{Route: route, Kind: sim.Latency, Rate: 0.03, Latency: 30 * time.Millisecond},
	})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res := runStorm(ctx, e.c, batches, workers, amount)
	e.srv.SetFaults(nil)
	for _, err := range res.failures {
		t.Error(err)
	}
	if len(res.approved) != batches {
		t.Fatalf("%d logical batches approved, want %d", len(res.approved), batches)
	}
	k := e.srv.Counters()
	orphans := checkApprovedExactlyOnce(t, k, res, batches)

	// Let every batch run to completion: the wallet moves by exactly 200
	// batches' amounts and charges, the orphans moving nothing.
	e.advance(time.Minute)
	after := e.settlement()
	want := client.Units(batches*amount) + res.charges
	if moved := before.AvailableBalance - after.AvailableBalance; moved != want {
		t.Fatalf("wallet moved %s, want %s", moved, want)
	}
	checkStormHappened(t, k, orphans, res.ambiguous.Load())
}

// stormResult is what the storm's workers gathered.
type stormResult struct {
	mu        sync.Mutex
	approved  map[string]int // tracking id → logical batch
	charges   client.Amount
	ambiguous atomic.Int32 // initiates that failed ambiguously
	failures  []error
}

// runStorm initiates and approves batches logical batches with workers
// goroutines, each of amount KES, and gathers the outcome.
func runStorm(ctx context.Context, c *client.Client, batches, workers, amount int) *stormResult {
	res := &stormResult{approved: map[string]int{}}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				b, err := initiateAndApprove(ctx, c, i, amount, &res.ambiguous)
				res.record(i, b, err)
			}
		}()
	}
	for i := range batches {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return res
}

// record notes logical batch i's outcome.
func (r *stormResult) record(i int, b *client.Batch, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.failures = append(r.failures, fmt.Errorf("batch %d: %w", i, err))
		return
	}
	r.approved[b.TrackingID] = i
	r.charges += b.ChargeEstimate
}

// initiateAndApprove makes logical batch i and approves it once.
func initiateAndApprove(ctx context.Context, c *client.Client, i, amount int, ambiguous *atomic.Int32) (*client.Batch, error) {
	b, err := initiateLogical(ctx, c, i, amount, ambiguous)
	if err != nil {
		return nil, err
	}
	var ap *client.Batch
	// An operator whose approve met an outage (every attempt failed, the
	// batch provably still waiting) presses approve again; so does this
	// driver, a few times. A 20% storm makes four failures in a row likely
	// somewhere among 200 batches.
	for round := 0; round < 5; round++ {
		if ap, err = c.ApproveOnce(ctx, b); !errors.Is(err, client.ErrStillWaiting) {
			break
		}
	}
	if err == nil && !ap.Approved() {
		err = fmt.Errorf("ApproveOnce returned %s", ap.StatusCode)
	}
	return b, err
}

// checkApprovedExactlyOnce checks the simulator approved each logical
// batch once and nothing else, and returns the orphan batches (initiated,
// never approved), which only ambiguous initiates may leave.
func checkApprovedExactlyOnce(t *testing.T, k sim.Counters, res *stormResult, batches int) int {
	t.Helper()
	twice, total := 0, 0
	for tid, n := range k.Approved {
		total += n
		if n > 1 {
			twice++
			t.Errorf("batch %s approved %d times", tid, n)
		}
		if _, ours := res.approved[tid]; !ours {
			t.Errorf("batch %s was approved but no logical batch owns it", tid)
		}
	}
	for tid, i := range res.approved {
		if k.Approved[tid] != 1 {
			t.Errorf("logical batch %d (%s) approved %d times", i, tid, k.Approved[tid])
		}
	}
	orphans := k.Initiated - batches
	testcheck.Expect(t, fmt.Sprintf("approvals %d (twice %d), initiated %d, orphans %d, ambiguous initiates %d",
		total, twice, k.Initiated, orphans, res.ambiguous.Load()), k.Approved,
		testcheck.C("one approval per batch", total == batches), testcheck.C("none twice", twice == 0),
		testcheck.C("no negative orphans", orphans >= 0), testcheck.C("no more orphans than ambiguous initiates", orphans <= int(res.ambiguous.Load())))
	return orphans
}

// checkStormHappened logs the storm's figures and checks at least one
// send-money request in ten met a fault.
func checkStormHappened(t *testing.T, k sim.Counters, orphans int, ambiguous int32) {
	t.Helper()
	injected := 0
	for _, n := range k.Faults {
		injected += n
	}
	sendMoney := k.Requests["POST send-money/initiate/"] + k.Requests["POST send-money/approve/"] + k.Requests["POST send-money/status/"]
	t.Logf("%d send-money requests, %d faults injected %v; %d approve refusals; %d orphan batches (from %d ambiguous initiates)",
		sendMoney, injected, k.Faults, k.ApprovalsRefused, orphans, ambiguous)
	if injected < sendMoney/10 {
		t.Fatalf("only %d faults in %d requests: the storm did not happen", injected, sendMoney)
	}
}

// initiateLogical creates the batch for logical batch i. An initiate that
// fails is never retried as such: a fresh batch is initiated instead. After
// an ambiguous failure the first one may exist, unapproved (an orphan):
// without its nonce nobody approves it, so it moves no money.
func initiateLogical(ctx context.Context, c *client.Client, i, amount int, ambiguous *atomic.Int32) (*client.Batch, error) {
	var last error
	for attempt := 1; attempt <= 8; attempt++ {
		b, err := c.InitiatePayout(ctx, client.InitiateRequest{
			Provider: client.MPesaB2C, BatchReference: fmt.Sprintf("storm-%d-%d", i, attempt),
			Transactions: []client.PayoutItem{{Name: "Jane Doe", Account: sandboxPhone, Amount: client.Units(int64(amount)), Narrative: "storm"}},
		})
		if err == nil {
			return b, nil
		}
		last = err
		if client.IsAmbiguous(err) {
			ambiguous.Add(1)
		}
		var ae *client.APIError
		if errors.As(err, &ae) && !ae.Temporary() {
			return nil, err // IntaSend refused the batch itself
		}
		if ae != nil && ae.RetryAfter > 0 {
			time.Sleep(ae.RetryAfter)
		}
	}
	return nil, fmt.Errorf("initiate kept failing: %w", last)
}

// TestApproveOnceEachFault pins ApproveOnce's decision for each kind of
// failure, injected into every approve request.
func TestApproveOnceEachFault(t *testing.T) {
	tests := []struct {
		name     string
		fault    sim.Fault
		wantOK   bool // ApproveOnce succeeds
		approved int  // approvals the simulator accepted
	}{
		{"answer lost after processing", sim.Fault{Route: "approve", Kind: sim.DropAfter}, true, 1},
		{"answer stalled past the timeout", sim.Fault{Route: "approve", Kind: sim.Timeout, Latency: time.Minute}, true, 1},
		{"connection dropped before processing", sim.Fault{Route: "approve", Kind: sim.DropBefore}, false, 0},
		{"503 without processing", sim.Fault{Route: "approve", Kind: sim.ServerError, Status: 503}, false, 0},
		{"status also flaky", sim.Fault{Route: "send-money/", Kind: sim.DropAfter, Rate: 0.5}, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The stall (a minute, ended early when the client gives up) is far
			// beyond the timeout, and the timeout far beyond a loopback call on
			// a loaded machine: only the injected fault ever times out.
			e := newEnv(t, sim.Options{}, client.WithHTTPClient(&http.Client{Timeout: 2 * time.Second}))
			e.fund(client.Units(1000))
			b, err := e.c.InitiatePayout(e.ctx, client.InitiateRequest{Provider: client.MPesaB2C, Transactions: payoutItems(1)})
			if err != nil {
				t.Fatal(err)
			}
			e.srv.SetFaults([]sim.Fault{tt.fault})
			ap, err := e.c.ApproveOnce(e.ctx, b)
			e.srv.SetFaults(nil)
			if tt.wantOK != (err == nil) {
				t.Fatalf("ApproveOnce = %v, want ok=%v", err, tt.wantOK)
			}
			// Every failure here is an outage that never landed: it must
			// say so, so the caller knows approving again is safe.
			if err != nil && !errors.Is(err, client.ErrStillWaiting) {
				t.Fatalf("ApproveOnce = %v, want ErrStillWaiting", err)
			}
			if err == nil && !ap.Approved() {
				t.Fatalf("returned status %s", ap.StatusCode)
			}
			k := e.srv.Counters()
			if k.Approved[b.TrackingID] != tt.approved {
				t.Fatalf("approved %d times, want %d", k.Approved[b.TrackingID], tt.approved)
			}
			if tries := k.Requests["POST send-money/approve/"]; tries < 1 || tries > 4 {
				t.Fatalf("%d approve requests: want between 1 and 4, never a blind loop", tries)
			}
			if !tt.wantOK {
				// The batch is untouched and still approvable once the fault clears.
				if st, err := e.c.PayoutStatus(e.ctx, b.TrackingID); err != nil || !st.WaitingApproval() {
					t.Fatalf("after giving up: %+v, %v", st, err)
				}
			}
		})
	}
}
