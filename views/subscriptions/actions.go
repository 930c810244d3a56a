package subscriptions

import (
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
	"github.com/malipo/malipo/ui/components/text"
)

// IntaSend's limits (intasend-api.md §2.9 and the simulator's checks).
const (
	planNameMax  = 32
	nameMax      = 45
	referenceMax = 100
	emailMax     = 254
)

// Results of the create and unsubscribe requests; seq ties each to the form
// (or the unsubscribe) that started it.
type (
	// auditErr in each: the audit log did not take the outcome.
	planDoneMsg struct {
		seq      int
		p        *client.Plan
		err      error
		auditErr error
	}
	customerDoneMsg struct {
		seq      int
		c        *client.SubscriptionCustomer
		err      error
		auditErr error
	}
	subDoneMsg struct {
		seq      int
		s        *client.Subscription
		err      error
		auditErr error
	}
	unsubConfirmedMsg struct{ id string }
	unsubDoneMsg      struct {
		id       string
		s        *client.Subscription
		err      error
		auditErr error
	}
)

// setupPanel shows a new subscription's setup link until closed.
type setupPanel struct {
	sub    client.Subscription
	copied bool
}

func (m *Model) newForm(kind formKind, title string, fields ...*field) tea.Cmd {
	m.seq++
	m.form = &form{kind: kind, title: title, fields: fields, seq: m.seq}
	return m.form.setFocus(0)
}

// openForm opens the create form for kind. Roles without PermAdmin never
// get here by key (unbound); the palette hides the action; this is the
// last guard.
func (m *Model) openForm(kind formKind) tea.Cmd {
	if m.form != nil {
		return nil
	}
	if !m.c.Can(common.PermAdmin) {
		return common.Toast(common.ToastWarn, "Your role may not create subscriptions")
	}
	st := m.c.Styles
	switch kind {
	case formPlan:
		return m.newForm(formPlan, "New subscription plan",
			newTextField(st, "name", "Name", fmt.Sprintf("at most %d characters", planNameMax), planNameMax),
			newTextField(st, "amount", "Amount", "charged each period, e.g. 2,500", 20),
			newTextField(st, "frequency", "Every", "1", 4),
			newChoiceField("unit", "Unit", []choice{{"months", client.Monthly}, {"weeks", client.Weekly},
				{"days", client.Daily}, {"years", client.Yearly}}),
			newTextField(st, "cycles", "Billing cycles", "empty: until cancelled", 4),
			newChoiceField("currency", "Currency", []choice{{"KES", "KES"}, {"USD", "USD"}, {"EUR", "EUR"}, {"GBP", "GBP"}}),
		)
	case formCustomer:
		return m.newForm(formCustomer, "New subscription customer",
			newTextField(st, "email", "Email", "name@example.com", emailMax),
			newTextField(st, "first_name", "First name", "", nameMax),
			newTextField(st, "last_name", "Last name", "", nameMax),
			newTextField(st, "reference", "Reference", "optional: your own id", referenceMax),
		)
	case formSubscription:
		return m.openSubscriptionForm()
	}
	return nil
}

func (m *Model) openSubscriptionForm() tea.Cmd {
	if len(m.custs.rows) == 0 || len(m.plans.rows) == 0 {
		return common.Toast(common.ToastWarn, "A subscription needs a customer and a plan: create them first (c, then n; p, then n)")
	}
	st := m.c.Styles
	var cs, ps []choice
	csel, psel := 0, 0
	for i, cu := range m.custs.rows {
		cs = append(cs, choice{label: customerName(cu) + " <" + cu.Email + ">", value: cu.ID})
		if cu.ID == m.lastCustomer {
			csel = i
		}
	}
	for i, p := range m.plans.rows {
		ps = append(ps, choice{label: p.Name + " · " + p.Amount.Format(p.Currency) + " " + frequency(p), value: p.ID})
		if p.ID == m.lastPlan {
			psel = i
		}
	}
	start := newTextField(st, "start", "Start date", "YYYY-MM-DD", 10)
	start.input.SetValue(today(m.c.Now()).Format(time.DateOnly))
	cmd := m.newForm(formSubscription, "New subscription",
		newPicker(st, "customer", "Customer", cs, csel),
		newPicker(st, "plan", "Plan", ps, psel),
		start,
		newTextField(st, "reference", "Reference", "optional", referenceMax),
	)
	m.form.intro = []string{"IntaSend answers with a setup link: the customer opens it to add a card. Billing starts once they have."}
	return cmd
}

