package collections

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/components/when"
)

// newFor is how long a row that arrived while watching keeps its ★.
const newFor = 30 * time.Second

// row is one incoming payment: an invoice, with the SALE line that
// credited it when the feed has shown it.
type row struct {
	inv       client.Invoice
	txID      string // the SALE wallet transaction, if seen
	txStatus  string // AVAILABLE, CLEARING, REFUNDED, CHARGEBACK-PENDING…
	at        time.Time
	newUntil  time.Time
	requested bool   // this console asked for it (STK push)
	gone      bool   // payment/status does not know it: stop asking
	hay       string // lower-cased text the filter searches, built once per change
}

// key is the row's identity: the invoice id, else the transaction's.
func rowKey(inv client.Invoice, txID string) string {
	if inv.ID != "" {
		return inv.ID
	}
	return "tx:" + txID
}

// method is the provider in words people use.
func method(provider string) string {
	switch provider {
	case "M-PESA":
		return "M-Pesa"
	case "CARD-PAYMENT":
		return "Card"
	case "BITCOIN":
		return "Bitcoin"
	case "BANK-ACH":
		return "Bank"
	case "COOP_B2B":
		return "Co-op"
	case "":
		return "—"
	}
	return provider
}

// rebuild refreshes the row's search text after any change.
func (r *row) rebuild(loc *time.Location) {
	i := r.inv
	r.hay = strings.ToLower(strings.Join([]string{
		r.at.In(loc).Format(when.StampLayout), i.ID, i.Account, method(i.Provider), i.Provider,
		i.Value.String(), i.Charges.String(), i.NetAmount.String(), i.State, i.FailedReason,
		i.APIRef, i.MpesaReference, r.txStatus,
	}, " "))
}

// store holds every row, newest first, indexed by key.
type store struct {
	rows    []*row
	byKey   map[string]*row
	version int // bumped on every change, so derived views know to recompute
}

func newStore() *store { return &store{byKey: map[string]*row{}} }

// upsert adds or updates the row for inv (and its SALE line, when tx is
// set). It reports whether anything visible changed.
func (s *store) upsert(inv client.Invoice, tx *client.WalletTransaction, loc *time.Location, fresh time.Time) bool {
	txID := ""
	if tx != nil {
		txID = tx.ID
	}
	k := rowKey(inv, txID)
	r := s.byKey[k]
	if r == nil {
		r = &row{inv: inv, at: inv.CreatedAt, newUntil: fresh}
		if tx != nil {
			r.txID, r.txStatus = tx.ID, tx.Status
			if r.at.IsZero() {
				r.at = tx.CreatedAt
			}
		}
		r.rebuild(loc)
		s.insert(r)
		s.byKey[k] = r
		s.version++
		return true
	}
	changed := false
	// An older answer never moves a row backwards: a final state stays, and
	// of two final answers the later one wins.
	stale := r.inv.Final() && (!inv.Final() || inv.UpdatedAt.Before(r.inv.UpdatedAt))
	if inv.ID != "" && !stale && !sameInvoice(r.inv, inv) {
		r.inv = inv
		changed = true
	}
	if tx != nil && (r.txID != tx.ID || r.txStatus != tx.Status) {
		r.txID, r.txStatus = tx.ID, tx.Status
		changed = true
	}
	if changed {
		r.rebuild(loc)
		s.version++
	}
	return changed
}

func sameInvoice(a, b client.Invoice) bool {
	return a.State == b.State && a.Charges == b.Charges && a.NetAmount == b.NetAmount && a.Value == b.Value &&
		a.ClearingStatus == b.ClearingStatus && a.FailedReason == b.FailedReason && a.MpesaReference == b.MpesaReference &&
		a.UpdatedAt.Equal(b.UpdatedAt) && a.Account == b.Account && a.APIRef == b.APIRef
}

// insert places r by time, newest first; new payments land at the front,
// so this is usually a prepend.
func (s *store) insert(r *row) {
	i := sort.Search(len(s.rows), func(i int) bool { return !s.rows[i].at.After(r.at) })
	s.rows = slices.Insert(s.rows, i, r)
}

// States the `s` key cycles through ("" is all).
var stateCycle = []string{"", client.InvoicePending, client.InvoiceProcessing, client.InvoiceComplete, client.InvoiceFailed}

// shown is the filtered view of the store: indexes of the rows shown,
// newest first, rows holding the query as typed before looser matches.
type shown struct {
	version int
	query   string
	state   string
	idx     []int // display order
	matched []int // the same rows in time order, for narrowing
	all     bool  // no filter: every row is shown
}

