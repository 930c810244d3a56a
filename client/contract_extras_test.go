package client_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
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
	p, err := e.c.CreatePlan(e.ctx, client.PlanRequest{Name: "Gold", Frequency: 1, FrequencyUnit: client.Monthly, Amount: client.Units(500)})
	if err != nil {
		t.Fatal(err)
	}
	up, err := e.c.UpdatePlan(e.ctx, p.ID, client.PlanRequest{Name: "Gold", Frequency: 3, FrequencyUnit: client.Monthly, Amount: client.MustAmount("1450.50")})
	if err != nil || up.ID != p.ID || up.Frequency != 3 || up.Amount != client.MustAmount("1450.50") {
		t.Fatalf("UpdatePlan = %+v, %v", up, err)
	}
	sc, err := e.c.CreateSubscriptionCustomer(e.ctx, client.SubscriptionCustomerRequest{Email: "a@example.com", FirstName: "A", LastName: "B"})
	if err != nil {
		t.Fatal(err)
	}
	us, err := e.c.UpdateSubscriptionCustomer(e.ctx, sc.ID, client.SubscriptionCustomerRequest{Email: "b@example.com", FirstName: "Ann", LastName: "Bee", City: "Mombasa"})
	if err != nil || us.ID != sc.ID || us.Email != "b@example.com" || us.City != "Mombasa" {
		t.Fatalf("UpdateSubscriptionCustomer = %+v, %v", us, err)
	}
	if _, err := e.c.UpdatePlan(e.ctx, "NOPE999", client.PlanRequest{Name: "x", Frequency: 1, FrequencyUnit: "M", Amount: 1}); !client.IsNotFound(err) {
		t.Fatalf("unknown plan: %v", err)
	}

	e.fund(client.Units(2000))
	kes := e.settlement()
	q, err := e.c.WalletExchange(e.ctx, kes.ID, client.ExchangeRequest{Currency: "USD", Amount: client.Units(129), Action: client.ExchangeQuote})
	if err != nil || q.FxeAmount != client.Units(1) || q.Rate != "0.007752" || q.Status != "QUOTE" {
		t.Fatalf("quote = %+v, %v", q, err)
	}
	x, err := e.c.WalletExchange(e.ctx, kes.ID, client.ExchangeRequest{Currency: "USD", Amount: client.Units(1290), Action: client.ExchangeNow})
	if err != nil || x.FxeAmount != client.Units(10) || x.Status != "COMPLETE" {
		t.Fatalf("exchange = %+v, %v", x, err)
	}
	if after := e.settlement(); kes.AvailableBalance-after.AvailableBalance != client.Units(1290) {
		t.Fatalf("KES moved %s", kes.AvailableBalance-after.AvailableBalance)
	}
	_, err = e.c.WalletExchange(e.ctx, kes.ID, client.ExchangeRequest{Currency: "USD", Amount: client.Units(1_000_000), Action: client.ExchangeNow})
	wantAPIError(t, err, 400, "amount")

	pa, err := e.c.CreatePaybillAccount(e.ctx, "")
	if err != nil || pa.ID != 1 || pa.Paybill == "" || pa.Account == 0 {
		t.Fatalf("CreatePaybillAccount = %+v, %v", pa, err)
	}
	if got, err := e.c.GetPaybillAccount(e.ctx, pa.ID); err != nil || got.Account != pa.Account {
		t.Fatalf("GetPaybillAccount = %+v, %v", got, err)
	}
	if l, err := e.c.ListPaybillAccounts(e.ctx, 1); err != nil || l.Count != 1 {
		t.Fatalf("ListPaybillAccounts = %+v, %v", l, err)
	}
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
