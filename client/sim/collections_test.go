package sim_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

func TestSTKPushLifecycle(t *testing.T) {
	e := aNew(t, sim.Options{})
	settle := e.sim.SettlementWalletID()
	r := e.aStk(aOK, 1000, nil).want(t, http.StatusOK)
	id := r.str("invoice.invoice_id")
	C := testcheck.C
	testcheck.Expect(t, "ids (invoice, payment)", []string{id, r.str("id")},
		C("invoice id", regexp.MustCompile(`^[A-Z0-9]{7}$`).MatchString(id)),
		C("payment uuid", regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(r.str("id"))))
	r.fields(t, "STK push answer", "invoice.state", "PENDING", "invoice.value", "1000.00", "invoice.charges", "0.00",
		"invoice.provider", "M-PESA", "invoice.account", aOK, "invoice.api_ref", "API Request",
		"customer.phone_number", aOK, "customer.first_name", "Jane", "customer.last_name", "Doe", "refundable", "false")
	testcheck.Expect(t, "STK push answer", r.raw, C("payment_link", r.has("payment_link")), C("customer_comment", r.has("customer_comment")))
	status := func() aResp {
		return e.call("POST", "payment/status/", map[string]any{"invoice_id": id, "public_key": aPub}, "Authorization", aNoAuth).want(t, http.StatusOK)
	}
	e.advance(aStep(aTiming.STKProcessing))
	status().fields(t, "after the prompt", "invoice.state", "PROCESSING", "meta.id", r.str("id"), "meta.customer.customer_id", r.str("customer.customer_id"))
	e.advance(aStep(aTiming.STKFinal))
	s := status().fields(t, "completed", "invoice.state", "COMPLETE", "invoice.charges", "30.00", "invoice.net_amount", "970.00",
		"invoice.clearing_status", "CLEARING")
	testcheck.Expect(t, "completed", s.raw, C("mpesa_reference", regexp.MustCompile(`^[A-Z0-9]{10}$`).MatchString(s.str("invoice.mpesa_reference"))))
	w, _ := e.sim.Wallet(settle)
	testcheck.Expect(t, "settlement while clearing", w, C("current 970", w.Current == client.MustAmount("970")), C("available 0", w.Available == 0))
	e.advance(aStep(aTiming.STKFinal) + 60e9)
	w, _ = e.sim.Wallet(settle)
	testcheck.Expect(t, "settlement after clearing", w,
		C("current 970", w.Current == client.MustAmount("970")), C("available 970", w.Available == client.MustAmount("970")))
	status().fields(t, "clearing status", "invoice.clearing_status", "AVAILABLE")
	// The statement ties the SALE to its invoice.
	e.call("GET", "transactions/?trans_type=SALE", nil).want(t, http.StatusOK).fields(t, "SALE line",
		"count", "1", "results.0.invoice.invoice_id", id, "results.0.status", "AVAILABLE", "results.0.value", "1000.00")
}

func TestSTKPushMagicFailures(t *testing.T) {
	e := aNew(t, sim.Options{FailureRate: 1}) // magic numbers win over the failure rate
	cases := []struct{ phone, state, reason, code string }{
		{aOK, "COMPLETE", "<nil>", "<nil>"},
		{aBroke, "FAILED", "The balance is insufficient for the transaction", "1"},
		{"254700000002", "FAILED", "Request cancelled by user", "1032"},
		{"254700000003", "FAILED", "DS timeout user cannot be reached", "1037"},
		{"0700000004", "FAILED", "The initiator information is invalid", "2001"},
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = e.aStk(c.phone, "150", nil).want(t, http.StatusOK).str("invoice.invoice_id")
	}
	e.advance(aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal))
	for i, c := range cases {
		s := e.call("POST", "payment/status/", map[string]any{"invoice_id": ids[i]}, "Authorization", aNoAuth, "INTASEND_PUBLIC_API_KEY", aPub).want(t, http.StatusOK)
		if s.str("invoice.state") != c.state || s.str("invoice.failed_reason") != c.reason || s.str("invoice.failed_code") != c.code {
			t.Errorf("%s: %s", c.phone, s.raw)
		}
	}
	if w, _ := e.sim.Wallet(e.sim.SettlementWalletID()); w.Current != client.MustAmount("145.50") {
		t.Fatalf("only the successful push may credit: %+v", w)
	}
}

