package payouts

import "charm.land/bubbles/v2/key"

// KeyMap is every binding of the payouts view. Help (footer, `?` overlay,
// docs/keys.md) is generated from it, so a key is only ever named here.
// Money-moving bindings are disabled (unbound, not merely refused) for
// roles that may not use them: see Model.applyPerms.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding

	// Composer.
	Add, Edit, Delete, Duplicate, Undo, Import, Settings key.Binding
	Preview                                              key.Binding
	// Screens.
	Pending, OpenBatch, OpenID, Back, Open key.Binding
	// The open batch.
	Approve, CancelBatch, Export, RetryFailed key.Binding

	// Inside a form or prompt.
	NextField, PrevField, Choose, Submit, Cancel key.Binding
	// The resume-draft offer.
	Resume, NotNow key.Binding
}

// DefaultKeyMap returns the view's bindings. It is a function, not a shared
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

		Add:       b([]string{"a"}, "a", "add row"),
		Edit:      b([]string{"e", "enter"}, "e/enter", "edit row"),
		Delete:    b([]string{"d"}, "d", "delete row"),
		Duplicate: b([]string{"D"}, "D", "duplicate row"),
		Undo:      b([]string{"u"}, "u", "undo"),
		Import:    b([]string{"i"}, "i", "import CSV"),
		Settings:  b([]string{"s"}, "s", "rail & wallet"),
		Preview:   b([]string{"p"}, "p", "preview (initiate)"),

		Pending:   b([]string{"P"}, "P", "pending batches"),
		OpenBatch: b([]string{"b"}, "b", "open batch"),
		OpenID:    b([]string{"o"}, "o", "open by tracking id"),
		Back:      b([]string{"esc"}, "esc", "back"),
		Open:      b([]string{"enter"}, "enter", "open"),

		Approve:     b([]string{"A"}, "A", "approve batch"),
		CancelBatch: b([]string{"x"}, "x", "cancel batch"),
		Export:      b([]string{"E"}, "E", "export results CSV"),
		RetryFailed: b([]string{"F"}, "F", "failed rows → new draft"),

		NextField: b([]string{"tab", "down"}, "tab/↓", "next field"),
		PrevField: b([]string{"shift+tab", "up"}, "⇧tab/↑", "previous field"),
		Choose:    b([]string{"left", "right"}, "←/→", "choose"),
		Submit:    b([]string{"enter"}, "enter", "next / submit"),
		Cancel:    b([]string{"esc"}, "esc", "cancel"),

		Resume: b([]string{"enter"}, "enter", "resume draft"),
		NotNow: b([]string{"esc"}, "esc", "not now"),
	}
}
