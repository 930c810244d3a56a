package subscriptions

import (
	"fmt"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/text"
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

func (m *Model) newForm(kind formKind, title string, fields []*uiform.Field, intro ...string) tea.Cmd {
	m.seq++
	f := uiform.New(m.keys.Form, title, fields...)
	f.Intro, f.Seq = intro, m.seq
	if kind == formPlan {
		f.Rules = planRules
	}
	m.form = &form{Form: f, kind: kind}
	f.Check()
	return f.Focus(0)
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
	switch kind {
	case formPlan:
		return m.newForm(formPlan, "New subscription plan", planFields(m))
	case formCustomer:
		return m.newForm(formCustomer, "New subscription customer", customerFields(m))
	case formSubscription:
		if len(m.custs.rows) == 0 || len(m.plans.rows) == 0 {
			return common.Toast(common.ToastWarn, "A subscription needs a customer and a plan: create them first (c, then n; p, then n)")
		}
		return m.newForm(formSubscription, "New subscription", subscriptionFields(m),
			"IntaSend answers with a setup link: the customer opens it to add a card. Billing starts once they have.")
	}
	return nil
}

// onFormKey routes a key or paste to the open form.
func (m *Model) onFormKey(msg tea.Msg) tea.Cmd {
	return m.form.Handle(msg, uiform.Handlers{Close: func() { m.form = nil }, Send: m.submit})
}

// submit sends what the checked form holds (creating moves no money: no
// confirmation). The form stays filled until the request succeeds.
func (m *Model) submit() tea.Cmd {
	f := m.form
	f.State = uiform.Sending
	c, cm, seq := m.c.Client, m.c, f.Seq
	var run tea.Cmd
	switch f.kind {
	case formPlan:
		req := planRequest(f.Form)
		run = func() tea.Msg {
			cx, cancel := common.Bounded(cm.WriteContext())
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
			Email: f.Value("email"), FirstName: f.Value("first_name"),
			LastName: f.Value("last_name"), Reference: f.Value("reference"),
		}
		run = func() tea.Msg {
			cx, cancel := common.Bounded(cm.WriteContext())
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
			CustomerID: f.Value("customer"), PlanID: f.Value("plan"),
			StartDate: f.Value("start"), Reference: f.Value("reference"),
		}
		run = func() tea.Msg {
			cx, cancel := common.Bounded(cm.WriteContext())
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

func planRequest(f *uiform.Form) client.PlanRequest {
	amount, _ := f.Get("amount").Amount()
	freq, _ := strconv.Atoi(f.Value("frequency"))
	cycles, _ := strconv.Atoi(f.Value("cycles"))
	return client.PlanRequest{
		Name: f.Value("name"), Amount: amount, Frequency: freq,
		FrequencyUnit: f.Value("unit"), BillingCycles: cycles, Currency: f.Value("currency"),
	}
}

// apiFields maps IntaSend's attributes to this view's field keys.
var apiFields = map[string]string{"frequency_unit": "unit", "billing_cycles": "cycles", "customer_id": "customer",
	"plan_id": "plan", "start_date": "start"}

// failForm puts IntaSend's refusal on the form, keeping what was typed:
// field errors go under their field, the message at the bottom.
func (m *Model) failForm(seq int, err error) { uiform.Refuse(m.form, seq, err, apiFields) }

func (m *Model) closeForm(seq int) bool { return uiform.Drop(&m.form, seq) }

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
	rows := m.rows()
	switch t {
	case tabPlans:
		m.plans.setCursor(m.plans.indexOf(id, 0), rows)
	case tabCustomers:
		m.custs.setCursor(m.custs.indexOf(id, 0), rows)
	case tabSubs:
		m.subs.setCursor(m.subs.indexOf(id, 0), rows)
	}
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
		cx, cancel := common.Bounded(cm.WriteContext())
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
	return tea.Batch(common.Clipboard(sb.SetupURL),
		common.Toast(common.ToastInfo, "Setup link copied (if your terminal allows OSC 52): "+sb.SetupURL))
}
