package collections

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
)

// Update handles keys, the view's own data messages, its timers and the
// shell's answers to its confirmations.
func (m *Model) Update(msg tea.Msg) (common.View, tea.Cmd) {
	if cmd, ok := m.overlay(msg); ok { // the export's and the date range's forms
		return m, cmd
	}
	return m, m.update(msg)
}

// update offers msg to each group of messages in turn: input, polling and the
// forms' round trips. The groups keep each switch short.
func (m *Model) update(msg tea.Msg) tea.Cmd {
	return common.Dispatch(msg, common.Input(m.onKey, m.onPaste), m.onLoad, m.onAction)
}

func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case m.form != nil:
		return m.onFormKey(msg)
	case m.filter.Focused():
		return m.filterKeys(msg)
	}
	return nil
}

// onLoad handles polling, older pages, a payment's detail and the timers.
func (m *Model) onLoad(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case polledMsg:
		return m.onPolled(msg), true
	case pollTickMsg:
		return m.onPollTick(msg), true
	case olderMsg:
		return m.onOlder(msg), true
	case spinMsg:
		return m.onSpin(), true
	case detailMsg:
		return m.onDetail(msg), true
	case refreshMsg:
		return m.poll(true), true
	case common.WebhookMsg:
		return m.onWebhook(msg), true
	}
	return nil, false
}

// onAction handles the palette's requests, the shell's confirmation
// answers and the replies of the calls that ask for money.
func (m *Model) onAction(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case openPushMsg:
		return m.openPush(), true
	case openLinkMsg:
		return m.openLink(), true
	case refundMsg:
		return m.onRefund(), true
	case exportMsg:
		return m.exportPayments(), true
	case confirmedMsg:
		return m.onConfirmed(msg), true
	case cancelledMsg:
		return m.onCancelled(msg), true
	case pushDoneMsg:
		return m.onPushDone(msg), true
	case linkDoneMsg:
		return m.onLinkDone(msg), true
	case common.OpenPaymentMsg:
		return m.onOpenPayment(msg), true
	}
	return nil, false
}

// onRefund hands the open payment (else the one under the cursor) to
// Refunds, for a role that may refund.
func (m *Model) onRefund() tea.Cmd {
	if !m.c.Can(common.PermRefund) {
		return nil
	}
	if m.detail != nil {
		return m.refund(m.st.byKey[m.detail.key])
	}
	return m.refund(m.selected())
}

func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case m.form != nil:
		return m.onFormKey(k)
	case m.filter.Focused():
		return m.filterKeys(k)
	case m.watch != nil:
		if key.Matches(k, m.keys.Back) {
			m.watch = nil
		}
		return nil
	case m.link != nil:
		switch {
		case key.Matches(k, m.keys.Copy):
			return m.copyLink()
		case key.Matches(k, m.keys.Back):
			m.link = nil
		}
		return nil
	case m.detail != nil:
		return m.detailKeys(k)
	}
	return m.listKeys(k)
}
