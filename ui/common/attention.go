package common

import tea "charm.land/bubbletea/v2"

// AttentionMsg tells the shell how many things a view holds that need a
// person (issue 13: payouts whose status cannot be determined, batches
// ended early, approvals with no definite answer …). While Count is above
// zero the status bar shows "⚠ 3 need attention"; a click on it switches
// to the view that sent it and delivers Open (as GoTo does). A view sends
// it again whenever the count changes, 0 included.
type AttentionMsg struct {
	Count int
	Open  tea.Msg
}

// Attention returns a command that reports a view's attention count.
func Attention(count int, open tea.Msg) tea.Cmd {
	return func() tea.Msg { return AttentionMsg{Count: count, Open: open} }
}
