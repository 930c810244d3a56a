package collections

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/daterange"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// applyFilter recomputes the rows shown (the store's own query-and-state
// filter, which narrows as one types) and hands them to the table's
// filter hook.
func (m *Model) applyFilter() {
	m.view.apply(m.st, m.filter.Query(), stateCycle[m.state])
	m.tbl.SetTotal(len(m.st.rows))
	switch {
	case !m.rng.IsZero():
		m.tbl.SetMatch(m.matchInRange(), m.view.query+"\x00"+m.view.state+"\x00"+m.rangeKey())
	case m.view.all:
		m.tbl.ClearFilter()
	default:
		m.tbl.SetMatch(m.view.idx, m.view.query+"\x00"+m.view.state)
	}
}

func (m *Model) rowCount() int { return m.tbl.Len() }

// selected is the row under the cursor.
func (m *Model) selected() *row {
	i, ok := m.tbl.Current()
	if !ok {
		return nil
	}
	return m.st.rows[i]
}

func (m *Model) setCursor(i int) {
	m.tbl.SetCursor(i)
	m.followCursor()
}

// followCursor remembers the row under the cursor, to find it again as
// rows arrive.
func (m *Model) followCursor() {
	m.selKey = ""
	if r := m.selected(); r != nil {
		m.selKey = rowKey(r.inv, r.txID)
	}
}

// restoreCursor keeps the cursor on its row after rows arrive. At the top
// it stays at the top, so the newest payment is what one sees.
func (m *Model) restoreCursor() {
	if m.tbl.Cursor() == 0 && m.tbl.Offset() == 0 {
		m.setCursor(0)
		return
	}
	found := false
	for i, n := 0, m.rowCount(); i < n && !found; i++ {
		r := m.st.rows[m.tbl.Index(i)]
		if rowKey(r.inv, r.txID) == m.selKey {
			m.tbl.Follow(i) // the row keeps its place on screen
			found = true
		}
	}
	if !found {
		m.setCursor(m.tbl.Cursor())
	}
}

// layout splits the body: title, totals, chart, filter line, table.
type layout struct{ chartH, rows int }

func (m *Model) layout() layout {
	chartH := 1
	if m.height >= 30 {
		chartH = 5
	}
	rows := m.height - 4 - chartH // title, totals, filter line, header
	return layout{chartH: chartH, rows: max(rows, 1)}
}

// ensureVisible fits the table to the body: its columns depend on the width.
func (m *Model) ensureVisible() {
	m.tbl.SetColumns(m.columns())
	m.tbl.SetSize(m.width, m.layout().rows)
}

// listKeys handles keys on the table.
func (m *Model) listKeys(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	if _, ok := m.tbl.Update(k); ok {
		m.followCursor()
		return nil
	}
	if cmd, ok := m.dateKeys(k); ok {
		return cmd
	}
	switch {
	case key.Matches(k, km.Open):
		return m.openDetail()
	case key.Matches(k, km.Filter):
		return m.filter.Focus()
	case key.Matches(k, km.Back):
		if m.filtered() {
			m.clearFilter()
		}
	case key.Matches(k, km.State):
		m.state = (m.state + 1) % len(stateCycle)
		m.applyFilter()
		m.setCursor(0)
	case key.Matches(k, km.Refresh):
		return m.poll(true)
	case key.Matches(k, km.Push) && m.c.Can(common.PermCollect):
		return m.openPush()
	case key.Matches(k, km.Link) && m.c.Can(common.PermCollect):
		return m.openLink()
	case key.Matches(k, km.Refund) && m.c.Can(common.PermRefund):
		return m.refund(m.selected())
	}
	return nil
}

// filtered says whether a query, a state or a date range narrows the list.
func (m *Model) filtered() bool {
	return m.filter.Query() != "" || m.state != 0 || !m.rng.IsZero()
}

func (m *Model) clearFilter() {
	m.filter.Clear()
	m.state, m.rng = 0, daterange.Range{}
	m.applyFilter()
	m.setCursor(0)
}

