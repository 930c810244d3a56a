package client_test

// Every request the official Python and PHP SDKs send, reproduced byte for
// byte against the simulator: method, the URL path as the SDK builds it
// (with or without the trailing slash), the headers it sets and the JSON
// body exactly as its serializer writes it. Python's requests encodes with
// json.dumps defaults (", " and ": " separators, None as null); PHP's
// json_encode writes compact JSON and escapes "/" as "\/". Sources:
// IntaSend/intasend-python intasend/{client,collections,wallets,transfers,
// chargebacks,customers,payment_links}.py; IntaSend/intasend-php
// src/{Checkout,Collection,Wallet,Transfer,Chagebacks,PaymentLink}.php and
// src/Traits/BaseAPITrait.php.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
)

// sdkStep is one SDK call.
type sdkStep struct {
	sdk, fn      string // "python", "collect.get_quote"
	method, path string // path relative to the host, with {{vars}}
	headers      string // "bearer+pub", "pub", "bearer+json", "json", "none"
	body         string // exact bytes, with {{vars}}; "" sends none
	want         int
	keep         map[string]string // var name → dotted path in the answer
	then         func(e *env, vars map[string]string)
}

func (st sdkStep) request(t *testing.T, base string, vars map[string]string) *http.Request {
	t.Helper()
	fill := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{{"+k+"}}", v)
		}
		if strings.Contains(s, "{{") {
			t.Fatalf("%s %s: unfilled template %s", st.sdk, st.fn, s)
		}
		return s
	}
	var body io.Reader
	if st.body != "" {
		body = strings.NewReader(fill(st.body))
	}
	req, err := http.NewRequest(st.method, base+fill(st.path), body)
	if err != nil {
		t.Fatal(err)
	}
	if st.sdk == "python" {
		// requests' defaults; json= adds Content-Type only with a body.
		req.Header.Set("User-Agent", "python-requests/2.31.0")
		req.Header.Set("Accept", "*/*")
		req.Header.Set("Accept-Encoding", "gzip, deflate")
		if st.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
	} else {
		req.Header.Set("User-Agent", "GuzzleHttp/7")
	}
	for _, h := range strings.Split(st.headers, "+") {
		switch h {
		case "bearer":
			req.Header.Set("Authorization", "Bearer "+testSecret)
		case "pub": // the Python SDK's header name, underscores and all
			req.Header.Set("INTASEND_PUBLIC_API_KEY", testPub)
		case "json": // PHP's BaseAPITrait sets it on every request
			req.Header.Set("Content-Type", "application/json")
		}
	}
	return req
}

// reencode rewrites a JSON answer as the SDK would send it back (approve
// echoes the initiate answer): Python's json.dumps(json.loads(x)) or PHP's
// json_encode(json_decode(x)), keys in their original order.
func reencode(t *testing.T, raw []byte, sdk string) string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	w := newSDKWriter(sdk)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return w.out.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		w.token(tok)
	}
}

// sdkWriter writes JSON tokens back out with one SDK's separators.
type sdkWriter struct {
	out                strings.Builder
	php                bool
	sepComma, sepColon string
	stack              []bool // true: inside an object
	first              []bool // nothing written yet at this depth
	expectKey          bool
}

func newSDKWriter(sdk string) *sdkWriter {
	w := &sdkWriter{php: sdk == "php", sepComma: ", ", sepColon: ": ", first: []bool{true}}
	if w.php {
		w.sepComma, w.sepColon = ",", ":"
	}
	return w
}

func (w *sdkWriter) inObject() bool { return len(w.stack) > 0 && w.stack[len(w.stack)-1] }

