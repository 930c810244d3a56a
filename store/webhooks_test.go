package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/store"
)

func webhookEvent(id, key, host string) store.WebhookEvent {
	return store.WebhookEvent{Profile: "p", Key: key, ID: id, Type: "collection", Object: "INV1", State: "COMPLETE",
		Amount: "10.00", Currency: "KES", Headers: map[string]string{"Content-Type": "application/json"},
		Body:     []byte(`{"invoice_id":"INV1","state":"COMPLETE","challenge":"` + store.RedactedChallenge + `"}`),
		Received: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Host: host}
}

// RecordWebhook keeps one row per event, whichever of its keys repeats,
// notifies the hosts of each new one with its seq, and refuses a body
// that still carries its challenge.
func TestRecordWebhook(t *testing.T) {
	c := pgtest.Start(t)
	a, b := open(t, c.URL("postgres")), open(t, c.URL("postgres"))
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var l listener
	done := make(chan struct{})
	go func() { defer close(done); b.Listen(ctx, store.EventsChannel, l.opts()) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "LISTEN", func() bool { _, ups, _ := l.state(); return ups == 1 })

	cases := []struct {
		name      string
		on        *store.Store
		e         store.WebhookEvent
		wantFresh bool
	}{
		{"the event on host A", a, webhookEvent("evt_1", "state collection INV1 COMPLETE", "A"), true},
		{"its retry on host B", b, webhookEvent("evt_1", "state collection INV1 COMPLETE", "B"), false},
		{"the same state again, another id", b, webhookEvent("evt_2", "state collection INV1 COMPLETE", "B"), false},
		{"the same id, another key", a, webhookEvent("evt_1", "id evt_1", "A"), false},
		{"the next state", b, webhookEvent("evt_3", "state collection INV1 FAILED", "B"), true},
	}
	var seqs []int64
	for _, tc := range cases {
		seq, fresh, err := tc.on.RecordWebhook(ctx, tc.e)
		if err != nil || fresh != tc.wantFresh {
			t.Fatalf("%s: fresh %v, %v; want %v", tc.name, fresh, err, tc.wantFresh)
		}
		if fresh {
			seqs = append(seqs, seq)
		}
	}
	waitFor(t, "two notifications", func() bool { got, _, _ := l.state(); return len(got) == 2 })
	got, _, _ := l.state()
	for i, p := range got {
		n, err := store.ParseWebhookNotice(p)
		if err != nil || n.Seq != seqs[i] || n.Profile != "p" {
			t.Errorf("notification %d %q: %+v, %v; want seq %d", i, p, n, err, seqs[i])
		}
	}

	all, err := b.WebhooksAfter(ctx, "p", 0, 10)
	if err != nil || len(all) != 2 {
		t.Fatalf("events: %d, %v", len(all), err)
	}
	if e := all[0]; e.ID != "evt_1" || e.Host != "A" || e.Seq != seqs[0] || e.Headers["Content-Type"] != "application/json" ||
		!e.Received.Equal(cases[0].e.Received) || string(e.Body) != string(cases[0].e.Body) {
		t.Errorf("first event read back as %+v", e)
	}
	after, err := b.WebhooksAfter(ctx, "p", seqs[0], 10)
	if err != nil || len(after) != 1 || after[0].ID != "evt_3" {
		t.Errorf("after %d: %+v, %v", seqs[0], after, err)
	}
	recent, err := a.RecentWebhooks(ctx, "p", 1)
	if err != nil || len(recent) != 1 || recent[0].ID != "evt_3" {
		t.Errorf("recent: %+v, %v", recent, err)
	}
	if last, err := a.LastWebhookSeq(ctx, "p"); err != nil || last != seqs[1] {
		t.Errorf("last seq %d, %v; want %d", last, err, seqs[1])
	}
	if other, err := a.WebhooksAfter(ctx, "another profile", 0, 10); err != nil || len(other) != 0 {
		t.Errorf("another profile sees %d events, %v", len(other), err)
	}

	leaky := webhookEvent("evt_9", "id evt_9", "A")
	leaky.Body = []byte(`{"invoice_id":"INV9","challenge":"s3cret"}`)
	if _, _, err := a.RecordWebhook(ctx, leaky); !errors.Is(err, store.ErrChallengeInBody) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a body with its challenge: %v", err)
	}
}

// Hosts inserting at once commit in seq order: a reader going on from the
// last seq it saw, as a host catching up does, misses none.
func TestWebhookSeqsCommitInOrder(t *testing.T) {
	c := pgtest.Start(t)
	a, b := open(t, c.URL("postgres")), open(t, c.URL("postgres"))
	ctx := context.Background()
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		s := []*store.Store{a, b}[i%2]
		wg.Go(func() {
			id := fmt.Sprintf("evt_%d", i)
			if _, fresh, err := s.RecordWebhook(ctx, webhookEvent(id, "id "+id, "H")); err != nil || !fresh {
				t.Errorf("%s: %v, %v", id, fresh, err)
			}
		})
	}
	// Read on from the last seq seen while the inserts run.
	seen := map[string]bool{}
	var last int64
	deadline := time.Now().Add(60 * time.Second)
	for len(seen) < n {
		if time.Now().After(deadline) {
			t.Fatalf("read %d of %d events: some committed behind the reader", len(seen), n)
		}
		es, err := b.WebhooksAfter(ctx, "p", last, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if seen[e.ID] || e.Seq <= last {
				t.Fatalf("%s (seq %d) read twice or out of order after %d", e.ID, e.Seq, last)
			}
			seen[e.ID], last = true, e.Seq
		}
	}
	wg.Wait()
	if es, _ := b.WebhooksAfter(ctx, "p", last, 100); len(es) != 0 {
		t.Errorf("%d events committed behind the reader", len(es))
	}
}