// apply recomputes what is shown. When only the query grew (a keystroke)
// on unchanged data, it searches the previous matches rather than every
// row: together with the precomputed lower-case text per row, that keeps
// typing well under a frame at 10,000 rows.
func (v *shown) apply(s *store, query, state string) {
	query = strings.ToLower(strings.TrimSpace(query))
	if v.version == s.version && v.query == query && v.state == state && (v.all || v.idx != nil) {
		return
	}
	if query == "" && state == "" {
		*v = shown{version: s.version, all: true}
		return
	}
	cand := v.candidates(s, query, state)
	out := shown{version: s.version, query: query, state: state, idx: cand, matched: cand}
	if query != "" {
		out.idx, out.matched = rank(s, cand, query)
	}
	*v = out
}

// candidates are the rows the query is searched in: the previous matches
// when the query only grew on the same data and state, else every row in
// the state.
func (v *shown) candidates(s *store, query, state string) []int {
	if !v.all && v.matched != nil && v.version == s.version && v.state == state &&
		v.query != "" && strings.HasPrefix(query, v.query) {
		return v.matched
	}
	cand := make([]int, 0, len(s.rows))
	for i, r := range s.rows {
		if state == "" || r.inv.State == state {
			cand = append(cand, i)
		}
	}
	return cand
}

// rank keeps the candidates matching the query: idx has the rows holding
// it as typed before the looser (fuzzy) matches, matched keeps time order.
func rank(s *store, cand []int, query string) (idx, matched []int) {
	matched = make([]int, 0, len(cand))
	exact := make([]int, 0, len(cand))
	var loose []int
	for _, i := range cand {
		h := s.rows[i].hay
		switch {
		case strings.Contains(h, query):
			exact = append(exact, i)
		case fuzzyMatch(h, query):
			loose = append(loose, i)
		default:
			continue
		}
		matched = append(matched, i)
	}
	return append(exact, loose...), matched
}

// fuzzyMatch reports whether the query's characters appear in h in order
// (both lower-case): the same rule as github.com/sahilm/fuzzy, without its
// scoring, which walks every character of every row and costs 12–25 ms at
// 10,000 rows. The list keeps time order, so scores would go unused.
func fuzzyMatch(h, q string) bool {
	if isASCII(q) {
		j := 0
		for i := 0; i < len(h) && j < len(q); i++ {
			if h[i] == q[j] {
				j++
			}
		}
		return j == len(q)
	}
	qr := []rune(q)
	j := 0
	for _, r := range h {
		if j < len(qr) && r == qr[j] {
			j++
		}
	}
	return j == len(qr)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (v *shown) at(s *store, i int) *row {
	if v.all {
		return s.rows[i]
	}
	return s.rows[v.idx[i]]
}

// totals are today's figures for the header.
type totals struct {
	count, failed, pending int
	gross, net             client.Amount
}

// chartHours is how many hourly bars the chart shows.
const chartHours = 12

// summary holds what the header and the chart show, recomputed when the
// data or the hour changes (never per frame).
type summary struct {
	version int
	hour    time.Time
	today   totals
	hours   [chartHours]client.Amount // gross COMPLETE per hour, oldest first
	counts  [chartHours]int
}

func (sm *summary) compute(s *store, now time.Time) {
	hour := now.Truncate(time.Hour)
	if sm.version == s.version && sm.hour.Equal(hour) {
		return
	}
	y, mo, d := now.Date()
	day := time.Date(y, mo, d, 0, 0, 0, 0, now.Location())
	first := hour.Add(-(chartHours - 1) * time.Hour)
	*sm = summary{version: s.version, hour: hour}
	for _, r := range s.rows { // newest first: stop at the older of the two windows
		if r.at.Before(day) && r.at.Before(first) {
			break
		}
		if !r.at.Before(day) {
			switch r.inv.State {
			case client.InvoiceComplete:
				sm.today.count++
				sm.today.gross += r.inv.Value
				sm.today.net += r.inv.NetAmount
			case client.InvoiceFailed, client.InvoiceCanceled:
				sm.today.failed++
			default:
				sm.today.pending++
			}
		}
		if h := int(r.at.Sub(first) / time.Hour); !r.at.Before(first) && h < chartHours && r.inv.State == client.InvoiceComplete {
			sm.hours[h] += r.inv.Value
			sm.counts[h]++
		}
	}
}