// token writes one token with the separator before it.
func (w *sdkWriter) token(tok json.Token) {
	if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
		w.out.WriteRune(rune(d))
		w.stack, w.first = w.stack[:len(w.stack)-1], w.first[:len(w.first)-1]
		w.expectKey = w.inObject()
		return
	}
	inObj := w.inObject()
	if !w.first[len(w.first)-1] && (!inObj || w.expectKey) {
		w.out.WriteString(w.sepComma)
	}
	w.first[len(w.first)-1] = false
	if d, ok := tok.(json.Delim); ok {
		w.out.WriteRune(rune(d))
		w.stack, w.first = append(w.stack, d == '{'), append(w.first, true)
		w.expectKey = d == '{'
		return
	}
	w.scalar(tok)
	if inObj && w.expectKey {
		w.out.WriteString(w.sepColon)
		w.expectKey = false
		return
	}
	w.expectKey = inObj
}

// scalar writes a string, null, bool or number; PHP escapes slashes.
func (w *sdkWriter) scalar(tok json.Token) {
	switch v := tok.(type) {
	case string:
		b, _ := json.Marshal(v)
		s := string(b)
		if w.php {
			s = strings.ReplaceAll(s, "/", `\/`)
		}
		w.out.WriteString(s)
	case nil:
		w.out.WriteString("null")
	case bool:
		b, _ := json.Marshal(v)
		w.out.Write(b)
	case json.Number:
		w.out.WriteString(v.String())
	}
}

func TestReencode(t *testing.T) {
	in := []byte(`{"a":"x/y","b":[1,{"c":null,"d":true}],"e":{}}`)
	tests := map[string]string{
		"python": `{"a": "x/y", "b": [1, {"c": null, "d": true}], "e": {}}`,
		"php":    `{"a":"x\/y","b":[1,{"c":null,"d":true}],"e":{}}`,
	}
	for sdk, want := range tests {
		if got := reencode(t, in, sdk); got != want {
			t.Errorf("%s:\n got %s\nwant %s", sdk, got, want)
		}
	}
}

// settle lets every pending payment finish and clear.
func settle(e *env, _ map[string]string) { e.advance(15 * time.Second); e.advance(2 * time.Minute) }

// payCheckout plays the customer paying the checkout just created.
func payCheckout(e *env, vars map[string]string) {
	inv, err := e.srv.PayCheckout(vars["checkout"])
	if err != nil {
		e.t.Fatal(err)
	}
	vars["co_invoice"] = inv
	settle(e, vars)
}

const pyCheckoutBody = `{"public_key": "{{pub}}", "currency": "KES", "email": "jane@example.com", "amount": 10, "method": null, "api_ref": "API Request", "callback_url": null, "redirect_url": "https://example.com/done", "comment": null, "first_name": null, "last_name": null, "phone_number": "254708374149", "mobile_tarrif": "BUSINESS-PAYS", "card_tarrif": "BUSINESS-PAYS", "version": "3.0.0"}`

