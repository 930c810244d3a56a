package client_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

func TestContractQuoteAndCustomers(t *testing.T) {
	e := newEnv(t, sim.Options{})
	tests := []struct {
		req                   client.QuoteRequest
		charges, value, netAm client.Amount
	}{
		{client.QuoteRequest{Method: "M-PESA", Amount: client.Units(1000)}, client.Units(30), client.Units(1000), client.Units(970)},
		{client.QuoteRequest{Method: "M-PESA", Amount: client.Units(1000), Tariff: client.CustomerPays}, client.Units(30), client.Units(1030), client.Units(1000)},
		{client.QuoteRequest{Method: "CARD-PAYMENT", Amount: client.MustAmount("200.00")}, client.Units(7), client.Units(200), client.Units(193)},
	}
	for _, tt := range tests {
		q, err := e.c.GetQuote(e.ctx, tt.req)
		if err != nil || q.Charges != tt.charges || q.Value != tt.value || q.NetAmount != tt.netAm {
			t.Errorf("%+v: %+v, %v", tt.req, q, err)
		}
	}
	_, err := e.c.GetQuote(e.ctx, client.QuoteRequest{Method: "CHEQUE", Amount: client.Units(1)})
	wantAPIError(t, err, 400, "method")

	cu, err := e.c.CreateCustomer(e.ctx, client.CustomerRequest{Email: "jane@example.com", FirstName: "Jane", PhoneNumber: "0712345678"})
	if err != nil || cu.ID == "" || cu.PhoneNumber != "254712345678" || cu.Email != "jane@example.com" {
		t.Fatalf("CreateCustomer = %+v, %v", cu, err)
	}
	_, err = e.c.CreateCustomer(e.ctx, client.CustomerRequest{Email: "jane@example.com"})
	if ae := wantAPIError(t, err, 400, "email"); ae.Code() != "unique" {
		t.Fatalf("duplicate: %v", err)
	}
	if got, err := e.c.GetCustomer(e.ctx, cu.ID); err != nil || got.FirstName != "Jane" {
		t.Fatalf("GetCustomer = %+v, %v", got, err)
	}
}

func TestContractUpdatesExchangePaybill(t *testing.T) {
	e := newEnv(t, sim.Options{})
	checkUpdates(t, e)
	checkExchange(t, e)
	checkPaybillAccounts(t, e)
}

// checkUpdates: a plan and a subscription customer take updates; an
// unknown plan is not found.
func checkUpdates(t *testing.T, e *env) {
	t.Helper()
	p, err := e.c.CreatePlan(e.ctx, client.PlanRequest{Name: "Gold", Frequency: 1, FrequencyUnit: client.Monthly, Amount: client.Units(500)})
	testcheck.Must(t, "CreatePlan", err)
	up, err := e.c.UpdatePlan(e.ctx, p.ID, client.PlanRequest{Name: "Gold", Frequency: 3, FrequencyUnit: client.Monthly, Amount: client.MustAmount("1450.50")})
	testcheck.Must(t, "UpdatePlan", err)
	testcheck.Expect(t, "UpdatePlan", up, testcheck.C("same id", up.ID == p.ID), testcheck.C("frequency 3", up.Frequency == 3),
		testcheck.C("amount 1450.50", up.Amount == client.MustAmount("1450.50")))
	sc, err := e.c.CreateSubscriptionCustomer(e.ctx, client.SubscriptionCustomerRequest{Email: "a@example.com", FirstName: "A", LastName: "B"})
	testcheck.Must(t, "CreateSubscriptionCustomer", err)
	us, err := e.c.UpdateSubscriptionCustomer(e.ctx, sc.ID, client.SubscriptionCustomerRequest{Email: "b@example.com", FirstName: "Ann", LastName: "Bee", City: "Mombasa"})
	testcheck.Must(t, "UpdateSubscriptionCustomer", err)
	testcheck.Expect(t, "UpdateSubscriptionCustomer", us, testcheck.C("same id", us.ID == sc.ID), testcheck.C("new email", us.Email == "b@example.com"),
		testcheck.C("city Mombasa", us.City == "Mombasa"))
	_, err = e.c.UpdatePlan(e.ctx, "NOPE999", client.PlanRequest{Name: "x", Frequency: 1, FrequencyUnit: "M", Amount: 1})
	testcheck.Expect(t, "unknown plan", err, testcheck.C("not found", client.IsNotFound(err)))
}

