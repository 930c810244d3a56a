package collections

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/listnav"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

func (m *Model) applyFilter() { m.view.apply(m.st, m.query, stateCycle[m.state]) }

func (m *Model) rowCount() int { return m.view.len(m.st) }

// selected is the row under the cursor.
func (m *Model) selected() *row {
	if m.cursor < 0 || m.cursor >= m.rowCount() {
		return nil
	}
	return m.view.at(m.st, m.cursor)
}

func (m *Model) setCursor(i int) {
	n := m.rowCount()
	if n == 0 {
		m.cursor, m.offset, m.selKey = 0, 0, ""
		return
	}
	m.cursor = min(max(i, 0), n-1)
	r := m.view.at(m.st, m.cursor)
	m.selKey = rowKey(r.inv, r.txID)
	m.ensureVisible()
}

// restoreCursor keeps the cursor on its row after rows arrive. At the top
// it stays at the top, so the newest payment is what one sees.
func (m *Model) restoreCursor() {
	if m.cursor == 0 && m.offset == 0 {
		m.setCursor(0)
		return
	}
	n := m.rowCount()
	for i := 0; i < n; i++ {
		r := m.view.at(m.st, i)
		if rowKey(r.inv, r.txID) == m.selKey {
			// Keep the row at the same place on screen.
			m.offset += i - m.cursor
			m.cursor = i
			m.ensureVisible()
			return
		}
	}
	m.setCursor(min(m.cursor, n-1))
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

func (m *Model) ensureVisible() {
	rows := m.layout().rows
	m.offset = listnav.Offset(m.cursor, m.offset, m.rowCount(), rows)
}

// listKeys handles keys on the table.
func (m *Model) listKeys(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	page := max(m.layout().rows-1, 1)
	switch {
	case key.Matches(k, km.Up):
		m.setCursor(m.cursor - 1)
	case key.Matches(k, km.Down):
		m.setCursor(m.cursor + 1)
	case key.Matches(k, km.PageUp):
		m.setCursor(m.cursor - page)
	case key.Matches(k, km.PageDown):
		m.setCursor(m.cursor + page)
	case key.Matches(k, km.Home):
		m.setCursor(0)
	case key.Matches(k, km.End):
		m.setCursor(m.rowCount() - 1)
	case key.Matches(k, km.Open):
		return m.openDetail()
	case key.Matches(k, km.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(k, km.Back):
		if m.query != "" || m.state != 0 {
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

func (m *Model) clearFilter() {
	m.filter.SetValue("")
	m.filter.Blur()
	m.filtering = false
	m.query = ""
	m.state = 0
	m.applyFilter()
	m.setCursor(0)
}

// filterKeys edits the filter; rows narrow as the user types.
func (m *Model) filterKeys(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.keys.KeepFilter):
			m.filter.Blur()
			m.filtering = false
			return nil
		case key.Matches(k, m.keys.ClearFilter):
			m.clearFilter()
			return nil
		}
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	if q := m.filter.Value(); q != m.query {
		m.query = q
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

// column is one table column; cell draws a row's value, plain.
type column struct {
	title string
	w     int
	right bool
	cell  func(m *Model, r *row) string
}

// columns lays the table out for the width: a column is dropped rather
// than squeezed, and the state column (with the failure reason) takes what
// is left.
func (m *Model) columns() []column {
	wide := m.width >= 110
	timeW := 6
	if wide {
		timeW = 12
	}
	all := []struct {
		column
		minWidth int // the narrowest body that shows it
	}{
		{column{"Time", timeW, false, (*Model).timeCell}, 0},
		{column{"Invoice", 7, false, func(_ *Model, r *row) string { return text.OrDash(r.inv.ID) }}, 0},
		{column{"Customer", 14, false, func(_ *Model, r *row) string { return text.OrDash(r.inv.Account) }}, 0},
		{column{"Method", 6, false, func(_ *Model, r *row) string { return method(r.inv.Provider) }}, 0},
		{column{"Amount", 10, true, func(_ *Model, r *row) string { return r.inv.Value.String() }}, 0},
		{column{"Charges", 8, true, func(_ *Model, r *row) string { return money(r, r.inv.Charges) }}, 100},
		{column{"Net", 10, true, func(_ *Model, r *row) string { return money(r, r.inv.NetAmount) }}, 0},
		{column{"api_ref", 14, false, func(_ *Model, r *row) string { return text.OrDash(r.inv.APIRef) }}, 110},
	}
	var cols []column
	used := 3 // the cursor and ★ markers
	for _, c := range all {
		if m.width >= c.minWidth {
			cols = append(cols, c.column)
			used += c.w + 1
		}
	}
	stateW := m.width - used
	if stateW < 12 { // very narrow: give the state room by dropping the customer
		for i, c := range cols {
			if c.title == "Customer" {
				cols = append(cols[:i], cols[i+1:]...)
				stateW += c.w + 1
				break
			}
		}
	}
	return append(cols, column{"State", max(stateW, 1), false, nil})
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

// stateText is the state in a word and a symbol, with the reason when
// it failed: never colour alone.
func stateText(inv client.Invoice) string {
	switch inv.State {
	case client.InvoiceComplete:
		return common.SymOK + " COMPLETE"
	case client.InvoiceFailed, client.InvoiceCanceled:
		s := common.SymFailed + " " + inv.State
		if r := failedReason(inv); r != "" {
			s += " · " + r
		}
		return s
	case client.InvoicePartial:
		// Final but short: say so, so nobody waits for the rest.
		return common.SymFailed + " PARTIAL · part paid"
	case client.InvoiceRetry:
		return common.SymPending + " RETRY · prompt sent again"
	case "":
		return "—"
	}
	return common.SymPending + " " + inv.State
}

func failedReason(inv client.Invoice) string {
	switch {
	case inv.FailedReason != "":
		return inv.FailedReason
	case inv.FailedCode != "":
		// M-Pesa's own words for the code, from the table `malipo explain` reads.
		if c, ok := client.ExplainCode(inv.FailedCode); ok {
			return c.Status + " (code " + inv.FailedCode + ")"
		}
		return "code " + inv.FailedCode
	}
	return ""
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
	body := m.listView()
	var panel string
	switch {
	case m.form != nil:
		panel = m.form.View(m.c.Styles, m.spin.View(), m.width)
	case m.watch != nil:
		panel = m.watchView()
	case m.link != nil:
		panel = m.linkView()
	case m.detail != nil:
		panel = m.detailView()
	default:
		return text.ClipFitted(body, m.width, m.height)
	}
	return text.ClipFitted(text.Overlay(body, panel, m.width), m.width, m.height)
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
	m.table(&b, lay.rows)
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
	s := fmt.Sprintf("Today  %d paid · gross %s · net %s · %s %d failed",
		t.count, t.gross.Format("KES"), t.net.Format("KES"), common.SymFailed, t.failed)
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
	count := fmt.Sprintf("%d of %d", m.rowCount(), len(m.st.rows))
	if m.query != "" {
		count = m.search().String() // the filter searches older pages too
	}
	right := st.Faint.Render(fmt.Sprintf("state: %s (s) · %s", state, count))
	left := st.Faint.Render("/ filter")
	if m.filtering || m.query != "" {
		m.filter.SetWidth(max(min(m.width/3, 40), 10))
		left = m.filter.View()
	}
	left = text.Truncate(left, max(m.width-text.Width(right)-1, 10))
	gap := max(m.width-text.Width(left)-text.Width(right), 1)
	return text.Truncate(left+strings.Repeat(" ", gap)+right, m.width)
}

// table draws the header and only the rows on screen (windowing): a frame
// costs the same at 50 rows and at 10,000.
func (m *Model) table(b *strings.Builder, rows int) {
	p := m.paints()
	cols := m.columns()
	var h strings.Builder
	h.WriteString("   ")
	for i, c := range cols {
		if i > 0 {
			h.WriteByte(' ')
		}
		if c.right {
			h.WriteString(text.PadLeft(c.title, c.w))
		} else {
			h.WriteString(text.PadRight(c.title, c.w))
		}
	}
	b.WriteString(p.header.Render(strings.TrimRight(h.String(), " ")))
	n := m.rowCount()
	if n == 0 {
		b.WriteByte('\n')
		b.WriteString(p.faint.Render(m.emptyText()))
		return
	}
	now := m.c.Now()
	end := min(m.offset+rows, n)
	for i := m.offset; i < end; i++ {
		b.WriteByte('\n')
		m.rowLine(b, p, cols, m.view.at(m.st, i), i == m.cursor, now)
	}
}

func (m *Model) emptyText() string {
	switch {
	case !m.loaded:
		return "  loading payments…"
	case m.query != "" || m.state != 0:
		return "  nothing matches; esc clears the filter"
	}
	return "  no payments yet: press p to request one"
}

func (m *Model) rowLine(b *strings.Builder, p *paints, cols []column, r *row, sel bool, now time.Time) {
	fresh := now.Before(r.newUntil)
	mark := "   "
	switch {
	case sel && fresh:
		mark = "▸" + common.SymNew + " "
	case sel:
		mark = "▸  "
	case fresh:
		mark = " " + common.SymNew + " "
	}
	if sel {
		var l strings.Builder
		l.WriteString(mark)
		for i, c := range cols {
			if i > 0 {
				l.WriteByte(' ')
			}
			l.WriteString(m.cellText(c, r))
		}
		b.WriteString(p.sel.Render(l.String()))
		return
	}
	if fresh {
		b.WriteString(p.fresh.Render(mark))
	} else {
		b.WriteString(mark)
	}
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(' ')
		}
		txt := m.cellText(c, r)
		switch {
		case c.cell == nil:
			b.WriteString(m.statePaint(p, r.inv.State).Render(txt))
		case fresh:
			b.WriteString(p.fresh.Render(txt))
		default:
			b.WriteString(p.row.Render(txt))
		}
	}
}

func (m *Model) cellText(c column, r *row) string {
	if c.cell == nil {
		return text.PadRight(stateText(r.inv), c.w)
	}
	if c.right {
		return text.PadLeft(c.cell(m, r), c.w)
	}
	return text.PadRight(c.cell(m, r), c.w)
}
