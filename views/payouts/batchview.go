package payouts

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

func (m *Model) batchKeys(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	m.syncResults()
	if _, ok := m.results.Update(k); ok {
		return nil
	}
	switch {
	case key.Matches(k, km.Approve):
		return m.approve()
	case key.Matches(k, km.CancelBatch):
		return m.cancelBatch()
	case key.Matches(k, km.Export):
		return m.exportPrompt()
	case key.Matches(k, km.Copy):
		return m.copyResults()
	case key.Matches(k, km.RetryFailed):
		return m.retryFailed()
	case key.Matches(k, km.Pending):
		return m.showPending()
	case key.Matches(k, km.OpenID):
		return m.openIDPrompt()
	case key.Matches(k, km.Back):
		m.screen, m.from = m.from, scrCompose // back to the list it was opened from
	}
	return nil
}

// resultColumns are the per-row results: the name and IntaSend's status
// text share the spare width, the status the larger part (its reasons are
// what an approver reads).
func resultColumns(cur string) []table.Column {
	return []table.Column{
		{Title: "#", Min: 4, Align: table.Right},
		{Title: "NAME", Min: 8, Flex: 1, Max: 30},
		{Title: "ACCOUNT", Min: 12},
		{Title: "AMOUNT " + cur, Min: 11, Align: table.Right},
		{Title: "CHARGE", Min: 7, Align: table.Right},
		{Title: "CODE", Min: 5},
		{Title: "REFERENCE", Min: 10},
		{Title: "STATUS", Min: 6, Flex: 2},
	}
}

// syncResults points the results table at the open batch: a batch opened
// anew starts at its first row.
func (m *Model) syncResults() {
	b := m.batch
	if m.resultsFor != b {
		m.resultsFor = b
		m.results.SetCursor(0)
	}
	m.results.SetColumns(resultColumns(b.currency()))
	m.results.SetSize(m.width, m.batchRows())
	m.results.SetTotal(len(b.b.Transactions))
}

// batchFixed: title, identity, status, money, wallet/summary, message,
// header, footer hint.
const batchFixed = 9

func (m *Model) batchRows() int { return max(m.height-batchFixed, 1) }

// batchStatus is the batch's status in words and a symbol, with its code.
func (m *Model) batchStatus(b *openBatch) string {
	st := m.c.Styles
	busy := m.spin.View() + " "
	switch b.phase {
	case phaseInitiating:
		return busy + st.Pending.Render(common.SymPending+" initiating with IntaSend…")
	case phaseOpening:
		return busy + st.Pending.Render(common.SymPending+" reading the batch…")
	case phaseInitiateUnknown:
		return st.Warning.Render(common.SymWarn + " outcome unknown")
	case phaseApproving:
		return busy + st.Pending.Render(common.SymPending+" approving…")
	case phaseCancelling:
		return busy + st.Pending.Render(common.SymPending+" cancelling…")
	case phaseConfirming:
		return st.Pending.Render(common.SymPending + " waiting for your confirmation")
	}
	code := b.b.StatusCode
	text := fmt.Sprintf("%s (%s)", b.b.Status, code)
	if b.cancelled() {
		// Its own word and symbol: nothing failed, nothing was sent.
		return st.Faint.Render(common.SymCancelled + " cancelled before approval · " + text)
	}
	// The code table's words say plainly what IntaSend's status text
	// leaves vague ("Failed Processing" is three different failures).
	if w := client.CodeWords(code); w != "" {
		text = w + " · " + text
	}
	switch {
	case code == client.BatchCompleted:
		return st.OK.Render(common.SymOK + " " + text)
	case strings.HasPrefix(code, "BF") || code == client.BatchEnded:
		return st.Failed.Render(common.SymFailed + " " + text)
	case b.phase == phaseTracking || b.phase == phaseApproveUnknown:
		return busy + st.Pending.Render(common.SymPending+" "+text)
	}
	return st.Pending.Render(common.SymLive + " " + text)
}

// inDoubtWords is what ops must do about a row IntaSend cannot settle yet;
// the words come from client's code table, which `malipo explain` reads too.
var inDoubtWords = client.CodeWords(client.TxUndetermined)

