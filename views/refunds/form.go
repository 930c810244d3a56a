package refunds

import (
	"fmt"
	"regexp"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/text"
)

// Reasons IntaSend accepts, in its order (OAS ChargebacksCreate).
var reasons = []string{client.ReasonUnavailable, client.ReasonDelayed, client.ReasonWrong, client.ReasonDuplicate, client.ReasonOther}

// detailsRE: IntaSend refuses markup in reason_details.
var detailsRE = regexp.MustCompile(`^[^<>]*$`)

// form is the shared form (ui/components/form) on the payment on screen.
// What was typed stays until the refund succeeds.
type form struct {
	*uiform.Form
	invoice client.Invoice
	cust    string
	left    client.Amount         // refundable, re-read from the payment on each check
	edited  bool                  // a key changed something: quitting asks first
	req     *client.RefundRequest // what was confirmed, sent exactly
}

// Messages of the refund flow; seq ties each to its form.
type (
	confirmedMsg  struct{ seq int }
	cancelledMsg  struct{ seq int }
	refundDoneMsg struct {
		seq int
		req client.RefundRequest
		r   *client.Refund
		err error
		// auditErr: the audit log did not take the outcome.
		auditErr error
	}
)

// openForm opens the refund form on the payment on screen, amount set to
// what is left.
func (m *Model) openForm() tea.Cmd {
	p := m.pay
	switch {
	case !m.keys.Refund.Enabled():
		return nil // unbound for this role
	case p == nil || m.form != nil:
		return nil
	case p.loading:
		p.openForm = true
		return nil
	case p.refusal() != "":
		return common.Toast(common.ToastWarn, p.refusal())
	}
	st := m.c.Styles
	m.seq++
	f := &form{invoice: p.status.Invoice, cust: p.customer(), left: p.remainder()}
	amount := uiform.NewMoney(st, "amount", "Amount", "e.g. 1,500.00").WithValue(f.left.String())
	amount.Currency = f.invoice.Currency
	reason := make([]uiform.Option, len(reasons))
	for i, r := range reasons {
		reason[i] = uiform.Option{Label: r, Value: r}
	}
	f.Form = uiform.New(m.keys.Form, "Refund payment "+f.invoice.ID, amount,
		uiform.NewChoice("reason", "Reason", reason, ""),
		uiform.NewText(st, "details", "Details", "optional, what happened", uiform.ReasonDetailsMax).
			Match(detailsRE, "must not contain < or >"))
	f.Seq, f.Sending, f.Rules = m.seq, "sending the refund…", m.refundRules
	m.form = f
	f.Check()
	return f.Focus(0)
}

// refundRules re-reads what is left to refund (the payment may have been
// looked up again while the form is open), shows it, and holds the amount
// to it; the hint says whether the amount is all of it.
func (m *Model) refundRules(_ *uiform.Form) {
	f := m.form
	if m.pay != nil && m.pay.status != nil && m.pay.status.Invoice.ID == f.invoice.ID && m.pay.refundsErr == "" {
		f.left = m.pay.remainder()
	}
	cur := f.currency()
	f.Facts = [][2]string{{"Customer", text.OrDash(f.cust)}, {"Paid", f.invoice.Value.Format(cur)}, {"Refundable", f.left.Format(cur)}}
	fl := f.Get("amount")
	if fl.Err != "" || fl.Hint == "" {
		return // empty or not an amount: the field says so
	}
	switch a, _ := fl.Amount(); {
	case a > f.left:
		fl.Err, fl.Hint = fmt.Sprintf("more than the %s left to refund", f.left.Format(cur)), ""
	default:
		fl.Hint = "= " + a.Format(cur) + partial(a, f.left)
	}
}

func (f *form) currency() string {
	if f.invoice.Currency == "" {
		return "KES"
	}
	return f.invoice.Currency
}

// onFormKey applies a key (or paste) to the form.
func (m *Model) onFormKey(msg tea.Msg) tea.Cmd {
	return m.form.Handle(msg, uiform.Handlers{Close: func() { m.form = nil }, Send: m.submit,
		Edited: func() { m.form.edited = true }})
}

