package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
)

// payCheck is the batch and its rows expected a cumulative time after
// approval.
type payCheck struct {
	after time.Duration
	batch string
	txs   string // the rows' status codes, space-separated
}

// Each magic payout account's scenario, stepped on the manual clock from
// approval: the codes at checkpoints, then where the money ended up.
// Rows: KES 100 to the sandbox number, 200 to the magic account, 300 to a
// plain number; each costs KES 10 on MPESA-B2C.
func TestPayoutScenarios(t *testing.T) {
	step := DefaultTiming.BatchStep
	settled := 7 * time.Second // past BP110 and every row's settlement time
	tests := []struct {
		name, account string
		checks        []payCheck
		paid, failed  string        // the batch's paid_amount and failed_amount
		held          client.Amount // still held on the wallet at the end
		statusText    string        // the magic row's status text at the first check
	}{
		{name: "TF104 results processing", account: "254700000104", statusText: "Processing results",
			checks: []payCheck{{settled, "BP110", "TS100 TF104 TS100"}, {settled + resultsDelay, "BC100", "TS100 TS100 TS100"}},
			paid:   "600.00", failed: "0.00"},
		{name: "TF105 status undetermined", account: "254700000105", statusText: "Status undetermined",
			checks: []payCheck{{settled, "BC100", "TS100 TF105 TS100"}, {24 * time.Hour, "BC100", "TS100 TF105 TS100"}},
			paid:   "400.00", failed: "0.00", held: client.Units(210)},
		{name: "TH107 under observation", account: "254700000107", statusText: "Under observation",
			checks: []payCheck{{settled, "BP110", "TS100 TH107 TS100"}, {29 * time.Minute, "BP110", "TS100 TH107 TS100"},
				{settled + observationDelay, "BC100", "TS100 TS100 TS100"}},
			paid: "600.00", failed: "0.00"},
		{name: "TR109 queued for retry", account: "254700000109", statusText: "Queued for retry",
			checks: []payCheck{{settled, "BP110", "TS100 TR109 TS100"}, {settled + step, "BP110", "TS100 TP102 TS100"},
				{settled + 2*step, "BC100", "TS100 TS100 TS100"}},
			paid: "600.00", failed: "0.00"},
		{name: "BE111 ended early", account: "254700000211", statusText: "Cancelled",
			checks: []payCheck{{settled, "BE111", "TS100 TC108 TC108"}, {time.Hour, "BE111", "TS100 TC108 TC108"}},
			paid:   "100.00", failed: "500.00"},
		{name: "BF107 advance float check issue", account: "254700000207", statusText: "Unsuccessful",
			checks: []payCheck{{step, "BF107", "TF103 TF103 TF103"}, {time.Hour, "BF107", "TF103 TF103 TF103"}},
			paid:   "0.00", failed: "0.00"},
		{name: "BF102 batch failed", account: "254700000202", statusText: "Pending",
			checks: []payCheck{{step, "BP106", "TP101 TP101 TP101"}, {2 * step, "BF102", "TF103 TF103 TF103"}, {time.Hour, "BF102", "TF103 TF103 TF103"}},
			paid:   "0.00", failed: "0.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			float := client.Units(10_000)
			e := newPayEnv(t, Options{}, float) // no random failures: the plain row succeeds
			w := e.settlement().ID
			_, raw := e.batchOK("send-money/initiate/", b2c(`{"account":"254708374149","amount":"100"},`+
				`{"account":"`+tt.account+`","amount":"200"},{"account":"254712345678","amount":"300"}`))
			appr, _ := e.batchOK("send-money/approve/", string(raw))
			var elapsed time.Duration
			for i, c := range tt.checks {
				e.clock.Advance(c.after - elapsed)
				elapsed = c.after
				st := e.status(appr.TrackingID)
				var codes []string
				for _, tx := range st.Transactions {
					codes = append(codes, tx.StatusCode)
				}
				if st.StatusCode != c.batch || strings.Join(codes, " ") != c.txs {
					t.Fatalf("after %s: %s [%s], want %s [%s]", c.after, st.StatusCode, strings.Join(codes, " "), c.batch, c.txs)
				}
				if st.Status != batchStatusText[c.batch] || st.Status == "" {
					t.Fatalf("after %s: batch status text %q", c.after, st.Status)
				}
				if i == 0 && st.Transactions[1].Status != tt.statusText {
					t.Fatalf("magic row's status %q, want %q", st.Transactions[1].Status, tt.statusText)
				}
			}
			st := e.status(appr.TrackingID)
			if st.PaidAmount.Decimal() != tt.paid || st.FailedAmount.Decimal() != tt.failed {
				t.Fatalf("paid %s failed %s, want %s and %s", st.PaidAmount, st.FailedAmount, tt.paid, tt.failed)
			}
			paid := client.MustAmount(tt.paid)
			charges := st.ActualCharges
			cur, avail := e.balances(w)
			if cur != float-paid-charges || avail != float-paid-charges-tt.held {
				t.Fatalf("wallet current %s available %s; want %s and %s (%s held)", cur, avail,
					float-paid-charges, float-paid-charges-tt.held, tt.held)
			}
		})
	}
}

// A batch with 254700000201 is read (BP101, approvable, nonce shown) for
// one BatchStep before it waits at BP103; approving it during BP101 runs it
// at once and the reading's end changes nothing.
func TestPayoutScenarioBP101(t *testing.T) {
	step := DefaultTiming.BatchStep
	tests := []struct {
		name      string
		approveAt time.Duration
		want      []payCheck // batch codes, a cumulative time after initiate
	}{
		{name: "approved after reading", approveAt: step, want: []payCheck{{step, "BP104", ""}, {step + step, "BP106", ""}, {step + 7*time.Second, "BC100", ""}}},
		{name: "approved while reading", approveAt: 0, want: []payCheck{{0, "BP104", ""}, {step, "BP106", ""}, {7 * time.Second, "BC100", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newPayEnv(t, Options{}, client.Units(10_000))
			init, raw := e.batchOK("send-money/initiate/", b2c(`{"account":"254700000201","amount":"100"}`))
			if init.StatusCode != "BP101" || init.Status != "Preview and approve" || init.Nonce == "" {
				t.Fatalf("initiate: %s %q nonce %q", init.StatusCode, init.Status, init.Nonce)
			}
			if tt.approveAt > 0 {
				e.clock.Advance(tt.approveAt)
				if st := e.status(init.TrackingID); st.StatusCode != "BP103" || st.Nonce != init.Nonce {
					t.Fatalf("after reading: %s nonce %q", st.StatusCode, st.Nonce)
				}
			}
			e.batchOK("send-money/approve/", string(raw))
			elapsed := tt.approveAt
			for _, c := range tt.want {
				e.clock.Advance(c.after - elapsed)
				elapsed = c.after
				if st := e.status(init.TrackingID); st.StatusCode != c.batch {
					t.Fatalf("after %s: %s, want %s", c.after, st.StatusCode, c.batch)
				}
			}
			if info, _ := e.s.Batch(init.TrackingID); info.Approvals != 1 || fmt.Sprint(info.TxStatusCodes) != "[TS100]" {
				t.Fatalf("batch %+v", info)
			}
		})
	}
}
