package collections

import "charm.land/bubbles/v2/key"

// KeyMap is every binding of the collections view. Help is generated from
// it, so a key is only ever named here.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Open, Back, Filter, State, Refresh    key.Binding
	Push, Link, Refund, Copy              key.Binding

	// Inside a form.
	NextField, PrevField, Submit, Cancel key.Binding
	// Inside the filter box.
	KeepFilter, ClearFilter key.Binding
}

// DefaultKeyMap returns the view's bindings (a function, so no view can
// change another's keys by accident).
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Home:     b([]string{"home", "g"}, "home/g", "newest"),
		End:      b([]string{"end", "G"}, "end/G", "oldest"),
		Open:     b([]string{"enter"}, "enter", "invoice detail"),
		Back:     b([]string{"esc"}, "esc", "back"),
		Filter:   b([]string{"/"}, "/", "filter"),
		State:    b([]string{"s"}, "s", "state filter"),
		Refresh:  b([]string{"r"}, "r", "refresh"),
		Push:     b([]string{"p"}, "p", "request M-Pesa"),
		Link:     b([]string{"l"}, "l", "checkout link"),
		Refund:   b([]string{"R"}, "R", "refund"),
		Copy:     b([]string{"c"}, "c", "copy link"),

		NextField: b([]string{"tab", "down"}, "tab/↓", "next field"),
		PrevField: b([]string{"shift+tab", "up"}, "⇧tab/↑", "previous field"),
		Submit:    b([]string{"enter"}, "enter", "next / submit"),
		Cancel:    b([]string{"esc"}, "esc", "cancel"),

		KeepFilter:  b([]string{"enter"}, "enter", "keep filter"),
		ClearFilter: b([]string{"esc"}, "esc", "clear filter"),
	}
}
