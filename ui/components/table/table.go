// Package table is the one table every list in the console is drawn with:
// columns with minimum and flexible widths (a wide terminal's extra width
// goes to names, emails and narratives, never to empty space beside a cut
// cell), right-aligned money, truncation with "…", a cursor, a scroll
// window, optional multi-select, a filter hook and a row-detail hook.
//
// The table does not hold the rows. Views load rows in their own shapes
// (pages of statements, a live store of payments, a payout draft); they tell
// the table how many there are (SetTotal), which of them a filter lets
// through (SetMatch or FilterWords), and at draw time fill in the cells of
// the rows on screen only, so a frame costs the same at 50 rows and at
// 10,000.
//
// Cursor, scroll window and word filter are ui/components/listnav's
// arithmetic; the keys are ui/components/keys' shared Nav, so every table
// answers the same keys.
package table

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/keys"
	"github.com/malipo/malipo/ui/components/listnav"
	"github.com/malipo/malipo/ui/components/text"
)

// Model is a table's state. Create it with New and keep it in a field of
// the view's model; its methods take a pointer to that field.
type Model struct {
	c    *common.Common
	cols []Column
	keys keys.Nav

	gap, markW int
	multi      bool
	selectKey  key.Binding
	page       func(rows int) int

	width, rows int // rows: data rows on screen (the header is extra)
	widths      []int
	laidFor     int // width the widths were laid out for; -1: stale

	total    int
	filtered bool
	match    []int
	query    string

	cursor, offset int
	selected       map[int]bool // by the view's row index

	detailFn func(i int) tea.Msg
	detail   *detailPane

	paints paints
	row    Row // reused by View
}

// Option adjusts a new table.
type Option func(*Model)

// WithKeys sets the navigation keys (default keys.NewNav()). A view passes
// its own Nav so relabelled help and disabled keys stay in one place.
func WithKeys(k keys.Nav) Option { return func(m *Model) { m.keys = k } }

// WithGap sets the cells between columns (default 2).
func WithGap(n int) Option { return func(m *Model) { m.gap = max(n, 0) } }

// WithMarks reserves w cells after the cursor for a row's Mark (a "★" on a
// payment that just arrived).
func WithMarks(w int) Option { return func(m *Model) { m.markW = max(w, m.markW) } }

// WithMultiSelect lets space pick several rows (shown "✓" in the mark
// cell); Selected lists them.
func WithMultiSelect() Option {
	return func(m *Model) {
		m.multi = true
		m.markW = max(m.markW, 1)
		m.selectKey = keys.Bind([]string{"space"}, "space", "select")
	}
}

// WithPage sets how far page up/down moves for a window of rows (default:
// a window less one row, so the last row read stays on screen).
func WithPage(f func(rows int) int) Option { return func(m *Model) { m.page = f } }

// New builds a table with these columns.
func New(c *common.Common, cols []Column, opts ...Option) Model {
	m := Model{c: c, keys: keys.NewNav(), gap: 2, laidFor: -1, rows: 1,
		page: func(rows int) int { return max(rows-1, 1) }}
	m.cols = append(m.cols, cols...)
	for _, o := range opts {
		o(&m)
	}
	return m
}

// SetColumns replaces the columns (a view whose columns depend on its data,
// such as the widest amount loaded, sets them again when it changes).
func (m *Model) SetColumns(cols []Column) {
	m.cols = append(m.cols[:0], cols...)
	m.laidFor = -1
}

// SetSize gives the table's width and the number of data rows it shows.
func (m *Model) SetSize(width, rows int) {
	if width != m.width {
		m.laidFor = -1
	}
	m.width, m.rows = max(width, 1), max(rows, 1)
	m.ensureVisible()
}

// SetRows changes how many data rows are on screen, keeping the width.
func (m *Model) SetRows(rows int) {
	m.rows = max(rows, 1)
	m.ensureVisible()
}

// Rows is how many data rows are on screen.
func (m *Model) Rows() int { return m.rows }

// SetTotal says how many rows the view holds. Without a filter all of them
// are shown; with one, the view calls SetMatch (or FilterWords) again.
func (m *Model) SetTotal(n int) {
	m.total = max(n, 0)
	m.clamp()
}

// Total is how many rows the view holds.
func (m *Model) Total() int { return m.total }

// Len is how many rows are shown: the filter's matches, or all.
func (m *Model) Len() int {
	if m.filtered {
		return len(m.match)
	}
	return m.total
}

// Index is the view's row index of shown row i.
func (m *Model) Index(i int) int {
	if m.filtered {
		return m.match[i]
	}
	return i
}

// ---- the filter hook ----

// SetMatch is the filter hook: the view's own filter (fuzzy, by state, …)
// passes the indexes of the rows to show, in the order to show them, and the
// query it applied (for "N of M"). A changed query puts the cursor on the
// first match; the same query keeps it in range.
func (m *Model) SetMatch(match []int, query string) {
	if query != m.query {
		m.cursor, m.offset = 0, 0
	}
	m.match, m.query, m.filtered = match, query, true
	m.clamp()
}

// FilterWords filters on every word of query (lower-case) appearing in the
// row's text in hay (listnav.Match); an empty query shows every row.
func (m *Model) FilterWords(hay []string, query string) {
	if query == "" {
		m.ClearFilter()
		return
	}
	m.SetMatch(listnav.Match(m.match, hay, query), query)
}

// ClearFilter shows every row again, keeping the cursor on its row.
func (m *Model) ClearFilter() {
	if !m.filtered {
		return
	}
	cur, ok := m.Current()
	m.filtered, m.query, m.match = false, "", m.match[:0]
	if ok {
		m.cursor = cur
	}
	m.clamp()
}

