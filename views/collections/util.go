package collections

import (
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// paints are the table's styles as escapes, rebuilt when the theme changes.
type paints struct {
	for_                 *common.Styles
	dark                 bool
	row, sel, fresh      text.Paint
	ok, pending, failed  text.Paint
	faint, header, money text.Paint
}

func (m *Model) paints() *paints {
	st := m.c.Styles
	if p := &m.paint; p.for_ == st && p.dark == st.IsDark {
		return p
	}
	m.paint = paints{for_: st, dark: st.IsDark, row: text.NewPaint(st.Row), sel: text.NewPaint(st.SelectedRow),
		fresh: text.NewPaint(st.NewRow), ok: text.NewPaint(st.OK), pending: text.NewPaint(st.Pending), failed: text.NewPaint(st.Failed),
		faint: text.NewPaint(st.Faint), header: text.NewPaint(st.TableHeader), money: text.NewPaint(st.MoneyIn)}
	return &m.paint
}
