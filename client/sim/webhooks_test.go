package sim_test

// Webhook tests: a real HTTP receiver on loopback, the simulator on a
// manual clock, and DeliverDue as the only thing that sends. Helper names
// start with "w".

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

const (
	wChallenge = "testnet-challenge-7f3a"
	wSecret    = "whsec_0c9d1f2e"
)

// wHit is one POST the receiver got.
type wHit struct {
	path   string
	header http.Header
	raw    []byte
	body   aResp // decoded, for str()
}

// wReceiver is a webhook endpoint that records every POST and answers
// with the next status of its script (the last one repeats).
type wReceiver struct {
	mu     sync.Mutex
	hits   []wHit
	script []int
	url    string
}

func wNewReceiver(t *testing.T, script ...int) *wReceiver {
	t.Helper()
	if len(script) == 0 {
		script = []int{http.StatusOK}
	}
	r := &wReceiver{script: script}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, _ := io.ReadAll(req.Body)
		var body any
		_ = json.Unmarshal(raw, &body)
		r.mu.Lock()
		r.hits = append(r.hits, wHit{path: req.URL.Path, header: req.Header.Clone(), raw: raw, body: aResp{body: body, raw: string(raw)}})
		code := r.script[min(len(r.hits)-1, len(r.script)-1)]
		r.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

func (r *wReceiver) got() []wHit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.hits)
}

// states lists "type:state" for the hits on path, in arrival order.
func (r *wReceiver) states(path string) []string {
	var out []string
	for _, h := range r.got() {
		if h.path != path {
			continue
		}
		st := h.body.str("state")
		switch h.header.Get(sim.HeaderEventType) {
		case sim.EventSendMoney:
			st = h.body.str("status_code")
		case sim.EventChargeback:
			st = h.body.str("status")
		}
		out = append(out, h.header.Get(sim.HeaderEventType)+":"+st)
	}
	return out
}

func wNew(t *testing.T, hook sim.WebhookOptions) *aEnv {
	t.Helper()
	return aNew(t, sim.Options{Webhook: hook})
}

// deliver makes every due attempt and returns how many were made.
func (e *aEnv) deliver() int {
	e.t.Helper()
	return e.sim.DeliverDue(context.Background())
}

// wInitiate starts a one-line B2C batch; approval "YES" leaves it waiting
// at BP103 forever, which isolates a single event.
func (e *aEnv) wInitiate(approval, callback string) aResp {
	e.t.Helper()
	body := map[string]any{"provider": "MPESA-B2C", "currency": "KES", "requires_approval": approval,
		"transactions": []map[string]any{{"name": "Jane Doe", "account": aOK, "amount": "100"}}}
	if callback != "" {
		body["callback_url"] = callback
	}
	return e.call("POST", "send-money/initiate/", body).want(e.t, http.StatusOK)
}

// batchTime is how long a one-line batch takes from approval to BC100.
var batchTime = 5*aTiming.BatchStep + aTiming.TxStep

func TestWebhookReceivesEveryEventType(t *testing.T) {
	rcv := wNewReceiver(t)
	e := wNew(t, sim.WebhookOptions{URL: rcv.url + "/hook", Challenge: wChallenge, Secret: wSecret})

	inv := e.aCollect("5000", "") // PENDING, PROCESSING, COMPLETE
	e.aStk(aBroke, "10", nil).want(t, http.StatusOK)
	e.advance(aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal)) // … FAILED
	e.wInitiate("NO", rcv.url+"/cb")
	e.advance(batchTime)
	cb := e.call("POST", "chargebacks/", map[string]any{"invoice": inv, "amount": "1000", "reason": "Other"}).want(t, http.StatusCreated)
	e.advance(aStep(aTiming.Chargeback))
	e.deliver()

	want := []string{
		"collection:PENDING", "collection:PROCESSING", "collection:COMPLETE",
		"collection:PENDING", "collection:PROCESSING", "collection:FAILED",
		"send_money:BP104", "send_money:BP106", "send_money:BP108", "send_money:BP109", "send_money:BP110", "send_money:BC100",
		"chargeback:PENDING", "chargeback:COMPLETED",
	}
	if got := rcv.states("/hook"); !slices.Equal(got, want) {
		t.Fatalf("webhook got\n%v\nwant\n%v", got, want)
	}
	if got := rcv.states("/cb"); !slices.Equal(got, want[6:12]) {
		t.Fatalf("callback_url got %v, want the batch's statuses %v", got, want[6:12])
	}
	ids := map[string]bool{}
	for _, h := range rcv.got() {
		if h.body.str("challenge") != wChallenge {
			t.Errorf("%s: challenge %q", h.header.Get(sim.HeaderEventID), h.body.str("challenge"))
		}
		if sig := h.header.Get(sim.HeaderSignature); !hmac.Equal([]byte(sig), []byte(sim.SignWebhook(wSecret, h.raw))) {
			t.Errorf("%s: signature %q does not match the body", h.header.Get(sim.HeaderEventID), sig)
		}
		if ct := h.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		if h.path == "/hook" {
			id := h.header.Get(sim.HeaderEventID)
			if id == "" || ids[id] {
				t.Errorf("event id %q is empty or repeated", id)
			}
			ids[id] = true
		}
	}
	cbID := cb.str("chargeback_id")
	wCheckPayloads(t, rcv.got(), inv, cbID)
}

