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
	if cmd, ok := m.overlay(msg); ok { // the statement's export and date range
		return m, cmd
	}
	return m, m.update(msg)
}

// update offers msg to each group of messages in turn: input, loading, and the
// forms' money-moving round trips. The groups keep each switch short.
func (m *Model) update(msg tea.Msg) tea.Cmd {
	return common.Dispatch(msg, m.onPulse, common.Input(m.onKey, m.onPaste), m.onLoad, m.onAction)
}

// onPulse takes the pulse's own messages; its figures decide how many
// lines it wants, so the wallet table's share is worked out again.
func (m *Model) onPulse(msg tea.Msg) (tea.Cmd, bool) {
	cmd, ok := m.pulse.Update(msg)
	if ok {
		m.ensureVisible()
	}
	return cmd, ok
}

func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	if m.form != nil {
		return m.onFormKey(msg)
	}
	if m.detail != nil && m.detail.filter.Focused() {
		return m.filterKeys(msg)
	}
	return nil
}

// onLoad handles the wallet list, flows and statement pages arriving, and
// the timers that ask for them.
func (m *Model) onLoad(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case walletsMsg:
		return m.onWalletsShown(msg), true
	case flowsMsg:
		return m.onFlows(msg), true
	case txPageMsg:
		return m.onTxPage(msg), true
	case refreshTickMsg:
		return m.onRefreshTick(msg), true
	case common.WebhookMsg:
		// Money moved at IntaSend (serve --webhooks): balances now, the
		// pulse soon (a burst of events is one read).
		return tea.Batch(m.refresh(false), m.pulse.Event(msg)), true
	case common.CollectionsCompletedMsg:
		// A sale landed (Collections saw it): balances moved now, shown
		// or not, so the next look at Wallets is current.
		return tea.Batch(m.refresh(false), m.pulse.Event(msg)), true
	case spinMsg:
		return m.onSpin(), true
	case refreshMsg:
		return m.refresh(true), true
	}
	return nil, false
}

// onWalletsShown applies a wallet list and what depends on the balances.
func (m *Model) onWalletsShown(msg walletsMsg) tea.Cmd {
	cmd := m.onWallets(msg)
	m.refreshIntro()
	if m.form != nil && m.form.State == uiform.Editing {
		m.form.Check() // balances moved: re-check amounts
	}
	return cmd
}

// onAction handles the forms' openings, the shell's confirmation answers
// and the replies of the calls that move money.
func (m *Model) onAction(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case openCreateMsg:
		return m.openCreate(), true
	case openTransferMsg:
		return m.openTransfer(), true
	case openFundMsg:
		return m.openFund(), true
	case confirmedMsg:
		return m.onConfirmed(msg), true
	case cancelledMsg:
		return m.onCancelled(msg), true
	}
	return m.onReply(msg)
}

// onReply handles the answers of transfers, creates, top-ups and the STK
// push's status polling.
func (m *Model) onReply(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case transferDoneMsg:
		return m.onTransferDone(msg), true
	case createDoneMsg:
		return m.onCreateDone(msg), true
	case fundDoneMsg:
		return m.onFundDone(msg), true
	case pollMsg:
		return m.onPoll(msg), true
	case statusMsg:
		return m.onStatus(msg), true
	}
	return nil, false
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
	body := m.listView()
	if m.detail != nil {
		body = m.detailView()
	}
	return text.Framed(body, m.panel(), m.width, m.height)
}

// panel is what shows over the body: the form or the STK watch.
func (m *Model) panel() string {
	switch {
	case m.form != nil:
		return m.form.View(m.c.Styles, m.spin.View(), m.width)
	case m.stk != nil:
		return m.stkView()
	case m.overlayOpen():
		return m.overlayView()
	}
	return ""
}
