package wallets

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/listnav"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// detail is an open wallet: its statement as loaded so far, page by page.
type detail struct {
	wallet client.Wallet
	gen    int // ties page answers to this opening of the wallet

	rows []client.WalletTransaction
	hay  []string // lower-cased text each row is filtered on
	seen map[string]bool
	next int // the next page to fetch; 0 when the server has no more
	// count is the server's total, when it says.
	count   int
	loading bool
	err     string

	cursor, offset int // over the shown rows (filtered or all)

	filter    textinput.Model
	filtering bool   // the filter box has focus
	query     string // applied filter, lower-cased
	match     []int  // indexes into rows when a filter is applied

	amtW, balW int // widest amount and balance loaded, for a steady table
}

type txPageMsg struct {
	walletID string
	gen      int
	page     int
	p        *client.Page[client.WalletTransaction]
	err      error
}

func loadTxPage(base context.Context, c *client.Client, walletID string, gen, page int) tea.Cmd {
	return func() tea.Msg {
		cx, cancel := ctx(base)
		defer cancel()
		p, err := c.WalletTransactions(cx, walletID, page)
		return txPageMsg{walletID: walletID, gen: gen, page: page, p: p, err: err}
	}
}

func (m *Model) openDetail() tea.Cmd {
	w, ok := m.selected()
	if !ok {
		return nil
	}
	m.seq++
	in := newInput(m.c.Styles, "/ ", "type, amount, narrative, status, id", 80)
	m.detail = &detail{wallet: w, gen: m.seq, seen: map[string]bool{}, filter: in, amtW: 10, balW: 10}
	return tea.Batch(m.loadPage(1), m.startSpin())
}

// loadPage asks for one page of the open wallet; one request at a time.
func (m *Model) loadPage(page int) tea.Cmd {
	d := m.detail
	if d == nil || d.loading {
		return nil
	}
	d.loading = true
	return tea.Batch(loadTxPage(m.c.Context(), m.c.Client, d.wallet.ID, d.gen, page), m.startSpin())
}

func (d *detail) shown() int {
	if d.query != "" {
		return len(d.match)
	}
	return len(d.rows)
}

func (d *detail) at(i int) client.WalletTransaction {
	if d.query != "" {
		return d.rows[d.match[i]]
	}
	return d.rows[i]
}

// currentID is the id of the row under the cursor, to find it again.
func (d *detail) currentID() string {
	if d.cursor < d.shown() {
		return d.at(d.cursor).ID
	}
	return ""
}

func (m *Model) onTxPage(msg txPageMsg) tea.Cmd {
	d := m.detail
	if d == nil || msg.gen != d.gen {
		return nil
	}
	d.loading = false
	cmds := []tea.Cmd{text.Health(msg.err, m.now())}
	if msg.err != nil {
		d.err = text.ErrText(msg.err)
		if len(d.rows) == 0 {
			cmds = append(cmds, common.Error("Could not load the wallet's transactions", msg.err))
		}
		return tea.Batch(cmds...)
	}
	d.err = ""
	keep := d.currentID()
	d.count = msg.p.Count
	switch {
	case msg.page == 1 && len(d.rows) > 0:
		d.prepend(msg.p.Results)
	default:
		d.appendRows(msg.p.Results)
		d.next = 0
		if msg.p.HasNext() && len(msg.p.Results) > 0 {
			d.next = msg.page + 1
		}
	}
	d.applyFilter()
	if keep != "" {
		d.cursor = d.indexOf(keep, d.cursor)
	}
	d.ensureVisible(m.detailRows())
	return tea.Batch(append(cmds, m.maybeLoadMore())...)
}

func (d *detail) index(tx client.WalletTransaction) {
	d.seen[tx.ID] = true
	d.hay = append(d.hay, strings.ToLower(strings.Join([]string{
		tx.TransType, tx.Status, tx.Narrative, tx.ID, tx.Value.String(), tx.Value.Decimal(),
	}, " ")))
	d.amtW = max(d.amtW, len(signed(tx.Value, tx.Currency)))
	d.balW = max(d.balW, len(tx.RunningBalance.Format(tx.Currency)))
}

// appendRows adds an older page, skipping rows already loaded (new money at
// the top shifts IntaSend's pages, so pages overlap).
func (d *detail) appendRows(txs []client.WalletTransaction) {
	for _, tx := range txs {
		if tx.ID != "" && d.seen[tx.ID] {
			continue
		}
		d.rows = append(d.rows, tx)
		d.index(tx)
	}
}

// prepend puts rows from a fresh first page that are not loaded yet on top.
func (d *detail) prepend(txs []client.WalletTransaction) {
	var fresh []client.WalletTransaction
	for _, tx := range txs {
		if tx.ID == "" || !d.seen[tx.ID] {
			fresh = append(fresh, tx)
		}
	}
	if len(fresh) == 0 {
		return
	}
	old := d.rows
	d.rows = make([]client.WalletTransaction, 0, len(fresh)+len(old))
	d.hay = d.hay[:0:0]
	d.seen = map[string]bool{}
	d.appendRows(fresh)
	d.appendRows(old)
}

