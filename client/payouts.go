package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Payout providers (the OAS enum, docs/intasend-api.md §2.4).
const (
	MPesaB2C    = "MPESA-B2C"
	MPesaB2B    = "MPESA-B2B"
	PesaLink    = "PESALINK"
	IntaSendP2P = "INTASEND"
	Airtime     = "AIRTIME"
)

// M-Pesa B2B account types; IntaSend's check is case-sensitive.
const (
	PayBill    = "PayBill"
	TillNumber = "TillNumber"
)

// Batch status codes (docs/intasend-api.md §4).
const (
	BatchNew             = "BP101"
	BatchFailed          = "BF102"
	BatchWaitingApproval = "BP103"
	BatchQueued          = "BP104"
	BatchFloatFailed     = "BF105"
	BatchFloatCheck      = "BP106"
	BatchFloatIssue      = "BF107"
	BatchValidating      = "BP108"
	BatchPaying          = "BP109"
	BatchSending         = "BP110"
	BatchCompleted       = "BC100"
	BatchEnded           = "BE111"
)

// Transaction status codes (docs/intasend-api.md §4). Only TS100 is paid and only
// TF103, TF106 and TC108 are known not to have paid: an F in the code is no
// proof (TF104 is results still processing, TF105 a status nobody can
// determine).
const (
	TxSuccessful     = "TS100"
	TxPending        = "TP101"
	TxStarted        = "TP102"
	TxNotInitiated   = "TF103"
	TxResultsPending = "TF104"
	TxUndetermined   = "TF105"
	TxFailed         = "TF106"
	TxObserved       = "TH107"
	TxCancelled      = "TC108"
	TxRetryQueued    = "TR109"
)

// PayoutItem is one payment in a batch. Amount is sent as "38.00".
type PayoutItem struct {
	Name             string `json:"name,omitempty"`
	Account          string `json:"account"` // 2547…/2541… for M-Pesa and airtime; paybill, till or bank account
	BankCode         string `json:"bank_code,omitempty"`
	AccountType      string `json:"account_type,omitempty"` // PayBill | TillNumber (MPESA-B2B)
	AccountReference string `json:"account_reference,omitempty"`
	Narrative        string `json:"narrative,omitempty"`
	IDNumber         string `json:"id_number,omitempty"`
	Amount           Amount `json:"amount"`
}

// InitiateRequest starts a send-money batch.
type InitiateRequest struct {
	Provider     string
	Currency     string // KES when empty
	Transactions []PayoutItem
	// SkipApproval sends requires_approval "NO": the money moves at once,
	// with no preview and no approve step. The zero value asks for approval
	// ("YES"), so forgetting the field can never pay anyone unreviewed.
	SkipApproval   bool
	WalletID       string
	CallbackURL    string
	BatchReference string
	DeviceID       string // the registered device whose key will sign the nonce
}

