// Package payouts is the console's Payouts screen (docs/design.md §9): compose a
// batch of up to 5,000 payouts by hand or from CSV, with every row
// validated as it is typed; preview it (IntaSend's initiate with
// requires_approval YES: charges, totals, whether the wallet covers it);
// approve it with a typed confirmation (the nonce signed when a device key
// is set); track it to the end, export the results and retry the failures.
//
// Money moves once. Every step is written to the payout journal before and
// after the call; initiate and approve are never retried blindly; the
// approve key is dead once an approval is in flight or done (a state
// machine on the open batch, not a flag on the key).
package payouts

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
	"github.com/malipo/malipo/ui/components/spin"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/ui/components/text"
)

// Timings.
const (
	pollEvery = 2 * time.Second  // tracking an approved batch
	pollMax   = 60 * time.Second // back-off ceiling after failed polls
	batchTO   = 60 * time.Second // a 5,000-row batch is a big body (batchCtx)
	undoDepth = 50
)

// Option configures the view; the shell passes what it owns.
type Option func(*options)

type options struct {
	journal    *payout.Journal
	bankCache  *bankpicker.Cache
	deviceID   string
	resultsDir string
	policy     func() *payout.Policy
}

// WithJournal gives the view the payout journal: drafts autosave there,
// the duplicate guard and the Pending list read it, and every initiate and
// approve is recorded before and after the call. Without it nothing
// survives a restart.
func WithJournal(j *payout.Journal) Option { return func(o *options) { o.journal = j } }

// WithBankCache shares the session's bank list (the Banks tab's cache) for
// PesaLink validation and the bank picker. Without it the view keeps its
// own (memory, then the on-disk day cache, then IntaSend).
func WithBankCache(c *bankpicker.Cache) Option { return func(o *options) { o.bankCache = c } }

// WithDeviceID is the registered device (IntaSend dashboard → API Devices)
// whose key signs approvals; it is sent as device_id on initiate. The
// signing key itself is the client's (client.WithSigner).
func WithDeviceID(id string) Option { return func(o *options) { o.deviceID = id } }

// WithResultsDir is where exported results CSVs go by default ("." when
// unset): <dir>/payout-results-<file_id>.csv.
func WithResultsDir(dir string) Option { return func(o *options) { o.resultsDir = dir } }

// screen is which part of the view is showing.
type screen int

const (
	scrCompose screen = iota
	scrPending
	scrBatch     // the open batch: preview and approve, or tracking
	scrAttention // the needs-attention queue (attention.go)
	scrHistory   // the batch history (history.go)
)

// Model is the payouts view. Use New.
type Model struct {
	c     *common.Common
	keys  KeyMap
	sched common.Scheduler // c.After; tests record the timers and fire them by hand
	opts  options

	width, height int
	shown         bool
	screen        screen
	seq           int    // ties answers and confirmations to what asked
	storeDown     string // why the shared store is down; "" while it answers (storedown.go)

	// Reference data.
	wallets     []client.Wallet // can_disburse only
	walletsErr  string
	walletsSeq  int
	banks       payout.BankSet
	bankList    []client.Bank
	banksLoaded bool
	banksErr    string

	comp    composer
	form    *form
	prompt  *prompt
	imp     *importPanel
	impSeq  int         // ties an import's answer to the panel that asked
	files   *filePicker // the SSH user's folder, listed for Import
	expSeq  int         // ties an export's answer to the prompt that asked
	clipMax int         // the largest CSV offered to the clipboard (clipboardMax; tests lower it)
	resume  *resumeOffer
	save    saver
	pend    pendingList
	attn    attnQueue   // the needs-attention queue
	hist    historyList // the batch history
	from    screen      // where esc on the open batch goes back to
	batch   *openBatch
	bpol    batchPolicy // the approval policy's view of the open batch
	spin    spin.Model
	paint   paints
	message string // the last thing worth saying on the composer's status line

	// dupSeq is the duplicate-guard confirmation waiting for an answer.
	dupSeq int
	// balSeq is the balance read a preview waits for (0: none).
	balSeq int
	// sessionInitiated backs the duplicate guard when there is no journal
	// (and covers attempts whose answer was lost).
	sessionInitiated map[string][]payout.Entry
	// approvesSent counts approvals this view has sent (tests prove one).
	approvesSent int

	// The tables (ui/components/table) that outlive what they show: the
	// open batch's rows and the folder picker's files, each back at the
	// top when a new batch or picker opens (resultsFor, filesFor).
	results    table.Model
	resultsFor *openBatch
	filesTbl   table.Model
	filesFor   *filePicker
}

