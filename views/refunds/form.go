package refunds

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/text"
)

// Reasons IntaSend accepts, in its order (OAS ChargebacksCreate).
var reasons = []string{client.ReasonUnavailable, client.ReasonDelayed, client.ReasonWrong, client.ReasonDuplicate, client.ReasonOther}

// detailsMax is the simulator's (and IntaSend's serializer's) limit.
const detailsMax = 255

type formState int

const (
	formEditing    formState = iota
	formConfirming           // waiting for the shell's confirmation dialog
	formSending              // the request is in flight
)

// Form field indexes.
const (
	fAmount = iota
	fReason
	fDetails
	nFields
)

// form is the refund form for the payment on screen. What was typed stays
// until the refund succeeds.
type form struct {
	seq     int
	invoice client.Invoice
	cust    string
	left    client.Amount // refundable when the form opened (re-read on each lookup)

	amount  textinput.Model
	reason  int
	details textinput.Model
	focus   int

	amountErr, detailsErr string
	touched               [nFields]bool
	edited                bool
	err                   string // IntaSend's message after a refused request
	state                 formState
	req                   *client.RefundRequest // what was confirmed
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
	f := &form{seq: m.seq, invoice: p.status.Invoice, cust: p.customer(), left: p.remainder(),
		amount:  uiform.NewInput(st, "", "e.g. 1,500.00", 20),
		details: uiform.NewInput(st, "", "optional, what happened", detailsMax)}
	f.amount.SetValue(f.left.String())
	f.amount.CursorEnd()
	m.form = f
	m.check()
	return f.setFocus(fAmount)
}

func (f *form) setFocus(i int) tea.Cmd {
	f.focus = (i + nFields) % nFields
	f.amount.Blur()
	f.details.Blur()
	switch f.focus {
	case fAmount:
		return f.amount.Focus()
	case fDetails:
		return f.details.Focus()
	}
	return nil
}

// check validates the fields; errors show once a field was left or the
// form submitted. The remainder is the payment's latest.
func (m *Model) check() bool {
	f := m.form
	if m.pay != nil && m.pay.status != nil && m.pay.status.Invoice.ID == f.invoice.ID && m.pay.refundsErr == "" {
		f.left = m.pay.remainder()
	}
	f.amountErr = m.checkAmount(f.amount.Value())
	f.detailsErr = ""
	if d := f.details.Value(); len([]rune(d)) > detailsMax {
		f.detailsErr = fmt.Sprintf("at most %d characters", detailsMax)
	} else if strings.ContainsAny(d, "<>") {
		f.detailsErr = "must not contain < or >"
	}
	return f.amountErr == "" && f.detailsErr == ""
}

func (m *Model) checkAmount(v string) string {
	f := m.form
	cur := f.invoice.Currency
	if cur == "" {
		cur = "KES"
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return "an amount is required"
	}
	a, err := client.ParseAmount(v)
	if err != nil {
		return text.Reason(err)
	}
	switch {
	case a <= 0:
		return "must be more than zero"
	case a > f.left:
		return fmt.Sprintf("more than the %s left to refund", f.left.Format(cur))
	}
	return ""
}

// onFormKey applies a key (or paste) to the form.
func (m *Model) onFormKey(msg tea.Msg) tea.Cmd {
	f := m.form
	if f.state != formEditing {
		return nil
	}
	km := m.keys
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch act, next := uiform.Nav(uiform.Keys{Cancel: km.Cancel, Submit: km.Submit, Next: km.NextField, Prev: km.PrevField},
			k, f.focus, nFields); act {
		case uiform.Cancel:
			m.form = nil
			return nil
		case uiform.Submit: // enter on the last field (details)
			f.touched[f.focus] = true
			return m.submit()
		case uiform.Move:
			f.touched[f.focus] = true
			m.check()
			return f.setFocus(next)
		}
		if f.focus == fReason && key.Matches(k, km.Choose) {
			if k.String() == "left" {
				f.reason = (f.reason + len(reasons) - 1) % len(reasons)
			} else {
				f.reason = (f.reason + 1) % len(reasons)
			}
			f.edited = true
			return nil
		}
	}
	var cmd tea.Cmd
	switch f.focus {
	case fAmount:
		f.amount, cmd = f.amount.Update(msg)
	case fDetails:
		f.details, cmd = f.details.Update(msg)
	default:
		return nil
	}
	f.edited = true
	m.check()
	return cmd
}

// submit validates and asks the shell for the typed confirmation.
func (m *Model) submit() tea.Cmd {
	f := m.form
	for i := range f.touched {
		f.touched[i] = true
	}
	f.err = ""
	if !m.check() {
		if f.amountErr != "" {
			return f.setFocus(fAmount)
		}
		return f.setFocus(fDetails)
	}
	amount, _ := client.ParseAmount(f.amount.Value())
	req := client.RefundRequest{InvoiceID: f.invoice.ID, Amount: amount, Reason: reasons[f.reason],
		ReasonDetails: strings.TrimSpace(f.details.Value())}
	f.req = &req
	f.state = formConfirming
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
		OnConfirm: confirmedMsg{seq: f.seq},
		OnCancel:  cancelledMsg{seq: f.seq},
	})
}

