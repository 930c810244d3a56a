package wallets

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/daterange"
	"github.com/malipo/malipo/ui/components/listnav"
	"github.com/malipo/malipo/ui/components/table"
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

	tbl    table.Model     // cursor, window and filter over rows
	filter table.FilterBox // the "/" box
	match  []int           // rows the filter and range let through (reused)

	rng    daterange.Range   // the days shown (d); zero: all
	picker *daterange.Picker // the date range's form, while open

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
		cx, cancel := common.Bounded(base)
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
	m.detail = m.newDetail(w)
	return tea.Batch(m.loadPage(1), m.startSpin())
}

// newDetail is wallet w opened, nothing loaded yet.
func (m *Model) newDetail(w client.Wallet) *detail {
	m.seq++
	in := table.NewFilterBox(m.c, newInput(m.c.Styles, "/ ", "type, amount, narrative, status, id", 80), m.keys.FilterBox)
	d := &detail{wallet: w, gen: m.seq, seen: map[string]bool{}, filter: in, amtW: 10, balW: 10}
	// A page moves a whole window: the rows read last are one key away.
	d.tbl = table.New(m.c, d.columns(), table.WithKeys(m.keys.Nav), table.WithPage(func(rows int) int { return rows }))
	d.tbl.SetDetail(m.lineDetail)
	d.tbl.SetSize(m.width, m.detailRows())
	return d
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

func (d *detail) shown() int { return d.tbl.Len() }

// at is shown row i.
func (d *detail) at(i int) client.WalletTransaction { return d.rows[d.tbl.Index(i)] }

// currentID is the id of the row under the cursor, to find it again.
func (d *detail) currentID() string {
	if i, ok := d.tbl.Current(); ok {
		return d.rows[i].ID
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
	d.find(keep)
	return tea.Batch(append(cmds, m.maybeLoadMore())...)
}

func (d *detail) index(tx client.WalletTransaction) {
	d.seen[tx.ID] = true
	d.hay = append(d.hay, strings.ToLower(strings.Join([]string{
		tx.TransType, tx.Status, tx.Narrative, tx.ID, tx.Value.String(), tx.Value.Decimal(),
	}, " ")))
	if a, b := len(signed(tx.Value, tx.Currency)), len(tx.RunningBalance.Format(tx.Currency)); a > d.amtW || b > d.balW {
		d.amtW, d.balW = max(d.amtW, a), max(d.balW, b)
		d.tbl.SetColumns(d.columns())
	}
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

// find puts the cursor back on the row with id, when it is still shown.
func (d *detail) find(id string) {
	if id != "" {
		d.tbl.Find(func(i int) bool { return d.rows[i].ID == id })
	}
}

// detailRows is how many statement rows fit.
func (m *Model) detailRows() int { return max(m.height-4, 1) }

// maybeLoadMore fetches the next page when the cursor is within a screen of
// the end, or while a filter keeps fewer rows than a screen holds: the
// filter sees only what is loaded, so it searches on, a page per answer,
// until the screen fills or the statement ends (clearing it stops that).
// A date range with a first day loads on until that day is reached, so
// its rows, its count and its export are whole. A failed page stops a
// search: r tries again.
func (m *Model) maybeLoadMore() tea.Cmd {
	d := m.detail
	if d == nil || d.next == 0 || d.loading {
		return nil
	}
	q := d.filter.Query()
	if (q != "" || d.rangeWantsMore()) && d.err != "" {
		return nil
	}
	switch {
	case d.rangeWantsMore(), listnav.WantMore(q, d.shown(), m.detailRows(), true):
		return m.loadPage(d.next)
	case q == "" && d.tbl.Cursor() >= d.shown()-m.detailRows():
		return m.loadPage(d.next)
	}
	return nil
}

// search is where the filter stands, for its status line.
func (d *detail) search() listnav.Search {
	return listnav.Search{Matches: d.shown(), Loaded: len(d.rows), Total: d.count, More: d.next != 0, Loading: d.loading}
}

func (m *Model) detailKeys(k tea.KeyPressMsg) tea.Cmd {
	d := m.detail
	km := m.keys
	if d.filter.Focused() {
		return m.filterKeys(k)
	}
	if cmd, ok := d.tbl.Update(k); ok || d.tbl.DetailOpen() {
		return tea.Batch(cmd, m.maybeLoadMore())
	}
	if cmd, ok := m.statementKeys(k); ok {
		return cmd
	}
	switch {
	case key.Matches(k, km.Back):
		if d.filter.Clear() {
			d.applyFilter() // the cursor stays on its row
			return nil
		}
		m.detail = nil
		m.ensureVisible()
		return nil
	case key.Matches(k, km.Filter):
		return d.filter.Focus()
	case key.Matches(k, km.Refresh):
		return m.refresh(true)
	case key.Matches(k, km.Transfer):
		return m.openTransfer()
	case key.Matches(k, km.Fund):
		return m.openFund()
	case key.Matches(k, km.Create):
		return m.openCreate()
	}
	return nil
}

// filterKeys edits the filter (keys and pastes); rows narrow as the user
// types, and clearing it keeps the cursor on its row.
func (m *Model) filterKeys(msg tea.Msg) tea.Cmd {
	d := m.detail
	cmd, ev := d.filter.Update(msg)
	if ev == table.FilterChanged || ev == table.FilterCleared {
		d.applyFilter()
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
	now := m.now()
	p := m.paints()
	b.WriteString(d.tbl.View(func(i int, r *table.Row) {
		tx := d.rows[i]
		r.Add(when.DayTime(now, tx.CreatedAt), tx.TransType, signed(tx.Value, tx.Currency),
			tx.RunningBalance.Format(tx.Currency), statusWord(tx.Status), tx.Narrative)
		if tx.Value < 0 {
			r.PaintCell(2, p.out)
		} else {
			r.PaintCell(2, p.in)
		}
	}))
	if d.shown() == 0 && !d.loading && !d.tbl.DetailOpen() {
		b.WriteByte('\n')
		if d.filter.Query() != "" {
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
	left := d.filter.View(min(m.width/3, 40), -1)
	if d.filter.Focused() || d.filter.Query() != "" {
		left += st.Faint.Render("  " + d.search().String())
	}
	if r := m.rangeLabel(); r != "" {
		left += "  " + st.Bold.Render(r) + st.Faint.Render(" · "+d.tbl.Count("line", "lines"))
	}
	if d.err != "" {
		left += st.Warning.Render("  " + common.SymWarn + " " + d.err)
	}
	lw := lipgloss.Width(left)
	right := m.loadedLine(false)
	if lw+2+text.Width(right) > m.width {
		right = m.loadedLine(true)
	}
	if d.filter.Query() != "" {
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

// columns are the statement's: the money columns as wide as the widest
// amount loaded (a steady table), the status when there is room, and the
// narrative takes the rest; enter shows a line whole (lineDetail).
func (d *detail) columns() []table.Column {
	return []table.Column{
		{Title: "TIME", Min: 12},
		{Title: "TYPE", Min: 10},
		{Title: "AMOUNT", Min: d.amtW, Align: table.Right},
		{Title: "BALANCE", Min: d.balW, Align: table.Right},
		{Title: "STATUS", Min: 20, Drop: 1},
		{Title: "NARRATIVE", Min: 20, Flex: 1},
	}
}

// lineDetail is a statement line in full, for enter: the narrative and ids
// the columns cut.
func (m *Model) lineDetail(i int) tea.Msg {
	tx := m.detail.rows[i]
	lines := []string{
		"Time       " + when.Stamp(m.now(), tx.CreatedAt),
		"Type       " + tx.TransType,
		"Amount     " + signed(tx.Value, tx.Currency),
		"Balance    " + tx.RunningBalance.Format(tx.Currency),
		"Status     " + statusWord(tx.Status),
		"Id         " + text.OrDash(tx.ID),
		"",
		text.OrDash(tx.Narrative),
	}
	return table.Detail{Title: "Statement line · " + text.OrDash(tx.ID), Text: strings.Join(lines, "\n")}
}
