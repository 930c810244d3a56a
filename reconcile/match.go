package reconcile

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// Payment is a COMPLETE collection: the invoice a SALE line credited.
type Payment struct {
	InvoiceID     string        `json:"invoice_id"`
	APIRef        string        `json:"api_ref"`
	Amount        client.Amount `json:"amount"`
	Currency      string        `json:"currency"`
	Provider      string        `json:"provider"`
	Account       string        `json:"account"`
	State         string        `json:"state"`
	Charges       client.Amount `json:"charges"`
	NetAmount     client.Amount `json:"net_amount"`
	TransactionID string        `json:"transaction_id"`
	At            time.Time     `json:"created_at"`
}

// Attempt is a collection that did not (or not yet) complete.
type Attempt struct {
	InvoiceID string        `json:"invoice_id"`
	State     string        `json:"state"`
	Amount    client.Amount `json:"amount"`
	Account   string        `json:"account"`
	Reason    string        `json:"reason"`
	Code      string        `json:"failed_code"`
	At        time.Time     `json:"created_at"`
}

// Refund is a chargeback raised on a payment.
type Refund struct {
	ID        string        `json:"chargeback_id"`
	InvoiceID string        `json:"invoice_id"`
	Amount    client.Amount `json:"amount"`
	Status    string        `json:"status"`
	At        time.Time     `json:"created_at"`
}

// Collections is IntaSend's side of a reconciliation.
type Collections struct {
	Payments []Payment
	Refunds  []Refund
	// Attempts are failed and pending invoices by api_ref, looked up for
	// the orders left unpaid (see Fetch).
	Attempts map[string][]Attempt
	// Scope is the window compared: orders dated and payments made in it.
	From, To time.Time // To exclusive
	// AttemptsSkipped counts payers not asked about (MaxAttemptLookups).
	AttemptsSkipped int
}

// Result is a reconciliation; its JSON is `malipo reconcile --json`.
// Matched payments that were refunded stay in Matched and appear in
// Refunded too: the sale happened and was then given back.
type Result struct {
	Matched          []Pair        `json:"matched"`
	AmountMismatch   []Mismatch    `json:"amount_mismatch"`
	PaidWithoutOrder []Unordered   `json:"paid_without_order"`
	UnpaidOrders     []Unpaid      `json:"unpaid_orders"`
	Duplicates       []Duplicate   `json:"duplicates"`
	Refunded         []RefundedOne `json:"refunded"`
	Summary          Summary       `json:"summary"`
}

// Pair is an order and the payment that settled it.
type Pair struct {
	Reference string  `json:"reference"`
	Order     Order   `json:"order"`
	Payment   Payment `json:"payment"`
}

// Mismatch is an order paid a different amount: Difference is paid minus
// ordered (negative: paid less).
type Mismatch struct {
	Pair
	Difference client.Amount `json:"difference"`
}

// Unordered is a payment no ledger row names; PossibleOrders are unpaid
// orders of the same amount and payer within a day.
type Unordered struct {
	Payment        Payment `json:"payment"`
	PossibleOrders []Order `json:"possible_orders"`
}

// Unpaid is an order with no COMPLETE payment, the attempts IntaSend saw
// for its reference, and payments that may be it under another reference.
type Unpaid struct {
	Order           Order     `json:"order"`
	Attempts        []Attempt `json:"attempts"`
	PossibleMatches []Payment `json:"possible_matches"`
}

// Duplicate kinds.
const (
	DupPayments   = "payments"    // paid twice or more: refund candidates
	DupLedgerRows = "ledger_rows" // the ledger names the reference twice or more
)

// Duplicate is one reference seen more than once on one side.
type Duplicate struct {
	Reference string        `json:"reference"`
	Kind      string        `json:"kind"`
	Orders    []Order       `json:"orders"`
	Payments  []Payment     `json:"payments"`
	Extra     client.Amount `json:"extra_amount"` // paid beyond the first payment
}

// RefundedOne is a matched payment with refunds raised against it.
type RefundedOne struct {
	Reference string        `json:"reference"`
	Payment   Payment       `json:"payment"`
	Refunded  client.Amount `json:"refunded_amount"` // COMPLETED refunds
	Pending   client.Amount `json:"pending_amount"`  // PENDING or OVERDUE
	Whole     bool          `json:"whole"`
	Refunds   []Refund      `json:"refunds"`
}

// Match reconciles the ledger's orders (see the package function Match)
// and counts its rows in the summary.
func (lg *Ledger) Match(col *Collections) *Result {
	r := Match(lg.Orders, col)
	r.Summary.LedgerRows, r.Summary.RejectedRows = lg.DataRows, lg.Rejected
	return r
}

