// Package sim is an in-process IntaSend: an http.Handler serving the
// /api/v1/ endpoints of docs/intasend-api.md with IntaSend's auth rules,
// validation, error shapes, pagination and state machines. It backs demo
// mode, every test, and `malipo sim`.
//
// Time: every state change is an event scheduled on the Clock. Events run
// lazily, in order, whenever a request arrives (or Advance is called), so a
// ManualClock steps every state machine deterministically and the real clock
// needs no goroutines.
package sim

import (
	"container/heap"
	"crypto/rsa"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"
)

// Timing sets how long the state machines take. Zero fields take defaults.
type Timing struct {
	STKProcessing time.Duration // PENDING → PROCESSING (customer sees the prompt)
	STKFinal      time.Duration // PROCESSING → COMPLETE | FAILED
	BatchStep     time.Duration // between batch status codes after approval
	TxStep        time.Duration // between transaction status codes
	Chargeback    time.Duration // PENDING → COMPLETED
	Subscription  time.Duration // PENDING → ACTIVE
	Generator     time.Duration // mean gap between generated incoming collections
}

// DefaultTiming keeps demos lively: an STK push settles in about 4 s and a
// small batch completes within about 10 s of approval.
var DefaultTiming = Timing{
	STKProcessing: 1500 * time.Millisecond,
	STKFinal:      4 * time.Second,
	BatchStep:     1200 * time.Millisecond,
	TxStep:        800 * time.Millisecond,
	Chargeback:    20 * time.Second,
	Subscription:  10 * time.Second,
	Generator:     6 * time.Second,
}

// Options configure a Server.
type Options struct {
	Clock Clock // nil: real time
	// Rand seeds every random choice (ids, outcomes). Same seed, same run.
	Rand int64
	// SecretKey and PublishableKey pin one key pair. Empty: any well-formed
	// test key is accepted, as stripe-mock does for Stripe.
	SecretKey, PublishableKey string
	// Devices registers device public keys by id: a batch initiated with
	// that device_id approves only with a valid signed nonce.
	Devices map[string]*rsa.PublicKey
	// Seed loads demo data: wallets with history, banks, plans, past
	// collections, payouts and refunds.
	Seed bool
	// Generator makes incoming collections arrive on their own.
	Generator bool
	Timing    Timing
	Faults    []Fault
	// FailureRate is the share of STK pushes and payouts that fail
	// (wrong PIN, insufficient funds, timeouts). Negative: none fail.
	FailureRate float64
	// BaseURL is how links (checkout URLs, pagination next/previous) are
	// written; empty uses the request's Host.
	BaseURL string
	// Webhook is the account's webhook (webhooks.go); Control turns on the
	// /_sim/ control API (control.go).
	Webhook WebhookOptions
	Control ControlOptions
	// BusinessName is the merchant the hosted checkout and payment link
	// pages show (pages.go); empty: "Malipo Demo Shop".
	BusinessName string
}

// Server is the simulator. Use New.
type Server struct {
	mu     stateLock // see answercache.go
	opts   Options
	clock  Clock
	rng    *rand.Rand
	events eventQueue
	seq    int64
	mux    *http.ServeMux
	exact  map[string][]exactRoute // the API's routes without wildcards, by path (see exactHandler)

	counters counters
	faults   *faultSet
	answers  hotAnswers
	goodKeys [2]atomic.Pointer[string] // keyOK's memo: publishable, secret
	hooks    hookState
	pages    pageState
	store
}

// New builds a simulator.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	opts.Timing = opts.Timing.withDefaults()
	if opts.FailureRate == 0 {
		opts.FailureRate = 0.1
	}
	s := &Server{
		opts:  opts,
		clock: opts.Clock,
		rng:   rand.New(rand.NewPCG(uint64(opts.Rand), uint64(opts.Rand)^0x9e3779b97f4a7c15)),
		mux:   http.NewServeMux(),
		exact: map[string][]exactRoute{},
	}
	s.counters.init()
	s.answers.init()
	s.faults = newFaultSet(opts.Faults, s.rng)
	s.store.init()
	s.ensureSettlementWallet()
	s.routes()
	s.routeFallback()
	if opts.Seed {
		s.seed()
	}
	s.initWebhooks() // after the seed: history is not announced
	if opts.Generator {
		s.startGenerator()
	}
	return s
}

func (t Timing) withDefaults() Timing {
	d := DefaultTiming
	pick := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	return Timing{
		STKProcessing: pick(t.STKProcessing, d.STKProcessing),
		STKFinal:      pick(t.STKFinal, d.STKFinal),
		BatchStep:     pick(t.BatchStep, d.BatchStep),
		TxStep:        pick(t.TxStep, d.TxStep),
		Chargeback:    pick(t.Chargeback, d.Chargeback),
		Subscription:  pick(t.Subscription, d.Subscription),
		Generator:     pick(t.Generator, d.Generator),
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := s.exactHandler(r); h != nil {
		h(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Now is the simulator's time.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Advance runs every event that is due. Requests do this themselves; a test
// that steps a ManualClock and then inspects state through the Go API calls
// it (the inspection helpers call it too).
func (s *Server) Advance() {
	s.mu.Lock()
	s.advanceLocked()
	s.mu.Unlock()
}

// lock takes the state lock and brings every state machine up to now.
// Every handler starts with `s.lock(); defer s.mu.Unlock()`.
func (s *Server) lock() {
	s.mu.Lock()
	s.advanceLocked()
}

func (s *Server) advanceLocked() {
	now := s.clock.Now()
	s.watchChanges() // what handlers changed since the last look comes first
	for len(s.events) > 0 && !s.events[0].at.After(now) {
		s.mu.changed()
		ev := heap.Pop(&s.events).(*event)
		ev.fn(ev.at)
		s.watchChanges()
	}
}

// after schedules fn to run at now+d; fn receives its scheduled time, which
// handlers use as the updated_at of what they change. Call with s.mu held.
func (s *Server) after(d time.Duration, fn func(at time.Time)) {
	s.at(s.clock.Now().Add(d), fn)
}

// at schedules fn for time t. Call with s.mu held.
func (s *Server) at(t time.Time, fn func(at time.Time)) {
	s.seq++
	heap.Push(&s.events, &event{at: t, seq: s.seq, fn: fn})
}

// jitter returns d scaled by a random factor in [0.75, 1.25).
func (s *Server) jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.75 + s.rng.Float64()/2))
}

type event struct {
	at  time.Time
	seq int64
	fn  func(at time.Time)
}

// eventQueue is a min-heap on (at, seq): events due at the same instant run
// in the order they were scheduled.
type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at.Equal(q[j].at) {
		return q[i].seq < q[j].seq
	}
	return q[i].at.Before(q[j].at)
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	n := len(old)
	ev := old[n-1]
	*q = old[:n-1]
	return ev
}
