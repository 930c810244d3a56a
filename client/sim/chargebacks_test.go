package sim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

func TestChargebackCap(t *testing.T) {
	e := aNew(t, sim.Options{})
	inv := e.aCollect(1000, "")
	settle := e.sim.SettlementWalletID()
	refund := func(amount any) aResp {
		// PY/PHP body: {invoice, amount, reason, reason_details}.
		return e.call("POST", "chargebacks/", map[string]any{"invoice": inv, "amount": amount, "reason": "Duplicate payment", "reason_details": "Paid twice"})
	}
	over := refund("1000.01")
	over.wantErr(t, "amount", "invalid")
	// The cap's detail names the refundable remainder.
	testcheck.Contains(t, "cap detail", over.str("errors.0.detail"), "at most KES 1,000.00")
	r := refund(600).want(t, http.StatusCreated)
	r.fields(t, "refund answer", "status", "PENDING", "amount", "600.00", "reason", "Duplicate payment",
		"invoice.invoice_id", inv, "transaction.trans_type", "SALE", "transaction.status", "CHARGEBACK-PENDING",
		"staff_created", "false", "resolution", "<nil>")
	testcheck.Expect(t, "refund answer ids", r.raw, testcheck.C("chargeback_id of 7", len(r.str("chargeback_id")) == 7),
		testcheck.C("session_id of 36", len(r.str("session_id")) == 36))
	first := r.str("chargeback_id")
	// The refund is held at once: 970.00 available before.
	w, _ := e.sim.Wallet(settle)
	testcheck.Expect(t, "after hold", w, testcheck.C("available 370", w.Available == client.MustAmount("370")),
		testcheck.C("current 970", w.Current == client.MustAmount("970")))
	third := refund("400.01")
	third.wantErr(t, "amount", "invalid")
	testcheck.Contains(t, "cap detail", third.str("errors.0.detail"), "at most KES 400.00")
	// 400 more would be the whole invoice, but only 370.00 is available.
	refund(400).wantErr(t, "amount", "insufficient_balance")
	second := refund("370").want(t, http.StatusCreated).str("chargeback_id")
	refund("30.01").wantErr(t, "amount", "invalid")

	e.advance(aStep(aTiming.Chargeback))
	for _, id := range []string{first, second} {
		g := e.call("GET", "chargebacks/"+id, nil).want(t, http.StatusOK).fields(t, "after "+aTiming.Chargeback.String(), "status", "COMPLETED")
		testcheck.Expect(t, "after "+aTiming.Chargeback.String(), g.raw, testcheck.C("resolved", g.str("resolution") != "<nil>"))
	}
	w, _ = e.sim.Wallet(settle)
	testcheck.Expect(t, "after refunds", w, testcheck.C("available 0", w.Available == 0), testcheck.C("current 0", w.Current == 0))
	e.call("GET", "chargebacks/", nil).want(t, http.StatusOK).fields(t, "list (newest first)", "count", "2", "results.0.chargeback_id", second)
	info, _ := e.sim.Invoice(inv)
	testcheck.Expect(t, "refunded total", info, testcheck.C("970", info.Refunded == client.Units(970)))
	e.call("GET", "chargebacks/NOPE999/", nil).want(t, http.StatusNotFound)
}

func TestChargebackFullRefundMarksSale(t *testing.T) {
	e := aNew(t, sim.Options{})
	inv := e.aCollect(500, "")
	e.aCollect(500, "") // a second sale funds the fee-sized gap
	e.call("POST", "chargebacks/", map[string]any{"invoice": inv, "amount": "500.00", "reason": "Wrong service"}).want(t, http.StatusCreated)
	e.advance(aStep(aTiming.Chargeback))
	st := e.call("GET", "transactions/?trans_type=SALE", nil).want(t, http.StatusOK)
	found := false
	for i := range st.len("results") {
		p := "results." + aItoa(i)
		if st.str(p+".invoice.invoice_id") == inv {
			found = true
			if st.str(p+".status") != "REFUNDED" {
				t.Fatalf("fully refunded sale: %s", st.raw)
			}
		}
	}
	if !found {
		t.Fatalf("no SALE line for %s", inv)
	}
	adj := e.call("GET", "transactions/?trans_type=ADJUSTMENT", nil).want(t, http.StatusOK)
	if adj.str("count") != "1" || adj.str("results.0.value") != "-500.00" {
		t.Fatalf("refund debit: %s", adj.raw)
	}
}

