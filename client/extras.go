package client

// Calls for the endpoints the official SDKs or the OpenAPI description use
// beyond the core ones: the Python SDK's get_quote and customers.create, the
// OAS's PUT on plans and subscribers, wallet exchange and M-Pesa PayBill
// accounts.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// QuoteRequest asks what a collection would cost (the Python SDK's
// collect.get_quote).
type QuoteRequest struct {
	Method   string // M-PESA, CARD-PAYMENT, …
	Amount   Amount // must be positive
	Currency string // KES when empty
	Tariff   string // BUSINESS-PAYS (default) or CUSTOMER-PAYS
}

// Quote is the estimate: the customer pays Value, IntaSend keeps Charges,
// the merchant gets NetAmount.
type Quote struct {
	Method    string `json:"method"`
	Currency  string `json:"currency"`
	Tariff    string `json:"tarrif"`
	Amount    Amount `json:"amount"`
	Charges   Amount `json:"charges"`
	Value     Amount `json:"value"`
	NetAmount Amount `json:"net_amount"`
}

// GetQuote posts payment/get_amount_estimate/. It moves nothing, so it is
// safe to retry.
func (c *Client) GetQuote(ctx context.Context, r QuoteRequest) (*Quote, error) {
	if r.Method == "" || r.Amount <= 0 {
		return nil, errors.New("get quote: a method and a positive amount are required")
	}
	if r.Tariff == "" {
		r.Tariff = BusinessPays
	}
	body := struct {
		PublicKey string `json:"public_key,omitempty"`
		Currency  string `json:"currency"`
		Method    string `json:"method"`
		Tariff    string `json:"tarrif"`
		Amount    Amount `json:"amount"`
	}{c.publishableKey, orKES(r.Currency), r.Method, r.Tariff, r.Amount}
	return decodeInto[Quote](ctx, c, call{method: "POST", path: "payment/get_amount_estimate/", body: body, safe: true})
}

// CustomerRequest creates a payment customer (the Python SDK's
// customers.create: email plus optional fields).
type CustomerRequest struct {
	Email       string `json:"email"`
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
	PhoneNumber Phone  `json:"phone_number,omitempty"`
	Country     string `json:"country,omitempty"`
	Zipcode     string `json:"zipcode,omitempty"`
}

// CreateCustomer posts customers/. Not retried: after an ambiguous failure,
// look the customer up with ListCustomers.
func (c *Client) CreateCustomer(ctx context.Context, r CustomerRequest) (*Customer, error) {
	if r.Email == "" {
		return nil, errors.New("create customer: email is required")
	}
	if r.PhoneNumber != "" {
		p, err := ParsePhone(string(r.PhoneNumber))
		if err != nil {
			return nil, fmt.Errorf("create customer: %w", err)
		}
		r.PhoneNumber = p
	}
	return postOne[Customer](ctx, c, "customers/", r)
}

// UpdatePlan replaces a plan's fields (PUT subscriptions-plans/{id}/). A PUT
// of the same body twice has the same effect, so it is retried.
func (c *Client) UpdatePlan(ctx context.Context, id string, r PlanRequest) (*Plan, error) {
	if r.Name == "" || r.Frequency <= 0 || r.FrequencyUnit == "" || r.Amount <= 0 {
		return nil, errors.New("update plan: name, a positive frequency, a frequency unit and a positive amount are required")
	}
	r.Currency = orKES(r.Currency)
	return putOne[Plan](ctx, c, "subscriptions-plans/", "plan id", id, r)
}

// UpdateSubscriptionCustomer replaces a subscriber's fields (PUT
// subscriptions-customers/{id}/); retried like UpdatePlan.
func (c *Client) UpdateSubscriptionCustomer(ctx context.Context, id string, r SubscriptionCustomerRequest) (*SubscriptionCustomer, error) {
	if r.Email == "" || r.LastName == "" {
		return nil, errors.New("update subscription customer: email and last name are required")
	}
	return putOne[SubscriptionCustomer](ctx, c, "subscriptions-customers/", "customer id", id, r)
}

