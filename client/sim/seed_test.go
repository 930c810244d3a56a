package sim_test

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
)

func TestSeedDeterministic(t *testing.T) {
	mk := func(seed int64) *sim.Server {
		return sim.New(sim.Options{Clock: sim.NewManualClock(aStart), Seed: true, Rand: seed, Timing: aTiming})
	}
	a, b, c := mk(7), mk(7), mk(8)
	if !reflect.DeepEqual(a.Wallets(), b.Wallets()) || !reflect.DeepEqual(a.Invoices(), b.Invoices()) ||
		!reflect.DeepEqual(a.Refunds(), b.Refunds()) || !reflect.DeepEqual(a.Subscriptions(), b.Subscriptions()) {
		t.Fatal("the same Rand gave different demo data")
	}
	if reflect.DeepEqual(a.Wallets(), c.Wallets()) {
		t.Fatal("a different Rand gave the same wallets")
	}
}

func TestSeedContents(t *testing.T) {
	e := aNew(t, sim.Options{Seed: true, Rand: 42})
	wallets := e.sim.Wallets()
	labels := map[string]sim.WalletInfo{}
	for _, w := range wallets {
		labels[w.Label] = w
	}
	settle := labels["default"]
	if settle.Type != "SETTLEMENT" || settle.Current < client.Units(1_250_000) || settle.Current > client.Units(1_350_000) {
		t.Fatalf("settlement wallet: %+v", settle)
	}
	for _, l := range []string{"Payroll", "Marketing", "Reserve"} {
		if w, ok := labels[l]; !ok || w.Type != "WORKING" || w.Current <= 0 || w.Available != w.Current {
			t.Fatalf("working wallet %s: %+v", l, w)
		}
	}
	count := map[string]int{}
	for _, inv := range e.sim.Invoices() {
		count[inv.State]++
		count[inv.Provider]++
		if inv.CreatedAt.After(aStart) || inv.CreatedAt.Before(aStart.AddDate(0, 0, -31)) {
			t.Fatalf("invoice outside the 30 days: %+v", inv)
		}
	}
	if count["COMPLETE"] < 150 || count["FAILED"] < 8 || count["CARD-PAYMENT"] < 10 || count["M-PESA"] < 120 {
		t.Fatalf("invoices: %v", count)
	}
	states := map[string]int{}
	for _, r := range e.sim.Refunds() {
		states[r.Status]++
	}
	if states["COMPLETED"] != 2 || states["DISPUTED"] != 1 || states["PENDING"] != 1 {
		t.Fatalf("refunds: %v", states)
	}
	subs := map[string]int{}
	for _, s := range e.sim.Subscriptions() {
		subs[s.Status]++
		if s.Status == "ACTIVE" && !s.NextBilling.After(aStart) {
			t.Fatalf("active subscription without a future charge: %+v", s)
		}
	}
	if subs["ACTIVE"] < 3 || subs["PENDING"] != 1 || subs["CANCELED"] != 1 || subs["COMPLETED"] != 1 {
		t.Fatalf("subscriptions: %v", subs)
	}
	for _, path := range []string{"subscriptions-plans/", "paymentlinks/", "customers/", "chargebacks/"} {
		if r := e.call("GET", path, nil).want(t, http.StatusOK); r.len("results") < 2 {
			t.Fatalf("%s: %s", path, r.raw)
		}
	}
	// Each statement adds up: oldest first, every running balance is the
	// previous one plus the line's value, ending at the current balance.
	for _, w := range wallets {
		r := e.call("GET", "wallets/"+w.ID+"/transactions/?page_size=500", nil).want(t, http.StatusOK)
		n := r.len("results")
		if n == 0 || r.str("next") != "<nil>" {
			t.Fatalf("%s statement: %d lines", w.Label, n)
		}
		var run client.Amount
		for i := n - 1; i >= 0; i-- {
			p := "results." + aItoa(i)
			run += client.MustAmount(r.str(p + ".value"))
			if got := client.MustAmount(r.str(p + ".running_balance")); got != run || got < 0 {
				t.Fatalf("%s line %s: running balance %s, want %s", w.Label, r.str(p+".transaction_id"), got, run)
			}
		}
		if run != w.Current {
			t.Fatalf("%s statement ends at %s, balance %s", w.Label, run, w.Current)
		}
	}
	// The last 14 days have money in on most days and money out.
	in := map[string]bool{}
	out := 0
	day := func(d string) string { return d[:10] }
	from := aStart.AddDate(0, 0, -14).In(time.FixedZone("EAT", 3*3600)).Format("2006-01-02")
	r := e.call("GET", "transactions/?page_size=500&start_date="+from, nil).want(t, http.StatusOK)
	for i := range r.len("results") {
		p := "results." + aItoa(i)
		switch r.str(p + ".trans_type") {
		case "SALE":
			in[day(r.str(p+".created_at"))] = true
		case "PAYOUT":
			out++
		}
	}
	if len(in) < 11 || out < 5 {
		t.Fatalf("last 14 days: sales on %d days, %d payouts", len(in), out)
	}
}

func TestGenerator(t *testing.T) {
	e := aNew(t, sim.Options{Generator: true, Rand: 5})
	e.advance(time.Minute)
	first := len(e.sim.Invoices())
	if first < 5 || first > 16 {
		t.Fatalf("%d collections in a minute at one per ~6 s", first)
	}
	if w, _ := e.sim.Wallet(e.sim.SettlementWalletID()); w.Current <= 0 {
		t.Fatalf("generated collections did not credit the settlement wallet: %+v", w)
	}
	// A quiet spell of ten hours: the backlog is capped, and a request stays fast.
	e.clock.Advance(10 * time.Hour)
	start := time.Now()
	e.call("GET", "wallets/", nil).want(t, http.StatusOK)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("catching up took %s", took)
	}
	added := len(e.sim.Invoices()) - first
	if added < 30 || added > 80 {
		t.Fatalf("%d collections generated for a ten-hour gap, want about 50", added)
	}
	pending := 0
	for _, inv := range e.sim.Invoices() {
		if inv.State == "PENDING" || inv.State == "PROCESSING" {
			pending++
		}
	}
	if pending > 3 {
		t.Fatalf("%d collections left in flight after catching up", pending)
	}
	// With the generator on, a simulated customer pays checkouts too.
	co := e.call("POST", "checkout/", map[string]any{"public_key": aPub, "amount": 100, "phone_number": "0712345678"}, "Authorization", aNoAuth).
		want(t, http.StatusCreated)
	e.advance(aStep(2*aTiming.Generator) + aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal))
	d := e.call("POST", "checkout/details/", map[string]any{"public_key": aPub, "checkout_id": co.str("id"), "signature": co.str("signature")}).
		want(t, http.StatusOK)
	if d.str("paid") != "true" {
		t.Fatalf("checkout not paid by the generator: %s", d.raw)
	}
}