func TestChargebackValidation(t *testing.T) {
	e := aNew(t, sim.Options{})
	ok := e.aCollect(100, "")
	failed := e.aStk(aBroke, 100, nil).want(t, http.StatusOK).str("invoice.invoice_id")
	pending := e.aStk(aOK, 100, nil).want(t, http.StatusOK).str("invoice.invoice_id")
	e.advance(aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal))
	_ = pending
	late := e.aStk(aOK, 100, nil).want(t, http.StatusOK).str("invoice.invoice_id")
	cases := []struct {
		name string
		body map[string]any
		attr string
		code string
	}{
		{"invoice missing", map[string]any{"amount": 1, "reason": "Other"}, "invoice", "required"},
		{"invoice unknown", map[string]any{"invoice": "NOPE999", "amount": 1, "reason": "Other"}, "invoice", "does_not_exist"},
		{"invoice failed", map[string]any{"invoice": failed, "amount": 1, "reason": "Other"}, "invoice", "invalid"},
		{"invoice not paid yet", map[string]any{"invoice": late, "amount": 1, "reason": "Other"}, "invoice", "invalid"},
		{"amount missing", map[string]any{"invoice": ok, "reason": "Other"}, "amount", "required"},
		{"amount negative", map[string]any{"invoice": ok, "amount": -5, "reason": "Other"}, "amount", "min_value"},
		{"reason missing", map[string]any{"invoice": ok, "amount": 1}, "reason", "required"},
		{"node example's reason", map[string]any{"invoice": ok, "amount": 1, "reason": "UNAVAIBLE"}, "reason", "invalid_choice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.call("POST", "chargebacks/", c.body).wantErr(t, c.attr, c.code)
		})
	}
	if n := len(e.sim.Refunds()); n != 0 {
		t.Fatalf("%d refunds after refused requests", n)
	}
}

func TestChargebackWhileClearing(t *testing.T) {
	e := aNew(t, sim.Options{})
	inv := e.aStk(aOK, 100, nil).want(t, http.StatusOK).str("invoice.invoice_id")
	e.advance(aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal))
	// COMPLETE but still clearing: nothing is available to hold yet.
	r := e.call("POST", "chargebacks/", map[string]any{"invoice": inv, "amount": 10, "reason": "Other"})
	r.wantErr(t, "amount", "insufficient_balance")
}

func TestChargebackDispute(t *testing.T) {
	e := aNew(t, sim.Options{})
	inv := e.aCollect(200, "")
	id := e.call("POST", "chargebacks/", map[string]any{"invoice": inv, "amount": 194, "reason": "Other"}).want(t, http.StatusCreated).str("chargeback_id")
	if err := e.sim.DisputeChargeback(id); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.DisputeChargeback(id); err == nil {
		t.Fatal("a disputed chargeback was disputed again")
	}
	e.advance(aStep(aTiming.Chargeback))
	if g := e.call("GET", "chargebacks/"+id+"/", nil).want(t, http.StatusOK); g.str("status") != "DISPUTED" {
		t.Fatalf("disputed: %s", g.raw)
	}
	if w, _ := e.sim.Wallet(e.sim.SettlementWalletID()); w.Available != client.Units(194) {
		t.Fatalf("the hold was not released: %+v", w)
	}
	// The disputed amount counts as refundable again.
	e.call("POST", "chargebacks/", map[string]any{"invoice": inv, "amount": 194, "reason": "Other"}).want(t, http.StatusCreated)
}

// Magic refund amounts, stepped on the manual clock: .71 is CANCELLED (the
// hold released, refundable again), .72 OVERDUE (still held) and then
// COMPLETED an hour later.
func TestChargebackScenarios(t *testing.T) {
	type check struct {
		after            time.Duration // cumulative, from the refund
		status, saleLine string
		available        string // the settlement wallet's available balance
	}
	cb := aStep(aTiming.Chargeback)
	tests := []struct {
		name, amount string
		checks       []check
		refunded     client.Amount // what the invoice counts as refunded at the end
	}{
		{name: "cancelled", amount: "100.71", checks: []check{
			{0, "PENDING", "CHARGEBACK-PENDING", "869.29"},
			{cb, "CANCELLED", "AVAILABLE", "970.00"},
			{2 * time.Hour, "CANCELLED", "AVAILABLE", "970.00"}}},
		{name: "overdue", amount: "100.72", checks: []check{
			{0, "PENDING", "CHARGEBACK-PENDING", "869.28"},
			{cb, "OVERDUE", "CHARGEBACK-PENDING", "869.28"},
			{cb + 59*time.Minute, "OVERDUE", "CHARGEBACK-PENDING", "869.28"},
			{cb + 2*time.Hour, "COMPLETED", "AVAILABLE", "869.28"}},
			refunded: client.MustAmount("100.72")},
		{name: "ordinary", amount: "100.70", checks: []check{
			{cb, "COMPLETED", "AVAILABLE", "869.30"}}, refunded: client.MustAmount("100.70")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := aNew(t, sim.Options{})
			inv := e.aCollect(1000, "")
			id := e.call("POST", "chargebacks/", map[string]any{"invoice": inv, "amount": tt.amount, "reason": "Other"}).
				want(t, http.StatusCreated).str("chargeback_id")
			var elapsed time.Duration
			for _, c := range tt.checks {
				e.advance(c.after - elapsed)
				elapsed = c.after
				g := e.call("GET", "chargebacks/"+id, nil).want(t, http.StatusOK)
				w, _ := e.sim.Wallet(e.sim.SettlementWalletID())
				if g.str("status") != c.status || g.str("transaction.status") != c.saleLine || w.Available.Decimal() != c.available {
					t.Fatalf("after %s: %s, sale line %s, available %s; want %s, %s, %s", c.after,
						g.str("status"), g.str("transaction.status"), w.Available.Decimal(), c.status, c.saleLine, c.available)
				}
				if c.status != "PENDING" && g.str("resolution") == "<nil>" {
					t.Fatalf("%s without a resolution: %s", c.status, g.raw)
				}
			}
			if info, _ := e.sim.Invoice(inv); info.Refunded != tt.refunded {
				t.Fatalf("refunded %s, want %s", info.Refunded, tt.refunded)
			}
		})
	}
}
