package sim_test

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
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
	checkSeedWallets(t, wallets)
	checkSeedInvoices(t, e.sim.Invoices())
	checkSeedRefunds(t, e.sim.Refunds())
	checkSeedSubscriptions(t, e.sim.Subscriptions())
	for _, path := range []string{"subscriptions-plans/", "paymentlinks/", "customers/", "chargebacks/"} {
		r := e.call("GET", path, nil).want(t, http.StatusOK)
		testcheck.Expect(t, path, r.raw, testcheck.C("at least 2 results", r.len("results") >= 2))
	}
	for _, w := range wallets {
		checkStatementAddsUp(t, e, w)
	}
	checkSeedLast14Days(t, e)
}

// checkSeedWallets: one settlement wallet of about KES 13,000 and three
// funded working wallets.
func checkSeedWallets(t *testing.T, wallets []sim.WalletInfo) {
	t.Helper()
	labels := map[string]sim.WalletInfo{}
	for _, w := range wallets {
		labels[w.Label] = w
	}
	settle := labels["default"]
	testcheck.Expect(t, "settlement wallet", settle,
		testcheck.C("type SETTLEMENT", settle.Type == "SETTLEMENT"),
		testcheck.C("current >= 1,250,000 units", settle.Current >= client.Units(1_250_000)),
		testcheck.C("current <= 1,350,000 units", settle.Current <= client.Units(1_350_000)))
	for _, l := range []string{"Payroll", "Marketing", "Reserve"} {
		w, ok := labels[l]
		testcheck.Expect(t, "working wallet "+l, w,
			testcheck.C("present", ok),
			testcheck.C("type WORKING", w.Type == "WORKING"),
			testcheck.C("current > 0", w.Current > 0),
			testcheck.C("available == current", w.Available == w.Current))
	}
}

// checkSeedInvoices: 30 days of mostly complete M-Pesa and card collections.
func checkSeedInvoices(t *testing.T, invoices []sim.InvoiceInfo) {
	t.Helper()
	count := map[string]int{}
	for _, inv := range invoices {
		count[inv.State]++
		count[inv.Provider]++
		testcheck.Expect(t, "invoice inside the 30 days", inv,
			testcheck.C("not after start", !inv.CreatedAt.After(aStart)),
			testcheck.C("not before start-31d", !inv.CreatedAt.Before(aStart.AddDate(0, 0, -31))))
	}
	testcheck.Expect(t, "invoices", count,
		testcheck.C("COMPLETE >= 150", count["COMPLETE"] >= 150),
		testcheck.C("FAILED >= 8", count["FAILED"] >= 8),
		testcheck.C("CARD-PAYMENT >= 10", count["CARD-PAYMENT"] >= 10),
		testcheck.C("M-PESA >= 120", count["M-PESA"] >= 120))
}

func checkSeedRefunds(t *testing.T, refunds []sim.RefundInfo) {
	t.Helper()
	states := map[string]int{}
	for _, r := range refunds {
		states[r.Status]++
	}
	testcheck.Expect(t, "refunds", states,
		testcheck.C("2 COMPLETED", states["COMPLETED"] == 2),
		testcheck.C("1 DISPUTED", states["DISPUTED"] == 1),
		testcheck.C("1 PENDING", states["PENDING"] == 1))
}

func checkSeedSubscriptions(t *testing.T, subscriptions []sim.SubscriptionInfo) {
	t.Helper()
	subs := map[string]int{}
	for _, s := range subscriptions {
		subs[s.Status]++
		testcheck.Expect(t, "active subscription has a future charge", s,
			testcheck.C("next billing after start", s.Status != "ACTIVE" || s.NextBilling.After(aStart)))
	}
	testcheck.Expect(t, "subscriptions", subs,
		testcheck.C("ACTIVE >= 3", subs["ACTIVE"] >= 3),
		testcheck.C("1 PENDING", subs["PENDING"] == 1),
		testcheck.C("1 CANCELED", subs["CANCELED"] == 1),
		testcheck.C("1 COMPLETED", subs["COMPLETED"] == 1))
}

// checkStatementAddsUp: oldest first, every running balance is the previous
// one plus the line's value, ending at the current balance.
func checkStatementAddsUp(t *testing.T, e *aEnv, w sim.WalletInfo) {
	t.Helper()
	r := e.call("GET", "wallets/"+w.ID+"/transactions/?page_size=500", nil).want(t, http.StatusOK)
	n := r.len("results")
	testcheck.Expect(t, w.Label+" statement", n,
		testcheck.C("has lines", n != 0),
		testcheck.C("one page", r.str("next") == "<nil>"))
	var run client.Amount
	for i := n - 1; i >= 0; i-- {
		p := "results." + aItoa(i)
		run += client.MustAmount(r.str(p + ".value"))
		got := client.MustAmount(r.str(p + ".running_balance"))
		testcheck.Expect(t, w.Label+" line "+r.str(p+".transaction_id")+" running balance (want "+run.String()+")", got,
			testcheck.C("equals the sum", got == run),
			testcheck.C("not negative", got >= 0))
	}
	testcheck.Expect(t, w.Label+" statement end (balance "+w.Current.String()+")", run,
		testcheck.C("ends at the balance", run == w.Current))
}

// checkSeedLast14Days: the last 14 days have money in on most days and
// money out.
func checkSeedLast14Days(t *testing.T, e *aEnv) {
	t.Helper()
	in := map[string]bool{}
	out := 0
	from := aStart.AddDate(0, 0, -14).In(time.FixedZone("EAT", 3*3600)).Format("2006-01-02")
	r := e.call("GET", "transactions/?page_size=500&start_date="+from, nil).want(t, http.StatusOK)
	for i := range r.len("results") {
		p := "results." + aItoa(i)
		switch r.str(p + ".trans_type") {
		case "SALE":
			in[r.str(p + ".created_at")[:10]] = true
		case "PAYOUT":
			out++
		}
	}
	testcheck.Expect(t, "last 14 days (sale days, payouts)", []int{len(in), out},
		testcheck.C("sales on >= 11 days", len(in) >= 11),
		testcheck.C(">= 5 payouts", out >= 5))
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
