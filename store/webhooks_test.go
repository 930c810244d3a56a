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
	"github.com/malipo/malipo/internal/testcheck"
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
	_, err := a.Migrate(ctx)
	testcheck.Must(t, "migrate", err)
	var l listener
	done := make(chan struct{})
	go func() { defer close(done); b.Listen(ctx, store.EventsChannel, l.opts()) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "LISTEN", func() bool { _, ups, _ := l.state(); return ups == 1 })

	first := webhookEvent("evt_1", "state collection INV1 COMPLETE", "A")
	seqs := recordWebhooks(t, ctx, []recordCase{
		{"the event on host A", a, first, true},
		{"its retry on host B", b, webhookEvent("evt_1", "state collection INV1 COMPLETE", "B"), false},
		{"the same state again, another id", b, webhookEvent("evt_2", "state collection INV1 COMPLETE", "B"), false},
		{"the same id, another key", a, webhookEvent("evt_1", "id evt_1", "A"), false},
		{"the next state", b, webhookEvent("evt_3", "state collection INV1 FAILED", "B"), true},
	})
	waitFor(t, "two notifications", func() bool { got, _, _ := l.state(); return len(got) == 2 })
	got, _, _ := l.state()
	for i, p := range got {
		n, err := store.ParseWebhookNotice(p)
		testcheck.Check(t, "notification "+p, n, testcheck.C("it parses", err == nil),
			testcheck.C(fmt.Sprintf("seq %d", seqs[i]), n.Seq == seqs[i]), testcheck.C("profile p", n.Profile == "p"))
	}
	checkWebhookReads(t, ctx, a, b, first, seqs)

	leaky := webhookEvent("evt_9", "id evt_9", "A")
	leaky.Body = []byte(`{"invoice_id":"INV9","challenge":"s3cret"}`)
	_, _, err = a.RecordWebhook(ctx, leaky)
	testcheck.Check(t, "a body with its challenge", err, testcheck.C("ErrChallengeInBody", errors.Is(err, store.ErrChallengeInBody)),
		testcheck.C("an error without the challenge", err != nil && !strings.Contains(err.Error(), "s3cret")))
}

type recordCase struct {
	name      string
	on        *store.Store
	e         store.WebhookEvent
	wantFresh bool
}

// recordWebhooks records each case's event and checks it was new or not;
// it returns the seqs of the new ones.
func recordWebhooks(t *testing.T, ctx context.Context, cases []recordCase) []int64 {
	t.Helper()
	var seqs []int64
	for _, tc := range cases {
		seq, fresh, err := tc.on.RecordWebhook(ctx, tc.e)
		testcheck.Must(t, tc.name, err)
		testcheck.Expect(t, tc.name, fresh, testcheck.C(fmt.Sprintf("fresh %v", tc.wantFresh), fresh == tc.wantFresh))
		if fresh {
			seqs = append(seqs, seq)
		}
	}
	return seqs
}

// checkWebhookReads reads the two events back as the hosts do.
func checkWebhookReads(t *testing.T, ctx context.Context, a, b *store.Store, first store.WebhookEvent, seqs []int64) {
	t.Helper()
	all, err := b.WebhooksAfter(ctx, "p", 0, 10)
	testcheck.Must(t, "events", err)
	testcheck.Expect(t, "events", all, testcheck.C("two", len(all) == 2))
	e := all[0]
	testcheck.Check(t, "the first event read back", e, testcheck.C("its id", e.ID == "evt_1"), testcheck.C("host A", e.Host == "A"),
		testcheck.C("its seq", e.Seq == seqs[0]), testcheck.C("its headers", e.Headers["Content-Type"] == "application/json"),
		testcheck.C("its time", e.Received.Equal(first.Received)), testcheck.C("its body", string(e.Body) == string(first.Body)))
	after, err := b.WebhooksAfter(ctx, "p", seqs[0], 10)
	testcheck.Check(t, "after the first", after, testcheck.C("no error", err == nil), testcheck.C("evt_3 alone", len(after) == 1 && after[0].ID == "evt_3"))
	recent, err := a.RecentWebhooks(ctx, "p", 1)
	testcheck.Check(t, "the newest", recent, testcheck.C("no error", err == nil), testcheck.C("evt_3 alone", len(recent) == 1 && recent[0].ID == "evt_3"))
	last, err := a.LastWebhookSeq(ctx, "p")
	testcheck.Check(t, "the last seq", last, testcheck.C("no error", err == nil), testcheck.C(fmt.Sprintf("%d", seqs[1]), last == seqs[1]))
	other, err := a.WebhooksAfter(ctx, "another profile", 0, 10)
	testcheck.Check(t, "another profile's events", other, testcheck.C("no error", err == nil), testcheck.C("none", len(other) == 0))
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
