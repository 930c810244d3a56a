package sim_test

import (
	"net/http"
	"testing"

	"github.com/malipo/malipo/client/sim"
)

func TestAmountEstimate(t *testing.T) {
	e := aNew(t, sim.Options{})
	tests := []struct {
		name                   string
		body                   map[string]any
		charges, value, netAmt string
	}{
		{"M-Pesa, business pays", map[string]any{"public_key": aPub, "currency": "KES", "method": "M-PESA", "tarrif": "BUSINESS-PAYS", "amount": 1000}, "30.00", "1000.00", "970.00"},
		{"M-Pesa, customer pays", map[string]any{"public_key": aPub, "currency": "KES", "method": "M-PESA", "tarrif": "CUSTOMER-PAYS", "amount": "1000"}, "30.00", "1030.00", "1000.00"},
		{"card, cents rounded half up", map[string]any{"method": "CARD-PAYMENT", "amount": "10.10"}, "0.35", "10.10", "9.75"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.call("POST", "payment/get_amount_estimate/", tt.body).want(t, http.StatusOK)
			if r.str("charges") != tt.charges || r.str("value") != tt.value || r.str("net_amount") != tt.netAmt {
				t.Fatalf("quote %s", r.raw)
			}
		})
	}
	e.call("POST", "payment/get_amount_estimate/", map[string]any{"method": "CHEQUE", "amount": 5}).wantErr(t, "method", "invalid_choice")
	e.call("POST", "payment/get_amount_estimate/", map[string]any{"method": "M-PESA"}).wantErr(t, "amount", "required")
	e.call("POST", "payment/get_amount_estimate/", map[string]any{"method": "M-PESA", "amount": 5}, "Authorization", aNoAuth).want(t, http.StatusUnauthorized)
}

func TestCreateCustomer(t *testing.T) {
	e := aNew(t, sim.Options{})
	r := e.call("POST", "customers/", map[string]any{"email": "jane@example.com", "first_name": "Jane", "last_name": "Doe",
		"phone_number": "0712 345 678", "country": "ke"}).want(t, http.StatusCreated)
	if r.str("email") != "jane@example.com" || r.str("phone_number") != "254712345678" || r.str("country") != "KE" || r.str("customer_id") == "" {
		t.Fatalf("customer %s", r.raw)
	}
	id := r.str("customer_id")
	if got := e.call("GET", "customers/"+id, nil).want(t, http.StatusOK); got.str("first_name") != "Jane" {
		t.Fatalf("read back %s", got.raw)
	}
	e.call("POST", "customers/", map[string]any{"email": "JANE@example.com"}).wantErr(t, "email", "unique")
	e.call("POST", "customers/", map[string]any{"email": "x@example.com", "phone_number": "254712345678"}).wantErr(t, "phone_number", "unique")
	e.call("POST", "customers/", map[string]any{"first_name": "No"}).wantErr(t, "email", "required")
	e.call("POST", "customers/", map[string]any{"email": "not-an-email"}).wantErr(t, "email", "invalid")
	// An STK push from the same phone finds the customer made here.
	stk := e.aStk("254712345678", 10, nil).want(t, http.StatusOK)
	if stk.str("customer.customer_id") != id {
		t.Fatalf("stk push made a second customer: %s", stk.raw)
	}
}

