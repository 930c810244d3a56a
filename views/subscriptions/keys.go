package subscriptions

import (
	"charm.land/bubbles/v2/key"

	"github.com/malipo/malipo/ui/components/keys"
)

// KeyMap is every binding of the subscriptions view. Help (footer, `?`
// overlay, docs/keys.md) is generated from it, so a key is only ever named
// here or, for the keys every list view shares, in ui/components/keys.
type KeyMap struct {
	// Up, Down, PageUp, PageDown, Home, End, Open, Back, Filter, Refresh.
	keys.Nav
	// Switching between the three lists.
	NextList, PrevList, Plans, Customers, Subs key.Binding
	// Actions. Create and Unsubscribe need common.PermAdmin: they are
	// disabled (unbound, and gone from help) for roles without it.
	Create, Unsubscribe, Copy key.Binding

	// Inside a form: NextField, PrevField, Choose, Submit, Cancel.
	keys.Form
	// Inside the filter box: KeepFilter, ClearFilter.
	keys.FilterBox
}

// DefaultKeyMap returns the view's bindings. A function, not a shared
// variable, so nothing can change another view's keys by accident.
func DefaultKeyMap() KeyMap {
	b := keys.Bind
	km := KeyMap{
		Nav: keys.NewNav(),

		NextList:  b([]string{"]"}, "]", "next list"),
		PrevList:  b([]string{"["}, "[", "previous list"),
		Plans:     b([]string{"p"}, "p", "plans"),
		Customers: b([]string{"c"}, "c", "customers"),
		Subs:      b([]string{"s"}, "s", "subscriptions"),

		Create:      b([]string{"n"}, "n", "new"),
		Unsubscribe: b([]string{"x"}, "x", "unsubscribe"),
		Copy:        b([]string{"y"}, "y", "copy setup link"),

		Form:      keys.NewForm(),
		FilterBox: keys.NewFilterBox(),
	}
	// Same key as everywhere; the words say what enter opens in these lists.
	km.Open.SetHelp("enter", "transactions")
	return km
}

// forRole disables what the role may not do: a disabled binding never
// matches and is left out of help.
func (k KeyMap) forRole(admin bool) KeyMap {
	k.Create.SetEnabled(admin)
	k.Unsubscribe.SetEnabled(admin)
	return k
}

// keyAfter is b pressed after the list key first ("p n": plans, then
// new): the palette shows both, and the binding still answers to b alone.
func keyAfter(first string, b key.Binding) key.Binding {
	b.SetHelp(first+" "+b.Help().Key, b.Help().Desc)
	return b
}
