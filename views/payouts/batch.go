package payouts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// phase is where the open batch is in its life. It is the only thing that
// decides which money-moving key does anything: approve works in
// phasePreview alone, and leaving phasePreview is the first thing the key
// does, so a second press (or a second confirmation) finds nothing to do.
type phase int

const (
	phaseInitiating      phase = iota + 1 // initiate in flight
	phaseInitiateUnknown                  // initiate's outcome unknown: a batch may exist
	phaseOpening                          // reading a batch opened by tracking id
	phasePreview                          // waiting approval: A and x work
	phaseConfirming                       // the approve confirmation is open
	phaseApproving                        // approve in flight (ApproveOnce)
	phaseApproveUnknown                   // approve's outcome unknown: reading the status, never re-sending
	phaseCancelConfirm                    // the cancel confirmation is open
	phaseCancelling                       // cancel in flight
	phaseTracking                         // approved: polling to the end
	phaseFinal                            // completed, failed or cancelled
)

// openBatch is the batch on the batch screen.
type openBatch struct {
	seq         int
	phase       phase
	draft       *payout.Draft // what was initiated (nil when opened by id)
	version     int           // the composer's version that was initiated
	fingerprint string
	b           *client.Batch // the latest answer, for display
	approveWith *client.Batch // the answer approve echoes back (nonce included)
	entry       payout.Entry  // the journal's record: initiator, when
	hasEntry    bool
	err         string // what went wrong last, in words
	note        string // what happened last, in words
	sum         summary

	gen      int // poll timers of an older generation are dropped
	inFlight bool
	failures int
	checked  time.Time
}

// summary is counted once per answer, not per frame.
type summary struct {
	paid, failed, cancelled, pending       int
	paidAmt, failedAmt, cancelledAmt, chgs client.Amount
}

func (b *openBatch) set(nb *client.Batch, now time.Time) {
	b.b = nb
	b.checked = now
	var s summary
	for _, t := range nb.Transactions {
		switch {
		case strings.HasPrefix(t.StatusCode, "TS"):
			s.paid++
			s.paidAmt += t.Amount
			s.chgs += t.Charge
		case strings.HasPrefix(t.StatusCode, "TC"):
			// Cancelled (the batch before approval, or what was left when
			// it ended early): never sent, so counted apart from failures.
			s.cancelled++
			s.cancelledAmt += t.Amount
		case payout.Failed(t):
			s.failed++
			s.failedAmt += t.Amount
		default:
			s.pending++
		}
	}
	if nb.ActualCharges > 0 {
		s.chgs = nb.ActualCharges
	}
	b.sum = s
}

// cancelled: the batch was called off before approval (BE111 with every
// row cancelled), as opposed to one that ended early after paying some.
func (b *openBatch) cancelled() bool {
	s := b.sum
	return b.b != nil && b.b.StatusCode == client.BatchEnded && s.paid == 0 && s.failed == 0 && s.pending == 0
}

// tracking: the batch is past approval (or its approval is being settled).
func (b *openBatch) tracking() bool {
	return b.phase == phaseTracking || b.phase == phaseApproveUnknown || b.phase == phaseFinal
}

// polling: status reads are scheduled.
func (b *openBatch) polling() bool {
	return b.phase == phaseTracking || b.phase == phaseApproveUnknown
}

// total is what the batch pays out (IntaSend's total_amount, else the sum).
func (b *openBatch) total() client.Amount { return payout.BatchTotal(b.b) }

func (b *openBatch) currency() string {
	if b.b.Wallet != nil && b.b.Wallet.Currency != "" {
		return b.b.Wallet.Currency
	}
	if len(b.b.Transactions) > 0 && b.b.Transactions[0].Currency != "" {
		return b.b.Transactions[0].Currency
	}
	if b.draft != nil && b.draft.Currency != "" {
		return b.draft.Currency
	}
	return "KES"
}

