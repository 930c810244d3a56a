package payouts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
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
	"github.com/malipo/malipo/userdir"
)

// ---- status polling: one read at a time, backing off after errors ----

type (
	pollMsg   struct{ seq, gen int }
	statusMsg struct {
		seq int
		b   *client.Batch
		err error
	}
)

// pollLater schedules the next status read of the open batch.
func (m *Model) pollLater() tea.Cmd {
	b := m.batch
	if b == nil || !m.shown {
		return nil
	}
	// LivePace: a safety net while webhooks bring the news.
	return m.sched(common.Backoff(m.c.LivePace(pollEvery), pollMax, b.failures), pollMsg{seq: b.seq, gen: b.gen})
}

// onWebhook reads the open batch now when IntaSend announced it moved
// (serve --webhooks), instead of at the next poll.
func (m *Model) onWebhook(msg common.WebhookMsg) tea.Cmd {
	b := m.batch
	if b == nil || !m.shown || b.b == nil || msg.Type != "send_money" || msg.Object != b.b.TrackingID || !b.polling() {
		return nil
	}
	return m.pollNow()
}

func (m *Model) onPoll(msg pollMsg) tea.Cmd {
	b := m.batch
	if b == nil || b.seq != msg.seq || b.gen != msg.gen || !b.polling() {
		return nil
	}
	return m.pollNow()
}

// pollNow reads the status now unless a read is already in flight.
func (m *Model) pollNow() tea.Cmd {
	b := m.batch
	if b == nil || b.inFlight || b.b == nil || b.b.TrackingID == "" {
		return nil
	}
	b.inFlight = true
	b.gen++ // a timer set before this read is now stale: one chain of polls only
	c, tid, seq := m.c.Client, b.b.TrackingID, b.seq
	base := m.c.Context()
	return tea.Batch(func() tea.Msg {
		cx, cancel := batchCtx(base)
		defer cancel()
		st, err := c.PayoutStatus(cx, tid)
		return statusMsg{seq: seq, b: st, err: err}
	}, m.startSpin())
}

func (m *Model) onStatus(msg statusMsg) tea.Cmd {
	b := m.batch
	now := m.c.Now()
	if b == nil || b.seq != msg.seq {
		return text.Health(msg.err, now)
	}
	b.inFlight = false
	if msg.err != nil {
		b.failures++
		b.note = common.SymWarn + " status check failed, retrying: " + text.ErrText(msg.err)
		if b.polling() {
			return tea.Batch(text.Health(msg.err, now), m.pollLater())
		}
		return text.Health(msg.err, now)
	}
	b.failures = 0
	b.note = ""
	st := msg.b
	prev := b.b
	m.setBatch(b, st, now)
	cmds := []tea.Cmd{text.Health(nil, now), failures(prev, st), m.recordStatus(st)}
	switch b.phase {
	case phaseApproveUnknown:
		cmds = append(cmds, m.settleUnknown(b, st))
	case phaseTracking:
		if st.Final() {
			b.phase = phaseFinal
			cmds = append(cmds, m.loadWallets(), m.finalToast(b))
		}
	case phasePreview, phaseCancelConfirm, phaseConfirming:
		m.changedElsewhere(b, st)
	}
	if b.polling() {
		cmds = append(cmds, m.pollLater())
	}
	return tea.Batch(cmds...)
}

// settleUnknown: this session's approve call has ended with no definite
// answer, and a status read came. The status settles it in the journal,
// whatever it says, and the pending count follows.
func (m *Model) settleUnknown(b *openBatch, st *client.Batch) tea.Cmd {
	var cmd tea.Cmd
	if j := m.opts.journal; j != nil {
		tid := b.b.TrackingID
		cmd = func() tea.Msg {
			_, err := j.SettleApproval(tid, st)
			return pendingLoadedMsg{entries: j.Pending(), err: err}
		}
	}
	switch {
	case st.Approved():
		b.phase = phaseTracking
		b.err = ""
		b.note = "IntaSend confirms the approval landed"
		m.afterApproval(b)
	case st.WaitingApproval():
		// Proven not approved: approving again is safe, and up to the person.
		b.phase = phasePreview
		b.approveWith = st
		b.err = "The approval did not reach IntaSend (the batch still waits for approval). A approves it again."
	default:
		b.phase = phaseFinal
	}
	return cmd
}

