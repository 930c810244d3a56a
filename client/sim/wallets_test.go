package sim_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
)

func TestAuthRules(t *testing.T) {
	e := aNew(t, sim.Options{})
	pinned := aNew(t, sim.Options{SecretKey: aSecret, PublishableKey: aPub})
	other := "ISSecretKey_test_00000000-0000-4000-8000-000000000000"
	cases := []struct {
		name   string
		env    *aEnv
		method string
		path   string
		body   any
		hdr    []string
		status int
		detail string
	}{
		{"no key", e, "GET", "wallets/", nil, []string{"Authorization", aNoAuth}, 401, "Authentication credentials were not provided."},
		{"token scheme", e, "GET", "wallets/", nil, []string{"Authorization", "Token " + aSecret}, 401, "Invalid token."},
		{"malformed key", e, "GET", "wallets/", nil, []string{"Authorization", "Bearer sk_test_123"}, 401, "Invalid token."},
		{"live key", e, "GET", "wallets/", nil, []string{"Authorization", "Bearer ISSecretKey_live_5d1f1c7a-2b8e-4f63"}, 401, "Invalid token."},
		{"publishable as bearer", e, "GET", "wallets/", nil, []string{"Authorization", "Bearer " + aPub}, 401, "Invalid token."},
		{"any test key", e, "GET", "wallets/", nil, []string{"Authorization", "Bearer " + other}, 200, ""},
		{"pinned key refuses others", pinned, "GET", "wallets/", nil, []string{"Authorization", "Bearer " + other}, 401, "Invalid token."},
		{"pinned key", pinned, "GET", "wallets/", nil, nil, 200, ""},
		{"bank codes without auth", e, "GET", "send-money/bank-codes/ke/", nil, []string{"Authorization", aNoAuth}, 200, ""},
		{"bank codes with a bad public key", e, "GET", "send-money/bank-codes/ke/", nil, []string{"Authorization", aNoAuth, "X-IntaSend-Public-API-Key", "nope"}, 401, "Invalid public key."},
		{"status without public key", e, "POST", "payment/status/", map[string]any{"invoice_id": "NOPE123"}, []string{"Authorization", aNoAuth}, 401, "Authentication credentials were not provided."},
		{"status, key in body (PY/NODE)", e, "POST", "payment/status/", map[string]any{"invoice_id": "NOPE123", "public_key": aPub}, []string{"Authorization", aNoAuth}, 404, "Not found."},
		{"status, INTASEND_PUBLIC_API_KEY", e, "POST", "payment/status/", map[string]any{"invoice_id": "NOPE123"}, []string{"Authorization", aNoAuth, "INTASEND_PUBLIC_API_KEY", aPub}, 404, "Not found."},
		{"status, X-IntaSend-Public-API-Key", e, "POST", "payment/status/", map[string]any{"invoice_id": "NOPE123"}, []string{"Authorization", aNoAuth, "X-IntaSend-Public-API-Key", aPub}, 404, "Not found."},
		{"status, live public key", e, "POST", "payment/status/", map[string]any{"invoice_id": "NOPE123", "public_key": "ISPubKey_live_91ffc81a-8ac4"}, []string{"Authorization", aNoAuth}, 401, "Invalid public key."},
		{"stk push needs bearer", e, "POST", "payment/mpesa-stk-push/", map[string]any{"public_key": aPub, "amount": 10, "phone_number": aOK}, []string{"Authorization", aNoAuth}, 401, "Authentication credentials were not provided."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.env.call(c.method, c.path, c.body, c.hdr...).want(t, c.status)
			if c.detail != "" && r.str("detail") != c.detail {
				t.Fatalf("detail %q, want %q", r.str("detail"), c.detail)
			}
		})
	}
}

