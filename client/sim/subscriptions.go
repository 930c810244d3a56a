package sim

// Subscriptions (docs/intasend-api.md §2.9): subscriptions-plans/, subscriptions-customers/,
// subscriptions/ (+ {id}/unsubscribe/, {id}/transactions/ as wallet transactions).
//
// Behaviour: a new subscription is PENDING with a setup_url; the simulated
// customer completes setup after Timing.Subscription (jittered), making it
// ACTIVE. Once ACTIVE (and not before start_date) the card on file is
// charged once per billing period (frequency × frequency_unit D|W|M|Y): each
// charge is a COMPLETE CARD-PAYMENT invoice crediting the plan currency's
// SETTLEMENT wallet (clearing as usual). After billing_cycles charges (0 =
// until cancelled) it is COMPLETED. unsubscribe makes it CANCELED; a
// CANCELED or COMPLETED subscription cannot be unsubscribed again (400).

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

type subState struct {
	plans     map[string]*plan
	planOrder []*plan
	custs     map[string]*subCustomer
	custOrder []*subCustomer
	subs      map[string]*subscription
	subOrder  []*subscription
}

func (st *subState) init() {
	st.plans = map[string]*plan{}
	st.custs = map[string]*subCustomer{}
	st.subs = map[string]*subscription{}
}

type plan struct {
	ID, Name, FrequencyUnit, Currency string
	Frequency, BillingCycles          int64
	Amount                            client.Amount
	CreatedAt, UpdatedAt              time.Time
}

// next is the billing time one period after t.
func (p *plan) next(t time.Time) time.Time {
	f := int(p.Frequency)
	switch p.FrequencyUnit {
	case "D":
		return t.AddDate(0, 0, f)
	case "W":
		return t.AddDate(0, 0, 7*f)
	case "Y":
		return t.AddDate(f, 0, 0)
	}
	return t.AddDate(0, f, 0)
}

type subCustomer struct {
	ID, Email, FirstName, LastName, Reference string
	Address, City, State, Zipcode, Country    string
	CreatedAt, UpdatedAt                      time.Time
}

type subscription struct {
	ID, Reference, RedirectURL, Status, SetupURL string
	Plan                                         *plan
	Customer                                     *subCustomer
	StartDate, NextBilling                       time.Time
	Charges                                      []*invoice
	FailedInvoice                                string // the declined charge's invoice id, when FAILED
	CreatedAt, UpdatedAt                         time.Time
}

// ---- views ----

type planJSON struct {
	PlanID        string        `json:"plan_id"`
	Name          string        `json:"name"`
	Frequency     int64         `json:"frequency"`
	FrequencyUnit string        `json:"frequency_unit"`
	BillingCycles int64         `json:"billing_cycles"`
	Currency      string        `json:"currency"`
	Amount        client.Amount `json:"amount"`
	CreatedAt     string        `json:"created_at"`
	UpdatedAt     string        `json:"updated_at"`
}

func planView(p *plan) planJSON {
	return planJSON{PlanID: p.ID, Name: p.Name, Frequency: p.Frequency, FrequencyUnit: p.FrequencyUnit,
		BillingCycles: p.BillingCycles, Currency: p.Currency, Amount: p.Amount,
		CreatedAt: ts(p.CreatedAt), UpdatedAt: ts(p.UpdatedAt)}
}

