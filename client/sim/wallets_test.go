package sim_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
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
	r.fields(t, "create answer", "wallet_type", "WORKING", "can_disburse", "true", "current_balance", "0.00", "available_balance", "0.00")
	_, err := time.Parse(time.RFC3339Nano, r.str("created_at"))
	testcheck.Expect(t, "create answer", r.raw, testcheck.C("wallet_id of 7", len(id) == 7),
		testcheck.C("created_at set", r.str("created_at") != ""),
		testcheck.C("created_at RFC3339", err == nil), testcheck.C("created_at in EAT", strings.HasSuffix(r.str("created_at"), "+03:00")))
	// GET with and without the trailing slash, and with NODE's JSON body on GET.
	for _, path := range []string{"wallets/" + id + "/", "wallets/" + id} {
		e.call("GET", path, map[string]any{"public_key": aPub}).want(t, http.StatusOK).fields(t, "GET "+path,
			"wallet_id", id, "label", "Payroll-2026 A")
	}
	e.call("GET", "wallets/NOPE999/", nil).want(t, http.StatusNotFound).fields(t, "404 body", "detail", "Not found.")
	// Filters.
	e.call("GET", "wallets/?wallet_type=SETTLEMENT", nil).want(t, http.StatusOK).fields(t, "settlement filter",
		"count", "1", "results.0.wallet_type", "SETTLEMENT", "results.0.wallet_id", e.sim.SettlementWalletID())
	e.call("GET", "wallets/?label=payroll-2026%20a&can_disburse=true&currency=KES", nil).want(t, http.StatusOK).fields(t, "label filter",
		"count", "1", "results.0.wallet_id", id)
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
	w, _ := e.sim.Wallet(from)
	testcheck.Expect(t, "funded wallet", w, testcheck.C("available 970", w.Available == client.MustAmount("970.00")),
		testcheck.C("current 970", w.Current == client.MustAmount("970.00")))
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
	r.fields(t, "transfer answer", "origin.available_balance", "719.50", "destination.available_balance", "250.50",
		"origin.wallet_id", from, "destination.current_balance", "250.50")
	e.call("GET", "wallets/"+to+"/transactions/", nil).want(t, http.StatusOK).fields(t, "destination statement",
		"count", "1", "results.0.trans_type", "ADJUSTMENT", "results.0.value", "250.50",
		"results.0.running_balance", "250.50", "results.0.invoice", "<nil>", "results.0.narrative", "Float for week 10")
	// The origin's statement is newest first: transfer, then the sale's fee and the sale.
	st := e.call("GET", "wallets/"+from+"/transactions", nil).want(t, http.StatusOK).fields(t, "origin statement",
		"count", "3", "results.0.value", "-250.50", "results.0.running_balance", "719.50")
	types := map[string]bool{st.str("results.1.trans_type"): true, st.str("results.2.trans_type"): true}
	testcheck.Expect(t, "origin statement", st.raw, testcheck.C("has SALE", types["SALE"]), testcheck.C("has CHARGE", types["CHARGE"]))
	e.call("GET", "wallets/NOPE999/transactions/", nil).want(t, http.StatusNotFound)
}