// check validates every field: the hint always updates, the error shows
// once the field was left or the form submitted. Typed text is never
// changed.
func (m *Model) check(f *form) bool {
	ok := true
	for _, fl := range f.fields {
		fl.hint, fl.err = m.checkField(fl)
		if fl.err != "" {
			ok = false
		}
	}
	return ok
}

func (m *Model) checkField(fl *field) (hint, errMsg string) {
	raw := fl.value()
	v := strings.TrimSpace(raw)
	switch fl.key {
	case "name":
		return "", checkText(v, "a name", planNameMax, true)
	case "first_name":
		return "", checkText(v, "a first name", nameMax, true)
	case "last_name":
		return "", checkText(v, "a last name", nameMax, true)
	case "reference":
		return "", checkText(v, "", referenceMax, false)
	case "email":
		switch {
		case v == "":
			return "", "an email is required"
		case len(v) > emailMax:
			return "", fmt.Sprintf("at most %d characters", emailMax)
		}
		if a, err := mail.ParseAddress(v); err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@"):], ".") {
			return "", "not an email address (name@example.com)"
		}
	case "amount":
		return m.checkAmount(v)
	case "frequency":
		n, err := strconv.Atoi(v)
		switch {
		case v == "":
			return "", "how many units between charges (1 or more)"
		case err != nil || n < 1:
			return "", "a whole number, 1 or more"
		}
		if f := m.form; f != nil {
			if u := f.get("unit"); u != nil {
				return "every " + frequencyText(n, u.value()), ""
			}
		}
	case "cycles":
		if v == "" {
			return "until cancelled", ""
		}
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			return "", "a whole number (empty: until cancelled)"
		} else if n == 0 {
			return "until cancelled", ""
		} else {
			return fmt.Sprintf("%d charge%s, then COMPLETED", n, text.Plural(n, "", "s")), ""
		}
	case "customer", "plan":
		if fl.sel < 0 || len(fl.choices) == 0 {
			return "", "choose a " + fl.key
		}
	case "start":
		return m.checkStart(v)
	}
	return "", ""
}

func checkText(v, what string, limit int, required bool) string {
	switch {
	case v == "" && required:
		return what + " is required"
	case len([]rune(v)) > limit:
		return fmt.Sprintf("at most %d characters", limit)
	}
	return ""
}

func (m *Model) checkAmount(v string) (hint, errMsg string) {
	if v == "" {
		return "", "an amount is required"
	}
	a, err := client.ParseAmount(v)
	if err != nil {
		return "", text.Reason(err)
	}
	if a <= 0 {
		return "", "must be more than zero"
	}
	cur := "KES"
	if f := m.form; f != nil && f.get("currency") != nil {
		cur = f.get("currency").value()
	}
	return "= " + a.Format(cur), ""
}

func (m *Model) checkStart(v string) (hint, errMsg string) {
	if v == "" {
		return "", "a start date is required (YYYY-MM-DD)"
	}
	d, err := time.ParseInLocation(time.DateOnly, v, eat())
	if err != nil {
		return "", "not a date: use YYYY-MM-DD"
	}
	t := today(m.c.Now())
	switch {
	case d.Before(t):
		return "", "the start date cannot be in the past (today is " + t.Format(time.DateOnly) + ")"
	case d.Equal(t):
		return "today: billing starts once the card is set up", ""
	}
	return d.Format("Mon 2 Jan 2006"), ""
}

