package cmd

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/client/readcache"
	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/store"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/webhook"
)

// relayHost is one store-backed receiver: a host's live side with its own
// Store (pool), recording what it broadcasts.
type relayHost struct {
	lv    *live
	url   string
	mu    sync.Mutex
	shown []string
}

func newRelayHost(t *testing.T, ctx context.Context, url string) *relayHost {
	t.Helper()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	h := &relayHost{lv: &live{cache: readcache.New(nil, readcache.Options{}), db: db,
		rcv: &webhook.Receiver{Path: "/intasend", Challenge: "c"}}}
	wait := h.lv.wire(ctx, func(webhook.Event) error { return nil }, func(m common.WebhookMsg) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.shown = append(h.shown, m.Object+" "+m.State)
	}, func(s string) { t.Log(s) })
	srv := httptest.NewServer(h.lv.rcv)
	t.Cleanup(func() { srv.Close() })
	t.Cleanup(wait) // after the test's cancel (cleanups run last first)
	h.url = srv.URL + "/intasend"
	return h
}

func (h *relayHost) post(t *testing.T, invoice string) {
	t.Helper()
	body := `{"invoice_id":"` + invoice + `","state":"COMPLETE","value":"10.00","currency":"KES","challenge":"c"}`
	resp, err := http.Post(h.url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("post %s: %d", invoice, resp.StatusCode)
	}
}

func (h *relayHost) state() (shown []string, ups, heard int) {
	h.mu.Lock()
	shown = slices.Clone(h.shown)
	h.mu.Unlock()
	ups, heard = h.lv.relay.counts()
	return shown, ups, heard
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestRelayAcrossHosts: two store-backed receivers on one PostgreSQL (two
// Store instances, two pools and two LISTEN connections, in this one test
// process): an event posted to either host is broadcast exactly once on
// both, the receiving host's own notification coming back is dropped.
func TestRelayAcrossHosts(t *testing.T) {
	c := pgtest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	a, b := newRelayHost(t, ctx, c.URL("postgres")), newRelayHost(t, ctx, c.URL("postgres"))
	t.Cleanup(cancel)
	for _, h := range []*relayHost{a, b} {
		waitUntil(t, "LISTEN", func() bool { _, ups, _ := h.state(); return ups == 1 })
	}
	// Each post waits until the other host has shown it, so the
	// notifications are committed, and heard, in this order.
	posts := []struct {
		to, other *relayHost
		invoice   string
	}{{a, b, "INV1"}, {b, a, "INV2"}, {a, b, "INV3"}}
	for i, p := range posts {
		p.to.post(t, p.invoice)
		waitUntil(t, p.invoice+" on the other host", func() bool { s, _, _ := p.other.state(); return len(s) == i+1 })
	}
	// Every host hears all three notifications (its own included); once it
	// has, nothing is left to arrive.
	want := []string{"INV1 COMPLETE", "INV2 COMPLETE", "INV3 COMPLETE"}
	for name, h := range map[string]*relayHost{"A": a, "B": b} {
		waitUntil(t, "host "+name+" hearing all three", func() bool { _, _, heard := h.state(); return heard == 3 })
		if shown, _, _ := h.state(); !slices.Equal(shown, want) {
			t.Errorf("host %s broadcast %q, want each event once: %q", name, shown, want)
		}
	}
}