// filterKeys edits the shared filter box; rows narrow as the user types,
// and esc in the box clears the state filter too, as esc on the list does.
func (m *Model) filterKeys(msg tea.Msg) tea.Cmd {
	cmd, ev := m.filter.Update(msg)
	switch ev {
	case table.FilterCleared:
		m.clearFilter()
		return cmd
	case table.FilterChanged:
		m.older.err = "" // a new query may try a failed page again
		m.applyFilter()
		m.setCursor(0)
	}
	return tea.Batch(cmd, m.searchOlder())
}

// refund hands a paid invoice to the Refunds view.
func (m *Model) refund(r *row) tea.Cmd {
	if r == nil {
		return nil
	}
	if r.inv.State != client.InvoiceComplete || r.inv.ID == "" {
		return common.Toast(common.ToastWarn, common.SymWarn+" Only a COMPLETE payment can be refunded")
	}
	return common.GoTo("Refunds", common.OpenRefundMsg{InvoiceID: r.inv.ID})
}

// ---- drawing ----

// Column indexes: cells come in this order whatever the width drops.
const (
	colTime = iota
	colInvoice
	colCustomer
	colMethod
	colAmount
	colCharges
	colNet
	colRef
	colState
)

// columns lays the table out for the width: charges and api_ref go when
// short, then the customer; the customer (a phone or an email) and the
// state (with a failure's reason) share what a wide terminal has left.
func (m *Model) columns() []table.Column {
	timeW := 6
	if m.width >= 110 {
		timeW = 12
	}
	return []table.Column{
		colTime:     {Title: "Time", Min: timeW},
		colInvoice:  {Title: "Invoice", Min: 7},
		colCustomer: {Title: "Customer", Min: 14, Flex: 1, Max: 40, Drop: 1},
		colMethod:   {Title: "Method", Min: 6},
		colAmount:   {Title: "Amount", Min: 10, Align: table.Right},
		colCharges:  {Title: "Charges", Min: 8, Align: table.Right, Drop: 2},
		colNet:      {Title: "Net", Min: 10, Align: table.Right},
		colRef:      {Title: "api_ref", Min: 14, Drop: 3},
		colState:    {Title: "State", Min: 12, Flex: 2},
	}
}

// money shows charges and net once they are known: IntaSend fills them in
// on completion (before, net_amount merely repeats the value).
func money(r *row, a client.Amount) string {
	if r.inv.State != client.InvoiceComplete {
		return "—"
	}
	return a.String()
}

func (m *Model) timeCell(r *row) string {
	if m.width >= 110 {
		return when.Recent(m.c.Now(), r.at)
	}
	return when.Compact(m.c.Now(), r.at)
}

func (m *Model) statePaint(p *paints, state string) text.Paint {
	switch state {
	case client.InvoiceComplete:
		return p.ok
	case client.InvoiceFailed, client.InvoiceCanceled:
		return p.failed
	}
	return p.pending
}

// View renders the body; a form, the STK watch, a link or an invoice
// detail shows as a panel under the title line.
func (m *Model) View() string {
	return text.Framed(m.listView(), m.panel(), m.width, m.height)
}

// panel is what shows over the list, the first of: the form, the STK
// watch, a link, an invoice's detail.
func (m *Model) panel() string {
	switch {
	case m.form != nil:
		return m.form.View(m.c.Styles, m.spin.View(), m.width)
	case m.watch != nil:
		return m.watchView()
	case m.link != nil:
		return m.linkView()
	case m.detail != nil:
		return m.detailView()
	case m.overlayOpen():
		return m.overlayView()
	}
	return ""
}

func (m *Model) listView() string {
	var b strings.Builder
	b.WriteString(m.titleLine())
	b.WriteByte('\n')
	b.WriteString(m.totalsLine())
	b.WriteByte('\n')
	lay := m.layout()
	b.WriteString(m.chartView(lay.chartH))
	b.WriteByte('\n')
	b.WriteString(m.filterLine())
	b.WriteByte('\n')
	m.table(&b)
	return b.String()
}

