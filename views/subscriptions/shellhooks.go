package subscriptions

import (
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/table"
)

// The shell's optional interfaces: the id under the cursor for `y`, and
// mouse clicks on the rows.

var (
	_ common.Clickable = (*Model)(nil)
	_ common.Copier    = (*Model)(nil)
)

// CopyText is the plan, customer or subscription under the cursor for the
// shell's `y`. Where the view's own `y` copies a setup link (the setup
// panel, a subscription waiting to be set up, in the list or open), it
// says nothing, so the view's binding wins.
func (m *Model) CopyText() (label, text string) {
	if m.Capturing() || m.setup != nil {
		return "", ""
	}
	if m.detail != nil {
		if sb := m.detail.sub(m); !copiesLink(sb) {
			return "subscription", sb.ID
		}
		return "", ""
	}
	switch m.tab {
	case tabPlans:
		if p, ok := m.plans.current(); ok {
			return "plan", p.ID
		}
	case tabCustomers:
		if c, ok := m.custs.current(); ok {
			return "customer", c.ID
		}
	default:
		if sb, ok := m.subs.current(); ok && !copiesLink(sb) {
			return "subscription", sb.ID
		}
	}
	return "", ""
}

// copiesLink says whether the view's own `y` copies sb's setup link: only
// while it waits to be set up, when the link is what the customer needs
// (the detail says "setup link (y copies)" then too).
func copiesLink(sb client.Subscription) bool {
	return sb.Status == client.SubscriptionPending && sb.SetupURL != ""
}

// Body lines of the tables' headers: a list has its tabs line and filter
// line above; a subscription's transactions its title, summary, setup
// link and filter lines.
const (
	listTop   = 2
	detailTop = 4
)

// ClickRow selects the row on body line y; a second click on a
// subscription opens its transactions, as enter does. Clicks do nothing
// while a form or the setup link covers the list.
func (m *Model) ClickRow(y int) tea.Cmd {
	if m.Capturing() || m.setup != nil {
		return nil
	}
	tbl, top := m.clickTable()
	_, hit, again := tbl.Click(y - top)
	switch {
	case !hit:
		return nil
	case again && m.detail == nil && m.tab == tabSubs:
		return m.openDetail()
	}
	return m.more()
}

// clickTable is the table in front and the body line of its header.
func (m *Model) clickTable() (*table.Model, int) {
	switch {
	case m.detail != nil:
		return &m.detail.txs.tbl, detailTop
	case m.tab == tabPlans:
		return &m.plans.tbl, listTop
	case m.tab == tabCustomers:
		return &m.custs.tbl, listTop
	}
	return &m.subs.tbl, listTop
}