// onFormKey routes a key to the open form.
func (m *Model) onFormKey(msg tea.Msg) tea.Cmd {
	f := m.form
	ev, cmd := f.update(m.keys, msg)
	switch ev {
	case formCancel:
		m.form = nil
		return nil
	case formSubmit:
		return tea.Batch(cmd, m.submit())
	case formMoved, formEdited:
		m.check(f)
	}
	return cmd
}

// submit validates and sends. The form stays filled until the request
// succeeds, and its first wrong field takes the focus.
func (m *Model) submit() tea.Cmd {
	f := m.form
	for _, fl := range f.fields {
		fl.touched = true
	}
	f.err = ""
	if !m.check(f) {
		for i, fl := range f.fields {
			if fl.err != "" {
				return f.setFocus(i)
			}
		}
	}
	f.state = formSending
	c, cm, seq := m.c.Client, m.c, f.seq
	var run tea.Cmd
	switch f.kind {
	case formPlan:
		req := m.planRequest(f)
		run = func() tea.Msg {
			cx, cancel := ctx()
			defer cancel()
			p, err := c.CreatePlan(cx, req)
			target := req.Name // no id when IntaSend said no
			if p != nil && p.ID != "" {
				target = p.ID
			}
			aerr := cm.Audit(audit.Event("subscription.plan.create", target, req.Amount, req.Currency, err))
			return planDoneMsg{seq: seq, p: p, err: err, auditErr: aerr}
		}
	case formCustomer:
		req := client.SubscriptionCustomerRequest{
			Email:     strings.TrimSpace(f.get("email").value()),
			FirstName: strings.TrimSpace(f.get("first_name").value()),
			LastName:  strings.TrimSpace(f.get("last_name").value()),
			Reference: strings.TrimSpace(f.get("reference").value()),
		}
		run = func() tea.Msg {
			cx, cancel := ctx()
			defer cancel()
			cu, err := c.CreateSubscriptionCustomer(cx, req)
			target := req.Reference // not the email: personal data stays out of the log
			if cu != nil && cu.ID != "" {
				target = cu.ID
			}
			aerr := cm.Audit(audit.Event("subscription.customer.create", target, 0, "", err))
			return customerDoneMsg{seq: seq, c: cu, err: err, auditErr: aerr}
		}
	case formSubscription:
		req := client.SubscriptionRequest{
			CustomerID: f.get("customer").value(),
			PlanID:     f.get("plan").value(),
			StartDate:  strings.TrimSpace(f.get("start").value()),
			Reference:  strings.TrimSpace(f.get("reference").value()),
		}
		run = func() tea.Msg {
			cx, cancel := ctx()
			defer cancel()
			s, err := c.CreateSubscription(cx, req)
			target := req.CustomerID + "→" + req.PlanID // no id when IntaSend said no
			if s != nil && s.ID != "" {
				target = s.ID
			}
			aerr := cm.Audit(audit.Event("subscription.create", target, 0, "", err))
			return subDoneMsg{seq: seq, s: s, err: err, auditErr: aerr}
		}
	}
	return tea.Batch(run, m.startSpin())
}

func (m *Model) planRequest(f *form) client.PlanRequest {
	amount, _ := client.ParseAmount(strings.TrimSpace(f.get("amount").value()))
	freq, _ := strconv.Atoi(strings.TrimSpace(f.get("frequency").value()))
	cycles, _ := strconv.Atoi(strings.TrimSpace(f.get("cycles").value()))
	return client.PlanRequest{
		Name: strings.TrimSpace(f.get("name").value()), Amount: amount, Frequency: freq,
		FrequencyUnit: f.get("unit").value(), BillingCycles: cycles, Currency: f.get("currency").value(),
	}
}