// titleLine names the view and says how fresh the data is.
func (m *Model) titleLine() string {
	st := m.c.Styles
	left := st.Title.Render(Title)
	now := m.c.Now()
	var right string
	switch {
	case !m.loaded && m.pollErr == "":
		right = m.spin.View() + " loading…"
	case m.pollErr != "":
		right = st.Warning.Render(fmt.Sprintf("%s stale · %s · retry in %s", common.SymWarn, m.pollErr, m.backoff()))
	case !m.visible:
		right = st.Faint.Render("paused · updated " + when.Clock(now, m.refreshed))
	default:
		right = st.OK.Render(common.SymLive+" live") + st.Faint.Render(" · updated "+when.Clock(now, m.refreshed))
	}
	right = text.Truncate(right, max(m.width-text.Width(left)-2, 0))
	gap := max(m.width-text.Width(left)-text.Width(right), 1)
	return left + strings.Repeat(" ", gap) + right
}

func (m *Model) totalsLine() string {
	st := m.c.Styles
	t := m.sum.today
	s := fmt.Sprintf("Today  %d paid · gross %s · net %s", t.count, t.gross.Format("KES"), t.net.Format("KES"))
	// IntaSend's feed lists completed payments only: the failures this view
	// knows are the ones it watched (pushes, links, events). "0 failed"
	// would claim what it cannot know, so the count shows only when some
	// are seen; the pulse on Wallets reads recent attempts for the rate.
	if t.failed > 0 {
		s += fmt.Sprintf(" · %s %d failed", common.SymFailed, t.failed)
	}
	if t.pending > 0 {
		s += fmt.Sprintf(" · %s %d open", common.SymPending, t.pending)
	}
	return text.Truncate(st.Text.Render(s), m.width)
}

func (m *Model) filterLine() string {
	st := m.c.Styles
	state := "all"
	if s := stateCycle[m.state]; s != "" {
		state = s
	}
	count := m.tbl.Count("payment", "payments")
	if m.filter.Query() != "" {
		count = m.search().String() // the filter searches older pages too
	}
	dates := ""
	if r := m.rangeText(); r != "" {
		dates = r + " (d) · "
	}
	right := st.Faint.Render(fmt.Sprintf("state: %s (s) · %s%s", state, dates, count))
	left := m.filter.View(max(min(m.width/3, 40), 10), -1)
	left = text.Truncate(left, max(m.width-text.Width(right)-1, 10))
	gap := max(m.width-text.Width(left)-text.Width(right), 1)
	return text.Truncate(left+strings.Repeat(" ", gap)+right, m.width)
}

// table draws the header and only the rows on screen (windowing): a frame
// costs the same at 50 rows and at 10,000.
func (m *Model) table(b *strings.Builder) {
	p := m.paints()
	now := m.c.Now()
	b.WriteString(m.tbl.View(func(i int, r *table.Row) { m.fillRow(p, r, m.st.rows[i], now) }))
	if m.rowCount() == 0 {
		b.WriteByte('\n')
		b.WriteString(p.faint.Render(m.emptyText()))
	}
}

func (m *Model) emptyText() string {
	switch {
	case !m.loaded:
		return "  loading payments…"
	case m.filtered():
		return "  nothing matches; esc clears the filter"
	}
	return "  no payments yet: press p to request one"
}

// fillRow gives a payment's cells; one that just arrived is marked "★" and
// drawn in the new-row style, the state in its colour (and always a word).
func (m *Model) fillRow(p *paints, r *table.Row, pay *row, now time.Time) {
	inv := pay.inv
	r.Add(m.timeCell(pay), text.OrDash(inv.ID), text.OrDash(inv.Account), method(inv.Provider), inv.Value.String(),
		money(pay, inv.Charges), money(pay, inv.NetAmount), text.OrDash(inv.APIRef), text.InvoiceState(inv))
	if now.Before(pay.newUntil) {
		r.Mark, r.Paint = common.SymNew, p.fresh
	}
	r.PaintCell(colState, m.statePaint(p, inv.State))
}