// txMark is a row's symbol, paint and, for rows in doubt (TF105, TH107),
// the words that replace IntaSend's description in the table. TF104 and
// TR109 are still in progress: pending, not failed.
func txMark(p *paints, t *client.PayoutResult) (sym string, pt text.Paint, words string) {
	switch {
	case t.Paid():
		return common.SymOK, p.ok, ""
	case t.Failed():
		return common.SymFailed, p.failed, ""
	case t.InDoubt():
		return common.SymWarn, p.warn, inDoubtWords
	}
	return common.SymPending, p.row, ""
}

func (m *Model) batchView() string {
	st := m.c.Styles
	b := m.batch
	where := "Batch preview"
	if b.tracking() {
		where = "Batch tracking"
	}
	cur := b.currency()
	var lines []string
	lines = append(lines, m.titleLine(where))
	id := fmt.Sprintf("File %s · tracking %s", text.OrDash(b.b.FileID), text.OrDash(b.b.TrackingID))
	if r := b.rail(); r != "" {
		id += " · " + string(r)
	}
	if b.hasEntry && b.entry.Initiator != "" {
		id += " · by " + b.entry.Initiator
	}
	lines = append(lines, text.Truncate(id, m.width))
	lines = append(lines, text.Truncate("Status  "+m.batchStatus(b), m.width))
	n := len(b.b.Transactions)
	if n == 0 {
		n = b.b.TransactionsCount
	}
	if b.tracking() {
		lines = append(lines, text.Truncate(m.resultsLine(b), m.width))
	} else {
		lines = append(lines, text.Truncate(st.Bold.Render(fmt.Sprintf("Total %s", b.total().Format(cur)))+
			fmt.Sprintf(" + charges %s (est.) = %s · %s %s", b.b.ChargeEstimate.Format(cur),
				(b.total()+b.b.ChargeEstimate).Format(cur), fmtInt(n), text.Plural(n, "payout", "payouts")), m.width))
	}
	lines = append(lines, text.Truncate(m.coverLine(b), m.width))
	switch {
	case b.err != "" && len(b.b.Transactions) == 0:
		// No rows to show (the answer was lost): room for the whole story.
		for _, l := range text.Wrap(common.SymFailed+" "+b.err, m.width) {
			lines = append(lines, st.Failed.Render(l))
		}
		lines = append(lines, "", st.Faint.Render(text.Truncate(m.batchHint(b), m.width)))
		return strings.Join(lines, "\n")
	case b.err != "":
		lines = append(lines, st.Failed.Render(text.Truncate(common.SymFailed+" "+b.err, m.width)))
	case b.note != "":
		lines = append(lines, st.Faint.Render(text.Truncate(b.note, m.width)))
	default:
		lines = append(lines, st.Bold.Render(text.Truncate(m.policyLine(b), m.width)))
	}
	lines = append(lines, m.resultRows(b)...)
	return strings.Join(lines, "\n")
}

// resultsLine counts what was paid, failed and is still pending; a
// cancelled batch says so in its own word and symbol instead, since none
// of its payouts failed.
func (m *Model) resultsLine(b *openBatch) string {
	st := m.c.Styles
	cur := b.currency()
	s := b.sum
	if b.cancelled() {
		return st.Faint.Render(fmt.Sprintf("%s cancelled %s (%s %s) · nothing was paid", common.SymCancelled,
			s.cancelledAmt.Format(cur), fmtInt(s.cancelled), text.Plural(s.cancelled, "payout", "payouts")))
	}
	line := st.Bold.Render(fmt.Sprintf("%s Paid %s (%s)", common.SymOK, s.paidAmt.Format(cur), fmtInt(s.paid))) +
		" · " + st.Failed.Render(fmt.Sprintf("%s failed %s (%s)", common.SymFailed, s.failedAmt.Format(cur), fmtInt(s.failed)))
	if s.cancelled > 0 {
		line += " · " + st.Faint.Render(fmt.Sprintf("%s cancelled %s (%s)", common.SymCancelled, s.cancelledAmt.Format(cur), fmtInt(s.cancelled)))
	}
	return line + " · " + fmt.Sprintf("charges %s · %s pending", s.chgs.Format(cur), fmtInt(s.pending))
}