// failForm puts IntaSend's refusal on the form, keeping what was typed:
// field errors go under their field, the message at the bottom.
func (m *Model) failForm(seq int, err error) {
	f := m.form
	if f == nil || f.seq != seq {
		return
	}
	f.state = formEditing
	f.err = text.ErrText(err)
	var ae *client.APIError
	if !errors.As(err, &ae) {
		return
	}
	attrs := map[string]string{"frequency_unit": "unit", "billing_cycles": "cycles", "customer_id": "customer",
		"plan_id": "plan", "start_date": "start"}
	first := -1
	for _, e := range ae.Errors {
		k := e.Attr
		if a, ok := attrs[k]; ok {
			k = a
		}
		for i, fl := range f.fields {
			if fl.key == k && fl.err == "" {
				fl.err, fl.touched = e.Detail, true
				if first < 0 {
					first = i
				}
			}
		}
	}
	if first >= 0 {
		f.setFocus(first)
	}
}

func (m *Model) closeForm(seq int) bool {
	if m.form != nil && m.form.seq == seq {
		m.form = nil
		return true
	}
	return false
}

// created handles what every create's answer has in common: success closes
// the form; an ambiguous failure closes it too (never send again blindly)
// and reloads so the person can see whether it exists; a refusal stays on
// the form. Each also warns when the audit log missed the outcome.
func (m *Model) created(seq int, err, auditErr error, what string, ok func() tea.Cmd) tea.Cmd {
	now := m.c.Now()
	warn := audit.Warning(auditErr)
	switch {
	case err == nil:
		m.closeForm(seq)
		return tea.Batch(warn, text.Health(nil, now), ok(), m.reload(false))
	case client.IsAmbiguous(err):
		m.closeForm(seq)
		return tea.Batch(warn, text.Health(err, now), m.reload(false), common.Error("Creating the "+what+": outcome unknown",
			fmt.Errorf("IntaSend did not answer clearly (%s). The %s may exist: check the list before creating it again", text.ErrText(err), what)))
	}
	m.failForm(seq, err)
	return tea.Batch(warn, text.Health(err, now))
}

func (m *Model) onPlanDone(msg planDoneMsg) tea.Cmd {
	return m.created(msg.seq, msg.err, msg.auditErr, "plan", func() tea.Cmd {
		m.plans.put(*msg.p)
		m.lastPlan = msg.p.ID
		m.show(tabPlans, msg.p.ID)
		return common.Toast(common.ToastSuccess, fmt.Sprintf("%s Created plan %s (%s)", common.SymOK, msg.p.Name, msg.p.ID))
	})
}

func (m *Model) onCustomerDone(msg customerDoneMsg) tea.Cmd {
	return m.created(msg.seq, msg.err, msg.auditErr, "customer", func() tea.Cmd {
		m.custs.put(*msg.c)
		m.lastCustomer = msg.c.ID
		m.show(tabCustomers, msg.c.ID)
		return common.Toast(common.ToastSuccess, fmt.Sprintf("%s Created customer %s (%s)", common.SymOK, customerName(*msg.c), msg.c.ID))
	})
}

func (m *Model) onSubDone(msg subDoneMsg) tea.Cmd {
	return m.created(msg.seq, msg.err, msg.auditErr, "subscription", func() tea.Cmd {
		m.subs.put(*msg.s)
		m.show(tabSubs, msg.s.ID)
		m.setup = &setupPanel{sub: *msg.s}
		var follow tea.Cmd
		if msg.s.Status == client.SubscriptionPending {
			follow = m.follow(msg.s.ID)
		}
		return tea.Batch(follow, common.Toast(common.ToastSuccess, fmt.Sprintf("%s Created subscription %s: send the customer the setup link", common.SymOK, msg.s.ID)))
	})
}

// show switches to list t with the cursor on id.
func (m *Model) show(t tab, id string) {
	m.detail = nil
	m.switchTab(t)
	switch t {
	case tabPlans:
		m.plans.cursor = m.plans.indexOf(id, 0)
	case tabCustomers:
		m.custs.cursor = m.custs.indexOf(id, 0)
	case tabSubs:
		m.subs.cursor = m.subs.indexOf(id, 0)
	}
	m.active().ensureVisible(m.rows())
}