// indexOf finds the shown row with id, or clamps def.
func (d *detail) indexOf(id string, def int) int {
	n := d.shown()
	for i := 0; i < n; i++ {
		if d.at(i).ID == id {
			return i
		}
	}
	return min(max(def, 0), max(n-1, 0))
}

// applyFilter recomputes the matching rows: a substring match on every
// word of the query, over rows already loaded (maybeLoadMore fetches more).
func (d *detail) applyFilter() {
	if d.query == "" {
		d.match = nil
		return
	}
	d.match = listnav.Match(d.match, d.hay, d.query)
}

func (d *detail) setCursor(i, rows int) {
	d.cursor = listnav.Clamp(i, d.shown())
	d.ensureVisible(rows)
}

func (d *detail) ensureVisible(rows int) {
	d.offset = listnav.Offset(d.cursor, d.offset, d.shown(), rows)
}

// detailRows is how many statement rows fit.
func (m *Model) detailRows() int { return max(m.height-4, 1) }

// maybeLoadMore fetches the next page when the cursor is within a screen of
// the end, or while a filter keeps fewer rows than a screen holds: the
// filter sees only what is loaded, so it searches on, a page per answer,
// until the screen fills or the statement ends (clearing it stops that).
// A failed page stops it too: r tries again.
func (m *Model) maybeLoadMore() tea.Cmd {
	d := m.detail
	if d == nil || d.next == 0 || d.loading || (d.query != "" && d.err != "") {
		return nil
	}
	if d.query != "" {
		if listnav.WantMore(d.query, d.shown(), m.detailRows(), true) {
			return m.loadPage(d.next)
		}
		return nil
	}
	if d.cursor >= d.shown()-m.detailRows() {
		return m.loadPage(d.next)
	}
	return nil
}

// search is where the filter stands, for its status line.
func (d *detail) search() listnav.Search {
	return listnav.Search{Matches: len(d.match), Loaded: len(d.rows), Total: d.count, More: d.next != 0, Loading: d.loading}
}

func (m *Model) detailKeys(k tea.KeyPressMsg) tea.Cmd {
	d := m.detail
	km := m.keys
	if d.filtering {
		return m.filterKeys(k)
	}
	rows := m.detailRows()
	switch {
	case key.Matches(k, km.Back):
		if d.query != "" {
			m.clearFilter()
			return nil
		}
		m.detail = nil
		m.ensureVisible()
		return nil
	case key.Matches(k, km.Filter):
		d.filtering = true
		return d.filter.Focus()
	case key.Matches(k, km.Up):
		d.setCursor(d.cursor-1, rows)
	case key.Matches(k, km.Down):
		d.setCursor(d.cursor+1, rows)
	case key.Matches(k, km.PageUp):
		d.setCursor(d.cursor-rows, rows)
	case key.Matches(k, km.PageDown):
		d.setCursor(d.cursor+rows, rows)
	case key.Matches(k, km.Home):
		d.setCursor(0, rows)
	case key.Matches(k, km.End):
		d.setCursor(d.shown()-1, rows)
	case key.Matches(k, km.Refresh):
		return m.refresh(true)
	case key.Matches(k, km.Transfer):
		return m.openTransfer()
	case key.Matches(k, km.Fund):
		return m.openFund()
	case key.Matches(k, km.Create):
		return m.openCreate()
	default:
		return nil
	}
	return m.maybeLoadMore()
}

func (m *Model) clearFilter() {
	d := m.detail
	keep := d.currentID()
	d.filter.SetValue("")
	d.filter.Blur()
	d.filtering = false
	d.query = ""
	d.applyFilter()
	d.cursor = d.indexOf(keep, 0)
	d.ensureVisible(m.detailRows())
}

// filterKeys edits the filter; rows narrow as the user types.
func (m *Model) filterKeys(k tea.KeyPressMsg) tea.Cmd {
	d := m.detail
	switch {
	case key.Matches(k, m.keys.ClearFilter):
		m.clearFilter()
		return nil
	case key.Matches(k, m.keys.KeepFilter):
		d.filter.Blur()
		d.filtering = false
		if d.query == "" {
			d.filter.SetValue("")
		}
		return nil
	}
	var cmd tea.Cmd
	d.filter, cmd = d.filter.Update(k)
	if q := strings.ToLower(strings.TrimSpace(d.filter.Value())); q != d.query {
		d.query = q
		d.applyFilter()
		d.cursor, d.offset = 0, 0
	}
	return tea.Batch(cmd, m.maybeLoadMore())
}

