package collections

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
)

// Update handles keys, the view's own data messages, its timers and the
// shell's answers to its confirmations.
func (m *Model) Update(msg tea.Msg) (common.View, tea.Cmd) { return m, m.update(msg) }

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case tea.PasteMsg:
		switch {
		case m.form != nil:
			return m.onFormKey(msg)
		case m.filtering:
			return m.filterKeys(msg)
		}
	case polledMsg:
		return m.onPolled(msg)
	case pollTickMsg:
		return m.onPollTick(msg)
	case olderMsg:
		return m.onOlder(msg)
	case spinMsg:
		return m.onSpin()
	case detailMsg:
		return m.onDetail(msg)
	case refreshMsg:
		return m.poll(true)
	case openPushMsg:
		return m.openPush()
	case openLinkMsg:
		return m.openLink()
	case refundMsg:
		if !m.c.Can(common.PermRefund) {
			return nil
		}
		if m.detail != nil {
			return m.refund(m.st.byKey[m.detail.key])
		}
		return m.refund(m.selected())
	case confirmedMsg:
		return m.onConfirmed(msg)
	case cancelledMsg:
		return m.onCancelled(msg)
	case pushDoneMsg:
		return m.onPushDone(msg)
	case linkDoneMsg:
		return m.onLinkDone(msg)
	case common.OpenPaymentMsg:
		return m.onOpenPayment(msg)
	}
	return nil
}

func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case m.form != nil:
		return m.onFormKey(k)
	case m.filtering:
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
