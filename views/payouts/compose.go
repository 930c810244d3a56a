package payouts

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// composer is the draft being edited with its validation, totals and undo
// history. Problems are cached per row and updated only for the rows a
// change touches, and totals are kept as sums, so a frame at 5,000 rows
// costs what it costs at 50.
type composer struct {
	d      *payout.Draft
	meta   []rowMeta      // per row, parallel to d.Rows
	dups   map[string]int // payment key → how many rows have it
	nErr   int            // rows with at least one error
	nWarn  int            // rows with warnings only
	sum    client.Amount
	window table.Model // cursor, scroll window and columns over d.Rows
	undo   []undoOp
	// version counts edits; initiated is set when IntaSend took this very
	// version as a batch: it is no longer a draft to save or offer back.
	version   int
	initiated bool
}

// undoOp is the inverse of one change.
type undoOp struct {
	what string // "delete row 3", for the status line
	kind undoKind
	at   int
	rows []payout.Row // rows to put back (insert) or the old row (replace)
	n    int          // rows to remove (remove) or the length to cut to (truncate)
	rail payout.Rail  // settings
	wal  string
	cur  string
}

type undoKind int

const (
	undoInsert   undoKind = iota + 1 // put rows back at at
	undoRemove                       // remove n rows at at
	undoReplace                      // put rows[0] back at at
	undoTruncate                     // cut the rows back to n (after an import)
	undoSettings                     // rail and wallet back
	undoRestore                      // every row back to rows (after an import replaced them)
)

// rowMeta is what the composer knows about a row without looking again:
// its problems, the amount it will send and its duplicate key.
type rowMeta struct {
	probs  []payout.Problem
	amount client.Amount
	key    string
}

func newMeta(rail payout.Rail, r payout.Row, banks payout.BankSet) rowMeta {
	n := payout.NormalizeRow(rail, r)
	key := ""
	if n.Account != "" && n.Amount > 0 {
		key = n.Account + "\x1f" + n.Amount.Decimal() + "\x1f" + n.BankCode + "\x1f" + n.AccountType + "\x1f" + n.AccountReference
	}
	return rowMeta{probs: payout.ValidateRow(rail, r, banks), amount: n.Amount, key: key}
}

func (c *composer) reset(d *payout.Draft) {
	*c = composer{d: d, window: c.window}
	c.window.SetTotal(len(d.Rows))
	c.window.SetCursor(0)
}

// revalidate rebuilds every cache: after a rail change, an import, a resume
// or the bank list arriving.
func (c *composer) revalidate(banks payout.BankSet) {
	c.meta = make([]rowMeta, len(c.d.Rows))
	for i := range c.d.Rows {
		c.meta[i] = newMeta(c.d.Rail, c.d.Rows[i], banks)
	}
	c.recount()
}

// recount rebuilds totals, counts and duplicate keys from the per-row
// cache: one cheap pass per change, never per frame.
func (c *composer) recount() {
	c.window.SetTotal(len(c.d.Rows)) // the table follows every change here
	c.nErr, c.nWarn, c.sum = 0, 0, 0
	c.dups = make(map[string]int, len(c.meta))
	for i := range c.meta {
		if k := c.meta[i].key; k != "" {
			c.dups[k]++
		}
	}
	for i := range c.meta {
		mt := &c.meta[i]
		c.sum += mt.amount
		switch {
		case payout.Errors(mt.probs) > 0:
			c.nErr++
		case len(mt.probs) > 0 || c.dup(i):
			c.nWarn++
		}
	}
}

func (c *composer) dup(i int) bool {
	k := c.meta[i].key
	return k != "" && c.dups[k] > 1
}

// problem is the first error of row i, else its first warning (a
// duplicate counts as one).
func (c *composer) problem(i int) (p payout.Problem, ok bool) {
	ps := c.meta[i].probs
	for _, p := range ps {
		if !p.Warning {
			return p, true
		}
	}
	if c.dup(i) {
		return payout.Problem{Row: i, Field: "account", Reason: "duplicate: another row pays the same account the same amount", Warning: true}, true
	}
	if len(ps) > 0 {
		return ps[0], true
	}
	return payout.Problem{}, false
}

