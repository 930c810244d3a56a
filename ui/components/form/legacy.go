package form

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// Item is a view's form field as the shared rules see it. The views keep
// their own field types (their pickers, hints and warnings differ).
type Item interface {
	// Key names the field ("amount").
	Key() string
	// Input is the field's text input, or nil for a picker that takes no
	// typing (a searchable picker returns its search input).
	Input() *textinput.Model
	// Picker reports whether the field picks among choices: its input, if
	// any, is a search and not the field's value.
	Picker() bool
}

// Get is the field called key, or the zero F when there is none.
func Get[F Item](fields []F, key string) F {
	for _, f := range fields {
		if f.Key() == key {
			return f
		}
	}
	var zero F
	return zero
}

// Typed reports whether anything was typed into a text field: a form with
// typing in it asks before it is thrown away.
func Typed[F Item](fields []F) bool {
	for _, f := range fields {
		if in := f.Input(); in != nil && !f.Picker() && strings.TrimSpace(in.Value()) != "" {
			return true
		}
	}
	return false
}

// Focus moves focus to field i (clamped to the fields), blurring the other
// inputs, and returns the new focus with the focused input's command.
func Focus[F Item](fields []F, i int) (int, tea.Cmd) {
	i = min(max(i, 0), len(fields)-1)
	var cmd tea.Cmd
	for j, f := range fields {
		in := f.Input()
		switch {
		case in == nil:
		case j == i:
			cmd = in.Focus()
		default:
			in.Blur()
		}
	}
	return i, cmd
}
