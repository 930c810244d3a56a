package collections

import (
	uiform "github.com/malipo/malipo/ui/components/form"
)

type formKind int

const (
	formPush formKind = iota + 1
	formLink
)

// form is the shared form (ui/components/form) with what this view asks
// IntaSend for once it validates, kept so the request sent after the
// confirmation is exactly what was confirmed.
type form struct {
	*uiform.Form
	kind formKind
	push *pushReq
	link *linkReq
}