// unsubscribable is the subscription `x` applies to: the open one, else the
// one under the cursor.
func (m *Model) unsubscribable() (client.Subscription, bool) {
	if m.detail != nil {
		return m.detail.sub(m), true
	}
	if m.tab != tabSubs {
		return client.Subscription{}, false
	}
	return m.subs.current()
}

// askUnsubscribe asks the shell for a typed confirmation (the id), default
// Cancel.
func (m *Model) askUnsubscribe() tea.Cmd {
	sb, ok := m.unsubscribable()
	if !ok || m.unsubbing != "" {
		return nil
	}
	switch sb.Status {
	case client.SubscriptionCanceled, client.SubscriptionCompleted:
		return common.Toast(common.ToastWarn, fmt.Sprintf("Subscription %s is already %s", sb.ID, sb.Status))
	}
	body := fmt.Sprintf("%s on %s (%s).\nNo further billing cycles will be charged; this cannot be undone.",
		m.customerOf(sb), m.planOf(sb), statusText(sb.Status))
	return common.Confirm(common.ConfirmMsg{
		Title:     "Unsubscribe " + sb.ID,
		Body:      body,
		Typed:     sb.ID,
		Danger:    true,
		Perm:      common.PermAdmin,
		OnConfirm: unsubConfirmedMsg{id: sb.ID},
	})
}

func (m *Model) onUnsubConfirmed(msg unsubConfirmedMsg) tea.Cmd {
	if m.unsubbing != "" || !m.c.Can(common.PermAdmin) {
		return nil
	}
	m.unsubbing = msg.id
	c, cm, id := m.c.Client, m.c, msg.id
	return tea.Batch(func() tea.Msg {
		cx, cancel := ctx()
		defer cancel()
		s, err := c.Unsubscribe(cx, id)
		aerr := cm.Audit(audit.Event("subscription.cancel", id, 0, "", err))
		return unsubDoneMsg{id: id, s: s, err: err, auditErr: aerr}
	}, m.startSpin())
}

func (m *Model) onUnsubDone(msg unsubDoneMsg) tea.Cmd {
	if msg.id == m.unsubbing {
		m.unsubbing = ""
	}
	now := m.c.Now()
	warn := audit.Warning(msg.auditErr)
	switch {
	case msg.err == nil:
		m.subs.put(*msg.s)
		return tea.Batch(warn, text.Health(nil, now), m.reload(false), common.Toast(common.ToastSuccess,
			fmt.Sprintf("%s Subscription %s is %s", common.SymOK, msg.id, msg.s.Status)))
	case client.IsAmbiguous(msg.err):
		return tea.Batch(warn, text.Health(msg.err, now), m.reload(false), common.Error("Unsubscribe: outcome unknown",
			fmt.Errorf("IntaSend did not answer clearly (%s). The list was reloaded: check the subscription's status before trying again", text.ErrText(msg.err))))
	}
	return tea.Batch(warn, text.Health(msg.err, now), common.Error("Could not unsubscribe "+msg.id, msg.err))
}

// copySetup puts a subscription's setup link on the clipboard (OSC 52:
// works over SSH, where the console's own clipboard is not the person's).
func (m *Model) copySetup() tea.Cmd {
	var sb client.Subscription
	switch {
	case m.setup != nil:
		sb = m.setup.sub
		m.setup.copied = true
	case m.detail != nil:
		sb = m.detail.sub(m)
	case m.tab == tabSubs:
		sb, _ = m.subs.current()
	}
	if sb.SetupURL == "" {
		return nil
	}
	return tea.Batch(tea.SetClipboard(sb.SetupURL),
		common.Toast(common.ToastInfo, "Setup link copied (if your terminal allows OSC 52): "+sb.SetupURL))
}
