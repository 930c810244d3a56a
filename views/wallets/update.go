package wallets

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/text"
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
		if m.detail != nil && m.detail.filter.Focused() {
			return m.filterKeys(msg)
		}
	case walletsMsg:
		cmd := m.onWallets(msg)
		m.refreshIntro()
		if m.form != nil && m.form.State == uiform.Editing {
			m.form.Check() // balances moved: re-check amounts
		}
		return cmd
	case flowsMsg:
		return m.onFlows(msg)
	case txPageMsg:
		return m.onTxPage(msg)
	case refreshTickMsg:
		return m.onRefreshTick(msg)
	case common.CollectionsCompletedMsg:
		// A sale landed (Collections saw it): balances moved now, shown
		// or not, so the next look at Wallets is current.
		return m.refresh(false)
	case spinMsg:
		return m.onSpin()
	case refreshMsg:
		return m.refresh(true)
	case openCreateMsg:
		return m.openCreate()
	case openTransferMsg:
		return m.openTransfer()
	case openFundMsg:
		return m.openFund()
	case confirmedMsg:
		return m.onConfirmed(msg)
	case cancelledMsg:
		return m.onCancelled(msg)
	case transferDoneMsg:
		return m.onTransferDone(msg)
	case createDoneMsg:
		return m.onCreateDone(msg)
	case fundDoneMsg:
		return m.onFundDone(msg)
	case pollMsg:
		return m.onPoll(msg)
	case statusMsg:
		return m.onStatus(msg)
	}
	return nil
}

func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case m.form != nil:
		return m.onFormKey(k)
	case m.stk != nil:
		if key.Matches(k, m.keys.Back) {
			m.stk = nil
		}
		return nil
	case m.detail != nil:
		return m.detailKeys(k)
	}
	return m.listKeys(k)
}

// View renders the body: the list or the open wallet, with a form or the
// STK watch over it when one is open.
func (m *Model) View() string {
	var body string
	if m.detail != nil {
		body = m.detailView()
	} else {
		body = m.listView()
	}
	var panel string
	switch {
	case m.form != nil:
		panel = m.form.View(m.c.Styles, m.spin.View(), m.width)
	case m.stk != nil:
		panel = m.stkView()
	default:
		return text.ClipFitted(body, m.width, m.height)
	}
	return text.ClipFitted(text.Overlay(body, panel, m.width), m.width, m.height)
}
