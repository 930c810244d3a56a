package payouts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// The needs-attention queue (issue 13): batches a person must look at,
// from the journal, kept current by a sweep that only ever reads
// IntaSend's status. Nothing here sends an initiate or an approve: a row
// whose status cannot be determined, a batch that ended early or an
// approve with no answer is shown, explained and copied for support,
// never retried.

// Sweep timings: a sweep reads the status of at most sweepBatches batches;
// the next one comes sweepEvery later, doubling after each sweep that
// changed nothing or failed, up to sweepMax; a change starts over.
const (
	sweepEvery   = 30 * time.Second
	sweepMax     = 10 * time.Minute
	sweepBatches = 20
)

// attnQueue is the queue's state.
type attnQueue struct {
	items    []payout.Attention
	tbl      table.Model
	last     map[string]*client.Batch // the latest status read of each, for "copy details"
	gen      int                      // drops a sweep timer set before the latest sweep
	inFlight bool
	backoff  int // sweeps in a row that changed nothing or failed
	sent     int // the count last told to the shell (-1: never)
	cands    int // batches the last book had for a sweep to read
	err      string
}

type (
	// bookMsg is the journal's batches, newest first (history and queue).
	bookMsg struct{ entries []payout.Entry }
	// sweepMsg is the sweep timer.
	sweepMsg struct{ gen int }
	// sweptMsg is a sweep's outcome.
	sweptMsg struct {
		gen     int
		changed int
		last    map[string]*client.Batch
		entries []payout.Entry
		err     error
	}
	// attentionMsg opens the queue (palette, status-bar badge).
	attentionMsg struct{}
	// ackMsg is the answer to "mark as seen".
	ackMsg struct {
		tid        string
		entries    []payout.Entry
		err, audit error
	}
)

// loadBook reads the journal's batches for the history and the queue.
func (m *Model) loadBook() tea.Cmd {
	j := m.opts.journal
	if j == nil {
		return nil
	}
	return func() tea.Msg { return bookMsg{entries: j.History()} }
}

// onBook rebuilds the history and the queue from the journal and tells
// the shell the queue's count when it changed.
func (m *Model) onBook(entries []payout.Entry) tea.Cmd {
	m.hist.set(entries, m.c.Now())
	q := &m.attn
	q.items = q.items[:0]
	now, pol := m.c.Now(), m.policy()
	for _, e := range entries {
		if a, ok := payout.NeedsAttention(e, now, pol); ok {
			q.items = append(q.items, a)
		}
	}
	q.tbl.SetTotal(len(q.items))
	var cmds []tea.Cmd
	if n := countCandidates(entries); n > q.cands && q.backoff > 0 && !q.inFlight {
		// A batch newly in flight (approved here or elsewhere): poll it
		// from the shortest delay again.
		q.backoff = 0
		q.gen++
		cmds = append(cmds, m.sweepLater())
		q.cands = n
	} else {
		q.cands = n
	}
	if len(q.items) != q.sent {
		q.sent = len(q.items)
		cmds = append(cmds, common.Attention(q.sent, attentionMsg{}))
	}
	return tea.Batch(cmds...)
}

// countCandidates is how many batches a sweep would read (sweepCandidates
// without sorting).
func countCandidates(es []payout.Entry) int {
	n := 0
	for _, e := range es {
		if isCandidate(e) {
			n++
		}
	}
	return n
}

func isCandidate(e payout.Entry) bool {
	return e.TrackingID != "" && (e.Status == payout.StatusApproving || e.Status == payout.StatusApproved && inFlight(e))
}

// sweepLater schedules the next sweep, backing off while nothing changes.
func (m *Model) sweepLater() tea.Cmd {
	if m.opts.journal == nil {
		return nil
	}
	return m.sched(common.Backoff(sweepEvery, sweepMax, m.attn.backoff), sweepMsg{gen: m.attn.gen})
}

func (m *Model) onSweepTimer(msg sweepMsg) tea.Cmd {
	if msg.gen != m.attn.gen {
		return nil
	}
	return m.sweep()
}

