package reconcile

import (
	"fmt"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/reconcile"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// finding is one row of the table: a difference (or a match) and its
// evidence on both sides.
type finding struct {
	kind, ref, date string
	amount          client.Amount
	short           string // the evidence column
	evidence        string // the detail
	bad             bool   // needs a person's attention
	// refund is the invoice Refunds opens on (R): the latest of a
	// reference's duplicate payments, the one most likely paid by mistake.
	refund string
}

func (f finding) title() string { return f.kind + " " + f.ref }

// Kinds as the table names them, problems first.
const (
	kindMismatch = "Mismatch"
	kindUnpaid   = "Unpaid"
	kindNoOrder  = "No order"
	kindDup      = "Duplicate"
	kindRefunded = "Refunded"
	kindMatched  = "Matched"
)

// findings turns a result into rows: what needs attention first, matched
// payments last.
func findings(r *reconcile.Result) []finding {
	out := make([]finding, 0, len(r.Matched)+len(r.AmountMismatch)+len(r.UnpaidOrders)+len(r.PaidWithoutOrder)+len(r.Duplicates)+len(r.Refunded))
	for _, m := range r.AmountMismatch {
		how := "paid more"
		if m.Difference < 0 {
			how = "paid less"
		}
		out = append(out, finding{kind: kindMismatch, ref: m.Reference, date: day(m.Order.Date.Time), amount: m.Difference, bad: true,
			short:    fmt.Sprintf("%s: ordered %s, paid %s", how, m.Order.Amount.KES(), m.Payment.Amount.Format(m.Payment.Currency)),
			evidence: orderText(m.Order) + "\n\n" + paymentText(m.Payment)})
	}
	for _, u := range r.UnpaidOrders {
		out = append(out, unpaid(u))
	}
	for _, u := range r.PaidWithoutOrder {
		f := finding{kind: kindNoOrder, ref: text.OrDash(u.Payment.APIRef), date: day(u.Payment.At), amount: u.Payment.Amount, bad: true,
			short: u.Payment.InvoiceID + " · " + text.OrDash(u.Payment.Account), evidence: "No ledger row names " + refOrNone(u.Payment.APIRef) + ".\n\n" + paymentText(u.Payment)}
		if len(u.PossibleOrders) > 0 {
			o := u.PossibleOrders[0]
			f.short = fmt.Sprintf("possible match: %s (line %d)", o.Reference, o.Line)
			f.evidence += "\n\nPossible match (same amount and payer within a day, never counted as matched):\n" + orderText(o)
		}
		out = append(out, f)
	}
	for _, d := range r.Duplicates {
		out = append(out, duplicate(d))
	}
	for _, f := range r.Refunded {
		out = append(out, finding{kind: kindRefunded, ref: f.Reference, date: day(f.Payment.At), amount: f.Refunded,
			short:    fmt.Sprintf("%s of %s refunded · %s pending", f.Refunded.KES(), f.Payment.Amount.KES(), f.Pending.KES()),
			evidence: paymentText(f.Payment) + "\n\n" + refundsText(f.Refunds)})
	}
	for _, m := range r.Matched {
		out = append(out, finding{kind: kindMatched, ref: m.Reference, date: day(m.Order.Date.Time), amount: m.Payment.Amount,
			short: m.Payment.InvoiceID + " · " + m.Payment.Provider, evidence: orderText(m.Order) + "\n\n" + paymentText(m.Payment)})
	}
	return out
}

func unpaid(u reconcile.Unpaid) finding {
	f := finding{kind: kindUnpaid, ref: u.Order.Reference, date: day(u.Order.Date.Time), amount: u.Order.Amount, bad: true,
		short: "no payment", evidence: orderText(u.Order)}
	if len(u.Attempts) > 0 {
		a := u.Attempts[0]
		f.short = fmt.Sprintf("%d attempt%s: %s %s", len(u.Attempts), text.Plural(len(u.Attempts), "", "s"), a.State, a.Reason)
		var b strings.Builder
		b.WriteString("\n\nAttempts IntaSend saw for this reference:")
		for _, a := range u.Attempts {
			fmt.Fprintf(&b, "\n  %s  %s  %s  %s  %s", a.InvoiceID, stamp(a.At), a.State, a.Amount.KES(), a.Reason)
		}
		f.evidence += b.String()
	}
	if len(u.PossibleMatches) > 0 {
		p := u.PossibleMatches[0]
		f.short = "possible match: " + p.InvoiceID + " " + refOrNone(p.APIRef)
		f.evidence += "\n\nPossible match (same amount and payer within a day, never counted as matched):\n" + paymentText(p)
	}
	return f
}

func duplicate(d reconcile.Duplicate) finding {
	f := finding{kind: kindDup, ref: d.Reference, amount: d.Extra, bad: true}
	var b strings.Builder
	var latest time.Time
	if d.Kind == reconcile.DupPayments {
		f.short = fmt.Sprintf("paid %d times: %s extra (refund candidate)", len(d.Payments), d.Extra.KES())
		b.WriteString("Payments under this reference (R opens Refunds on the latest to give the extra back):")
		for _, p := range d.Payments {
			b.WriteString("\n\n" + paymentText(p))
			if f.refund == "" || !p.At.Before(latest) {
				f.refund, latest = p.InvoiceID, p.At
			}
		}
		f.date = day(d.Payments[0].At)
	} else {
		lines := make([]string, len(d.Orders))
		for i, o := range d.Orders {
			lines[i] = fmt.Sprint(o.Line)
		}
		f.short = "on ledger lines " + strings.Join(lines, ", ")
		b.WriteString("Ledger rows with this reference:")
		for _, o := range d.Orders {
			b.WriteString("\n\n" + orderText(o))
		}
		f.date = day(d.Orders[0].Date.Time)
	}
	f.evidence = b.String()
	return f
}

func orderText(o reconcile.Order) string {
	s := fmt.Sprintf("Ledger line %d: %s, %s, ordered %s", o.Line, o.Reference, day(o.Date.Time), o.Amount.KES())
	if o.Phone != "" {
		s += ", phone " + o.Phone
	}
	if o.Email != "" {
		s += ", " + o.Email
	}
	return s
}

func paymentText(p reconcile.Payment) string {
	return fmt.Sprintf("IntaSend invoice %s (%s %s): api_ref %s, %s, paid %s by %s, charges %s, net %s, transaction %s",
		p.InvoiceID, p.Provider, p.State, refOrNone(p.APIRef), stamp(p.At), p.Amount.Format(p.Currency),
		text.OrDash(p.Account), p.Charges.KES(), p.NetAmount.KES(), text.OrDash(p.TransactionID))
}

func refundsText(rs []reconcile.Refund) string {
	var b strings.Builder
	b.WriteString("Refunds:")
	for _, r := range rs {
		fmt.Fprintf(&b, "\n  %s  %s  %s  %s", r.ID, stamp(r.At), r.Status, r.Amount.KES())
	}
	return b.String()
}

func refOrNone(ref string) string {
	if ref == "" {
		return "(none)"
	}
	return ref
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(eat).Format(time.DateOnly)
}

// stamp writes a time the console's way (package when), in Nairobi time:
// the zone ledger dates are read in, so both sides of a row agree.
func stamp(t time.Time) string { return when.Stamp(t.In(eat), t) }
