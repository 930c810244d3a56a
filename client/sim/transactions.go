package sim

// Account transactions (docs/intasend-api.md §2.7): GET transactions/ across every
// wallet, GET transactions/{id}/.

import (
	"fmt"
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
	q := c.r.URL.Query()
	var k checks
	transType := strings.ToUpper(q.Get("trans_type"))
	status := strings.ToUpper(q.Get("status"))
	currency := strings.ToUpper(q.Get("currency"))
	for _, f := range []struct {
		attr, v string
		opts    []string
	}{{"trans_type", transType, transTypes}, {"status", status, txStatuses}, {"currency", currency, currencies}} {
		if f.v != "" && !slices.Contains(f.opts, f.v) {
			k.add(f.attr, "invalid_choice", fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", f.v))
		}
	}
	var from, to time.Time
	for _, d := range []struct {
		attr string
		t    *time.Time
	}{{"start_date", &from}, {"end_date", &to}} {
		if v := q.Get(d.attr); v != "" {
			t, ok := parseDay(v)
			if !ok {
				k.add(d.attr, "invalid", "Enter a valid date in the format YYYY-MM-DD.")
			}
			*d.t = t
		}
	}
	if k.reply(c) {
		return
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1) // end_date is inclusive
	}
	walletID := q.Get("wallet_id")
	keep := func(t *walletTx) bool {
		return (transType == "" || t.TransType == transType) &&
			(status == "" || t.Status == status) &&
			(currency == "" || t.Currency == currency) &&
			(walletID == "" || t.WalletID == walletID) &&
			(from.IsZero() || !t.CreatedAt.Before(from)) &&
			(to.IsZero() || t.CreatedAt.Before(to))
	}
	s.lock()
	defer s.mu.Unlock()
	paginate(c, s.newestFirst(s.allTx, keep))
}

func (s *Server) getTransaction(c *reqCtx) { getByID(s, c, s.txByID, s.txView) }