// Match reconciles the ledger's orders with IntaSend's collections. It is
// pure: the same inputs give the same Result, every list in a fixed order.
func Match(orders []Order, col *Collections) *Result {
	m := newMatcher(orders, col)
	m.walk()
	for i := range col.Payments {
		if col.Payments[i].APIRef == "" && m.payIn(i) {
			m.res.PaidWithoutOrder = append(m.res.PaidWithoutOrder, Unordered{Payment: col.Payments[i]})
		}
	}
	m.suggest()
	m.refunds()
	m.sort()
	m.res.Summary = summarise(m.res, orders, col, m)
	return &m.res
}

type matcher struct {
	orders []Order
	col    *Collections
	res    Result
}

// newMatcher prepares the result; Match walks both sides sorted by
// reference, each run of one reference at once. Sorting index lists (and
// no map) keeps a 100,000-row ledger to a few allocations and string
// comparisons: a map of references was most of the time and memory.
func newMatcher(orders []Order, col *Collections) *matcher {
	m := &matcher{orders: orders, col: col}
	m.res.Matched = make([]Pair, 0, min(len(orders), len(col.Payments)))
	return m
}

// walk calls m.reference for every reference on either side, in order,
// with the orders (in file order) and payments (in feed order) naming it.
func (m *matcher) walk() {
	oi := make([]int, len(m.orders))
	for i := range oi {
		oi[i] = i
	}
	slices.SortStableFunc(oi, func(a, b int) int { return strings.Compare(m.orders[a].Reference, m.orders[b].Reference) })
	pays := m.col.Payments
	pi := make([]int, 0, len(pays))
	for i := range pays {
		if pays[i].APIRef != "" {
			pi = append(pi, i)
		}
	}
	slices.SortStableFunc(pi, func(a, b int) int { return strings.Compare(pays[a].APIRef, pays[b].APIRef) })
	for len(oi) > 0 || len(pi) > 0 {
		var ref string
		switch {
		case len(pi) == 0 || len(oi) > 0 && m.orders[oi[0]].Reference <= pays[pi[0]].APIRef:
			ref = m.orders[oi[0]].Reference
		default:
			ref = pays[pi[0]].APIRef
		}
		no := 0
		for no < len(oi) && m.orders[oi[no]].Reference == ref {
			no++
		}
		np := 0
		for np < len(pi) && pays[pi[np]].APIRef == ref {
			np++
		}
		m.reference(ref, oi[:no:no], pi[:np:np])
		oi, pi = oi[no:], pi[np:]
	}
}

// orderIn and payIn say whether an order or payment falls in the window.
func (m *matcher) orderIn(i int) bool { return m.in(m.orders[i].Date.Time) }
func (m *matcher) payIn(i int) bool   { return m.in(m.col.Payments[i].At) }
func (m *matcher) in(t time.Time) bool {
	return (m.col.From.IsZero() || !t.Before(m.col.From)) && (m.col.To.IsZero() || t.Before(m.col.To))
}

// reference settles one reference: its orders against its payments.
func (m *matcher) reference(ref string, os, ps []int) {
	inScope := slices.ContainsFunc(os, m.orderIn) || slices.ContainsFunc(ps, m.payIn)
	if !inScope {
		return
	}
	if len(os) > 1 {
		m.res.Duplicates = append(m.res.Duplicates, Duplicate{Reference: ref, Kind: DupLedgerRows,
			Orders: m.pickOrders(os), Payments: []Payment{}})
	}
	if len(ps) > 1 {
		d := Duplicate{Reference: ref, Kind: DupPayments, Orders: m.pickOrders(os), Payments: m.pickPayments(ps)}
		for _, p := range d.Payments[1:] {
			d.Extra += p.Amount
		}
		m.res.Duplicates = append(m.res.Duplicates, d)
	}
	switch {
	case len(ps) == 0:
		for _, i := range os {
			if m.orderIn(i) {
				m.res.UnpaidOrders = append(m.res.UnpaidOrders, Unpaid{Order: m.orders[i],
					Attempts: nonNil(m.col.Attempts[ref]), PossibleMatches: []Payment{}})
			}
		}
	case len(os) == 0:
		for _, i := range ps {
			if m.payIn(i) {
				m.res.PaidWithoutOrder = append(m.res.PaidWithoutOrder, Unordered{Payment: m.col.Payments[i]})
			}
		}
	default:
		m.pair(ref, os, ps)
	}
}

// pair matches one order with one payment: the first payment of the
// order's amount, else the first payment (a mismatch). Further ledger rows
// and payments of the reference are already listed as duplicates.
func (m *matcher) pair(ref string, os, ps []int) {
	o := m.orders[os[0]]
	pi := ps[0]
	for _, i := range ps {
		if m.col.Payments[i].Amount == o.Amount && sameCurrency(m.col.Payments[i]) {
			pi = i
			break
		}
	}
	p := m.col.Payments[pi]
	pr := Pair{Reference: ref, Order: o, Payment: p}
	if p.Amount == o.Amount && sameCurrency(p) {
		m.res.Matched = append(m.res.Matched, pr)
		return
	}
	m.res.AmountMismatch = append(m.res.AmountMismatch, Mismatch{Pair: pr, Difference: p.Amount - o.Amount})
}

