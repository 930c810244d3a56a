package cmd

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

// reconcileOut is `reconcile --json` as the test reads it back.
type reconcileOut struct {
	Matched []struct {
		Reference string
		Payment   struct {
			InvoiceID string `json:"invoice_id"`
		}
	}
	AmountMismatch []struct {
		Reference  string
		Difference client.Amount
	} `json:"amount_mismatch"`
	PaidWithoutOrder []struct {
		Payment struct {
			InvoiceID string `json:"invoice_id"`
			APIRef    string `json:"api_ref"`
		}
		PossibleOrders []struct{ Reference string } `json:"possible_orders"`
	} `json:"paid_without_order"`
	UnpaidOrders []struct {
		Order    struct{ Reference string }
		Attempts []struct {
			InvoiceID string `json:"invoice_id"`
			State     string
			Reason    string
		}
		PossibleMatches []struct {
			InvoiceID string `json:"invoice_id"`
		} `json:"possible_matches"`
	} `json:"unpaid_orders"`
	Duplicates []struct {
		Reference string
		Kind      string
		Extra     client.Amount `json:"extra_amount"`
	}
	Refunded []struct{ Reference string }
	Summary  struct {
		Counts map[string]int
		Sums   map[string]string
	}
}

// sets are the result's lists reduced to comparable keys.
func (r *reconcileOut) sets() map[string][]string {
	s := map[string][]string{}
	add := func(k, v string) { s[k] = append(s[k], v) }
	for _, m := range r.Matched {
		add("matched", m.Reference)
	}
	for _, m := range r.AmountMismatch {
		add("amount_mismatch", m.Reference+" "+m.Difference.Decimal())
	}
	for _, p := range r.PaidWithoutOrder {
		add("paid_without_order", p.Payment.InvoiceID)
	}
	for _, u := range r.UnpaidOrders {
		add("unpaid_orders", u.Order.Reference)
	}
	for _, d := range r.Duplicates {
		add("duplicates", d.Reference+" "+d.Kind)
	}
	for _, f := range r.Refunded {
		add("refunded", f.Reference)
	}
	for _, v := range s {
		sort.Strings(v)
	}
	return s
}

// reconcileFixture is a seeded simulator whose server the test can ask
// for the truth (every invoice) and a client to make new payments with.
type reconcileFixture struct {
	srv   *sim.Server
	base  string
	clock *sim.ManualClock
	cl    *client.Client
}

func newReconcileFixture(t *testing.T) *reconcileFixture {
	t.Helper()
	clock := sim.NewManualClock(simStart)
	srv := sim.New(sim.Options{Seed: true, Rand: 7, Clock: clock, FailureRate: -1})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	cl, err := client.New(testPub, testSec, client.WithBaseURL(hs.URL))
	if err != nil {
		t.Fatal(err)
	}
	return &reconcileFixture{srv: srv, base: hs.URL, clock: clock, cl: cl}
}

// ledgerRow is one order: reference, amount, date, phone, email.
type ledgerRow [5]string

// seededLedger is the shop's own record of the seeded history: one row per
// reference IntaSend was paid under, with the first payment's amount, day
// and payer, and the payment it stands for.
func seededLedger(invs []sim.InvoiceInfo) ([]ledgerRow, map[string]sim.InvoiceInfo) {
	var rows []ledgerRow
	first := map[string]sim.InvoiceInfo{}
	for _, inv := range invs {
		if inv.State != client.InvoiceComplete || inv.APIRef == "" {
			continue
		}
		if _, seen := first[inv.APIRef]; seen {
			continue
		}
		first[inv.APIRef] = inv
		phone, email := inv.Account, ""
		if strings.Contains(inv.Account, "@") {
			phone, email = "", inv.Account
		}
		rows = append(rows, ledgerRow{inv.APIRef, inv.Value.Decimal(), inv.CreatedAt.In(eat).Format(time.DateOnly), phone, email})
	}
	return rows, first
}

func writeLedger(t *testing.T, rows []ledgerRow) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "orders.csv")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(fh)
	_ = w.Write([]string{"Order No", "Total", "Order Date", "Phone", "Email"})
	for _, r := range rows {
		_ = w.Write(r[:])
	}
	w.Flush()
	if err := fh.Close(); err != nil || w.Error() != nil {
		t.Fatal(err, w.Error())
	}
	return path
}

func (f *reconcileFixture) reconcile(t *testing.T, path string, from, to string) (*reconcileOut, string, int) {
	t.Helper()
	out, errw, code := runCLI(t, "reconcile", path, "--from", from, "--to", to, "--json", "--base-url", f.base)
	validate(t, schemas(t)("reconcile.json"), out)
	var r reconcileOut
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return &r, errw, code
}

