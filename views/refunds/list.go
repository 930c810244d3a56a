package refunds

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/listnav"
	"github.com/malipo/malipo/ui/components/table"
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

	tbl    table.Model     // cursor, window and filter over rows
	filter table.FilterBox // the "/" box
}

func (l *list) init(c *common.Common, km KeyMap) {
	l.index = map[string]int{}
	in := uiform.NewInput(c.Styles, "/ ", "id, invoice, status, reason, amount", 60)
	l.filter = table.NewFilterBox(c, in, km.FilterBox)
	l.tbl = table.New(c, nil, table.WithKeys(km.Nav))
}

func (l *list) shown() int { return l.tbl.Len() }

func (l *list) selected() (client.Refund, bool) {
	i, ok := l.tbl.Current()
	if !ok {
		return client.Refund{}, false
	}
	return l.rows[i], true
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
		l.tbl.Find(func(i int) bool { return l.rows[i].ID == keep })
	}
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

// applyFilter keeps the rows that contain every word of the query, and
// gives the table the columns (the id column follows the longest id).
func (l *list) applyFilter() {
	l.tbl.SetColumns(l.columns())
	l.tbl.SetTotal(len(l.rows))
	l.tbl.FilterWords(l.hay, l.filter.Query())
}

// listRows is how many refund rows fit: title, hint, header, and the
// footer take four lines.
func (m *Model) listRows() int { return max(m.height-4, 1) }

// listKeys handles keys on the list (filter box included).
func (m *Model) listKeys(k tea.KeyPressMsg) tea.Cmd {
	l := &m.list
	km := m.keys
	if l.filter.Focused() {
		return m.filterKeys(k)
	}
	if _, ok := l.tbl.Update(k); ok {
		return m.maybeLoadMore()
	}
	switch {
	case key.Matches(k, km.Open):
		if r, ok := l.selected(); ok {
			return m.openDetail(r)
		}
		return nil
	case key.Matches(k, km.Filter):
		return l.filter.Focus()
	case key.Matches(k, km.Back):
		if l.filter.Clear() {
			l.applyFilter()
		}
		return nil
	case key.Matches(k, km.Refresh):
		return m.Refresh()
	case key.Matches(k, km.Find):
		return m.openFind()
	case key.Matches(k, km.Export):
		return m.exportList()
	case key.Matches(k, km.Refund):
		if r, ok := l.selected(); ok && invoiceID(r) != "" {
			return m.lookup(invoiceID(r), true)
		}
	}
	return nil
}

// filterKeys edits the filter (keys and pastes): rows narrow as one
// types, and a filter that leaves few rows loads the next page.
func (m *Model) filterKeys(msg tea.Msg) tea.Cmd {
	l := &m.list
	cmd, ev := l.filter.Update(msg)
	switch ev {
	case table.FilterChanged:
		l.applyFilter()
		return tea.Batch(cmd, m.maybeLoadMore())
	case table.FilterCleared:
		l.applyFilter()
	}
	return cmd
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
	if l.shown()-l.tbl.Cursor() > moreWithin && l.shown() >= m.listRows() {
		return nil
	}
	return m.loadPage(l.next)
}

// columns of the refunds table: the reason (and its details) takes the
// spare width; the id
// column is as wide as the longest id loaded.
func (l *list) columns() []table.Column {
	return []table.Column{
		{Title: "CREATED", Min: 12},
		{Title: "REFUND", Min: max(7, l.idW)},
		{Title: "INVOICE", Min: 7},
		{Title: "AMOUNT", Min: 14, Align: table.Right},
		{Title: "REASON", Min: 6, Flex: 1},
		{Title: "STATUS", Min: 11},
	}
}

// reasonText is the reason with its details: on a wide terminal the reason
// column has room for what the merchant wrote.
func reasonText(r client.Refund) string {
	if d := strings.TrimSpace(r.ReasonDetails); d != "" {
		return r.Reason + " · " + d
	}
	return r.Reason
}

// listView draws the refunds table.
func (m *Model) listView() string {
	st := m.c.Styles
	l := &m.list
	var b strings.Builder
	b.WriteString(m.titleLine(st.Title.Render("Refunds")))
	b.WriteByte('\n')
	switch {
	case l.filter.Focused() || l.filter.Query() != "":
		b.WriteString(text.Truncate(l.filter.View(m.width-4, -1), m.width))
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
	pt := m.paints()
	now := m.c.Now()
	b.WriteString(l.tbl.View(func(i int, row *table.Row) {
		r := l.rows[i]
		row.Add(when.DayTime(now, r.CreatedAt), r.ID, invoiceID(r), r.Amount.Format(currency(r)), reasonText(r), plainStatus(r.Status))
		row.PaintCell(5, pt.statusPaint(r.Status))
	}))
	from, end := l.tbl.Visible()
	if l.shown() == 0 {
		b.WriteByte('\n')
		b.WriteString(st.Faint.Render(text.Truncate(fmt.Sprintf("  no refund matches %q", l.filter.Query()), m.width)))
		end = from + 1
	}
	b.WriteString(strings.Repeat("\n", max(from+l.tbl.Rows()-end, 0)))
	b.WriteByte('\n')
	b.WriteString(st.Faint.Render(text.Truncate(m.listFooter(), m.width)))
	return b.String()
}

func (m *Model) listFooter() string {
	l := &m.list
	from, end := l.tbl.Visible()
	s := fmt.Sprintf("%d refunds loaded", len(l.rows))
	if l.count > len(l.rows) {
		s = fmt.Sprintf("%d of %d refunds loaded", len(l.rows), l.count)
	}
	if l.filter.Query() != "" {
		// The filter searches page by page (maybeLoadMore): say whether
		// its count covers every refund or only those loaded so far.
		s = listnav.Search{Matches: l.shown(), Loaded: len(l.rows), Total: l.count, More: l.next != 0, Loading: l.loading}.String()
	}
	if l.shown() > 0 {
		s += fmt.Sprintf(" · %d–%d shown", from+1, end)
	}
	switch {
	case l.err != "" && l.loaded:
		s += " · " + common.SymWarn + " " + l.err
	case l.filter.Query() != "":
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
	gap := m.width - text.Width(title) - text.Width(right)
	if gap < 2 {
		return text.Truncate(title+"  "+right, m.width)
	}
	return title + strings.Repeat(" ", gap) + right
}