// sweep reads the status of the batches still in flight or in doubt and
// records what changed. One sweep at a time: a sweep asked for while one
// runs is dropped (the running one re-arms the timer).
func (m *Model) sweep() tea.Cmd {
	j, c := m.opts.journal, m.c.Client
	if j == nil || c == nil || m.attn.inFlight {
		return nil
	}
	m.attn.inFlight = true
	m.attn.gen++
	gen, base := m.attn.gen, m.c.Context()
	return func() tea.Msg {
		changed, last, err := sweepOnce(base, j, c)
		return sweptMsg{gen: gen, changed: changed, last: last, entries: j.History(), err: err}
	}
}

// sweepOnce reads statuses, never anything else: an approving entry is
// settled from the status (ResolveApproval), every answer is recorded
// (RecordStatus writes only changes).
func sweepOnce(base context.Context, j *payout.Journal, c *client.Client) (int, map[string]*client.Batch, error) {
	changed, last := 0, map[string]*client.Batch{}
	var errs []error
	for _, e := range sweepCandidates(j.History(), sweepBatches) {
		cx, cancel := batchCtx(base)
		st, err := c.PayoutStatus(cx, e.TrackingID)
		cancel()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		last[e.TrackingID] = st
		if e.Status == payout.StatusApproving {
			ok, err := j.ResolveApproval(e.TrackingID, st)
			changed, errs = changed+btoi(ok), append(errs, err)
		}
		ok, err := j.RecordStatus(e.TrackingID, st)
		changed, errs = changed+btoi(ok), append(errs, err)
	}
	return changed, last, errors.Join(errs...)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// unsettledRows are row codes that may still change.
var unsettledRows = []string{client.TxUndetermined, client.TxObserved, client.TxResultsPending, client.TxRetryQueued,
	client.TxPending, client.TxStarted}

// sweepCandidates are the batches worth a status read: an approve with no
// recorded outcome, and approved batches not final or with rows that may
// still change; those read longest ago first, at most n.
func sweepCandidates(es []payout.Entry, n int) []payout.Entry {
	var out []payout.Entry
	for _, e := range es {
		if isCandidate(e) {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b payout.Entry) int { return a.ObservedAt.Compare(b.ObservedAt) })
	return out[:min(n, len(out))]
}

func inFlight(e payout.Entry) bool {
	if !(&client.Batch{StatusCode: e.StatusCode}).Final() {
		return true
	}
	for _, c := range unsettledRows {
		if e.RowCodes[c] > 0 {
			return true
		}
	}
	return false
}

func (m *Model) onSwept(msg sweptMsg) tea.Cmd {
	q := &m.attn
	if msg.gen != q.gen {
		return nil
	}
	q.inFlight = false
	if q.last == nil {
		q.last = map[string]*client.Batch{}
	}
	for tid, st := range msg.last {
		q.last[tid] = st // kept for "copy details": the rows in doubt
	}
	q.err = ""
	switch {
	case msg.err != nil:
		q.backoff++
		q.err = text.ErrText(msg.err)
	case msg.changed > 0:
		q.backoff = 0
	default:
		q.backoff++
	}
	return tea.Batch(m.onBook(msg.entries), m.sweepLater(), text.Health(msg.err, m.c.Now()))
}

// recordStatus records a status read of the open batch in the journal (the
// history's final state); the book reloads only when something changed.
func (m *Model) recordStatus(st *client.Batch) tea.Cmd {
	j := m.opts.journal
	if j == nil || st == nil || st.TrackingID == "" {
		return nil
	}
	return func() tea.Msg {
		if ok, err := j.RecordStatus(st.TrackingID, st); !ok || err != nil {
			return nil
		}
		return bookMsg{entries: j.History()}
	}
}

// ---- the screen ----

func (m *Model) showAttention() tea.Cmd {
	m.screen = scrAttention
	return m.loadBook()
}

func attentionColumns() []table.Column {
	return []table.Column{
		{Title: "TRACKING ID", Min: 13, Flex: 1, Max: 36},
		{Title: "TOTAL", Min: 16, Align: table.Right},
		{Title: "AGE", Min: 7},
		{Title: "NEEDS", Min: 20, Flex: 3},
	}
}

// attnFixed is the queue's lines around the table: title, count line,
// header, two lines of the selected item's reasons and the hint.
const attnFixed = 7

func (m *Model) attentionView() string {
	st := m.c.Styles
	q := &m.attn
	var b strings.Builder
	b.WriteString(m.titleLine("Needs attention"))
	b.WriteByte('\n')
	if len(q.items) == 0 {
		b.WriteString(st.Faint.Render(text.Truncate("Nothing needs attention: every batch this profile approved has a definite result. esc goes back.", m.width)))
		return b.String()
	}
	n := len(q.items)
	head := fmt.Sprintf("%s %s %s a person: polled with backoff, never retried or re-sent", common.SymWarn, fmtInt(n),
		text.Plural(n, "batch needs", "batches need"))
	if q.err != "" {
		head += " · last check failed: " + q.err
	}
	b.WriteString(st.Warning.Render(text.Truncate(head, m.width)))
	b.WriteByte('\n')
	t := &q.tbl
	t.SetTotal(n)
	t.SetSize(m.width, max(m.height-attnFixed, 1))
	now := m.c.Now()
	b.WriteString(t.View(func(i int, r *table.Row) {
		a := q.items[i]
		e := a.Entry
		r.Add(text.OrDash(e.TrackingID), e.Total.Format(orKES(e.Currency)), age(now, a.Since), reasonsLine(a))
	}))
	b.WriteByte('\n')
	b.WriteString(m.attentionDetail(now))
	b.WriteString(st.Faint.Render(text.Truncate("enter opens its rows · y copies details for IntaSend support · d marks it seen · esc back", m.width)))
	return b.String()
}

// attentionDetail is the selected item's first reason and what to do, on
// two lines.
func (m *Model) attentionDetail(now time.Time) string {
	st := m.c.Styles
	i, ok := m.attn.tbl.Current()
	if !ok {
		return "\n\n"
	}
	a := m.attn.items[i]
	r := a.Reasons[0]
	what := r.What
	if r.Code != "" && !strings.Contains(what, r.Code) {
		what = r.Code + " " + what
	}
	since := ""
	if !a.Since.IsZero() {
		since = " · since " + when.DayTime(now, a.Since)
	}
	return st.Bold.Render(text.Truncate(what+since, m.width)) + "\n" + text.Truncate("What to do: "+r.Action, m.width) + "\n"
}

// reasonsLine is every reason, the most urgent first.
func reasonsLine(a payout.Attention) string {
	parts := make([]string, len(a.Reasons))
	for i, r := range a.Reasons {
		parts[i] = r.What
		if r.Code != "" && !strings.Contains(r.What, r.Code) {
			parts[i] = r.Code + " " + r.What
		}
	}
	return strings.Join(parts, "; ")
}

// age is how long ago t was, in the queue's few characters.
func age(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

func orKES(cur string) string {
	if cur == "" {
		return "KES"
	}
	return cur
}

func (m *Model) attentionKeys(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	q := &m.attn
	q.tbl.SetTotal(len(q.items))
	if _, ok := q.tbl.Update(k); ok {
		return nil
	}
	i, ok := q.tbl.Current()
	switch {
	case key.Matches(k, km.Open) && ok:
		return m.openFrom(scrAttention, q.items[i].Entry.TrackingID)
	case key.Matches(k, km.CopyDetails) && ok:
		return m.copyDetails(q.items[i])
	case key.Matches(k, km.Dismiss) && ok:
		return m.acknowledge(q.items[i])
	case key.Matches(k, km.History):
		return m.showHistory()
	case key.Matches(k, km.Back):
		m.screen = scrCompose
	}
	return nil
}

// openFrom opens a batch from a list that esc on the batch goes back to.
func (m *Model) openFrom(from screen, tid string) tea.Cmd {
	if tid == "" {
		return common.Toast(common.ToastWarn, common.SymWarn+" No tracking id: IntaSend never answered the initiate. Look for the batch in the dashboard.")
	}
	cmd := m.openByID(tid)
	if m.screen == scrBatch {
		m.from = from
	}
	return cmd
}

// copyDetails puts one text block for IntaSend support on the clipboard
// (OSC 52, over SSH too): ids, codes, times, amounts and the rows in doubt.
// With no status read of the batch this session, it reads one first (a
// read, nothing else) so the rows are in the block.
func (m *Model) copyDetails(a payout.Attention) tea.Cmd {
	if !m.keys.CopyDetails.Enabled() {
		return m.refuse("payout.support-copy", a.Entry.TrackingID, common.PermExport)
	}
	tid := a.Entry.TrackingID
	if st, ok := m.attn.last[tid]; ok || tid == "" || m.c.Client == nil {
		return m.copyDetailsWith(a, st)
	}
	c, base := m.c.Client, m.c.Context()
	return func() tea.Msg {
		cx, cancel := batchCtx(base)
		defer cancel()
		st, err := c.PayoutStatus(cx, tid)
		return detailsMsg{a: a, st: st, err: err}
	}
}

// detailsMsg is the status read "copy details" asked for.
type detailsMsg struct {
	a   payout.Attention
	st  *client.Batch
	err error
}

func (m *Model) onDetails(msg detailsMsg) tea.Cmd {
	if msg.err != nil {
		msg.st = nil // copy what the journal knows; the rows stay out
	} else {
		if m.attn.last == nil {
			m.attn.last = map[string]*client.Batch{}
		}
		m.attn.last[msg.a.Entry.TrackingID] = msg.st
	}
	return tea.Batch(m.copyDetailsWith(msg.a, msg.st), text.Health(msg.err, m.c.Now()))
}

func (m *Model) copyDetailsWith(a payout.Attention, st *client.Batch) tea.Cmd {
	txt := payout.SupportDetails(a, st, m.c.Now().Location())
	return tea.Batch(common.Clipboard(txt),
		common.Toast(common.ToastSuccess, common.SymOK+" Details of "+text.OrDash(a.Entry.TrackingID)+" copied for IntaSend support (if your terminal allows OSC 52)"),
		m.record("payout.support-copy", a.Entry.TrackingID, "ok", fmt.Sprintf("%d lines", strings.Count(txt, "\n"))))
}

// acknowledge marks the item as seen: failed rows, an ended batch or a
// long wait leave the queue until a later status changes something. An
// approve or initiate with no answer and an expired batch stay.
func (m *Model) acknowledge(a payout.Attention) tea.Cmd {
	if !m.keys.Dismiss.Enabled() {
		return m.refuse("payout.acknowledge", a.Entry.TrackingID, common.PermApprove)
	}
	j, tid, cm := m.opts.journal, a.Entry.TrackingID, m.c
	if j == nil || tid == "" {
		return nil
	}
	return func() tea.Msg {
		err := j.Acknowledge(tid)
		ev := common.AuditEvent{Action: "payout.acknowledge", Target: tid, Result: "ok", Detail: reasonsLine(a)}
		if err != nil {
			ev.Result, ev.Detail = "failed", err.Error()
		}
		return ackMsg{tid: tid, entries: j.History(), err: err, audit: cm.Audit(ev)}
	}
}

func (m *Model) onAck(msg ackMsg) tea.Cmd {
	cmd := m.onBook(msg.entries)
	var note tea.Cmd
	for _, a := range m.attn.items {
		if a.Entry.TrackingID == msg.tid && msg.err == nil {
			// What a status read or a cancel must settle stays: say so,
			// or d would seem to do nothing.
			note = common.Toast(common.ToastInfo, "Marked as seen; it stays listed until IntaSend's status settles it (or it is cancelled)")
		}
	}
	return tea.Batch(cmd, note, journalWarning(msg.err), audit.Warning(msg.audit))
}
