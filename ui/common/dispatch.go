package common

import tea "charm.land/bubbletea/v2"

// Handler answers the messages it knows; ok says msg was one of them.
type Handler func(msg tea.Msg) (cmd tea.Cmd, ok bool)

// Dispatch offers msg to each handler in turn and returns the answer of the
// first that knows it (nil when none does). A screen groups its messages
// (input, loading, the forms' round trips) into handlers so that no single
// type switch grows past what one reads at a glance.
func Dispatch(msg tea.Msg, hs ...Handler) tea.Cmd {
	for _, h := range hs {
		if cmd, ok := h(msg); ok {
			return cmd
		}
	}
	return nil
}

// Input is the handler of the keyboard: key presses to onKey, pastes to
// onPaste.
func Input(onKey func(tea.KeyPressMsg) tea.Cmd, onPaste func(tea.PasteMsg) tea.Cmd) Handler {
	return func(msg tea.Msg) (tea.Cmd, bool) {
		switch msg := msg.(type) {
		case tea.KeyPressMsg:
			return onKey(msg), true
		case tea.PasteMsg:
			return onPaste(msg), true
		}
		return nil, false
	}
}
