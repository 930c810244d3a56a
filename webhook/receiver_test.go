package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/demo"
	"github.com/malipo/malipo/webhook"
)

// hooked is a simulator posting its webhooks to a Receiver, on a manual clock.
type hooked struct {
	sim       *sim.Server
	clock     *sim.ManualClock
	cl        *client.Client
	rcv       *webhook.Receiver
	url       string
	mu        sync.Mutex
	stored    []webhook.Event
	published []webhook.Event
	failStore bool
}

func newHooked(t *testing.T, secret string) *hooked {
	t.Helper()
	h := &hooked{clock: sim.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))}
	h.rcv = &webhook.Receiver{Path: "/intasend", Challenge: "s3cret", Secret: secret, Now: h.clock.Now,
		Store: func(e webhook.Event) (webhook.Recorded, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.failStore {
				return webhook.Recorded{}, errors.New("disk full")
			}
			if slices.ContainsFunc(h.stored, func(s webhook.Event) bool { return s.Key == e.Key }) {
				return webhook.Recorded{Duplicate: true}, nil // another host took it first
			}
			h.stored = append(h.stored, e)
			return webhook.Recorded{Seq: int64(len(h.stored))}, nil
		},
		Publish: func(e webhook.Event) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.published = append(h.published, e)
		}}
	hooks := httptest.NewServer(h.rcv)
	t.Cleanup(hooks.Close)
	h.url = hooks.URL + "/intasend"
	h.sim = sim.New(sim.Options{Seed: true, Rand: 7, FailureRate: -1, Clock: h.clock,
		Webhook: sim.WebhookOptions{URL: h.url, Challenge: "s3cret", Secret: secret}})
	api := httptest.NewServer(h.sim)
	t.Cleanup(api.Close)
	pub, sec := demo.Keys()
	cl, err := client.New(pub, sec, client.WithBaseURL(api.URL))
	if err != nil {
		t.Fatal(err)
	}
	h.cl = cl
	return h
}

func (h *hooked) states(of []webhook.Event) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range of {
		out = append(out, e.Object+" "+e.State)
	}
	return out
}

// pay makes an STK push settle and delivers what it announced.
func (h *hooked) pay(t *testing.T) string {
	t.Helper()
	r, err := h.cl.STKPush(context.Background(), client.STKPushRequest{Phone: "254708374149", Amount: 250_00, APIRef: "hook"})
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Minute)
	h.sim.DeliverDue(context.Background())
	return r.Invoice.ID
}

func TestReceiverPublishesWhatTheSimulatorSends(t *testing.T) {
	h := newHooked(t, "sign-me")
	inv := h.pay(t)
	got := h.states(h.published)
	if !slices.Contains(got, inv+" COMPLETE") {
		t.Fatalf("published %q, want %s COMPLETE", got, inv)
	}
	if stored := h.states(h.stored); !slices.Equal(stored, got) {
		t.Errorf("stored %q, published %q: every published event is stored first", stored, got)
	}
	if s := h.rcv.Stats(); s.Accepted != len(got) || s.Rejected != 0 {
		t.Errorf("stats %+v", s)
	}
	if !h.rcv.Flowing(30 * time.Minute) {
		t.Error("an event just arrived, yet webhooks are not flowing")
	}
	h.clock.Advance(31 * time.Minute)
	if h.rcv.Flowing(30 * time.Minute) {
		t.Error("31 minutes without an event, still flowing")
	}
}

func TestReceiverDropsDuplicates(t *testing.T) {
	h := newHooked(t, "")
	h.pay(t)
	h.mu.Lock()
	last := h.published[len(h.published)-1]
	n := len(h.published)
	h.mu.Unlock()
	post := func(body []byte, hdr http.Header) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(body))
		req.Header = hdr.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	otherID := last.Header.Clone()
	otherID.Set(sim.HeaderEventID, "evt_other_000001")
	cases := []struct {
		name   string
		hdr    http.Header
		status int
	}{
		{"the same delivery again (a retry)", last.Header, http.StatusOK},
		{"the same state under another id", otherID, http.StatusOK},
	}
	for _, c := range cases {
		if got := post(last.Body, c.hdr); got != c.status {
			t.Errorf("%s: answered %d, want %d", c.name, got, c.status)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.published) != n || len(h.stored) != n {
		t.Errorf("duplicates went on: %d published, %d stored, want %d", len(h.published), len(h.stored), n)
	}
	if s := h.rcv.Stats(); s.Duplicates != 2 {
		t.Errorf("stats %+v, want 2 duplicates", s)
	}
}

