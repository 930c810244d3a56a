package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// PaymentLink is a reusable payment page (docs/intasend-api.md §2.3).
type PaymentLink struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Currency     string    `json:"currency"`
	Amount       Amount    `json:"amount"` // zero: the customer chooses
	UsageLimit   int       `json:"usage_limit"`
	IsActive     bool      `json:"is_active"`
	RedirectURL  string    `json:"redirect_url"`
	MobileTarrif string    `json:"mobile_tarrif"`
	CardTarrif   string    `json:"card_tarrif"`
	URL          string    `json:"url"`
	QRCodeFile   string    `json:"qrcode_file"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// UnmarshalJSON also accepts a bare string (an id or a link's URL), which
// some answers carry where the contract has the object.
func (l *PaymentLink) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '"' {
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return err
		}
		*l = PaymentLink{ID: s}
		if bytes.Contains(t, []byte("/")) {
			*l = PaymentLink{URL: s}
		}
		return nil
	}
	type plain PaymentLink
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*l = PaymentLink(v)
	return nil
}

// PaymentLinkRequest creates or updates a payment link.
type PaymentLinkRequest struct {
	Title        string // required, ≤140, letters, digits, '-', '_', spaces
	Currency     string // KES when empty
	Amount       Amount // whole units only (IntaSend takes an integer); zero: the customer chooses
	UsageLimit   int    // zero: unlimited
	Inactive     bool   // create or set the link deactivated
	RedirectURL  string
	MobileTarrif string // BUSINESS-PAYS (default) or CUSTOMER-PAYS
	CardTarrif   string
}

// wire is the body IntaSend takes: amount is an integer there (OAS), unlike
// everywhere else.
func (r PaymentLinkRequest) wire() (any, error) {
	if r.Title == "" {
		return nil, errors.New("payment link: a title is required")
	}
	if r.Amount < 0 || r.Amount%100 != 0 {
		return nil, fmt.Errorf("payment link: amount must be a whole, non-negative number of units, got %s", r.Amount)
	}
	return struct {
		Title        string `json:"title"`
		Currency     string `json:"currency"`
		Amount       int64  `json:"amount"`
		UsageLimit   int    `json:"usage_limit,omitempty"`
		IsActive     bool   `json:"is_active"`
		RedirectURL  string `json:"redirect_url,omitempty"`
		MobileTarrif string `json:"mobile_tarrif,omitempty"`
		CardTarrif   string `json:"card_tarrif,omitempty"`
	}{r.Title, orKES(r.Currency), r.Amount.Cents() / 100, r.UsageLimit, !r.Inactive, r.RedirectURL, r.MobileTarrif, r.CardTarrif}, nil
}

// CreatePaymentLink makes a payment link. Not retried.
func (c *Client) CreatePaymentLink(ctx context.Context, r PaymentLinkRequest) (*PaymentLink, error) {
	body, err := r.wire()
	if err != nil {
		return nil, err
	}
	return decodeInto[PaymentLink](ctx, c, call{method: "POST", path: "paymentlinks/", body: body})
}

// ListPaymentLinks returns one page of payment links.
func (c *Client) ListPaymentLinks(ctx context.Context, page int) (*Page[PaymentLink], error) {
	return decodeInto[Page[PaymentLink]](ctx, c, call{method: "GET", path: "paymentlinks/", query: pageQuery(nil, page), safe: true})
}

// GetPaymentLink returns one payment link.
func (c *Client) GetPaymentLink(ctx context.Context, id string) (*PaymentLink, error) {
	seg, err := pathSeg("payment link id", id)
	if err != nil {
		return nil, err
	}
	return decodeInto[PaymentLink](ctx, c, call{method: "GET", path: "paymentlinks/" + seg + "/", safe: true})
}

// UpdatePaymentLink replaces a payment link's fields (PUT).
func (c *Client) UpdatePaymentLink(ctx context.Context, id string, r PaymentLinkRequest) (*PaymentLink, error) {
	seg, err := pathSeg("payment link id", id)
	if err != nil {
		return nil, err
	}
	body, err := r.wire()
	if err != nil {
		return nil, err
	}
	return decodeInto[PaymentLink](ctx, c, call{method: "PUT", path: "paymentlinks/" + seg + "/", body: body})
}
