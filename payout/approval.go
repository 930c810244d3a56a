package payout

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// EventApproval is one person's approval of a batch that needs several
// (issue 13). It is a step, not a status: the batch still waits until the
// last required approval, which is recorded together with approving.
const EventApproval = "approval"

// Approval is one recorded approval step.
type Approval struct {
	By     string        `json:"by"`
	At     time.Time     `json:"at"`
	Rule   string        `json:"rule,omitempty"` // the rule that set Need ("" for the default of one)
	Need   int           `json:"need"`
	Amount client.Amount `json:"amount"` // the batch total approved, for the approver's limits
}

// ApprovalRequest is what an approver asks the journal to record.
type ApprovalRequest struct {
	TrackingID string
	Total      client.Amount // the batch total (for limits)
	Currency   string
	Need       int    // approvals the batch needs under the current policy
	Rule       string // the rule that says so
	Limits     Limits // the approver's
	Payees     []string
	// ExpireAfter refuses a batch initiated longer ago than this (0: never).
	ExpireAfter time.Duration
}

// ApprovalResult is where the batch stands after a recorded approval.
type ApprovalResult struct {
	Count, Need int
	By          []string // who has approved, in order
	// Last: this approval completes the batch's approvals and approving is
	// recorded with it; the caller, and only it, sends IntaSend's approve.
	Last bool
}

// Refusal is an approval the journal would not record, with the reason in
// words a person can act on.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

// IsRefusal reports whether err is the journal refusing an approval.
func IsRefusal(err error) bool {
	var r *Refusal
	return errors.As(err, &r)
}

// RecordApproval records the acting user's approval of a batch, under the
// events file's lock, so that of two sessions approving at once exactly
// one is the last approver: the journal is read again under the lock, the
// checks run on what it says, and the approval (and, when it is the last
// one needed, approving) is appended before the lock is released. A
// refused approval writes nothing.
func (j *Journal) RecordApproval(req ApprovalRequest) (ApprovalResult, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var res ApprovalResult
	err := j.locked(func() error {
		var err error
		res, err = j.recordApprovalLocked(req)
		return err
	})
	if isConflict(err) {
		// The store's conditional transition found the batch approving
		// or approved already: another host's approver got there first.
		return ApprovalResult{}, &Refusal{"The final approval of this batch is being sent to IntaSend by another session; wait for its outcome."}
	}
	if err != nil && !IsRefusal(err) {
		return ApprovalResult{}, err
	}
	return res, err
}

// recordApprovalLocked is RecordApproval's check and append, with the
// journal locked and refreshed.
func (j *Journal) recordApprovalLocked(req ApprovalRequest) (ApprovalResult, error) {
	e := j.byTrack[req.TrackingID]
	if e == nil {
		e = &Entry{TrackingID: req.TrackingID, Status: StatusInitiated}
	}
	res, resend, err := j.checkApproval(e, req, j.now())
	if err != nil {
		return res, err
	}
	if !resend {
		amt := req.Total
		ev := event{Kind: EventApproval, TrackingID: req.TrackingID, Initiator: j.initiator, Amount: &amt,
			Rule: req.Rule, Need: res.Need, Payees: req.Payees, Currency: req.Currency}
		if err := j.appendLocked(ev); err != nil {
			return ApprovalResult{}, err
		}
	}
	if res.Last {
		if err := j.appendLocked(event{Kind: StatusApproving, TrackingID: req.TrackingID, Initiator: j.initiator}); err != nil {
			return ApprovalResult{}, err
		}
	}
	return res, nil
}

// CheckApproval runs RecordApproval's checks without recording anything:
// the approval dialog asks first, so a person over their limit or on an
// expired batch is told before typing the amount. RecordApproval checks
// again under the lock when they confirm.
func (j *Journal) CheckApproval(req ApprovalRequest) (ApprovalResult, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.refresh(); err != nil {
		return ApprovalResult{}, err
	}
	e := j.byTrack[req.TrackingID]
	if e == nil {
		e = &Entry{TrackingID: req.TrackingID, Status: StatusInitiated}
	}
	res, _, err := j.checkApproval(e, req, j.now())
	return res, err
}

// checkApproval decides, on the journal as it is under the lock, whether
// the approval may be recorded and whether it is the last. resend is a
// completed batch whose final approve proved not to land: one of its
// approvers sends it again without a second approval step.
func (j *Journal) checkApproval(e *Entry, req ApprovalRequest, now time.Time) (res ApprovalResult, resend bool, err error) {
	need := max(req.Need, e.Need, 1)
	res = ApprovalResult{Count: len(e.Approvals), Need: need, By: approvers(e)}
	mine := slicesContainsFold(res.By, j.initiator)
	switch {
	case e.Status == StatusApproving:
		return res, false, &Refusal{"The final approval of this batch is being sent to IntaSend by another session; wait for its outcome."}
	case e.Status == StatusApproved, e.Status == StatusCancelled:
		return res, false, &Refusal{"This batch is " + e.Status + " already."}
	case mine && res.Count >= need && e.Status == StatusApproveFailed:
		res.Last = true
		return res, true, nil
	case mine:
		return res, false, &Refusal{fmt.Sprintf("You have already approved this batch (%s); it needs %s.", progress(res), stillNeeds(res))}
	}
	if req.ExpireAfter > 0 && !e.InitiatedAt.IsZero() && now.Sub(e.InitiatedAt) >= req.ExpireAfter {
		return res, false, &Refusal{fmt.Sprintf("This batch expired: it was initiated %s ago and approvals expire after %s. Cancel it and initiate it again if it is still wanted.",
			roundAge(now.Sub(e.InitiatedAt)), req.ExpireAfter)}
	}
	if err := j.checkLimits(req, now); err != nil {
		return res, false, err
	}
	res.Count++
	res.By = append(res.By, j.initiator)
	res.Last = res.Count >= need
	return res, false, nil
}