func (b *openBatch) rail() payout.Rail {
	if b.draft != nil {
		return b.draft.Rail
	}
	return payout.BatchRail(b.b)
}

// covers says whether the wallet's available balance covers total and
// charges, with the figures.
func (m *Model) covers(b *openBatch) (ok bool, avail, need client.Amount, known bool) {
	need = b.total() + b.b.ChargeEstimate
	if b.b.Wallet != nil {
		avail, known = b.b.Wallet.AvailableBalance, true
	}
	if w, found := m.walletByID(m.batchWalletID(b)); found && !known {
		avail, known = w.AvailableBalance, true
	}
	return !known || avail >= need, avail, need, known
}

func (m *Model) batchWalletID(b *openBatch) string {
	if b.b.Wallet != nil {
		return b.b.Wallet.ID
	}
	if b.draft != nil {
		return b.draft.WalletID
	}
	return ""
}

// batchCtx bounds one request whose body grows with the batch (initiate,
// approve with its status reads, cancel, a status read): a 5,000-row batch
// needs longer than common.Bounded's 30 s, which the small reads here
// (wallets, banks) use like every other screen. It is cancelled with base.
func batchCtx(base context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(base, batchTO)
}

// busyBatch says why a new batch cannot be opened now ("" when it can).
func (m *Model) busyBatch() string {
	if b := m.batch; b != nil {
		switch b.phase {
		case phaseInitiating:
			return "a batch is being initiated"
		case phaseApproving, phaseConfirming:
			return "an approval is under way"
		case phaseCancelling, phaseCancelConfirm:
			return "a cancellation is under way"
		}
	}
	return ""
}

// ---- preview: initiate with requires_approval YES ----

type (
	// initiateMsg: the duplicate warning was confirmed; again are the
	// batches it showed, which the journal's guard then lets this one join.
	initiateMsg struct {
		seq   int
		again []payout.Entry
	}
	// initiatedMsg is payout.Initiate's answer; its RecordErr also carries
	// an audit log that missed the outcome.
	initiatedMsg struct {
		seq int
		res payout.InitiateResult
	}
)

// preview refuses while rows have errors, then checks the wallet covers
// the batch (checkBalance), then warns before initiating a batch identical
// to one already initiated, then initiates.
func (m *Model) preview() tea.Cmd {
	if why := m.busyBatch(); why != "" {
		return common.Toast(common.ToastWarn, "Not now: "+why)
	}
	if why := m.storeRefusal(); why != "" {
		return m.initiateRefused("Preview refused: " + why)
	}
	if m.balSeq != 0 {
		return nil // the balance is being read for this very preview
	}
	d := m.comp.d
	ps := d.Problems(m.banks)
	if n := payout.Errors(ps); n > 0 {
		first := ""
		for _, p := range ps {
			if !p.Warning {
				first = p.String()
				break
			}
		}
		m.message = fmt.Sprintf("Preview refused: %d %s to fix first (%s)", n, text.Plural(n, "error", "errors"), first)
		return common.Toast(common.ToastError, fmt.Sprintf("%s Preview refused: fix %d %s first", common.SymFailed, n, text.Plural(n, "error", "errors")))
	}
	return m.checkBalance()
}

// balanceMsg is the wallet's balance, read just before initiating.
type balanceMsg struct {
	seq      int
	walletID string
	w        *client.Wallet
	err      error
}

// checkBalance reads the paying wallet afresh: initiating creates a batch
// at IntaSend, so one the wallet cannot cover (total plus estimated
// charges) is refused here and never created. The wallets list on screen
// may be minutes old; this read is not.
func (m *Model) checkBalance() tea.Cmd {
	id := m.comp.d.WalletID
	if id == "" {
		m.message = "Preview refused: no wallet chosen (s), so the balance cannot be checked; nothing was initiated"
		return common.Toast(common.ToastError, common.SymFailed+" Choose the wallet to pay from first (s)")
	}
	m.seq++
	m.balSeq = m.seq
	seq, c, base := m.seq, m.c.Client, m.c.Context()
	m.message = "Checking that wallet " + id + " covers the batch…"
	return tea.Batch(func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		w, err := c.GetWallet(cx, id)
		return balanceMsg{seq: seq, walletID: id, w: w, err: err}
	}, m.startSpin())
}

