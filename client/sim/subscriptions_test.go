package sim_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

func TestSubscriptionLifecycle(t *testing.T) {
	e := aNew(t, sim.Options{})
	p := e.call("POST", "subscriptions-plans/", map[string]any{"name": "Weekly Box", "frequency": 1, "frequency_unit": "W",
		"billing_cycles": 3, "currency": "KES", "amount": "800"}).want(t, http.StatusCreated)
	planID := p.str("plan_id")
	p.fields(t, "plan", "amount", "800.00", "frequency", "1")
	testcheck.Expect(t, "plan", p.raw, testcheck.C("plan_id of 7", len(planID) == 7))
	c := e.call("POST", "subscriptions-customers/", map[string]any{"email": "amina@example.com", "first_name": "Amina",
		"last_name": "Otieno", "reference": "CUST-1", "country": "KE"}).want(t, http.StatusCreated)
	custID := c.str("customer_id")
	s := e.call("POST", "subscriptions/", map[string]any{"customer_id": custID, "plan_id": planID,
		"start_date": "2026-03-02", "reference": "SUB-1", "redirect_url": "https://shop.example.com/thanks"}).want(t, http.StatusCreated)
	subID := s.str("subscription_id")
	s.fields(t, "subscription", "status", "PENDING", "plan.plan_id", planID, "customer.customer_id", custID, "payment_method", "CARD-PAYMENT")
	testcheck.Expect(t, "subscription", s.raw, testcheck.C("setup_url", strings.HasSuffix(s.str("setup_url"), "/subscriptions/"+subID+"/setup/")))
	get := func() aResp { return e.call("GET", "subscriptions/"+subID+"/", nil).want(t, http.StatusOK) }
	charges := func() aResp {
		return e.call("GET", "subscriptions/"+subID+"/transactions/", nil).want(t, http.StatusOK)
	}
	charges().fields(t, "charged before setup", "count", "0")
	e.advance(aStep(aTiming.Subscription))
	get().fields(t, "after setup", "status", "ACTIVE", "billing_cycles_completed", "1")
	charges().fields(t, "first charge", "count", "1", "results.0.trans_type", "SALE", "results.0.value", "800.00",
		"results.0.invoice.state", "COMPLETE", "results.0.invoice.provider", "CARD-PAYMENT", "results.0.invoice.charges", "28.00")
	e.advance(7 * 24 * time.Hour)
	charges().fields(t, "charges after a week", "count", "2")
	e.advance(7 * 24 * time.Hour)
	get().fields(t, "after three cycles", "status", "COMPLETED", "billing_cycles_completed", "3")
	e.advance(7 * 24 * time.Hour)
	charges().fields(t, "no charge after completion", "count", "3")
	e.call("POST", "subscriptions/"+subID+"/unsubscribe/", map[string]any{}).wantErr(t, "non_field_errors", "invalid")
}

