package subscriptions

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// Update handles keys, the view's own data messages, its timers and the
// shell's answers to its confirmations.
func (m *Model) Update(msg tea.Msg) (common.View, tea.Cmd) {
	return m, m.update(msg)
}

// update offers msg to each group of messages in turn: input, pages, timers and
// the forms' round trips. The groups keep each switch short.
func (m *Model) update(msg tea.Msg) tea.Cmd {
	return common.Dispatch(msg, common.Input(m.onKey, m.onPaste), m.onPageMsg, m.onTimer, m.onAction)
}

func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	if m.form != nil {
		return m.onFormKey(msg)
	}
	if p := m.active(); p.isFiltering() {
		return p.filterKey(msg, m.rows())
	}
	return nil
}

// onPageMsg takes a page of any of the four lists.
func (m *Model) onPageMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case pageMsg[client.Plan]:
		cmd := onPage(m, msg, m.fetchPlans(), m.rowsFor(msg.l == m.activeAny()))
		m.subs.reindex()
		return cmd, true
	case pageMsg[client.SubscriptionCustomer]:
		cmd := onPage(m, msg, m.fetchCustomers(), m.rowsFor(msg.l == m.activeAny()))
		m.subs.reindex()
		return cmd, true
	case pageMsg[client.Subscription]:
		cmd := onPage(m, msg, m.fetchSubs(), m.rowsFor(msg.l == m.activeAny()))
		m.syncSetup()
		return cmd, true
	case pageMsg[client.WalletTransaction]:
		return m.onTxPage(msg), true
	}
	return nil, false
}

// onTxPage takes a page of the open subscription's transactions; a page
// for a subscription closed meanwhile is dropped.
func (m *Model) onTxPage(msg pageMsg[client.WalletTransaction]) tea.Cmd {
	if m.detail == nil || msg.l != m.detail.txs {
		return nil
	}
	return onPage(m, msg, m.fetchTxs(m.detail.id), m.rows())
}

// onTimer handles the spinner, the watch on a pending subscription and
// reload requests.
func (m *Model) onTimer(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case spinMsg:
		return m.onSpin(), true
	case watchTickMsg:
		return m.onWatchTick(msg), true
	case watchMsg:
		return m.onWatch(msg), true
	case refreshMsg:
		return m.reload(true), true
	}
	return nil, false
}

// onAction handles the palette's requests and the replies of the calls
// that create and cancel.
func (m *Model) onAction(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case showTabMsg:
		m.detail = nil
		return m.showTab(msg.tab), true
	case openFormMsg:
		return m.openForm(msg.kind), true
	case planDoneMsg:
		return m.onPlanDone(msg), true
	case customerDoneMsg:
		return m.onCustomerDone(msg), true
	case subDoneMsg:
		return m.onSubDone(msg), true
	case unsubConfirmedMsg:
		return m.onUnsubConfirmed(msg), true
	case unsubDoneMsg:
		return m.onUnsubDone(msg), true
	}
	return nil, false
}

// rowsFor is the window a list's page is scrolled into: the screen's rows
// for the list in front, a nominal screen for the others.
func (m *Model) rowsFor(front bool) int {
	if front {
		return m.rows()
	}
	return max(m.height-3, 1)
}

// syncSetup keeps the setup panel's subscription as fresh as the list,
// and stops following a subscription a reload found set up.
func (m *Model) syncSetup() {
	if m.setup != nil {
		if sb, ok := m.subs.byID(m.setup.sub.ID); ok {
			m.setup.sub = sb
		}
	}
	if w := m.watch; w != nil && !w.inFlight {
		if sb, ok := m.subs.byID(w.id); ok && sb.Status != client.SubscriptionPending {
			m.watch = nil
		}
	}
}

func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	m.keys = m.keys.forRole(m.c.Can(common.PermAdmin))
	if m.form != nil {
		return m.onFormKey(k)
	}
	p := m.active()
	switch {
	case p.isFiltering():
		return p.filterKey(k, m.rows())
	case m.setup != nil:
		return m.setupKey(k)
	case p.move(k, m.rows()):
		return m.more()
	}
	if cmd, ok := m.paneKey(p, k); ok {
		return cmd
	}
	if m.detail != nil {
		return nil // the lists' own keys wait until the transactions are closed
	}
	return m.listKey(k)
}

// setupKey answers the keys of the setup panel over the list.
func (m *Model) setupKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Copy):
		return m.copySetup()
	case key.Matches(k, m.keys.Back), key.Matches(k, m.keys.Open):
		m.setup = nil
	}
	return nil
}

// paneKey answers the keys every list has, the transactions included.
func (m *Model) paneKey(p pane, k tea.KeyPressMsg) (tea.Cmd, bool) {
	km := m.keys
	switch {
	case key.Matches(k, km.Back):
		m.back(p)
		return nil, true
	case key.Matches(k, km.Filter):
		return p.startFilter(), true
	case key.Matches(k, km.Refresh):
		return m.reload(true), true
	case key.Matches(k, km.Unsubscribe):
		return m.askUnsubscribe(), true
	case key.Matches(k, km.Copy):
		return m.copySetup(), true
	}
	return nil, false
}

// back clears the filter first, then closes the transactions.
func (m *Model) back(p pane) {
	switch {
	case p.hasQuery():
		p.clearFilter(m.rows())
	case m.detail != nil:
		m.detail = nil
		m.active().ensureVisible(m.rows())
	}
}

// listKey answers the keys of the three lists: open, create, and moving
// between the lists.
func (m *Model) listKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	switch {
	case key.Matches(k, km.Open):
		if m.tab == tabSubs {
			return m.openDetail()
		}
		return nil
	case key.Matches(k, km.Create):
		return m.openForm([...]formKind{formPlan, formCustomer, formSubscription}[m.tab])
	}
	for _, t := range []struct {
		b  key.Binding
		to tab
	}{
		{km.NextList, (m.tab + 1) % tabCount},
		{km.PrevList, (m.tab + tabCount - 1) % tabCount},
		{km.Plans, tabPlans},
		{km.Customers, tabCustomers},
		{km.Subs, tabSubs},
	} {
		if key.Matches(k, t.b) {
			return m.showTab(t.to)
		}
	}
	return nil
}

// showTab brings a list to the front and loads its next page if needed.
func (m *Model) showTab(t tab) tea.Cmd {
	m.switchTab(t)
	return m.more()
}

func (m *Model) switchTab(t tab) {
	m.tab = t
	m.active().ensureVisible(m.rows())
}

// active is the list in front: the open subscription's transactions, else
// the current tab's list.
func (m *Model) active() pane {
	if m.detail != nil {
		return m.detail.txs
	}
	switch m.tab {
	case tabPlans:
		return m.plans
	case tabCustomers:
		return m.custs
	}
	return m.subs
}

// activeAny is active() comparable with a page message's list pointer.
func (m *Model) activeAny() any { return m.active() }

// rows is how many table rows fit under the title, filter line and header
// (and, for a subscription, its summary line).
func (m *Model) rows() int {
	fixed := 3
	if m.detail != nil {
		fixed = 5
	}
	return max(m.height-fixed, 1)
}