func (c *composer) push(op undoOp) {
	c.undo = append(c.undo, op)
	if len(c.undo) > undoDepth {
		c.undo = append(c.undo[:0:0], c.undo[len(c.undo)-undoDepth:]...)
	}
}

// insert puts rows at i (validating only them).
func (c *composer) insert(i int, rows []payout.Row, banks payout.BankSet) {
	ms := make([]rowMeta, len(rows))
	for j := range rows {
		ms[j] = newMeta(c.d.Rail, rows[j], banks)
	}
	c.d.Rows = slices.Insert(c.d.Rows, i, rows...)
	c.meta = slices.Insert(c.meta, i, ms...)
	c.recount()
}

func (c *composer) remove(i, n int) []payout.Row {
	gone := append([]payout.Row(nil), c.d.Rows[i:i+n]...)
	c.d.Rows = slices.Delete(c.d.Rows, i, i+n)
	c.meta = slices.Delete(c.meta, i, i+n)
	c.recount()
	return gone
}

func (c *composer) replace(i int, r payout.Row, banks payout.BankSet) payout.Row {
	old := c.d.Rows[i]
	c.d.Rows[i] = r
	c.meta[i] = newMeta(c.d.Rail, r, banks)
	c.recount()
	return old
}

// cursor is the row under the cursor.
func (c *composer) cursor() int { return c.window.Cursor() }

func (c *composer) setCursor(i, visible int) {
	c.window.SetRows(visible)
	c.window.SetCursor(i)
}

func (c *composer) ensureVisible(visible int) { c.window.SetRows(visible) }

// ---- the Model's side: keys, changes, saving ----

// changed is called after every edit: the draft saves itself.
func (m *Model) changed() tea.Cmd {
	m.comp.version++
	m.comp.initiated = false
	m.comp.d.UpdatedAt = m.c.Now()
	m.comp.ensureVisible(m.composeRows())
	return m.saveDraft()
}

func (m *Model) composeKeys(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	c := &m.comp
	n := len(c.d.Rows)
	m.message = "" // a message lasts until the next key
	c.ensureVisible(m.composeRows())
	if _, ok := c.window.Update(k); ok {
		return nil
	}
	switch {
	case key.Matches(k, km.Add):
		return m.openRowForm(-1)
	case key.Matches(k, km.Edit):
		if n > 0 {
			return m.openRowForm(c.cursor())
		}
	case key.Matches(k, km.Delete):
		return m.deleteRow()
	case key.Matches(k, km.Duplicate):
		return m.duplicateRow()
	case key.Matches(k, km.Undo):
		return m.undo()
	case key.Matches(k, km.Import):
		return m.openImport()
	case key.Matches(k, km.NewDraft):
		return m.newDraft()
	case key.Matches(k, km.Settings):
		return m.openSettings()
	case key.Matches(k, km.Preview):
		return m.preview()
	}
	return m.goKeys(k)
}

// goKeys are the keys that go to another screen from the composer.
func (m *Model) goKeys(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	switch {
	case key.Matches(k, km.Pending):
		return m.showPending()
	case key.Matches(k, km.OpenID):
		return m.openIDPrompt()
	case key.Matches(k, km.OpenBatch):
		if m.batch != nil {
			m.screen = scrBatch
		}
	case key.Matches(k, km.Attention):
		return m.showAttention()
	case key.Matches(k, km.History):
		return m.showHistory()
	}
	return nil
}

func (m *Model) deleteRow() tea.Cmd {
	c := &m.comp
	if len(c.d.Rows) == 0 {
		return nil
	}
	i := c.cursor()
	gone := c.remove(i, 1)
	c.push(undoOp{what: fmt.Sprintf("delete row %d", i+1), kind: undoInsert, at: i, rows: gone})
	c.setCursor(i, m.composeRows())
	m.message = fmt.Sprintf("Deleted row %d (u undoes)", i+1)
	return m.changed()
}

