package collections

import (
	"charm.land/bubbles/v2/key"

	"github.com/malipo/malipo/ui/components/keys"
)

// KeyMap is every binding of the collections view. Help is generated from
// it, so a key is only ever named here or, for the keys every list view
// shares, in ui/components/keys.
type KeyMap struct {
	// Up, Down, PageUp, PageDown, Home, End, Open, Back, Filter, Refresh.
	keys.Nav
	State key.Binding
	// DateRange limits the list to some days; Export writes what it shows
	// to CSV (disabled for roles without PermExport).
	DateRange, Export        key.Binding
	Push, Link, Refund, Copy key.Binding

	// Inside a form: NextField, PrevField, Submit, Cancel (no form here has
	// a choice field, so Choose is never listed in help).
	keys.Form
	// Inside the filter box: KeepFilter, ClearFilter.
	keys.FilterBox
}

// DefaultKeyMap returns the view's bindings (a function, so no view can
// change another's keys by accident).
func DefaultKeyMap() KeyMap {
	km := KeyMap{
		Nav:       keys.NewNav(),
		State:     keys.Bind([]string{"s"}, "s", "state filter"),
		Push:      keys.Bind([]string{"p"}, "p", "request M-Pesa"),
		Link:      keys.Bind([]string{"l"}, "l", "checkout link"),
		Refund:    keys.Bind([]string{"R"}, "R", "refund"),
		Copy:      keys.Bind([]string{"c"}, "c", "copy link"),
		DateRange: keys.Bind([]string{"d"}, "d", "date range"),
		Export:    keys.Bind([]string{"E"}, "E", "export CSV"),
		Form:      keys.NewForm(),
		FilterBox: keys.NewFilterBox(),
	}
	// Same key as everywhere; the words say what enter opens in this list.
	km.Open.SetHelp("enter", "invoice detail")
	return km
}