var pythonSteps = []sdkStep{
	{sdk: "python", fn: "wallets.create", method: "POST", path: "/api/v1/wallets/", headers: "bearer+pub",
		body: `{"wallet_type": "WORKING", "currency": "KES", "label": "ops float", "can_disburse": true}`, want: 201, keep: map[string]string{"wallet": "wallet_id"}},
	{sdk: "python", fn: "wallets.retrieve", method: "GET", path: "/api/v1/wallets/", headers: "bearer+pub", want: 200},
	{sdk: "python", fn: "wallets.details", method: "GET", path: "/api/v1/wallets/{{wallet}}", headers: "bearer+pub", want: 200},
	{sdk: "python", fn: "wallets.transactions", method: "GET", path: "/api/v1/wallets/{{wallet}}/transactions", headers: "bearer+pub", want: 200},
	{sdk: "python", fn: "collect.mpesa_stk_push", method: "POST", path: "/api/v1/payment/mpesa-stk-push/", headers: "bearer+pub",
		body: `{"public_key": "{{pub}}", "currency": "KES", "method": "M-PESA", "amount": 2000, "phone_number": 254708374149, "api_ref": "API Request", "name": null, "email": null, "narrative": "Purchase"}`,
		want: 200, keep: map[string]string{"invoice": "invoice.invoice_id"}, then: settle},
	{sdk: "python", fn: "collect.status", method: "POST", path: "/api/v1/payment/status/", headers: "pub",
		body: `{"invoice_id": "{{invoice}}", "public_key": "{{pub}}"}`, want: 200},
	{sdk: "python", fn: "collect.get_quote", method: "POST", path: "/api/v1/payment/get_amount_estimate/", headers: "bearer+pub",
		body: `{"public_key": "{{pub}}", "currency": "KES", "method": "M-PESA", "tarrif": "BUSINESS-PAYS", "amount": 100}`, want: 200},
	{sdk: "python", fn: "collect.checkout", method: "POST", path: "/api/v1/checkout/", headers: "pub",
		body: pyCheckoutBody, want: 201, keep: map[string]string{"checkout": "id", "signature": "signature"}, then: payCheckout},
	{sdk: "python", fn: "collect.status (checkout_id, signature)", method: "POST", path: "/api/v1/payment/status/", headers: "pub",
		body: `{"invoice_id": "{{co_invoice}}", "signature": "{{signature}}", "checkout_id": "{{checkout}}"}`, want: 200},
	{sdk: "python", fn: "customers.create", method: "POST", path: "/api/v1/customers/", headers: "bearer+pub",
		body: `{"first_name": "Wanjiru", "last_name": "Kamau", "email": "wanjiru@example.com"}`, want: 201, keep: map[string]string{"customer": "customer_id"}},
	{sdk: "python", fn: "customers.retrieve", method: "GET", path: "/api/v1/customers/", headers: "bearer+pub", want: 200},
	{sdk: "python", fn: "customers.details", method: "GET", path: "/api/v1/customers/{{customer}}", headers: "bearer+pub", want: 200},
	{sdk: "python", fn: "customers.transactions", method: "GET", path: "/api/v1/customers/{{customer}}/transactions", headers: "bearer+pub", want: 200},
	{sdk: "python", fn: "chargebacks.create", method: "POST", path: "/api/v1/chargebacks/", headers: "bearer+pub",
		body: `{"invoice": "{{invoice}}", "amount": 5, "reason": "Unavailable service", "reason_details": null}`, want: 201, keep: map[string]string{"chargeback": "chargeback_id"}},
	{sdk: "python", fn: "chargebacks.retrieve", method: "GET", path: "/api/v1/chargebacks/", headers: "bearer+pub", body: `{}`, want: 200},
	{sdk: "python", fn: "chargebacks.details", method: "GET", path: "/api/v1/chargebacks/{{chargeback}}/", headers: "bearer+pub", body: `{}`, want: 200},
	{sdk: "python", fn: "wallets.intra_transfer", method: "POST", path: "/api/v1/wallets/{{settlement}}/intra_transfer/", headers: "bearer+pub",
		body: `{"wallet_id": "{{wallet}}", "amount": 50, "narrative": "float"}`, want: 200},
	{sdk: "python", fn: "wallets.fund (MPESA-STK-PUSH)", method: "POST", path: "/api/v1/payment/mpesa-stk-push/", headers: "bearer+pub",
		body: `{"public_key": "{{pub}}", "currency": "KES", "method": "M-PESA", "amount": 10, "phone_number": "254708374149", "api_ref": "API Request", "name": null, "email": "jane@example.com", "narrative": "top up", "wallet_id": "{{wallet}}"}`, want: 200},
	{sdk: "python", fn: "wallets.fund (LINK)", method: "POST", path: "/api/v1/checkout/", headers: "pub",
		body: `{"public_key": "{{pub}}", "currency": "KES", "email": "jane@example.com", "amount": 10, "method": null, "api_ref": "API Request", "callback_url": null, "redirect_url": null, "comment": null, "first_name": null, "last_name": null, "phone_number": "254708374149", "mobile_tarrif": "BUSINESS-PAYS", "card_tarrif": "BUSINESS-PAYS", "version": "3.0.0", "wallet_id": "{{wallet}}"}`, want: 201},
	{sdk: "python", fn: "transfer.mpesa", method: "POST", path: "/api/v1/send-money/initiate/", headers: "bearer+pub",
		body: `{"provider": "MPESA-B2C", "currency": "KES", "transactions": [{"name": "Jane Doe", "account": 254708374149, "amount": 100, "narrative": "salary"}], "requires_approval": "YES", "callback_url": null, "wallet_id": null}`,
		want: 200, keep: map[string]string{"tracking": "tracking_id", "@approve": ""}},
	{sdk: "python", fn: "transfer.approve", method: "POST", path: "/api/v1/send-money/approve/", headers: "bearer+pub", body: `{{approve}}`, want: 200},
	{sdk: "python", fn: "transfer.status", method: "POST", path: "/api/v1/send-money/status/", headers: "bearer+pub", body: `{"tracking_id": "{{tracking}}"}`, want: 200},
	{sdk: "python", fn: "transfer.mpesa_b2b", method: "POST", path: "/api/v1/send-money/initiate/", headers: "bearer+pub",
		body: `{"provider": "MPESA-B2B", "currency": "KES", "transactions": [{"name": "KPLC", "account": "888880", "account_type": "PayBill", "account_reference": "1234567", "amount": "500", "narrative": "power"}], "requires_approval": "YES", "callback_url": null, "wallet_id": null}`, want: 200},
	{sdk: "python", fn: "transfer.bank", method: "POST", path: "/api/v1/send-money/initiate/", headers: "bearer+pub",
		body: `{"provider": "PESALINK", "currency": "KES", "transactions": [{"name": "Jane Doe", "account": "1234567890", "bank_code": "2", "amount": 500, "narrative": "rent"}], "requires_approval": "YES", "callback_url": null, "wallet_id": null}`, want: 200},
	{sdk: "python", fn: "transfer.intasend", method: "POST", path: "/api/v1/send-money/initiate/", headers: "bearer+pub",
		body: `{"provider": "INTASEND", "currency": "KES", "transactions": [{"name": "Jane", "account": "254712345678", "amount": 50, "narrative": "p2p"}], "requires_approval": "YES", "callback_url": null, "wallet_id": null}`, want: 200},
	{sdk: "python", fn: "transfer.airtime", method: "POST", path: "/api/v1/send-money/initiate/", headers: "bearer+pub",
		body: `{"provider": "AIRTIME", "currency": "KES", "transactions": [{"name": "Jane", "account": "254712345678", "amount": 20}], "requires_approval": "NO", "callback_url": null, "wallet_id": null}`, want: 200},
	{sdk: "python", fn: "transfer.get_bank_codes", method: "GET", path: "/api/v1/send-money/bank-codes/ke/", headers: "pub", body: `{}`, want: 200},
	{sdk: "python", fn: "payment_links.create", method: "POST", path: "/api/v1/paymentlinks/", headers: "bearer+pub",
		body: `{"title": "School fees", "currency": "KES", "amount": 2500, "mobile_tarrif": "BUSINESS-PAYS", "card_tarrif": "BUSINESS-PAYS", "is_active": true}`, want: 201, keep: map[string]string{"link": "id"}},
	{sdk: "python", fn: "payment_links.retrieve", method: "GET", path: "/api/v1/paymentlinks/", headers: "bearer+pub", want: 200},
	{sdk: "python", fn: "payment_links.details", method: "GET", path: "/api/v1/paymentlinks/{{link}}", headers: "bearer+pub", want: 200},
	{sdk: "python", fn: "payment_links.deactivate / update (both GET the list)", method: "GET", path: "/api/v1/paymentlinks/", headers: "bearer+pub", want: 200},
}

