package payout

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/malipo/malipo/client"
)

// The money-moving steps of a batch, as every front end takes them (the
// console's Payouts screen, `malipo payouts initiate|approve`, `malipo mcp`):
// the journal records each attempt before the call and its answer after it,
// the call goes out once, and an answer in doubt is left for a status read.
// What a front end adds is its own: how it asks, what it shows, its audit log.

// InitiateResult is what Initiate did.
type InitiateResult struct {
	Batch *client.Batch // IntaSend's answer (nil when Err, Refusal or JournalErr)
	Err   error         // IntaSend's refusal, or a failure whose outcome may be unknown (client.IsAmbiguous)
	// Refusal: the journal's duplicate guard refused (a *DuplicateError):
	// an identical batch the person was not shown exists or is being
	// initiated. Nothing was sent.
	Refusal error
	// JournalErr: the attempt could not be recorded, so nothing was sent.
	JournalErr error
	// RecordErr: the call went out but the journal missed its answer.
	RecordErr error
}

// Initiate sends d to IntaSend once, with requires_approval YES (so it
// moves no money on its own). Before the call the journal reserves the
// initiate under its lock (ReserveInitiate): an identical batch not in
// again (the entries of Initiated the person saw and chose to initiate
// beside; none by default) or one still being initiated elsewhere refuses
// it, so two sessions or hosts racing the same batch send one initiate.
// If the process dies before the answer, the reservation stays: the
// duplicate guard and the needs-attention list still know a batch may
// exist. After an ambiguous failure nothing more is written and the
// entry stays initiating; after IntaSend's refusal it is released.
func Initiate(ctx context.Context, j *Journal, c *client.Client, d *Draft, deviceID string, again ...Entry) InitiateResult {
	var att string
	if j != nil {
		var err error
		if att, err = j.ReserveInitiate(d, again); IsDuplicate(err) {
			return InitiateResult{Refusal: err}
		} else if err != nil {
			return InitiateResult{JournalErr: err}
		}
	}
	req := d.Request()
	req.DeviceID = deviceID
	b, err := c.InitiatePayout(ctx, req)
	res := InitiateResult{Batch: b, Err: err}
	if j != nil {
		switch {
		case err == nil:
			res.RecordErr = j.recordInitiated(att, d, b)
		case !client.IsAmbiguous(err):
			res.RecordErr = j.recordInitiateFailed(att, d, err)
		}
	}
	return res
}

// ApproveResult is what Approve did.
type ApproveResult struct {
	// Refusal: the journal would not record the approval (policy, limits,
	// expiry, another session approving). Nothing was sent.
	Refusal error
	// Step: the approval was recorded but more are needed. Nothing was sent.
	Step *ApprovalResult
	// JournalErr: the approval could not be recorded. Nothing was sent.
	JournalErr error

	Batch *client.Batch // ApproveOnce's answer
	// Err is ApproveOnce's error: a refusal (4xx), client.ErrNotApproved,
	// client.ErrStillWaiting, or an outcome still unknown after its status
	// reads (then the journal keeps the entry approving until one settles it).
	Err       error
	RecordErr error // the journal missed ApproveOnce's answer
}

// Sent reports whether an approve call went to IntaSend.
func (r ApproveResult) Sent() bool {
	return r.Refusal == nil && r.Step == nil && r.JournalErr == nil
}

// Approve records req's approval in the journal and, only when it is the
// last one needed (RecordApproval says so under the journal's lock, so of
// two sessions exactly one sends), approves with (IntaSend's answer to
// initiate or a status read: it carries the nonce) through
// client.ApproveOnce, then records the outcome when it is known.
func Approve(ctx context.Context, j *Journal, c *client.Client, with *client.Batch, req ApprovalRequest) ApproveResult {
	if j != nil {
		res, err := j.RecordApproval(req)
		switch {
		case IsRefusal(err):
			return ApproveResult{Refusal: err}
		case err != nil:
			return ApproveResult{JournalErr: err}
		case !res.Last:
			return ApproveResult{Step: &res}
		}
	}
	out, err := c.ApproveOnce(ctx, with)
	return ApproveResult{Batch: out, Err: err, RecordErr: RecordApproveOutcome(j, req.TrackingID, out, err)}
}

// RecordApproveOutcome writes ApproveOnce's answer to the journal when it
// is known: approved, refused (a 4xx), proven not landed (still waiting),
// or ended without approval. When the outcome is unknown it writes nothing:
// the entry stays approving, and the status reads that follow (in any
// console or command that opens the journal) settle it.
func RecordApproveOutcome(j *Journal, tid string, out *client.Batch, err error) error {
	if j == nil {
		return nil
	}
	switch {
	case err == nil:
		return j.RecordApproved(tid, out)
	case out != nil && errors.Is(err, client.ErrNotApproved):
		_, serr := j.SettleApproval(tid, out)
		return serr
	case errors.Is(err, client.ErrStillWaiting), Refused(err):
		return j.RecordApproveFailed(tid, err)
	}
	return nil
}

