package collections

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/text"
)

// IntaSend's field rules (intasend-api.md §2.2, §5).
var (
	refRE  = regexp.MustCompile(`^[a-zA-Z0-9-_ ]+$`) // api_ref, names
	textRE = regexp.MustCompile(`^[^<>%;$]+$`)       // narrative: refuse markup and template characters
)

const (
	stkMin = client.Amount(1_00)
	stkMax = client.Amount(150_000_00) // M-Pesa's per-transaction limit
)

type (
	confirmedMsg struct{ seq int }
	cancelledMsg struct{ seq int }
	pushDoneMsg  struct {
		seq  int
		req  pushReq
		resp *client.STKPushResponse
		err  error
		// auditErr: the audit log did not take the outcome.
		auditErr error
	}
	linkDoneMsg struct {
		seq      int
		req      linkReq
		co       *client.Checkout
		err      error
		auditErr error
	}
)

// pushReq and linkReq are what a form asks for once it validates.
type (
	pushReq struct {
		phone     client.Phone
		amount    client.Amount
		ref       string
		narrative string
	}
	linkReq struct {
		amount      client.Amount
		email       string
		first, last string
		ref         string
	}
)

// watch follows the invoice of an STK push sent from here until it is final.
type watch struct {
	id      string
	req     pushReq
	started time.Time
	told    bool // the final toast was sent
}

// linkPanel shows a created checkout link.
type linkPanel struct {
	req    linkReq
	co     *client.Checkout
	copied bool
}

func (m *Model) newForm(kind formKind, title, intro string, fields ...*uiform.Field) tea.Cmd {
	m.seq++
	m.detail = nil
	f := uiform.New(m.keys.Form, title, fields...)
	f.Intro, f.Seq = []string{intro}, m.seq
	m.form = &form{Form: f, kind: kind}
	f.Check()
	return f.Focus(0)
}

func (m *Model) openPush() tea.Cmd {
	if m.form != nil || !m.c.Can(common.PermCollect) {
		return nil
	}
	st := m.c.Styles
	return m.newForm(formPush, "Request an M-Pesa payment",
		"The customer gets a prompt on their phone and approves it with their M-Pesa PIN.",
		uiform.NewPhone(st, "phone", "Phone"),
		uiform.NewMoney(st, "amount", "Amount (KES)", "1 – 150,000").WithCheck(checkPushAmount),
		uiform.NewText(st, "ref", "Reference", "api_ref, e.g. ORDER-1042 (optional)", uiform.STKRefMax).Match(refRE, refMsg),
		uiform.NewText(st, "narrative", "Narrative", "what it is for (optional)", uiform.STKNarrativeMax).Match(textRE, textMsg),
	)
}

func (m *Model) openLink() tea.Cmd {
	if m.form != nil || !m.c.Can(common.PermCollect) {
		return nil
	}
	st := m.c.Styles
	return m.newForm(formLink, "Create a checkout link",
		"A hosted payment page (M-Pesa or card) to send to a customer.",
		uiform.NewMoney(st, "amount", "Amount (KES)", "e.g. 2,500").WithCheck(checkLinkAmount),
		uiform.NewEmail(st, "email", "Email", "customer's email (optional)"),
		// first and last name, a space between
		uiform.NewText(st, "name", "Name", "customer's name (optional)", 2*uiform.NameMax+1).WithCheck(checkName),
		uiform.NewText(st, "ref", "Reference", "api_ref (optional)", uiform.CheckoutRefMax).Match(refRE, refMsg),
	)
}

const (
	refMsg  = "only letters, digits, '-', '_' and spaces"
	textMsg = "must not contain < > % ; or $"
)

func checkPushAmount(f *uiform.Field) (hint, errMsg string) {
	a, _ := f.Amount()
	switch {
	case a < stkMin:
		return "", "at least " + stkMin.Format("KES")
	case a > stkMax:
		return "", "M-Pesa takes at most " + stkMax.Format("KES") + " per payment"
	}
	return "", ""
}

func checkLinkAmount(f *uiform.Field) (hint, errMsg string) {
	if a, _ := f.Amount(); a < stkMin {
		return "", "at least " + stkMin.Format("KES")
	}
	return "", ""
}

func checkName(f *uiform.Field) (hint, errMsg string) {
	v := f.Trimmed()
	if v == "" {
		return "", ""
	}
	first, last := splitName(v)
	if !refRE.MatchString(v) || len(first) > uiform.NameMax || len(last) > uiform.NameMax {
		return "", fmt.Sprintf("letters, digits, '-', '_' and spaces; at most %d per name", uiform.NameMax)
	}
	return "", ""
}

