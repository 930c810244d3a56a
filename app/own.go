package app

import (
	tea "charm.land/bubbletea/v2"
)

// ownedMsg is a message produced by a command one view returned. The shell
// wraps every view's commands so that their results find their way back to
// that view even while it is hidden (docs/design.md §8), and so the shell knows which
// view asked for a confirmation. Routing by owner, not by type, matters:
// views share component messages (bankpicker.PickedMsg in Banks and in the
// payout composer), and a pick in one must not fill the other's form.
type ownedMsg struct {
	view int
	msg  tea.Msg
}

// shellOwner marks commands and confirmations that belong to the shell.
const shellOwner = -1

// own wraps cmd so that its message comes back tagged with view i.
func own(i int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg { return ownMsg(i, cmd()) }
}

// ownMsg tags msg for view i. What the runtime itself must see passes
// through: a batch (its commands wrapped in turn, so each result is
// tagged) and quit, interrupt and suspend. Bubble Tea's other requests
// (tea.Sequence, tea.SetClipboard, tea.Println …) have unexported types
// that no wrapper can see into without reflection, so views do not use
// them: they ask the shell with typed messages instead (common.Clipboard),
// and TestViewsMakeOnlyRoutableCommands keeps it that way.
func ownMsg(i int, msg tea.Msg) tea.Msg {
	switch msg := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		out := make(tea.BatchMsg, len(msg))
		for j, c := range msg {
			out[j] = own(i, c)
		}
		return out
	case tea.QuitMsg, tea.InterruptMsg, tea.SuspendMsg:
		return msg
	}
	return ownedMsg{view: i, msg: msg}
}