func TestSTKPushFailureRate(t *testing.T) {
	e := aNew(t, sim.Options{FailureRate: 0.5, Rand: 3})
	for range 40 {
		e.aStk("254712345678", 10, nil).want(t, http.StatusOK)
	}
	e.advance(aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal))
	failed := 0
	for _, inv := range e.sim.Invoices() {
		switch inv.State {
		case "FAILED":
			failed++
			if inv.FailedReason == "" || inv.FailedCode == "" {
				t.Fatalf("failure without reason: %+v", inv)
			}
		case "COMPLETE":
		default:
			t.Fatalf("invoice still %s", inv.State)
		}
	}
	if failed < 8 || failed > 32 {
		t.Fatalf("%d of 40 failed at rate 0.5", failed)
	}
}

func TestSTKPushSDKShapes(t *testing.T) {
	e := aNew(t, sim.Options{})
	w := e.call("POST", "wallets/", map[string]any{"label": "Fund", "currency": "KES"}).want(t, http.StatusCreated).str("wallet_id")
	cases := []struct {
		name string
		body string
	}{
		{"python", `{"public_key":"` + aPub + `","currency":"KES","method":"M-PESA","amount":10,"phone_number":"254712345678","api_ref":"API Request","name":null,"email":null,"narrative":"Purchase"}`},
		{"node: numbers as strings and phone as a number", `{"public_key":"` + aPub + `","amount":"10.50","phone_number":254712345678,"api_ref":"order-1","first_name":"x"}`},
		{"php method name", `{"public_key":"` + aPub + `","method":"MPESA_STK_PUSH","amount":"10","phone_number":"0712345678","currency":"KES","wallet_id":"` + w + `"}`},
		{"local phone format", `{"amount":1,"phone_number":"+254 712 345 678"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call("POST", "payment/mpesa-stk-push", c.body).want(t, http.StatusOK)
			if r.str("invoice.account") != "254712345678" || r.str("invoice.state") != "PENDING" {
				t.Fatalf("answered %s", r.raw)
			}
		})
	}
	if n := len(e.call("GET", "customers/", nil).want(t, http.StatusOK).get("results").([]any)); n != 1 {
		t.Fatalf("%d customers for one phone number, want 1", n)
	}
}

func TestSTKPushValidation(t *testing.T) {
	e := aNew(t, sim.Options{})
	usd := e.call("POST", "wallets/", map[string]any{"label": "Dollars", "currency": "USD"}).want(t, http.StatusCreated).str("wallet_id")
	cases := []struct {
		name string
		body map[string]any
		attr string
		code string
	}{
		{"amount missing", map[string]any{"phone_number": aOK}, "amount", "required"},
		{"amount not a number", map[string]any{"phone_number": aOK, "amount": "ten"}, "amount", "invalid"},
		{"amount below 1", map[string]any{"phone_number": aOK, "amount": "0.50"}, "amount", "min_value"},
		{"amount above the M-Pesa limit", map[string]any{"phone_number": aOK, "amount": "150000.01"}, "amount", "max_value"},
		{"phone missing", map[string]any{"amount": 10}, "phone_number", "required"},
		{"landline", map[string]any{"amount": 10, "phone_number": "0202345678"}, "phone_number", "invalid"},
		{"foreign number", map[string]any{"amount": 10, "phone_number": "+255712345678"}, "phone_number", "invalid"},
		{"too short", map[string]any{"amount": 10, "phone_number": 7123}, "phone_number", "invalid"},
		{"currency not KES", map[string]any{"amount": 10, "phone_number": aOK, "currency": "USD"}, "currency", "invalid"},
		{"currency unknown", map[string]any{"amount": 10, "phone_number": aOK, "currency": "XYZ"}, "currency", "invalid_choice"},
		{"api_ref pattern", map[string]any{"amount": 10, "phone_number": aOK, "api_ref": "order#1"}, "api_ref", "invalid"},
		{"api_ref too long", map[string]any{"amount": 10, "phone_number": aOK, "api_ref": strings.Repeat("a", 141)}, "api_ref", "max_length"},
		{"email", map[string]any{"amount": 10, "phone_number": aOK, "email": "not-an-email"}, "email", "invalid"},
		{"wallet unknown", map[string]any{"amount": 10, "phone_number": aOK, "wallet_id": "NOPE999"}, "wallet_id", "does_not_exist"},
		{"wallet in another currency", map[string]any{"amount": 10, "phone_number": aOK, "wallet_id": usd}, "wallet_id", "invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.call("POST", "payment/mpesa-stk-push/", c.body).wantErr(t, c.attr, c.code)
		})
	}
	// At the limit is fine.
	e.aStk(aOK, "150000", nil).want(t, http.StatusOK)
	// Several bad fields are reported together.
	r := e.call("POST", "payment/mpesa-stk-push/", map[string]any{"amount": -1, "phone_number": "abc"})
	r.wantErr(t, "amount", "min_value")
	r.wantErr(t, "phone_number", "invalid")
	if len(e.sim.Invoices()) != 1 {
		t.Fatalf("refused pushes created invoices")
	}
}

func TestPaymentStatusErrors(t *testing.T) {
	e := aNew(t, sim.Options{})
	e.call("POST", "payment/status/", map[string]any{"public_key": aPub}, "Authorization", aNoAuth).wantErr(t, "invoice_id", "required")
	r := e.call("POST", "payment/status/", map[string]any{"public_key": aPub, "invoice_id": "ZZZZZZZ"}, "Authorization", aNoAuth).want(t, http.StatusNotFound)
	if r.str("detail") != "Not found." {
		t.Fatalf("404 body %s", r.raw)
	}
}

func TestCheckout(t *testing.T) {
	e := aNew(t, sim.Options{})
	// The Python SDK's checkout body, publishable key only.
	body := map[string]any{"public_key": aPub, "currency": "KES", "email": "john@example.com", "amount": 2500, "method": "M-PESA",
		"api_ref": "API Request", "callback_url": nil, "redirect_url": "https://shop.example.com/done", "comment": nil,
		"first_name": "John", "last_name": "Doe", "phone_number": "254712345678", "mobile_tarrif": "BUSINESS-PAYS",
		"card_tarrif": "BUSINESS-PAYS", "version": "3.0.0"}
	r := e.call("POST", "checkout/", body, "Authorization", aNoAuth).want(t, http.StatusCreated)
	id := r.str("id")
	C := testcheck.C
	testcheck.Expect(t, "checkout answer", r.raw,
		C("url ends /checkout/<id>/express/", strings.HasSuffix(r.str("url"), "/checkout/"+id+"/express/")),
		C("url is http", strings.HasPrefix(r.str("url"), "http")),
		C("signature is a JWT", strings.HasPrefix(r.str("signature"), "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.")))
	r.fields(t, "checkout answer", "paid", "false", "amount", "2500.00", "mobile_tarrif", "BUSINESS-PAYS", "version", "3.0.0")
	details := func(sig string) aResp {
		return e.call("POST", "checkout/details/", map[string]any{"checkout_id": id, "signature": sig, "public_key": aPub}, "Authorization", aNoAuth)
	}
	details(r.str("signature")).want(t, http.StatusOK).fields(t, "details", "paid", "false", "api_ref", "API Request")
	details("eyJ.forged.sig").wantErr(t, "signature", "invalid")
	e.call("POST", "checkout/details/", map[string]any{"checkout_id": "9f0c2b1e-0000-4000-8000-000000000000", "signature": "x", "public_key": aPub}).
		want(t, http.StatusNotFound)
	e.call("POST", "checkout/details/", map[string]any{"public_key": aPub}).wantErr(t, "checkout_id", "required")

	inv, err := e.sim.PayCheckout(id)
	testcheck.Must(t, "pay checkout", err)
	_, err = e.sim.PayCheckout(id)
	testcheck.Expect(t, "paying a checkout with a payment in progress", err, C("refused", err != nil))
	e.advance(aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal))
	details(r.str("signature")).fields(t, "after payment", "paid", "true")
	info, _ := e.sim.Invoice(inv)
	testcheck.Expect(t, "checkout invoice", info, C("COMPLETE", info.State == "COMPLETE"), C("M-PESA", info.Provider == "M-PESA"),
		C("account", info.Account == "254712345678"), C("checkout id", info.CheckoutID == id), C("value 2500", info.Value == client.Units(2500)))
	_, err = e.sim.PayCheckout(id)
	testcheck.Expect(t, "paying a paid checkout", err, C("refused", err != nil))
}

func TestCheckoutCustomerPaysCard(t *testing.T) {
	e := aNew(t, sim.Options{})
	r := e.call("POST", "checkout/", map[string]any{"public_key": aPub, "currency": "USD", "email": "ann@example.com", "amount": "100",
		"method": "CARD-PAYMENT", "card_tarrif": "CUSTOMER-PAYS"}, "Authorization", aNoAuth).want(t, http.StatusCreated)
	id, err := e.sim.PayCheckout(r.str("id"))
	if err != nil {
		t.Fatal(err)
	}
	e.advance(aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal))
	inv, _ := e.sim.Invoice(id)
	// The customer pays the 3.5% fee on top; the merchant nets the asked amount.
	if inv.State != "COMPLETE" || inv.Value != client.MustAmount("103.50") || inv.Charges != client.MustAmount("3.50") ||
		inv.NetAmount != client.Units(100) || inv.Currency != "USD" {
		t.Fatalf("invoice: %+v", inv)
	}
	var usd *sim.WalletInfo
	for _, w := range e.sim.Wallets() {
		if w.Currency == "USD" && w.Type == "SETTLEMENT" {
			usd = &w
		}
	}
	if usd == nil || usd.Current != client.Units(100) {
		t.Fatalf("USD settlement wallet: %+v", usd)
	}
}

func TestCheckoutValidation(t *testing.T) {
	e := aNew(t, sim.Options{})
	base := func(k string, v any) map[string]any {
		b := map[string]any{"public_key": aPub, "amount": 10, "currency": "KES"}
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name string
		body map[string]any
		attr string
		code string
	}{
		{"amount missing", base("amount", nil), "amount", "required"},
		{"amount zero", base("amount", "0"), "amount", "min_value"},
		{"first name pattern", base("first_name", "J@ne"), "first_name", "invalid"},
		{"last name too long", base("last_name", strings.Repeat("x", 46)), "last_name", "max_length"},
		{"phone pattern", base("phone_number", "07x2"), "phone_number", "invalid"},
		{"country too long", base("country", "KEN"), "country", "max_length"},
		{"api_ref too long", base("api_ref", strings.Repeat("a", 71)), "api_ref", "max_length"},
		{"method", base("method", "PAYPAL"), "method", "invalid_choice"},
		{"currency", base("currency", "JPY"), "currency", "invalid_choice"},
		{"tariff", base("card_tarrif", "SPLIT"), "card_tarrif", "invalid_choice"},
		{"redirect not absolute", base("redirect_url", "/done"), "redirect_url", "invalid"},
		{"wallet unknown", base("wallet_id", "NOPE999"), "wallet_id", "does_not_exist"},
		{"wallet_id too long", base("wallet_id", "ABCDEFGHIJK"), "wallet_id", "max_length"},
		{"M-Pesa above the limit", map[string]any{"public_key": aPub, "amount": 150001, "method": "M-PESA"}, "amount", "max_value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.call("POST", "checkout/", c.body, "Authorization", aNoAuth).wantErr(t, c.attr, c.code)
		})
	}
}

func TestCustomers(t *testing.T) {
	e := aNew(t, sim.Options{})
	r := e.aStk(aOK, 10, nil).want(t, http.StatusOK)
	id := r.str("customer.customer_id")
	l := e.call("GET", "customers/?phone_number="+aOK, nil).want(t, http.StatusOK)
	if l.str("count") != "1" || l.str("results.0.customer_id") != id || l.str("results.0.email") != "jane@example.com" {
		t.Fatalf("customers: %s", l.raw)
	}
	if l := e.call("GET", "customers/?email=nobody@example.com", nil).want(t, http.StatusOK); l.str("count") != "0" {
		t.Fatalf("filter: %s", l.raw)
	}
	if g := e.call("GET", "customers/"+id, nil).want(t, http.StatusOK); g.str("first_name") != "Jane" {
		t.Fatalf("customer: %s", g.raw)
	}
	if tx := e.call("GET", "customers/"+id+"/transactions/", nil).want(t, http.StatusOK); tx.str("results.0.invoice_id") != r.str("invoice.invoice_id") {
		t.Fatalf("customer invoices: %s", tx.raw)
	}
	e.call("GET", "customers/NOPE999/", nil).want(t, http.StatusNotFound)
}