// checkLimits refuses an approval over the approver's limits, with the
// figures. Use counts every approval of theirs in the period whose batch
// reached IntaSend or still waits (pending, recorded): a batch cancelled,
// ended unapproved or expired no longer counts.
func (j *Journal) checkLimits(req ApprovalRequest, now time.Time) error {
	l, cur := req.Limits, req.Currency
	if cur == "" {
		cur = "KES"
	}
	if l.Approve > 0 && req.Total > l.Approve {
		return &Refusal{fmt.Sprintf("%s is over your approval limit of %s.", req.Total.Format(cur), l.Approve.Format(cur))}
	}
	day, month := j.used(now, req.ExpireAfter)
	if l.Daily > 0 && day+req.Total > l.Daily {
		return &Refusal{fmt.Sprintf("%s would take your approvals today to %s, over your daily limit of %s (%s used).",
			req.Total.Format(cur), (day + req.Total).Format(cur), l.Daily.Format(cur), day.Format(cur))}
	}
	if l.Monthly > 0 && month+req.Total > l.Monthly {
		return &Refusal{fmt.Sprintf("%s would take your approvals this month to %s, over your monthly limit of %s (%s used).",
			req.Total.Format(cur), (month + req.Total).Format(cur), l.Monthly.Format(cur), month.Format(cur))}
	}
	return nil
}

// used sums the acting user's counted approvals on now's calendar day and
// month in Africa/Nairobi. Call with mu held.
func (j *Journal) used(now time.Time, expire time.Duration) (day, month client.Amount) {
	n := now.In(Nairobi)
	y, m, d := n.Date()
	for _, e := range j.entries {
		if !countsForLimits(e, now, expire) {
			continue
		}
		for _, a := range e.Approvals {
			if !strings.EqualFold(a.By, j.initiator) {
				continue
			}
			ay, am, ad := a.At.In(Nairobi).Date()
			if ay == y && am == m {
				month += a.Amount
				if ad == d {
					day += a.Amount
				}
			}
		}
	}
	return day, month
}

// countsForLimits: the batch reached IntaSend approved, or is still on
// its way there (waiting for more approvals, approving, an approve that
// may be retried) and not expired.
func countsForLimits(e *Entry, now time.Time, expire time.Duration) bool {
	switch e.Status {
	case StatusApproved, StatusApproving:
		return true
	case StatusInitiated, StatusApproveFailed:
		if e.Status == StatusApproveFailed && (&client.Batch{StatusCode: e.StatusCode}).Final() {
			return false
		}
		return expire <= 0 || e.InitiatedAt.IsZero() || now.Sub(e.InitiatedAt) < expire
	}
	return false
}

// foldApproval applies an approval event to its entry.
func foldApproval(e *Entry, ev event) {
	a := Approval{By: ev.Initiator, At: ev.At, Rule: ev.Rule, Need: ev.Need}
	if ev.Amount != nil {
		a.Amount = *ev.Amount
		if e.Total == 0 {
			e.Total = *ev.Amount
		}
	}
	e.Approvals = append(e.Approvals, a)
	e.Need = max(e.Need, ev.Need)
	if e.Status == "" {
		e.Status = StatusInitiated // a batch opened by tracking id: it waited for approval
	}
}

// PaidBefore is the set of payee keys of every batch this profile's
// journal knows reached IntaSend approved: "paid before" for new payees.
func (j *Journal) PaidBefore() map[string]bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.refresh()
	out := map[string]bool{}
	for _, e := range j.entries {
		if e.Status == StatusApproved {
			for _, p := range e.Payees {
				out[p] = true
			}
		}
	}
	return out
}

func approvers(e *Entry) []string {
	out := make([]string, len(e.Approvals))
	for i, a := range e.Approvals {
		out[i] = a.By
	}
	return out
}

func slicesContainsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// progress is "1 of 2 approvals (wanjiru)".
func progress(r ApprovalResult) string {
	s := fmt.Sprintf("%d of %d approvals", r.Count, r.Need)
	if len(r.By) > 0 {
		s += " (" + strings.Join(r.By, ", ") + ")"
	}
	return s
}

// Progress is how far e's approvals are: "1 of 2 approvals (wanjiru)".
func (e Entry) Progress(need int) string {
	return progress(ApprovalResult{Count: len(e.Approvals), Need: max(need, e.Need, 1), By: approvers(&e)})
}

// stillNeeds is "1 more approver, not you".
func stillNeeds(r ApprovalResult) string {
	n := r.Need - r.Count
	if n <= 0 {
		return "no more approvals"
	}
	if n == 1 {
		return "1 more approver"
	}
	return fmt.Sprintf("%d more approvers", n)
}

// StillNeeds is what e still needs: "1 more approver".
func (e Entry) StillNeeds(need int) string {
	return stillNeeds(ApprovalResult{Count: len(e.Approvals), Need: max(need, e.Need, 1)})
}

func roundAge(d time.Duration) time.Duration {
	if d > time.Hour {
		return d.Round(time.Minute)
	}
	return d.Round(time.Second)
}
