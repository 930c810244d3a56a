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
		Store: func(e webhook.Event) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.failStore {
				return errors.New("disk full")
			}
			h.stored = append(h.stored, e)
			return nil
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
