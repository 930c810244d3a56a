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

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case tea.PasteMsg:
		if m.form != nil {
			return m.onFormKey(msg)
		}
		if p := m.active(); p.isFiltering() {
			return p.filterKey(msg, m.rows())
		}
	case pageMsg[client.Plan]:
		cmd := onPage(m, msg, m.fetchPlans(), m.rowsFor(msg.l == m.activeAny()))
		m.subs.reindex()
		return cmd
	case pageMsg[client.SubscriptionCustomer]:
		cmd := onPage(m, msg, m.fetchCustomers(), m.rowsFor(msg.l == m.activeAny()))
		m.subs.reindex()
		return cmd
	case pageMsg[client.Subscription]:
		cmd := onPage(m, msg, m.fetchSubs(), m.rowsFor(msg.l == m.activeAny()))
		m.syncSetup()
		return cmd
	case pageMsg[client.WalletTransaction]:
		if m.detail == nil || msg.l != m.detail.txs {
			return nil
		}
		return onPage(m, msg, m.fetchTxs(m.detail.id), m.rows())
	case spinMsg:
		return m.onSpin()
	case watchTickMsg:
		return m.onWatchTick(msg)
	case watchMsg:
		return m.onWatch(msg)
	case refreshMsg:
		return m.reload(true)
	case showTabMsg:
		m.detail = nil
		m.switchTab(msg.tab)
		return m.more()
	case openFormMsg:
		return m.openForm(msg.kind)
	case planDoneMsg:
		return m.onPlanDone(msg)
	case customerDoneMsg:
		return m.onCustomerDone(msg)
	case subDoneMsg:
		return m.onSubDone(msg)
	case unsubConfirmedMsg:
		return m.onUnsubConfirmed(msg)
	case unsubDoneMsg:
		return m.onUnsubDone(msg)
	}
	return nil
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
	km := m.keys
	if m.form != nil {
		return m.onFormKey(k)
	}
	p := m.active()
	if p.isFiltering() {
		return p.filterKey(k, m.rows())
	}
	if m.setup != nil {
		switch {
		case key.Matches(k, km.Copy):
			return m.copySetup()
		case key.Matches(k, km.Back), key.Matches(k, km.Open):
			m.setup = nil
		}
		return nil
	}
	if p.move(k, m.rows()) {
		return m.more()
	}
	switch {
	case key.Matches(k, km.Back):
		switch {
		case p.hasQuery():
			p.clearFilter(m.rows())
		case m.detail != nil:
			m.detail = nil
			m.active().ensureVisible(m.rows())
		}
	case key.Matches(k, km.Filter):
		return p.startFilter()
	case key.Matches(k, km.Refresh):
		return m.reload(true)
	case key.Matches(k, km.Unsubscribe):
		return m.askUnsubscribe()
	case key.Matches(k, km.Copy):
		return m.copySetup()
	case m.detail != nil:
		// The lists' own keys wait until the transactions are closed.
	case key.Matches(k, km.Open):
		if m.tab == tabSubs {
			return m.openDetail()
		}
	case key.Matches(k, km.Create):
		return m.openForm([...]formKind{formPlan, formCustomer, formSubscription}[m.tab])
	case key.Matches(k, km.NextList):
		m.switchTab((m.tab + 1) % tabCount)
		return m.more()
	case key.Matches(k, km.PrevList):
		m.switchTab((m.tab + tabCount - 1) % tabCount)
		return m.more()
	case key.Matches(k, km.Plans):
		m.switchTab(tabPlans)
		return m.more()
	case key.Matches(k, km.Customers):
		m.switchTab(tabCustomers)
		return m.more()
	case key.Matches(k, km.Subs):
		m.switchTab(tabSubs)
		return m.more()
	}
	return nil
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