// onBalance initiates when the wallet covers the draft as it is now (it
// may have been edited while the balance was read); otherwise it says by
// how much it falls short, and nothing is initiated.
func (m *Model) onBalance(msg balanceMsg) tea.Cmd {
	if msg.seq != m.balSeq {
		return nil
	}
	m.balSeq = 0
	now := m.c.Now()
	d := m.comp.d
	switch {
	case msg.err != nil:
		m.message = "Preview not sent: the wallet's balance could not be read (" + text.ErrText(msg.err) + "); nothing was initiated"
		return tea.Batch(text.Health(msg.err, now), common.Error("Preview not sent", fmt.Errorf("the balance of wallet %s could not be read, so nothing was initiated: %w", msg.walletID, msg.err)))
	case d.WalletID != msg.walletID:
		m.message = "The wallet changed while its balance was read: p previews again"
		return text.Health(nil, now)
	}
	m.freshWallet(*msg.w)
	_, sum := d.Totals()
	chg := d.EstimatedCharges()
	if need := sum + chg; msg.w.AvailableBalance < need {
		cur := cmp.Or(d.Currency, "KES")
		short := (need - msg.w.AvailableBalance).Format(cur)
		// The amount short leads: it survives a narrow status line.
		m.message = fmt.Sprintf("Preview refused: %s short (available %s; needs %s + est. charges %s); nothing was initiated",
			short, msg.w.AvailableBalance.Format(cur), sum.Format(cur), chg.Format(cur))
		why := fmt.Errorf("wallet %s has %s available; the batch needs %s plus estimated charges %s: %s short. "+
			"Nothing was initiated at IntaSend. Top the wallet up or choose another (s), then preview again",
			msg.w.ID, msg.w.AvailableBalance.Format(cur), sum.Format(cur), chg.Format(cur), short)
		return tea.Batch(text.Health(nil, now), common.Error("Preview refused: the wallet is "+short+" short", why))
	}
	return tea.Batch(text.Health(nil, now), m.guardDuplicate())
}

// freshWallet puts a wallet just read into the list the screen shows.
func (m *Model) freshWallet(w client.Wallet) {
	for i := range m.wallets {
		if m.wallets[i].ID == w.ID {
			m.wallets[i] = w
		}
	}
}

// guardDuplicate asks before initiating a batch identical to one already
// initiated, else initiates.
func (m *Model) guardDuplicate() tea.Cmd {
	d := m.comp.d
	fp := d.Fingerprint()
	if prior := m.priorInitiations(fp); len(prior) > 0 {
		m.seq++
		m.dupSeq = m.seq
		return common.Confirm(common.ConfirmMsg{
			Title:     "Initiate this batch again?",
			Body:      dupBody(prior, m.c.Now()),
			Danger:    true,
			Perm:      common.PermInitiate,
			OnConfirm: initiateMsg{seq: m.seq, again: prior},
			Action:    "payout.initiate-duplicate",
			Target:    "malipo-" + d.ID,
			Amount:    m.comp.sum,
		})
	}
	return m.initiate()
}

// priorInitiations are the journal's batches with this fingerprint, and
// this session's ambiguous attempts when there is no journal.
func (m *Model) priorInitiations(fp string) []payout.Entry {
	var out []payout.Entry
	if j := m.opts.journal; j != nil {
		out = j.Initiated(fp)
	}
	if len(out) == 0 {
		out = m.sessionInitiated[fp]
	}
	return out
}

