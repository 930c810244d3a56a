package cmd

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/settle"
)

// statementOut is `statement --json` read back.
type statementOut struct {
	WalletID string `json:"wallet_id"`
	Days     []statementDay
	Total    struct {
		Net client.Amount `json:"net_change"`
	}
}

// statementDay is one day of `statement --json`.
type statementDay struct {
	Date       string
	Opening    client.Amount `json:"opening_balance"`
	Closing    client.Amount `json:"closing_balance"`
	Net        client.Amount `json:"net_change"`
	Movement   client.Amount `json:"balance_movement"`
	AddsUp     bool          `json:"adds_up"`
	Categories []struct {
		Category string
		Amount   client.Amount
		IDs      []string `json:"transaction_ids"`
	}
}

// TestStatementByDayAddsUpToTheLedger: over 14 days of seeded history plus
// today's activity (a sale still clearing, a transfer, a refund that
// completes, a payout batch with its charges), every day's categories add
// up to its balance movement, and each day's opening balance, categories
// and net equal, to the cent, what the simulator's own ledger says.
func TestStatementByDayAddsUpToTheLedger(t *testing.T) {
	f := newReconcileFixture(t)
	withKeys(t)
	settleID := f.srv.SettlementWalletID()
	f.todaysActivity(t, settleID)

	from := f.clock.Now().In(eat).AddDate(0, 0, -13).Format(time.DateOnly)
	to := f.clock.Now().In(eat).Format(time.DateOnly)
	out, errw, code := runCLI(t, "statement", "--by-day", "--from", from, "--to", to, "--json", "--base-url", f.base)
	testcheck.Expect(t, "exit", fmt.Sprintf("%d: %s", code, errw), testcheck.C("0", code == 0))
	validate(t, schemas(t)("statement.json"), out)
	var st statementOut
	testcheck.Must(t, "statement JSON", json.Unmarshal([]byte(out), &st))
	testcheck.Expect(t, fmt.Sprintf("wallet %s, %d days", st.WalletID, len(st.Days)), nil,
		testcheck.C("the settlement wallet", st.WalletID == settleID), testcheck.C("14 days", len(st.Days) == 14))
	ledger := f.srv.Ledger(settleID)
	seen := map[string]bool{}
	var net client.Amount
	for _, d := range st.Days {
		checkStatementDay(t, d, ledgerDay(ledger, mustDay(d.Date), f.srv), seen)
		net += d.Net
	}
	testcheck.Check(t, fmt.Sprintf("total net %s, days add to %s", st.Total.Net.Decimal(), net.Decimal()), nil, testcheck.C("equal", net == st.Total.Net))
	for _, l := range ledger {
		inWindow := !l.At.Before(mustDay(from)) && l.At.Before(mustDay(to).AddDate(0, 0, 1))
		testcheck.Check(t, fmt.Sprintf("ledger line %s (%s %s)", l.ID, l.TransType, l.Value.Decimal()), nil, testcheck.C("in a category", !inWindow || seen[l.ID]))
	}
	// Each kind of movement is there to be checked.
	for _, c := range []string{settle.Collections("M-PESA"), settle.Collections("CARD-PAYMENT"), settle.CollectionCharges,
		settle.Refunds, settle.Payouts, settle.PayoutCharges, settle.TransfersOut} {
		testcheck.Check(t, "the window", c, testcheck.C("has "+c, strings.Contains(out, `"category": "`+c+`"`)))
	}
	table, _, code := runCLI(t, "statement", "--by-day", "--from", from, "--to", to, "--base-url", f.base)
	testcheck.Check(t, fmt.Sprintf("table (exit %d)", code), table, testcheck.C("exit 0", code == 0),
		testcheck.C("M-PESA", strings.Contains(table, "M-PESA")), testcheck.C("total", strings.Contains(table, "total")),
		testcheck.C("17 lines", strings.Count(table, "\n") == 17))
}

