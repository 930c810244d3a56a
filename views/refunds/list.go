package refunds

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/listnav"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// list is the refunds as loaded so far, newest first, page by page.
type list struct {
	rows  []client.Refund
	hay   []string       // lower-cased text each row is filtered on
	index map[string]int // refund id → row
	next  int            // the next page to fetch; 0 when there is none
	count int            // the server's total, when it says
	idW   int            // the longest refund id, for the column

	seq       int // the request in flight; older answers are dropped
	loading   bool
	loaded    bool
	err       string
	refreshed time.Time

	cursor, offset int // over the shown rows (filtered or all)

	filter    textinput.Model
	filtering bool   // the filter box has focus
	query     string // applied filter, lower-cased
	match     []int  // rows shown when a filter is applied
}

func (l *list) init(st *common.Styles) {
	l.index = map[string]int{}
	l.filter = uiform.NewInput(st, "/ ", "id, invoice, status, reason, amount", 60)
}

func (l *list) shown() int {
	if l.query != "" {
		return len(l.match)
	}
	return len(l.rows)
}

func (l *list) at(i int) client.Refund {
	if l.query != "" {
		return l.rows[l.match[i]]
	}
	return l.rows[i]
}

func (l *list) selected() (client.Refund, bool) {
	if l.cursor < 0 || l.cursor >= l.shown() {
		return client.Refund{}, false
	}
	return l.at(l.cursor), true
}

// merge takes a page: page 1 updates rows already loaded in place (a
// PENDING refund turns COMPLETED) and puts new ones on top; later pages
// append what is not loaded yet (new refunds shift IntaSend's pages, so
// pages overlap).
func (l *list) merge(page int, rs []client.Refund) {
	keep := ""
	if r, ok := l.selected(); ok {
		keep = r.ID
	}
	var fresh []client.Refund
	for _, r := range rs {
		if i, ok := l.index[r.ID]; ok && r.ID != "" {
			l.rows[i] = r
			continue
		}
		fresh = append(fresh, r)
	}
	if page == 1 {
		l.rows = append(fresh, l.rows...)
	} else {
		l.rows = append(l.rows, fresh...)
	}
	l.reindex()
	l.applyFilter()
	if keep != "" {
		for i := 0; i < l.shown(); i++ {
			if l.at(i).ID == keep {
				l.cursor = i
				return
			}
		}
	}
	l.cursor = min(l.cursor, max(l.shown()-1, 0))
}

func (l *list) reindex() {
	l.index = make(map[string]int, len(l.rows))
	l.hay = l.hay[:0]
	l.idW = 0
	for i, r := range l.rows {
		l.idW = max(l.idW, len(r.ID))
		if r.ID != "" {
			l.index[r.ID] = i
		}
		var account string
		if r.Invoice != nil {
			account = r.Invoice.Account
		}
		l.hay = append(l.hay, strings.ToLower(strings.Join([]string{
			r.ID, invoiceID(r), r.Status, r.Reason, r.ReasonDetails, account, r.Amount.String(), r.Amount.Decimal(),
		}, " ")))
	}
}

// applyFilter keeps the rows that contain every word of the query.
func (l *list) applyFilter() {
	if l.query == "" {
		l.match = nil
		return
	}
	l.match = listnav.Match(l.match, l.hay, l.query)
}

func (l *list) setCursor(i, rows int) {
	l.cursor = listnav.Clamp(i, l.shown())
	l.ensureVisible(rows)
}

func (l *list) ensureVisible(rows int) {
	l.offset = listnav.Offset(l.cursor, l.offset, l.shown(), rows)
}

// listRows is how many refund rows fit: title, hint, header, and the
// footer take four lines.
func (m *Model) listRows() int { return max(m.height-4, 1) }

