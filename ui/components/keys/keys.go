// Package keys holds the bindings every list view shares: moving through a
// list, filling a form, and the filter box. The style guide asks for the
// same key to do the same thing, with the same help words, on every screen;
// defining them once here is how that stays true. Each view embeds these
// structs in its own KeyMap (so `m.keys.Up` keeps working) and adds its own
// action keys beside them.
//
// Everything is built by constructor functions, never kept in package
// variables: a key.Binding can be disabled or re-labelled, and a shared
// variable would let one view change another's keys.
package keys

import "charm.land/bubbles/v2/key"

// Bind is a binding on keys, shown in help as help (the key) and desc (what
// it does).
func Bind(keys []string, help, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// Nav moves through a list and in and out of its rows.
type Nav struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Open, Back, Filter, Refresh           key.Binding
}

// NewNav returns the shared list navigation. Open says only "open": a view
// whose enter opens something more specific may re-label it with SetHelp
// (the key stays enter).
func NewNav() Nav {
	return Nav{
		Up:       Bind([]string{"up", "k"}, "↑/k", "up"),
		Down:     Bind([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   Bind([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown: Bind([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Home:     Bind([]string{"home", "g"}, "home/g", "first"),
		End:      Bind([]string{"end", "G"}, "end/G", "last"),
		Open:     Bind([]string{"enter"}, "enter", "open"),
		Back:     Bind([]string{"esc"}, "esc", "back"),
		Filter:   Bind([]string{"/"}, "/", "filter"),
		Refresh:  Bind([]string{"r"}, "r", "refresh"),
	}
}

// Moves are the movement bindings, the first group of every list's help.
func (n Nav) Moves() []key.Binding {
	return []key.Binding{n.Up, n.Down, n.PageUp, n.PageDown, n.Home, n.End}
}

// Form moves between a form's fields and submits or abandons it.
type Form struct {
	NextField, PrevField, Choose, Submit, Cancel key.Binding
}

// NewForm returns the shared form keys. Submit says "next / submit" because
// enter on a field that is not the last one moves on rather than sending.
func NewForm() Form {
	return Form{
		NextField: Bind([]string{"tab", "down"}, "tab/↓", "next field"),
		PrevField: Bind([]string{"shift+tab", "up"}, "⇧tab/↑", "previous field"),
		Choose:    Bind([]string{"left", "right"}, "←/→", "choose"),
		Submit:    Bind([]string{"enter"}, "enter", "next / submit"),
		Cancel:    Bind([]string{"esc"}, "esc", "cancel"),
	}
}

// FilterBox is what enter and esc mean while the filter box has the focus.
type FilterBox struct {
	KeepFilter, ClearFilter key.Binding
}

// NewFilterBox returns the shared filter-box keys.
func NewFilterBox() FilterBox {
	return FilterBox{
		KeepFilter:  Bind([]string{"enter"}, "enter", "keep filter"),
		ClearFilter: Bind([]string{"esc"}, "esc", "clear filter"),
	}
}
