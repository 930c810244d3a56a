package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/malipo/malipo/client"
)

// Window is the period compared, whole days in the merchant's zone.
type Window struct{ From, To time.Time } // To exclusive

// LedgerWindow is the days the ledger's orders span: the default window.
func LedgerWindow(orders []Order) Window {
	var w Window
	for _, o := range orders {
		if w.From.IsZero() || o.Date.Before(w.From) {
			w.From = o.Date.Time
		}
		if end := o.Date.AddDate(0, 0, 1); end.After(w.To) {
			w.To = end
		}
	}
	return w
}

// grace is how far around the window payments are read, so an order of
// the 31st paid on the 1st still matches; such a payment is reported only
// through its order.
const grace = 24 * time.Hour

// maxFeedPages bounds how far Fetch follows IntaSend's pagination.
const maxFeedPages = 5000

// MaxAttemptLookups bounds how many payers Fetch asks about attempts.
const MaxAttemptLookups = 200

// Fetch reads IntaSend's side for window w: every SALE line (a COMPLETE
// payment) from a day before to a day after it, every refund, and, for the
// orders no payment names, the failed and pending invoices of their payers
// with their reference (IntaSend lists failed invoices only per customer,
// so orders without a phone or email get none; at most MaxAttemptLookups
// payers are asked).
func Fetch(ctx context.Context, cl *client.Client, orders []Order, w Window) (*Collections, error) {
	col := &Collections{From: w.From, To: w.To, Attempts: map[string][]Attempt{}}
	if err := fetchSales(ctx, cl, w, col); err != nil {
		return nil, err
	}
	if err := fetchRefunds(ctx, cl, col); err != nil {
		return nil, err
	}
	if err := fetchAttempts(ctx, cl, orders, w, col); err != nil {
		return nil, err
	}
	return col, nil
}

func fetchSales(ctx context.Context, cl *client.Client, w Window, col *Collections) error {
	f := client.TransactionFilter{TransType: "SALE"}
	if !w.From.IsZero() {
		f.StartDate = w.From.Add(-grace).Format(time.DateOnly)
	}
	if !w.To.IsZero() {
		f.EndDate = w.To.Add(grace - time.Nanosecond).Format(time.DateOnly)
	}
	return pages(ctx, func(ctx context.Context, page int) (*client.Page[client.WalletTransaction], error) {
		f.Page = page
		return cl.Transactions(ctx, f)
	}, func(t client.WalletTransaction) bool {
		if p, ok := paymentOf(t); ok {
			col.Payments = append(col.Payments, p)
		}
		return true
	})
}

// paymentOf is the payment a SALE line records. Lines without an invoice
// (or whose invoice is not COMPLETE) are not collections from a customer.
func paymentOf(t client.WalletTransaction) (Payment, bool) {
	inv := t.Invoice
	if inv == nil || inv.State != client.InvoiceComplete {
		return Payment{}, false
	}
	at := inv.CreatedAt
	if at.IsZero() {
		at = t.CreatedAt
	}
	return Payment{InvoiceID: inv.ID, APIRef: inv.APIRef, Amount: inv.Value, Currency: inv.Currency,
		Provider: inv.Provider, Account: inv.Account, State: inv.State, Charges: inv.Charges,
		NetAmount: inv.NetAmount, TransactionID: t.ID, At: at}, true
}

func fetchRefunds(ctx context.Context, cl *client.Client, col *Collections) error {
	return pages(ctx, cl.ListRefunds, func(r client.Refund) bool {
		id := ""
		if r.Invoice != nil {
			id = r.Invoice.ID
		} else if r.Transaction != nil && r.Transaction.Invoice != nil {
			id = r.Transaction.Invoice.ID
		}
		col.Refunds = append(col.Refunds, Refund{ID: r.ID, InvoiceID: id, Amount: r.Amount, Status: r.Status, At: r.CreatedAt})
		return true
	})
}

