package app

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
)

// bel is the terminal bell. It goes out as raw output, so over SSH it rings
// in the session that asked for it and no other.
const bel = "\a"

// notifyPayment rings and shows a toast for a completed payment of at least
// Options.NotifyAbove. The threshold is in KES: a payment in another
// currency is never compared with it.
func (m *Model) notifyPayment(p common.PaymentReceivedMsg) tea.Cmd {
	limit := m.opts.NotifyAbove
	if limit <= 0 || p.Amount < limit || (p.Currency != "" && p.Currency != "KES") {
		return nil
	}
	text := fmt.Sprintf("Payment received: %s · %s", p.Amount.Format("KES"), p.Invoice)
	if p.Account != "" {
		text += " from " + p.Account
	}
	return tea.Batch(tea.Raw(bel), m.addToast(common.ToastMsg{Kind: common.ToastSuccess, Text: text}))
}

// notifyPayoutFailed rings and shows a toast for a failed payout, whatever
// its amount: money that did not leave needs someone to act.
func (m *Model) notifyPayoutFailed(p common.PayoutFailedMsg) tea.Cmd {
	text := "Payout failed: " + p.Tracking
	switch {
	case p.Account != "":
		text += fmt.Sprintf(" · %s to %s", p.Amount.Format("KES"), p.Account)
	case p.Rows > 0:
		text += fmt.Sprintf(" · %d row(s)", p.Rows)
	}
	if p.Reason != "" {
		text += " · " + p.Reason
	}
	return tea.Batch(tea.Raw(bel), m.addToast(common.ToastMsg{Kind: common.ToastError, Text: text}))
}

// copyID copies the id under the active view's cursor (common.Copier) with
// OSC 52. It says false when the view has nothing to copy or binds `y`
// itself at the moment: the key then goes to the view.
func (m *Model) copyID() (tea.Cmd, bool) {
	if len(m.views) == 0 {
		return nil, false
	}
	c, ok := m.views[m.active].(common.Copier)
	if !ok {
		return nil, false
	}
	label, text := c.CopyText()
	if text == "" {
		return nil, false
	}
	what := text
	if label != "" {
		what = label + " " + text
	}
	return tea.Batch(tea.SetClipboard(text), m.addToast(common.ToastMsg{Kind: common.ToastSuccess, Text: "copied " + what})), true
}
