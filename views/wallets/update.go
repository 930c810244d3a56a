package wallets

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

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
		if m.detail != nil && m.detail.filtering {
			var cmd tea.Cmd
			m.detail.filter, cmd = m.detail.filter.Update(msg)
			return cmd
		}
	case walletsMsg:
		cmd := m.onWallets(msg)
		m.refreshIntro()
		if m.form != nil && m.form.state == formEditing {
			m.check(m.form) // balances moved: re-check amounts
		}
		return cmd
	case flowsMsg:
		return m.onFlows(msg)
	case txPageMsg:
		return m.onTxPage(msg)
	case refreshTickMsg:
		return m.onRefreshTick(msg)
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
		panel = m.form.view(m.c.Styles, m.spin.View(), m.width)
	case m.stk != nil:
		panel = m.stkView()
	default:
		return clip(body, m.width, m.height)
	}
	return clip(overlay(body, panel, m.width), m.width, m.height)
}

// overlay shows the panel, centred, under the body's first line (the
// title, which keeps the refresh state). The rest of the body is left out:
// half a chart peeking from under a form reads as noise.
func overlay(body, panel string, width int) string {
	title, _, _ := strings.Cut(body, "\n")
	pad := strings.Repeat(" ", max((width-lipgloss.Width(panel))/2, 0))
	lines := strings.Split(panel, "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return title + "\n" + strings.Join(lines, "\n")
}

// fitsByConstruction is the narrowest body whose lines are all fitted to
// the width as they are built (the golden and resize tests check it).
// The shell never draws views narrower than 80 columns; below this width
// lines are measured and cut as a safety net.
const fitsByConstruction = 80

// clip keeps the body to h lines, and to w cells on narrow bodies. Wider
// ones are not measured again: that would double the cost of a frame.
func clip(s string, w, h int) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			n++
			if n == h {
				s = s[:i]
				break
			}
		}
	}
	if w >= fitsByConstruction {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = truncate(l, w)
	}
	return strings.Join(lines, "\n")
}