func TestUnsubscribe(t *testing.T) {
	e := aNew(t, sim.Options{})
	planID := e.call("POST", "subscriptions-plans/", map[string]any{"name": "Gold", "frequency": "1", "frequency_unit": "M", "currency": "KES", "amount": 2500}).
		want(t, http.StatusCreated).str("plan_id")
	custID := e.call("POST", "subscriptions-customers/", map[string]any{"email": "a@example.com", "first_name": "A", "last_name": "B"}).
		want(t, http.StatusCreated).str("customer_id")
	subID := e.call("POST", "subscriptions/", map[string]any{"customer_id": custID, "plan_id": planID}).want(t, http.StatusCreated).str("subscription_id")
	e.advance(aStep(aTiming.Subscription))
	r := e.call("POST", "subscriptions/"+subID+"/unsubscribe/", nil).want(t, http.StatusCreated) // OAS: 201
	if r.str("status") != "CANCELED" {
		t.Fatalf("unsubscribe: %s", r.raw)
	}
	again := e.call("POST", "subscriptions/"+subID+"/unsubscribe/", nil)
	again.wantErr(t, "non_field_errors", "invalid")
	if !strings.Contains(again.str("errors.0.detail"), "already CANCELED") {
		t.Fatalf("detail: %s", again.raw)
	}
	e.advance(40 * 24 * time.Hour)
	if n := e.call("GET", "subscriptions/"+subID+"/transactions/", nil).want(t, http.StatusOK).str("count"); n != "1" {
		t.Fatalf("a canceled subscription was charged again: %s charges", n)
	}
	e.call("POST", "subscriptions/NOPE999/unsubscribe/", nil).want(t, http.StatusNotFound)
	if l := e.call("GET", "subscriptions/?status=CANCELED", nil).want(t, http.StatusOK); l.str("count") != "1" {
		t.Fatalf("status filter: %s", l.raw)
	}
	for _, path := range []string{"subscriptions-plans/", "subscriptions-customers/", "subscriptions/"} {
		if l := e.call("GET", path, nil).want(t, http.StatusOK); l.str("count") != "1" {
			t.Fatalf("%s: %s", path, l.raw)
		}
	}
	e.call("GET", "subscriptions-plans/"+planID, nil).want(t, http.StatusOK)
	e.call("GET", "subscriptions-customers/"+custID+"/", nil).want(t, http.StatusOK)
	e.call("GET", "subscriptions-plans/NOPE999/", nil).want(t, http.StatusNotFound)
}

func TestSubscriptionValidation(t *testing.T) {
	e := aNew(t, sim.Options{})
	planID := e.call("POST", "subscriptions-plans/", map[string]any{"name": "P", "frequency": 2, "frequency_unit": "D", "currency": "KES", "amount": 10}).
		want(t, http.StatusCreated).str("plan_id")
	custID := e.call("POST", "subscriptions-customers/", map[string]any{"email": "a@example.com", "first_name": "A", "last_name": "B"}).
		want(t, http.StatusCreated).str("customer_id")
	plan := func(k string, v any) map[string]any {
		b := map[string]any{"name": "P", "frequency": 1, "frequency_unit": "M", "currency": "KES", "amount": 10}
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name, path string
		body       map[string]any
		attr, code string
	}{
		{"plan name too long", "subscriptions-plans/", plan("name", strings.Repeat("n", 33)), "name", "max_length"},
		{"plan frequency missing", "subscriptions-plans/", plan("frequency", nil), "frequency", "required"},
		{"plan frequency not an integer", "subscriptions-plans/", plan("frequency", "1.5"), "frequency", "invalid"},
		{"plan frequency zero", "subscriptions-plans/", plan("frequency", 0), "frequency", "min_value"},
		{"plan unit", "subscriptions-plans/", plan("frequency_unit", "H"), "frequency_unit", "invalid_choice"},
		{"plan currency", "subscriptions-plans/", plan("currency", nil), "currency", "required"},
		{"plan amount", "subscriptions-plans/", plan("amount", nil), "amount", "required"},
		{"plan billing cycles", "subscriptions-plans/", plan("billing_cycles", -1), "billing_cycles", "min_value"},
		{"customer last name", "subscriptions-customers/", map[string]any{"email": "a@example.com", "first_name": "A"}, "last_name", "required"},
		{"customer email", "subscriptions-customers/", map[string]any{"email": "nope", "first_name": "A", "last_name": "B"}, "email", "invalid"},
		{"subscription customer", "subscriptions/", map[string]any{"customer_id": "NOPE999", "plan_id": planID}, "customer_id", "does_not_exist"},
		{"subscription plan", "subscriptions/", map[string]any{"customer_id": custID}, "plan_id", "required"},
		{"subscription date format", "subscriptions/", map[string]any{"customer_id": custID, "plan_id": planID, "start_date": "02/03/2026"}, "start_date", "invalid"},
		{"subscription in the past", "subscriptions/", map[string]any{"customer_id": custID, "plan_id": planID, "start_date": "2026-03-01"}, "start_date", "invalid"},
		{"subscription redirect", "subscriptions/", map[string]any{"customer_id": custID, "plan_id": planID, "redirect_url": "thanks"}, "redirect_url", "invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.call("POST", c.path, c.body).wantErr(t, c.attr, c.code)
		})
	}
	// A future start date: active after setup, first charge on that day.
	subID := e.call("POST", "subscriptions/", map[string]any{"customer_id": custID, "plan_id": planID, "start_date": "2026-03-10"}).
		want(t, http.StatusCreated).str("subscription_id")
	e.advance(aStep(aTiming.Subscription))
	if n := e.call("GET", "subscriptions/"+subID+"/transactions/", nil).want(t, http.StatusOK).str("count"); n != "0" {
		t.Fatalf("charged before start_date: %s", n)
	}
	e.advance(9 * 24 * time.Hour) // 2026-03-11 09:00 EAT: charged on the 10th
	if n := e.call("GET", "subscriptions/"+subID+"/transactions/", nil).want(t, http.StatusOK).str("count"); n != "1" {
		t.Fatalf("%s charges after start_date, want 1", n)
	}
}