// submit asks the shell for the typed confirmation of what the checked
// form holds.
func (m *Model) submit() tea.Cmd {
	f := m.form
	amount, _ := f.Get("amount").Amount()
	req := client.RefundRequest{InvoiceID: f.invoice.ID, Amount: amount, Reason: f.Value("reason"),
		ReasonDetails: f.Value("details")}
	f.req = &req
	f.Confirm()
	cur := f.invoice.Currency
	body := fmt.Sprintf("invoice  %s (paid %s)\ncustomer %s\nreason   %s", f.invoice.ID, f.invoice.Value.Format(cur), text.OrDash(f.cust), req.Reason)
	if req.ReasonDetails != "" {
		body += "\ndetails  " + req.ReasonDetails
	}
	body += fmt.Sprintf("\n\nThe customer gets %s back; %s stays refundable.", amount.Format(cur), (f.left - amount).Format(cur))
	return common.Confirm(common.ConfirmMsg{
		Title:     "Refund " + amount.Format(cur),
		Body:      body,
		Typed:     amount.String(),
		Danger:    true,
		Perm:      common.PermRefund,
		OnConfirm: confirmedMsg{seq: f.Seq},
		OnCancel:  cancelledMsg{seq: f.Seq},
	})
}

// onConfirmed sends the confirmed refund, once: a second confirmation of
// the same form finds it already sending.
func (m *Model) onConfirmed(msg confirmedMsg) tea.Cmd {
	f := m.form
	if f == nil || f.req == nil || !f.Confirmed(msg.seq) {
		return nil
	}
	c, cm, req, seq, cur := m.c.Client, m.c, *f.req, f.Seq, f.invoice.Currency
	return func() tea.Msg {
		cx, cancel := common.Bounded(cm.WriteContext())
		defer cancel()
		r, err := c.CreateRefund(cx, req) // never retried: it moves money
		aerr := cm.Audit(audit.Event("refund.create", req.InvoiceID, req.Amount, cur, err))
		return refundDoneMsg{seq: seq, req: req, r: r, err: err, auditErr: aerr}
	}
}

func (m *Model) onCancelled(msg cancelledMsg) tea.Cmd {
	uiform.Reopen(m.form, msg.seq)
	return nil
}

func (m *Model) onRefundDone(msg refundDoneMsg) tea.Cmd {
	warn := audit.Warning(msg.auditErr) // even when the form has gone
	f := m.form
	if f == nil || !f.Is(msg.seq) {
		return warn
	}
	now := m.c.Now()
	cur := f.invoice.Currency
	req := msg.req
	switch {
	case msg.err == nil:
		m.form = nil
		return tea.Batch(warn, text.Health(nil, now), m.reloadList(), m.lookup(req.InvoiceID, false),
			common.Toast(common.ToastSuccess, fmt.Sprintf("%s Refund %s of %s on %s requested (%s)",
				common.SymOK, msg.r.ID, msg.r.Amount.Format(cur), req.InvoiceID, text.OrDash(msg.r.Status))))
	case client.IsAmbiguous(msg.err):
		// It may have gone through: never send it again from here. Look
		// the invoice's refunds up again and say what they show.
		m.form = nil
		known := map[string]bool{}
		if m.pay != nil {
			for _, r := range m.pay.refunds {
				known[r.ID] = true
			}
		}
		m.unclear = &unclear{invoice: req.InvoiceID, amount: req.Amount, known: known}
		return tea.Batch(warn, text.Health(msg.err, now), m.reloadList(), m.lookup(req.InvoiceID, false),
			common.Error("Refund outcome unknown", fmt.Errorf(
				"IntaSend did not answer clearly (%s). The refund of %s on %s may have gone through, so it was not sent again. "+
					"The refunds are being looked up again: check them before refunding again", text.ErrText(msg.err), req.Amount.Format(cur), req.InvoiceID)))
	}
	return tea.Batch(warn, text.Health(msg.err, now), f.Refused(msg.seq, msg.err, apiFields))
}

// apiFields maps IntaSend's attributes to this form's field keys.
var apiFields = map[string]string{"reason_details": "details"}

// formView draws the form in a box at most the body's width.
func (m *Model) formView() string {
	return m.form.View(m.c.Styles, m.c.Styles.Pending.Render(common.SymPending), m.width)
}

// partial says whether an amount refunds all that is left or part of it.
func partial(a, left client.Amount) string {
	if a == left {
		return " (all that is left)"
	}
	return " (partial)"
}