func (m *Model) duplicateRow() tea.Cmd {
	c := &m.comp
	if len(c.d.Rows) == 0 {
		return nil
	}
	if len(c.d.Rows) >= payout.MaxRows {
		return common.Toast(common.ToastWarn, fmt.Sprintf("A batch holds at most %s rows", fmtInt(payout.MaxRows)))
	}
	i := c.cursor()
	r := c.d.Rows[i]
	r.Line = 0
	c.insert(i+1, []payout.Row{r}, m.banks)
	c.push(undoOp{what: fmt.Sprintf("duplicate row %d", i+1), kind: undoRemove, at: i + 1, n: 1})
	c.setCursor(i+1, m.composeRows())
	m.message = fmt.Sprintf("Duplicated row %d as row %d", i+1, i+2)
	return m.changed()
}

// newDraftConfirmedMsg: the person confirmed discarding the draft.
type newDraftConfirmedMsg struct{ seq int }

// newDraft asks before emptying the draft (a 5,000-row draft could only
// be cleared with d 5,000 times). An empty draft, or one IntaSend already
// took as a batch, has nothing to lose: no question.
func (m *Model) newDraft() tea.Cmd {
	if !m.keys.NewDraft.Enabled() {
		return nil
	}
	c := &m.comp
	if len(c.d.Rows) == 0 || c.initiated {
		m.startNewDraft()
		return nil
	}
	m.seq++
	cur := cmp.Or(c.d.Currency, "KES")
	n := len(c.d.Rows)
	return common.Confirm(common.ConfirmMsg{
		Title:        "Start a new draft?",
		Body:         fmt.Sprintf("The current draft of %s %s (%s) is discarded; this cannot be undone.", fmtInt(n), text.Plural(n, "row", "rows"), c.sum.Format(cur)),
		Perm:         common.PermInitiate,
		OnConfirm:    newDraftConfirmedMsg{seq: m.seq},
		Action:       "payout.new-draft",
		Target:       "malipo-" + c.d.ID,
		Amount:       c.sum,
		ConfirmLabel: "Discard and start new",
		CancelLabel:  "Keep the draft",
	})
}

func (m *Model) onNewDraftConfirmed(msg newDraftConfirmedMsg) tea.Cmd {
	if msg.seq != m.seq {
		return nil // something else was asked since
	}
	old := m.comp.d.ID
	m.startNewDraft()
	j := m.opts.journal
	if j == nil {
		return nil
	}
	if m.save.inFlight {
		// That save may land after the discard: onSaved discards again.
		m.save.discard = old
	}
	return func() tea.Msg { _ = j.DiscardDraft(old); return nil }
}

// startNewDraft empties the composer, keeping the rail and the wallet.
func (m *Model) startNewDraft() {
	m.resetDraft()
	m.screen = scrCompose
	m.message = "New draft: no rows yet"
}

// resetDraft puts an empty draft on the same rail and wallet in the
// composer.
func (m *Model) resetDraft() {
	d := m.comp.d
	m.comp.reset(payout.NewDraft(d.Rail, m.c.Now()))
	m.comp.d.WalletID, m.comp.d.Currency = d.WalletID, d.Currency
	m.comp.revalidate(m.banks)
}

// undo reverts the last change, several levels deep.
func (m *Model) undo() tea.Cmd {
	c := &m.comp
	if len(c.undo) == 0 {
		m.message = "Nothing to undo"
		return nil
	}
	op := c.undo[len(c.undo)-1]
	c.undo = c.undo[:len(c.undo)-1]
	switch op.kind {
	case undoInsert:
		c.insert(op.at, op.rows, m.banks)
		c.setCursor(op.at, m.composeRows())
	case undoRemove:
		c.remove(op.at, op.n)
		c.setCursor(op.at-1, m.composeRows())
	case undoReplace:
		c.replace(op.at, op.rows[0], m.banks)
		c.setCursor(op.at, m.composeRows())
	case undoTruncate:
		c.remove(op.n, len(c.d.Rows)-op.n)
		c.setCursor(min(c.cursor(), op.n-1), m.composeRows())
	case undoSettings:
		c.d.Rail, c.d.WalletID, c.d.Currency = op.rail, op.wal, op.cur
		c.revalidate(m.banks)
	case undoRestore:
		c.remove(0, len(c.d.Rows))
		c.insert(0, op.rows, m.banks)
		c.setCursor(0, m.composeRows())
	}
	m.message = "Undid: " + op.what
	return m.changed()
}

