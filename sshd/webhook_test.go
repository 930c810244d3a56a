package sshd

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/webhook"
)

// TestWebhookReachesEveryScreen is issue 14's "live by webhook" end to end:
// the simulator posts its webhooks to a webhook.Receiver, which hands each
// new event to Server.Broadcast; two SSH sessions on Collections show a
// payment made elsewhere while their polling is stretched (the views cap
// it at 30 s; views/collections' TestWebhookReadsTheFeedNow proves on a
// held clock that the event itself makes the read). A redelivered event
// is taken once.
func TestWebhookReachesEveryScreen(t *testing.T) {
	var srv atomic.Pointer[Server]
	var mu sync.Mutex
	var published []webhook.Event
	var completeAt time.Time
	rcv := &webhook.Receiver{Path: "/intasend", Challenge: "s3cret", Publish: func(e webhook.Event) {
		mu.Lock()
		published = append(published, e)
		if e.State == "COMPLETE" && completeAt.IsZero() {
			completeAt = time.Now()
		}
		mu.Unlock()
		srv.Load().Broadcast(common.WebhookMsg{Type: e.Type, Object: e.Object, State: e.State})
	}}
	hooks := httptest.NewServer(rcv)
	t.Cleanup(hooks.Close)
	amina, baraka := newUser(t, "amina", "viewer"), newUser(t, "baraka", "viewer")
	ts := startServerSim(t, []testUser{amina, baraka},
		func(o *sim.Options) {
			o.Webhook = sim.WebhookOptions{URL: hooks.URL + "/intasend", Challenge: "s3cret"}
			o.Timing.STKProcessing, o.Timing.STKFinal = 100*time.Millisecond, 200*time.Millisecond
		},
		func(c *Config) { c.Pace = func(time.Duration) time.Duration { return time.Hour } })
	srv.Store(ts.srv)
	ctx, stop := context.WithCancel(context.Background())
	delivered := make(chan struct{})
	go func() { defer close(delivered); ts.demo.Sim.RunWebhooks(ctx, 20*time.Millisecond) }()
	t.Cleanup(func() { stop(); <-delivered })

	for _, u := range []testUser{amina, baraka} {
		tm := ts.login(t, u)
		tm.waitFor(t, "Payroll")
		tm.send("2")
		tm.waitFor(t, "Today")
	}
	// The first poll has answered on both screens before the payment.
	for _, u := range []string{"amina", "baraka"} {
		ts.waitScreenNot(t, u, "Loading")
	}
	pushed := time.Now()
	if _, err := ts.demo.Client.STKPush(context.Background(), client.STKPushRequest{Phone: "254708374149", Amount: 4321_00, APIRef: "hook"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"amina", "baraka"} {
		ts.waitScreen(t, u, "4,321.00")
	}
	mu.Lock()
	fromEvent := time.Since(completeAt)
	mu.Unlock()
	t.Logf("payment on both screens %s after the push, %s after its COMPLETE webhook (it settles in 0.3 s; polling alone: up to 30 s)",
		time.Since(pushed).Round(time.Millisecond), fromEvent.Round(time.Millisecond))

	// IntaSend's retry of a delivery already taken: acknowledged, not shown again.
	mu.Lock()
	last := published[len(published)-1]
	n := len(published)
	mu.Unlock()
	req, _ := http.NewRequest(http.MethodPost, hooks.URL+"/intasend", bytes.NewReader(last.Body))
	req.Header = last.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if resp.StatusCode != http.StatusOK || len(published) != n || rcv.Stats().Duplicates != 1 {
		t.Errorf("redelivery: %d, %d published (want %d), stats %+v", resp.StatusCode, len(published), n, rcv.Stats())
	}
}
