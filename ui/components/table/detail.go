package table

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/components/listnav"
	"github.com/malipo/malipo/ui/components/text"
)

// Detail is what a detail hook returns for the table to show itself: a
// title and the row's whole text, wrapped to the table's width, in place of
// the rows (what the columns had to cut: a long narrative, a raw error).
// Lines of Text are kept; long ones wrap.
type Detail struct {
	Title string
	Text  string
}

type detailPane struct {
	Detail
	lines  []string
	width  int
	offset int
}

// open runs the detail hook on the row under the cursor.
func (m *Model) open() tea.Cmd {
	i, ok := m.Current()
	if !ok {
		return nil
	}
	msg := m.detailFn(i)
	switch msg := msg.(type) {
	case nil:
		return nil
	case Detail:
		m.detail = &detailPane{Detail: msg}
		return nil
	default:
		return func() tea.Msg { return msg }
	}
}

// DetailOpen says whether a row's detail is shown (esc belongs to the table).
func (m *Model) DetailOpen() bool { return m.detail != nil }

// CloseDetail goes back to the rows.
func (m *Model) CloseDetail() { m.detail = nil }

// detailKey scrolls the detail or closes it; it takes the navigation keys
// and esc, leaving the rest to the view.
func (m *Model) detailKey(k tea.KeyPressMsg) bool {
	d, km := m.detail, m.keys
	last := max(len(m.detailLines())-m.rows, 0)
	switch {
	case key.Matches(k, km.Back):
		m.detail = nil
	case key.Matches(k, km.Up):
		d.offset--
	case key.Matches(k, km.Down):
		d.offset++
	case key.Matches(k, km.PageUp):
		d.offset -= m.page(m.rows)
	case key.Matches(k, km.PageDown):
		d.offset += m.page(m.rows)
	case key.Matches(k, km.Home):
		d.offset = 0
	case key.Matches(k, km.End):
		d.offset = last
	default:
		return false
	}
	if m.detail != nil {
		d.offset = min(listnav.Clamp(d.offset, last+1), last)
	}
	return true
}

// detailLines wraps the text to the width, once per width.
func (m *Model) detailLines() []string {
	d := m.detail
	if d.lines == nil || d.width != m.width {
		d.width, d.lines = m.width, d.lines[:0]
		for _, para := range strings.Split(d.Text, "\n") {
			wrapped := []string{para} // a line that fits keeps its spacing
			if text.Width(para) > m.width-2 {
				wrapped = text.Wrap(para, m.width-2)
			}
			if len(wrapped) == 0 {
				wrapped = []string{""}
			}
			for _, l := range wrapped {
				d.lines = append(d.lines, "  "+l)
			}
		}
	}
	return d.lines
}

// detailView is the title (in the header's place) and the lines in the
// rows' place, with where the window is when it does not all fit.
func (m *Model) detailView() string {
	st := m.c.Styles
	lines := m.detailLines()
	d := m.detail
	hint := "esc back"
	if len(lines) > m.rows {
		end := min(d.offset+m.rows, len(lines))
		hint += " · lines " + group(d.offset+1) + "–" + group(end) + " of " + group(len(lines))
	}
	var b strings.Builder
	b.WriteString(text.Truncate(st.Bold.Render(d.Title)+"  "+st.Faint.Render(hint), m.width))
	for _, l := range lines[d.offset:min(d.offset+m.rows, len(lines))] {
		b.WriteByte('\n')
		b.WriteString(l)
	}
	return b.String()
}
