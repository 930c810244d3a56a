package sim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
)

func TestAccountTransactions(t *testing.T) {
	e := aNew(t, sim.Options{})
	work := e.call("POST", "wallets/", map[string]any{"label": "Ops", "currency": "KES"}).want(t, http.StatusCreated).str("wallet_id")
	e.aCollect(100, "")
	e.advance(48 * time.Hour)
	e.aCollect(200, "")
	settle := e.sim.SettlementWalletID()
	e.call("POST", "wallets/"+settle+"/intra_transfer/", map[string]any{"wallet_id": work, "amount": 50, "narrative": "float"}).want(t, http.StatusOK)

	cases := []struct {
		query string
		count string
	}{
		{"", "6"},
		{"?trans_type=SALE", "2"},
		{"?trans_type=charge", "2"},
		{"?trans_type=ADJUSTMENT&wallet_id=" + work, "1"},
		{"?wallet_id=" + settle, "5"},
		{"?currency=USD", "0"},
		{"?status=AVAILABLE", "6"},
		{"?start_date=2026-03-04", "4"},
		{"?end_date=2026-03-02", "2"},
		{"?start_date=2026-03-02&end_date=2026-03-02", "2"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			r := e.call("GET", "transactions/"+c.query, nil).want(t, http.StatusOK)
			if r.str("count") != c.count {
				t.Fatalf("count %s, want %s: %s", r.str("count"), c.count, r.raw)
			}
		})
	}
	r := e.call("GET", "transactions/", nil).want(t, http.StatusOK)
	if r.str("results.0.trans_type") != "ADJUSTMENT" || r.str("results.5.trans_type") == "" {
		t.Fatalf("newest first: %s", r.raw)
	}
	id := r.str("results.0.transaction_id")
	if g := e.call("GET", "transactions/"+id+"/", nil).want(t, http.StatusOK); g.str("transaction_id") != id || g.str("value") == "" {
		t.Fatalf("get: %s", g.raw)
	}
	e.call("GET", "transactions/NOPE999/", nil).want(t, http.StatusNotFound)
	e.call("GET", "transactions/?start_date=2026-13-01", nil).wantErr(t, "start_date", "invalid")
	e.call("GET", "transactions/?end_date=yesterday", nil).wantErr(t, "end_date", "invalid")
	e.call("GET", "transactions/?trans_type=GIFT", nil).wantErr(t, "trans_type", "invalid_choice")
}
