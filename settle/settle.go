// Package settle answers "where did the money go": a wallet's statement
// lines grouped per day into gross collections by channel, IntaSend's
// collection charges, refunds, payouts and their charges, transfers and
// the rest, with the day's opening and closing balance. Every day's lines
// add up exactly (client.Amount cents) to its balance movement, or the day
// says by how much they do not.
package settle

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// Categories of a statement line, in the order a settlement shows them.
// Collections are per channel: "collections:M-PESA".
const (
	CollectionCharges = "collection_charges"
	Refunds           = "refunds"
	Payouts           = "payouts"
	PayoutCharges     = "payout_charges"
	TransfersIn       = "transfers_in"
	TransfersOut      = "transfers_out"
	Other             = "other"
	collectionsPrefix = "collections:"
)

// Lines is one category of one day: its sum and the statement lines (and
// invoices) that make it, for "explain this line".
type Lines struct {
	Category string        `json:"category"`
	Amount   client.Amount `json:"amount"`
	Count    int           `json:"count"`
	IDs      []string      `json:"transaction_ids"`
	Invoices []string      `json:"invoice_ids"`
}

// Day is one day's settlement. Net is the sum of every line; Movement is
// Closing − Opening from IntaSend's running balances; they are equal
// unless IntaSend's statement disagrees with itself (AddsUp false).
type Day struct {
	Date       string        `json:"date"` // YYYY-MM-DD; "" for the window's total
	Opening    client.Amount `json:"opening_balance"`
	Closing    client.Amount `json:"closing_balance"`
	Gross      client.Amount `json:"gross_collections"`
	Categories []Lines       `json:"categories"`
	Net        client.Amount `json:"net_change"`
	Movement   client.Amount `json:"balance_movement"`
	AddsUp     bool          `json:"adds_up"`
}

// Amount is the category's sum, zero when the day has none.
func (d *Day) Amount(category string) client.Amount {
	if l := d.find(category); l != nil {
		return l.Amount
	}
	return 0
}

// Channels are the collection channels of the day, in order.
func (d *Day) Channels() []string {
	var out []string
	for _, l := range d.Categories {
		if ch, ok := strings.CutPrefix(l.Category, collectionsPrefix); ok {
			out = append(out, ch)
		}
	}
	return out
}

// Collections is the category name of a channel's gross collections.
func Collections(channel string) string { return collectionsPrefix + channel }

func (d *Day) find(category string) *Lines {
	for i := range d.Categories {
		if d.Categories[i].Category == category {
			return &d.Categories[i]
		}
	}
	return nil
}

// Settlement is a wallet's days over a window, and their total.
type Settlement struct {
	WalletID string `json:"wallet_id"`
	Currency string `json:"currency"`
	From     string `json:"from"`
	To       string `json:"to"`
	Days     []Day  `json:"days"`
	Total    Day    `json:"total"`
}

// Category says which category a statement line belongs to. IntaSend's
// lines carry a type, a sign, an invoice and a narrative: collection
// charges are CHARGE lines with an invoice, payout charges those without;
// a refund is an ADJUSTMENT on an invoice (or whose narrative says so);
// other ADJUSTMENTs are transfers between wallets (and opening balances).
func Category(t client.WalletTransaction) string {
	switch t.TransType {
	case "SALE":
		ch := "OTHER"
		if t.Invoice != nil && t.Invoice.Provider != "" {
			ch = t.Invoice.Provider
		}
		return Collections(ch)
	case "CHARGE":
		if t.Invoice != nil {
			return CollectionCharges
		}
		return PayoutCharges
	case "PAYOUT", "AIRTIME":
		return Payouts
	case "ADJUSTMENT":
		n := strings.ToLower(t.Narrative)
		if t.Invoice != nil || strings.Contains(n, "refund") || strings.Contains(n, "chargeback") {
			return Refunds
		}
		if t.Value < 0 {
			return TransfersOut
		}
		return TransfersIn
	}
	return Other
}

var order = []string{CollectionCharges, Refunds, Payouts, PayoutCharges, TransfersIn, TransfersOut, Other}

// rank orders categories: collections by channel first, then order.
func rank(c string) (int, string) {
	if ch, ok := strings.CutPrefix(c, collectionsPrefix); ok {
		return 0, ch
	}
	return 1 + slices.Index(order, c), ""
}

