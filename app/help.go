package app

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/ui/common"
)

// The `?` overlay shows every binding of the active view and the shell's.
// Groups are laid out as columns, as many side by side as the width holds,
// the rest in further bands below; when that is still taller than the
// screen the overlay scrolls and says how much more there is. (bubbles'
// help.FullHelpView drops the columns that do not fit, which lost Payouts'
// P/b/o/A/x/E/F at 80x24.)

// helpColGap is the space between two columns of bindings.
const helpColGap = 3

// HelpKeyMap are the keys inside the help overlay.
type HelpKeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

// DefaultHelpKeyMap returns the overlay's scrolling keys; ?, esc and q
// close it (the shell's Help, Back and Quit).
func DefaultHelpKeyMap() HelpKeyMap {
	return HelpKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d", "space"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end", "bottom")),
	}
}

// FullHelp lists the overlay's keys for the footer and docs.
func (k HelpKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// scrollHelp applies a scrolling key to the overlay's offset; it reports
// whether k was one.
func (m *Model) scrollHelp(k tea.KeyPressMsg) bool {
	n, page := len(m.helpLines()), m.helpPage()
	hk := m.helpKeys
	switch {
	case key.Matches(k, hk.Up):
		m.helpOffset--
	case key.Matches(k, hk.Down):
		m.helpOffset++
	case key.Matches(k, hk.PageUp):
		m.helpOffset -= max(1, page-1)
	case key.Matches(k, hk.PageDown):
		m.helpOffset += max(1, page-1)
	case key.Matches(k, hk.Top):
		m.helpOffset = 0
	case key.Matches(k, hk.Bottom):
		m.helpOffset = n
	default:
		return false
	}
	m.helpOffset = clampOffset(m.helpOffset, n, page)
	return true
}

// openHelp shows the overlay from its top.
func (m *Model) openHelp() {
	m.showHelp, m.helpOffset = true, 0
}

// clampOffset keeps a window of page lines inside n lines.
func clampOffset(off, n, page int) int {
	return max(0, min(off, n-page))
}

// helpStyle is the overlay's box: the dialog's, with less padding so more
// bindings fit.
func (m *Model) helpStyle() lipgloss.Style { return m.c.Styles.Dialog.Padding(0, 1) }

// helpBox is the overlay's inner width and height. It covers the body, so
// the header and the footer's hints stay in sight.
func (m *Model) helpBox() (width, height int) {
	st := m.helpStyle()
	_, h := m.bodySize()
	return max(1, m.width-2-st.GetHorizontalFrameSize()), max(2, h-st.GetVerticalFrameSize())
}

// helpPage is how many content lines show at once: all the box holds, less
// the line that says "N more ↓" when the content does not fit.
func (m *Model) helpPage() int {
	_, h := m.helpBox()
	if len(m.helpLines()) > h {
		return h - 1
	}
	return h
}

// helpLines is the overlay's content: the active view's bindings that the
// role may use, then the shell's, each as columns that fit the width.
func (m *Model) helpLines() []string {
	s := m.c.Styles
	w, _ := m.helpBox()
	var lines []string
	if len(m.views) > 0 {
		v := m.views[m.active]
		var groups [][]key.Binding
		for _, g := range v.FullHelp() {
			if g = m.permitted(g); len(g) > 0 {
				groups = append(groups, g)
			}
		}
		if len(groups) > 0 {
			lines = append(lines, s.Title.Render(v.Title()))
			lines = append(lines, helpColumns(s, groups, w)...)
			lines = append(lines, "")
		}
	}
	lines = append(lines, s.Title.Render("Everywhere"))
	lines = append(lines, helpColumns(s, m.keys.FullHelp(), w)...)
	lines = append(lines, "", s.Faint.Render(ansi.Truncate("Single-letter keys pause while you type in a field. ? or esc closes.", w, "…")))
	return lines
}

// helpColumn is one group of bindings drawn as a column.
type helpColumn struct {
	cells []string
	width int
}

// newHelpColumn lays out one group: keys padded to the widest, then the
// descriptions, cut with … only if the column alone is wider than max.
func newHelpColumn(s *common.Styles, g []key.Binding, maxW int) helpColumn {
	var keys, descs []string
	kw, dw := 0, 0
	for _, b := range g {
		if !b.Enabled() || b.Help().Key == "" {
			continue
		}
		keys, descs = append(keys, b.Help().Key), append(descs, b.Help().Desc)
		kw, dw = max(kw, ansi.StringWidth(b.Help().Key)), max(dw, ansi.StringWidth(b.Help().Desc))
	}
	dw = min(dw, max(1, maxW-kw-1))
	c := helpColumn{width: kw + 1 + dw}
	for i := range keys {
		d := ansi.Truncate(descs[i], dw, "…")
		c.cells = append(c.cells, s.Key.Render(pad(keys[i], kw))+" "+s.KeyDesc.Render(pad(d, dw)))
	}
	return c
}

// helpColumns places the groups' columns side by side while they fit in
// width, starting a new band below when the next would not.
func helpColumns(s *common.Styles, groups [][]key.Binding, width int) []string {
	var lines []string
	var band []helpColumn
	used := 0
	flush := func() {
		lines = append(lines, joinColumns(band)...)
		band, used = nil, 0
	}
	for _, g := range groups {
		c := newHelpColumn(s, g, width)
		if len(c.cells) == 0 {
			continue
		}
		need := c.width
		if len(band) > 0 {
			need += helpColGap
		}
		if len(band) > 0 && used+need > width {
			flush()
			need = c.width
		}
		band = append(band, c)
		used += need
	}
	if len(band) > 0 {
		flush()
	}
	return lines
}

// joinColumns draws a band: row r holds each column's r-th cell.
func joinColumns(cols []helpColumn) []string {
	rows := 0
	for _, c := range cols {
		rows = max(rows, len(c.cells))
	}
	gap := strings.Repeat(" ", helpColGap)
	out := make([]string, rows)
	for r := range rows {
		var b strings.Builder
		for i, c := range cols {
			if i > 0 {
				b.WriteString(gap)
			}
			if r < len(c.cells) {
				b.WriteString(c.cells[r])
			} else {
				b.WriteString(strings.Repeat(" ", c.width))
			}
		}
		out[r] = strings.TrimRight(b.String(), " ")
	}
	return out
}

// pad right-pads s with spaces to w cells.
func pad(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// helpView draws the overlay's window at its scroll offset, with "N more ↓"
// (and "↑ N above") when the content does not fit.
func (m *Model) helpView() string {
	lines := m.helpLines()
	w, h := m.helpBox()
	if len(lines) > h {
		page := h - 1
		off := clampOffset(m.helpOffset, len(lines), page) // after a resize
		more := m.c.Styles.Faint.Render(moreText(off, len(lines)-off-page))
		lines = append(lines[off:off+page:off+page], more)
	}
	for i, l := range lines {
		lines[i] = pad(l, w)
	}
	return m.helpStyle().Render(strings.Join(lines, "\n"))
}

// moreText says how many lines are out of sight, and which way.
func moreText(above, below int) string {
	var parts []string
	if above > 0 {
		parts = append(parts, fmt.Sprintf("↑ %d above", above))
	}
	if below > 0 {
		parts = append(parts, fmt.Sprintf("%d more ↓", below))
	}
	return strings.Join(parts, " · ")
}
