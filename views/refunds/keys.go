package refunds

import (
	"charm.land/bubbles/v2/key"

	"github.com/malipo/malipo/ui/components/keys"
)

// KeyMap is every binding of the Refunds view; help is generated from it.
// The keys every list view shares come from ui/components/keys.
type KeyMap struct {
	// Up, Down, PageUp, PageDown, Home, End, Open, Back, Filter, Refresh.
	keys.Nav
	Find key.Binding
	// Refund opens the refund form (on a payment, or for the selected
	// refund's invoice). Disabled, not just refused, for roles without
	// PermRefund.
	Refund key.Binding
	// Payment opens the payment a refund belongs to (in a refund's detail).
	Payment key.Binding
	// Export writes the refunds shown (filter applied, every page loaded)
	// to CSV. Disabled for roles without PermExport.
	Export key.Binding

	// Inside a form or the find box: NextField, PrevField, Choose, Submit,
	// Cancel.
	keys.Form
	// Inside the filter box: KeepFilter, ClearFilter.
	keys.FilterBox
}

// DefaultKeyMap returns the view's bindings; canRefund says whether the
// session's role may refund.
func DefaultKeyMap(canRefund, canExport bool) KeyMap {
	km := KeyMap{
		Nav:       keys.NewNav(),
		Find:      keys.Bind([]string{"f"}, "f", "find payment"),
		Refund:    keys.Bind([]string{"R"}, "R", "refund"),
		Payment:   keys.Bind([]string{"p"}, "p", "open payment"),
		Export:    keys.Bind([]string{"E"}, "E", "export CSV"),
		Form:      keys.NewForm(),
		FilterBox: keys.NewFilterBox(),
	}
	// Same key as everywhere; the words say what enter opens in this list.
	km.Open.SetHelp("enter", "open refund")
	km.Refund.SetEnabled(canRefund)
	km.Export.SetEnabled(canExport)
	return km
}
