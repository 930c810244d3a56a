package payout_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/payout"
)

var t0 = time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC)

func sampleDraft() *payout.Draft {
	d := payout.NewDraft(payout.B2C, t0)
	d.WalletID = "W1"
	d.Rows = []payout.Row{
		{Name: "Jane Doe", Account: "0712 345 678", AmountText: "1,500", Narrative: "Salary"},
		{Name: "John", Account: "254722000111", Amount: client.Units(200), Narrative: "Salary"},
		{Name: "Mary", Account: "+254733000111", AmountText: "10.50"},
	}
	return d
}

func TestDraftTotalsAndRequest(t *testing.T) {
	d := sampleDraft()
	n, sum := d.Totals()
	if n != 3 || sum != client.MustAmount("1710.50") {
		t.Errorf("totals %d %s", n, sum.Decimal())
	}
	req := d.Request()
	if req.Provider != "MPESA-B2C" || req.Currency != "KES" || req.SkipApproval || req.WalletID != "W1" ||
		req.BatchReference != "malipo-"+d.ID || len(req.Transactions) != 3 {
		t.Fatalf("request %+v", req)
	}
	if tx := req.Transactions[0]; tx.Account != "254712345678" || tx.Amount != client.Units(1500) || tx.Name != "Jane Doe" {
		t.Errorf("first item %+v", tx)
	}
	if len(d.ID) != 12 {
		t.Errorf("draft id %q", d.ID)
	}
}