// wCheckPayloads checks the fields IntaSend's docs show for each family.
func wCheckPayloads(t *testing.T, hits []wHit, invoiceID, chargebackID string) {
	t.Helper()
	find := func(path, typ, field, value string) aResp {
		for _, h := range hits {
			if h.path == path && h.header.Get(sim.HeaderEventType) == typ && h.body.str(field) == value {
				return h.body
			}
		}
		t.Fatalf("no %s event with %s=%s", typ, field, value)
		return aResp{}
	}
	done := find("/hook", sim.EventCollection, "state", "COMPLETE")
	failed := find("/hook", sim.EventCollection, "state", "FAILED")
	batch := find("/cb", sim.EventSendMoney, "status_code", "BC100")
	refund := find("/hook", sim.EventChargeback, "status", "COMPLETED")
	tests := []struct {
		name string
		got  aResp
		path string
		want string
	}{
		{"collection invoice_id", done, "invoice_id", invoiceID},
		{"collection provider", done, "provider", "M-PESA"},
		{"collection value", done, "value", "5000.00"},
		{"collection charges (3%)", done, "charges", "150.00"},
		{"collection net_amount", done, "net_amount", "4850.00"},
		{"collection currency", done, "currency", "KES"},
		{"collection account", done, "account", aOK},
		{"collection api_ref", done, "api_ref", "API Request"},
		{"collection failed_reason null", done, "failed_reason", "<nil>"},
		{"collection created_at", done, "created_at", "2026-03-02T09:00:00.000000+03:00"},
		{"failed reason", failed, "failed_reason", "The balance is insufficient for the transaction"},
		{"failed code", failed, "failed_code", "1"},
		{"batch status", batch, "status", "Completed"},
		{"batch transaction", batch, "transactions.0.status_code", "TS100"},
		{"batch paid_amount", batch, "paid_amount", "100.00"},
		{"batch actual_charges", batch, "actual_charges", "10.00"},
		{"batch challenge", batch, "challenge", wChallenge},
		{"chargeback id", refund, "chargeback_id", chargebackID},
		{"chargeback amount", refund, "amount", "1000.00"},
		{"chargeback reason", refund, "reason", "Other"},
		{"chargeback invoice", refund, "invoice.invoice_id", invoiceID},
		{"chargeback staff_created", refund, "staff_created", "false"},
	}
	for _, tt := range tests {
		if got := tt.got.str(tt.path); got != tt.want {
			t.Errorf("%s: %s = %q, want %q", tt.name, tt.path, got, tt.want)
		}
	}
	for _, field := range []string{"host", "updated_at", "mpesa_reference", "failed_code"} {
		if !done.has(field) {
			t.Errorf("collection payload has no %s: %s", field, done.raw)
		}
	}
	for _, field := range []string{"file_id", "tracking_id", "transactions", "failed_amount", "created_at"} {
		if !batch.has(field) {
			t.Errorf("send-money payload has no %s: %s", field, batch.raw)
		}
	}
	if !refund.has("transaction") || !refund.has("resolution") {
		t.Errorf("chargeback payload lacks transaction or resolution: %s", refund.raw)
	}
}

// wAttemptTimes lists the offsets from aStart of a delivery's attempts.
func wAttemptTimes(d sim.WebhookDelivery) []time.Duration {
	var out []time.Duration
	for _, a := range d.Attempts {
		out = append(out, a.At.Sub(aStart))
	}
	return out
}