func TestUpdatePlanAndSubscriber(t *testing.T) {
	e := aNew(t, sim.Options{})
	planID := e.call("POST", "subscriptions-plans/", map[string]any{"name": "Gold", "frequency": 1, "frequency_unit": "M", "currency": "KES", "amount": 2500}).
		want(t, http.StatusCreated).str("plan_id")
	up := e.call("PUT", "subscriptions-plans/"+planID+"/", map[string]any{"name": "Gold+", "frequency": "2", "frequency_unit": "W", "currency": "KES", "amount": "3000.50", "billing_cycles": 6}).
		want(t, http.StatusOK)
	if up.str("plan_id") != planID || up.str("name") != "Gold+" || up.str("amount") != "3000.50" || up.str("frequency_unit") != "W" || up.str("billing_cycles") != "6" {
		t.Fatalf("updated plan %s", up.raw)
	}
	if got := e.call("GET", "subscriptions-plans/"+planID+"/", nil).want(t, http.StatusOK); got.str("name") != "Gold+" {
		t.Fatalf("read back %s", got.raw)
	}
	e.call("PUT", "subscriptions-plans/"+planID+"/", map[string]any{"name": "x", "frequency": 1, "frequency_unit": "Q", "currency": "KES", "amount": 1}).wantErr(t, "frequency_unit", "")
	e.call("PUT", "subscriptions-plans/NOPE999/", map[string]any{"name": "x", "frequency": 1, "frequency_unit": "M", "currency": "KES", "amount": 1}).want(t, http.StatusNotFound)

	custID := e.call("POST", "subscriptions-customers/", map[string]any{"email": "a@example.com", "first_name": "A", "last_name": "B"}).
		want(t, http.StatusCreated).str("customer_id")
	cu := e.call("PUT", "subscriptions-customers/"+custID, map[string]any{"email": "b@example.com", "first_name": "Ann", "last_name": "Bee", "city": "Nairobi"}).
		want(t, http.StatusOK)
	if cu.str("customer_id") != custID || cu.str("email") != "b@example.com" || cu.str("city") != "Nairobi" {
		t.Fatalf("updated subscriber %s", cu.raw)
	}
	e.call("PUT", "subscriptions-customers/"+custID+"/", map[string]any{"email": "b@example.com", "first_name": "Ann"}).wantErr(t, "last_name", "required")
	e.call("PUT", "subscriptions-customers/NOPE999/", map[string]any{"email": "b@example.com", "first_name": "A", "last_name": "B"}).want(t, http.StatusNotFound)
}

func TestWalletExchange(t *testing.T) {
	e := aNew(t, sim.Options{})
	e.aCollect(10_000, "")
	kes := e.sim.SettlementWalletID()
	before, _ := e.sim.Wallet(kes)
	q := e.call("POST", "wallets/"+kes+"/exchange/", map[string]any{"currency": "USD", "amount": "1290", "action": "QUOTE"}).want(t, http.StatusOK)
	if q.str("fxe_amount") != "10.00" || q.str("rate") != "0.007752" || q.str("status") != "QUOTE" || q.str("currency") != "USD" || q.str("narrative") == "" {
		t.Fatalf("quote %s", q.raw)
	}
	if w, _ := e.sim.Wallet(kes); w.Available != before.Available {
		t.Fatal("a quote moved money")
	}
	x := e.call("POST", "wallets/"+kes+"/exchange/", map[string]any{"currency": "USD", "amount": 1290, "action": "EXCHANGE"}).want(t, http.StatusOK)
	if x.str("status") != "COMPLETE" || x.str("fxe_amount") != "10.00" {
		t.Fatalf("exchange %s", x.raw)
	}
	after, _ := e.sim.Wallet(kes)
	if before.Available-after.Available != 129_000 {
		t.Fatalf("KES wallet moved %d cents, want 129000", before.Available-after.Available)
	}
	var usd int64
	for _, w := range e.sim.Wallets() {
		if w.Currency == "USD" && w.Type == "SETTLEMENT" {
			usd = int64(w.Available)
		}
	}
	if usd != 1000 {
		t.Fatalf("USD settlement wallet holds %d cents, want 1000", usd)
	}
	tests := []struct {
		name string
		body map[string]any
		attr string
	}{
		{"same currency", map[string]any{"currency": "KES", "amount": 1, "action": "QUOTE"}, "currency"},
		{"bad action", map[string]any{"currency": "USD", "amount": 1, "action": "SELL"}, "action"},
		{"no amount", map[string]any{"currency": "USD", "action": "QUOTE"}, "amount"},
		{"more than available", map[string]any{"currency": "USD", "amount": 1_000_000, "action": "EXCHANGE"}, "amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.call("POST", "wallets/"+kes+"/exchange/", tt.body).wantErr(t, tt.attr, "")
		})
	}
	e.call("POST", "wallets/NOPE999/exchange/", map[string]any{"currency": "USD", "amount": 1, "action": "QUOTE"}).want(t, http.StatusNotFound)
}

