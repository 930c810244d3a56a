package collections

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/daterange"
)

// onOpenPayment is the command palette's hand-off: show one payment. It is
// added to the list when the list does not hold it (an older payment), the
// filters that would hide it are cleared, and its detail opens. A form
// being filled in stays; the user is told why nothing opened.
func (m *Model) onOpenPayment(msg common.OpenPaymentMsg) tea.Cmd {
	if m.form != nil {
		return common.Toast(common.ToastWarn, "Not now: a form is open (esc closes it)")
	}
	inv := msg.Invoice
	if inv.ID == "" {
		return nil
	}
	m.watch, m.link, m.detail = nil, nil, nil
	m.filter.Clear()
	m.state, m.rng, m.picker = 0, daterange.Range{}, nil
	m.st.upsert(inv, nil, m.c.Now().Location(), time.Time{})
	m.afterData()
	for i := range m.rowCount() {
		if r := m.st.rows[m.tbl.Index(i)]; r.inv.ID == inv.ID {
			m.setCursor(i)
			return m.openDetail()
		}
	}
	return nil
}
