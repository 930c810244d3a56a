package wallets

import (
	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// signed renders a transaction value with an explicit sign: "+KES 10.00",
// "−KES 5.00", so direction never depends on colour.
func signed(a client.Amount, cur string) string {
	if a < 0 {
		return "−" + (-a).Format(cur)
	}
	return "+" + a.Format(cur)
}

// paints are the table styles as precomputed escapes, rebuilt when the
// shell swaps the theme (after the terminal reports its background).
type paints struct {
	for_     *common.Styles
	dark     bool
	row, sel text.Paint
	in, out  text.Paint
	faint    text.Paint
}

func (m *Model) paints() *paints {
	st := m.c.Styles
	if p := &m.paint; p.for_ == st && p.dark == st.IsDark {
		return p
	}
	m.paint = paints{for_: st, dark: st.IsDark, row: text.NewPaint(st.Row), sel: text.NewPaint(st.SelectedRow),
		in: text.NewPaint(st.MoneyIn), out: text.NewPaint(st.MoneyOut), faint: text.NewPaint(st.Faint)}
	return &m.paint
}
