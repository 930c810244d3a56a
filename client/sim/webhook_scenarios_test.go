package sim_test

import (
	"bytes"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
)

// wCheck is what the receiver has got, in order, once the clock stands a
// cumulative time after the push and DeliverDue has run.
type wCheck struct {
	after time.Duration
	want  []string
}

// The late and duplicate callbacks (issue 12 §5) as a real receiver sees
// them, against an ordinary payment that must deliver what it always did.
func TestWebhookCollectionScenarios(t *testing.T) {
	steps := aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal)
	pending, processing, complete := "collection:PENDING", "collection:PROCESSING", "collection:COMPLETE"
	tests := []struct {
		name, phone string
		checks      []wCheck
		completeAt  time.Duration // when COMPLETE happened; 0: jittered, not checked
	}{
		{name: "ordinary", phone: aOK, checks: []wCheck{
			{0, []string{pending}},
			{steps, []string{pending, processing, complete}},
			{time.Hour, []string{pending, processing, complete}}}},
		{name: "late callback", phone: "254700000006", checks: []wCheck{
			{steps, []string{pending, processing}},
			{10*time.Minute - time.Second, []string{pending, processing}},
			{10 * time.Minute, []string{pending, processing, complete}},
			{time.Hour, []string{pending, processing, complete}}},
			completeAt: 10 * time.Minute},
		{name: "duplicate callback", phone: "254700000007", checks: []wCheck{
			{aStep(aTiming.STKProcessing), []string{pending, processing}},
			{steps, []string{pending, processing, complete, complete}},
			{time.Hour, []string{pending, processing, complete, complete}}},
			completeAt: aTiming.STKProcessing + aTiming.STKFinal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := wNewReceiver(t)
			e := wNew(t, sim.WebhookOptions{URL: rcv.url + "/hook", Challenge: wChallenge})
			id := e.aStk(tt.phone, 1000, nil).want(t, http.StatusOK).str("invoice.invoice_id")
			var elapsed time.Duration
			for _, c := range tt.checks {
				e.clock.Advance(c.after - elapsed)
				elapsed = c.after
				e.deliver()
				if got := rcv.states("/hook"); !slices.Equal(got, c.want) {
					t.Fatalf("after %s the receiver got %v, want %v", c.after, got, c.want)
				}
			}
			wCheckFinal(t, rcv.got(), e.sim.WebhookDeliveries(), id)
			for _, d := range e.sim.WebhookDeliveries() {
				if d.Event.State == "COMPLETE" && tt.completeAt != 0 && !d.Event.At.Equal(aStart.Add(tt.completeAt)) {
					t.Errorf("COMPLETE event at %s, want %s", d.Event.At, aStart.Add(tt.completeAt))
				}
			}
		})
	}
}

// wCheckFinal checks what a receiver de-duplicates on and when the final
// event fell due. Every hit is a new event id (IntaSend sends no id, so a
// doubled callback cannot share one); the COMPLETE bodies are the same
// bytes, so invoice_id + state is what tells a duplicate apart. No
// attempt is made before its event happened.
func wCheckFinal(t *testing.T, hits []wHit, log []sim.WebhookDelivery, invoiceID string) {
	t.Helper()
	ids := map[string]bool{}
	var final []byte
	for _, h := range hits {
		if id := h.header.Get(sim.HeaderEventID); ids[id] {
			t.Errorf("event id %s delivered twice", id)
		} else {
			ids[id] = true
		}
		if h.body.str("invoice_id") != invoiceID {
			t.Errorf("hit for invoice %s, want %s", h.body.str("invoice_id"), invoiceID)
		}
		if h.body.str("state") != "COMPLETE" {
			continue
		}
		if final != nil && !bytes.Equal(final, h.raw) {
			t.Errorf("duplicate COMPLETE bodies differ:\n%s\n%s", final, h.raw)
		}
		final = h.raw
	}
	for _, d := range log {
		if len(d.Attempts) != 1 || d.Attempts[0].At.Before(d.Event.At) {
			t.Errorf("event %s (%s at %s) attempts %+v, want one, not before the event", d.Event.ID, d.Event.State, d.Event.At, d.Attempts)
		}
	}
}

// A subscription charge is created and settled inside one clock event: its
// PENDING entry was never visible to anyone, so, as before the sender read
// the event list, the receiver gets the COMPLETE alone.
func TestWebhookSubscriptionChargeAnnouncesOnlyItsOutcome(t *testing.T) {
	rcv := wNewReceiver(t)
	e := wNew(t, sim.WebhookOptions{URL: rcv.url + "/hook", Challenge: wChallenge})
	plan := e.call("POST", "subscriptions-plans/", map[string]any{"name": "Weekly Box", "frequency": 1, "frequency_unit": "W",
		"billing_cycles": 1, "currency": "KES", "amount": "800"}).want(t, http.StatusCreated)
	cust := e.call("POST", "subscriptions-customers/", map[string]any{"email": "amina@example.com", "first_name": "Amina",
		"last_name": "Otieno"}).want(t, http.StatusCreated)
	e.call("POST", "subscriptions/", map[string]any{"customer_id": cust.str("customer_id"), "plan_id": plan.str("plan_id"),
		"start_date": "2026-03-02"}).want(t, http.StatusCreated)
	e.clock.Advance(aStep(aTiming.Subscription))
	e.deliver()
	if got, want := rcv.states("/hook"), []string{"collection:COMPLETE"}; !slices.Equal(got, want) {
		t.Fatalf("the receiver got %v, want %v", got, want)
	}
}
