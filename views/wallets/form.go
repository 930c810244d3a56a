package wallets

import (
	"charm.land/bubbles/v2/textinput"

	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
)

type formKind int

const (
	formCreate formKind = iota + 1
	formTransfer
	formFund
)

// form is the shared form (ui/components/form) with this view's pending
// request, kept so what is sent after confirmation is what was confirmed.
type form struct {
	*uiform.Form
	kind formKind
	meta formMeta
}

// newInput is the shared themed input, under the name this view's filter
// (and its tests) use.
func newInput(st *common.Styles, prompt, placeholder string, limit int) textinput.Model {
	return uiform.NewInput(st, prompt, placeholder, limit)
}
