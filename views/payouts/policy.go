package payouts

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
	"github.com/malipo/malipo/ui/components/text"
)

// The approval policy on the Payouts screen (issue 13): several approvers
// above a threshold, approvers' limits, expiry and new payees. The
// journal decides (RecordApproval, under its lock); this file asks it,
// shows where a batch stands and audits every step and refusal.

// WithPolicy gives the view the approval policy. It is a function so that
// a users file reloaded on SIGHUP applies to open sessions at once.
func WithPolicy(p func() *payout.Policy) Option { return func(o *options) { o.policy = p } }

func (m *Model) policy() *payout.Policy {
	if m.opts.policy == nil {
		return nil
	}
	return m.opts.policy()
}

// batchPolicy is what the policy says of the open batch, worked out once
// per answer (not per frame).
type batchPolicy struct {
	seq     int
	newRows map[int]bool // rows paying an account never paid before
	newSum  client.Amount
	payees  []string
}

// notePolicy works out the open batch's new payees from the journal's
// history of approved batches.
func (m *Model) notePolicy(b *openBatch) {
	m.bpol = batchPolicy{seq: b.seq}
	j := m.opts.journal
	if j == nil || b.b == nil {
		return
	}
	m.bpol.payees = payout.BatchPayees(b.b)
	m.bpol.newRows = m.policy().NewPayeeRows(j, m.bpol.payees)
	for i := range m.bpol.newRows {
		m.bpol.newSum += b.b.Transactions[i].Amount
	}
}

// newPayees is the open batch's count and sum of rows to new payees.
func (m *Model) newPayees(b *openBatch) (int, client.Amount) {
	if m.bpol.seq != b.seq {
		return 0, 0
	}
	return len(m.bpol.newRows), m.bpol.newSum
}

// approvalRequest is the open batch's approval as the journal checks it:
// the policy's own question (payout.Policy.Request, as the CLI asks it),
// with the rail and currency the screen shows and the new payees counted
// when the answer came.
func (m *Model) approvalRequest(b *openBatch) payout.ApprovalRequest {
	var payees []string
	if m.bpol.seq == b.seq {
		payees = m.bpol.payees
	}
	n, _ := m.newPayees(b)
	return m.policy().Request(b.b, b.rail(), b.currency(), m.c.User, payees, n)
}

// policyCheck asks the journal, before the dialog opens, whether this
// person's approval would be recorded; a refusal is shown and audited.
// It returns the standing the dialog describes.
func (m *Model) policyCheck(b *openBatch) (payout.ApprovalResult, tea.Cmd) {
	j := m.opts.journal
	if j == nil {
		return payout.ApprovalResult{Count: 1, Need: 1, Last: true}, nil
	}
	res, err := j.CheckApproval(m.approvalRequest(b))
	if err == nil {
		return res, nil
	}
	return res, m.policyRefused(b, err)
}

// policyRefused tells the person why the journal will not record their
// approval, on the batch screen and in a panel, and audits it.
func (m *Model) policyRefused(b *openBatch, err error) tea.Cmd {
	b.err = "Not approved: " + err.Error()
	if m.expired(b) {
		b.err += " x cancels it."
	}
	ev := common.AuditEvent{Action: "payout.approve", Target: b.b.TrackingID, Amount: b.total(), Currency: b.currency(),
		Result: "refused", Detail: err.Error()}
	return tea.Batch(common.Error("Not approved", errors.New(b.err)), m.audited(ev))
}

// audited writes ev to the audit log in the background and warns when it
// could not.
func (m *Model) audited(ev common.AuditEvent) tea.Cmd {
	cm := m.c
	return func() tea.Msg {
		if err := cm.Audit(ev); err != nil {
			return journalWarning(fmt.Errorf("audit log: %w", err))()
		}
		return nil
	}
}

// expired reports whether the open batch is past the policy's expiry.
func (m *Model) expired(b *openBatch) bool {
	return b.hasEntry && m.policy().Expired(b.entry, m.c.Now())
}

// dialogPolicy is what the approval dialog says of the policy: which
// approval this is, what it sends, and the new payees.
func (m *Model) dialogPolicy(b *openBatch, res payout.ApprovalResult) string {
	var s []string
	if res.Need > 1 {
		req := m.approvalRequest(b)
		// res counts this approval already (CheckApproval's answer).
		line := fmt.Sprintf("Approval %d of %d (%s).", res.Count, res.Need, req.Rule)
		if !res.Last {
			line += " This approval is recorded; nothing is sent to IntaSend until the last one."
		} else {
			line += " This is the last approval needed: it sends the approval to IntaSend."
		}
		s = append(s, line)
	}
	if n, sum := m.newPayees(b); n > 0 {
		s = append(s, fmt.Sprintf("%s %d new %s (never paid before): %s.", common.SymWarn, n, text.Plural(n, "payee", "payees"), sum.Format(b.currency())))
	}
	if len(s) == 0 {
		return ""
	}
	return "\n" + strings.Join(s, "\n")
}