// checkStatementDay: d's categories add up to its net and balance
// movement, and its opening, closing and each kind of line equal the
// ledger's day want; the ids it names go into seen.
func checkStatementDay(t *testing.T, d statementDay, want dayTruth, seen map[string]bool) {
	t.Helper()
	var sum client.Amount
	got := map[string]client.Amount{}
	for _, c := range d.Categories {
		sum += c.Amount
		got[c.Category] += c.Amount
		for _, id := range c.IDs {
			seen[id] = true
		}
	}
	testcheck.Check(t, fmt.Sprintf("%s: categories %s, net %s, closing−opening %s", d.Date, sum.Decimal(), d.Net.Decimal(), (d.Closing-d.Opening).Decimal()), nil,
		testcheck.C("adds up", d.AddsUp), testcheck.C("categories sum to net", sum == d.Net),
		testcheck.C("net is closing−opening", d.Net == d.Closing-d.Opening), testcheck.C("movement is net", d.Movement == d.Net))
	testcheck.Check(t, fmt.Sprintf("%s: opening %s closing %s; the ledger says %s and %s", d.Date, d.Opening.Decimal(), d.Closing.Decimal(), want.opening.Decimal(), want.closing.Decimal()), nil,
		testcheck.C("opening", d.Opening == want.opening), testcheck.C("closing", d.Closing == want.closing))
	for k, v := range want.byType {
		if g := typeSum(got, k); g != v {
			t.Errorf("%s: %s lines %s; the ledger says %s", d.Date, k, g.Decimal(), v.Decimal())
		}
	}
}

func mustDay(s string) time.Time {
	d, _ := time.ParseInLocation(time.DateOnly, s, eat)
	return d
}

// dayTruth is a day of the simulator's ledger, by arithmetic on the lines'
// values alone: the opening balance is every earlier line summed.
type dayTruth struct {
	opening, closing client.Amount
	byType           map[string]client.Amount // SALE:<provider>, CHARGE, PAYOUT, ADJUSTMENT
}

func ledgerDay(ledger []sim.LedgerLine, day time.Time, srv *sim.Server) dayTruth {
	end := day.AddDate(0, 0, 1)
	d := dayTruth{byType: map[string]client.Amount{}}
	for _, l := range ledger {
		switch {
		case l.At.Before(day):
			d.opening += l.Value
		case l.At.Before(end):
			k := l.TransType
			if k == "SALE" {
				inv, _ := srv.Invoice(l.InvoiceID)
				k += ":" + inv.Provider
			}
			d.byType[k] += l.Value
		}
	}
	d.closing = d.opening
	for _, v := range d.byType {
		d.closing += v
	}
	return d
}

// typeSum is the settlement's categories that hold lines of one ledger type.
func typeSum(got map[string]client.Amount, ledgerType string) client.Amount {
	if ch, ok := strings.CutPrefix(ledgerType, "SALE:"); ok {
		return got[settle.Collections(ch)]
	}
	switch ledgerType {
	case "CHARGE":
		return got[settle.CollectionCharges] + got[settle.PayoutCharges]
	case "PAYOUT":
		return got[settle.Payouts]
	case "ADJUSTMENT":
		return got[settle.Refunds] + got[settle.TransfersIn] + got[settle.TransfersOut]
	}
	return got[settle.Other]
}

// todaysActivity adds what the seeded history may not have in the last
// days: a sale still clearing, a transfer out, a refund that completes and
// a paid payout batch.
func (f *reconcileFixture) todaysActivity(t *testing.T, settleID string) {
	t.Helper()
	ctx := t.Context()
	stk, err := f.cl.STKPush(ctx, client.STKPushRequest{Phone: "254708374149", Amount: client.MustAmount("1234.50"), APIRef: "TODAY-1"})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Minute)
	ws, err := f.cl.AllWallets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if w.ID != settleID && w.Type == client.WalletWorking {
			if _, err := f.cl.IntraTransfer(ctx, settleID, client.IntraTransferRequest{ToWalletID: w.ID, Amount: client.Units(5000), Narrative: "Float for the week"}); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if _, err := f.cl.CreateRefund(ctx, client.RefundRequest{InvoiceID: stk.Invoice.ID, Amount: client.Units(200), Reason: client.ReasonOther}); err != nil {
		t.Fatal(err)
	}
	b, err := f.cl.InitiatePayout(ctx, client.InitiateRequest{Provider: client.MPesaB2C, Transactions: []client.PayoutItem{
		{Name: "Jane", Account: "254708374149", Amount: client.Units(300)}}})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if b, err = f.cl.PayoutStatus(ctx, b.TrackingID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cl.ApproveOnce(ctx, b); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(3 * time.Hour) // the batch pays, the refund completes
	f.srv.Advance()
}