// Batch is a send-money batch as IntaSend returns it from initiate, approve,
// status and cancel.
type Batch struct {
	FileID              string         `json:"file_id"`
	TrackingID          string         `json:"tracking_id"`
	BatchReference      string         `json:"batch_reference"`
	Status              string         `json:"status"`
	StatusCode          string         `json:"status_code"`
	Nonce               string         `json:"nonce"`
	DeviceID            string         `json:"device_id"`
	Wallet              *Wallet        `json:"wallet"`
	Transactions        []PayoutResult `json:"transactions"`
	ChargeEstimate      Amount         `json:"charge_estimate"`
	TotalAmountEstimate Amount         `json:"total_amount_estimate"`
	TotalAmount         Amount         `json:"total_amount"`
	ActualCharges       Amount         `json:"actual_charges"`
	PaidAmount          Amount         `json:"paid_amount"`
	FailedAmount        Amount         `json:"failed_amount"`
	TransactionsCount   int            `json:"transactions_count"`
	CreatedAt           time.Time      `json:"created_at"`
	UpdatedAt           time.Time      `json:"updated_at"`
	// Raw is the body as received. ApprovePayout echoes it back, as the
	// official SDKs do.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps the raw body and accepts ids and nonces sent as
// numbers ("device_id": 1 in IntaSend's own sample) and transactions_count
// as a number or a string.
func (b *Batch) UnmarshalJSON(data []byte) error {
	var v batchWire
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*b = v.value(append(json.RawMessage(nil), bytes.TrimSpace(data)...))
	return nil
}

// unmarshalWire decodes an answer the client read itself in one pass of
// encoding/json (UnmarshalJSON has the bytes checked and decoded again,
// and each transaction's again), and keeps data as Raw without copying
// it: the request path never reuses the buffer. For a 5,000-line batch
// that is megabytes less garbage at the moment the preview arrives.
func (b *Batch) unmarshalWire(data []byte) error {
	var v batchWire
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*b = v.value(bytes.TrimSpace(data))
	return nil
}

// batchWire is a Batch as the API may send it.
type batchWire struct {
	batchPlain
	FileID         FlexString         `json:"file_id"`
	TrackingID     FlexString         `json:"tracking_id"`
	BatchReference FlexString         `json:"batch_reference"`
	Nonce          FlexString         `json:"nonce"`
	DeviceID       FlexString         `json:"device_id"`
	Count          flexInt            `json:"transactions_count"`
	Transactions   []payoutResultWire `json:"transactions"`
}

type batchPlain Batch // Batch without its UnmarshalJSON

func (v *batchWire) value(raw json.RawMessage) Batch {
	b := Batch(v.batchPlain)
	b.TransactionsCount = int(v.Count)
	b.FileID, b.TrackingID, b.BatchReference = string(v.FileID), string(v.TrackingID), string(v.BatchReference)
	b.Nonce, b.DeviceID = string(v.Nonce), string(v.DeviceID)
	b.Transactions = nil
	if v.Transactions != nil {
		b.Transactions = make([]PayoutResult, len(v.Transactions))
		for i := range v.Transactions {
			b.Transactions[i] = v.Transactions[i].value()
		}
	}
	b.Raw = raw
	return b
}

// WaitingApproval reports whether the batch still needs an approval.
func (b *Batch) WaitingApproval() bool {
	return b.StatusCode == BatchWaitingApproval || b.StatusCode == BatchNew
}

// Approved reports whether the batch has been approved: it has moved on
// from waiting approval to the float check, processing or a result.
func (b *Batch) Approved() bool {
	switch b.StatusCode {
	case BatchQueued, BatchFloatFailed, BatchFloatCheck, BatchFloatIssue, BatchValidating,
		BatchPaying, BatchSending, BatchCompleted:
		return true
	case BatchEnded:
		// Cancelled before approval, or ended early after it: a row that
		// is not cancelled shows the batch ran.
		for _, t := range b.Transactions {
			if t.StatusCode != TxCancelled {
				return true
			}
		}
	}
	return false
}

// Final reports whether the batch will change no more.
func (b *Batch) Final() bool {
	switch b.StatusCode {
	case BatchCompleted, BatchFailed, BatchFloatFailed, BatchFloatIssue, BatchEnded:
		return true
	}
	return false
}

// PayoutResult is one transaction of a batch.
type PayoutResult struct {
	TransactionID       string `json:"transaction_id"`
	Status              string `json:"status"`
	StatusCode          string `json:"status_code"` // TP101 … TS100 | TF106 …
	StatusDescription   string `json:"status_description"`
	RequestReferenceID  string `json:"request_reference_id"`
	Provider            string `json:"provider"`
	BankCode            string `json:"bank_code"`
	Name                string `json:"name"`
	Account             string `json:"account"`
	AccountType         string `json:"account_type"`
	AccountReference    string `json:"account_reference"`
	ProviderReference   string `json:"provider_reference"`
	ProviderAccountName string `json:"provider_account_name"`
	Narrative           string `json:"narrative"`
	Currency            string `json:"currency"`
	Amount              Amount `json:"amount"`
	Charge              Amount `json:"charge"`
}

// Paid reports whether the payment reached the recipient (TS100).
func (r PayoutResult) Paid() bool { return r.StatusCode == TxSuccessful }

// Failed reports whether the payment certainly did not pay: failed to
// initiate (TF103), failed (TF106) or cancelled (TC108). Only these may be
// sent again; an unknown code is never taken for a failure.
func (r PayoutResult) Failed() bool {
	switch r.StatusCode {
	case TxNotInitiated, TxFailed, TxCancelled:
		return true
	}
	return false
}

// InDoubt reports whether IntaSend cannot yet say if the payment paid:
// status undetermined (TF105) or under observation (TH107). Ask IntaSend
// support; sending it again may pay twice.
func (r PayoutResult) InDoubt() bool {
	return r.StatusCode == TxUndetermined || r.StatusCode == TxObserved
}

// UnmarshalJSON accepts accounts, bank codes and references sent as numbers
// ("account": 254723890353 in IntaSend's sample).
func (r *PayoutResult) UnmarshalJSON(data []byte) error {
	var v payoutResultWire
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*r = v.value()
	return nil
}

// payoutResultWire is a PayoutResult as the API may send it.
type payoutResultWire struct {
	payoutResultPlain
	Account          FlexString `json:"account"`
	BankCode         FlexString `json:"bank_code"`
	AccountReference FlexString `json:"account_reference"`
	TransactionID    FlexString `json:"transaction_id"`
}

type payoutResultPlain PayoutResult // PayoutResult without its UnmarshalJSON

func (v *payoutResultWire) value() PayoutResult {
	r := PayoutResult(v.payoutResultPlain)
	r.Account, r.BankCode = string(v.Account), string(v.BankCode)
	r.AccountReference, r.TransactionID = string(v.AccountReference), string(v.TransactionID)
	return r
}

var providers = map[string]bool{MPesaB2C: true, MPesaB2B: true, PesaLink: true, IntaSendP2P: true, Airtime: true}

// InitiatePayout creates a send-money batch. It is NEVER retried, by this
// client or by callers: a repeat would create (and, once approved, pay) a
// second batch. After an ambiguous failure (IsAmbiguous) the batch may or
// may not exist; it cannot be approved without its nonce, so an orphan moves
// no money. Look for it by BatchReference before initiating again.
func (c *Client) InitiatePayout(ctx context.Context, r InitiateRequest) (*Batch, error) {
	if !providers[r.Provider] {
		return nil, fmt.Errorf("initiate payout: unknown provider %q (want MPESA-B2C, MPESA-B2B, PESALINK, INTASEND or AIRTIME)", r.Provider)
	}
	if len(r.Transactions) == 0 {
		return nil, errors.New("initiate payout: no transactions")
	}
	approval := "YES"
	if r.SkipApproval {
		approval = "NO"
	}
	body := struct {
		Provider         string       `json:"provider"`
		Currency         string       `json:"currency"`
		Transactions     []PayoutItem `json:"transactions"`
		RequiresApproval string       `json:"requires_approval"`
		WalletID         string       `json:"wallet_id,omitempty"`
		CallbackURL      string       `json:"callback_url,omitempty"`
		BatchReference   string       `json:"batch_reference,omitempty"`
		DeviceID         string       `json:"device_id,omitempty"`
	}{r.Provider, orKES(r.Currency), r.Transactions, approval, r.WalletID, r.CallbackURL, r.BatchReference, r.DeviceID}
	return decodeInto[Batch](ctx, c, call{method: "POST", path: "send-money/initiate/", body: body})
}

// approvalBody is what approve sends: the batch as IntaSend sent it, with
// the nonce replaced by its signature when the client has a device key.
func (c *Client) approvalBody(b *Batch) (json.RawMessage, error) {
	fields := map[string]json.RawMessage{}
	if len(b.Raw) > 0 {
		if err := json.Unmarshal(b.Raw, &fields); err != nil {
			return nil, fmt.Errorf("approve payout: the batch is not a JSON object: %w", err)
		}
	}
	if fields == nil {
		fields = map[string]json.RawMessage{}
	}
	nonce := b.Nonce
	if nonce == "" {
		return nil, errors.New("approve payout: the batch has no nonce (was it initiated with requires_approval YES?)")
	}
	set := func(k, v string) {
		if _, ok := fields[k]; !ok || v != "" {
			raw, _ := json.Marshal(v)
			fields[k] = raw
		}
	}
	if c.signer == nil {
		if len(b.Raw) > 0 {
			if _, ok := fields["nonce"]; ok {
				return b.Raw, nil // unchanged, byte for byte, as the SDKs send it
			}
		}
		set("nonce", nonce)
	} else {
		sig, err := c.signer.SignNonce(nonce)
		if err != nil {
			return nil, fmt.Errorf("approve payout: %w", err)
		}
		set("nonce", sig)
	}
	set("tracking_id", b.TrackingID)
	return json.Marshal(fields)
}

// ApprovePayout approves a batch by echoing IntaSend's initiate response
// back (docs/intasend-api.md §2.4), its nonce signed when the client has a device key.
// It is never retried; use ApproveOnce to recover from ambiguous failures.
func (c *Client) ApprovePayout(ctx context.Context, b *Batch) (*Batch, error) {
	if b == nil || b.TrackingID == "" {
		return nil, errors.New("approve payout: no batch (tracking id missing)")
	}
	body, err := c.approvalBody(b)
	if err != nil {
		return nil, err
	}
	return decodeInto[Batch](ctx, c, call{method: "POST", path: "send-money/approve/", body: body})
}

// PayoutStatus reads a batch by tracking id. It is safe and retried.
func (c *Client) PayoutStatus(ctx context.Context, trackingID string) (*Batch, error) {
	if trackingID == "" {
		return nil, errors.New("payout status: no tracking id")
	}
	body := struct {
		TrackingID string `json:"tracking_id"`
	}{trackingID}
	return decodeInto[Batch](ctx, c, call{method: "POST", path: "send-money/status/", body: body, safe: true})
}

// CancelPayout cancels a batch that has not been approved, by file id.
// Not retried; after an ambiguous failure read the status.
func (c *Client) CancelPayout(ctx context.Context, fileID string) (*Batch, error) {
	if fileID == "" {
		return nil, errors.New("cancel payout: no file id")
	}
	body := struct {
		FileID string `json:"file_id"`
	}{fileID}
	return decodeInto[Batch](ctx, c, call{method: "POST", path: "send-money/cancel/", body: body})
}

// ErrNotApproved is returned by ApproveOnce when IntaSend says the batch can
// no longer be approved (cancelled, failed before approval).
var ErrNotApproved = errors.New("batch was not approved")

// ErrStillWaiting is returned by ApproveOnce when every attempt failed
// without landing and IntaSend confirms the batch still waits for approval
// (an outage, not a refusal). Nothing was approved; approving again later is
// safe, and is the caller's (or the person's) decision.
var ErrStillWaiting = errors.New("batch still waiting approval")

// approveAttempts bounds ApproveOnce: each attempt is one approve followed,
// if its outcome is unknown, by a status read. The approve is only repeated
// when the status proves the previous one did not land.
const approveAttempts = 4

// ApproveOnce approves b exactly once, even across timeouts, 5xx answers
// and dropped connections. It sends approve; if the outcome is unknown it
// asks for the batch status (itself retried) and decides from IntaSend's
// answer, never blindly:
//   - the batch has left waiting-approval (BP104…BC100): it was approved;
//     the status is returned;
//   - it is still waiting approval: the approve did not land; send it again
//     (IntaSend refuses a second approval anyway);
//   - it ended without approval (cancelled, failed): ErrNotApproved.
//
// A 4xx on the first approve (other than 429, after which it waits
// Retry-After and checks) is returned as is. A 4xx on a later approve
// (e.g. "already approved", because an earlier attempt did land after all)
// is settled by the status too.
func (c *Client) ApproveOnce(ctx context.Context, b *Batch) (*Batch, error) {
	if b == nil || b.TrackingID == "" {
		return nil, errors.New("approve payout: no batch (tracking id missing)")
	}
	var lastErr error
	for attempt := 1; attempt <= approveAttempts; attempt++ {
		out, err := c.ApprovePayout(ctx, b)
		if err == nil {
			return out, nil
		}
		lastErr = err
		if !outcomeUnknown(err, attempt) {
			return nil, err
		}
		var ae *APIError
		if errors.As(err, &ae) && ae.RetryAfter > 0 {
			// Throttled: IntaSend asked us to wait before anything else.
			if werr := sleepCtx(ctx, ae.RetryAfter); werr != nil {
				return nil, err
			}
		}
		st, serr := c.settleApproval(ctx, b.TrackingID)
		switch {
		case serr != nil:
			return nil, fmt.Errorf("approve payout: outcome unknown (%v) and the status could not be read: %w", err, serr)
		case st.Approved():
			return st, nil
		case st.WaitingApproval():
			continue // the approve never landed: sending it again is safe
		default:
			return st, fmt.Errorf("%w: status %s %q after %v", ErrNotApproved, st.StatusCode, st.Status, err)
		}
	}
	return nil, fmt.Errorf("approve payout: %w after %d attempts: %w", ErrStillWaiting, approveAttempts, lastErr)
}

// outcomeUnknown reports whether an approve error leaves the outcome in
// doubt. A 4xx on the first attempt is IntaSend refusing; on a later one it
// may be IntaSend refusing a double of an attempt that did land.
func outcomeUnknown(err error, attempt int) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		if ae.Status >= 500 || ae.Status == http.StatusTooManyRequests {
			return true // 429: refused unprocessed; the status confirms it
		}
		return attempt > 1 && ae.Status == http.StatusBadRequest
	}
	var te *TransportError
	if errors.As(err, &te) {
		return true // sent or not, the status tells
	}
	// A 2xx whose body could not be read: the approve landed, the status
	// confirms it.
	return errors.Is(err, errDecode)
}

// settleApproval reads the status, retrying transient failures beyond the
// client's own retries: it must not give up while the approval's fate is
// unknown, but it is bounded by ctx and a fixed number of rounds.
func (c *Client) settleApproval(ctx context.Context, trackingID string) (*Batch, error) {
	var err error
	for round := 1; round <= 3; round++ {
		var st *Batch
		if st, err = c.PayoutStatus(ctx, trackingID); err == nil {
			return st, nil
		}
		if !IsRetryable(err) || ctx.Err() != nil {
			return nil, err
		}
		if werr := sleepCtx(ctx, c.backoff(round+1)); werr != nil {
			return nil, err
		}
	}
	return nil, err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
