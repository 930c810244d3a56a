package payouts

import (
	"strings"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// paints are the table styles as precomputed escapes, rebuilt when the
// shell swaps the theme.
type paints struct {
	for_                   *common.Styles
	dark                   bool
	row, sel, faint        text.Paint
	ok, failed, warn, pend text.Paint
	header                 text.Paint
}

func (m *Model) paints() *paints {
	st := m.c.Styles
	if p := &m.paint; p.for_ == st && p.dark == st.IsDark {
		return p
	}
	m.paint = paints{for_: st, dark: st.IsDark, row: text.NewPaint(st.Row), sel: text.NewPaint(st.SelectedRow),
		faint: text.NewPaint(st.Faint), ok: text.NewPaint(st.OK), failed: text.NewPaint(st.Failed), warn: text.NewPaint(st.Warning),
		pend: text.NewPaint(st.Pending), header: text.NewPaint(st.TableHeader)}
	return &m.paint
}

// spread puts left and right on one line of w cells.
func spread(left, right string, w int) string {
	gap := w - text.Width(left) - text.Width(right)
	if gap < 2 {
		return text.Truncate(left+"  "+right, w)
	}
	return left + strings.Repeat(" ", gap) + right
}