// listKeys handles keys on the list (filter box included).
func (m *Model) listKeys(k tea.KeyPressMsg) tea.Cmd {
	l := &m.list
	km := m.keys
	if l.filtering {
		switch {
		case key.Matches(k, km.KeepFilter):
			l.filtering = false
			l.filter.Blur()
			return nil
		case key.Matches(k, km.ClearFilter):
			l.filtering = false
			l.filter.Blur()
			l.filter.SetValue("")
			m.setQuery("")
			return nil
		}
		var cmd tea.Cmd
		l.filter, cmd = l.filter.Update(k)
		m.setQuery(l.filter.Value())
		return tea.Batch(cmd, m.maybeLoadMore())
	}
	rows := m.listRows()
	page := max(rows-1, 1)
	switch {
	case key.Matches(k, km.Up):
		l.setCursor(l.cursor-1, rows)
	case key.Matches(k, km.Down):
		l.setCursor(l.cursor+1, rows)
	case key.Matches(k, km.PageUp):
		l.setCursor(l.cursor-page, rows)
	case key.Matches(k, km.PageDown):
		l.setCursor(l.cursor+page, rows)
	case key.Matches(k, km.Home):
		l.setCursor(0, rows)
	case key.Matches(k, km.End):
		l.setCursor(l.shown()-1, rows)
	case key.Matches(k, km.Open):
		if r, ok := l.selected(); ok {
			return m.openDetail(r)
		}
		return nil
	case key.Matches(k, km.Filter):
		l.filtering = true
		return l.filter.Focus()
	case key.Matches(k, km.Back):
		if l.query != "" {
			l.filter.SetValue("")
			m.setQuery("")
		}
		return nil
	case key.Matches(k, km.Refresh):
		return m.Refresh()
	case key.Matches(k, km.Find):
		return m.openFind()
	case key.Matches(k, km.Refund):
		if r, ok := l.selected(); ok && invoiceID(r) != "" {
			return m.lookup(invoiceID(r), true)
		}
		return nil
	default:
		return nil
	}
	return m.maybeLoadMore()
}

func (m *Model) setQuery(q string) {
	l := &m.list
	q = strings.ToLower(strings.TrimSpace(q))
	if q == l.query {
		return
	}
	l.query = q
	l.applyFilter()
	l.cursor, l.offset = 0, 0
}

// maybeLoadMore fetches the next page when the cursor nears the end of
// what is loaded, or while a filter leaves fewer rows than the screen
// holds: each answer asks for the next page, so the filter searches every
// refund, one page at a time, until the screen fills; clearing it stops.
func (m *Model) maybeLoadMore() tea.Cmd {
	l := &m.list
	if l.next == 0 || l.loading || l.err != "" {
		return nil
	}
	if l.shown()-l.cursor > moreWithin && l.shown() >= m.listRows() {
		return nil
	}
	return m.loadPage(l.next)
}

// columns of the refunds table.
type columns struct{ when, id, inv, amount, reason, status int }

func (m *Model) columns() columns {
	c := columns{when: 12, id: min(max(7, m.list.idW), 12), inv: 7, amount: 14, status: 11}
	// marker 2 + five gaps of 2
	c.reason = max(m.width-2-10-c.when-c.id-c.inv-c.amount-c.status, 6)
	c.reason = min(c.reason, 40)
	return c
}

// width is a row's width before the status: marker, cells and gaps.
func (c columns) width() int { return 2 + c.when + c.id + c.inv + c.amount + c.reason + 10 }

func (c columns) row(when, id, inv, amount, reason, status string) string {
	return text.PadRight(when, c.when) + "  " + text.PadRight(id, c.id) + "  " + text.PadRight(inv, c.inv) + "  " +
		text.PadLeft(amount, c.amount) + "  " + text.PadRight(reason, c.reason) + "  " + status
}

