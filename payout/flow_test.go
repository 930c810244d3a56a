package payout_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/payout"
)

// TestApprovalFor: the request the journal checks, from the policy and the
// batch as IntaSend shows it.
func TestApprovalFor(t *testing.T) {
	j := openJournal(t, t.TempDir())
	b := &client.Batch{TrackingID: "T1", ChargeEstimate: client.Units(20), Wallet: &client.Wallet{Currency: "KES"},
		Transactions: []client.PayoutResult{{Provider: "MPESA-B2C", Account: "254708374149", Amount: client.Units(600)},
			{Provider: "MPESA-B2C", Account: "254722000111", Amount: client.Units(400)}}}
	lim := payout.Limits{Approve: client.Units(5000)}
	tests := []struct {
		name string
		p    *payout.Policy
		need int
		lim  payout.Limits
	}{
		{"no policy", nil, 1, payout.Limits{}},
		// 1,000 + charges 20 is above 1,000: the rule counts charges.
		{"rule on the total with charges", &payout.Policy{Rules: []payout.Rule{{Above: client.Units(1000), Approvers: 2}}}, 2, payout.Limits{}},
		{"new payees need one more", &payout.Policy{NewPayee: payout.NewPayeeExtra, Limits: map[string]payout.Limits{"": lim}}, 2, lim},
		{"other rail's rule", &payout.Policy{Rules: []payout.Rule{{Above: 0, Approvers: 3, Rail: payout.PesaLink}}}, 1, payout.Limits{}},
	}
	for _, tt := range tests {
		req := tt.p.ApprovalFor(j, b, "")
		if req.Need != tt.need || req.Total != client.Units(1000) || req.Currency != "KES" || req.Limits != tt.lim ||
			req.TrackingID != "T1" || len(req.Payees) != 2 {
			t.Errorf("%s: %+v", tt.name, req)
		}
	}
}

// TestRequestTakesTheFrontEndsRail: the console asks the policy with its
// draft's rail, currency and new payees (a batch being initiated has no
// rows to say them), and gets the same answer ApprovalFor would from rows.
func TestRequestTakesTheFrontEndsRail(t *testing.T) {
	p := &payout.Policy{Rules: []payout.Rule{{Above: client.Units(100), Approvers: 2, Rail: payout.PesaLink}},
		NewPayee: payout.NewPayeeExtra, ExpireAfter: time.Hour}
	placeholder := &client.Batch{TotalAmount: client.Units(500)}
	tests := []struct {
		name      string
		rail      payout.Rail
		newPayees int
		need      int
	}{
		{"rule's rail", payout.PesaLink, 0, 2},
		{"other rail", payout.B2C, 0, 1},
		{"other rail, a new payee", payout.B2C, 1, 2},
	}
	for _, tt := range tests {
		req := p.Request(placeholder, tt.rail, "USD", "ann", []string{"k"}, tt.newPayees)
		if req.Need != tt.need || req.Total != client.Units(500) || req.Currency != "USD" || req.ExpireAfter != time.Hour || len(req.Payees) != 1 {
			t.Errorf("%s: %+v", tt.name, req)
		}
	}
	if rows := (*payout.Policy)(nil).NewPayeeRows(openJournal(t, t.TempDir()), []string{"k"}); rows != nil {
		t.Errorf("no policy counted new payees: %v", rows)
	}
}

// TestRecordApproveOutcome writes what is known and nothing when the
// outcome is in doubt.
func TestRecordApproveOutcome(t *testing.T) {
	tests := []struct {
		name string
		out  *client.Batch
		err  error
		want string
	}{
		{"approved", &client.Batch{StatusCode: "BP104"}, nil, payout.StatusApproved},
		{"ended unapproved", &client.Batch{StatusCode: "BE111", Status: "Cancelled"}, client.ErrNotApproved, payout.StatusApproveFailed},
		{"still waiting", nil, client.ErrStillWaiting, payout.StatusApproveFailed},
		{"refused", nil, &client.APIError{Status: 400, Detail: "bad nonce"}, payout.StatusApproveFailed},
		{"throttled: unknown", nil, &client.APIError{Status: 429}, payout.StatusApproving},
		{"lost answer: unknown", nil, &client.TransportError{Sent: true, Err: errors.New("EOF")}, payout.StatusApproving},
	}
	for _, tt := range tests {
		j := openJournal(t, t.TempDir())
		initiatedBatch(t, j, "T", client.Units(10))
		must(t, j.RecordApproving("T"))
		must(t, payout.RecordApproveOutcome(j, "T", tt.out, tt.err))
		if e, _ := j.Entry("T"); e.Status != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, e.Status, tt.want)
		}
	}
	if err := payout.RecordApproveOutcome(nil, "T", nil, nil); err != nil {
		t.Errorf("no journal: %v", err)
	}
}