func TestWebhookRetriesWithBackoff(t *testing.T) {
	delays := sim.WebhookRetryDelays()
	if want := []time.Duration{5 * time.Minute, 20 * time.Minute, 80 * time.Minute, 320 * time.Minute, 1280 * time.Minute}; !slices.Equal(delays, want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
	const bad, ok = http.StatusInternalServerError, http.StatusNoContent
	tests := []struct {
		name       string
		script     []int
		wantHits   int
		wantStatus string
	}{
		{"first attempt succeeds", []int{ok}, 1, sim.DeliveryDelivered},
		{"succeeds on the fourth attempt", []int{bad, bad, bad, ok}, 4, sim.DeliveryDelivered},
		{"redirects are failures", []int{http.StatusFound, ok}, 2, sim.DeliveryDelivered},
		{"six failures give up", []int{bad}, 6, sim.DeliveryFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := wNewReceiver(t, tt.script...)
			e := wNew(t, sim.WebhookOptions{URL: rcv.url + "/hook", Challenge: wChallenge})
			e.wInitiate("YES", "") // one event: BP103, then nothing moves
			wantTimes := wRetryOnSchedule(t, e, delays, tt.wantHits)
			hits := rcv.got()
			testcheck.Expect(t, "receiver posts", len(hits), testcheck.C(fmt.Sprint(tt.wantHits), len(hits) == tt.wantHits))
			for i, h := range hits {
				testcheck.Check(t, fmt.Sprint("attempt ", i+1), h.header,
					testcheck.C("same body", string(h.raw) == string(hits[0].raw)),
					testcheck.C("same event id", h.header.Get(sim.HeaderEventID) == hits[0].header.Get(sim.HeaderEventID)),
					testcheck.C("attempt header "+aItoa(i+1), h.header.Get(sim.HeaderAttempt) == aItoa(i+1)),
					testcheck.C("unsigned without a secret", h.header.Get(sim.HeaderSignature) == ""))
			}
			log := e.sim.WebhookDeliveries()
			testcheck.Expect(t, "log", log, testcheck.C("one delivery", len(log) == 1))
			testcheck.Expect(t, "delivery", log[0], testcheck.C(tt.wantStatus, log[0].Status == tt.wantStatus),
				testcheck.C("no next attempt", log[0].NextAttempt == nil))
			got := wAttemptTimes(log[0])
			testcheck.Check(t, fmt.Sprint("attempt times, want ", wantTimes), got, testcheck.C("on schedule", slices.Equal(got, wantTimes)))
			code := log[0].Attempts[0].StatusCode
			testcheck.Check(t, "first attempt logged", code, testcheck.C(fmt.Sprint(tt.script[0]), code == tt.script[0]))
		})
	}
}

// wRetryOnSchedule delivers the first attempt and then each retry, none a
// second early and each exactly on time, and nothing after the last; it
// returns when the attempts were due.
func wRetryOnSchedule(t *testing.T, e *aEnv, delays []time.Duration, hits int) []time.Duration {
	t.Helper()
	n := e.deliver()
	testcheck.Expect(t, "first round attempts", n, testcheck.C("1", n == 1))
	wantTimes := []time.Duration{0}
	at := time.Duration(0)
	for i := 1; i < hits; i++ {
		d := delays[i-1]
		e.clock.Advance(d - time.Second)
		early := e.deliver()
		e.clock.Advance(time.Second)
		onTime := e.deliver()
		testcheck.Expect(t, fmt.Sprint("retry ", i, " (early, on time)"), []int{early, onTime},
			testcheck.C("none early", early == 0), testcheck.C("one on time", onTime == 1))
		at += d
		wantTimes = append(wantTimes, at)
	}
	e.clock.Advance(72 * time.Hour) // nothing more, ever
	n = e.deliver()
	testcheck.Expect(t, "attempts after the delivery ended", n, testcheck.C("none", n == 0))
	return wantTimes
}

func TestWebhookNextAttemptIsLogged(t *testing.T) {
	rcv := wNewReceiver(t, http.StatusServiceUnavailable)
	e := wNew(t, sim.WebhookOptions{URL: rcv.url + "/hook", Challenge: wChallenge})
	e.wInitiate("YES", "")
	if log := e.sim.WebhookDeliveries(); len(log) != 1 || log[0].NextAttempt == nil || !log[0].NextAttempt.Equal(aStart) {
		t.Fatalf("before delivery: %+v, want one delivery due now", log)
	}
	e.deliver()
	d := e.sim.WebhookDeliveries()[0]
	if d.Status != sim.DeliveryPending || d.NextAttempt == nil || !d.NextAttempt.Equal(aStart.Add(5*time.Minute)) {
		t.Fatalf("after a 503: %+v, want pending with the next attempt at +5m", d)
	}
	if a := d.Attempts[0]; a.StatusCode != http.StatusServiceUnavailable || !strings.Contains(a.Error, "503") {
		t.Errorf("attempt %+v", a)
	}
	if w := e.sim.Webhook(); !w.Enabled || w.ConsecutiveFailures != 1 {
		t.Errorf("webhook %+v", w)
	}
}

