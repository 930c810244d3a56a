// Package form is the one form of the console: a stack of fields (text,
// money, phone, choice, bank code) with their own rules and IntaSend's
// length limits, focus (tab/shift+tab and ↓/↑ cycle, enter moves on and
// submits from the last field, esc cancels), the submit skeleton (mark
// every field touched, check, focus the first error), the states a
// money-moving form goes through (editing, waiting for the confirmation,
// sending) and the drawing, placeholders included.
//
// A view builds a Form with its fields, routes keys and pastes to Update,
// and on Submitted calls Submit: when it says yes, the view builds its
// request from the fields' values. A refused request goes back with
// Refused, which keeps everything that was typed.
package form

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
)

// NewInput is a text input in the theme's colours with a steady cursor: a
// blinking one would redraw the screen twice a second (costly over SSH)
// for no information.
func NewInput(st *common.Styles, prompt, placeholder string, limit int) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.CharLimit = limit
	s := textinput.DefaultStyles(st.IsDark)
	ph := st.Faint.Italic(true) // and the text cue of placeholder(): see there
	s.Focused.Placeholder, s.Blurred.Placeholder = ph, ph
	s.Focused.Text, s.Blurred.Text = st.Text, st.Text
	s.Focused.Prompt, s.Blurred.Prompt = st.Key, st.Faint
	s.Cursor.Blink = false
	s.Cursor.Color = st.Accent
	in.SetStyles(s)
	return in
}

// Keys are the bindings a form navigates with.
type Keys struct{ Cancel, Submit, Next, Prev key.Binding }

// Action is what a key does to a form's focus.
type Action int

const (
	None   Action = iota // not a navigation key: the field's own
	Cancel               // esc: leave the form
	Submit               // enter on the last field
	Move                 // focus goes to the index Nav returns
)

// Nav says what k does to a stack of n fields focused on focus, and where
// the focus goes for Move: enter moves on (and submits from the last
// field), Next and Prev cycle round.
func Nav(keys Keys, k tea.KeyPressMsg, focus, n int) (Action, int) {
	switch {
	case n <= 0:
		return None, focus
	case key.Matches(k, keys.Cancel):
		return Cancel, focus
	case key.Matches(k, keys.Submit):
		if focus >= n-1 {
			return Submit, focus
		}
		return Move, focus + 1
	case key.Matches(k, keys.Next):
		return Move, (focus + 1) % n
	case key.Matches(k, keys.Prev):
		return Move, (focus + n - 1) % n
	}
	return None, focus
}