// listView draws the refunds table.
func (m *Model) listView() string {
	st := m.c.Styles
	l := &m.list
	var b strings.Builder
	b.WriteString(m.titleLine(st.Title.Render("Refunds")))
	b.WriteByte('\n')
	switch {
	case l.filtering || l.query != "":
		l.filter.SetWidth(max(m.width-4, 10))
		b.WriteString(text.Truncate(l.filter.View(), m.width))
	default:
		hint := "f find a payment by invoice id · / filter · enter details"
		if m.keys.Refund.Enabled() {
			hint = "f find a payment by invoice id · R refund the selected row's payment"
		}
		b.WriteString(st.Faint.Render(text.Truncate(hint, m.width)))
	}
	b.WriteByte('\n')
	if !l.loaded {
		if l.err != "" {
			b.WriteString(st.Failed.Render(common.SymFailed+" could not load refunds: ") + text.Truncate(l.err, max(m.width-26, 10)) + "\n")
			b.WriteString(st.Faint.Render("press r to try again"))
			return b.String()
		}
		b.WriteString(st.Faint.Render(common.SymPending + " loading refunds…"))
		return b.String()
	}
	if len(l.rows) == 0 {
		b.WriteString(st.Faint.Render(text.Truncate("No refunds yet. Press f to find a payment to refund.", m.width)))
		return b.String()
	}
	cols := m.columns()
	b.WriteString(st.TableHeader.Render(text.Truncate("  "+cols.row("CREATED", "REFUND", "INVOICE", "AMOUNT", "REASON", "STATUS"), m.width)))
	rows := m.listRows()
	end := min(l.offset+rows, l.shown())
	pt := m.paints()
	now := m.c.Now()
	// Cells are padded to the columns, which fit the width by construction
	// from 80 columns up; narrower, each line is measured and cut.
	fits := cols.width()+len("COMPLETED")+2 <= m.width
	for i := l.offset; i < end; i++ {
		r := l.at(i)
		b.WriteByte('\n')
		line := cols.row(when.DayTime(now, r.CreatedAt), r.ID, invoiceID(r), r.Amount.Format(currency(r)), r.Reason, "")
		switch {
		case i == l.cursor && fits:
			b.WriteString(pt.sel.Render("▸ " + line + plainStatus(r.Status)))
		case i == l.cursor:
			b.WriteString(pt.sel.Render(text.Truncate("▸ "+line+plainStatus(r.Status), m.width)))
		case fits:
			b.WriteString("  " + line + pt.status(r.Status))
		default:
			b.WriteString(text.Truncate("  "+line+pt.status(r.Status), m.width))
		}
	}
	if l.shown() == 0 {
		b.WriteByte('\n')
		b.WriteString(st.Faint.Render(text.Truncate(fmt.Sprintf("  no refund matches %q", l.query), m.width)))
		end = l.offset + 1
	}
	for i := end; i < l.offset+rows; i++ {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(st.Faint.Render(text.Truncate(m.listFooter(end), m.width)))
	return b.String()
}

func (m *Model) listFooter(end int) string {
	l := &m.list
	s := fmt.Sprintf("%d refunds loaded", len(l.rows))
	if l.count > len(l.rows) {
		s = fmt.Sprintf("%d of %d refunds loaded", len(l.rows), l.count)
	}
	if l.query != "" {
		// The filter searches page by page (maybeLoadMore): say whether
		// its count covers every refund or only those loaded so far.
		s = listnav.Search{Matches: l.shown(), Loaded: len(l.rows), Total: l.count, More: l.next != 0, Loading: l.loading}.String()
	}
	if l.shown() > 0 {
		s += fmt.Sprintf(" · %d–%d shown", l.offset+1, end)
	}
	switch {
	case l.err != "" && l.loaded:
		s += " · " + common.SymWarn + " " + l.err
	case l.query != "":
	case l.loading && l.loaded:
		s += " · loading more…"
	case l.next != 0:
		s += " · more below"
	}
	return s
}

func currency(r client.Refund) string {
	if r.Invoice != nil && r.Invoice.Currency != "" {
		return r.Invoice.Currency
	}
	return "KES"
}

// titleLine puts the refresh state at the right of a title.
func (m *Model) titleLine(title string) string {
	st := m.c.Styles
	l := &m.list
	var right string
	switch {
	case l.loading || (m.pay != nil && m.pay.loading):
		right = st.Faint.Render(common.SymPending + " loading…")
	case l.err != "" && l.loaded:
		right = st.Warning.Render(common.SymWarn + " refresh failed")
	case !l.refreshed.IsZero():
		right = st.Faint.Render("updated " + m.stamp(l.refreshed, when.Clock))
	}
	gap := m.width - lipgloss.Width(title) - lipgloss.Width(right)
	if gap < 2 {
		return text.Truncate(title+"  "+right, m.width)
	}
	return title + strings.Repeat(" ", gap) + right
}