// splitName turns "Jane Wanjiru Doe" into ("Jane", "Wanjiru Doe").
func splitName(name string) (string, string) {
	first, last, _ := strings.Cut(strings.TrimSpace(name), " ")
	return first, strings.TrimSpace(last)
}

// onFormKey routes a key or paste to the open form.
func (m *Model) onFormKey(msg tea.Msg) tea.Cmd {
	return m.form.Handle(msg, uiform.Handlers{Close: func() { m.form = nil }, Send: m.submit})
}

// submit asks the shell to confirm what the checked form holds. The form
// keeps what was typed until the request succeeds.
func (m *Model) submit() tea.Cmd {
	f := m.form
	f.Confirm()
	val := f.Value
	amount, _ := f.Get("amount").Amount()
	if f.kind == formPush {
		phone, _ := f.Get("phone").Phone()
		f.push = &pushReq{phone: phone, amount: amount, ref: val("ref"), narrative: val("narrative")}
		body := fmt.Sprintf("An M-Pesa prompt for %s goes to %s (%s).", amount.Format("KES"), phone.Display(), phone)
		if f.push.ref != "" {
			body += "\nReference: " + f.push.ref
		}
		return common.Confirm(common.ConfirmMsg{
			Title: "Request " + amount.Format("KES") + " by M-Pesa", Body: body, Perm: common.PermCollect,
			OnConfirm: confirmedMsg{seq: f.Seq}, OnCancel: cancelledMsg{seq: f.Seq},
		})
	}
	first, last := splitName(val("name"))
	f.link = &linkReq{amount: amount, email: val("email"), first: first, last: last, ref: val("ref")}
	return common.Confirm(common.ConfirmMsg{
		Title: "Create a checkout link for " + amount.Format("KES"),
		Body:  "A payment page anyone with the link can pay.", Perm: common.PermCollect,
		OnConfirm: confirmedMsg{seq: f.Seq}, OnCancel: cancelledMsg{seq: f.Seq},
	})
}

// onConfirmed sends the confirmed request once: a second confirmation
// finds the form already sending and is dropped. Neither call is retried.
func (m *Model) onConfirmed(msg confirmedMsg) tea.Cmd {
	f := m.form
	if f == nil || !f.Confirmed(msg.seq) {
		return nil
	}
	c, cm, seq := m.c.Client, m.c, f.Seq
	var run tea.Cmd
	switch {
	case f.push != nil:
		req := *f.push
		run = func() tea.Msg {
			cx, cancel := common.Bounded(cm.WriteContext())
			defer cancel()
			resp, err := c.STKPush(cx, client.STKPushRequest{Phone: req.phone, Amount: req.amount, APIRef: req.ref, Narrative: req.narrative})
			target := req.ref // no invoice when IntaSend said no; never the phone
			if resp != nil && resp.Invoice.ID != "" {
				target = resp.Invoice.ID
			}
			aerr := cm.Audit(audit.Event("collect.stk_push", target, req.amount, "KES", err))
			return pushDoneMsg{seq: seq, req: req, resp: resp, err: err, auditErr: aerr}
		}
	case f.link != nil:
		req := *f.link
		run = func() tea.Msg {
			cx, cancel := common.Bounded(cm.WriteContext())
			defer cancel()
			co, err := c.Checkout(cx, client.CheckoutRequest{Amount: req.amount, Email: req.email,
				FirstName: req.first, LastName: req.last, APIRef: req.ref})
			target, cur := req.ref, "KES"
			if co != nil && co.ID != "" {
				target = co.ID
			}
			if co != nil && co.Currency != "" {
				cur = co.Currency
			}
			aerr := cm.Audit(audit.Event("collect.checkout", target, req.amount, cur, err))
			return linkDoneMsg{seq: seq, req: req, co: co, err: err, auditErr: aerr}
		}
	default:
		f.State = uiform.Editing
		return nil
	}
	return tea.Batch(run, m.startSpin())
}

func (m *Model) onCancelled(msg cancelledMsg) tea.Cmd {
	uiform.Reopen(m.form, msg.seq)
	return nil
}

// apiFields maps IntaSend's attributes to this view's field keys.
var apiFields = map[string]string{"phone_number": "phone", "api_ref": "ref", "first_name": "name", "last_name": "name"}