// Filtered says whether a filter is applied.
func (m *Model) Filtered() bool { return m.filtered }

// Query is the filter applied ("" when none).
func (m *Model) Query() string { return m.query }

// Count says how many rows show, out of how many: "1,204 payments", or
// "8 of 1,204 payments" with a filter on. one and many name a row.
func (m *Model) Count(one, many string) string {
	n := m.Len()
	if m.filtered {
		return group(n) + " of " + group(m.total) + " " + text.Plural(m.total, one, many)
	}
	return group(n) + " " + text.Plural(n, one, many)
}

// group writes n with thousands separators.
func group(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ---- cursor and scroll window ----

// Cursor is the shown row under the cursor.
func (m *Model) Cursor() int { return m.cursor }

// Offset is the first shown row on screen.
func (m *Model) Offset() int { return m.offset }

// Current is the view's index of the row under the cursor; false when no
// row is shown.
func (m *Model) Current() (int, bool) {
	if m.cursor < 0 || m.cursor >= m.Len() {
		return 0, false
	}
	return m.Index(m.cursor), true
}

// SetCursor puts the cursor on shown row i (clamped) and scrolls to it.
func (m *Model) SetCursor(i int) {
	m.cursor = i
	m.clamp()
}

// Follow keeps the cursor on the row it was on after rows arrived above
// it: the cursor moves to shown row i and the window moves as much, so the
// row stays where it was on screen.
func (m *Model) Follow(i int) {
	m.offset += i - m.cursor
	m.SetCursor(i)
}

// Find puts the cursor on the first shown row for which is(row) holds,
// where row is the view's index; false (cursor left alone) when none does.
func (m *Model) Find(is func(row int) bool) bool {
	for i, n := 0, m.Len(); i < n; i++ {
		if is(m.Index(i)) {
			m.SetCursor(i)
			return true
		}
	}
	return false
}

// Visible is the range of shown rows on screen, [from, to).
func (m *Model) Visible() (from, to int) {
	return m.offset, min(m.offset+m.rows, m.Len())
}

func (m *Model) clamp() {
	m.cursor = listnav.Clamp(m.cursor, m.Len())
	m.ensureVisible()
}

func (m *Model) ensureVisible() {
	m.offset = listnav.Offset(m.cursor, m.offset, m.Len(), m.rows)
}

// ---- selection ----

// Selected is the view's indexes of the rows picked with space, in order.
func (m *Model) Selected() []int {
	out := make([]int, 0, len(m.selected))
	for i := 0; i < m.total; i++ {
		if m.selected[i] {
			out = append(out, i)
		}
	}
	return out
}

// IsSelected says whether the view's row i is picked.
func (m *Model) IsSelected(i int) bool { return m.selected[i] }

// ClearSelection unpicks every row (after the view acted on them, or when
// its rows were replaced).
func (m *Model) ClearSelection() { m.selected = nil }

func (m *Model) toggle() {
	i, ok := m.Current()
	if !ok {
		return
	}
	if m.selected == nil {
		m.selected = map[int]bool{}
	}
	if m.selected[i] {
		delete(m.selected, i)
	} else {
		m.selected[i] = true
	}
	m.SetCursor(m.cursor + 1)
}

// ---- keys ----

// SetDetail is the row-detail hook: enter on a row calls f with the view's
// row index. When f returns a Detail, the table shows it in place of the
// rows (scrolling with the same keys; esc goes back); any other message is
// sent to the view, which opens its own detail.
func (m *Model) SetDetail(f func(row int) tea.Msg) { m.detailFn = f }

// Update handles a key the table knows: moving, page, first/last, space
// (multi-select), enter (the detail hook) and, while a detail is shown, esc.
// handled is false for any other key, which the view then handles.
func (m *Model) Update(k tea.KeyPressMsg) (cmd tea.Cmd, handled bool) {
	if m.detail != nil {
		return nil, m.detailKey(k)
	}
	km := m.keys
	switch {
	case key.Matches(k, km.Up):
		m.SetCursor(m.cursor - 1)
	case key.Matches(k, km.Down):
		m.SetCursor(m.cursor + 1)
	case key.Matches(k, km.PageUp):
		m.SetCursor(m.cursor - m.page(m.rows))
	case key.Matches(k, km.PageDown):
		m.SetCursor(m.cursor + m.page(m.rows))
	case key.Matches(k, km.Home):
		m.SetCursor(0)
	case key.Matches(k, km.End):
		m.SetCursor(m.Len() - 1)
	case m.multi && key.Matches(k, m.selectKey):
		m.toggle()
	case m.detailFn != nil && key.Matches(k, km.Open):
		return m.open(), true
	default:
		return nil, false
	}
	return nil, true
}

// Click is the mouse hook (common.Clickable): line is a line of the
// table's View, 0 being the header. A click on a row puts the cursor on it;
// a click on the row already under the cursor opens it as enter does (the
// detail hook, when set), so a double click opens. hit says a row was
// clicked; again that it was the current row, for views that open rows
// themselves. While a detail is shown, clicks do nothing.
func (m *Model) Click(line int) (cmd tea.Cmd, hit, again bool) {
	i := m.offset + line - 1
	if m.detail != nil || line < 1 || line > m.rows || i >= m.Len() {
		return nil, false, false
	}
	if i == m.cursor {
		if m.detailFn != nil {
			return m.open(), true, true
		}
		return nil, true, true
	}
	m.SetCursor(i)
	return nil, true, false
}

// SelectKey is the multi-select binding, for the view's help (disabled
// when the table has no multi-select).
func (m *Model) SelectKey() key.Binding { return m.selectKey }