func TestWalletCreateAndGet(t *testing.T) {
	e := aNew(t, sim.Options{})
	// PY sends can_disburse as a bool; PHP posts the same keys.
	r := e.call("POST", "wallets/", map[string]any{"wallet_type": "WORKING", "currency": "KES", "label": "Payroll-2026 A", "can_disburse": true}).
		want(t, http.StatusCreated)
	id := r.str("wallet_id")
	if len(id) != 7 || r.str("wallet_type") != "WORKING" || r.str("can_disburse") != "true" ||
		r.str("current_balance") != "0.00" || r.str("available_balance") != "0.00" || r.str("created_at") == "" {
		t.Fatalf("create answered %s", r.raw)
	}
	if _, err := time.Parse(time.RFC3339Nano, r.str("created_at")); err != nil || !strings.HasSuffix(r.str("created_at"), "+03:00") {
		t.Fatalf("created_at %q is not IntaSend's RFC3339 in EAT", r.str("created_at"))
	}
	// GET with and without the trailing slash, and with NODE's JSON body on GET.
	for _, path := range []string{"wallets/" + id + "/", "wallets/" + id} {
		g := e.call("GET", path, map[string]any{"public_key": aPub}).want(t, http.StatusOK)
		if g.str("wallet_id") != id || g.str("label") != "Payroll-2026 A" {
			t.Fatalf("GET %s answered %s", path, g.raw)
		}
	}
	nf := e.call("GET", "wallets/NOPE999/", nil).want(t, http.StatusNotFound)
	if nf.str("detail") != "Not found." {
		t.Fatalf("404 body %s", nf.raw)
	}
	// Filters.
	l := e.call("GET", "wallets/?wallet_type=SETTLEMENT", nil).want(t, http.StatusOK)
	if l.str("count") != "1" || l.str("results.0.wallet_type") != "SETTLEMENT" || l.str("results.0.wallet_id") != e.sim.SettlementWalletID() {
		t.Fatalf("settlement filter: %s", l.raw)
	}
	l = e.call("GET", "wallets/?label=payroll-2026%20a&can_disburse=true&currency=KES", nil).want(t, http.StatusOK)
	if l.str("count") != "1" || l.str("results.0.wallet_id") != id {
		t.Fatalf("label filter: %s", l.raw)
	}
}

func TestWalletCreateValidation(t *testing.T) {
	e := aNew(t, sim.Options{})
	cases := []struct {
		name string
		body map[string]any
		attr string
		code string
	}{
		{"label missing", map[string]any{"currency": "KES"}, "label", "required"},
		{"label pattern", map[string]any{"label": "Pay<roll>", "currency": "KES"}, "label", "invalid"},
		{"label too long", map[string]any{"label": strings.Repeat("a", 41), "currency": "KES"}, "label", "max_length"},
		{"currency missing", map[string]any{"label": "x"}, "currency", "required"},
		{"currency unknown", map[string]any{"label": "x", "currency": "TZS"}, "currency", "invalid_choice"},
		{"settlement refused", map[string]any{"label": "x", "currency": "KES", "wallet_type": "SETTLEMENT"}, "wallet_type", "invalid"},
		{"wallet type unknown", map[string]any{"label": "x", "currency": "KES", "wallet_type": "SAVINGS"}, "wallet_type", "invalid_choice"},
		{"can_disburse not a bool", map[string]any{"label": "x", "currency": "KES", "can_disburse": "maybe"}, "can_disburse", "invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.call("POST", "wallets/", c.body).wantErr(t, c.attr, c.code)
		})
	}
	if n := len(e.sim.Wallets()); n != 1 {
		t.Fatalf("%d wallets after refused creates, want 1", n)
	}
	r := e.call("POST", "wallets/", "{not json").want(t, http.StatusBadRequest)
	if r.str("type") != "client_error" || r.str("errors.0.code") != "parse_error" {
		t.Fatalf("bad JSON answered %s", r.raw)
	}
}

func TestWalletPagination(t *testing.T) {
	e := aNew(t, sim.Options{})
	for _, l := range []string{"A", "B", "C", "D"} {
		e.call("POST", "wallets/", map[string]any{"label": l, "currency": "KES"}).want(t, http.StatusCreated)
	}
	p1 := e.call("GET", "wallets/?page_size=2", nil).want(t, http.StatusOK)
	if p1.str("count") != "5" || p1.len("results") != 2 || p1.str("previous") != "<nil>" || !strings.Contains(p1.str("next"), "page=2") {
		t.Fatalf("page 1: %s", p1.raw)
	}
	p3 := e.call("GET", "wallets/?page_size=2&page=3", nil).want(t, http.StatusOK)
	if p3.len("results") != 1 || p3.str("next") != "<nil>" || !strings.Contains(p3.str("previous"), "page=2") {
		t.Fatalf("page 3: %s", p3.raw)
	}
	if r := e.call("GET", "wallets/?page_size=2&page=4", nil).want(t, http.StatusNotFound); r.str("detail") != "Invalid page." {
		t.Fatalf("page 4: %s", r.raw)
	}
}