// coverLine: the wallet, its available balance and whether it covers the
// batch (preview), or when it was last checked (tracking).
func (m *Model) coverLine(b *openBatch) string {
	st := m.c.Styles
	cur := b.currency()
	ok, avail, need, known := m.covers(b)
	w := "Wallet " + m.walletLabel(b)
	if b.tracking() || b.phase == phaseFinal {
		checked := ""
		if !b.checked.IsZero() {
			checked = " · checked " + when.Clock(m.c.Now(), b.checked)
		}
		return w + st.Faint.Render(checked)
	}
	if !known {
		return w
	}
	w += " · available " + avail.Format(cur)
	if ok {
		return w + "  " + st.OK.Render(common.SymOK+" covers it")
	}
	return w + "  " + st.Failed.Render(fmt.Sprintf("%s short by %s: cannot approve", common.SymFailed, (need-avail).Format(cur)))
}

// resultRows draws the visible per-row table and the key hint.
func (m *Model) resultRows(b *openBatch) []string {
	st := m.c.Styles
	p := m.paints()
	m.syncResults()
	txs := b.b.Transactions
	view := m.results.View(func(i int, r *table.Row) {
		t := &txs[i]
		desc := m.newPayeeMark(b, i) + t.Status
		sym, pt, words := txMark(p, t)
		if b.cancelled() {
			sym, pt = common.SymCancelled, p.row // called off, not failed
		}
		r.Paint = pt
		switch {
		case words != "":
			desc += ": " + words
		case t.StatusDescription != "" && b.tracking():
			desc += ": " + t.StatusDescription
		}
		r.Add(fmt.Sprint(i+1), t.Name, t.Account, t.Amount.String(), t.Charge.String(), t.StatusCode, t.ProviderReference, sym+" "+desc)
	})
	out := strings.Split(view, "\n")
	from, end := m.results.Visible()
	for i := end - from; i < m.results.Rows(); i++ {
		out = append(out, "")
	}
	out = append(out, m.selectedResult(b), st.Faint.Render(text.Truncate(m.batchHint(b), m.width)))
	return out
}

// selectedResult spells out the selected row's result: IntaSend's status
// text and code, the provider's reference and the charge.
func (m *Model) selectedResult(b *openBatch) string {
	txs := b.b.Transactions
	i, ok := m.results.Current()
	if !ok || i >= len(txs) {
		return ""
	}
	t := &txs[i]
	s := fmt.Sprintf("Row %d · ", i+1)
	if t.InDoubt() {
		// First, so no truncation can hide it.
		s += common.SymWarn + " " + inDoubtWords + " · "
	}
	s += t.StatusCode + " " + t.Status
	if t.StatusDescription != "" {
		s += ": " + t.StatusDescription
	}
	if t.ProviderReference != "" {
		s += " · ref " + t.ProviderReference
	}
	if t.ProviderAccountName != "" {
		s += " · " + strings.TrimSpace(t.ProviderAccountName)
	}
	s += " · charge " + t.Charge.Format(b.currency())
	return text.Truncate(s, m.width)
}

func (m *Model) batchHint(b *openBatch) string {
	var parts []string
	add := func(k key.Binding) {
		if k.Enabled() {
			parts = append(parts, k.Help().Key+" "+k.Help().Desc)
		}
	}
	switch b.phase {
	case phasePreview:
		add(m.keys.Approve)
		add(m.keys.CancelBatch)
	case phaseTracking, phaseFinal, phaseApproveUnknown:
		add(m.keys.Export)
		add(m.keys.Copy)
		if b.sum.failed > 0 || (b.sum.cancelled > 0 && !b.cancelled()) {
			add(m.keys.RetryFailed)
		}
	}
	add(m.keys.Pending)
	add(m.keys.Back)
	return strings.Join(parts, " · ")
}