// TestReconcileReportsExactlyTheChanges builds a ledger from the
// simulator's seeded history, reconciles it (the baseline, checked against
// the simulator's own invoices), then removes, adds, alters and duplicates
// rows and pays one order twice, and checks the report differs from the
// baseline by exactly those changes.
func TestReconcileReportsExactlyTheChanges(t *testing.T) {
	f := newReconcileFixture(t)
	withKeys(t)
	rows, first := seededLedger(f.srv.Invoices())
	testcheck.Expect(t, "seeded references", len(rows), testcheck.C("at least 40", len(rows) >= 40))
	from := simStart.In(eat).AddDate(0, 0, -31).Format(time.DateOnly)
	to := simStart.In(eat).Format(time.DateOnly)

	base, _, _ := f.reconcile(t, writeLedger(t, rows), from, to)
	want := base.sets()
	checkBaseline(t, f.srv.Invoices(), first, want)

	// Pick rows to change: references paid once and never refunded.
	plain := plainRows(rows, want, base)
	payTwice := rows[plain[7]]
	changed := changeRows(rows, first, want, plain[0:3], plain[3:5], plain[5:7])
	loose := addOrders(t, f, payTwice)
	changed = append(changed,
		ledgerRow{"NEW-0001", "1200.00", to, "", ""},
		ledgerRow{"NEW-0002", "750", to, "0700 000 001", ""},
		ledgerRow{"NEW-0003", loose.Value.Decimal(), loose.CreatedAt.In(eat).Format("02/01/2006"), loose.Account, ""})
	want["unpaid_orders"] = append(want["unpaid_orders"], "NEW-0001", "NEW-0002", "NEW-0003")
	want["duplicates"] = append(want["duplicates"], payTwice[0]+" payments")
	for _, v := range want {
		sort.Strings(v)
	}

	got, errw, code := f.reconcile(t, writeLedger(t, changed), from, to)
	testcheck.Check(t, fmt.Sprintf("exit %d, stderr %q", code, errw), nil,
		testcheck.C("exit 1", code == exitRefused), testcheck.C("the differences named", strings.Contains(errw, "not reconciled")))
	gs := got.sets()
	for _, k := range []string{"matched", "amount_mismatch", "paid_without_order", "unpaid_orders", "duplicates", "refunded"} {
		if !slices.Equal(gs[k], want[k]) {
			t.Errorf("%s:\n got %v\nwant %v", k, gs[k], want[k])
		}
	}
	checkEvidence(t, got, loose.ID, payTwice)
}

// plainRows are the indexes of rows whose reference was paid once and
// never refunded, in the baseline base (whose sets are want).
func plainRows(rows []ledgerRow, want map[string][]string, base *reconcileOut) []int {
	skip := map[string]bool{}
	for _, r := range want["refunded"] {
		skip[r] = true
	}
	for _, d := range base.Duplicates {
		skip[d.Reference] = true
	}
	var plain []int
	for i, r := range rows {
		if !skip[r[0]] {
			plain = append(plain, i)
		}
	}
	return plain
}

// changeRows removes, alters (one paid 1.50 more than ordered, one 1.50
// less) and doubles rows, and records in want what the report must say.
func changeRows(rows []ledgerRow, first map[string]sim.InvoiceInfo, want map[string][]string, removed, altered, doubled []int) []ledgerRow {
	drop := map[int]bool{}
	for _, i := range removed {
		drop[i] = true
		want["paid_without_order"] = append(want["paid_without_order"], first[rows[i][0]].ID)
		want["matched"] = without(want["matched"], rows[i][0])
	}
	for k, i := range altered {
		delta := client.Cents(int64(k*2-1) * 150)
		a := client.MustAmount(rows[i][1])
		rows[i][1] = (a - delta).Decimal()
		want["amount_mismatch"] = append(want["amount_mismatch"], rows[i][0]+" "+delta.Decimal())
		want["matched"] = without(want["matched"], rows[i][0])
	}
	var changed []ledgerRow
	for i, r := range rows {
		if drop[i] {
			continue
		}
		changed = append(changed, r)
		if slices.Contains(doubled, i) {
			changed = append(changed, r)
			want["duplicates"] = append(want["duplicates"], r[0]+" "+"ledger_rows")
		}
	}
	return changed
}

// addOrders: one order whose payer's M-Pesa refused (insufficient
// balance), payTwice paid a second time, and a seeded payment under no
// reference (returned) for an order by the same phone, amount and day.
func addOrders(t *testing.T, f *reconcileFixture, payTwice ledgerRow) sim.InvoiceInfo {
	t.Helper()
	ctx := t.Context()
	_, err := f.cl.STKPush(ctx, client.STKPushRequest{Phone: "254700000001", Amount: client.Units(750), APIRef: "NEW-0002"})
	testcheck.Must(t, "STK push NEW-0002", err)
	_, err = f.cl.STKPush(ctx, client.STKPushRequest{Phone: "254708374149", Amount: client.MustAmount(payTwice[1]), APIRef: payTwice[0]})
	testcheck.Must(t, "STK push paying twice", err)
	f.clock.Advance(5 * time.Minute)
	var loose sim.InvoiceInfo
	for _, inv := range f.srv.Invoices() {
		if inv.State == client.InvoiceComplete && inv.APIRef == "" && inv.Provider == "M-PESA" {
			loose = inv
		}
	}
	testcheck.Expect(t, "a seeded payment without a reference", loose, testcheck.C("found", loose.ID != ""))
	return loose
}

