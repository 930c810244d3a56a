package subscriptions

import (
	"fmt"
	"strconv"
	"time"

	"github.com/malipo/malipo/client"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

type formKind int

const (
	formPlan formKind = iota + 1
	formCustomer
	formSubscription
)

// form is the shared form (ui/components/form) and which of the three
// creates it is. Creating a plan, a customer or a subscription moves no
// money, so the form goes straight from editing to sending.
type form struct {
	*uiform.Form
	kind formKind
}

// planFields are a new plan's lines; planRules words the amount and the
// frequency hints from the lines chosen below them.
func planFields(m *Model) []*uiform.Field {
	st := m.c.Styles
	return []*uiform.Field{
		uiform.NewText(st, "name", "Name", fmt.Sprintf("at most %d characters", uiform.PlanNameMax), uiform.PlanNameMax).
			Req("a name is required"),
		uiform.NewMoney(st, "amount", "Amount", "charged each period, e.g. 2,500"),
		uiform.NewText(st, "frequency", "Every", "e.g. 1", uiform.CountMax).
			Req("how many units between charges (1 or more)").WithCheck(checkFrequency),
		uiform.NewChoice("unit", "Unit", []uiform.Option{{Label: "months", Value: client.Monthly},
			{Label: "weeks", Value: client.Weekly}, {Label: "days", Value: client.Daily}, {Label: "years", Value: client.Yearly}}, ""),
		uiform.NewText(st, "cycles", "Billing cycles", "empty: until cancelled", uiform.CountMax).WithCheck(checkCycles),
		uiform.NewChoice("currency", "Currency", []uiform.Option{{Label: "KES", Value: "KES"}, {Label: "USD", Value: "USD"},
			{Label: "EUR", Value: "EUR"}, {Label: "GBP", Value: "GBP"}}, ""),
	}
}

// planRules: the amount is shown in the chosen currency and the frequency
// in the chosen unit, so both hints follow the choice lines.
func planRules(f *uiform.Form) {
	if a := f.Get("amount"); a.Err == "" && a.Hint != "" {
		amt, _ := a.Amount()
		a.Hint = "= " + amt.Format(f.Value("currency"))
	}
	if fr := f.Get("frequency"); fr.Err == "" && fr.Trimmed() != "" {
		n, _ := strconv.Atoi(fr.Trimmed())
		fr.Hint = "every " + frequencyText(n, f.Value("unit"))
	}
}

func customerFields(m *Model) []*uiform.Field {
	st := m.c.Styles
	return []*uiform.Field{
		uiform.NewEmail(st, "email", "Email", "name@example.com").Req("an email is required"),
		uiform.NewText(st, "first_name", "First name", "", uiform.NameMax).Req("a first name is required"),
		uiform.NewText(st, "last_name", "Last name", "", uiform.NameMax).Req("a last name is required"),
		uiform.NewText(st, "reference", "Reference", "optional: your own id", uiform.ReferenceMax),
	}
}

// subscriptionFields offer the customers and plans loaded, starting on the
// newest made here, and today as the start date.
func subscriptionFields(m *Model) []*uiform.Field {
	st := m.c.Styles
	var cs, ps []uiform.Option
	csel, psel := 0, 0
	for i, cu := range m.custs.rows {
		cs = append(cs, uiform.Option{Label: customerName(cu) + " <" + cu.Email + ">", Value: cu.ID})
		if cu.ID == m.lastCustomer {
			csel = i
		}
	}
	for i, p := range m.plans.rows {
		ps = append(ps, uiform.Option{Label: p.Name + " · " + p.Amount.Format(p.Currency) + " " + frequency(p), Value: p.ID})
		if p.ID == m.lastPlan {
			psel = i
		}
	}
	return []*uiform.Field{
		uiform.NewSearch(st, "customer", "Customer", cs, csel).Req("choose a customer"),
		uiform.NewSearch(st, "plan", "Plan", ps, psel).Req("choose a plan"),
		uiform.NewText(st, "start", "Start date", "YYYY-MM-DD", uiform.DateMax).
			Req("a start date is required (YYYY-MM-DD)").WithCheck(m.checkStart).
			WithValue(today(m.c.Now()).Format(time.DateOnly)),
		uiform.NewText(st, "reference", "Reference", "optional", uiform.ReferenceMax),
	}
}

func checkFrequency(f *uiform.Field) (hint, errMsg string) {
	if n, err := strconv.Atoi(f.Trimmed()); err != nil || n < 1 {
		return "", "a whole number, 1 or more"
	}
	return "", ""
}

func checkCycles(f *uiform.Field) (hint, errMsg string) {
	v := f.Trimmed()
	if v == "" {
		return "until cancelled", ""
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n < 0:
		return "", "a whole number (empty: until cancelled)"
	case n == 0:
		return "until cancelled", ""
	}
	return fmt.Sprintf("%d charge%s, then COMPLETED", n, text.Plural(n, "", "s")), ""
}

// checkStart: IntaSend refuses a start date in the past, judged in
// Nairobi whatever the machine's zone.
func (m *Model) checkStart(f *uiform.Field) (hint, errMsg string) {
	d, err := time.ParseInLocation(time.DateOnly, f.Trimmed(), eat())
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
	// d is a calendar day in IntaSend's zone, not an instant: its own zone.
	return d.Format("Mon ") + when.Date(d, d), ""
}