var phpSteps = []sdkStep{
	{sdk: "php", fn: "Wallet::create", method: "POST", path: "/api/v1/wallets/", headers: "bearer+json",
		body: `{"wallet_type":"WORKING","currency":"KES","label":"php float","can_disburse":true}`, want: 201, keep: map[string]string{"wallet": "wallet_id"}},
	{sdk: "php", fn: "Wallet::retrieve", method: "GET", path: "/api/v1/wallets/", headers: "bearer+json", want: 200},
	{sdk: "php", fn: "Wallet::details", method: "GET", path: "/api/v1/wallets/{{wallet}}", headers: "bearer+json", want: 200},
	{sdk: "php", fn: "Wallet::transactions", method: "GET", path: "/api/v1/wallets/{{wallet}}/transactions", headers: "bearer+json", want: 200},
	{sdk: "php", fn: "Collection::mpesa_stk_push", method: "POST", path: "/api/v1/payment/mpesa-stk-push/", headers: "bearer+json",
		body: `{"public_key":"{{pub}}","currency":"KES","method":"MPESA_STK_PUSH","amount":2000,"api_ref":"API Request","phone_number":"254708374149","email":null,"wallet_id":null}`,
		want: 200, keep: map[string]string{"invoice": "invoice.invoice_id"}, then: settle},
	{sdk: "php", fn: "Collection::status", method: "POST", path: "/api/v1/payment/status/", headers: "json",
		body: `{"public_key":"{{pub}}","invoice_id":"{{invoice}}"}`, want: 200},
	{sdk: "php", fn: "Checkout::create", method: "POST", path: "/api/v1/checkout/", headers: "json",
		body: `{"public_key":"{{pub}}","amount":10,"currency":"KES","email":"joe@doe.com","first_name":"Joe","last_name":"Doe","country":"KE","phone_number":null,"address":"Apt 123, Westland road","city":"Nairobi","state":"Nairobi","zipcode":"0100","redirect_url":"https:\/\/example.com\/callback","method":null,"api_ref":"test-order-10","comment":null,"card_tarrif":"BUSINESS-PAYS","mobile_tarrif":"BUSINESS-PAYS","host":"https:\/\/example.com"}`,
		want: 201, keep: map[string]string{"checkout": "id", "signature": "signature"}, then: payCheckout},
	{sdk: "php", fn: "Checkout::check_status", method: "POST", path: "/api/v1/payment/status/", headers: "bearer+json",
		body: `{"signature":"{{signature}}","checkout_id":"{{checkout}}","invoice_id":"{{co_invoice}}"}`, want: 200},
	{sdk: "php", fn: "Wallet::intra_transfer", method: "POST", path: "/api/v1/wallets/{{settlement}}/intra_transfer/", headers: "bearer+json",
		body: `{"wallet_id":"{{wallet}}","amount":50,"narrative":"float"}`, want: 200},
	{sdk: "php", fn: "Chagebacks::create", method: "POST", path: "/api/v1/chargebacks/", headers: "bearer+json",
		body: `{"invoice":"{{invoice}}","amount":5,"reason":"Unavailable service","reason_details":null}`, want: 201, keep: map[string]string{"chargeback": "chargeback_id"}},
	{sdk: "php", fn: "Chagebacks::retrieve", method: "GET", path: "/api/v1/chargebacks/", headers: "bearer+json", want: 200},
	{sdk: "php", fn: "Chagebacks::details", method: "GET", path: "/api/v1/chargebacks/{{chargeback}}", headers: "bearer+json", want: 200},
	{sdk: "php", fn: "Transfer::mpesa", method: "POST", path: "/api/v1/send-money/initiate/", headers: "bearer+json",
		body: `{"provider":"MPESA-B2C","currency":"KES","requires_approval":"YES","transactions":[{"account":"254708374149","amount":"20"},{"account":"254708374149","amount":"15"}],"callback_url":null,"wallet_id":null}`,
		want: 200, keep: map[string]string{"tracking": "tracking_id", "@approve": ""}},
	{sdk: "php", fn: "Transfer::approve", method: "POST", path: "/api/v1/send-money/approve/", headers: "bearer+json", body: `{{approve}}`, want: 200},
	{sdk: "php", fn: "Transfer::status", method: "POST", path: "/api/v1/send-money/status/", headers: "bearer+json", body: `{"tracking_id":"{{tracking}}"}`, want: 200},
	{sdk: "php", fn: "PaymentLink::create", method: "POST", path: "/api/v1/paymentlinks/", headers: "bearer+json",
		body: `{"title":"School fees","currency":"KES","amount":2500,"mobile_tarrif":"BUSINESS-PAYS","card_tarrif":"BUSINESS-PAYS","is_active":true}`, want: 201, keep: map[string]string{"link": "id"}},
	{sdk: "php", fn: "PaymentLink::retrieve", method: "GET", path: "/api/v1/paymentlinks/", headers: "bearer+json", want: 200},
	{sdk: "php", fn: "PaymentLink::details", method: "GET", path: "/api/v1/paymentlinks/{{link}}", headers: "bearer+json", want: 200},
}