// A subscriber whose email starts with declined@ is FAILED at the first
// charge: the card is refused ("Do not honour", 05), nothing is credited,
// no cycle counts and nothing more is billed; others bill as usual.
func TestSubscriptionScenarios(t *testing.T) {
	tests := []struct {
		email, status string
		declined      bool
	}{
		{email: "declined@example.com", status: "FAILED", declined: true},
		{email: "Declined@Shop.example", status: "FAILED", declined: true},
		{email: "amina@example.com", status: "ACTIVE"},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			e := aNew(t, sim.Options{})
			plan := e.call("POST", "subscriptions-plans/", map[string]any{"name": "Monthly", "frequency": 1, "frequency_unit": "M",
				"currency": "KES", "amount": "500"}).want(t, http.StatusCreated).str("plan_id")
			cust := e.call("POST", "subscriptions-customers/", map[string]any{"email": tt.email, "first_name": "A", "last_name": "B"}).
				want(t, http.StatusCreated).str("customer_id")
			sub := e.call("POST", "subscriptions/", map[string]any{"customer_id": cust, "plan_id": plan}).want(t, http.StatusCreated).str("subscription_id")
			before, _ := e.sim.Wallet(e.sim.SettlementWalletID())
			e.advance(aStep(aTiming.Subscription))
			e.advance(60 * 24 * time.Hour) // a second billing date passes too
			g := e.call("GET", "subscriptions/"+sub+"/", nil).want(t, http.StatusOK)
			if g.str("status") != tt.status {
				t.Fatalf("subscription: %s", g.raw)
			}
			if tt.declined && (g.str("billing_cycles_completed") != "0" || g.str("next_billing_date") != "<nil>") {
				t.Fatalf("a FAILED subscription has no completed cycle and no next billing date: %s", g.raw)
			}
			info := e.sim.Subscriptions()[0]
			after, _ := e.sim.Wallet(e.sim.SettlementWalletID())
			if !tt.declined {
				if info.FailedInvoice != "" || after.Current == before.Current {
					t.Fatalf("ordinary subscriber: %+v, wallet %s → %s", info, before.Current, after.Current)
				}
				return
			}
			if after.Current != before.Current || info.Charges != 0 {
				t.Fatalf("declined card moved money: %s → %s, %+v", before.Current, after.Current, info)
			}
			st := e.call("POST", "payment/status/", map[string]any{"invoice_id": info.FailedInvoice, "public_key": aPub}, "Authorization", aNoAuth).
				want(t, http.StatusOK)
			if st.str("invoice.state") != "FAILED" || st.str("invoice.failed_code") != "05" || st.str("invoice.failed_reason") != "Do not honour" {
				t.Fatalf("declined charge: %s", st.raw)
			}
			e.call("POST", "subscriptions/"+sub+"/unsubscribe/", map[string]any{}).wantErr(t, "non_field_errors", "invalid")
		})
	}
}