// New builds the payouts view; Init loads wallets and banks and looks for
// unfinished drafts.
func New(c *common.Common, opts ...Option) common.View {
	return newModel(c, opts...)
}

func newModel(c *common.Common, opts ...Option) *Model {
	if c.Now == nil {
		c.Now = time.Now
	}
	var o options
	for _, f := range opts {
		f(&o)
	}
	if o.resultsDir == "" {
		o.resultsDir = "."
	}
	if o.bankCache == nil {
		o.bankCache = bankpicker.NewCache()
	}
	m := &Model{c: c, keys: DefaultKeyMap(), sched: c.After, opts: o, shown: true, spin: spin.New(c.Styles.Pending), width: 80, height: 20,
		sessionInitiated: map[string][]payout.Entry{}, clipMax: clipboardMax}
	m.applyPerms()
	m.pend.tbl = table.New(c, pendingColumns(10), table.WithKeys(m.keys.Nav), table.WithGap(1))
	m.attn.tbl = table.New(c, attentionColumns(), table.WithKeys(m.keys.Nav), table.WithGap(1))
	m.attn.sent = -1
	m.hist.init(c, m.keys)
	m.results = table.New(c, resultColumns("KES"), table.WithKeys(m.keys.Nav), table.WithGap(1))
	m.filesTbl = table.New(c, fileColumns(), table.WithKeys(m.keys.Nav), table.WithGap(1))
	m.banks = payout.DefaultBanks() // until IntaSend's list arrives
	m.comp.window = table.New(c, composeColumns(payout.B2C), table.WithKeys(m.keys.Nav), table.WithGap(1))
	m.comp.reset(payout.NewDraft(payout.B2C, c.Now()))
	m.comp.revalidate(m.banks)
	return m
}

// applyPerms unbinds the keys this session's role may not use (docs/design.md §8:
// unbound, not merely refused).
func (m *Model) applyPerms() {
	k := &m.keys
	ini := m.c.Can(common.PermInitiate)
	for _, b := range []*key.Binding{&k.Add, &k.Edit, &k.Delete, &k.Duplicate, &k.Undo, &k.Settings, &k.Preview, &k.RetryFailed, &k.NewDraft} {
		b.SetEnabled(ini)
	}
	// Importing fills the draft, so it needs both.
	imp := ini && m.c.Can(common.PermImport)
	for _, b := range []*key.Binding{&k.Import, &k.ImportFile, &k.ImportReplace, &k.ImportAppend} {
		b.SetEnabled(imp)
	}
	exp := m.c.Can(common.PermExport)
	k.Export.SetEnabled(exp)
	k.Copy.SetEnabled(exp)
	k.CopyDetails.SetEnabled(exp) // the details leave the console, as a CSV would
	app := m.c.Can(common.PermApprove)
	k.Approve.SetEnabled(app)
	k.CancelBatch.SetEnabled(app)
	k.Dismiss.SetEnabled(app) // marking a payout in doubt as seen is an approver's call
}

// Init loads the wallets that can pay out, the bank list and the journal's
// unfinished drafts and pending batches.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.loadWallets(), m.loadBanks(), m.loadDrafts(), m.loadPending(), m.loadBook(), m.sweep())
}

// Title is the tab label.
func (m *Model) Title() string { return "Payouts" }

// SetSize gives the body's size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 5)
	m.comp.window.SetSize(m.width, m.composeRows())
	if m.batch != nil {
		m.syncResults()
	}
}

// Capturing is true while a form, a prompt, the resume offer or the
// import's replace-or-append question takes keys (its r must not refresh).
func (m *Model) Capturing() bool {
	return m.form != nil || m.prompt != nil || m.resume != nil || (m.imp != nil && m.imp.choose) ||
		(m.screen == scrHistory && m.hist.filter.Focused())
}

// SetShown pauses tracking polls while the view is hidden.
func (m *Model) SetShown(shown bool) tea.Cmd {
	if shown == m.shown {
		return nil
	}
	m.shown = shown
	if b := m.batch; b != nil {
		b.gen++ // drops any pending poll timer
		if shown && b.polling() {
			return m.pollNow()
		}
	}
	return nil
}

// Refresh reloads wallets, banks and the open batch (the shell's `r`).
func (m *Model) Refresh() tea.Cmd {
	cmds := []tea.Cmd{m.loadWallets(), m.loadPending(), m.loadBook(), m.sweep()}
	if m.files != nil {
		cmds = append(cmds, m.listFiles()) // a file just copied in shows up
	}
	if !m.banksLoaded {
		cmds = append(cmds, m.loadBanks())
	}
	if m.batch != nil && !m.batch.inFlight && m.batch.phase != phaseApproving {
		cmds = append(cmds, m.pollNow())
	}
	return tea.Batch(cmds...)
}