func TestContractOfficialSDKs(t *testing.T) {
	for _, steps := range [][]sdkStep{pythonSteps, phpSteps} {
		t.Run(steps[0].sdk, func(t *testing.T) {
			e := newEnv(t, sim.Options{})
			vars := map[string]string{"pub": testPub, "settlement": e.srv.SettlementWalletID()}
			for _, st := range steps {
				// Later steps use what earlier ones made: stop at the first failure.
				if !t.Run(st.fn, func(t *testing.T) { runSDKStep(t, e, st, vars) }) {
					return
				}
			}
		})
	}
}

func runSDKStep(t *testing.T, e *env, st sdkStep, vars map[string]string) {
	t.Helper()
	res, err := http.DefaultClient.Do(st.request(t, e.url, vars))
	if err != nil {
		t.Fatalf("%s %s: %v", st.sdk, st.fn, err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != st.want {
		t.Fatalf("%s %s: status %d, want %d: %s", st.sdk, st.fn, res.StatusCode, st.want, raw)
	}
	var answer any
	if err := json.Unmarshal(raw, &answer); err != nil {
		t.Fatalf("%s %s: answer is not JSON (the SDKs call .json()/json_decode): %q", st.sdk, st.fn, raw)
	}
	for name, path := range st.keep {
		if name == "@approve" {
			vars["approve"] = reencode(t, raw, st.sdk)
			continue
		}
		v := lookupPath(answer, path)
		if v == "" {
			t.Fatalf("%s %s: no %s in %s", st.sdk, st.fn, path, raw)
		}
		vars[name] = v
	}
	if st.then != nil {
		st.then(e, vars)
	}
}

// lookupPath follows a dotted path through decoded JSON to a string or number.
func lookupPath(v any, path string) string {
	for _, p := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[p]
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return ""
}

// The settled collections and the approved batch really moved money: the
// SDK flows are not merely accepted.
func TestContractOfficialSDKsMoveMoney(t *testing.T) {
	e := newEnv(t, sim.Options{})
	vars := map[string]string{"pub": testPub, "settlement": e.srv.SettlementWalletID()}
	for _, st := range phpSteps {
		runSDKStep(t, e, st, vars)
	}
	e.advance(time.Minute)
	c, err := e.c.PayoutStatus(e.ctx, vars["tracking"])
	if err != nil || c.StatusCode != client.BatchCompleted || c.PaidAmount != client.Units(35) {
		t.Fatalf("PHP batch: %+v, %v", c, err)
	}
	if n := e.srv.Counters().Approved[vars["tracking"]]; n != 1 {
		t.Fatalf("approved %d times", n)
	}
}