// ---- rendering ----

// composeFixed is the composer's lines other than table rows: title, batch
// line, totals, table header, rule, selected row's status line.
const composeFixed = 6

func (m *Model) composeRows() int { return max(m.height-composeFixed, 1) }

// composeColumns are the composer table's for the draft's rail: the check
// (the reasons a row is refused) takes most of a wide terminal's spare
// width, then the name and the narrative.
func composeColumns(rail payout.Rail) []table.Column {
	acct := 14
	switch rail {
	case payout.PesaLink:
		acct = 16
	case payout.B2B:
		acct = 9
	}
	cols := []table.Column{
		{Title: "#", Min: 5, Align: table.Right},
		{Title: "NAME", Min: 8, Flex: 2, Max: 24},
		{Title: strings.ToUpper(rail.AccountLabel()), Min: acct},
	}
	switch rail {
	case payout.PesaLink:
		cols = append(cols, table.Column{Title: "BANK", Min: 5})
	case payout.B2B:
		cols = append(cols, table.Column{Title: "TYPE", Min: 6}, table.Column{Title: "REF", Min: 10})
	}
	return append(cols,
		table.Column{Title: "AMOUNT", Min: 13, Align: table.Right},
		table.Column{Title: "NARRATIVE", Min: 6, Flex: 1, Max: 24},
		table.Column{Title: "CHECK", Min: 8, Flex: 4})
}

func shortType(t string) string {
	switch t {
	case client.PayBill:
		return "Pay"
	case client.TillNumber:
		return "Till"
	}
	return t
}

// composeView draws the composer: batch line, totals, the visible rows
// and the selected row's status line.
func (m *Model) composeView() string {
	st := m.c.Styles
	c := &m.comp
	d := c.d
	var b strings.Builder
	b.WriteString(m.titleLine("Compose"))
	b.WriteByte('\n')
	b.WriteString(text.Truncate(m.batchLine(), m.width))
	b.WriteByte('\n')
	b.WriteString(text.Truncate(m.totalsLine(), m.width))
	b.WriteByte('\n')
	vis := m.composeRows()
	c.window.SetColumns(composeColumns(d.Rail))
	c.window.SetSize(m.width, vis)
	b.WriteString(c.window.View(m.composeRow))
	b.WriteByte('\n')
	from, end := c.window.Visible()
	if len(d.Rows) == 0 {
		b.WriteString(st.Faint.Render("  No rows yet: a adds one, i imports a CSV, s picks the rail and wallet."))
		b.WriteByte('\n')
		end++
	}
	b.WriteString(strings.Repeat("\n", max(from+vis-end, 0)))
	b.WriteString(m.statusLine())
	return b.String()
}

// composeRow fills row i: a row with an error is drawn in the error
// style, one with a warning in the warning style, and its check says why
// (never colour alone).
func (m *Model) composeRow(i int, row *table.Row) {
	c := &m.comp
	r := &c.d.Rows[i]
	p := m.paints()
	amount := r.AmountText
	if amount == "" && r.Amount != 0 {
		amount = r.Amount.String()
	} else if a, err := client.ParseAmount(amount); err == nil {
		amount = a.String()
	}
	status := common.SymOK + " ok"
	pr, bad := c.problem(i)
	if bad {
		sym := common.SymFailed
		if pr.Warning {
			sym = common.SymWarn
		}
		status = sym + " " + pr.Field + ": " + pr.Reason
	}
	row.Add(fmt.Sprint(i+1), r.Name, r.Account)
	switch c.d.Rail {
	case payout.PesaLink:
		row.Add(r.BankCode)
	case payout.B2B:
		row.Add(shortType(r.AccountType), r.AccountReference)
	}
	row.Add(amount, r.Narrative, status)
	switch {
	case bad && !pr.Warning:
		row.Paint = p.failed
	case bad:
		row.Paint = p.warn
	}
}