// onConfirmed sends the confirmed refund, once: a second confirmation of
// the same form finds it already sending.
func (m *Model) onConfirmed(msg confirmedMsg) tea.Cmd {
	f := m.form
	if f == nil || f.seq != msg.seq || f.state != formConfirming || f.req == nil {
		return nil
	}
	f.state = formSending
	c, cm, req, seq, cur := m.c.Client, m.c, *f.req, f.seq, f.invoice.Currency
	return func() tea.Msg {
		cx, cancel := ctx()
		defer cancel()
		r, err := c.CreateRefund(cx, req) // never retried: it moves money
		aerr := cm.Audit(audit.Event("refund.create", req.InvoiceID, req.Amount, cur, err))
		return refundDoneMsg{seq: seq, req: req, r: r, err: err, auditErr: aerr}
	}
}

func (m *Model) onCancelled(msg cancelledMsg) tea.Cmd {
	if f := m.form; f != nil && f.seq == msg.seq && f.state == formConfirming {
		f.state = formEditing
	}
	return nil
}

func (m *Model) onRefundDone(msg refundDoneMsg) tea.Cmd {
	warn := audit.Warning(msg.auditErr) // even when the form has gone
	f := m.form
	if f == nil || f.seq != msg.seq {
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
	f.state = formEditing
	f.err = text.ErrText(msg.err)
	return tea.Batch(warn, text.Health(msg.err, now))
}

// formView draws the form in a box at most width cells wide.
func (m *Model) formView() string {
	st := m.c.Styles
	f := m.form
	w := min(m.width, 72)
	inner := max(w-4, 20)
	const labelW = 13
	valueW := max(inner-labelW-2, 8)
	cur := f.invoice.Currency
	var lines []string
	add := func(s string) { lines = append(lines, text.Truncate(s, inner)) }
	add(st.Title.Render("Refund payment " + f.invoice.ID))
	add("")
	add("  " + st.Label.Render(text.PadRight("Customer", labelW)) + text.OrDash(f.cust))
	add("  " + st.Label.Render(text.PadRight("Paid", labelW)) + f.invoice.Value.Format(cur))
	add("  " + st.Label.Render(text.PadRight("Refundable", labelW)) + st.Bold.Render(f.left.Format(cur)))
	add("")
	marker := func(i int) string {
		if i == f.focus && f.state == formEditing {
			return st.Key.Render("▸ ")
		}
		return "  "
	}
	errLine := func(i int, msg string) {
		if msg != "" && f.touched[i] {
			add(strings.Repeat(" ", labelW+2) + st.FieldError.Render(text.Truncate(common.SymFailed+" "+msg, valueW)))
		}
	}
	f.amount.SetWidth(valueW - 1)
	add(marker(fAmount) + st.Label.Render(text.PadRight("Amount", labelW)) + f.amount.View())
	if f.amountErr == "" {
		if a, err := client.ParseAmount(f.amount.Value()); err == nil {
			add(strings.Repeat(" ", labelW+2) + st.Faint.Render(text.Truncate("= "+a.Format(cur)+partial(a, f.left), valueW)))
		}
	}
	errLine(fAmount, f.amountErr)
	add(marker(fReason) + st.Label.Render(text.PadRight("Reason", labelW)) + m.reasonView(f.focus == fReason && f.state == formEditing))
	f.details.SetWidth(valueW - 1)
	add(marker(fDetails) + st.Label.Render(text.PadRight("Details", labelW)) + f.details.View())
	errLine(fDetails, f.detailsErr)
	add("")
	lines = append(lines, uiform.Refused(st, f.err, inner)...)
	switch f.state {
	case formSending:
		add(st.Pending.Render(common.SymPending + " sending the refund…"))
	case formConfirming:
		add(st.Faint.Render(common.SymPending + " waiting for your confirmation"))
	default:
		add(st.Faint.Render("tab/↑↓ move · ←/→ reason · enter next/submit · esc cancel"))
	}
	return st.FocusedBox.Width(w).Render(strings.Join(lines, "\n"))
}

// partial says whether an amount refunds all that is left or part of it.
func partial(a, left client.Amount) string {
	if a == left {
		return " (all that is left)"
	}
	return " (partial)"
}

func (m *Model) reasonView(focused bool) string {
	st := m.c.Styles
	label := reasons[m.form.reason]
	if focused {
		return st.Key.Render("‹ ") + st.Bold.Render(label) + st.Key.Render(" ›") + st.Faint.Render(fmt.Sprintf("  %d/%d ←/→", m.form.reason+1, len(reasons)))
	}
	return "‹ " + label + " ›"
}