// fetchAttempts looks up the payers of the orders no payment names.
func fetchAttempts(ctx context.Context, cl *client.Client, orders []Order, w Window, col *Collections) error {
	paid := make(map[string]bool, len(col.Payments))
	for _, p := range col.Payments {
		paid[p.APIRef] = true
	}
	want := map[string]bool{} // references to find attempts for
	var payers []client.CustomerFilter
	seen := map[client.CustomerFilter]bool{}
	for _, o := range orders {
		if paid[o.Reference] || !inWindow(w, o.Date.Time) {
			continue
		}
		want[o.Reference] = true
		for _, f := range []client.CustomerFilter{{PhoneNumber: o.Phone}, {Email: o.Email}} {
			if (f.PhoneNumber != "" || f.Email != "") && !seen[f] {
				seen[f] = true
				payers = append(payers, f)
			}
		}
	}
	if len(payers) > MaxAttemptLookups {
		col.AttemptsSkipped = len(payers) - MaxAttemptLookups
		payers = payers[:MaxAttemptLookups]
	}
	done := map[string]bool{} // customer ids read
	for _, f := range payers {
		if err := attemptsOf(ctx, cl, f, w, want, done, col); err != nil {
			return err
		}
	}
	return nil
}

func attemptsOf(ctx context.Context, cl *client.Client, f client.CustomerFilter, w Window, want, done map[string]bool, col *Collections) error {
	var ids []string
	err := pages(ctx, func(ctx context.Context, page int) (*client.Page[client.Customer], error) {
		f.Page = page
		return cl.ListCustomers(ctx, f)
	}, func(c client.Customer) bool {
		if !done[c.ID] {
			done[c.ID] = true
			ids = append(ids, c.ID)
		}
		return true
	})
	if err != nil {
		return err
	}
	early := w.From.Add(-grace)
	for _, id := range ids {
		err := pages(ctx, func(ctx context.Context, page int) (*client.Page[client.Invoice], error) {
			return cl.CustomerTransactions(ctx, id, page)
		}, func(inv client.Invoice) bool {
			if want[inv.APIRef] && inv.State != client.InvoiceComplete {
				col.Attempts[inv.APIRef] = append(col.Attempts[inv.APIRef], Attempt{InvoiceID: inv.ID, State: inv.State,
					Amount: inv.Value, Account: inv.Account, Reason: reason(inv), Code: inv.FailedCode, At: inv.CreatedAt})
			}
			return w.From.IsZero() || !inv.CreatedAt.Before(early) // newest first: stop past the window
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// reason is why an attempt did not pay, in words.
func reason(inv client.Invoice) string {
	switch {
	case inv.FailedReason != "":
		return inv.FailedReason
	case inv.FailedCode != "":
		if c, ok := client.ExplainCode(inv.FailedCode); ok {
			return c.Status + " (code " + inv.FailedCode + ")"
		}
		return "code " + inv.FailedCode
	case inv.State == client.InvoicePending || inv.State == client.InvoiceProcessing:
		return "still " + inv.State + ": the customer has not finished paying"
	}
	return inv.State
}

func inWindow(w Window, t time.Time) bool {
	return (w.From.IsZero() || !t.Before(w.From)) && (w.To.IsZero() || t.Before(w.To))
}

// pages follows pages 1, 2, … calling each for every item until it says
// stop or a page has no next link.
func pages[T any](ctx context.Context, fetch func(context.Context, int) (*client.Page[T], error), each func(T) bool) error {
	for page := 1; page <= maxFeedPages; page++ {
		p, err := fetch(ctx, page)
		if err != nil {
			return err
		}
		for _, it := range p.Results {
			if !each(it) {
				return nil
			}
		}
		if len(p.Results) == 0 || !p.HasNext() {
			return nil
		}
	}
	return fmt.Errorf("more than %d pages; reconcile a shorter period", maxFeedPages)
}
