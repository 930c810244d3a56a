package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/malipo/malipo/client/readcache"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/store"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/webhook"
)

// The webhook secrets of the relay tests: distinctive, so a test can look
// for them where they must not be.
const (
	relayChallenge = "chal-7f3a9c-hush"
	relaySecret    = "sign-k3y-51d0"
)

// relayHost is one store-backed receiver: a host's live side with its own
// Store (pool), recording what it broadcasts.
type relayHost struct {
	lv    *live
	url   string
	mu    sync.Mutex
	shown []string
}

// newRelayHost wires a host as serve does (recorder, relay, LISTEN) on a
// migrated store. The receiver is served by httptest (in place of the
// --webhooks listener).
func newRelayHost(t *testing.T, ctx context.Context, url, name string, onDown func()) *relayHost {
	t.Helper()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	h := &relayHost{lv: &live{cache: readcache.New(nil, readcache.Options{}), db: db, host: name,
		rcv: &webhook.Receiver{Path: "/intasend", Challenge: relayChallenge, Secret: relaySecret}, onListenDown: onDown}}
	record, where, err := h.lv.recorder("p")
	if err != nil || !strings.Contains(where, "store") {
		t.Fatalf("recorder %q, %v", where, err)
	}
	wait := h.lv.wire(ctx, "p", record, func(m common.WebhookMsg) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.shown = append(h.shown, m.Object+" "+m.State)
	}, func(s string) { t.Log(name + ": " + s) })
	srv := httptest.NewServer(h.lv.rcv)
	t.Cleanup(func() { srv.Close() })
	t.Cleanup(wait) // after the test's cancel (cleanups run last first)
	h.url = srv.URL + "/intasend"
	return h
}

