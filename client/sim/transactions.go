package sim

// Account transactions (docs/intasend-api.md §2.7): GET transactions/ across every
// wallet, GET transactions/{id}/.

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

var (
	transTypes = []string{"SALE", "ADJUSTMENT", "PAYOUT", "CHARGE", "AIRTIME", "DEPOSIT", "EXCHANGE", "UNMARKED"}
	txStatuses = []string{"AVAILABLE", "CLEARING", "ON-HOLD", "CANCELLED", "CHARGEBACK-PENDING", "REFUNDED", "ADJUSTMENT"}
)

func (s *Server) routesTransactions() {
	s.handle("GET", "transactions/", authSecret, s.listTransactions)
	s.handle("GET", "transactions/{id}/", authSecret, s.getTransaction)
}

// listTransactions filters by trans_type, status, currency, wallet_id and
// start_date/end_date (YYYY-MM-DD, Nairobi days, both inclusive); newest first.
func (s *Server) listTransactions(c *reqCtx) {
	f, k := parseTxFilter(c.query())
	if k.reply(c) {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	paginate(c, s.newestFirst(s.allTx, f.keep))
}

// txFilter is listTransactions' query; empty fields keep everything.
type txFilter struct {
	transType, status, currency, walletID string
	from, to                              time.Time // to is exclusive
}

// parseTxFilter reads the query, noting what DRF would refuse in k.
func parseTxFilter(q url.Values) (txFilter, checks) {
	var k checks
	f := txFilter{
		transType: strings.ToUpper(q.Get("trans_type")),
		status:    strings.ToUpper(q.Get("status")),
		currency:  strings.ToUpper(q.Get("currency")),
		walletID:  q.Get("wallet_id"),
	}
	for _, c := range []struct {
		attr, v string
		opts    []string
	}{{"trans_type", f.transType, transTypes}, {"status", f.status, txStatuses}, {"currency", f.currency, currencies}} {
		if c.v != "" && !slices.Contains(c.opts, c.v) {
			k.add(c.attr, "invalid_choice", fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", c.v))
		}
	}
	for _, d := range []struct {
		attr string
		t    *time.Time
	}{{"start_date", &f.from}, {"end_date", &f.to}} {
		if v := q.Get(d.attr); v != "" {
			t, ok := parseDay(v)
			if !ok {
				k.add(d.attr, "invalid", "Enter a valid date in the format YYYY-MM-DD.")
			}
			*d.t = t
		}
	}
	if !f.to.IsZero() {
		f.to = f.to.AddDate(0, 0, 1) // end_date is inclusive
	}
	return f, k
}

func (f *txFilter) keep(t *walletTx) bool {
	return (f.transType == "" || t.TransType == f.transType) &&
		(f.status == "" || t.Status == f.status) &&
		(f.currency == "" || t.Currency == f.currency) &&
		(f.walletID == "" || t.WalletID == f.walletID) &&
		(f.from.IsZero() || !t.CreatedAt.Before(f.from)) &&
		(f.to.IsZero() || t.CreatedAt.Before(f.to))
}

func (s *Server) getTransaction(c *reqCtx) { getByID(s, c, s.txByID, s.txView) }