type subCustomerJSON struct {
	CustomerID string  `json:"customer_id"`
	Email      string  `json:"email"`
	FirstName  string  `json:"first_name"`
	LastName   string  `json:"last_name"`
	Reference  *string `json:"reference"`
	Address    *string `json:"address"`
	City       *string `json:"city"`
	State      *string `json:"state"`
	Zipcode    *string `json:"zipcode"`
	Country    *string `json:"country"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  string  `json:"updated_at"`
}

func subCustomerView(c *subCustomer) subCustomerJSON {
	return subCustomerJSON{CustomerID: c.ID, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName,
		Reference: strPtr(c.Reference), Address: strPtr(c.Address), City: strPtr(c.City), State: strPtr(c.State),
		Zipcode: strPtr(c.Zipcode), Country: strPtr(c.Country), CreatedAt: ts(c.CreatedAt), UpdatedAt: ts(c.UpdatedAt)}
}

type subscriptionJSON struct {
	SubscriptionID  string          `json:"subscription_id"`
	CustomerID      string          `json:"customer_id"`
	PlanID          string          `json:"plan_id"`
	Customer        subCustomerJSON `json:"customer"`
	Plan            planJSON        `json:"plan"`
	StartDate       string          `json:"start_date"`
	Reference       *string         `json:"reference"`
	RedirectURL     *string         `json:"redirect_url"`
	Status          string          `json:"status"`
	PaymentMethod   string          `json:"payment_method"`
	SetupURL        string          `json:"setup_url"`
	CyclesCompleted int             `json:"billing_cycles_completed"`
	NextBillingDate *string         `json:"next_billing_date"`
	CreatedAt       string          `json:"created_at"`
	UpdatedAt       string          `json:"updated_at"`
}

func subscriptionView(sb *subscription) subscriptionJSON {
	out := subscriptionJSON{
		SubscriptionID: sb.ID, CustomerID: sb.Customer.ID, PlanID: sb.Plan.ID,
		Customer: subCustomerView(sb.Customer), Plan: planView(sb.Plan),
		StartDate: sb.StartDate.In(nairobi).Format("2006-01-02"), Reference: strPtr(sb.Reference),
		RedirectURL: strPtr(sb.RedirectURL), Status: sb.Status, PaymentMethod: "CARD-PAYMENT",
		SetupURL: sb.SetupURL, CyclesCompleted: len(sb.Charges),
		CreatedAt: ts(sb.CreatedAt), UpdatedAt: ts(sb.UpdatedAt),
	}
	if (sb.Status == "ACTIVE" || sb.Status == "PENDING") && !sb.NextBilling.IsZero() {
		d := sb.NextBilling.In(nairobi).Format("2006-01-02")
		out.NextBillingDate = &d
	}
	return out
}

// ---- routes ----

func (s *Server) routesSubscriptions() {
	s.handle("GET", "subscriptions-plans/", authSecret, s.listPlans)
	s.handle("POST", "subscriptions-plans/", authSecret, s.createPlan)
	s.handle("GET", "subscriptions-plans/{id}/", authSecret, s.getPlan)
	s.handle("GET", "subscriptions-customers/", authSecret, s.listSubCustomers)
	s.handle("POST", "subscriptions-customers/", authSecret, s.createSubCustomer)
	s.handle("GET", "subscriptions-customers/{id}/", authSecret, s.getSubCustomer)
	s.handle("GET", "subscriptions/", authSecret, s.listSubscriptions)
	s.handle("POST", "subscriptions/", authSecret, s.createSubscription)
	s.handle("GET", "subscriptions/{id}/", authSecret, s.getSubscription)
	s.handle("POST", "subscriptions/{id}/unsubscribe/", authSecret, s.unsubscribe)
	s.handle("GET", "subscriptions/{id}/transactions/", authSecret, s.subscriptionCharges)
}

// newestOf renders items newest first.
func newestOf[T, J any](items []T, view func(T) J) []J {
	out := make([]J, 0, len(items))
	for i := len(items) - 1; i >= 0; i-- {
		out = append(out, view(items[i]))
	}
	return out
}

// ---- plans ----

func (s *Server) createPlan(c *reqCtx) {
	p, ok := planFromBody(c)
	if !ok {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	s.addPlan(p, s.clock.Now())
	c.json(http.StatusCreated, planView(p))
}

// planFromBody validates a plan body (create and PUT take the same
// fields), answering 400 itself when it cannot.
func planFromBody(c *reqCtx) (*plan, bool) {
	var b struct {
		Name          client.FlexString `json:"name"`
		Frequency     flexInt           `json:"frequency"`
		FrequencyUnit client.FlexString `json:"frequency_unit"`
		BillingCycles flexInt           `json:"billing_cycles"`
		Currency      client.FlexString `json:"currency"`
		Amount        client.FlexString `json:"amount"`
	}
	if !c.decode(&b) {
		return nil, false
	}
	var k checks
	p := &plan{Name: strings.TrimSpace(string(b.Name)), FrequencyUnit: strings.ToUpper(strings.TrimSpace(string(b.FrequencyUnit))),
		Currency: strings.ToUpper(strings.TrimSpace(string(b.Currency)))}
	k.text("name", p.Name, true, 32, nil)
	if k.integer("frequency", b.Frequency, true, 1) {
		p.Frequency = b.Frequency.V
	}
	k.choice("frequency_unit", p.FrequencyUnit, true, "D", "W", "M", "Y")
	if b.BillingCycles.Set && k.integer("billing_cycles", b.BillingCycles, false, 0) {
		p.BillingCycles = b.BillingCycles.V
	}
	k.choice("currency", p.Currency, true, currencies...)
	if a, ok := k.amount("amount", b.Amount, true); ok && k.positive("amount", a) {
		p.Amount = a
	}
	return p, !k.reply(c)
}

func (s *Server) addPlan(p *plan, at time.Time) {
	p.ID, p.CreatedAt, p.UpdatedAt = s.newID(7), at, at
	s.subs.plans[p.ID] = p
	s.subs.planOrder = append(s.subs.planOrder, p)
}

func (s *Server) listPlans(c *reqCtx) {
	s.lock()
	defer s.mu.Unlock()
	paginate(c, newestOf(s.subs.planOrder, planView))
}

func (s *Server) getPlan(c *reqCtx) { getByID(s, c, s.subs.plans, planView) }

// ---- subscription customers ----

func (s *Server) createSubCustomer(c *reqCtx) {
	cu, ok := subCustomerFromBody(c)
	if !ok {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	s.addSubCustomer(cu, s.clock.Now())
	c.json(http.StatusCreated, subCustomerView(cu))
}

// subCustomerFromBody validates a subscriber body (create and PUT take the
// same fields), answering 400 itself when it cannot.
func subCustomerFromBody(c *reqCtx) (*subCustomer, bool) {
	var b struct {
		Email, Reference, Address, City, State, Zipcode, Country client.FlexString
		FirstName                                                client.FlexString `json:"first_name"`
		LastName                                                 client.FlexString `json:"last_name"`
	}
	if !c.decode(&b) {
		return nil, false
	}
	tr := func(v client.FlexString) string { return strings.TrimSpace(string(v)) }
	cu := &subCustomer{Email: tr(b.Email), FirstName: tr(b.FirstName), LastName: tr(b.LastName),
		Reference: tr(b.Reference), Address: tr(b.Address), City: tr(b.City), State: tr(b.State),
		Zipcode: tr(b.Zipcode), Country: strings.ToUpper(tr(b.Country))}
	var k checks
	if cu.Email == "" {
		k.required("email")
	} else {
		k.email("email", cu.Email, 254)
	}
	k.text("first_name", cu.FirstName, true, 45, nil)
	k.text("last_name", cu.LastName, true, 45, nil)
	k.text("reference", cu.Reference, false, 100, nil)
	k.text("country", cu.Country, false, 2, nil)
	return cu, !k.reply(c)
}

func (s *Server) addSubCustomer(cu *subCustomer, at time.Time) {
	cu.ID, cu.CreatedAt, cu.UpdatedAt = s.newID(7), at, at
	s.subs.custs[cu.ID] = cu
	s.subs.custOrder = append(s.subs.custOrder, cu)
}

func (s *Server) listSubCustomers(c *reqCtx) {
	s.lock()
	defer s.mu.Unlock()
	paginate(c, newestOf(s.subs.custOrder, subCustomerView))
}

func (s *Server) getSubCustomer(c *reqCtx) { getByID(s, c, s.subs.custs, subCustomerView) }

// ---- subscriptions ----

func (s *Server) createSubscription(c *reqCtx) {
	var b struct {
		CustomerID  client.FlexString `json:"customer_id"`
		PlanID      client.FlexString `json:"plan_id"`
		StartDate   client.FlexString `json:"start_date"`
		Reference   client.FlexString `json:"reference"`
		RedirectURL client.FlexString `json:"redirect_url"`
	}
	if !c.decode(&b) {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	var k checks
	custID, planID := strings.TrimSpace(string(b.CustomerID)), strings.TrimSpace(string(b.PlanID))
	cu, p := s.subs.custs[custID], s.subs.plans[planID]
	for _, f := range []struct {
		attr, id string
		found    bool
	}{{"customer_id", custID, cu != nil}, {"plan_id", planID, p != nil}} {
		switch {
		case f.id == "":
			k.required(f.attr)
		case !f.found:
			k.add(f.attr, "does_not_exist", fmt.Sprintf("Invalid pk %q - object does not exist.", f.id))
		}
	}
	today, _ := parseDay(now.In(nairobi).Format("2006-01-02"))
	start := today
	if v := strings.TrimSpace(string(b.StartDate)); v != "" {
		d, ok := parseDay(v)
		switch {
		case !ok:
			k.add("start_date", "invalid", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")
		case d.Before(today):
			k.add("start_date", "invalid", "The start date cannot be in the past.")
		default:
			start = d
		}
	}
	ref := strings.TrimSpace(string(b.Reference))
	k.text("reference", ref, false, 100, nil)
	redirect := strings.TrimSpace(string(b.RedirectURL))
	k.uri("redirect_url", redirect, 400)
	if k.reply(c) {
		return
	}
	sb := s.addSubscription(cu, p, start, ref, redirect, c.hostURL(), now)
	s.after(s.jitter(s.opts.Timing.Subscription), func(at time.Time) { s.activate(sb, at) })
	c.json(http.StatusCreated, subscriptionView(sb))
}

func (s *Server) addSubscription(cu *subCustomer, p *plan, start time.Time, ref, redirect, host string, at time.Time) *subscription {
	sb := &subscription{ID: s.newID(7), Customer: cu, Plan: p, StartDate: start, Reference: ref,
		RedirectURL: redirect, Status: "PENDING", CreatedAt: at, UpdatedAt: at}
	sb.SetupURL = host + "/subscriptions/" + sb.ID + "/setup/"
	s.subs.subs[sb.ID] = sb
	s.subs.subOrder = append(s.subs.subOrder, sb)
	return sb
}

// activate is the customer completing setup; billing starts at the later
// of now and start_date.
func (s *Server) activate(sb *subscription, at time.Time) {
	if sb.Status != "PENDING" {
		return
	}
	sb.Status, sb.UpdatedAt = "ACTIVE", at
	first := at
	if sb.StartDate.After(at) {
		first = sb.StartDate
	}
	s.scheduleCharge(sb, first)
}

func (s *Server) scheduleCharge(sb *subscription, t time.Time) {
	sb.NextBilling = t
	s.at(t, func(at time.Time) { s.charge(sb, at, true) })
}

// magicDeclinedEmail: a subscriber whose email starts with it (e.g.
// declined@example.com) has a card the bank refuses: the first charge
// FAILS "Do not honour" (05) and the subscription is FAILED, billed no more
// (issue 12 §5).
const magicDeclinedEmail = "declined@"

// charge bills one period and schedules the next (or completes, or fails).
func (s *Server) charge(sb *subscription, at time.Time, clearing bool) {
	if sb.Status != "ACTIVE" {
		return
	}
	p := sb.Plan
	inv := s.newInvoice(invoiceSpec{provider: "CARD-PAYMENT", currency: p.Currency, account: sb.Customer.Email,
		apiRef: "SUB-" + sb.ID, narrative: "Subscription " + p.Name, amount: p.Amount, subscriptionID: sb.ID}, at)
	inv.State = "PROCESSING"
	var declined *failure
	if strings.HasPrefix(strings.ToLower(sb.Customer.Email), magicDeclinedEmail) {
		declined = &cardFailures[0]
	}
	s.settleInvoice(inv, declined, at, clearing)
	sb.UpdatedAt = at
	if declined != nil {
		// Not a completed cycle: the FAILED invoice stays readable by id
		// (payment/status/) but is not one of the subscription's charges.
		sb.Status, sb.NextBilling, sb.FailedInvoice = "FAILED", time.Time{}, inv.ID
		return
	}
	sb.Charges = append(sb.Charges, inv)
	if p.BillingCycles > 0 && int64(len(sb.Charges)) >= p.BillingCycles {
		sb.Status, sb.NextBilling = "COMPLETED", time.Time{}
		return
	}
	if clearing {
		s.scheduleCharge(sb, p.next(at))
	} else {
		sb.NextBilling = p.next(at)
	}
}

func (s *Server) listSubscriptions(c *reqCtx) {
	s.lock()
	defer s.mu.Unlock()
	status := strings.ToUpper(c.r.URL.Query().Get("status"))
	out := []subscriptionJSON{}
	for i := len(s.subs.subOrder) - 1; i >= 0; i-- {
		if sb := s.subs.subOrder[i]; status == "" || sb.Status == status {
			out = append(out, subscriptionView(sb))
		}
	}
	paginate(c, out)
}

func (s *Server) getSubscription(c *reqCtx) { getByID(s, c, s.subs.subs, subscriptionView) }

func (s *Server) unsubscribe(c *reqCtx) {
	s.lock()
	defer s.mu.Unlock()
	sb := s.subs.subs[c.r.PathValue("id")]
	if sb == nil {
		c.notFound()
		return
	}
	if sb.Status == "CANCELED" || sb.Status == "COMPLETED" || sb.Status == "FAILED" {
		c.invalid("non_field_errors", "invalid", fmt.Sprintf("Subscription %s is already %s.", sb.ID, sb.Status))
		return
	}
	sb.Status, sb.NextBilling, sb.UpdatedAt = "CANCELED", time.Time{}, s.clock.Now()
	// 201, as the OAS documents for subscriptions_unsubscribe (a DRF create view).
	c.json(http.StatusCreated, subscriptionView(sb))
}

// subscriptionCharges lists the charges billed so far, newest first, as
// wallet transactions (the SALE line of each charge, its invoice nested),
// the shape of every other "transactions" list.
func (s *Server) subscriptionCharges(c *reqCtx) {
	s.lock()
	defer s.mu.Unlock()
	sb := s.subs.subs[c.r.PathValue("id")]
	if sb == nil {
		c.notFound()
		return
	}
	out := []txJSON{}
	for i := len(sb.Charges) - 1; i >= 0; i-- {
		if t := sb.Charges[i].SaleTx; t != nil {
			out = append(out, s.txView(t))
		}
	}
	paginate(c, out)
}

// ---- Go API ----

// SubscriptionInfo is a subscription as tests see it through the Go API.
type SubscriptionInfo struct {
	ID, Status, PlanID, CustomerID string
	Charges                        int    // billing cycles charged so far
	FailedInvoice                  string // the declined charge, when FAILED
	NextBilling                    time.Time
}

// Subscriptions lists every subscription in creation order.
func (s *Server) Subscriptions() []SubscriptionInfo {
	s.lock()
	defer s.mu.Unlock()
	out := make([]SubscriptionInfo, 0, len(s.subs.subOrder))
	for _, sb := range s.subs.subOrder {
		out = append(out, SubscriptionInfo{ID: sb.ID, Status: sb.Status, PlanID: sb.Plan.ID,
			CustomerID: sb.Customer.ID, Charges: len(sb.Charges), FailedInvoice: sb.FailedInvoice, NextBilling: sb.NextBilling})
	}
	return out
}