func TestIntraTransfer(t *testing.T) {
	e := aNew(t, sim.Options{})
	mk := func(label, currency string) string {
		return e.call("POST", "wallets/", map[string]any{"label": label, "currency": currency, "wallet_type": "WORKING", "can_disburse": false}).
			want(t, http.StatusCreated).str("wallet_id")
	}
	from, to, usd := mk("Ops", "KES"), mk("Savings", "KES"), mk("Dollars", "USD")
	e.aCollect("1000", from) // 1,000.00 in, 30.00 fee: 970.00 available
	if w, _ := e.sim.Wallet(from); w.Available != client.MustAmount("970.00") || w.Current != client.MustAmount("970.00") {
		t.Fatalf("funded wallet: %+v", w)
	}
	bad := []struct {
		name string
		body map[string]any
		attr string
		code string
	}{
		{"same wallet", map[string]any{"wallet_id": from, "amount": 10, "narrative": "x"}, "wallet_id", "invalid"},
		{"unknown wallet", map[string]any{"wallet_id": "NOPE999", "amount": 10, "narrative": "x"}, "wallet_id", "does_not_exist"},
		{"currency mismatch", map[string]any{"wallet_id": usd, "amount": 10, "narrative": "x"}, "wallet_id", "invalid"},
		{"zero amount", map[string]any{"wallet_id": to, "amount": 0, "narrative": "x"}, "amount", "min_value"},
		{"three decimals", map[string]any{"wallet_id": to, "amount": "1.234", "narrative": "x"}, "amount", "max_decimal_places"},
		{"narrative missing", map[string]any{"wallet_id": to, "amount": 10}, "narrative", "required"},
		{"narrative pattern", map[string]any{"wallet_id": to, "amount": 10, "narrative": "50% off"}, "narrative", "invalid"},
		{"insufficient", map[string]any{"wallet_id": to, "amount": "970.01", "narrative": "too much"}, "amount", "insufficient_balance"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			e.call("POST", "wallets/"+from+"/intra_transfer/", c.body).wantErr(t, c.attr, c.code)
		})
	}
	e.call("POST", "wallets/NOPE999/intra_transfer/", map[string]any{"wallet_id": to, "amount": 1, "narrative": "x"}).want(t, http.StatusNotFound)

	r := e.call("POST", "wallets/"+from+"/intra_transfer/", map[string]any{"wallet_id": to, "amount": "250.50", "narrative": "Float for week 10"}).
		want(t, http.StatusOK)
	if r.str("origin.available_balance") != "719.50" || r.str("destination.available_balance") != "250.50" ||
		r.str("origin.wallet_id") != from || r.str("destination.current_balance") != "250.50" {
		t.Fatalf("transfer answered %s", r.raw)
	}
	st := e.call("GET", "wallets/"+to+"/transactions/", nil).want(t, http.StatusOK)
	if st.str("count") != "1" || st.str("results.0.trans_type") != "ADJUSTMENT" || st.str("results.0.value") != "250.50" ||
		st.str("results.0.running_balance") != "250.50" || st.str("results.0.invoice") != "<nil>" || st.str("results.0.narrative") != "Float for week 10" {
		t.Fatalf("destination statement: %s", st.raw)
	}
	// The origin's statement is newest first: transfer, then the sale's fee and the sale.
	st = e.call("GET", "wallets/"+from+"/transactions", nil).want(t, http.StatusOK)
	if st.str("count") != "3" || st.str("results.0.value") != "-250.50" || st.str("results.0.running_balance") != "719.50" {
		t.Fatalf("origin statement: %s", st.raw)
	}
	types := map[string]bool{st.str("results.1.trans_type"): true, st.str("results.2.trans_type"): true}
	if !types["SALE"] || !types["CHARGE"] {
		t.Fatalf("origin statement lacks SALE and CHARGE: %s", st.raw)
	}
	e.call("GET", "wallets/NOPE999/transactions/", nil).want(t, http.StatusNotFound)
}