func dupBody(prior []payout.Entry, now time.Time) string {
	e := prior[len(prior)-1]
	what := "its outcome is unknown"
	switch e.Status {
	case payout.StatusInitiated:
		what = "it waits for approval"
	case payout.StatusApproved:
		what = "it was approved"
	case payout.StatusApproving, payout.StatusApproveFailed:
		what = "its approval's outcome is unknown"
	}
	tid := e.TrackingID
	if tid == "" {
		tid = "no tracking id: the answer was lost"
	}
	s := "An identical batch (same rail, wallet, accounts and amounts) was already initiated"
	if !e.InitiatedAt.IsZero() {
		s += " at " + when.DayTime(now, e.InitiatedAt)
	}
	if e.Initiator != "" {
		s += " by " + e.Initiator
	}
	s += fmt.Sprintf(" (%s); %s.", tid, what)
	if len(prior) > 1 {
		s += fmt.Sprintf(" %d identical batches in all.", len(prior))
	}
	return s + "\nInitiating again makes a second batch: approving both pays everyone twice."
}

func (m *Model) onInitiateConfirmed(msg initiateMsg) tea.Cmd {
	if msg.seq != m.dupSeq {
		return nil
	}
	m.dupSeq = 0
	return m.initiate(msg.again...)
}

// initiate sends the draft, once, through payout.Initiate (the journal
// reserves the attempt before the call, refusing an identical batch other
// than again that another session initiated meanwhile, and records the
// answer after; the call is never retried), then audits it.
func (m *Model) initiate(again ...payout.Entry) tea.Cmd {
	if why := m.busyBatch(); why != "" {
		return common.Toast(common.ToastWarn, "Not now: "+why)
	}
	if why := m.storeRefusal(); why != "" {
		return m.initiateRefused("Not initiated: " + why)
	}
	d := snapshot(m.comp.d)
	m.seq++
	seq := m.seq
	_, sum := d.Totals()
	m.batch = &openBatch{seq: seq, phase: phaseInitiating, draft: d, fingerprint: d.Fingerprint(), version: m.comp.version,
		b: &client.Batch{Wallet: m.walletPtr(d.WalletID), TotalAmount: sum, TransactionsCount: len(d.Rows)}}
	m.screen = scrBatch
	j, c, device, cm := m.opts.journal, m.c.Client, m.opts.deviceID, m.c
	run := func() tea.Msg {
		cx, cancel := batchCtx(cm.WriteContext())
		defer cancel()
		res := payout.Initiate(cx, j, c, d, device, again...)
		if res.JournalErr != nil {
			return initiatedMsg{seq: seq, res: res} // nothing was sent: nothing to audit
		}
		if res.Refusal != nil {
			ev := audit.Event("payout.initiate", d.Request().BatchReference, sum, d.Currency, res.Refusal)
			ev.Result = audit.Refused
			if aerr := cm.Audit(ev); aerr != nil {
				res.RecordErr = fmt.Errorf("audit log: %w", aerr)
			}
			return initiatedMsg{seq: seq, res: res}
		}
		target := d.Request().BatchReference
		if res.Batch != nil {
			target = res.Batch.TrackingID
		}
		if aerr := cm.Audit(audit.Event("payout.initiate", target, sum, d.Currency, res.Err)); aerr != nil && res.RecordErr == nil {
			res.RecordErr = fmt.Errorf("audit log: %w", aerr)
		}
		return initiatedMsg{seq: seq, res: res}
	}
	return tea.Batch(run, m.startSpin())
}

func (m *Model) walletPtr(id string) *client.Wallet {
	if w, ok := m.walletByID(id); ok {
		return &w
	}
	return nil
}

func (m *Model) onInitiated(msg initiatedMsg) tea.Cmd {
	b := m.batch
	now := m.c.Now()
	if b == nil || b.seq != msg.seq {
		return nil
	}
	return tea.Batch(journalWarning(msg.res.RecordErr), m.initiated(b, msg.res, now))
}

