package table

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// Row is what the view fills in for one row at draw time. View hands the
// same Row to every call, emptied, so a frame allocates no rows.
type Row struct {
	// Cells are the row's texts, one per column (dropped columns included),
	// plain or styled; the table pads, cuts and aligns them.
	Cells []string
	// Paints colour single cells (a debit in red, a status by its state),
	// applied after padding so widths stay exact. Nil, shorter than Cells or
	// a zero Paint: the row's paint.
	Paints []text.Paint
	// Paint is the whole row's paint (a fresh payment); zero: Styles.Row.
	Paint text.Paint
	// Mark is shown after the cursor, in the cells WithMarks reserved.
	Mark string
}

func (r *Row) reset() {
	r.Cells, r.Paints = r.Cells[:0], r.Paints[:0]
	r.Paint, r.Mark = text.Paint{}, ""
}

// Add appends a cell, for views that build rows cell by cell.
func (r *Row) Add(cells ...string) { r.Cells = append(r.Cells, cells...) }

// PaintCell colours cell i (an index into Cells).
func (r *Row) PaintCell(i int, p text.Paint) {
	for len(r.Paints) <= i {
		r.Paints = append(r.Paints, text.Paint{})
	}
	r.Paints[i] = p
}

// spaces is sliced for padding and gaps, so no padding allocates.
const spaces = "                                                                "

// paints are the table's styles as precomputed escapes (text.Paint),
// rebuilt when the shell swaps the theme.
type paints struct {
	st                   *common.Styles
	dark                 bool
	header, row, sel, ok text.Paint
}

func (m *Model) paint() *paints {
	st := m.c.Styles
	if p := &m.paints; p.st == st && p.dark == st.IsDark {
		return p
	}
	m.paints = paints{st: st, dark: st.IsDark, header: text.NewPaint(st.TableHeader),
		row: text.NewPaint(st.Row), sel: text.NewPaint(st.SelectedRow), ok: text.NewPaint(st.OK)}
	return &m.paints
}

// prefix is the cells before the first column: the cursor, the marks, a space.
func (m *Model) prefix() int { return 2 + m.markW }

// Widths are the columns' widths at the table's width (0: dropped).
func (m *Model) Widths() []int {
	if m.laidFor != m.width {
		m.widths = layout(m.widths, m.cols, m.width, m.prefix(), m.gap)
		m.laidFor = m.width
	}
	return m.widths
}

// Width is the cells a row takes: less than the table's width when every
// flexible column has reached its Max.
func (m *Model) Width() int { return measure(m.Widths(), m.prefix(), m.gap) }

// Shown says whether column i is drawn at this width.
func (m *Model) Shown(i int) bool { return m.Widths()[i] > 0 }

// Line lays cells out in the columns, behind a blank cursor: for lines that
// belong to the table without being rows (totals under the amounts).
func (m *Model) Line(cells ...string) string {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", m.prefix()))
	m.cells(&b, cells, nil, text.Paint{})
	return b.String()
}

// Header is the column titles, painted.
func (m *Model) Header() string {
	titles := make([]string, len(m.cols))
	for i, c := range m.cols {
		titles[i] = c.Title
	}
	return m.paint().header.Render(strings.TrimRight(m.Line(titles...), " "))
}

// View draws the header and the shown rows on screen, no more: fill is
// called for those rows only, with the view's row index. With no row shown
// it is the header alone (the view says why underneath). While a row's
// detail is open it draws the detail instead.
func (m *Model) View(fill func(row int, r *Row)) string {
	if m.detail != nil {
		return m.detailView()
	}
	var b strings.Builder
	from, to := m.Visible()
	b.Grow((to - from + 1) * (m.width + 48)) // the escapes add some
	b.WriteString(m.Header())
	for i := from; i < to; i++ {
		b.WriteByte('\n')
		m.rowLine(&b, fill, i)
	}
	return b.String()
}

// rowLine draws shown row i. The cursor row is one reversed paint, its
// cells stripped of their own styles (a nested style's reset would end the
// reverse mid-row); other rows are in their paint with cells coloured
// inside it.
func (m *Model) rowLine(b *strings.Builder, fill func(int, *Row), i int) {
	p := m.paint()
	idx := m.Index(i)
	r := &m.row
	r.reset()
	fill(idx, r)
	mark := r.Mark
	if m.multi && m.selected[idx] {
		mark = p.ok.Render("✓")
	}
	var l strings.Builder
	l.Grow(m.width + 32)
	if i == m.cursor {
		l.WriteString("▸")
		l.WriteString(text.PadRight(ansi.Strip(mark), m.markW))
		l.WriteByte(' ')
		for j, c := range r.Cells {
			if text.Width(c) != len(c) { // styled or wide: strip the styles
				r.Cells[j] = ansi.Strip(c)
			}
		}
		m.cells(&l, r.Cells, nil, text.Paint{})
		b.WriteString(p.sel.Render(l.String()))
		return
	}
	base := r.Paint
	if base == (text.Paint{}) {
		base = p.row
	}
	l.WriteByte(' ')
	l.WriteString(text.PadRight(mark, m.markW))
	if mark != "" {
		l.WriteString(base.Resume())
	}
	l.WriteByte(' ')
	m.cells(&l, r.Cells, r.Paints, base)
	b.WriteString(base.Render(l.String()))
}

// cells writes cells into the columns: padded or cut to each width, aligned,
// gap-separated; dropped columns are skipped. A cell with a paint is
// coloured after padding and the row's paint (resume) starts again after it.
// Plain cells are written straight into b: this runs for every cell of
// every visible row of every frame.
func (m *Model) cells(b *strings.Builder, cells []string, ps []text.Paint, resume text.Paint) {
	w := m.Widths()
	first := true
	for i, c := range m.cols {
		if w[i] == 0 {
			continue
		}
		if !first {
			pad(b, m.gap)
		}
		first = false
		var s string
		if i < len(cells) {
			s = cells[i]
		}
		if i < len(ps) && ps[i] != (text.Paint{}) {
			var cell strings.Builder
			fit(&cell, s, w[i], c.Align)
			b.WriteString(ps[i].Render(cell.String()))
			b.WriteString(resume.Resume())
			continue
		}
		fit(b, s, w[i], c.Align)
	}
}

// fit writes s into exactly w cells: cut with "…" when wider, else padded
// on the side away from its alignment.
func fit(b *strings.Builder, s string, w int, a Align) {
	n := text.Width(s)
	if n > w {
		s = text.Truncate(s, w)
		n = text.Width(s)
	}
	if a == Right {
		pad(b, w-n)
		b.WriteString(s)
		return
	}
	b.WriteString(s)
	pad(b, w-n)
}

// pad writes n spaces.
func pad(b *strings.Builder, n int) {
	for n > 0 {
		k := min(n, len(spaces))
		b.WriteString(spaces[:k])
		n -= k
	}
}