// changedElsewhere: a batch this session shows for approval was approved,
// cancelled or failed elsewhere; or it still waits, with a fresh nonce.
func (m *Model) changedElsewhere(b *openBatch, st *client.Batch) {
	if st.WaitingApproval() {
		if st.Nonce != "" {
			b.approveWith = st
		}
		return
	}
	if st.Approved() && !st.Final() {
		b.phase = phaseTracking
	} else {
		b.phase = phaseFinal
	}
	b.note = "Changed elsewhere: " + st.Status + " (" + st.StatusCode + ")"
	b.err = "" // whatever stood in the way of approving it no longer applies
}

func (m *Model) finalToast(b *openBatch) tea.Cmd {
	cur := b.currency()
	s := b.sum
	if b.b.StatusCode == client.BatchCompleted {
		kind := common.ToastSuccess
		if s.failed > 0 {
			kind = common.ToastWarn
		}
		return common.Toast(kind, fmt.Sprintf("%s Batch %s completed: %d paid (%s), %d failed (%s)",
			common.SymOK, b.b.FileID, s.paid, s.paidAmt.Format(cur), s.failed, s.failedAmt.Format(cur)))
	}
	return common.Toast(common.ToastError, fmt.Sprintf("%s Batch %s ended: %s (%s)", common.SymFailed, b.b.FileID, b.b.Status, b.b.StatusCode))
}

// ---- opening a batch by tracking id (from Pending or typed in) ----

type openedMsg struct {
	seq int
	b   *client.Batch
	err error
}

func (m *Model) openIDPrompt() tea.Cmd {
	return m.newPrompt(promptOpenID, "Open a batch by tracking id", "A batch initiated elsewhere (the dashboard, a script, another malipo).", "tracking id (uuid)", "")
}

func (m *Model) openByID(tid string) tea.Cmd {
	if why := m.busyBatch(); why != "" {
		return common.Toast(common.ToastWarn, "Not now: "+why)
	}
	if b := m.batch; b != nil && b.b != nil && b.b.TrackingID == tid {
		m.screen = scrBatch
		return m.pollNow()
	}
	m.seq++
	seq := m.seq
	m.batch = &openBatch{seq: seq, phase: phaseOpening, b: &client.Batch{TrackingID: tid}}
	m.screen = scrBatch
	c := m.c.Client
	base := m.c.Context()
	return tea.Batch(func() tea.Msg {
		cx, cancel := batchCtx(base)
		defer cancel()
		st, err := c.PayoutStatus(cx, tid)
		return openedMsg{seq: seq, b: st, err: err}
	}, m.startSpin())
}

func (m *Model) onOpened(msg openedMsg) tea.Cmd {
	b := m.batch
	now := m.c.Now()
	if b == nil || b.seq != msg.seq {
		return nil
	}
	if msg.err != nil {
		m.batch = nil
		if m.screen == scrBatch {
			m.screen = scrPending
			if m.from != scrCompose {
				m.screen = m.from // back to the history or the queue it came from
			}
		}
		return tea.Batch(text.Health(msg.err, now), common.Error("Could not open batch "+b.b.TrackingID, msg.err))
	}
	m.setBatch(b, msg.b, now)
	b.approveWith = msg.b
	m.noteEntry(b)
	record := m.recordStatus(msg.b)
	switch {
	case msg.b.WaitingApproval():
		b.phase = phasePreview
		m.pend.remember(msg.b, "elsewhere", now)
	case msg.b.Approved() && !msg.b.Final():
		b.phase = phaseTracking
	default:
		b.phase = phaseFinal
	}
	cmds := []tea.Cmd{text.Health(nil, now), record}
	if b.polling() {
		cmds = append(cmds, m.pollLater())
	}
	return tea.Batch(cmds...)
}