// journalWarning tells the person the journal missed an answer: the call
// itself went through, but a crash now would leave the journal unsure.
func journalWarning(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return common.Toast(common.ToastWarn, common.SymWarn+" The payout journal could not record IntaSend's answer: "+err.Error())
}

func (m *Model) initiated(b *openBatch, r payout.InitiateResult, now time.Time) tea.Cmd {
	switch {
	case r.JournalErr != nil:
		m.batch, m.screen = nil, scrCompose
		return common.Error("Preview not sent", fmt.Errorf("the payout journal could not record the attempt, so nothing was sent to IntaSend: %w", r.JournalErr))
	case r.Refusal != nil:
		m.batch, m.screen = nil, scrCompose
		m.message = "Not initiated: " + r.Refusal.Error()
		return tea.Batch(m.loadPending(), common.Error("Not initiated", r.Refusal))
	case r.Err == nil:
		m.setBatch(b, r.Batch, now)
		b.approveWith = r.Batch
		b.phase = phasePreview
		if !r.Batch.WaitingApproval() {
			b.phase = phaseTracking
		}
		m.sessionInitiated[b.fingerprint] = append(m.sessionInitiated[b.fingerprint],
			payout.Entry{TrackingID: r.Batch.TrackingID, FileID: r.Batch.FileID, Status: payout.StatusInitiated, InitiatedAt: now})
		m.noteEntry(b)
		if m.opts.journal == nil && r.Batch.WaitingApproval() {
			m.pend.remember(r.Batch, "this session", now)
		}
		m.message = "Initiated batch " + r.Batch.FileID + ": waiting for approval"
		if m.comp.d.ID == b.draft.ID && m.comp.version == b.version {
			m.comp.initiated = true
		}
		cmds := []tea.Cmd{text.Health(nil, now), m.loadPending()}
		if b.polling() {
			cmds = append(cmds, m.pollNow())
		}
		return tea.Batch(cmds...)
	case client.IsAmbiguous(r.Err):
		b.phase = phaseInitiateUnknown
		b.err = fmt.Sprintf("IntaSend did not answer clearly (%s). A batch may have been created; it was NOT sent again. "+
			"It cannot move money without an approval. Look under Pending (P) or open it by tracking id (o); "+
			"p now warns before initiating the same batch again.", text.ErrText(r.Err))
		m.sessionInitiated[b.fingerprint] = append(m.sessionInitiated[b.fingerprint],
			payout.Entry{Status: payout.StatusInitiating, InitiatedAt: now})
		return tea.Batch(text.Health(r.Err, now), common.Error("Preview outcome unknown", errors.New(b.err)))
	}
	m.batch, m.screen = nil, scrCompose
	m.message = "IntaSend refused the preview: " + text.ErrText(r.Err)
	m.markRowErrors(r.Err)
	return tea.Batch(text.Health(r.Err, now), common.Error("Preview refused by IntaSend", r.Err))
}

// markRowErrors puts IntaSend's per-row refusals ("transactions.3.account")
// on the status line, so the row can be found.
func (m *Model) markRowErrors(err error) {
	for _, r := range payout.RowErrors(err) {
		if r.Row < len(m.comp.d.Rows) {
			m.comp.setCursor(r.Row, m.composeRows())
			m.message = fmt.Sprintf("IntaSend refused row %d (%s): %s", r.Row+1, r.Field, r.Detail)
			return
		}
	}
}

func (m *Model) noteEntry(b *openBatch) {
	if j := m.opts.journal; j != nil && b.b != nil && b.b.TrackingID != "" {
		b.entry, b.hasEntry = j.Entry(b.b.TrackingID)
	}
	if m.bpol.seq != b.seq {
		m.notePolicy(b)
	}
}

// ---- approve ----

