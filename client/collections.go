package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Invoice states (docs/intasend-api.md §4).
const (
	InvoicePending    = "PENDING"
	InvoiceProcessing = "PROCESSING"
	InvoiceComplete   = "COMPLETE"
	InvoiceFailed     = "FAILED"
	InvoiceRetry      = "RETRY"
	InvoiceCanceled   = "CANCELED"
	InvoicePartial    = "PARTIAL"
)

// Invoice is a collection: an STK push, a checkout payment, a link payment.
type Invoice struct {
	ID             string    `json:"invoice_id"`
	State          string    `json:"state"`
	Provider       string    `json:"provider"` // M-PESA, CARD-PAYMENT, BITCOIN, BANK-ACH, COOP_B2B
	Charges        Amount    `json:"charges"`
	NetAmount      Amount    `json:"net_amount"`
	Value          Amount    `json:"value"`
	Currency       string    `json:"currency"`
	Account        string    `json:"account"` // phone or email
	APIRef         string    `json:"api_ref"`
	ClearingStatus string    `json:"clearing_status"`
	MpesaReference string    `json:"mpesa_reference"`
	Host           string    `json:"host"`
	RetryCount     int       `json:"retry_count"`
	FailedReason   string    `json:"failed_reason"`
	FailedCode     string    `json:"failed_code"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Final reports whether the invoice will change no more.
// PARTIAL counts as final: the customer paid part and IntaSend reports no
// further change, so a poller must stop rather than wait for the rest.
func (i *Invoice) Final() bool {
	switch i.State {
	case InvoiceComplete, InvoiceFailed, InvoiceCanceled, InvoicePartial:
		return true
	}
	return false
}

// UnmarshalJSON accepts accounts sent as numbers and the older "id" key.
func (i *Invoice) UnmarshalJSON(b []byte) error {
	var v invoiceWire
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*i = v.value()
	return nil
}

// invoiceWire is an Invoice as the API may send it. Types that contain an
// Invoice decode through it directly (see PaymentStatus), rather than
// through Invoice.UnmarshalJSON, which has encoding/json check and decode
// the invoice's bytes a second time.
type invoiceWire struct {
	invoicePlain
	ID        FlexString `json:"invoice_id"`
	OldID     FlexString `json:"id"`
	Account   FlexString `json:"account"`
	FailedCod FlexString `json:"failed_code"`
	Retries   flexInt    `json:"retry_count"`
}

type invoicePlain Invoice // Invoice without its UnmarshalJSON

func (v *invoiceWire) value() Invoice {
	i := Invoice(v.invoicePlain)
	i.ID, i.Account, i.FailedCode = string(v.ID), string(v.Account), string(v.FailedCod)
	i.RetryCount = int(v.Retries)
	if i.ID == "" {
		i.ID = string(v.OldID)
	}
	return i
}

// Customer is the payer behind a collection.
type Customer struct {
	ID          string    `json:"customer_id"`
	PhoneNumber string    `json:"phone_number"`
	Email       string    `json:"email"`
	FirstName   string    `json:"first_name"`
	LastName    string    `json:"last_name"`
	Country     string    `json:"country"`
	Zipcode     string    `json:"zipcode"`
	Provider    string    `json:"provider"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// UnmarshalJSON accepts phone numbers sent as numbers and the older "id" key.
func (cu *Customer) UnmarshalJSON(b []byte) error {
	var v customerWire
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*cu = v.value()
	return nil
}

// customerWire is a Customer as the API may send it (see invoiceWire).
type customerWire struct {
	customerPlain
	ID    FlexString `json:"customer_id"`
	OldID FlexString `json:"id"`
	Phone FlexString `json:"phone_number"`
}

type customerPlain Customer // Customer without its UnmarshalJSON

func (v *customerWire) value() Customer {
	cu := Customer(v.customerPlain)
	cu.ID, cu.PhoneNumber = string(v.ID), string(v.Phone)
	if cu.ID == "" {
		cu.ID = string(v.OldID)
	}
	return cu
}

// STKPushRequest asks a customer's phone to approve an M-Pesa payment.
type STKPushRequest struct {
	Phone     Phone  // any form ParsePhone takes; sent as 2547…/2541…
	Amount    Amount // must be positive
	APIRef    string // your reference, ≤140, letters, digits, '-', '_', spaces
	Narrative string
	Name      string
	Email     string
	WalletID  string // credit this wallet instead of the settlement wallet
	Currency  string // KES when empty
}

// STKPushResponse is IntaSend's answer to an STK push: the invoice to poll.
type STKPushResponse struct {
	ID              string       `json:"id"`
	Invoice         Invoice      `json:"invoice"`
	Customer        Customer     `json:"customer"`
	PaymentLink     *PaymentLink `json:"payment_link"`
	CustomerComment string       `json:"customer_comment"`
	Refundable      bool         `json:"refundable"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
}

// UnmarshalJSON accepts refundable as a boolean or a string ("true", "YES").
func (r *STKPushResponse) UnmarshalJSON(b []byte) error {
	type plain STKPushResponse
	var v struct {
		plain
		Refundable flexBool `json:"refundable"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = STKPushResponse(v.plain)
	r.Refundable = bool(v.Refundable)
	return nil
}

// STKPush sends an M-Pesa prompt to the customer's phone. It is never
// retried: a repeat would prompt the customer twice. After an ambiguous
// failure (IsAmbiguous), look for the invoice by api_ref in Transactions
// before asking again.
func (c *Client) STKPush(ctx context.Context, r STKPushRequest) (*STKPushResponse, error) {
	phone, err := ParsePhone(string(r.Phone))
	if err != nil {
		return nil, fmt.Errorf("stk push: %w", err)
	}
	if r.Amount <= 0 {
		return nil, fmt.Errorf("stk push: amount must be positive, got %s", r.Amount)
	}
	body := struct {
		PublicKey   string `json:"public_key,omitempty"`
		Currency    string `json:"currency"`
		Method      string `json:"method"`
		Amount      Amount `json:"amount"`
		PhoneNumber Phone  `json:"phone_number"`
		APIRef      string `json:"api_ref,omitempty"`
		Name        string `json:"name,omitempty"`
		Email       string `json:"email,omitempty"`
		Narrative   string `json:"narrative,omitempty"`
		WalletID    string `json:"wallet_id,omitempty"`
	}{c.publishableKey, orKES(r.Currency), "M-PESA", r.Amount, phone, r.APIRef, r.Name, r.Email, r.Narrative, r.WalletID}
	return decodeInto[STKPushResponse](ctx, c, call{method: "POST", path: "payment/mpesa-stk-push/", body: body})
}

// PaymentStatus is the answer to payment/status/.
type PaymentStatus struct {
	Invoice Invoice     `json:"invoice"`
	Meta    PaymentMeta `json:"meta"`
}

// unmarshalWire decodes a payment/status/ answer in one pass of
// encoding/json: the invoice and the customer through their wire types
// rather than their UnmarshalJSON methods, each of which had the nested
// bytes checked and decoded again (a status poll's largest client cost).
// It gives what json.Unmarshal into a PaymentStatus gives.
func (p *PaymentStatus) unmarshalWire(data []byte) error {
	if fast, ok := fastPaymentStatus(data); ok {
		*p = fast
		return nil
	}
	var v struct {
		Invoice invoiceWire `json:"invoice"`
		Meta    struct {
			paymentMetaPlain
			Customer customerWire `json:"customer"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	p.Invoice = v.Invoice.value()
	p.Meta = PaymentMeta(v.Meta.paymentMetaPlain)
	p.Meta.Customer = v.Meta.Customer.value()
	return nil
}

type paymentMetaPlain PaymentMeta

// PaymentMeta is what IntaSend knows about the payment besides the invoice.
type PaymentMeta struct {
	ID              string       `json:"id"`
	Customer        Customer     `json:"customer"`
	PaymentLink     *PaymentLink `json:"payment_link"`
	CustomerComment string       `json:"customer_comment"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
}

// PaymentStatus asks for an invoice's state. It needs only the publishable
// key (no Bearer is sent, as the SDKs do) and is safe to retry.
func (c *Client) PaymentStatus(ctx context.Context, invoiceID string) (*PaymentStatus, error) {
	if invoiceID == "" {
		return nil, errors.New("payment status: no invoice id")
	}
	body := struct {
		InvoiceID string `json:"invoice_id"`
		PublicKey string `json:"public_key,omitempty"`
	}{invoiceID, c.publishableKey}
	return decodeInto[PaymentStatus](ctx, c, call{method: "POST", path: "payment/status/", body: body, auth: authPublic, safe: true})
}

// Tariffs: who pays IntaSend's fee (note IntaSend's spelling "tarrif").
const (
	BusinessPays = "BUSINESS-PAYS"
	CustomerPays = "CUSTOMER-PAYS"
)

// CheckoutRequest creates a hosted checkout page (docs/intasend-api.md §2.2).
// PublicKey is filled in by Checkout.
type CheckoutRequest struct {
	PublicKey    string `json:"public_key"`
	Amount       Amount `json:"amount"`
	Currency     string `json:"currency"`         // KES when empty
	Method       string `json:"method,omitempty"` // M-PESA, CARD-PAYMENT, BITCOIN, BANK-ACH, COOP_B2B
	Email        string `json:"email,omitempty"`
	FirstName    string `json:"first_name,omitempty"`
	LastName     string `json:"last_name,omitempty"`
	PhoneNumber  string `json:"phone_number,omitempty"`
	Country      string `json:"country,omitempty"`
	APIRef       string `json:"api_ref,omitempty"`
	Comment      string `json:"comment,omitempty"`
	CallbackURL  string `json:"callback_url,omitempty"`
	RedirectURL  string `json:"redirect_url,omitempty"`
	Host         string `json:"host,omitempty"`
	WalletID     string `json:"wallet_id,omitempty"`
	MobileTarrif string `json:"mobile_tarrif,omitempty"`
	CardTarrif   string `json:"card_tarrif,omitempty"`
}

// Checkout is a hosted checkout page. Send the customer to URL.
type Checkout struct {
	ID           string    `json:"id"`
	URL          string    `json:"url"`
	Signature    string    `json:"signature"`
	Paid         bool      `json:"paid"`
	Amount       Amount    `json:"amount"`
	Currency     string    `json:"currency"`
	Method       string    `json:"method"`
	Email        string    `json:"email"`
	FirstName    string    `json:"first_name"`
	LastName     string    `json:"last_name"`
	PhoneNumber  string    `json:"phone_number"`
	APIRef       string    `json:"api_ref"`
	RedirectURL  string    `json:"redirect_url"`
	WalletID     string    `json:"wallet_id"`
	MobileTarrif string    `json:"mobile_tarrif"`
	CardTarrif   string    `json:"card_tarrif"`
	Version      string    `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Checkout creates a checkout page. It needs only the publishable key and
// is never retried (each call makes a new page; an orphan page is harmless
// but confusing).
func (c *Client) Checkout(ctx context.Context, r CheckoutRequest) (*Checkout, error) {
	if r.Amount <= 0 {
		return nil, fmt.Errorf("checkout: amount must be positive, got %s", r.Amount)
	}
	r.PublicKey = c.publishableKey
	r.Currency = orKES(r.Currency)
	return decodeInto[Checkout](ctx, c, call{method: "POST", path: "checkout/", body: r, auth: authPublic})
}

// CheckoutDetails reads a checkout back (to learn whether it was paid),
// given the id and signature IntaSend returned or redirected with.
func (c *Client) CheckoutDetails(ctx context.Context, checkoutID, signature string) (*Checkout, error) {
	if checkoutID == "" || signature == "" {
		return nil, errors.New("checkout details: checkout id and signature are required")
	}
	body := struct {
		PublicKey  string `json:"public_key,omitempty"`
		CheckoutID string `json:"checkout_id"`
		Signature  string `json:"signature"`
	}{c.publishableKey, checkoutID, signature}
	return decodeInto[Checkout](ctx, c, call{method: "POST", path: "checkout/details/", body: body, auth: authPublic, safe: true})
}