// ---- the pending list ----

// pendingList is the journal's batches waiting for approval (or whose
// approval is unsettled) plus those opened here by tracking id.
type pendingList struct {
	items   []pendingItem
	opened  []pendingItem
	tbl     table.Model // cursor and window over all()
	loading bool
	count   int           // len(all()), kept for the composer's totals line
	merged  []pendingItem // all(), rebuilt when items or opened change
	stateW  int           // the STATE column's minimum for the policy's words
}

type pendingItem struct {
	trackingID, fileID string
	rail               payout.Rail
	count              int
	total              client.Amount
	currency           string
	initiator          string
	at                 string
	status             string
	entry              payout.Entry // the journal's record, for approvals and expiry
	hasEntry           bool
}

func (p *pendingList) remember(b *client.Batch, who string, now time.Time) {
	for _, it := range p.opened {
		if it.trackingID == b.TrackingID {
			return
		}
	}
	it := pendingItem{trackingID: b.TrackingID, fileID: b.FileID, count: len(b.Transactions), total: b.TotalAmount,
		initiator: who, at: when.DayTime(now, b.CreatedAt), status: b.Status}
	if b.Wallet != nil {
		it.currency = b.Wallet.Currency
	}
	if len(b.Transactions) > 0 {
		it.rail = payout.Rail(b.Transactions[0].Provider)
	}
	p.opened = append(p.opened, it)
	p.rebuild()
}

type pendingLoadedMsg struct {
	entries []payout.Entry
	err     error // the journal could not record a settled approval
}

// loadPending reads the journal's pending batches, first settling any
// approval left approving (by a session killed mid-approve, here or on
// another host) with a status read, so the list and the composer's
// "batches waiting" tell the truth from the moment the console opens.
func (m *Model) loadPending() tea.Cmd {
	j, c, base := m.opts.journal, m.c.Client, m.c.Context()
	if j == nil {
		return nil
	}
	return func() tea.Msg {
		err := resolveApproving(base, j, c)
		return pendingLoadedMsg{entries: j.Pending(), err: err}
	}
}

