package refunds

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// Update handles keys, the view's own data messages, its timer, the
// shell's answers to its confirmation and the hand-off from Collections.
func (m *Model) Update(msg tea.Msg) (common.View, tea.Cmd) {
	// The export's form takes the keys while it is open, and its results
	// come back here whatever screen shows.
	if cmd, ok := m.exp.Update(msg); ok {
		return m, cmd
	}
	return m, m.update(msg)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case tea.PasteMsg:
		return m.onPaste(msg)
	case listPageMsg:
		return m.onListPage(msg)
	case lookupMsg:
		return m.onLookup(msg)
	case detailMsg:
		return m.onDetail(msg)
	case refreshTickMsg:
		return m.onRefreshTick(msg)
	case confirmedMsg:
		return m.onConfirmed(msg)
	case cancelledMsg:
		return m.onCancelled(msg)
	case refundDoneMsg:
		return m.onRefundDone(msg)
	case refreshMsg:
		return m.Refresh()
	case openFindMsg:
		return m.openFind()
	case exportMsg:
		return m.exportList()
	case common.OpenRefundMsg:
		return m.onOpenRefund(msg)
	case common.OpenChargebackMsg:
		return m.onOpenChargeback(msg)
	}
	return nil
}

// onOpenRefund is the hand-off from a collection row: look the invoice up
// and open the refund form on it.
func (m *Model) onOpenRefund(msg common.OpenRefundMsg) tea.Cmd {
	id := normInvoice(msg.InvoiceID)
	if problem := checkInvoiceID(id); problem != "" {
		return common.Toast(common.ToastWarn, problem)
	}
	m.find = nil
	return m.lookup(id, m.keys.Refund.Enabled())
}

// onOpenChargeback is the palette's hand-off: show that refund's detail.
// A refund form being filled in stays; the user is told why nothing opened.
func (m *Model) onOpenChargeback(msg common.OpenChargebackMsg) tea.Cmd {
	if m.form != nil {
		return common.Toast(common.ToastWarn, "Not now: a refund form is open (esc closes it)")
	}
	m.find = nil
	return m.openDetail(msg.Refund)
}

func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case m.form != nil:
		return m.onFormKey(k)
	case m.find != nil:
		return m.findKeys(k)
	}
	switch m.screen() {
	case scrDetail:
		return m.detailKeys(k)
	case scrPayment:
		return m.paymentKeys(k)
	}
	return m.listKeys(k)
}

func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case m.form != nil:
		return m.onFormKey(msg)
	case m.find != nil:
		m.find.input, cmd = m.find.input.Update(msg)
		m.find.err = ""
	case m.screen() == scrList && m.list.filter.Focused():
		cmd = m.filterKeys(msg)
	}
	return cmd
}

// findKeys: enter looks the invoice up (the box stays, with what was
// typed, until it is found), esc closes.
func (m *Model) findKeys(k tea.KeyPressMsg) tea.Cmd {
	f := m.find
	switch {
	case key.Matches(k, m.keys.Cancel):
		m.find = nil
		return nil
	case key.Matches(k, m.keys.Submit):
		if f.seq != 0 {
			return nil // already looking
		}
		id := normInvoice(f.input.Value())
		if problem := checkInvoiceID(id); problem != "" {
			f.err = problem
			return nil
		}
		f.err = ""
		m.seq++
		f.seq = m.seq
		return fetchPayment(m.c.Context(), m.c.Client, f.seq, id)
	}
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(k)
	f.err = ""
	return cmd
}

// findView draws the find box.
func (m *Model) findView() string {
	st := m.c.Styles
	f := m.find
	w := min(m.width, 64)
	inner := max(w-4, 16)
	f.input.SetWidth(max(inner-len(f.input.Prompt)-1, 4))
	lines := []string{st.Title.Render("Find a payment"), "", f.input.View(), ""}
	switch {
	case f.seq != 0:
		lines = append(lines, st.Pending.Render(common.SymPending+" looking it up…"))
	case f.err != "":
		for _, l := range text.Wrap(common.SymFailed+" "+f.err, inner) {
			lines = append(lines, st.FieldError.Render(l))
		}
	default:
		lines = append(lines, st.Faint.Render(text.Truncate("enter look up · esc cancel", inner)))
	}
	return st.FocusedBox.Width(w).Render(strings.Join(lines, "\n"))
}

// View renders the body: the list, a payment or a refund, with the find
// box or the form over it.
func (m *Model) View() string {
	var body string
	switch m.screen() {
	case scrDetail:
		body = m.detailView()
	case scrPayment:
		body = m.paymentView()
	default:
		body = m.listView()
	}
	switch {
	case m.exp.Open():
		body = text.Overlay(body, m.exp.View(m.width), m.width)
	case m.form != nil:
		body = text.Overlay(body, m.formView(), m.width)
	case m.find != nil:
		body = text.Overlay(body, m.findView(), m.width)
	}
	return text.ClipFitted(body, m.width, m.height)
}