// policyLine is the batch screen's line on approvals and new payees.
func (m *Model) policyLine(b *openBatch) string {
	if b.tracking() || b.b == nil {
		return ""
	}
	var s []string
	if m.expired(b) {
		s = append(s, common.SymFailed+" expired: it can no longer be approved; x cancels it")
	} else if need := m.approvalRequest(b).Need; need > 1 || len(b.entry.Approvals) > 0 {
		s = append(s, b.entry.Progress(need)+"; needs "+b.entry.StillNeeds(need))
	}
	if n, sum := m.newPayees(b); n > 0 {
		s = append(s, fmt.Sprintf("%s %d new %s (never paid before): %s", common.SymWarn, n, text.Plural(n, "payee", "payees"), sum.Format(b.currency())))
	}
	return strings.Join(s, " · ")
}

// newPayeeMark marks a preview row paying an account never paid before.
func (m *Model) newPayeeMark(b *openBatch, i int) string {
	if b.tracking() || m.bpol.seq != b.seq || !m.bpol.newRows[i] {
		return ""
	}
	return "NEW PAYEE · "
}

// auditApproval writes payout.Approve's outcome to the audit log (the
// worker's side of onApproveConfirmed): a policy refusal, an approval
// recorded that is not the last, or the call to IntaSend and its answer.
// A journal error sent nothing and did nothing to audit. The error is the
// audit log's, for the person to be told; a refusal's record is best effort.
func auditApproval(cm *common.Common, req payout.ApprovalRequest, res payout.ApproveResult) error {
	ev := common.AuditEvent{Action: "payout.approve", Target: req.TrackingID, Amount: req.Total, Currency: req.Currency}
	switch {
	case res.Refusal != nil:
		ev.Result, ev.Detail = "refused", res.Refusal.Error()
		_ = cm.Audit(ev)
		return nil
	case res.JournalErr != nil:
		return nil
	case res.Step != nil:
		r := res.Step
		ev.Result = "recorded"
		ev.Detail = fmt.Sprintf("approval %d of %d (%s); nothing sent to IntaSend", r.Count, r.Need, strings.Join(r.By, ", "))
		if req.Rule != "" {
			ev.Detail += "; " + req.Rule
		}
	default:
		ev = audit.Event("payout.approve", req.TrackingID, req.Total, req.Currency, res.Err)
	}
	if err := cm.Audit(ev); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

// recordErr is what the journal or the audit log missed of the approval's
// outcome (the journal's first: it is the one a restart reads).
func (msg approvedMsg) recordErr() error { return cmp.Or(msg.res.RecordErr, msg.auditErr) }

// approvalStep handles an approval that sent nothing to IntaSend: refused
// by the policy, or recorded and waiting for more approvers.
func (m *Model) approvalStep(b *openBatch, res payout.ApproveResult) tea.Cmd {
	b.phase = phasePreview
	m.noteEntry(b)
	if res.Refusal != nil {
		b.err = "Not approved: " + res.Refusal.Error()
		return tea.Batch(m.loadPending(), common.Error("Not approved", res.Refusal))
	}
	r := *res.Step
	b.err = ""
	b.note = fmt.Sprintf("Your approval is recorded: %d of %d approvals (%s). Nothing was sent to IntaSend; it needs %d more %s.",
		r.Count, r.Need, strings.Join(r.By, ", "), r.Need-r.Count, text.Plural(r.Need-r.Count, "approver", "approvers"))
	return tea.Batch(m.loadPending(), common.Toast(common.ToastSuccess, common.SymOK+" "+b.note))
}

// pendingState is the pending list's STATE for an item: its approvals and
// what it still needs, or that it expired.
func (m *Model) pendingState(it pendingItem) string {
	if !it.hasEntry {
		return it.status
	}
	p := m.policy()
	if p.Expired(it.entry, m.c.Now()) {
		return "expired: cancel it"
	}
	need, _ := p.Need(it.rail, it.total, 0)
	need = max(need, it.entry.Need)
	if need <= 1 && len(it.entry.Approvals) == 0 {
		return it.status
	}
	return it.entry.Progress(need) + ", needs " + it.entry.StillNeeds(need)
}
