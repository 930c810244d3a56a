package reconcile_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/reconcile"
)

var day0 = time.Date(2026, 3, 10, 0, 0, 0, 0, eat)

func order(line int, ref, amount string, d int, phone string) reconcile.Order {
	return reconcile.Order{Line: line, Reference: ref, Amount: client.MustAmount(amount),
		Date: reconcile.Day{Time: day0.AddDate(0, 0, d)}, Phone: phone}
}

func pay(id, ref, amount string, at time.Duration, account string) reconcile.Payment {
	return reconcile.Payment{InvoiceID: id, APIRef: ref, Amount: client.MustAmount(amount), Currency: "KES",
		State: "COMPLETE", Account: account, At: day0.Add(at)}
}

// summary is the result in one line per list, for table-driven checks.
func summary(r *reconcile.Result) []string {
	var out []string
	for _, m := range r.Matched {
		out = append(out, "matched "+m.Reference+" "+m.Payment.InvoiceID)
	}
	for _, m := range r.AmountMismatch {
		out = append(out, "mismatch "+m.Reference+" "+m.Difference.Decimal())
	}
	for _, u := range r.PaidWithoutOrder {
		s := "no order " + u.Payment.InvoiceID
		for _, o := range u.PossibleOrders {
			s += " ~" + o.Reference
		}
		out = append(out, s)
	}
	for _, u := range r.UnpaidOrders {
		s := "unpaid " + u.Order.Reference
		for _, a := range u.Attempts {
			s += " " + a.State
		}
		for _, p := range u.PossibleMatches {
			s += " ~" + p.InvoiceID
		}
		out = append(out, s)
	}
	for _, d := range r.Duplicates {
		out = append(out, fmt.Sprintf("dup %s %s %d/%d extra %s", d.Reference, d.Kind, len(d.Orders), len(d.Payments), d.Extra.Decimal()))
	}
	for _, f := range r.Refunded {
		out = append(out, fmt.Sprintf("refunded %s %s pending %s whole %v", f.Reference, f.Refunded.Decimal(), f.Pending.Decimal(), f.Whole))
	}
	return out
}

func TestMatch(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name     string
		orders   []reconcile.Order
		col      reconcile.Collections
		want     []string
		clean    bool
		possible int
	}{
		{"paid exactly", []reconcile.Order{order(2, "A", "100", 0, "")},
			reconcile.Collections{Payments: []reconcile.Payment{pay("I1", "A", "100", h, "")}},
			[]string{"matched A I1"}, true, 0},
		{"paid less, paid in dollars", []reconcile.Order{order(2, "A", "100", 0, ""), order(3, "B", "5", 0, "")},
			reconcile.Collections{Payments: []reconcile.Payment{pay("I1", "A", "99.99", h, ""),
				{InvoiceID: "I2", APIRef: "B", Amount: client.Units(5), Currency: "USD", At: day0}}},
			[]string{"mismatch A -0.01", "mismatch B 0.00"}, false, 0},
		{"paid twice picks the right amount", []reconcile.Order{order(2, "A", "100", 0, "")},
			reconcile.Collections{Payments: []reconcile.Payment{pay("I1", "A", "90", h, ""), pay("I2", "A", "100", 2*h, "")}},
			[]string{"matched A I2", "dup A payments 1/2 extra 100.00"}, false, 0},
		{"ledger row twice", []reconcile.Order{order(2, "A", "100", 0, ""), order(3, "A", "100", 0, "")},
			reconcile.Collections{Payments: []reconcile.Payment{pay("I1", "A", "100", h, "")}},
			[]string{"matched A I1", "dup A ledger_rows 2/0 extra 0.00"}, false, 0},
		{"unpaid with attempts, possible match by phone within a day", []reconcile.Order{order(2, "A", "100", 0, "254712345678")},
			reconcile.Collections{Payments: []reconcile.Payment{pay("I9", "", "100", 30*h, "0712345678"), pay("I8", "", "100", 50*h, "254712345678")},
				Attempts: map[string][]reconcile.Attempt{"A": {{InvoiceID: "F1", State: "FAILED"}}}},
			[]string{"no order I9 ~A", "no order I8", "unpaid A FAILED ~I9"}, false, 1},
		{"out of the window", []reconcile.Order{order(2, "OLD", "100", -5, ""), order(3, "A", "1", 0, "")},
			reconcile.Collections{From: day0, To: day0.AddDate(0, 0, 1),
				Payments: []reconcile.Payment{pay("I1", "A", "1", h, ""), pay("I2", "", "7", -2*h, ""), pay("I3", "OLD", "100", -5*24*h, "")}},
			[]string{"matched A I1"}, true, 0},
		{"refunds", []reconcile.Order{order(2, "A", "100", 0, ""), order(3, "B", "100", 0, "")},
			reconcile.Collections{Payments: []reconcile.Payment{pay("I1", "A", "100", h, ""), pay("I2", "B", "100", h, "")},
				Refunds: []reconcile.Refund{{InvoiceID: "I1", Amount: client.Units(100), Status: "COMPLETED"},
					{InvoiceID: "I2", Amount: client.Units(30), Status: "COMPLETED"}, {InvoiceID: "I2", Amount: client.Units(20), Status: "PENDING"},
					{InvoiceID: "I2", Amount: client.Units(50), Status: "DISPUTED"}}},
			[]string{"matched A I1", "matched B I2", "refunded A 100.00 pending 0.00 whole true", "refunded B 30.00 pending 20.00 whole false"}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reconcile.Match(tt.orders, &tt.col)
			if got := summary(r); !slices.Equal(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
			if r.Clean() != tt.clean || r.Summary.Counts.PossibleMatches != tt.possible {
				t.Errorf("clean %v possible %d, want %v %d", r.Clean(), r.Summary.Counts.PossibleMatches, tt.clean, tt.possible)
			}
		})
	}
}

// TestMatchSums: the summary's money adds up exactly.
func TestMatchSums(t *testing.T) {
	r := reconcile.Match([]reconcile.Order{order(2, "A", "100.10", 0, ""), order(3, "B", "0.20", 0, ""), order(4, "C", "5", 0, "")},
		&reconcile.Collections{Payments: []reconcile.Payment{pay("I1", "A", "100.10", 0, ""), pay("I2", "B", "0.25", 0, ""), pay("I3", "", "7.01", 0, "")}})
	s := r.Summary.Sums
	got := []string{s.Orders.Decimal(), s.Payments.Decimal(), s.Matched.Decimal(), s.MismatchOrdered.Decimal(),
		s.MismatchPaid.Decimal(), s.PaidWithoutOrder.Decimal(), s.UnpaidOrders.Decimal()}
	want := []string{"105.30", "107.36", "100.10", "0.20", "0.25", "7.01", "5.00"}
	if !slices.Equal(got, want) {
		t.Errorf("sums %v, want %v", got, want)
	}
}