// failForm puts IntaSend's refusal on the form, keeping what was typed;
// field errors go under their field.
func (m *Model) failForm(seq int, err error) { uiform.Refuse(m.form, seq, err, apiFields) }

func (m *Model) closeForm(seq int) { uiform.Drop(&m.form, seq) }

// onPushDone starts following the new invoice: it joins the table at once
// (PENDING) and is polled quickly until it is final.
func (m *Model) onPushDone(msg pushDoneMsg) tea.Cmd {
	now := m.c.Now()
	switch {
	case msg.err == nil:
		m.closeForm(msg.seq)
		inv := msg.resp.Invoice
		if inv.CreatedAt.IsZero() {
			inv.CreatedAt = now
		}
		m.st.upsert(inv, nil, now.Location(), now.Add(newFor))
		if r := m.st.byKey[inv.ID]; r != nil {
			r.requested = true
		}
		m.afterData()
		m.watch = &watch{id: inv.ID, req: msg.req, started: now}
		// Poll soon: a timer already armed for the slow pace is replaced.
		m.timerGen++
		var next tea.Cmd
		if !m.inFlight && m.visible {
			next = m.sched(pollFast, pollTickMsg{gen: m.timerGen})
		}
		return tea.Batch(audit.Warning(msg.auditErr), text.Health(nil, now), next, m.startSpin(),
			common.Toast(common.ToastInfo, fmt.Sprintf("%s Prompt sent to %s (invoice %s)", common.SymPending, msg.req.phone.Display(), inv.ID)))
	case client.IsAmbiguous(msg.err):
		m.closeForm(msg.seq)
		return tea.Batch(audit.Warning(msg.auditErr), text.Health(msg.err, now), m.poll(false), common.Error("M-Pesa request outcome unknown",
			fmt.Errorf("IntaSend did not answer clearly (%s). The customer may still get a prompt, so it was not sent again: watch this list for a payment from %s before asking again", text.ErrText(msg.err), msg.req.phone)))
	}
	m.failForm(msg.seq, msg.err)
	return tea.Batch(audit.Warning(msg.auditErr), text.Health(msg.err, now))
}

func (m *Model) onLinkDone(msg linkDoneMsg) tea.Cmd {
	now := m.c.Now()
	switch {
	case msg.err == nil:
		m.closeForm(msg.seq)
		m.link = &linkPanel{req: msg.req, co: msg.co}
		return tea.Batch(audit.Warning(msg.auditErr), text.Health(nil, now))
	case client.IsAmbiguous(msg.err):
		m.closeForm(msg.seq)
		return tea.Batch(audit.Warning(msg.auditErr), text.Health(msg.err, now), common.Error("Checkout link outcome unknown",
			fmt.Errorf("IntaSend did not answer clearly (%s); a link may have been made. Creating another is harmless", text.ErrText(msg.err))))
	}
	m.failForm(msg.seq, msg.err)
	return tea.Batch(audit.Warning(msg.auditErr), text.Health(msg.err, now))
}

// watchRow is the row of the followed invoice.
func (m *Model) watchRow() *row {
	if m.watch == nil {
		return nil
	}
	return m.st.byKey[m.watch.id]
}

func (m *Model) watchFinal() bool {
	r := m.watchRow()
	return r != nil && r.inv.Final()
}

// watchUpdate toasts once when the followed invoice ends.
func (m *Model) watchUpdate() tea.Cmd {
	w, r := m.watch, m.watchRow()
	if w == nil || r == nil || w.told || !r.inv.Final() {
		return nil
	}
	w.told = true
	if r.inv.State == client.InvoiceComplete {
		return common.Toast(common.ToastSuccess, fmt.Sprintf("%s Received %s from %s (net %s)",
			common.SymOK, r.inv.Value.Format("KES"), w.req.phone.Display(), r.inv.NetAmount.Format("KES")))
	}
	return common.Toast(common.ToastError, fmt.Sprintf("%s M-Pesa payment %s: %s",
		common.SymFailed, strings.ToLower(r.inv.State), text.OrDash(text.FailedReason(r.inv))))
}

// copyLink puts the checkout URL on the clipboard through OSC 52, which
// also works over SSH.
func (m *Model) copyLink() tea.Cmd {
	if m.link == nil || m.link.co == nil {
		return nil
	}
	m.link.copied = true
	return tea.Batch(common.Clipboard(m.link.co.URL),
		common.Toast(common.ToastSuccess, common.SymOK+" Link copied (OSC 52)"))
}