func TestWebhookDisabledAfter20ConsecutiveFailures(t *testing.T) {
	rcv := wNewReceiver(t, http.StatusInternalServerError)
	cbRcv := wNewReceiver(t) // a healthy callback_url is unaffected
	e := wNew(t, sim.WebhookOptions{URL: rcv.url + "/hook", Challenge: wChallenge})
	for range 4 { // 4 events × 6 attempts could make 24 posts; the 20th disables
		e.wInitiate("YES", "")
	}
	for round := 0; round < 6 && e.sim.Webhook().Enabled; round++ {
		e.deliver()
		e.clock.Advance(24 * time.Hour) // every pending retry falls due
	}
	if w := e.sim.Webhook(); w.Enabled || w.ConsecutiveFailures != 20 {
		t.Fatalf("webhook %+v, want disabled after 20 failures", w)
	}
	if n := len(rcv.got()); n != 20 {
		t.Fatalf("receiver got %d posts, want exactly 20", n)
	}
	statuses := map[string]int{}
	for _, d := range e.sim.WebhookDeliveries() {
		statuses[d.Status]++
	}
	if statuses[sim.DeliveryDisabled] != 4 {
		t.Errorf("statuses %v: want the 4 unfinished deliveries disabled", statuses)
	}

	e.wInitiate("YES", cbRcv.url+"/cb") // the webhook gets nothing; the callback does
	e.clock.Advance(24 * time.Hour)
	e.deliver()
	if n := len(rcv.got()); n != 20 {
		t.Errorf("a disabled webhook got %d posts", n)
	}
	if got := cbRcv.states("/cb"); !slices.Equal(got, []string{"send_money:BP103"}) {
		t.Errorf("callback got %v", got)
	}

	e.sim.EnableWebhook() // support re-enables it
	e.wInitiate("YES", "")
	e.deliver()
	if n := len(rcv.got()); n != 21 {
		t.Errorf("after re-enabling, the webhook got %d posts, want 21", n)
	}
}

func TestWebhookSuccessResetsTheFailureStreak(t *testing.T) {
	// 19 failures, a success, then 19 more: never 20 in a row.
	script := append(slices.Repeat([]int{http.StatusBadGateway}, 19), http.StatusOK)
	script = append(script, slices.Repeat([]int{http.StatusBadGateway}, 19)...)
	script = append(script, http.StatusOK)
	rcv := wNewReceiver(t, script...)
	e := wNew(t, sim.WebhookOptions{URL: rcv.url + "/hook", Challenge: wChallenge})
	for range 8 {
		e.wInitiate("YES", "")
	}
	for range 8 {
		e.deliver()
		e.clock.Advance(24 * time.Hour)
	}
	if w := e.sim.Webhook(); !w.Enabled {
		t.Fatalf("webhook disabled without 20 consecutive failures: %+v", w)
	}
	if n := len(rcv.got()); n < len(script) {
		t.Fatalf("receiver got %d posts; the script needs %d to mean anything", n, len(script))
	}
}

func TestCallbackURLWithoutWebhook(t *testing.T) {
	rcv := wNewReceiver(t)
	e := aNew(t, sim.Options{Webhook: sim.WebhookOptions{Challenge: wChallenge}})
	e.aCollect("5000", "") // no webhook: collections go nowhere
	r := e.wInitiate("YES", rcv.url+"/cb")
	e.deliver()
	e.call("POST", "send-money/approve/", map[string]any{"tracking_id": r.str("tracking_id"), "nonce": r.str("nonce")}).want(t, http.StatusOK)
	e.advance(batchTime)
	e.deliver()
	want := []string{"send_money:BP103", "send_money:BP104", "send_money:BP106", "send_money:BP108",
		"send_money:BP109", "send_money:BP110", "send_money:BC100"}
	if got := rcv.states("/cb"); !slices.Equal(got, want) {
		t.Fatalf("callback_url got %v, want %v", got, want)
	}
	for _, h := range rcv.got() {
		if h.body.str("tracking_id") != r.str("tracking_id") || h.body.str("challenge") != wChallenge {
			t.Errorf("payload %s", h.raw)
		}
	}
	for _, d := range e.sim.WebhookDeliveries() {
		if d.Target != sim.TargetCallback || d.Status != sim.DeliveryDelivered {
			t.Errorf("delivery %+v", d)
		}
	}
}

func TestWebhookSkipsSeededHistory(t *testing.T) {
	rcv := wNewReceiver(t)
	e := aNew(t, sim.Options{Seed: true, Rand: 7, Webhook: sim.WebhookOptions{URL: rcv.url, Challenge: wChallenge}})
	e.advance(time.Minute)
	e.deliver()
	if n := len(rcv.got()); n != 0 {
		t.Fatalf("seeded history sent %d events", n)
	}
}
