package payouts

import (
	"charm.land/bubbles/v2/key"

	"github.com/malipo/malipo/ui/components/keys"
)

// KeyMap is every binding of the payouts view. Help (footer, `?` overlay,
// docs/keys.md) is generated from it, so a key is only ever named here.
// Money-moving bindings are disabled (unbound, not merely refused) for
// roles that may not use them: see Model.applyPerms.
type KeyMap struct {
	// Up, Down, PageUp, PageDown, Home, End, Open, Back (and Filter,
	// Refresh, which DefaultKeyMap disables: payouts has neither).
	keys.Nav

	// Composer.
	Add, Edit, Delete, Duplicate, Undo, Import, Settings key.Binding
	Preview                                              key.Binding
	// Screens.
	Pending, OpenBatch, OpenID key.Binding
	// The open batch.
	Approve, CancelBatch, Export, Copy, RetryFailed key.Binding
	// The SSH user's folder, listed for Import.
	ImportFile key.Binding
	// Importing into a draft that has rows: replace them or append.
	ImportReplace, ImportAppend key.Binding
	// Start an empty draft (asks first).
	NewDraft key.Binding
	// The needs-attention queue and the batch history (issue 13), and
	// their keys: copy a batch's details for support, mark it seen,
	// filter the history.
	Attention, History, CopyDetails, Dismiss, HistFilter key.Binding
	// While the history's "/" box has the focus: enter keeps, esc clears.
	keys.FilterBox

	// Inside a form or prompt: NextField, PrevField, Choose, Submit, Cancel.
	keys.Form
	// The resume-draft offer.
	Resume, NotNow key.Binding
}

// DefaultKeyMap returns the view's bindings. It is a function, not a shared
// variable, so nothing can change another view's keys by accident.
func DefaultKeyMap() KeyMap {
	b := keys.Bind
	km := KeyMap{
		Nav: keys.NewNav(),

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

		Approve:     b([]string{"A"}, "A", "approve batch"),
		CancelBatch: b([]string{"x"}, "x", "cancel batch"),
		Export:      b([]string{"E"}, "E", "export results CSV"),
		Copy:        b([]string{"y"}, "y", "copy results CSV"),
		RetryFailed: b([]string{"F"}, "F", "failed rows → new draft"),

		ImportFile: b([]string{"enter"}, "enter", "import the file"),

		ImportReplace: b([]string{"r"}, "r", "replace the draft's rows"),
		ImportAppend:  b([]string{"a"}, "a", "append to the draft"),
		NewDraft:      b([]string{"n"}, "n", "new draft"),

		Attention:   b([]string{"!"}, "!", "needs attention"),
		History:     b([]string{"H"}, "H", "batch history"),
		CopyDetails: b([]string{"y"}, "y", "copy details for support"),
		Dismiss:     b([]string{"d"}, "d", "mark as seen"),
		HistFilter:  b([]string{"/"}, "/", "filter history"),
		FilterBox:   keys.NewFilterBox(),

		Form: keys.NewForm(),

		Resume: b([]string{"enter"}, "enter", "resume draft"),
		NotNow: b([]string{"esc"}, "esc", "not now"),
	}
	// The composer and batch screens have no filter box, and reloading is
	// the shell's own `r` (Model.Refresh), so the view's shared / and r are
	// switched off rather than left to match and do nothing. This keeps the
	// keys exactly as they were before payouts used the shared set.
	km.Filter.SetEnabled(false)
	km.Refresh.SetEnabled(false)
	return km
}