type (
	approveConfirmedMsg struct{ seq int }
	approveCancelledMsg struct{ seq int }
	// approvedMsg is payout.Approve's answer, and the audit log's when it
	// missed the outcome.
	approvedMsg struct {
		seq      int
		res      payout.ApproveResult
		auditErr error
	}
)

// approve asks for the typed confirmation. It acts only in phasePreview and
// leaves it at once, so pressing A again does nothing.
func (m *Model) approve() tea.Cmd {
	b := m.batch
	if b == nil || b.phase != phasePreview || !m.c.Can(common.PermApprove) {
		return nil
	}
	cur := b.currency()
	if why := m.storeRefusal(); why != "" {
		b.err = "Not approved: " + why + ". It can be approved once the store answers again."
		return m.refusedStoreDown("payout.approve", b.b.TrackingID, b.total(), cur)
	}
	if ok, avail, need, _ := m.covers(b); !ok {
		b.err = fmt.Sprintf("Cannot approve: the wallet's available %s is less than the total plus charges %s (short by %s). Top the wallet up, then open the batch again.",
			avail.Format(cur), need.Format(cur), (need - avail).Format(cur))
		return common.Toast(common.ToastError, common.SymFailed+" The wallet does not cover this batch")
	}
	standing, refused := m.policyCheck(b)
	if refused != nil {
		return refused
	}
	b.phase = phaseConfirming
	total := b.total()
	body := fmt.Sprintf("Pays %s %s from %s: %s plus charges %s.\nFile %s · tracking %s",
		fmtInt(len(b.b.Transactions)), text.Plural(len(b.b.Transactions), "payout", "payouts"), m.walletLabel(b),
		total.Format(cur), b.b.ChargeEstimate.Format(cur), b.b.FileID, b.b.TrackingID)
	if dup := duplicates(b.b.Transactions, cur); dup != "" {
		body += "\n" + dup
	}
	if m.c.Client != nil && m.opts.deviceID != "" {
		body += "\nThe nonce is signed with device " + m.opts.deviceID + "'s key."
	}
	body += m.dialogPolicy(b, standing)
	return common.Confirm(common.ConfirmMsg{
		Title:     "Approve payout of " + total.Format(cur),
		Body:      body,
		Typed:     total.String(),
		Danger:    true,
		Perm:      common.PermApprove,
		OnConfirm: approveConfirmedMsg{seq: b.seq},
		OnCancel:  approveCancelledMsg{seq: b.seq},
		Action:    "payout.approve",
		Target:    b.b.TrackingID,
		Amount:    total,
		Initiator: b.entry.Initiator, // four-eyes: the shell refuses the initiator
	})
}

// duplicates says, for the approval dialog, how many payouts repeat an
// earlier one's account and amount (a file imported twice doubles every
// payment), with the first few: the last look before money moves. Empty
// when there are none.
func duplicates(txs []client.PayoutResult, cur string) string {
	extra, reps := payout.Repeats(txs)
	if extra == 0 {
		return ""
	}
	var ex []string
	for _, r := range reps[:min(len(reps), 3)] {
		ex = append(ex, fmt.Sprintf("%s %s ×%d", r.Account, r.Amount.Format(cur), r.Count))
	}
	if len(reps) > 3 {
		ex = append(ex, "…")
	}
	return fmt.Sprintf("%s %s %s the same account the same amount as another row (%s).", common.SymWarn,
		fmtInt(extra), text.Plural(extra, "duplicate pays", "duplicates pay"), strings.Join(ex, ", "))
}

func (m *Model) walletLabel(b *openBatch) string {
	if b.b.Wallet != nil && b.b.Wallet.Label != "" {
		return b.b.Wallet.Label + " (" + b.b.Wallet.ID + ")"
	}
	if id := m.batchWalletID(b); id != "" {
		return id
	}
	return "the settlement wallet"
}

