package refunds

import "charm.land/bubbles/v2/key"

// KeyMap is every binding of the Refunds view; help is generated from it.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Open, Back, Filter, Refresh, Find     key.Binding
	// Refund opens the refund form (on a payment, or for the selected
	// refund's invoice). Disabled, not just refused, for roles without
	// PermRefund.
	Refund key.Binding
	// Payment opens the payment a refund belongs to (in a refund's detail).
	Payment key.Binding

	// Inside a form or the find box.
	NextField, PrevField, Choose, Submit, Cancel key.Binding
	// Inside the filter box.
	KeepFilter, ClearFilter key.Binding
}

// DefaultKeyMap returns the view's bindings; canRefund says whether the
// session's role may refund.
func DefaultKeyMap(canRefund bool) KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	km := KeyMap{
		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Home:     b([]string{"home", "g"}, "home/g", "first"),
		End:      b([]string{"end", "G"}, "end/G", "last"),
		Open:     b([]string{"enter"}, "enter", "open refund"),
		Back:     b([]string{"esc"}, "esc", "back"),
		Filter:   b([]string{"/"}, "/", "filter"),
		Refresh:  b([]string{"r"}, "r", "refresh"),
		Find:     b([]string{"f"}, "f", "find payment"),
		Refund:   b([]string{"R"}, "R", "refund"),
		Payment:  b([]string{"p"}, "p", "open payment"),

		NextField: b([]string{"tab", "down"}, "tab/↓", "next field"),
		PrevField: b([]string{"shift+tab", "up"}, "⇧tab/↑", "previous field"),
		Choose:    b([]string{"left", "right"}, "←/→", "choose"),
		Submit:    b([]string{"enter"}, "enter", "next / submit"),
		Cancel:    b([]string{"esc"}, "esc", "cancel"),

		KeepFilter:  b([]string{"enter"}, "enter", "keep filter"),
		ClearFilter: b([]string{"esc"}, "esc", "clear filter"),
	}
	km.Refund.SetEnabled(canRefund)
	return km
}