// detailView draws the open wallet's header and the visible rows only, so
// a statement of 10,000 loaded rows costs what 50 do.
func (m *Model) detailView() string {
	st := m.c.Styles
	d := m.detail
	w := d.wallet
	var b strings.Builder
	title := st.Faint.Render("Wallets › ") + st.Title.Render(w.Label) +
		st.Faint.Render(fmt.Sprintf(" · %s · %s · %s", w.Type, w.Currency, w.ID))
	b.WriteString(m.titleLine(title))
	b.WriteByte('\n')
	bal := fmt.Sprintf("available %s · current %s", w.AvailableBalance.Format(w.Currency), w.CurrentBalance.Format(w.Currency))
	b.WriteString(fitLine(st.Bold.Render(bal), m.width))
	b.WriteByte('\n')
	b.WriteString(m.filterLine())
	b.WriteByte('\n')
	cols := m.txColumns()
	b.WriteString(st.TableHeader.Render("  " + cols.row("TIME", "TYPE", "AMOUNT", "BALANCE", "STATUS", "NARRATIVE")))
	rows := m.detailRows()
	d.ensureVisible(rows)
	end := min(d.offset+rows, d.shown())
	now := m.now()
	p := m.paints()
	for i := d.offset; i < end; i++ {
		tx := d.at(i)
		tm := when.DayTime(now, tx.CreatedAt)
		amt := text.PadLeft(signed(tx.Value, tx.Currency), cols.amt)
		bal := tx.RunningBalance.Format(tx.Currency)
		b.WriteByte('\n')
		if i == d.cursor {
			b.WriteString(p.sel.Render("▸ " + cols.row(tm, tx.TransType, amt, bal, statusWord(tx.Status), tx.Narrative)))
			continue
		}
		money := p.in
		if tx.Value < 0 {
			money = p.out
		}
		// The amount is painted after padding, so widths stay exact.
		// money's reset ends the row's colour too: start it again after.
		b.WriteString(p.row.Render("  " + cols.row(tm, tx.TransType, money.Render(amt)+p.row.Resume(), bal, statusWord(tx.Status), tx.Narrative)))
	}
	if d.shown() == 0 && !d.loading {
		b.WriteByte('\n')
		if d.query != "" {
			b.WriteString(st.Faint.Render("  nothing matches; esc clears the filter"))
		} else {
			b.WriteString(st.Faint.Render("  no transactions yet"))
		}
	}
	return b.String()
}

// loadedLine says how much of the statement is here, long or short.
func (m *Model) loadedLine(short bool) string {
	d := m.detail
	n := len(d.rows)
	switch {
	case d.loading && n == 0:
		return m.spin.View() + " loading…"
	case d.loading:
		return m.spin.View() + fmt.Sprintf(" %d loaded, loading more…", n)
	case d.next != 0 && d.count > 0 && short:
		return fmt.Sprintf("%d of %d loaded", n, d.count)
	case d.next != 0 && d.count > 0:
		return fmt.Sprintf("%d of %d loaded · more as you scroll", n, d.count)
	case d.next != 0:
		return fmt.Sprintf("%d loaded · more as you scroll", n)
	}
	return fmt.Sprintf("%d transaction%s", n, plural(n))
}

// filterLine is the filter box (or its hint) on the left and how much is
// loaded on the right.
func (m *Model) filterLine() string {
	d := m.detail
	st := m.c.Styles
	left := st.Faint.Render("/ filter")
	if d.filtering || d.query != "" {
		d.filter.SetWidth(max(min(m.width/3, 40), 10))
		left = d.filter.View() + st.Faint.Render("  "+d.search().String())
	}
	if d.err != "" {
		left += st.Warning.Render("  " + common.SymWarn + " " + d.err)
	}
	lw := lipgloss.Width(left)
	right := m.loadedLine(false)
	if lw+2+text.Width(right) > m.width {
		right = m.loadedLine(true)
	}
	if d.query != "" {
		right = "" // the search status on the left says how much is loaded
		if d.loading {
			right = m.spin.View()
		}
	}
	if gap := m.width - lw - text.Width(right); gap >= 2 {
		return left + strings.Repeat(" ", gap) + st.Faint.Render(right)
	}
	return fitLine(left, m.width)
}

func statusWord(s string) string {
	switch s {
	case "AVAILABLE":
		return common.SymOK + " " + s
	case "CLEARING", "ON-HOLD", "CHARGEBACK-PENDING":
		return common.SymPending + " " + s
	case "CANCELLED", "REFUNDED":
		return common.SymFailed + " " + s
	}
	return s
}

// txColumns are the statement's widths; the status column comes in when
// there is room for it.
type txColumns struct{ time, typ, amt, bal, status, narr int }

func (m *Model) txColumns() txColumns {
	d := m.detail
	c := txColumns{time: 12, typ: 10, amt: d.amtW, bal: d.balW}
	used := 2 + c.time + 2 + c.typ + 2 + c.amt + 2 + c.bal + 2
	if m.width-used >= 20+20 {
		c.status = 20
		used += c.status + 2
	}
	c.narr = max(m.width-used, 8)
	return c
}

func (c txColumns) row(tm, typ, amt, bal, status, narr string) string {
	s := text.PadRight(tm, c.time) + "  " + text.PadRight(typ, c.typ) + "  " + text.PadLeft(amt, c.amt) + "  " + text.PadLeft(bal, c.bal) + "  "
	if c.status > 0 {
		s += text.PadRight(status, c.status) + "  "
	}
	return s + text.PadRight(narr, c.narr)
}
