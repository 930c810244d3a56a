package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Refund reasons IntaSend accepts (OAS ChargebacksCreate).
const (
	ReasonUnavailable = "Unavailable service"
	ReasonDelayed     = "Delayed delivery"
	ReasonWrong       = "Wrong service"
	ReasonDuplicate   = "Duplicate payment"
	ReasonOther       = "Other"
)

// Refund statuses (docs/intasend-api.md §4).
const (
	RefundPending   = "PENDING"
	RefundCancelled = "CANCELLED"
	RefundDisputed  = "DISPUTED"
	RefundOverdue   = "OVERDUE"
	RefundCompleted = "COMPLETED"
)

// RefundRequest asks IntaSend to refund (part of) a collection.
type RefundRequest struct {
	InvoiceID     string `json:"invoice"`
	Amount        Amount `json:"amount"` // ≤ the invoice's value
	Reason        string `json:"reason"`
	ReasonDetails string `json:"reason_details,omitempty"`
}

// Refund is a chargeback, IntaSend's name for a refund request.
type Refund struct {
	ID            string             `json:"chargeback_id"`
	SessionID     string             `json:"session_id"`
	Transaction   *WalletTransaction `json:"transaction"`
	Invoice       *Invoice           `json:"invoice"`
	Amount        Amount             `json:"amount"`
	Reason        string             `json:"reason"`
	ReasonDetails string             `json:"reason_details"`
	Status        string             `json:"status"`
	Resolution    string             `json:"resolution"`
	StaffCreated  bool               `json:"staff_created"`
	CreatedAt     time.Time          `json:"created_at"`
	UpdatedAt     time.Time          `json:"updated_at"`
}

// UnmarshalJSON accepts "invoice" as an object or a bare invoice id, and
// the older integer "id".
func (r *Refund) UnmarshalJSON(data []byte) error {
	type plain Refund
	var v struct {
		plain
		ID      FlexString      `json:"chargeback_id"`
		OldID   FlexString      `json:"id"`
		Invoice json.RawMessage `json:"invoice"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*r = Refund(v.plain)
	r.ID = string(v.ID)
	if r.ID == "" {
		r.ID = string(v.OldID)
	}
	raw := bytes.TrimSpace(v.Invoice)
	switch {
	case len(raw) == 0 || string(raw) == "null":
	case raw[0] == '{':
		r.Invoice = &Invoice{}
		if err := json.Unmarshal(raw, r.Invoice); err != nil {
			return err
		}
	default:
		var id FlexString
		if err := json.Unmarshal(raw, &id); err != nil {
			return err
		}
		r.Invoice = &Invoice{ID: string(id)}
	}
	return nil
}

// CreateRefund asks for a refund. It moves money, so it is never retried:
// after an ambiguous failure (IsAmbiguous) look through ListRefunds for the
// invoice before asking again.
func (c *Client) CreateRefund(ctx context.Context, r RefundRequest) (*Refund, error) {
	if r.InvoiceID == "" {
		return nil, errors.New("refund: no invoice id")
	}
	if r.Amount <= 0 {
		return nil, fmt.Errorf("refund: amount must be positive, got %s", r.Amount)
	}
	if r.Reason == "" {
		r.Reason = ReasonOther
	}
	return decodeInto[Refund](ctx, c, call{method: "POST", path: "chargebacks/", body: r})
}

// ListRefunds returns one page of refunds.
func (c *Client) ListRefunds(ctx context.Context, page int) (*Page[Refund], error) {
	return decodeInto[Page[Refund]](ctx, c, call{method: "GET", path: "chargebacks/", query: pageQuery(nil, page), safe: true})
}

// GetRefund returns one refund by its chargeback id.
func (c *Client) GetRefund(ctx context.Context, id string) (*Refund, error) {
	seg, err := pathSeg("refund id", id)
	if err != nil {
		return nil, err
	}
	return decodeInto[Refund](ctx, c, call{method: "GET", path: "chargebacks/" + seg + "/", safe: true})
}