// Palette messages: the shell sends them back when an action is chosen.
type (
	addRowMsg     struct{}
	newDraftMsg   struct{}
	importOpenMsg struct{}
	previewMsg    struct{}
	approveKeyMsg struct{}
	cancelKeyMsg  struct{}
	pendingMsg    struct{}
	openIDMsg     struct{}
	exportKeyMsg  struct{}
	copyKeyMsg    struct{}
	historyMsg    struct{}
)

// Actions are offered in the command palette. Keys are declared so the
// shell can also swallow them for roles that lack the permission.
func (m *Model) Actions() []common.Action {
	return []common.Action{
		{Title: "Add payout row", Help: "a new row in the batch being composed", Key: m.keys.Add, Msg: addRowMsg{}, Perm: common.PermInitiate},
		{Title: "Import payouts CSV", Help: "rows from a CSV file (≤ 5,000): replace the draft's or append", Key: m.keys.Import, Msg: importOpenMsg{}, Perm: common.PermImport},
		{Title: "New payout draft", Help: "start an empty draft (asks first; the current one is discarded)", Key: m.keys.NewDraft, Msg: newDraftMsg{}, Perm: common.PermInitiate},
		{Title: "Preview payout batch", Help: "initiate with IntaSend (requires approval): charges and totals", Key: m.keys.Preview,
			Msg: previewMsg{}, Perm: common.PermInitiate},
		{Title: "Approve payout batch", Help: "send the open batch's money (typed confirmation)", Key: m.keys.Approve,
			Msg: approveKeyMsg{}, Danger: true, Perm: common.PermApprove},
		{Title: "Cancel payout batch", Help: "cancel the open batch while it waits for approval", Key: m.keys.CancelBatch,
			Msg: cancelKeyMsg{}, Danger: true, Perm: common.PermApprove},
		{Title: "Export payout results CSV", Help: "the open batch's results, one line per payout", Key: m.keys.Export, Msg: exportKeyMsg{}, Perm: common.PermExport},
		{Title: "Copy payout results CSV", Help: "to your terminal's clipboard (OSC 52), when small enough", Key: m.keys.Copy, Msg: copyKeyMsg{}, Perm: common.PermExport},
		{Title: "Pending payout batches", Help: "batches waiting for approval", Key: m.keys.Pending, Msg: pendingMsg{}},
		{Title: "Open payout batch by tracking id", Help: "a batch initiated elsewhere", Key: m.keys.OpenID, Msg: openIDMsg{}},
		{Title: "Payouts needing attention", Help: "undetermined, under observation, ended early, no answer to approve, expired", Key: m.keys.Attention, Msg: attentionMsg{}},
		{Title: "Payout batch history", Help: "every batch initiated or approved here, with its outcome; filter and export", Key: m.keys.History, Msg: historyMsg{}},
	}
}

// ShortHelp is the footer's help for the current state.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.form != nil && m.form.Picking():
		return m.form.PickerHelp()
	case m.resume != nil:
		return []key.Binding{k.Resume, k.NotNow}
	case m.form != nil:
		return []key.Binding{k.NextField, k.Choose, k.Submit, k.Cancel}
	case m.prompt != nil:
		return []key.Binding{k.Submit, k.Cancel}
	case m.imp != nil && m.imp.choose:
		return []key.Binding{k.ImportReplace, k.ImportAppend, k.Back}
	case m.imp != nil:
		return []key.Binding{k.Up, k.Down, k.Back}
	case m.files != nil:
		return []key.Binding{k.Up, k.Down, k.ImportFile, k.Back}
	}
	return m.screenHelp()
}