func putOne[T any](ctx context.Context, c *Client, prefix, what, id string, body any) (*T, error) {
	seg, err := pathSeg(what, id)
	if err != nil {
		return nil, err
	}
	return decodeInto[T](ctx, c, call{method: "PUT", path: prefix + seg + "/", body: body, safe: true})
}

// Exchange actions.
const (
	ExchangeQuote = "QUOTE"
	ExchangeNow   = "EXCHANGE"
)

// ExchangeRequest converts Amount of a wallet's currency into Currency.
type ExchangeRequest struct {
	Currency string `json:"currency"` // the currency to buy
	Amount   Amount `json:"amount"`   // in the wallet's currency
	Action   string `json:"action"`   // ExchangeQuote or ExchangeNow
}

// Exchange is the answer: FxeAmount of Currency at Rate.
type Exchange struct {
	Rate      string `json:"rate"` // a decimal, kept as text: it is not money
	FxeAmount Amount `json:"fxe_amount"`
	Status    string `json:"status"`
	Currency  string `json:"currency"`
	Narrative string `json:"narrative"`
}

// WalletExchange posts wallets/{id}/exchange/. A QUOTE is retried; an
// EXCHANGE moves money and is sent once (read the wallet back after an
// ambiguous failure).
func (c *Client) WalletExchange(ctx context.Context, walletID string, r ExchangeRequest) (*Exchange, error) {
	seg, err := pathSeg("wallet id", walletID)
	if err != nil {
		return nil, err
	}
	if r.Currency == "" || r.Amount <= 0 || (r.Action != ExchangeQuote && r.Action != ExchangeNow) {
		return nil, errors.New("wallet exchange: a currency, a positive amount and action QUOTE or EXCHANGE are required")
	}
	return decodeInto[Exchange](ctx, c, call{method: "POST", path: "wallets/" + seg + "/exchange/", body: r, safe: r.Action == ExchangeQuote})
}

// PaybillAccount is an M-Pesa PayBill account number under a PayBill.
type PaybillAccount struct {
	ID        int64     `json:"id"`
	Paybill   string    `json:"paybill"`
	Account   int64     `json:"account"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CreatePaybillAccount posts mpesa-paybill-accounts/; paybill may be empty
// to take IntaSend's. Not retried.
func (c *Client) CreatePaybillAccount(ctx context.Context, paybill string) (*PaybillAccount, error) {
	body := struct {
		Paybill string `json:"paybill,omitempty"`
	}{paybill}
	return postOne[PaybillAccount](ctx, c, "mpesa-paybill-accounts/", body)
}

// ListPaybillAccounts returns one page of PayBill accounts.
func (c *Client) ListPaybillAccounts(ctx context.Context, page int) (*Page[PaybillAccount], error) {
	return getPage[PaybillAccount](ctx, c, "mpesa-paybill-accounts/", page)
}

// GetPaybillAccount returns one PayBill account by its integer id.
func (c *Client) GetPaybillAccount(ctx context.Context, id int64) (*PaybillAccount, error) {
	return getOne[PaybillAccount](ctx, c, "mpesa-paybill-accounts/", "paybill account id", strconv.FormatInt(id, 10))
}

// CheckoutPaymentStatus asks for the state of an invoice paid through a
// checkout, proving access with the checkout's id and signature instead of
// the publishable key (the Python SDK's status(invoice_id, checkout_id,
// signature)). Safe to retry.
func (c *Client) CheckoutPaymentStatus(ctx context.Context, invoiceID, checkoutID, signature string) (*PaymentStatus, error) {
	if invoiceID == "" || checkoutID == "" || signature == "" {
		return nil, errors.New("checkout payment status: invoice id, checkout id and signature are required")
	}
	body := struct {
		InvoiceID  string `json:"invoice_id"`
		Signature  string `json:"signature"`
		CheckoutID string `json:"checkout_id"`
	}{invoiceID, signature, checkoutID}
	return decodeInto[PaymentStatus](ctx, c, call{method: "POST", path: "payment/status/", body: body, auth: authNone, safe: true})
}
