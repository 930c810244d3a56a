package refunds

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// detail is one refund, read again from IntaSend when opened.
type detail struct {
	r       client.Refund
	seq     int
	loading bool
	err     string
}

func (m *Model) detailKeys(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	switch {
	case key.Matches(k, km.Back):
		m.detail = nil
		return nil
	case key.Matches(k, km.Payment):
		if id := invoiceID(m.detail.r); id != "" {
			return m.lookup(id, false)
		}
	case key.Matches(k, km.Refund):
		if id := invoiceID(m.detail.r); id != "" {
			return m.lookup(id, true)
		}
	case key.Matches(k, km.Refresh):
		return m.Refresh()
	}
	return nil
}

// detailView draws every field of the refund.
func (m *Model) detailView() string {
	st := m.c.Styles
	d := m.detail
	r := d.r
	var b strings.Builder
	b.WriteString(m.titleLine(st.Title.Render("Refunds › Refund " + r.ID)))
	b.WriteByte('\n')
	field := func(label, value string) {
		b.WriteString(text.Truncate("  "+st.Label.Render(text.PadRight(label, 14))+value, m.width))
		b.WriteByte('\n')
	}
	cur := currency(r)
	status := statusText(st, r.Status)
	if r.Resolution != "" {
		status += st.Faint.Render(" — " + r.Resolution)
	}
	field("Status", status)
	field("Amount", st.Bold.Render(r.Amount.Format(cur)))
	inv := text.OrDash(invoiceID(r))
	if r.Invoice != nil && r.Invoice.Value != 0 {
		inv += st.Faint.Render(fmt.Sprintf("  paid %s · %s · %s", r.Invoice.Value.Format(cur), text.OrDash(r.Invoice.Provider), text.OrDash(r.Invoice.Account)))
	}
	field("Invoice", inv)
	field("Reason", text.OrDash(r.Reason))
	field("Details", text.OrDash(r.ReasonDetails))
	field("Created", m.stamp(r.CreatedAt, when.Stamp))
	field("Updated", m.stamp(r.UpdatedAt, when.Stamp))
	if t := r.Transaction; t != nil {
		field("Sale line", fmt.Sprintf("%s · %s · %s", text.OrDash(t.ID), text.OrDash(t.TransType), text.OrDash(t.Status)))
	}
	field("Session", text.OrDash(r.SessionID))
	staff := "no"
	if r.StaffCreated {
		staff = "yes (raised by IntaSend staff)"
	}
	field("Staff created", staff)
	b.WriteByte('\n')
	switch {
	case d.loading:
		b.WriteString(st.Faint.Render(common.SymPending+" reading it again…") + "\n")
	case d.err != "":
		b.WriteString(st.Warning.Render(text.Truncate(common.SymWarn+" could not read it again: "+d.err, m.width)) + "\n")
	}
	hint := "p open the payment"
	if m.keys.Refund.Enabled() {
		hint += " · R refund more of it"
	}
	b.WriteString(st.Faint.Render(text.Truncate(hint+" · esc back", m.width)))
	return b.String()
}