// Build groups a wallet's lines (any order; those outside [from, to) are
// used only for balances) into days from from to to (exclusive, midnights
// in the zone of from). balance is the wallet's current balance, used when
// no line is on or after a day.
func Build(walletID, currency string, lines []client.WalletTransaction, balance client.Amount, from, to time.Time) *Settlement {
	lines = chronological(lines)
	s := &Settlement{WalletID: walletID, Currency: currency, From: from.Format(time.DateOnly),
		To: to.AddDate(0, 0, -1).Format(time.DateOnly), Days: []Day{}}
	i := 0
	for i < len(lines) && lines[i].CreatedAt.Before(from) {
		i++
	}
	// A day opens at the previous day's close and closes at its last
	// line's running balance: a running balance that disagrees with the
	// values shows on the day of the line that disagrees.
	carry := balanceBefore(lines, i, balance)
	for day := from; day.Before(to); day = day.AddDate(0, 0, 1) {
		end := day.AddDate(0, 0, 1)
		d := Day{Date: day.Format(time.DateOnly), Categories: []Lines{}, Opening: carry, Closing: carry}
		for ; i < len(lines) && lines[i].CreatedAt.Before(end); i++ {
			d.add(lines[i])
			d.Closing = lines[i].RunningBalance
		}
		d.finish()
		carry = d.Closing
		s.Days = append(s.Days, d)
	}
	s.Total = total(s.Days)
	return s
}

// balanceBefore is the balance just before line i: that line's running
// balance less its value, or the current balance when there is none.
func balanceBefore(lines []client.WalletTransaction, i int, balance client.Amount) client.Amount {
	if i < len(lines) {
		return lines[i].RunningBalance - lines[i].Value
	}
	return balance
}

// chronological is the lines oldest first. IntaSend lists newest first,
// lines written at the same instant later-written first, so the list is
// reversed before a stable sort by time keeps the writing order of ties.
func chronological(lines []client.WalletTransaction) []client.WalletTransaction {
	out := slices.Clone(lines)
	slices.Reverse(out)
	slices.SortStableFunc(out, func(a, b client.WalletTransaction) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}

func (d *Day) add(t client.WalletTransaction) {
	c := Category(t)
	l := d.find(c)
	if l == nil {
		d.Categories = append(d.Categories, Lines{Category: c})
		l = &d.Categories[len(d.Categories)-1]
	}
	l.Amount += t.Value
	l.Count++
	l.IDs = append(l.IDs, t.ID)
	if t.Invoice != nil && t.Invoice.ID != "" {
		l.Invoices = append(l.Invoices, t.Invoice.ID)
	}
	d.Net += t.Value
	if strings.HasPrefix(c, collectionsPrefix) {
		d.Gross += t.Value
	}
}

func (d *Day) finish() {
	slices.SortFunc(d.Categories, func(a, b Lines) int {
		ra, ca := rank(a.Category)
		rb, cb := rank(b.Category)
		return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(ca, cb))
	})
	for i := range d.Categories {
		d.Categories[i].IDs = nonNil(d.Categories[i].IDs)
		d.Categories[i].Invoices = nonNil(d.Categories[i].Invoices)
	}
	d.Movement = d.Closing - d.Opening
	d.AddsUp = d.Movement == d.Net
}

func total(days []Day) Day {
	t := Day{Categories: []Lines{}}
	for i, d := range days {
		if i == 0 {
			t.Opening = d.Opening
		}
		t.Closing = d.Closing
		for _, l := range d.Categories {
			tl := t.find(l.Category)
			if tl == nil {
				t.Categories = append(t.Categories, Lines{Category: l.Category})
				tl = &t.Categories[len(t.Categories)-1]
			}
			tl.Amount += l.Amount
			tl.Count += l.Count
			tl.IDs = append(tl.IDs, l.IDs...)
			tl.Invoices = append(tl.Invoices, l.Invoices...)
		}
		t.Net += d.Net
		t.Gross += d.Gross
	}
	t.finish()
	return t
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// maxPages bounds how far Fetch follows IntaSend's pagination.
const maxPages = 5000

// Fetch reads a wallet (the KES settlement wallet when walletID is empty)
// and its statement from from on, and builds the settlement for [from, to).
// Lines after to are read too: a day's closing balance needs the next line.
func Fetch(ctx context.Context, cl *client.Client, walletID string, from, to time.Time) (*Settlement, error) {
	w, err := wallet(ctx, cl, walletID)
	if err != nil {
		return nil, err
	}
	f := client.TransactionFilter{WalletID: w.ID, StartDate: from.Format(time.DateOnly)}
	var lines []client.WalletTransaction
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, fmt.Errorf("more than %d pages of statement; ask for a later --from", maxPages)
		}
		f.Page = page
		p, err := cl.Transactions(ctx, f)
		if err != nil {
			return nil, err
		}
		lines = append(lines, p.Results...)
		if len(p.Results) == 0 || !p.HasNext() {
			break
		}
	}
	return Build(w.ID, w.Currency, lines, w.CurrentBalance, from, to), nil
}

func wallet(ctx context.Context, cl *client.Client, id string) (*client.Wallet, error) {
	if id != "" {
		return cl.GetWallet(ctx, id)
	}
	ws, err := cl.AllWallets(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ws {
		if ws[i].Type == client.WalletSettlement && ws[i].Currency == "KES" {
			return &ws[i], nil
		}
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("the account has no wallets")
	}
	return &ws[0], nil
}