// checkExchange: a quote moves nothing; an exchange moves exactly the KES
// asked; more than the balance is refused.
func checkExchange(t *testing.T, e *env) {
	t.Helper()
	e.fund(client.Units(2000))
	kes := e.settlement()
	q, err := e.c.WalletExchange(e.ctx, kes.ID, client.ExchangeRequest{Currency: "USD", Amount: client.Units(129), Action: client.ExchangeQuote})
	testcheck.Must(t, "quote", err)
	testcheck.Expect(t, "quote", q, testcheck.C("USD 1", q.FxeAmount == client.Units(1)), testcheck.C("rate 0.007752", q.Rate == "0.007752"), testcheck.C("QUOTE", q.Status == "QUOTE"))
	x, err := e.c.WalletExchange(e.ctx, kes.ID, client.ExchangeRequest{Currency: "USD", Amount: client.Units(1290), Action: client.ExchangeNow})
	testcheck.Must(t, "exchange", err)
	testcheck.Expect(t, "exchange", x, testcheck.C("USD 10", x.FxeAmount == client.Units(10)), testcheck.C("COMPLETE", x.Status == "COMPLETE"))
	after := e.settlement()
	moved := kes.AvailableBalance - after.AvailableBalance
	testcheck.Expect(t, "KES moved", moved, testcheck.C("1290", moved == client.Units(1290)))
	_, err = e.c.WalletExchange(e.ctx, kes.ID, client.ExchangeRequest{Currency: "USD", Amount: client.Units(1_000_000), Action: client.ExchangeNow})
	wantAPIError(t, err, 400, "amount")
}

// checkPaybillAccounts: the first paybill account made reads back and is
// the one listed.
func checkPaybillAccounts(t *testing.T, e *env) {
	t.Helper()
	pa, err := e.c.CreatePaybillAccount(e.ctx, "")
	testcheck.Must(t, "CreatePaybillAccount", err)
	testcheck.Expect(t, "CreatePaybillAccount", pa, testcheck.C("id 1", pa.ID == 1), testcheck.C("a paybill", pa.Paybill != ""), testcheck.C("an account", pa.Account != 0))
	got, err := e.c.GetPaybillAccount(e.ctx, pa.ID)
	testcheck.Must(t, "GetPaybillAccount", err)
	testcheck.Expect(t, "GetPaybillAccount", got, testcheck.C("same account", got.Account == pa.Account))
	l, err := e.c.ListPaybillAccounts(e.ctx, 1)
	testcheck.Must(t, "ListPaybillAccounts", err)
	testcheck.Expect(t, "ListPaybillAccounts", l, testcheck.C("count 1", l.Count == 1))
}

func TestContractCheckoutPaymentStatus(t *testing.T) {
	e := newEnv(t, sim.Options{})
	co, err := e.c.Checkout(e.ctx, client.CheckoutRequest{Amount: client.Units(100), PhoneNumber: sandboxPhone})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := e.srv.PayCheckout(co.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.advance(15 * time.Second)
	keyless, err := client.New("", testSecret, client.WithBaseURL(e.url), client.WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	st, err := keyless.CheckoutPaymentStatus(e.ctx, inv, co.ID, co.Signature)
	if err != nil || st.Invoice.State != client.InvoiceComplete {
		t.Fatalf("status by signature = %+v, %v", st, err)
	}
	_, err = keyless.CheckoutPaymentStatus(e.ctx, inv, co.ID, "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.forged")
	wantAPIError(t, err, 400, "signature")
}

// The OAS types refundable as a boolean and transactions_count as an
// integer; samples and SDK-era answers carry strings. Both decode.
func TestDecodeBothSpellings(t *testing.T) {
	tests := []struct {
		body       string
		refundable bool
	}{
		{`{"refundable": true}`, true},
		{`{"refundable": "true"}`, true},
		{`{"refundable": "YES"}`, true},
		{`{"refundable": "NO"}`, false},
		{`{"refundable": false}`, false},
		{`{"refundable": null}`, false},
	}
	for _, tt := range tests {
		var r client.STKPushResponse
		if err := json.Unmarshal([]byte(tt.body), &r); err != nil || r.Refundable != tt.refundable {
			t.Errorf("%s: refundable %v, %v", tt.body, r.Refundable, err)
		}
	}
	var bad client.STKPushResponse
	if err := json.Unmarshal([]byte(`{"refundable": "maybe"}`), &bad); err == nil {
		t.Error("refundable \"maybe\" decoded")
	}
	counts := []struct {
		body string
		n    int
	}{{`{"transactions_count": 3}`, 3}, {`{"transactions_count": "3"}`, 3}, {`{"transactions_count": null}`, 0}}
	for _, tt := range counts {
		var b client.Batch
		if err := json.Unmarshal([]byte(tt.body), &b); err != nil || b.TransactionsCount != tt.n {
			t.Errorf("%s: count %d, %v", tt.body, b.TransactionsCount, err)
		}
	}
	var inv client.Invoice
	if err := json.Unmarshal([]byte(`{"retry_count": "2"}`), &inv); err != nil || inv.RetryCount != 2 {
		t.Errorf("retry_count as a string: %d, %v", inv.RetryCount, err)
	}
}