// TestInitiateApproveTwoApprovers: Initiate records the batch; under a
// policy of two approvers the first Approve is a step that sends nothing,
// the second sends one approval, and a third person is refused.
func TestInitiateApproveTwoApprovers(t *testing.T) {
	clock := sim.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	s := sim.New(sim.Options{Seed: true, Rand: 7, Clock: clock, FailureRate: -1})
	ts := httptest.NewServer(s)
	defer ts.Close()
	c, err := client.New(testPub, testSecret, client.WithBaseURL(ts.URL))
	testcheck.Must(t, "client", err)
	j := openJournal(t, t.TempDir())
	j.SetClock(clock.Now)
	d := payout.NewDraft(payout.B2C, clock.Now())
	d.Rows = []payout.Row{{Name: "Jane", Account: "254708374149", Amount: client.Units(100)}}
	res := payout.Initiate(t.Context(), j.As("maker"), c, d, "")
	testcheck.Expect(t, "initiate", res, testcheck.C("no error", res.Err == nil), testcheck.C("no journal error", res.JournalErr == nil),
		testcheck.C("no record error", res.RecordErr == nil))
	tid := res.Batch.TrackingID
	e, ok := j.Entry(tid)
	testcheck.Expect(t, "journal after initiate", e, testcheck.C("found", ok), testcheck.C("initiated", e.Status == payout.StatusInitiated))
	clock.Advance(time.Minute)
	b, err := c.PayoutStatus(t.Context(), tid)
	testcheck.Must(t, "status", err)
	p := &payout.Policy{Rules: []payout.Rule{{Above: 0, Approvers: 2}}}
	first := payout.Approve(t.Context(), j.As("wanjiru"), c, b, p.ApprovalFor(j, b, "wanjiru"))
	testcheck.Expect(t, "first approval", first, testcheck.C("not sent", !first.Sent()), testcheck.C("a step", first.Step != nil))
	testcheck.Expect(t, "first approval step", *first.Step, testcheck.C("count 1", first.Step.Count == 1), testcheck.C("need 2", first.Step.Need == 2))
	n := s.Counters().Approved[tid]
	testcheck.Expect(t, "approvals sent after the first of two", n, testcheck.C("none", n == 0))
	second := payout.Approve(t.Context(), j.As("baraka"), c, b, p.ApprovalFor(j, b, "baraka"))
	testcheck.Expect(t, "second approval", second, testcheck.C("sent", second.Sent()), testcheck.C("no error", second.Err == nil),
		testcheck.C("no record error", second.RecordErr == nil))
	third := payout.Approve(t.Context(), j.As("otieno"), c, b, p.ApprovalFor(j, b, "otieno"))
	testcheck.Expect(t, "third approval", third, testcheck.C("refused", third.Refusal != nil), testcheck.C("not sent", !third.Sent()))
	n = s.Counters().Approved[tid]
	testcheck.Check(t, "times approved", n, testcheck.C("once", n == 1))
	e, _ = j.Entry(tid)
	testcheck.Check(t, "journal", e, testcheck.C("approved", e.Status == payout.StatusApproved), testcheck.C("two approvals", len(e.Approvals) == 2))
}

// TestRowErrors: IntaSend's per-row refusals, read once for the console
// and the CLI; entries that name no row and errors that are not IntaSend's
// give none.
func TestRowErrors(t *testing.T) {
	api := func(attrs ...string) error {
		ae := &client.APIError{Status: 400}
		for _, a := range attrs {
			ae.Errors = append(ae.Errors, client.ErrorDetail{Attr: a, Detail: "bad " + a})
		}
		return fmt.Errorf("initiate: %w", ae)
	}
	tests := []struct {
		name string
		err  error
		want []payout.RowError
	}{
		{"not IntaSend's", errors.New("connection reset"), nil},
		{"no list", api(), nil},
		{"row and field", api("transactions.3.account"),
			[]payout.RowError{{Row: 3, Field: "account", Detail: "bad transactions.3.account"}}},
		{"row alone", api("transactions.0"), []payout.RowError{{Row: 0, Detail: "bad transactions.0"}}},
		{"not a row, then a row", api("wallet_id", "transactions.12.amount"),
			[]payout.RowError{{Row: 12, Field: "amount", Detail: "bad transactions.12.amount"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := payout.RowErrors(tt.err); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("RowErrors = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestRepeats: rows that pay an account the same amount again, in the
// order each first repeats, with how often; another bank or amount is
// another payment.
func TestRepeats(t *testing.T) {
	row := func(acct, bank string, units int64) client.PayoutResult {
		return client.PayoutResult{Account: acct, BankCode: bank, Amount: client.Units(units)}
	}
	tests := []struct {
		name  string
		txs   []client.PayoutResult
		extra int
		want  []payout.Repeat
	}{
		{"none", []client.PayoutResult{row("A", "", 10), row("A", "", 20), row("A", "2", 10)}, 0, nil},
		{"a file twice", []client.PayoutResult{row("A", "", 10), row("B", "", 5), row("A", "", 10), row("B", "", 5)}, 2,
			[]payout.Repeat{{Account: "A", Amount: client.Units(10), Count: 2}, {Account: "B", Amount: client.Units(5), Count: 2}}},
		{"three times, order of first repeat", []client.PayoutResult{row("A", "", 10), row("B", "1", 5), row("B", "1", 5), row("A", "", 10), row("B", "1", 5)}, 3,
			[]payout.Repeat{{Account: "B", BankCode: "1", Amount: client.Units(5), Count: 3}, {Account: "A", Amount: client.Units(10), Count: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra, reps := payout.Repeats(tt.txs)
			if extra != tt.extra || !reflect.DeepEqual(reps, tt.want) {
				t.Fatalf("Repeats = %d %+v, want %d %+v", extra, reps, tt.extra, tt.want)
			}
		})
	}
}
