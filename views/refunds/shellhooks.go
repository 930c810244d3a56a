package refunds

import (
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/export"
)

// The shell's optional interfaces (copy, mouse) and the CSV export.

var (
	_ common.Clickable = (*Model)(nil)
	_ common.Copier    = (*Model)(nil)
)

// CopyText is what the shell's `y` copies: the refund under the cursor or
// open, or the invoice of the payment shown. Nothing while a box takes
// text (y is a letter there).
func (m *Model) CopyText() (label, text string) {
	if m.Capturing() {
		return "", ""
	}
	switch m.screen() {
	case scrDetail:
		return "refund", m.detail.r.ID
	case scrPayment:
		return "invoice", m.pay.id
	}
	if r, ok := m.list.selected(); ok && r.ID != "" {
		return "refund", r.ID
	}
	return "", ""
}

// listTop is the body line of the table's header: the title and the hint
// (or filter) line come first.
const listTop = 2

// ClickRow selects the refund on body line y; a click on the selected one
// opens it, as enter does. Clicks do nothing while a box or another screen
// covers the list.
func (m *Model) ClickRow(y int) tea.Cmd {
	if m.Capturing() || m.screen() != scrList || !m.list.loaded {
		return nil
	}
	_, hit, again := m.list.tbl.Click(y - listTop)
	if !hit {
		return nil
	}
	if again {
		if r, ok := m.list.selected(); ok {
			return m.openDetail(r)
		}
	}
	return m.maybeLoadMore()
}

// exportList opens the CSV export of the refunds shown: every loaded row
// the filter lets through, in the table's order.
func (m *Model) exportList() tea.Cmd {
	if !m.keys.Export.Enabled() || m.screen() != scrList {
		return nil
	}
	l := &m.list
	now := m.c.Now()
	header := []string{export.TimeTitle("Created", now), "Refund", "Invoice", "Amount", "Currency", "Reason", "Details", "Status", "Account"}
	tbl := export.Rows(now, header, &l.tbl, func(i int, r *export.Record) {
		rf := l.rows[i]
		account := ""
		if rf.Invoice != nil {
			account = rf.Invoice.Account
		}
		r.Time(rf.CreatedAt)
		r.Text(rf.ID, invoiceID(rf))
		r.Money(rf.Amount)
		r.Text(currency(rf), rf.Reason, rf.ReasonDetails, rf.Status, account)
	})
	return m.exp.Start(export.Spec{Action: "refund.export", One: "refund", Many: "refunds",
		Name: "refunds-" + now.Format("2006-01-02"), Table: tbl})
}