// resolveApproving asks IntaSend for the status of each batch whose latest
// journal event is approving and records what it says. It only reads:
// nothing is approved again. A status that cannot be read leaves the entry
// approving, to be asked again on the next load.
func resolveApproving(base context.Context, j *payout.Journal, c *client.Client) error {
	if c == nil {
		return nil
	}
	var errs []error
	for _, e := range j.Pending() {
		if e.Status != payout.StatusApproving {
			continue
		}
		cx, cancel := batchCtx(base)
		st, err := c.PayoutStatus(cx, e.TrackingID)
		cancel()
		if err == nil {
			_, err = j.ResolveApproval(e.TrackingID, st)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m *Model) onPendingLoaded(msg pendingLoadedMsg) tea.Cmd {
	now := m.c.Now()
	m.pend.items = m.pend.items[:0]
	for _, e := range msg.entries {
		m.pend.items = append(m.pend.items, pendingItem{trackingID: e.TrackingID, fileID: e.FileID, rail: e.Rail,
			count: e.Count, total: e.Total, currency: e.Currency, initiator: e.Initiator,
			at: when.DayTime(now, e.InitiatedAt), status: e.Status, entry: e, hasEntry: true})
	}
	m.pend.rebuild()
	// The policy's words must show whole (IntaSend's status may be cut);
	// worked out per load, not per frame, so a frame stays flat.
	m.pend.stateW = 10
	for _, it := range m.pend.items {
		if s := m.pendingState(it); s != it.status {
			m.pend.stateW = max(m.pend.stateW, text.Width(s))
		}
	}
	return journalWarning(msg.err)
}

// all is the journal's list followed by batches opened here and not in
// it (rebuilt on change: the list is read on every frame and key).
func (p *pendingList) all() []pendingItem { return p.merged }

func (p *pendingList) rebuild() {
	in := make(map[string]bool, len(p.items))
	out := append(p.merged[:0:0], p.items...)
	for _, it := range p.items {
		in[it.trackingID] = true
	}
	for _, o := range p.opened {
		if !in[o.trackingID] {
			out = append(out, o)
		}
	}
	p.merged, p.count = out, len(out)
}

func (m *Model) showPending() tea.Cmd {
	m.screen = scrPending
	return m.loadPending()
}

// pendingColumns: the tracking id (a UUID) comes first for the spare
// width, then the initiator and the state; money is right-aligned. stateW
// is the state's minimum: the policy's words ("expired: cancel it") must
// show whole, IntaSend's status may be cut.
func pendingColumns(stateW int) []table.Column {
	return []table.Column{
		{Title: "TRACKING ID", Min: 8, Flex: 6, Max: 36},
		{Title: "RAIL", Min: 10},
		{Title: "ROWS", Min: 6, Align: table.Right},
		{Title: "TOTAL", Min: 16, Align: table.Right},
		{Title: "INITIATOR", Min: 8, Flex: 1, Max: 24},
		{Title: "WHEN", Min: 12},
		{Title: "STATE", Min: stateW, Flex: 1},
	}
}

func (m *Model) pendingKeys(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	items := m.pend.all()
	m.pend.tbl.SetTotal(len(items))
	if _, ok := m.pend.tbl.Update(k); ok {
		return nil
	}
	switch {
	case key.Matches(k, km.Open):
		if i, ok := m.pend.tbl.Current(); ok {
			return m.openByID(items[i].trackingID)
		}
	case key.Matches(k, km.OpenID):
		return m.openIDPrompt()
	case key.Matches(k, km.OpenBatch):
		if m.batch != nil {
			m.screen = scrBatch
		}
	case key.Matches(k, km.Back):
		m.screen = scrCompose
	}
	return nil
}

func (m *Model) pendingView() string {
	st := m.c.Styles
	items := m.pend.all()
	var b strings.Builder
	b.WriteString(m.titleLine("Pending approval"))
	b.WriteByte('\n')
	if len(items) == 0 {
		b.WriteString(st.Faint.Render("No batch waits for approval. o opens one by tracking id; esc goes back to the composer."))
		return b.String()
	}
	t := &m.pend.tbl
	t.SetColumns(pendingColumns(min(m.pend.stateW, max((m.width-2)/3, 10))))
	t.SetTotal(len(items))
	t.SetSize(m.width, max(m.height-3, 1))
	b.WriteString(t.View(func(i int, r *table.Row) {
		it := items[i]
		cur := it.currency
		if cur == "" {
			cur = "KES"
		}
		r.Add(it.trackingID, string(it.rail), fmtInt(it.count), it.total.Format(cur), it.initiator, it.at, m.pendingState(it))
	}))
	b.WriteByte('\n')
	b.WriteString(st.Faint.Render("enter opens it for approval or cancelling · o opens by tracking id · esc back"))
	return b.String()
}

// ---- results: export and retry ----

// clipboardMax is the largest results CSV offered to the clipboard: OSC 52
// sends it base64-encoded through the terminal (and over SSH), and many
// terminals drop or truncate far smaller payloads than a whole batch.
const clipboardMax = 64 << 10

type (
	exportedMsg struct {
		seq    int
		target string // folder file name, or local path
		rows   int
		what   string // "results", "batch history"
		exists bool   // not written: a file of that name is there; ask first
		err    error
		audit  error
	}
	// exportReplaceMsg is the answer to "replace it?".
	exportReplaceMsg struct{ target string }
)

func (m *Model) exportPrompt() tea.Cmd {
	if !m.keys.Export.Enabled() {
		return m.refuse("payout.export", "", common.PermExport)
	}
	job, ok := m.exportJob()
	if !ok {
		return nil
	}
	if m.c.Files != nil {
		return m.newPrompt(promptExport, "Export "+job.what+" to your folder",
			"A file name in your folder on the server; fetch the file afterwards with scp.", "file name", job.name)
	}
	def := filepath.Join(m.opts.resultsDir, job.local)
	if m.opts.resultsDir == "." {
		def = "./" + job.local // say where it goes
	}
	return m.newPrompt(promptExport, "Export "+job.what+" as CSV", job.help, "file path", def)
}

// exportJob is what E writes: the history list as filtered (on the
// history), else the open batch's results. Both go through the same path
// (the SSH user's folder, or a local file).
type exportJob struct {
	what, help  string
	name, local string // default names over SSH and locally
	rows        int
	write       func(io.Writer) error
}

func (m *Model) exportJob() (exportJob, bool) {
	if m.screen == scrHistory {
		es := m.hist.shown()
		if len(es) == 0 {
			return exportJob{}, false
		}
		day := m.c.Now().Format("2006-01-02")
		return exportJob{what: "batch history", help: "One line per batch: ids, rail, total, initiator, approvers, outcome.",
			name: "payout-history-" + day + ".csv", local: "payout-history-" + day + ".csv", rows: len(es),
			write: func(w io.Writer) error { return payout.WriteHistoryCSV(w, es) }}, true
	}
	b := m.batch
	if b == nil || !b.tracking() || len(b.b.Transactions) == 0 {
		return exportJob{}, false
	}
	snap := b.b
	return exportJob{what: "results", help: "One line per payout: status, code, M-Pesa/bank reference, charge.",
		name: "payout-results-" + snap.TrackingID + ".csv", local: "payout-results-" + snap.FileID + ".csv",
		rows: len(snap.Transactions), write: func(w io.Writer) error { return payout.WriteResultsCSV(w, snap) }}, true
}

// checkExportName is the export prompt's check over SSH: a plain name.
func (m *Model) checkExportName(name string) string {
	if m.c.Files == nil {
		return ""
	}
	if err := userdir.CheckName(name); err != nil {
		return err.Error()
	}
	return ""
}

// export writes the results into the SSH user's folder (a plain name) or,
// locally, to a path; an existing file is replaced only when replace says
// the person agreed to it.
func (m *Model) export(target string, replace bool) tea.Cmd {
	if !m.keys.Export.Enabled() {
		return m.refuse("payout.export", target, common.PermExport)
	}
	job, ok := m.exportJob()
	if !ok {
		return nil
	}
	m.expSeq++
	seq, dir, cm := m.expSeq, m.c.Files, m.c
	return func() tea.Msg {
		err := writeExport(dir, target, replace, job.write)
		if errors.Is(err, userdir.ErrExists) {
			return exportedMsg{seq: seq, target: target, exists: true}
		}
		ev := common.AuditEvent{Action: "payout.export", Target: target, Result: "ok",
			Detail: fmt.Sprintf("%s, %d rows", job.what, job.rows)}
		if err != nil {
			ev.Result, ev.Detail = "failed", fileErrText(err)
		}
		return exportedMsg{seq: seq, target: target, rows: job.rows, what: job.what, err: err, audit: cm.Audit(ev)}
	}
}

// writeExport writes a CSV: into dir by name (temporary file, renamed on
// success), or to a local path through userdir.CreateLocal.
func writeExport(dir *userdir.Dir, target string, replace bool, write func(io.Writer) error) error {
	if dir != nil {
		w, err := dir.Create(target, replace)
		if err != nil {
			return err
		}
		if err := write(w); err != nil {
			w.Abort()
			return err
		}
		return w.Close()
	}
	f, err := userdir.CreateLocal(target, replace)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (m *Model) onExported(msg exportedMsg) tea.Cmd {
	if msg.seq != m.expSeq {
		return nil
	}
	if msg.exists {
		where := "A file of that name is in your folder already."
		if m.c.Files == nil {
			where = "That file exists already."
		}
		return common.Confirm(common.ConfirmMsg{Title: "Replace " + filepath.Base(msg.target) + "?",
			Body: where + " Replace it with this export?", Perm: common.PermExport,
			OnConfirm: exportReplaceMsg{target: msg.target}, Action: "payout.export", Target: msg.target})
	}
	warn := audit.Warning(msg.audit)
	if msg.err != nil {
		return tea.Batch(common.Error("Export failed", errors.New(fileErrText(msg.err))), warn)
	}
	what := "Results"
	if msg.what == "batch history" {
		what = "Batch history"
	}
	done := what + " written to " + msg.target
	if m.c.Files != nil {
		done = fmt.Sprintf("%s written to your folder as %s: fetch it with scp -P PORT %s@HOST:%s .", what, msg.target, m.scpUser(), msg.target)
	}
	if m.batch != nil && m.screen == scrBatch {
		m.batch.note = done
	}
	return tea.Batch(common.Toast(common.ToastSuccess, common.SymOK+" "+done), warn)
}

// copyResults puts the results CSV on the terminal's clipboard (OSC 52,
// which also works over SSH) when it is small enough to arrive whole.
func (m *Model) copyResults() tea.Cmd {
	b := m.batch
	if !m.keys.Copy.Enabled() {
		return m.refuse("payout.export", "clipboard", common.PermExport)
	}
	if b == nil || !b.tracking() || len(b.b.Transactions) == 0 {
		return nil
	}
	var buf bytes.Buffer
	if err := payout.WriteResultsCSV(&buf, b.b); err != nil {
		return common.Error("Copy failed", err)
	}
	if buf.Len() > m.clipMax {
		return common.Toast(common.ToastWarn, fmt.Sprintf("%s The results CSV is %s, over the %s a terminal's clipboard reliably takes: export it with E instead",
			common.SymWarn, fmtSize(int64(buf.Len())), fmtSize(int64(m.clipMax))))
	}
	n := len(b.b.Transactions)
	b.note = fmt.Sprintf("Results CSV (%d %s) copied to the clipboard", n, text.Plural(n, "row", "rows"))
	return tea.Batch(common.Clipboard(buf.String()),
		common.Toast(common.ToastSuccess, common.SymOK+" "+b.note+" (if your terminal allows OSC 52)"),
		m.record("payout.export", "clipboard", "ok", fmt.Sprintf("%d rows, %d bytes", n, buf.Len())))
}

// retryFailed copies the failed rows into a new draft in the composer.
func (m *Model) retryFailed() tea.Cmd {
	b := m.batch
	if b == nil || !b.tracking() {
		return nil
	}
	rows := payout.FailedRows(b.b)
	if len(rows) == 0 {
		return common.Toast(common.ToastInfo, "No failed payouts in this batch")
	}
	rail := b.rail()
	if !rail.Valid() {
		rail = m.comp.d.Rail
	}
	d := payout.NewDraft(rail, m.c.Now())
	d.WalletID, d.Currency = m.batchWalletID(b), b.currency()
	d.Rows = rows
	old := len(m.comp.d.Rows)
	m.comp.reset(d)
	m.comp.revalidate(m.banks)
	m.comp.setCursor(0, m.composeRows())
	m.screen = scrCompose
	m.message = fmt.Sprintf("New draft: the %d failed %s of batch %s", len(rows), text.Plural(len(rows), "payout", "payouts"), b.b.FileID)
	if old > 0 {
		m.message += " (the previous draft stays in the journal)"
	}
	return m.changed()
}

// setBatch records IntaSend's latest answer for the open batch; a batch
// that no longer waits for approval leaves the session's pending list.
func (m *Model) setBatch(b *openBatch, nb *client.Batch, now time.Time) {
	b.set(nb, now)
	if !nb.WaitingApproval() {
		m.pend.forget(nb.TrackingID)
	}
}

func (p *pendingList) forget(tid string) {
	for i, it := range p.opened {
		if it.trackingID == tid {
			p.opened = append(p.opened[:i], p.opened[i+1:]...)
			break
		}
	}
	p.rebuild()
}