// batchLine names the rail and the wallet with its available balance.
func (m *Model) batchLine() string {
	st := m.c.Styles
	d := m.comp.d
	wal := st.Warning.Render(common.SymWarn + " no wallet chosen (s)")
	if w, ok := m.walletByID(d.WalletID); ok {
		wal = fmt.Sprintf("from %s (%s) · available %s", w.Label, w.ID, w.AvailableBalance.Format(w.Currency))
	} else if d.WalletID != "" {
		wal = "from wallet " + d.WalletID
	} else if m.walletsErr != "" {
		wal = st.Warning.Render(common.SymWarn + " wallets: " + m.walletsErr)
	}
	return st.Bold.Render(d.Rail.Label()) + st.Faint.Render(" ("+string(d.Rail)+") ") + wal
}

// totalsLine is always visible: count, sum, and how many rows need work.
func (m *Model) totalsLine() string {
	st := m.c.Styles
	c := &m.comp
	n := len(c.d.Rows)
	cur := c.d.Currency
	if cur == "" {
		cur = "KES"
	}
	s := fmt.Sprintf("%s %s · total %s", fmtInt(n), text.Plural(n, "row", "rows"), c.sum.Format(cur))
	if from, end := c.window.Visible(); n > m.composeRows() && n > 0 {
		s += fmt.Sprintf(" · showing %d–%d", from+1, end)
	}
	s = st.Bold.Render(s)
	if c.nErr > 0 {
		s += "  " + st.Failed.Render(fmt.Sprintf("%s %d %s", common.SymFailed, c.nErr, text.Plural(c.nErr, "row with errors", "rows with errors")))
	}
	if c.nWarn > 0 {
		s += "  " + st.Warning.Render(fmt.Sprintf("%s %d %s", common.SymWarn, c.nWarn, text.Plural(c.nWarn, "warning", "warnings")))
	}
	if n > 0 && c.nErr == 0 {
		s += "  " + st.OK.Render(common.SymOK+" ready to preview")
	}
	if k := m.pend.count; k > 0 {
		s += "  " + st.Pending.Render(fmt.Sprintf("%s %d %s waiting (P)", common.SymLive, k, text.Plural(k, "batch", "batches")))
	}
	return s
}

// statusLine explains the selected row's problem, else the last message.
func (m *Model) statusLine() string {
	st := m.c.Styles
	c := &m.comp
	if m.message != "" {
		return st.Faint.Render(text.Truncate(m.message, m.width))
	}
	if len(c.d.Rows) > 0 {
		if p, bad := c.problem(c.cursor()); bad {
			label := fmt.Sprintf("Row %d", c.cursor()+1)
			if r := c.d.Rows[c.cursor()]; r.Line > 0 {
				label += fmt.Sprintf(" (line %d)", r.Line)
			}
			style := st.Failed
			sym := common.SymFailed
			if p.Warning {
				style, sym = st.Warning, common.SymWarn
			}
			return style.Render(text.Truncate(fmt.Sprintf("%s %s · %s: %s", sym, label, p.Field, p.Reason), m.width))
		}
	}
	return ""
}

// titleLine is the view's first line: where we are, and the save state.
func (m *Model) titleLine(where string) string {
	st := m.c.Styles
	left := st.Title.Render("Payouts") + st.Faint.Render(" · "+where)
	var right string
	switch {
	case m.save.err != "":
		right = st.Warning.Render(common.SymWarn + " draft not saved: " + m.save.err)
	case m.save.inFlight:
		right = m.spin.View() + st.Faint.Render(" saving draft…")
	case !m.save.at.IsZero():
		right = st.Faint.Render("draft saved " + when.Clock(m.c.Now(), m.save.at))
	case m.opts.journal == nil:
		right = st.Faint.Render("no journal: drafts are not saved")
	}
	return spread(left, right, m.width)
}

// fmtInt writes 5000 as "5,000".
func fmtInt(n int) string {
	return strings.TrimSuffix(client.Units(int64(n)).String(), ".00")
}