func TestDraftProblems(t *testing.T) {
	d := sampleDraft()
	if ps := d.Problems(nil); payout.Errors(ps) != 0 {
		t.Fatalf("sample draft has errors: %v", ps)
	}
	d.Rows = append(d.Rows, payout.Row{Name: "Bad", Account: "0712", AmountText: "100"}, d.Rows[0])
	d.Currency = "USD"
	ps := d.Problems(nil)
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	want := []string{
		"currency: MPESA-B2C pays out in KES only, not USD",
		`row 4: account: "0712" is too short`,
		"row 5: warning: account: same account and amount as another row (254712345678, 1500.00)",
	}
	for i, w := range want {
		if i >= len(got) || !strings.HasPrefix(got[i], w) {
			t.Fatalf("problems\n%s\nwant prefixes\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if ps[1].Row != 3 || ps[2].Row != 4 {
		t.Errorf("row indexes %d %d", ps[1].Row, ps[2].Row)
	}
	empty := payout.NewDraft(payout.Airtime, t0)
	if ps := empty.Problems(nil); len(ps) != 1 || ps[0].Row != -1 {
		t.Errorf("empty draft: %v", ps)
	}
	big := payout.NewDraft(payout.P2P, t0)
	big.Rows = make([]payout.Row, payout.MaxRows+1)
	for i := range big.Rows {
		big.Rows[i] = payout.Row{Name: "A", Account: "1", Amount: client.Units(int64(i + 1))}
	}
	if ps := big.Problems(nil); len(ps) != 1 || !strings.Contains(ps[0].Reason, "5,001 rows") {
		t.Errorf("5,001-row draft: %v", ps)
	}
}

// TestFingerprint: the duplicate guard's key ignores order, names,
// narratives and how a phone or amount was written, and changes with
// anything that changes who is paid what, from where.
func TestFingerprint(t *testing.T) {
	base := sampleDraft()
	fp := base.Fingerprint()
	same := []func(d *payout.Draft){
		func(d *payout.Draft) { slices.Reverse(d.Rows) },
		func(d *payout.Draft) { d.Rows[0].Name, d.Rows[0].Narrative = "J. Doe", "Other text" },
		func(d *payout.Draft) { d.Rows[0].Account = "+254712345678" },
		func(d *payout.Draft) { d.Rows[0].AmountText = "1500.00" },
		func(d *payout.Draft) { d.ID = "other"; d.UpdatedAt = t0.Add(time.Hour) },
	}
	for i, f := range same {
		d := base.Clone()
		f(d)
		if d.Fingerprint() != fp {
			t.Errorf("change %d altered the fingerprint", i)
		}
	}
	differ := []func(d *payout.Draft){
		func(d *payout.Draft) { d.Rows[0].AmountText = "1500.01" },
		func(d *payout.Draft) { d.Rows[0].Account = "0712345679" },
		func(d *payout.Draft) { d.WalletID = "W2" },
		func(d *payout.Draft) { d.Rail = payout.Airtime },
		func(d *payout.Draft) { d.Rows = d.Rows[:2] },
		func(d *payout.Draft) { d.Rows = append(d.Rows, d.Rows[0]) },
		func(d *payout.Draft) { d.Rows[0].AccountReference = "X" },
		func(d *payout.Draft) { d.Currency = "USD" },
	}
	for i, f := range differ {
		d := base.Clone()
		f(d)
		if d.Fingerprint() == fp {
			t.Errorf("change %d kept the fingerprint", i)
		}
	}
	if base.Fingerprint() != fp {
		t.Error("Clone shares rows with the original")
	}
}

func TestResultsCSVAndFailedRows(t *testing.T) {
	b := &client.Batch{Transactions: []client.PayoutResult{
		{Name: "Jane", Account: "254712345678", Amount: client.Units(100), Charge: client.Units(10), Status: "Successful",
			StatusCode: "TS100", ProviderReference: "TJRHC8IET4", Narrative: "Salary"},
		{Name: "=HYPERLINK(\"http://x\")", Account: "254700000002", Amount: client.Units(50), Status: "Unsuccessful",
			StatusCode: "TF106", StatusDescription: "-cmd|' /C calc'!A0", Narrative: "@SUM(1)"},
		{Name: "Shop", Account: "521234", AccountType: "TillNumber", Amount: client.Units(70), StatusCode: "TC108"},
	}}
	// Rows that may yet pay, or may have paid, are never offered again.
	for _, code := range []string{"TF104", "TF105", "TH107", "TR109", "TP102"} {
		b.Transactions = append(b.Transactions, client.PayoutResult{Account: "2547" + code, Amount: client.Units(5), StatusCode: code})
	}
	var buf bytes.Buffer
	testcheck.Must(t, "write results", payout.WriteResultsCSV(&buf, b))
	recs, err := csv.NewReader(&buf).ReadAll()
	testcheck.Must(t, "read results", err)
	testcheck.Expect(t, "records", recs, testcheck.C("9 records", len(recs) == 9), testcheck.C("header", slices.Equal(recs[0], payout.ResultsHeader)))
	r := recs[1]
	testcheck.Check(t, "row 1", r, testcheck.C("Jane", r[0] == "Jane"), testcheck.C("amount", r[2] == "100.00"),
		testcheck.C("charge", r[3] == "10.00"), testcheck.C("TS100", r[5] == "TS100"), testcheck.C("reference", r[6] == "TJRHC8IET4"))
	for _, cell := range recs[2] {
		testcheck.Check(t, "cell", cell, testcheck.C("not a formula", cell == "" || !strings.ContainsAny(cell[:1], "=+-@")))
	}
	testcheck.Check(t, "formula cell", recs[2][0], testcheck.C("quoted", recs[2][0] == `'=HYPERLINK("http://x")`))
	failed := payout.FailedRows(b)
	testcheck.Expect(t, "failed rows", failed, testcheck.C("two", len(failed) == 2))
	testcheck.Check(t, "failed rows", failed, testcheck.C("first account", failed[0].Account == "254700000002"),
		testcheck.C("first amount", failed[0].AmountText == "50.00"), testcheck.C("second a till", failed[1].AccountType == "TillNumber"))
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{"": "", "Jane": "Jane", "-5.00": "-5.00", "+254712345678": "+254712345678",
		"=1+1": "'=1+1", "@x": "'@x", "+x": "'+x", "-": "'-", "\tx": "'\tx"} {
		if got := payout.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}
