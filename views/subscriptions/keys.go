package subscriptions

import "charm.land/bubbles/v2/key"

// KeyMap is every binding of the subscriptions view. Help (footer, `?`
// overlay, docs/keys.md) is generated from it, so a key is only ever named
// here.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Open, Back, Filter, Refresh           key.Binding
	// Switching between the three lists.
	NextList, PrevList, Plans, Customers, Subs key.Binding
	// Actions. Create and Unsubscribe need common.PermAdmin: they are
	// disabled (unbound, and gone from help) for roles without it.
	Create, Unsubscribe, Copy key.Binding

	// Inside a form.
	NextField, PrevField, Choose, Submit, Cancel key.Binding
	// Inside the filter box.
	KeepFilter, ClearFilter key.Binding
}

// DefaultKeyMap returns the view's bindings. A function, not a shared
// variable, so nothing can change another view's keys by accident.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Home:     b([]string{"home", "g"}, "home/g", "first"),
		End:      b([]string{"end", "G"}, "end/G", "last"),
		Open:     b([]string{"enter"}, "enter", "transactions"),
		Back:     b([]string{"esc"}, "esc", "back"),
		Filter:   b([]string{"/"}, "/", "filter"),
		Refresh:  b([]string{"r"}, "r", "refresh"),

		NextList:  b([]string{"]"}, "]", "next list"),
		PrevList:  b([]string{"["}, "[", "previous list"),
		Plans:     b([]string{"p"}, "p", "plans"),
		Customers: b([]string{"c"}, "c", "customers"),
		Subs:      b([]string{"s"}, "s", "subscriptions"),

		Create:      b([]string{"n"}, "n", "new"),
		Unsubscribe: b([]string{"x"}, "x", "unsubscribe"),
		Copy:        b([]string{"y"}, "y", "copy setup link"),

		NextField: b([]string{"tab", "down"}, "tab/↓", "next field"),
		PrevField: b([]string{"shift+tab", "up"}, "⇧tab/↑", "previous field"),
		Choose:    b([]string{"left", "right"}, "←/→", "choose"),
		Submit:    b([]string{"enter"}, "enter", "next / submit"),
		Cancel:    b([]string{"esc"}, "esc", "cancel"),

		KeepFilter:  b([]string{"enter"}, "enter", "keep filter"),
		ClearFilter: b([]string{"esc"}, "esc", "clear filter"),
	}
}

// forRole disables what the role may not do: a disabled binding never
// matches and is left out of help.
func (k KeyMap) forRole(admin bool) KeyMap {
	k.Create.SetEnabled(admin)
	k.Unsubscribe.SetEnabled(admin)
	return k
}