func TestPaybillAccounts(t *testing.T) {
	e := aNew(t, sim.Options{})
	a := e.call("POST", "mpesa-paybill-accounts/", map[string]any{}).want(t, http.StatusCreated)
	b := e.call("POST", "mpesa-paybill-accounts/", map[string]any{"paybill": 888880}).want(t, http.StatusCreated)
	if a.str("paybill") != "4075001" || a.str("id") != "1" || b.str("paybill") != "888880" || a.str("account") == b.str("account") {
		t.Fatalf("accounts %s %s", a.raw, b.raw)
	}
	l := e.call("GET", "mpesa-paybill-accounts/", nil).want(t, http.StatusOK)
	if l.str("count") != "2" || l.str("results.0.id") != "2" {
		t.Fatalf("list %s", l.raw)
	}
	if g := e.call("GET", "mpesa-paybill-accounts/2/", nil).want(t, http.StatusOK); g.str("paybill") != "888880" {
		t.Fatalf("read %s", g.raw)
	}
	e.call("GET", "mpesa-paybill-accounts/3/", nil).want(t, http.StatusNotFound)
	e.call("POST", "mpesa-paybill-accounts/", map[string]any{"paybill": "12ab"}).wantErr(t, "paybill", "invalid")
}

// payment/status/ with a checkout's checkout_id + signature, as the Python
// SDK's status(invoice_id, checkout_id, signature) and PHP's
// Checkout::check_status send them: only the signature handed out for that
// checkout opens its invoice.
func TestPaymentStatusCheckoutProof(t *testing.T) {
	e := aNew(t, sim.Options{})
	co := e.call("POST", "checkout/", map[string]any{"public_key": aPub, "amount": 100, "currency": "KES", "phone_number": aOK},
		"Authorization", aNoAuth).want(t, http.StatusCreated)
	other := e.call("POST", "checkout/", map[string]any{"public_key": aPub, "amount": 5, "currency": "KES"},
		"Authorization", aNoAuth).want(t, http.StatusCreated)
	invID, err := e.sim.PayCheckout(co.str("id"))
	if err != nil {
		t.Fatal(err)
	}
	e.advance(aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal))
	status := func(body map[string]any) aResp {
		return e.call("POST", "payment/status/", body, "Authorization", aNoAuth)
	}
	ok := status(map[string]any{"invoice_id": invID, "checkout_id": co.str("id"), "signature": co.str("signature")}).want(t, http.StatusOK)
	if ok.str("invoice.state") != "COMPLETE" {
		t.Fatalf("status %s", ok.raw)
	}
	tests := []struct {
		name       string
		body       map[string]any
		attr, code string
	}{
		{"forged signature", map[string]any{"invoice_id": invID, "checkout_id": co.str("id"), "signature": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.forged"}, "signature", "invalid"},
		{"another checkout's signature", map[string]any{"invoice_id": invID, "checkout_id": co.str("id"), "signature": other.str("signature")}, "signature", "invalid"},
		{"another checkout", map[string]any{"invoice_id": invID, "checkout_id": other.str("id"), "signature": other.str("signature")}, "invoice_id", "invalid"},
		{"unknown checkout", map[string]any{"invoice_id": invID, "checkout_id": "00000000-0000-0000-0000-000000000000", "signature": co.str("signature")}, "checkout_id", "does_not_exist"},
		{"signature without checkout_id", map[string]any{"invoice_id": invID, "signature": co.str("signature")}, "checkout_id", "required"},
		{"checkout_id without signature, with the key", map[string]any{"invoice_id": invID, "checkout_id": co.str("id"), "public_key": aPub}, "signature", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status(tt.body).wantErr(t, tt.attr, tt.code)
		})
	}
	status(map[string]any{"invoice_id": invID}).want(t, http.StatusUnauthorized)
	status(map[string]any{"invoice_id": invID, "public_key": aPub}).want(t, http.StatusOK)
}
