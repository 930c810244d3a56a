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
	"github.com/malipo/malipo/ui/components/listnav"
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
	cursor int
	offset int
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
	*c = composer{d: d}
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

func (c *composer) setCursor(i, visible int) {
	n := len(c.d.Rows)
	if n == 0 {
		c.cursor, c.offset = 0, 0
		return
	}
	c.cursor = min(max(i, 0), n-1)
	c.ensureVisible(visible)
}

func (c *composer) ensureVisible(visible int) {
	c.offset = listnav.Offset(c.cursor, c.offset, len(c.d.Rows), visible)
}

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
	vis := m.composeRows()
	page := max(vis-1, 1)
	n := len(c.d.Rows)
	m.message = "" // a message lasts until the next key
	switch {
	case key.Matches(k, km.Up):
		c.setCursor(c.cursor-1, vis)
	case key.Matches(k, km.Down):
		c.setCursor(c.cursor+1, vis)
	case key.Matches(k, km.PageUp):
		c.setCursor(c.cursor-page, vis)
	case key.Matches(k, km.PageDown):
		c.setCursor(c.cursor+page, vis)
	case key.Matches(k, km.Home):
		c.setCursor(0, vis)
	case key.Matches(k, km.End):
		c.setCursor(n-1, vis)
	case key.Matches(k, km.Add):
		return m.openRowForm(-1)
	case key.Matches(k, km.Edit):
		if n > 0 {
			return m.openRowForm(c.cursor)
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
	case key.Matches(k, km.Pending):
		return m.showPending()
	case key.Matches(k, km.OpenID):
		return m.openIDPrompt()
	case key.Matches(k, km.OpenBatch):
		if m.batch != nil {
			m.screen = scrBatch
		}
	}
	return nil
}

func (m *Model) deleteRow() tea.Cmd {
	c := &m.comp
	if len(c.d.Rows) == 0 {
		return nil
	}
	i := c.cursor
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
	i := c.cursor
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
		c.setCursor(min(c.cursor, op.n-1), m.composeRows())
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

// cols are the composer table's widths for the draft's rail.
type cols struct {
	num, name, acct, bank, typ, ref, amount, narr, status int
}

func (m *Model) composeCols() cols {
	rail := m.comp.d.Rail
	c := cols{num: 5, amount: 13, acct: 14}
	switch rail {
	case payout.PesaLink:
		c.bank, c.acct = 5, 16
	case payout.B2B:
		c.typ, c.ref, c.acct = 6, 10, 9
	}
	rest := m.width - 2 - c.num - c.acct - c.bank - c.typ - c.ref - c.amount
	gaps := 5
	for _, w := range []int{c.bank, c.typ, c.ref} {
		if w > 0 {
			gaps++
		}
	}
	rest -= gaps * 1
	// name, narrative and status share what is left; a wide screen gives
	// the extra to the status, where the reasons are.
	c.name = min(max(rest*35/100, 8), 26)
	c.narr = min(max(rest*25/100, 6), 24)
	c.status = max(rest-c.name-c.narr, 8)
	return c
}

func (c cols) line(num, name, acct, bank, typ, ref, amount, narr, status string) string {
	var b strings.Builder
	b.Grow(128)
	b.WriteString(text.PadLeft(num, c.num))
	b.WriteByte(' ')
	b.WriteString(text.PadRight(name, c.name))
	b.WriteByte(' ')
	b.WriteString(text.PadRight(acct, c.acct))
	b.WriteByte(' ')
	if c.bank > 0 {
		b.WriteString(text.PadRight(bank, c.bank))
		b.WriteByte(' ')
	}
	if c.typ > 0 {
		b.WriteString(text.PadRight(typ, c.typ))
		b.WriteByte(' ')
	}
	if c.ref > 0 {
		b.WriteString(text.PadRight(ref, c.ref))
		b.WriteByte(' ')
	}
	b.WriteString(text.PadLeft(amount, c.amount))
	b.WriteByte(' ')
	b.WriteString(text.PadRight(narr, c.narr))
	b.WriteByte(' ')
	b.WriteString(text.PadRight(status, c.status))
	return b.String()
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
	cl := m.composeCols()
	p := m.paints()
	b.WriteString(p.header.Render("  " + cl.line("#", "NAME", strings.ToUpper(d.Rail.AccountLabel()), "BANK", "TYPE", "REF", "AMOUNT", "NARRATIVE", "CHECK")))
	b.WriteByte('\n')
	vis := m.composeRows()
	n := len(d.Rows)
	if n == 0 {
		b.WriteString(st.Faint.Render("  No rows yet: a adds one, i imports a CSV, s picks the rail and wallet."))
		b.WriteByte('\n')
		for i := 1; i < vis; i++ {
			b.WriteByte('\n')
		}
	} else {
		end := min(c.offset+vis, n)
		for i := c.offset; i < end; i++ {
			b.WriteString(m.composeRow(cl, i))
			b.WriteByte('\n')
		}
		for i := end - c.offset; i < vis; i++ {
			b.WriteByte('\n')
		}
	}
	b.WriteString(m.statusLine())
	return b.String()
}

func (m *Model) composeRow(cl cols, i int) string {
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
	line := cl.line(fmt.Sprint(i+1), r.Name, r.Account, r.BankCode, shortType(r.AccountType), r.AccountReference, amount, r.Narrative, status)
	if i == c.cursor {
		return p.sel.Render("▸ " + line)
	}
	switch {
	case bad && !pr.Warning:
		return p.failed.Render("  " + line)
	case bad:
		return p.warn.Render("  " + line)
	}
	return p.row.Render("  " + line)
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
	if n > m.composeRows() && n > 0 {
		s += fmt.Sprintf(" · showing %d–%d", c.offset+1, min(c.offset+m.composeRows(), n))
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
		if p, bad := c.problem(c.cursor); bad {
			label := fmt.Sprintf("Row %d", c.cursor+1)
			if r := c.d.Rows[c.cursor]; r.Line > 0 {
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
