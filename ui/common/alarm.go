package common

import tea "charm.land/bubbletea/v2"

// AlarmMsg is a view's "something is wrong right now" (issue 16: the
// pulse's banner, when too few recent payments succeed or IntaSend stops
// answering). The status bar shows Text as a badge on every tab, Short when
// it is short of room; both empty take the badge away. A click on it
// switches to the view that sent it. Words and a symbol, so it reads
// without colour. A view sends it again whenever the words change.
type AlarmMsg struct {
	Text, Short string
	// Unreachable marks the "IntaSend is not answering" alarm: the status
	// bar leaves it out while its own health badge already says offline,
	// so one outage is one badge, not two.
	Unreachable bool
}

// Alarm returns a command that reports a view's alarm.
func Alarm(a AlarmMsg) tea.Cmd {
	return func() tea.Msg { return a }
}