// screenHelp is the footer's help for the screen under any panel.
func (m *Model) screenHelp() []key.Binding {
	k := m.keys
	switch {
	case m.screen == scrPending:
		return []key.Binding{k.Up, k.Down, k.Open, k.OpenID, k.Back}
	case m.screen == scrAttention:
		return []key.Binding{k.Up, k.Down, k.Open, k.CopyDetails, k.Dismiss, k.History, k.Back}
	case m.screen == scrHistory && m.hist.filter.Focused():
		return []key.Binding{k.KeepFilter, k.ClearFilter}
	case m.screen == scrHistory:
		exp := k.Export
		exp.SetHelp("E", "export this list CSV")
		return []key.Binding{k.Up, k.Down, k.Open, k.HistFilter, exp, k.Attention, k.Back}
	case m.screen == scrBatch && m.batch != nil:
		if m.batch.tracking() {
			return []key.Binding{k.Up, k.Down, k.Export, k.Copy, k.RetryFailed, k.Back}
		}
		return []key.Binding{k.Up, k.Down, k.Approve, k.CancelBatch, k.Back}
	}
	return []key.Binding{k.Add, k.Edit, k.Delete, k.Undo, k.Import, k.Settings, k.Preview, k.Pending, k.History, k.Attention}
}

// FullHelp is every binding, grouped, for the `?` overlay.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Add, k.Edit, k.Delete, k.Duplicate, k.Undo, k.Import, k.Settings, k.Preview, k.NewDraft},
		{k.Pending, k.OpenBatch, k.OpenID, k.Open, k.Back},
		{k.Attention, k.History, k.CopyDetails, k.Dismiss, k.HistFilter, k.KeepFilter, k.ClearFilter},
		{k.ImportFile, k.ImportReplace, k.ImportAppend},
		{k.Approve, k.CancelBatch, k.Export, k.Copy, k.RetryFailed},
		{k.NextField, k.PrevField, k.Choose, k.Submit, k.Cancel},
	}
}

// QuitWarning tells the shell what quitting would lose, leave unsure or
// leave waiting. A draft the journal holds is not among them: it is
// offered back next time, so quitting loses nothing and the shell does
// not ask. A draft whose last save failed is: quitting would lose it.
func (m *Model) QuitWarning() string {
	if b := m.batch; b != nil {
		switch b.phase {
		case phaseInitiating:
			return "A payout batch is being initiated; quitting now leaves you unsure whether IntaSend created it."
		case phaseApproving:
			return "A payout approval is in flight; quitting now leaves you unsure whether the money moved."
		case phasePreview, phaseConfirming:
			return m.waitingNote(b) + "."
		}
	}
	draft := len(m.comp.d.Rows) > 0 && !m.comp.initiated
	switch {
	case m.save.inFlight || m.save.dirty:
		return "The payout draft is still being saved."
	case draft && m.opts.journal == nil:
		return "The payout draft is not saved anywhere (no journal): quitting loses it."
	case draft && m.save.err != "":
		return "The payout draft could not be saved (" + m.save.err + "): quitting loses its latest changes."
	}
	return ""
}

// waitingNote names the open batch that waits for approval.
func (m *Model) waitingNote(b *openBatch) string {
	return fmt.Sprintf("Payout batch %s (%s, tracking %s) is waiting for approval; it stays in Payouts → Pending (P)",
		text.OrDash(b.b.FileID), b.total().Format(b.currency()), text.OrDash(b.b.TrackingID))
}

// ExitNote is what is left pending, printed after the console has closed
// (the screen it was on is gone by then): the batch waiting for approval,
// and how many others wait.
func (m *Model) ExitNote() string {
	var notes []string
	others := m.pend.count
	if b := m.batch; b != nil && (b.phase == phasePreview || b.phase == phaseConfirming) {
		notes = append(notes, m.waitingNote(b)+".")
		others--
	}
	if others > 0 {
		notes = append(notes, fmt.Sprintf("%s %s waiting for approval in Payouts → Pending (P).",
			fmtInt(others), text.Plural(others, "payout batch is", "payout batches are")))
	}
	return strings.Join(notes, "\n")
}

type spinMsg struct{}

func (m *Model) busy() bool {
	return m.save.inFlight || m.balSeq != 0 || (m.batch != nil && (m.batch.inFlight || m.batch.phase == phaseInitiating ||
		m.batch.phase == phaseApproving || m.batch.phase == phaseCancelling || m.batch.polling())) ||
		(m.imp != nil && m.imp.loading) || (m.files != nil && !m.files.loaded) || m.pend.loading
}

// startSpin starts the spinner's clock unless it is already running.
func (m *Model) startSpin() tea.Cmd { return m.spin.Start(m.sched, spinMsg{}) }

// onSpin moves the spinner on while busy; otherwise its clock stops.
func (m *Model) onSpin() tea.Cmd { return m.spin.Tick(m.busy(), m.sched, spinMsg{}) }

// walletByID finds a wallet that can pay out.
func (m *Model) walletByID(id string) (client.Wallet, bool) {
	for _, w := range m.wallets {
		if w.ID == id {
			return w, true
		}
	}
	return client.Wallet{}, false
}
