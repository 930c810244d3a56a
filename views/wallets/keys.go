package wallets

import (
	"charm.land/bubbles/v2/key"

	"github.com/malipo/malipo/ui/components/keys"
)

// KeyMap is every binding of the wallets view. Help (footer, `?` overlay,
// docs/keys.md) is generated from it, so a key is only ever named here or,
// for the keys every list view shares, in ui/components/keys.
type KeyMap struct {
	// Up, Down, PageUp, PageDown, Home, End, Open, Back, Filter, Refresh.
	keys.Nav
	Create, Transfer, Fund key.Binding
	// On a statement: DateRange limits it to some days; Export writes what
	// it shows to CSV (disabled for roles without PermExport).
	DateRange, Export key.Binding

	// Inside a form: NextField, PrevField, Choose, Submit, Cancel.
	keys.Form
	// Inside the filter box: KeepFilter, ClearFilter.
	keys.FilterBox
}

// DefaultKeyMap returns the view's bindings. It is a function, not a shared
// variable, so nothing can change another view's keys by accident.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Nav:       keys.NewNav(),
		Create:    keys.Bind([]string{"n"}, "n", "new wallet"),
		Transfer:  keys.Bind([]string{"t"}, "t", "transfer"),
		Fund:      keys.Bind([]string{"f"}, "f", "fund"),
		DateRange: keys.Bind([]string{"d"}, "d", "statement dates"),
		Export:    keys.Bind([]string{"E"}, "E", "export statement"),
		Form:      keys.NewForm(),
		FilterBox: keys.NewFilterBox(),
	}
}