func TestReceiverRefusesAndRetries(t *testing.T) {
	h := newHooked(t, "sign-me")
	post := func(body string, sig bool) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, h.url, bytes.NewReader([]byte(body)))
		if sig {
			req.Header.Set(sim.HeaderSignature, sim.SignWebhook("sign-me", []byte(body)))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	good := `{"invoice_id":"INV1","state":"COMPLETE","value":"10","challenge":"s3cret"}`
	cases := []struct {
		name   string
		body   string
		sig    bool
		status int
	}{
		{"not JSON", "nope", true, http.StatusBadRequest},
		{"wrong challenge", `{"invoice_id":"INV1","state":"COMPLETE","challenge":"guess"}`, true, http.StatusUnauthorized},
		{"unsigned", good, false, http.StatusForbidden},
	}
	for _, c := range cases {
		if got := post(c.body, c.sig); got != c.status {
			t.Errorf("%s: %d, want %d", c.name, got, c.status)
		}
	}
	h.mu.Lock()
	h.failStore = true
	h.mu.Unlock()
	if got := post(good, true); got != http.StatusInternalServerError {
		t.Errorf("unrecorded event answered %d, want 500 (so the sender retries)", got)
	}
	h.mu.Lock()
	h.failStore = false
	h.mu.Unlock()
	if got := post(good, true); got != http.StatusOK {
		t.Errorf("the retry after a failed store answered %d", got)
	}
	if got := h.states(h.published); !slices.Equal(got, []string{"INV1 COMPLETE"}) {
		t.Errorf("published %q", got)
	}
}

// Two receivers on one log (two hosts behind a load balancer): an event
// and its retry, one to each, are both answered 200, stored once and
// published once; the log's seq and key travel with the published event.
func TestReceiverDuplicateFromAnotherHost(t *testing.T) {
	var mu sync.Mutex
	var stored []webhook.Event
	record := func(e webhook.Event) (webhook.Recorded, error) {
		mu.Lock()
		defer mu.Unlock()
		if slices.ContainsFunc(stored, func(s webhook.Event) bool { return s.Key == e.Key }) {
			return webhook.Recorded{Duplicate: true}, nil
		}
		stored = append(stored, e)
		return webhook.Recorded{Seq: int64(len(stored)) + 40}, nil
	}
	var published []webhook.Event
	host := func() string {
		r := &webhook.Receiver{Path: "/intasend", Challenge: "s3cret", Store: record,
			Publish: func(e webhook.Event) { mu.Lock(); published = append(published, e); mu.Unlock() }}
		srv := httptest.NewServer(r)
		t.Cleanup(srv.Close)
		return srv.URL + "/intasend"
	}
	a, b := host(), host()
	cases := []struct{ name, url, body, id string }{
		{"the event on host A", a, `{"invoice_id":"INV7","state":"COMPLETE","challenge":"s3cret"}`, "evt_7"},
		{"its retry on host B", b, `{"invoice_id":"INV7","state":"COMPLETE","challenge":"s3cret"}`, "evt_7"},
		{"the same state on host B, no id", b, `{"invoice_id":"INV7","state":"COMPLETE","challenge":"s3cret"}`, ""},
		{"a body with no object, no id", b, `{"hello":"world","challenge":"s3cret"}`, ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPost, c.url, bytes.NewReader([]byte(c.body)))
		if c.id != "" {
			req.Header.Set(sim.HeaderEventID, c.id)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d, want 200", c.name, resp.StatusCode)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(published) != 2 || len(stored) != 2 {
		t.Fatalf("published %d, stored %d; want 2 each (the event, the body with no object)", len(published), len(stored))
	}
	if e := published[0]; e.Key != "state collection INV7 COMPLETE" || e.Seq != 41 {
		t.Errorf("published key %q seq %d", e.Key, e.Seq)
	}
	if e := published[1]; e.Key != "id "+e.ID || e.Seq != 42 {
		t.Errorf("an event with no object keyed %q (id %s), seq %d", e.Key, e.ID, e.Seq)
	}
}