// sameCurrency: the ledger is in KES, so a payment in another currency
// never matches on the number alone.
func sameCurrency(p Payment) bool { return p.Currency == "" || p.Currency == "KES" }

func (m *matcher) pickOrders(is []int) []Order {
	out := make([]Order, len(is))
	for k, i := range is {
		out[k] = m.orders[i]
	}
	return out
}

func (m *matcher) pickPayments(is []int) []Payment {
	out := make([]Payment, len(is))
	for k, i := range is {
		out[k] = m.col.Payments[i]
	}
	slices.SortStableFunc(out, func(a, b Payment) int { return a.At.Compare(b.At) })
	return out
}

// suggest links unpaid orders and payments without an order that have the
// same amount and payer (phone or email) within a day of each other: a
// customer who typed the wrong reference. They are offered, never counted
// as matched.
func (m *matcher) suggest() {
	type key struct {
		amount client.Amount
		who    string
	}
	byKey := map[key][]int{}
	for i, u := range m.res.PaidWithoutOrder {
		if who := payer(u.Payment.Account); who != "" {
			k := key{u.Payment.Amount, who}
			byKey[k] = append(byKey[k], i)
		}
	}
	if len(byKey) == 0 {
		return
	}
	for ui := range m.res.UnpaidOrders {
		u := &m.res.UnpaidOrders[ui]
		for _, who := range []string{u.Order.Phone, u.Order.Email} {
			for _, pi := range byKey[key{u.Order.Amount, who}] {
				if who == "" || !withinADay(u.Order.Date.Time, m.res.PaidWithoutOrder[pi].Payment.At) {
					continue
				}
				u.PossibleMatches = append(u.PossibleMatches, m.res.PaidWithoutOrder[pi].Payment)
				po := &m.res.PaidWithoutOrder[pi].PossibleOrders
				*po = append(*po, u.Order)
			}
		}
	}
}

// payer is a payment's account as the ledger writes it: a phone in the
// 2547… form, or a lower-cased email.
func payer(account string) string {
	if strings.Contains(account, "@") {
		return strings.ToLower(account)
	}
	if p, err := client.ParsePhone(account); err == nil {
		return string(p)
	}
	return ""
}

// withinADay: the payment is on the order's day, the day before or the
// day after (a ledger's date has no time).
func withinADay(day, at time.Time) bool {
	at = at.In(day.Location())
	return !at.Before(day.AddDate(0, 0, -1)) && at.Before(day.AddDate(0, 0, 2))
}

// refunds lists matched payments with refunds raised against them.
func (m *matcher) refunds() {
	byInv := map[string][]Refund{}
	for _, r := range m.col.Refunds {
		byInv[r.InvoiceID] = append(byInv[r.InvoiceID], r)
	}
	for _, k := range m.res.Matched {
		rs := byInv[k.Payment.InvoiceID]
		if len(rs) == 0 {
			continue
		}
		one := RefundedOne{Reference: k.Reference, Payment: k.Payment, Refunds: rs}
		for _, r := range rs {
			switch r.Status {
			case client.RefundCompleted:
				one.Refunded += r.Amount
			case client.RefundPending, client.RefundOverdue:
				one.Pending += r.Amount
			}
		}
		one.Whole = one.Refunded >= k.Payment.Amount
		m.res.Refunded = append(m.res.Refunded, one)
	}
}

// sort puts every list in a fixed order: by reference (lists made per
// reference already are), payments without a reference by time.
func (m *matcher) sort() {
	slices.SortStableFunc(m.res.PaidWithoutOrder, func(a, b Unordered) int {
		return cmp.Or(cmp.Compare(a.Payment.APIRef, b.Payment.APIRef), a.Payment.At.Compare(b.Payment.At),
			cmp.Compare(a.Payment.InvoiceID, b.Payment.InvoiceID))
	})
	r := &m.res
	r.Matched, r.AmountMismatch, r.PaidWithoutOrder = nonNil(r.Matched), nonNil(r.AmountMismatch), nonNil(r.PaidWithoutOrder)
	r.UnpaidOrders, r.Duplicates, r.Refunded = nonNil(r.UnpaidOrders), nonNil(r.Duplicates), nonNil(r.Refunded)
	for i := range r.PaidWithoutOrder {
		r.PaidWithoutOrder[i].PossibleOrders = nonNil(r.PaidWithoutOrder[i].PossibleOrders)
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
