package refunds

import (
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// statusText renders a refund status as symbol and word: never colour alone.
func statusText(st *common.Styles, status string) string {
	switch status {
	case client.RefundCompleted:
		return st.OK.Render(plainStatus(status))
	case client.RefundPending:
		return st.Pending.Render(plainStatus(status))
	case client.RefundDisputed, client.RefundOverdue:
		return st.Warning.Render(plainStatus(status))
	case client.RefundCancelled:
		return st.Failed.Render(plainStatus(status))
	}
	return plainStatus(status)
}

// plainStatus is the status with its symbol but no colour.
func plainStatus(s string) string {
	switch s {
	case client.RefundCompleted:
		return common.SymOK + " " + s
	case client.RefundPending:
		return common.SymPending + " " + s
	case client.RefundDisputed, client.RefundOverdue:
		return common.SymWarn + " " + s
	case client.RefundCancelled:
		return common.SymFailed + " " + s
	case "":
		return "?"
	}
	return "• " + s
}

// paints are the list's styles as escapes, rebuilt when the shell swaps
// the theme (after the terminal reports its background).
type paints struct {
	for_                   *common.Styles
	dark                   bool
	ok, pending, warn, bad text.Paint
}

func (m *Model) paints() *paints {
	st := m.c.Styles
	if p := &m.paint; p.for_ == st && p.dark == st.IsDark {
		return p
	}
	m.paint = paints{for_: st, dark: st.IsDark, ok: text.NewPaint(st.OK),
		pending: text.NewPaint(st.Pending), warn: text.NewPaint(st.Warning), bad: text.NewPaint(st.Failed)}
	return &m.paint
}

// statusPaint is a status's colour through the precomputed paints (the
// zero Paint: none); plainStatus gives the word and symbol.
func (p *paints) statusPaint(s string) text.Paint {
	switch s {
	case client.RefundCompleted:
		return p.ok
	case client.RefundPending:
		return p.pending
	case client.RefundDisputed, client.RefundOverdue:
		return p.warn
	case client.RefundCancelled:
		return p.bad
	}
	return text.Paint{}
}

// invoiceStateText renders an invoice state with its symbol.
func invoiceStateText(st *common.Styles, state string) string {
	switch state {
	case "COMPLETE":
		return st.OK.Render(common.SymOK + " " + state)
	case "FAILED", "CANCELED":
		return st.Failed.Render(common.SymFailed + " " + state)
	case "PENDING", "PROCESSING", "RETRY":
		return st.Pending.Render(common.SymPending + " " + state)
	}
	return "• " + state
}

// counts reports whether a refund still holds part of the invoice: the
// simulator and IntaSend's docs free the amount of CANCELLED and DISPUTED
// refunds.
func counts(r client.Refund) bool {
	return r.Status != client.RefundCancelled && r.Status != client.RefundDisputed
}

// invoiceID of a refund, "" when IntaSend left it out.
func invoiceID(r client.Refund) string {
	if r.Invoice != nil && r.Invoice.ID != "" {
		return r.Invoice.ID
	}
	if r.Transaction != nil && r.Transaction.Invoice != nil {
		return r.Transaction.Invoice.ID
	}
	return ""
}

// stamp writes a time in one of the console's formats (package when), in
// the view's zone; a time IntaSend did not give is a dash.
func (m *Model) stamp(t time.Time, format func(now, t time.Time) string) string {
	if t.IsZero() {
		return "—"
	}
	return format(m.c.Now(), t)
}
