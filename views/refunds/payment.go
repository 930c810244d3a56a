package refunds

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// payment is a payment looked up by invoice id, with its refunds.
type payment struct {
	id       string
	seq      int
	loading  bool
	openForm bool // open the refund form when the lookup lands
	err      string

	status     *client.PaymentStatus
	refunds    []client.Refund
	refundsErr string // the refunds could not all be read: no remainder
	loadedAt   time.Time
}

// refunded sums the refunds that still hold part of the invoice.
func (p *payment) refunded() client.Amount {
	var sum client.Amount
	for _, r := range p.refunds {
		if counts(r) {
			sum += r.Amount
		}
	}
	return sum
}

// remainder is what may still be refunded.
func (p *payment) remainder() client.Amount {
	if p.status == nil {
		return 0
	}
	return max(p.status.Invoice.Value-p.refunded(), 0)
}

func (p *payment) currency() string {
	if p.status != nil && p.status.Invoice.Currency != "" {
		return p.status.Invoice.Currency
	}
	return "KES"
}

// customer names who paid: their name when IntaSend knows it, and the
// account (phone or email) the money came from.
func (p *payment) customer() string {
	if p.status == nil {
		return ""
	}
	cu := p.status.Meta.Customer
	name := strings.TrimSpace(cu.FirstName + " " + cu.LastName)
	acct := p.status.Invoice.Account
	if acct == "" {
		acct = cu.PhoneNumber
		if acct == "" {
			acct = cu.Email
		}
	}
	switch {
	case name == "":
		return acct
	case acct == "":
		return name
	}
	return name + " · " + acct
}

// refusal says why this payment cannot be refunded now, "" when it can.
func (p *payment) refusal() string {
	switch {
	case p.status == nil:
		return "The payment is still loading."
	case p.status.Invoice.State != "COMPLETE":
		return fmt.Sprintf("Only COMPLETE payments can be refunded; %s is %s.", p.id, p.status.Invoice.State)
	case p.refundsErr != "":
		return "Earlier refunds of this payment could not all be read, so what is left is unknown: press r to try again."
	case p.remainder() <= 0:
		return fmt.Sprintf("Nothing left to refund: %s of %s is already refunded or pending.",
			p.refunded().Format(p.currency()), p.status.Invoice.Value.Format(p.currency()))
	}
	return ""
}

func (m *Model) paymentKeys(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	switch {
	case key.Matches(k, km.Back):
		m.pay = nil
		return nil
	case key.Matches(k, km.Refund):
		return m.openForm()
	case key.Matches(k, km.Find):
		return m.openFind()
	case key.Matches(k, km.Refresh):
		return m.Refresh()
	}
	return nil
}

// paymentView draws the payment and its refunds.
func (m *Model) paymentView() string {
	st := m.c.Styles
	p := m.pay
	var b strings.Builder
	b.WriteString(m.titleLine(st.Title.Render("Refunds › Payment " + p.id)))
	b.WriteByte('\n')
	if p.status == nil {
		switch {
		case p.err != "":
			for _, l := range text.Wrap(common.SymFailed+" "+p.err, m.width) {
				b.WriteString(st.Failed.Render(l) + "\n")
			}
			b.WriteString(st.Faint.Render("f find another payment · esc back"))
		default:
			b.WriteString(st.Faint.Render(common.SymPending + " looking up the payment and its refunds…"))
		}
		return b.String()
	}
	inv := p.status.Invoice
	cur := p.currency()
	field := func(label, value string) {
		b.WriteString(text.Truncate("  "+st.Label.Render(text.PadRight(label, 12))+value, m.width))
		b.WriteByte('\n')
	}
	field("Invoice", inv.ID+" · "+text.OrDash(inv.Provider)+" · "+invoiceStateText(st, inv.State))
	field("Customer", text.OrDash(p.customer()))
	field("Paid", inv.Value.Format(cur)+st.Faint.Render(fmt.Sprintf("  charges %s · net %s", inv.Charges.Format(cur), inv.NetAmount.Format(cur))))
	field("Created", m.stamp(inv.CreatedAt, when.Stamp))
	ref := text.OrDash(inv.APIRef)
	if inv.MpesaReference != "" {
		ref += st.Faint.Render(" · M-Pesa ref ") + inv.MpesaReference
	}
	field("Reference", ref)
	if p.err != "" {
		b.WriteString(st.Warning.Render(text.Truncate(common.SymWarn+" refresh failed: "+p.err, m.width)) + "\n")
	}
	b.WriteByte('\n')
	b.WriteString(m.paymentRefunds())
	b.WriteByte('\n')
	if p.refundsErr != "" {
		field("Refunded", st.Warning.Render(common.SymWarn+" unknown: "+p.refundsErr))
	} else {
		field("Refunded", p.refunded().Format(cur)+st.Faint.Render(fmt.Sprintf("  of %s", inv.Value.Format(cur))))
		field("Refundable", st.Bold.Render(p.remainder().Format(cur)))
	}
	var hint string
	switch {
	case !m.keys.Refund.Enabled():
		hint = "Your role cannot refund · f find another · esc back"
	case p.refusal() != "":
		hint = p.refusal()
	default:
		hint = "R refund · f find another · esc back"
	}
	b.WriteString(st.Faint.Render(text.Truncate(hint, m.width)))
	return b.String()
}

// paymentRefunds lists the payment's refunds, as many as fit.
func (m *Model) paymentRefunds() string {
	st := m.c.Styles
	p := m.pay
	if len(p.refunds) == 0 {
		return st.Faint.Render("  No refunds of this payment yet.") + "\n"
	}
	var b strings.Builder
	b.WriteString(st.Subtitle.Render(fmt.Sprintf("  Refunds of this payment (%d)", len(p.refunds))))
	b.WriteByte('\n')
	// title, 5 fields, blank, heading … blank, 2 totals, hint
	room := max(m.height-12, 1)
	for i, r := range p.refunds {
		if i == room-1 && len(p.refunds) > room {
			b.WriteString(st.Faint.Render(fmt.Sprintf("    … and %d more", len(p.refunds)-i)) + "\n")
			break
		}
		line := fmt.Sprintf("    %s  %s  %s  %s  ", m.stamp(r.CreatedAt, when.DayTime), text.PadRight(r.ID, 7),
			text.PadLeft(r.Amount.Format(p.currency()), 14), text.PadRight(r.Reason, 19))
		b.WriteString(text.Truncate(line+statusText(st, r.Status), m.width))
		b.WriteByte('\n')
	}
	return b.String()
}

// unclear is a refund whose request got no clear answer: the next lookup
// of its invoice says whether it went through.
type unclear struct {
	invoice string
	amount  client.Amount
	known   map[string]bool // the invoice's refunds before the request
}

// checkUnclear tells the user what the refreshed refunds say about an
// ambiguous refund, once.
func (m *Model) checkUnclear(p *payment) tea.Cmd {
	u := m.unclear
	if u == nil || u.invoice != p.id || p.refundsErr != "" {
		return nil
	}
	m.unclear = nil
	for _, r := range p.refunds {
		if !u.known[r.ID] && r.Amount == u.amount {
			return common.Toast(common.ToastWarn, fmt.Sprintf("%s The unclear refund did go through: %s of %s (%s). Do not send it again.",
				common.SymWarn, r.ID, r.Amount.Format(p.currency()), r.Status))
		}
	}
	return common.Toast(common.ToastWarn, fmt.Sprintf("%s No new refund of %s on %s found after the unclear answer; check the list again before refunding.",
		common.SymWarn, u.amount.Format(p.currency()), p.id))
}