func (m *Model) onApproveCancelled(msg approveCancelledMsg) tea.Cmd {
	if b := m.batch; b != nil && b.seq == msg.seq && b.phase == phaseConfirming {
		b.phase = phasePreview
	}
	return nil
}

// onApproveConfirmed sends the approval, once: a second confirmation finds
// the batch no longer confirming and is dropped.
func (m *Model) onApproveConfirmed(msg approveConfirmedMsg) tea.Cmd {
	b := m.batch
	if b == nil || b.seq != msg.seq || b.phase != phaseConfirming {
		return nil
	}
	b.phase = phaseApproving
	b.err = ""
	m.approvesSent++
	j, c, with, seq, cm := m.opts.journal, m.c.Client, b.approveWith, b.seq, m.c
	req := m.approvalRequest(b)
	run := func() tea.Msg {
		// payout.Approve records this approval and, only when it is the
		// last one needed, sends it: then and only then the call goes out.
		cx, cancel := batchCtx(cm.WriteContext())
		defer cancel()
		res := payout.Approve(cx, j, c, with, req)
		return approvedMsg{seq: seq, res: res, auditErr: auditApproval(cm, req, res)}
	}
	return tea.Batch(run, m.startSpin())
}

// refused: IntaSend answered no (a 4xx other than 429), so nothing moved.
func (m *Model) onApproved(msg approvedMsg) tea.Cmd {
	b := m.batch
	now := m.c.Now()
	if b == nil || b.seq != msg.seq {
		return journalWarning(msg.recordErr())
	}
	prev := b.b
	cmd := m.approved(b, msg.res, now)
	// Approval's own answer may already say the batch failed (its float check).
	return tea.Batch(journalWarning(msg.recordErr()), cmd, failures(prev, b.b))
}

func (m *Model) approved(b *openBatch, r payout.ApproveResult, now time.Time) tea.Cmd {
	switch {
	case r.Refusal != nil, r.Step != nil:
		return m.approvalStep(b, r)
	case r.JournalErr != nil:
		b.phase = phasePreview
		b.err = "Not approved: the payout journal could not record the approval, so nothing was sent: " + r.JournalErr.Error()
		return common.Error("Approval not sent", errors.New(b.err))
	case r.Err == nil:
		m.setBatch(b, r.Batch, now)
		b.phase = phaseTracking
		b.note = "Approved " + when.Clock(now, now)
		m.afterApproval(b)
		return tea.Batch(text.Health(nil, now), m.loadPending(), m.loadWallets(), m.pollLater(), common.Toast(common.ToastSuccess,
			fmt.Sprintf("%s Approved: paying %s from %s", common.SymOK, b.total().Format(b.currency()), m.walletLabel(b))))
	case errors.Is(r.Err, client.ErrNotApproved):
		if r.Batch != nil {
			m.setBatch(b, r.Batch, now)
		}
		b.phase = phaseFinal
		b.err = "Not approved: " + text.ErrText(r.Err)
		return tea.Batch(text.Health(r.Err, now), m.loadPending(), common.Error("Batch not approved", r.Err))
	case payout.Refused(r.Err):
		// Nothing moved. Read the status anyway: "already approved" means
		// someone else approved it, and the screen should say so.
		b.phase = phasePreview
		b.err = "IntaSend refused the approval: " + text.ErrText(r.Err)
		return tea.Batch(text.Health(r.Err, now), m.loadPending(), m.pollNow(), common.Error("Approval refused", r.Err))
	}
	// Outcome unknown even after ApproveOnce asked for the status: never
	// approve again from here; keep reading the status until it says.
	b.phase = phaseApproveUnknown
	b.err = fmt.Sprintf("The approval's outcome is unknown (%s). It was NOT sent again; checking the batch status until IntaSend says.", text.ErrText(r.Err))
	return tea.Batch(text.Health(r.Err, now), m.loadPending(), m.pollLater(),
		common.Error("Approval outcome unknown", errors.New(b.err)))
}