// Refused reports IntaSend refusing a request itself (a 4xx other than
// 429): nothing happened, and the same request would be refused again.
func Refused(err error) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests
}

// RowError is IntaSend refusing one row of an initiate: Row counts from 0,
// Field is what is wrong with it ("account"; "" when not said).
type RowError struct {
	Row           int
	Field, Detail string
}

// RowErrors are IntaSend's per-row refusals in err ("transactions.3.account"),
// in its order, so a front end can point at the row.
func RowErrors(err error) []RowError {
	var ae *client.APIError
	if !errors.As(err, &ae) {
		return nil
	}
	var out []RowError
	for _, e := range ae.Errors {
		r := RowError{Detail: e.Detail}
		if n, _ := fmt.Sscanf(strings.ReplaceAll(e.Attr, ".", " "), "transactions %d %s", &r.Row, &r.Field); n >= 1 {
			out = append(out, r)
		}
	}
	return out
}

// Repeat is a payment a batch makes more than once: the same account at
// the same bank, the same amount.
type Repeat struct {
	Account, BankCode string
	Amount            client.Amount
	Count             int // the rows that make it
}

// Repeats are the payments txs makes more than once, in the order each
// first repeats, and extra, how many rows repeat an earlier one (a file
// imported twice doubles every payment): the last look before money moves,
// in the console's approval dialog and in `payouts approve`.
func Repeats(txs []client.PayoutResult) (extra int, reps []Repeat) {
	type payee struct {
		account, bank string
		amount        client.Amount
	}
	seen := make(map[payee]int, len(txs)) // rows so far
	at := map[payee]int{}
	for _, t := range txs {
		k := payee{t.Account, t.BankCode, t.Amount}
		seen[k]++
		switch n := seen[k]; {
		case n == 2:
			at[k] = len(reps)
			reps = append(reps, Repeat{Account: t.Account, BankCode: t.BankCode, Amount: t.Amount, Count: 2})
			extra++
		case n > 2:
			reps[at[k]].Count = n
			extra++
		}
	}
	return extra, reps
}

// BatchTotal is what b pays out: IntaSend's total_amount, else the sum of
// its rows.
func BatchTotal(b *client.Batch) client.Amount {
	if b.TotalAmount > 0 {
		return b.TotalAmount
	}
	var s client.Amount
	for _, t := range b.Transactions {
		s += t.Amount
	}
	return s
}

// BatchCurrency is b's currency: its wallet's, else its rows', else KES.
func BatchCurrency(b *client.Batch) string {
	if b.Wallet != nil && b.Wallet.Currency != "" {
		return b.Wallet.Currency
	}
	if len(b.Transactions) > 0 && b.Transactions[0].Currency != "" {
		return b.Transactions[0].Currency
	}
	return "KES"
}

// BatchRail is the rail of b's rows ("" when it has none).
func BatchRail(b *client.Batch) Rail {
	if len(b.Transactions) > 0 {
		return Rail(b.Transactions[0].Provider)
	}
	return ""
}

// ApprovalFor is user's approval of batch b as the journal checks it under
// policy p (nil: one approver, no limits): how many approvals it needs
// (counting rows to payees the journal never saw paid when the policy says
// so), the rule, the user's limits and the expiry.
func (p *Policy) ApprovalFor(j *Journal, b *client.Batch, user string) ApprovalRequest {
	payees := BatchPayees(b)
	return p.Request(b, BatchRail(b), BatchCurrency(b), user, payees, len(p.NewPayeeRows(j, payees)))
}

// Request is user's approval of batch b on rail in currency, paying
// payees of whom newPayees were never paid before. ApprovalFor works those
// out from b and the journal; the console passes what it already holds
// (its draft's rail and currency, the new payees counted once per answer
// rather than once per frame), so both ask the policy the same question.
func (p *Policy) Request(b *client.Batch, rail Rail, currency, user string, payees []string, newPayees int) ApprovalRequest {
	total := BatchTotal(b)
	need, rule := p.Need(rail, total+b.ChargeEstimate, newPayees)
	req := ApprovalRequest{TrackingID: b.TrackingID, Total: total, Currency: currency,
		Need: need, Rule: rule, Limits: p.LimitsFor(user), Payees: payees}
	if p != nil {
		req.ExpireAfter = p.ExpireAfter
	}
	return req
}

// NewPayeeRows are the indexes of payees the journal never saw paid, when
// the policy counts new payees (nil when it does not, or without a
// journal): they raise the approvals needed, and the console marks them.
func (p *Policy) NewPayeeRows(j *Journal, payees []string) map[int]bool {
	if p == nil || p.NewPayee == "" || p.NewPayee == NewPayeeAllow || j == nil {
		return nil
	}
	paid := j.PaidBefore()
	rows := map[int]bool{}
	for i, k := range payees {
		if !paid[k] {
			rows[i] = true
		}
	}
	return rows
}