// checkBaseline: the unchanged ledger matches every reference IntaSend
// was paid under; payments without a reference have no order.
func checkBaseline(t *testing.T, invs []sim.InvoiceInfo, first map[string]sim.InvoiceInfo, got map[string][]string) {
	t.Helper()
	var refs, loose []string
	for ref := range first {
		refs = append(refs, ref)
	}
	for _, inv := range invs {
		if inv.State == client.InvoiceComplete && inv.APIRef == "" {
			loose = append(loose, inv.ID)
		}
	}
	sort.Strings(refs)
	sort.Strings(loose)
	if !slices.Equal(got["matched"], refs) {
		t.Errorf("baseline matched %d references, want all %d", len(got["matched"]), len(refs))
	}
	var pwo []string
	for _, id := range got["paid_without_order"] {
		if !slices.Contains(loose, id) { // subscription repeats share a reference
			continue
		}
		pwo = append(pwo, id)
	}
	if !slices.Equal(pwo, loose) {
		t.Errorf("baseline: %d payments without a reference reported, want %d", len(pwo), len(loose))
	}
	if len(got["amount_mismatch"])+len(got["unpaid_orders"]) != 0 || len(got["refunded"]) == 0 {
		t.Errorf("baseline: %v", got)
	}
}

// checkEvidence: each difference carries the evidence a person needs.
func checkEvidence(t *testing.T, got *reconcileOut, loose string, payTwice ledgerRow) {
	t.Helper()
	checkUnpaidEvidence(t, got, loose)
	for _, p := range got.PaidWithoutOrder {
		if p.Payment.InvoiceID != loose {
			continue
		}
		testcheck.Check(t, "payment "+loose+": possible orders", p.PossibleOrders,
			testcheck.C("one", len(p.PossibleOrders) == 1), testcheck.C("NEW-0003", len(p.PossibleOrders) == 1 && p.PossibleOrders[0].Reference == "NEW-0003"))
	}
	for _, d := range got.Duplicates {
		if d.Reference == payTwice[0] && d.Kind == "payments" && d.Extra.Decimal() != client.MustAmount(payTwice[1]).Decimal() {
			t.Errorf("paid twice: extra %s, want %s", d.Extra.Decimal(), payTwice[1])
		}
	}
	n := got.Summary.Counts["possible_matches"]
	testcheck.Check(t, "possible matches counted", n, testcheck.C("1", n == 1))
}

// checkUnpaidEvidence: NEW-0001 has no attempt and no possible match,
// NEW-0002 the refused attempt, NEW-0003 the loose payment as its match.
func checkUnpaidEvidence(t *testing.T, got *reconcileOut, loose string) {
	t.Helper()
	for _, u := range got.UnpaidOrders {
		switch u.Order.Reference {
		case "NEW-0001":
			testcheck.Check(t, "NEW-0001", u, testcheck.C("no attempts", len(u.Attempts) == 0), testcheck.C("no possible matches", len(u.PossibleMatches) == 0))
		case "NEW-0002":
			one := len(u.Attempts) == 1
			testcheck.Check(t, "NEW-0002 attempts", u.Attempts, testcheck.C("one", one),
				testcheck.C("failed", one && u.Attempts[0].State == client.InvoiceFailed),
				testcheck.C("insufficient", one && strings.Contains(u.Attempts[0].Reason, "insufficient")))
		case "NEW-0003":
			one := len(u.PossibleMatches) == 1
			testcheck.Check(t, "NEW-0003 possible matches, want "+loose, u.PossibleMatches, testcheck.C("one", one),
				testcheck.C(loose, one && u.PossibleMatches[0].InvoiceID == loose))
		}
	}
}

func without(list []string, v string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == v })
}

// TestReconcileUsage: exit statuses for a bad command line and a refused
// file, the table output's sections.
func TestReconcileUsage(t *testing.T) {
	f := newReconcileFixture(t)
	withKeys(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	_ = os.WriteFile(bad, []byte("name,amount\nJane,100\n"), 0o600)
	good := filepath.Join(dir, "good.csv")
	_ = os.WriteFile(good, []byte("reference,amount,date\nNOPE-1,100,2026-03-02\n=cmd(),5,2026-03-02\n"), 0o600)
	for _, tt := range []struct {
		name string
		args []string
		code int
		in   string // in stdout+stderr
	}{
		{"no file", []string{"reconcile"}, exitUsage, "accepts 1 arg"},
		{"bad date", []string{"reconcile", good, "--from", "March"}, exitUsage, `--from "March"`},
		{"missing columns", []string{"reconcile", bad}, exitRefused, "missing column(s): reference"},
		{"table", []string{"reconcile", good}, exitRefused, "Unpaid orders (1)"},
		{"formula reported", []string{"reconcile", good}, exitRefused, "line 3: reference: \"=cmd()\" looks like a spreadsheet formula"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errw, code := runCLI(t, append(tt.args, "--base-url", f.base)...)
			if code != tt.code || !strings.Contains(out+errw, tt.in) {
				t.Errorf("exit %d (want %d); want %q in\n%s%s", code, tt.code, tt.in, out, errw)
			}
		})
	}
}