// afterApproval clears the composer when it still holds the batch just
// approved: that draft is done.
func (m *Model) afterApproval(b *openBatch) {
	if b.draft == nil || m.comp.d.ID != b.draft.ID || m.comp.version != b.version {
		return
	}
	d := m.comp.d
	m.resetDraft()
	if j := m.opts.journal; j != nil {
		_ = j.DiscardDraft(d.ID)
	}
}

// ---- cancel ----

type (
	cancelConfirmedMsg struct{ seq int }
	cancelDroppedMsg   struct{ seq int }
	cancelledMsg       struct {
		seq int
		b   *client.Batch
		err error
	}
)

func (m *Model) cancelBatch() tea.Cmd {
	b := m.batch
	if b == nil || b.phase != phasePreview || !m.c.Can(common.PermApprove) {
		return nil
	}
	b.phase = phaseCancelConfirm
	return common.Confirm(common.ConfirmMsg{
		Title:     "Cancel batch " + b.b.FileID,
		Body:      fmt.Sprintf("%s %s, %s. Nothing has been paid; after cancelling it can never be approved.", fmtInt(len(b.b.Transactions)), text.Plural(len(b.b.Transactions), "payout", "payouts"), b.total().Format(b.currency())),
		Danger:    true,
		Perm:      common.PermApprove,
		OnConfirm: cancelConfirmedMsg{seq: b.seq},
		OnCancel:  cancelDroppedMsg{seq: b.seq},
		Action:    "payout.cancel",
		Target:    b.b.TrackingID,
		Amount:    b.total(),
		Initiator: b.entry.Initiator,

		// The buttons name the action: "Cancel" beside "Confirm" in a
		// dialog about cancelling reads both ways.
		ConfirmLabel: "Cancel batch",
		CancelLabel:  "Keep batch",
	})
}

func (m *Model) onCancelDropped(msg cancelDroppedMsg) tea.Cmd {
	if b := m.batch; b != nil && b.seq == msg.seq && b.phase == phaseCancelConfirm {
		b.phase = phasePreview
	}
	return nil
}

func (m *Model) onCancelConfirmed(msg cancelConfirmedMsg) tea.Cmd {
	b := m.batch
	if b == nil || b.seq != msg.seq || b.phase != phaseCancelConfirm {
		return nil
	}
	b.phase = phaseCancelling
	j, c, seq, fileID, tid, cm := m.opts.journal, m.c.Client, b.seq, b.b.FileID, b.b.TrackingID, m.c
	total, cur := b.total(), b.currency()
	run := func() tea.Msg {
		cx, cancel := batchCtx(cm.WriteContext())
		defer cancel()
		out, err := c.CancelPayout(cx, fileID)
		if err == nil && j != nil {
			_ = j.RecordCancelled(tid, out)
		}
		_ = cm.Audit(audit.Event("payout.cancel", tid, total, cur, err))
		return cancelledMsg{seq: seq, b: out, err: err}
	}
	return tea.Batch(run, m.startSpin())
}

func (m *Model) onCancelled(msg cancelledMsg) tea.Cmd {
	b := m.batch
	now := m.c.Now()
	if b == nil || b.seq != msg.seq {
		return nil
	}
	if msg.err != nil {
		// Refused or unknown: the status says which; nothing is re-sent.
		b.phase = phasePreview
		b.err = "Cancel failed: " + text.ErrText(msg.err)
		return tea.Batch(text.Health(msg.err, now), m.pollNow(), common.Error("Cancel failed", msg.err))
	}
	m.setBatch(b, msg.b, now)
	b.phase = phaseFinal
	b.err = "" // a "cannot approve" from before says nothing about a cancelled batch
	b.note = "Cancelled before approval: nothing was paid"
	return tea.Batch(text.Health(nil, now), m.loadPending(), common.Toast(common.ToastSuccess, common.SymOK+" Batch "+msg.b.FileID+" cancelled"))
}