// post delivers invoice's COMPLETE as IntaSend would (challenge in the
// body, signed), with the sender's event id when id is not "".
func (h *relayHost) post(t *testing.T, invoice, id string) {
	t.Helper()
	body := `{"invoice_id":"` + invoice + `","state":"COMPLETE","value":"10.00","currency":"KES","challenge":"` + relayChallenge + `"}`
	req, _ := http.NewRequest(http.MethodPost, h.url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(sim.HeaderSignature, sim.SignWebhook(relaySecret, []byte(body)))
	if id != "" {
		req.Header.Set(sim.HeaderEventID, id)
	}
	resp, err := http.DefaultClient.Do(req)
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

// startRelayHosts starts a throw-away PostgreSQL and two hosts on it,
// both listening; bDown, when set, runs when B's listener drops.
func startRelayHosts(t *testing.T, bDown func()) (c *pgtest.Cluster, a, b *relayHost) {
	c = pgtest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	a, b = newRelayHost(t, ctx, c.URL("postgres"), "A", nil), newRelayHost(t, ctx, c.URL("postgres"), "B", bDown)
	t.Cleanup(cancel)
	for _, h := range []*relayHost{a, b} {
		waitUntil(t, "LISTEN", func() bool { _, ups, _ := h.state(); return ups == 1 })
	}
	return c, a, b
}

func storedEvents(t *testing.T, url string) []store.WebhookEvent {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	es, err := db.WebhooksAfter(context.Background(), "p", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestRelayAcrossHosts: two store-backed receivers on one PostgreSQL (two
// Store instances, two pools and two LISTEN connections, in this one test
// process), as behind a load balancer. An event posted to either host is
// broadcast exactly once on both; the same event delivered to both hosts
// (IntaSend's retry reaching the other one) is one row, shown once on
// each. The stored body and headers carry neither secret.
func TestRelayAcrossHosts(t *testing.T) {
	c, a, b := startRelayHosts(t, nil)
	// Each post waits until the other host has shown it, so the events
	// are stored, and heard, in this order.
	posts := []struct {
		to, other *relayHost
		invoice   string
		id        string
	}{
		{a, b, "INV1", "evt_1"},
		{b, a, "INV2", ""},
		{a, b, "INV3", "evt_3"},
	}
	for i, p := range posts {
		p.to.post(t, p.invoice, p.id)
		waitUntil(t, p.invoice+" on the other host", func() bool { s, _, _ := p.other.state(); return len(s) == i+1 })
	}
	// The retries: the same deliveries again, each to the other host (by
	// id, and without one by the object's state).
	b.post(t, "INV1", "evt_1")
	a.post(t, "INV2", "")
	b.post(t, "INV3", "")
	// A marker event after them: once both hosts show it, every
	// notification before it was handled.
	b.post(t, "INV4", "evt_4")
	want := []string{"INV1 COMPLETE", "INV2 COMPLETE", "INV3 COMPLETE", "INV4 COMPLETE"}
	for name, h := range map[string]*relayHost{"A": a, "B": b} {
		waitUntil(t, "host "+name+" showing INV4", func() bool { s, _, _ := h.state(); return len(s) == len(want) })
		if shown, _, _ := h.state(); !slices.Equal(shown, want) {
			t.Errorf("host %s broadcast %q, want each event once: %q", name, shown, want)
		}
	}
	es := storedEvents(t, c.URL("postgres"))
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%s %s by %s", e.Object, e.State, e.Host))
		leak := string(e.Body) + fmt.Sprint(e.Headers)
		if strings.Contains(leak, relayChallenge) || strings.Contains(leak, relaySecret) || e.Headers[sim.HeaderSignature] != "" {
			t.Errorf("event %s stored with a secret: %s", e.ID, leak)
		}
		if !strings.Contains(string(e.Body), `"challenge":"`+store.RedactedChallenge+`"`) || !e.Signed {
			t.Errorf("event %s stored as %s (signed %v)", e.ID, e.Body, e.Signed)
		}
	}
	if w := []string{"INV1 COMPLETE by A", "INV2 COMPLETE by B", "INV3 COMPLETE by A", "INV4 COMPLETE by B"}; !slices.Equal(got, w) {
		t.Errorf("stored %q, want one row per event: %q", got, w)
	}
	if s := a.lv.rcv.Stats(); s.Accepted != 2 || s.Duplicates != 1 {
		t.Errorf("host A's receiver: %+v, want 2 accepted, 1 duplicate", s)
	}
}

// TestRelayCatchesUpAfterReconnect: the listeners' connections are killed
// (pg_terminate_backend: an administrator, a failover) and host B's stays
// down while events arrive on host A. A shows them at once; when B listens
// again, its consoles get every missed event, once and in order; then the
// notifications flow again.
func TestRelayCatchesUpAfterReconnect(t *testing.T) {
	// B reconnects only when the test lets it: its Down hook holds the
	// listener (Listen calls it before its backoff).
	downs, resume := make(chan struct{}, 1), make(chan struct{})
	c, a, b := startRelayHosts(t, func() { downs <- struct{}{}; <-resume })
	var once sync.Once
	release := func() { once.Do(func() { close(resume) }) }
	t.Cleanup(release) // a failed test must not leave B's listener held
	a.post(t, "INV0", "")
	waitUntil(t, "INV0 on host B", func() bool { s, _, _ := b.state(); return len(s) == 1 })

	ctx := context.Background()
	admin, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var killed int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'malipo-listen'`).Scan(&killed); err != nil || killed != 2 {
		t.Fatalf("terminated %d listeners, %v", killed, err)
	}
	select {
	case <-downs:
	case <-time.After(60 * time.Second):
		t.Fatal("host B's listener did not notice its connection dropped")
	}
	missed := []string{"INV1", "INV2", "INV3", "INV4", "INV5"}
	for i, inv := range missed {
		a.post(t, inv, fmt.Sprintf("evt_missed_%d", i))
	}
	// A shows its own events at once, listening or not.
	waitUntil(t, "host A showing its events", func() bool { s, _, _ := a.state(); return len(s) == 1+len(missed) })
	// B's listener is held and nothing else reads for it: none reached it.
	if s, _, _ := b.state(); len(s) != 1 {
		t.Fatalf("host B showed %q while its listener was down", s)
	}

	release()
	waitUntil(t, "host B listening again", func() bool { _, ups, _ := b.state(); return ups == 2 })
	want := []string{"INV0 COMPLETE"}
	for _, inv := range missed {
		want = append(want, inv+" COMPLETE")
	}
	// up counts after its catch-up: everything missed is shown by now.
	if s, _, _ := b.state(); !slices.Equal(s, want) {
		t.Fatalf("host B showed %q after reconnecting, want every missed event once, in order: %q", s, want)
	}
	a.post(t, "INV6", "")
	want = append(want, "INV6 COMPLETE")
	for name, h := range map[string]*relayHost{"A": a, "B": b} {
		waitUntil(t, "INV6 on host "+name, func() bool { s, _, _ := h.state(); return len(s) == len(want) })
		if s, _, _ := h.state(); !slices.Equal(s, want) {
			t.Errorf("host %s showed %q, want %q", name, s, want)
		}
	}
}

// TestEventsFromTheStore: with a store named (--store, or MALIPO_STORE),
// `malipo events` lists what every host stored, newest first and once,
// and `events resend` posts a stored event with its challenge put back;
// without one it reads the profile's file, as before.
func TestEventsFromTheStore(t *testing.T) {
	isolate(t)
	c, a, b := startRelayHosts(t, nil)
	a.post(t, "INV1", "evt_1")
	b.post(t, "INV1", "evt_1") // the retry, to the other host
	b.post(t, "INV2", "evt_2")
	waitUntil(t, "both events on host A", func() bool { s, _, _ := a.state(); return len(s) == 2 })
	url := c.URL("postgres")
	ids := func(out string) []string {
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var e loggedEvent
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			got = append(got, e.ID+" "+e.Object)
		}
		return got
	}
	byFlag, errw, code := runCLI(t, "--profile", "p", "events", "--jsonl", "--store", url)
	if code != 0 {
		t.Fatalf("events --store: exit %d: %s", code, errw)
	}
	if got, want := ids(byFlag), []string{"evt_2 INV2", "evt_1 INV1"}; !slices.Equal(got, want) {
		t.Errorf("events --store listed %q, want %q", got, want)
	}
	if strings.Contains(byFlag, relayChallenge) {
		t.Error("events printed the challenge")
	}
	if out, _, _ := runCLI(t, "--profile", "p", "events", "--jsonl"); strings.TrimSpace(out) != "" {
		t.Errorf("without a store, events read something other than the (empty) file: %q", out)
	}
	t.Setenv(EnvStore, url)
	if out, _, _ := runCLI(t, "--profile", "p", "events", "--jsonl"); out != byFlag {
		t.Errorf("with %s, events listed\n%s\nwant\n%s", EnvStore, out, byFlag)
	}
	if out, _, code := runCLI(t, "--profile", "p", "events", "--jsonl", "--store", "file"); code != 0 || strings.TrimSpace(out) != "" {
		t.Errorf("--store file with %s set: exit %d, listed %q; want the (empty) file", EnvStore, code, out)
	}
	target, got := newReceiver(t)
	t.Setenv(envWebhookChallenge, relayChallenge)
	if out, errw, code := runCLI(t, "--profile", "p", "events", "resend", "evt_1", "--to", target+"/hook"); code != 0 {
		t.Fatalf("resend: exit %d: %s%s", code, out, errw)
	}
	r := take(t, got, 1)[0]
	if r.body["challenge"] != relayChallenge || r.body["invoice_id"] != "INV1" || r.header.Get(sim.HeaderEventID) != "evt_1" {
		t.Errorf("resent %v with headers %v", r.body, r.header)
	}
}
