package reconcile

import (
	"time"

	"github.com/malipo/malipo/client"
)

// Summary counts each list and sums its money (JSON: decimal strings).
type Summary struct {
	From         string `json:"from"` // YYYY-MM-DD, inclusive
	To           string `json:"to"`   // YYYY-MM-DD, inclusive
	LedgerRows   int    `json:"ledger_rows"`
	RejectedRows int    `json:"rejected_rows"`
	Orders       int    `json:"orders"`   // ledger rows in the window
	Payments     int    `json:"payments"` // COMPLETE payments in the window
	// AttemptsNotLookedUp counts payers of unpaid orders not asked about.
	AttemptsNotLookedUp int    `json:"attempts_not_looked_up"`
	Counts              Counts `json:"counts"`
	Sums                Sums   `json:"sums"`
}

// Counts are the lengths of the result's lists.
type Counts struct {
	Matched          int `json:"matched"`
	AmountMismatch   int `json:"amount_mismatch"`
	PaidWithoutOrder int `json:"paid_without_order"`
	UnpaidOrders     int `json:"unpaid_orders"`
	Duplicates       int `json:"duplicates"`
	Refunded         int `json:"refunded"`
	PossibleMatches  int `json:"possible_matches"`
}

// Sums are the money behind each list.
type Sums struct {
	Orders           client.Amount `json:"orders"`
	Payments         client.Amount `json:"payments"`
	Matched          client.Amount `json:"matched"`
	MismatchOrdered  client.Amount `json:"amount_mismatch_ordered"`
	MismatchPaid     client.Amount `json:"amount_mismatch_paid"`
	PaidWithoutOrder client.Amount `json:"paid_without_order"`
	UnpaidOrders     client.Amount `json:"unpaid_orders"`
	DuplicateExtra   client.Amount `json:"duplicates_extra"`
	Refunded         client.Amount `json:"refunded"`
	RefundPending    client.Amount `json:"refund_pending"`
}

// Clean reports whether nothing needs a person's attention: every order
// in the window paid its amount once, and every payment has its order.
func (r *Result) Clean() bool {
	c := r.Summary.Counts
	return c.AmountMismatch+c.PaidWithoutOrder+c.UnpaidOrders+c.Duplicates+r.Summary.RejectedRows == 0
}

func summarise(r Result, orders []Order, col *Collections, m *matcher) Summary {
	s := Summary{Counts: Counts{Matched: len(r.Matched), AmountMismatch: len(r.AmountMismatch),
		PaidWithoutOrder: len(r.PaidWithoutOrder), UnpaidOrders: len(r.UnpaidOrders),
		Duplicates: len(r.Duplicates), Refunded: len(r.Refunded)}, AttemptsNotLookedUp: col.AttemptsSkipped}
	if !col.From.IsZero() {
		s.From = col.From.Format(time.DateOnly)
	}
	if !col.To.IsZero() {
		s.To = col.To.Add(-time.Nanosecond).Format(time.DateOnly)
	}
	for i := range orders {
		if m.orderIn(i) {
			s.Orders++
			s.Sums.Orders += orders[i].Amount
		}
	}
	for i := range col.Payments {
		if m.payIn(i) {
			s.Payments++
			s.Sums.Payments += col.Payments[i].Amount
		}
	}
	for _, p := range r.Matched {
		s.Sums.Matched += p.Payment.Amount
	}
	for _, p := range r.AmountMismatch {
		s.Sums.MismatchOrdered += p.Order.Amount
		s.Sums.MismatchPaid += p.Payment.Amount
	}
	for _, u := range r.PaidWithoutOrder {
		s.Sums.PaidWithoutOrder += u.Payment.Amount
		s.Counts.PossibleMatches += len(u.PossibleOrders)
	}
	for _, u := range r.UnpaidOrders {
		s.Sums.UnpaidOrders += u.Order.Amount
	}
	for _, d := range r.Duplicates {
		s.Sums.DuplicateExtra += d.Extra
	}
	for _, f := range r.Refunded {
		s.Sums.Refunded += f.Refunded
		s.Sums.RefundPending += f.Pending
	}
	return s
}
