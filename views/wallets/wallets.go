// Package wallets is the console's Wallets screen: every wallet with its
// balances and totals per currency, a chart of the last 14 days' money in
// and out, a wallet's statement (paged from the API, filterable), and the
// wallet actions: create a working wallet, move money between wallets, fund
// a wallet by M-Pesa STK push. Between the balances and the chart it shows
// the pulse (views/pulse: is anything wrong right now), whose alarm the
// status bar carries to every tab.
//
// It follows the Elm architecture strictly: every request is a tea.Cmd that
// returns a typed message; timers are tea.Ticks re-armed by the message they
// deliver, tagged with a generation so a stale timer is dropped.
package wallets

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/export"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/spin"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/views/pulse"
)

// Timings. Refreshes are quiet and slow; status polls are quick because a
// person is watching their phone.
const (
	// refreshEvery keeps pace with Collections (common.LiveEvery): a sale
	// that lands while Wallets is shown moves its balance within a beat.
	refreshEvery = common.LiveEvery
	refreshMax   = 5 * time.Minute // back-off ceiling after failures
	pollEvery    = 1500 * time.Millisecond
	pollMax      = 30 * time.Second
	// chartPages bounds the 14-day fetch against a server that pages forever.
	chartPages = 200
)

// Model is the wallets view. Use New.
type Model struct {
	c     *common.Common
	keys  KeyMap
	sched common.Scheduler

	width, height int
	shown         bool

	// The wallet list.
	wallets    []client.Wallet
	list       table.Model
	selectedID string // the cursor follows this id across refreshes
	loaded     bool   // the first list has arrived
	loading    bool
	again      bool // a refresh was asked for while one was in flight
	manual     bool // the running refresh was asked for: report its errors loudly
	walletSeq  int
	refreshed  time.Time
	refreshErr string
	failures   int // consecutive failed refreshes, for back-off
	timerGen   int

	// The 14-day chart.
	flows       flows
	flowsLoaded bool
	flowsBusy   bool
	flowsAgain  bool // asked for while a fetch was in flight
	flowsErr    string
	flowsSeq    int
	flowsVer    int // bumped on every new aggregate
	chart       chartCache

	detail *detail      // non-nil while a wallet is open
	exp    export.Model // the statement's CSV export
	form   *form        // non-nil while a form is open
	stk    *stkWatch
	seq    int // forms and STK watches

	spin  spin.Model
	paint paints

	// pulse runs for the whole session, shown or not: its alarm is the
	// status bar's on every tab, and this is the console's one pulse.
	pulse *pulse.Model
}

// New builds the wallets view; Init starts the first load. opts configure
// its pulse (the payout journal's batches: pulse.WithBatches).
func New(c *common.Common, opts ...pulse.Option) common.View {
	return newModel(c, opts...)
}

func newModel(c *common.Common, opts ...pulse.Option) *Model {
	m := &Model{
		c:      c,
		keys:   DefaultKeyMap(),
		sched:  c.After,
		shown:  true,
		spin:   spin.New(c.Styles.Pending),
		width:  80,
		height: 20,
	}
	m.keys.Export.SetEnabled(c.Can(common.PermExport))
	m.exp = export.New(c)
	m.list = table.New(c, nil, table.WithKeys(m.keys.Nav))
	m.pulse = pulse.New(c, opts...)
	return m
}

// SetSched replaces the view's timers, the pulse's too (tests:
// tuitest.Driver.Sched).
func (m *Model) SetSched(f common.Scheduler) {
	m.sched = f
	m.pulse.SetSched(f)
}

// now is the view's clock: Common.Now (tests fix it), else the wall clock.
// Common belongs to the shell, so a missing clock is not filled in there.
func (m *Model) now() time.Time {
	if m.c.Now != nil {
		return m.c.Now()
	}
	return time.Now()
}

// Init loads the wallets and the chart, and starts the pulse.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.refresh(false), m.pulse.Start()) }

// Title is the tab label.
func (m *Model) Title() string { return "Wallets" }

// SetSize gives the body's size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 5)
	m.ensureVisible()
	if m.detail != nil {
		m.detail.tbl.SetSize(m.width, m.detailRows())
	}
}

// Capturing is true while a form field or the filter takes text.
func (m *Model) Capturing() bool {
	if m.form != nil {
		return true // even on a picker: letters must not reach the shell mid-form
	}
	return m.overlayOpen() || (m.detail != nil && m.detail.filter.Focused())
}

// SetShown pauses the refresh timer while the view is hidden and catches up
// when it comes back.
func (m *Model) SetShown(shown bool) tea.Cmd {
	if shown == m.shown {
		return nil
	}
	m.shown = shown
	m.timerGen++ // drops any pending timer
	if !shown {
		return nil
	}
	if m.now().Sub(m.refreshed) >= refreshEvery {
		return m.refresh(false)
	}
	return m.armTimer()
}

// Palette messages: the shell sends them back when an action is chosen.
type (
	refreshMsg      struct{}
	openCreateMsg   struct{}
	openTransferMsg struct{}
	openFundMsg     struct{}
)

// Actions are offered in the command palette. Every side effect is also
// confirmed through common.ConfirmMsg carrying the same Perm, so the shell's
// one permission check covers keys and palette alike.
func (m *Model) Actions() []common.Action {
	return []common.Action{
		{Title: "Refresh wallets", Help: "reload balances and the chart", Key: m.keys.Refresh, Msg: refreshMsg{}},
		{Title: "Move money between wallets", Help: "intra transfer from the selected wallet", Key: m.keys.Transfer,
			Msg: openTransferMsg{}, Danger: true, Perm: common.PermTransfer},
		{Title: "Fund wallet by M-Pesa", Help: "STK push to a phone, credited to the selected wallet", Key: m.keys.Fund,
			Msg: openFundMsg{}, Perm: common.PermCollect},
		{Title: "Create working wallet", Help: "a new WORKING wallet", Key: m.keys.Create,
			Msg: openCreateMsg{}, Perm: common.PermAdmin},
	}
}

// ShortHelp is the footer's help for the current state.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.form != nil:
		return []key.Binding{k.NextField, k.Submit, k.Cancel, k.Choose}
	case m.overlayOpen():
		return []key.Binding{k.NextField, k.Submit, k.Cancel}
	case m.detail != nil && m.detail.filter.Focused():
		return []key.Binding{k.KeepFilter, k.ClearFilter}
	case m.stk != nil:
		return []key.Binding{k.Back}
	case m.detail != nil:
		return []key.Binding{k.Filter, k.DateRange, k.Export, k.Back, k.Transfer, k.Fund}
	}
	// Movement keys are in the full help: the footer has room for actions.
	return []key.Binding{k.Open, k.Transfer, k.Fund, k.Create}
}

// FullHelp is every binding, grouped, for the `?` overlay.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		k.Moves(),
		{k.Open, k.Back, k.Filter, k.DateRange, k.Export, k.Refresh},
		{k.Transfer, k.Fund, k.Create},
		{k.NextField, k.PrevField, k.Choose, k.Submit, k.Cancel},
	}
}

// selected is the wallet under the cursor, if any.
func (m *Model) selected() (client.Wallet, bool) {
	i, ok := m.list.Current()
	if !ok {
		return client.Wallet{}, false
	}
	return m.wallets[i], true
}

// walletByID finds a wallet in the latest list.
func (m *Model) walletByID(id string) (client.Wallet, bool) {
	for _, w := range m.wallets {
		if w.ID == id {
			return w, true
		}
	}
	return client.Wallet{}, false
}

// busy is true while anything the spinner stands for is under way.
func (m *Model) busy() bool {
	return m.loadingShown() || m.flowsBusy ||
		(m.detail != nil && m.detail.loading) ||
		(m.form != nil && m.form.State == uiform.Sending) ||
		(m.stk != nil && !m.stk.final())
}

// loadingShown is a wallet-list load the title shows: the first, or one
// the user asked for. The quiet refresh every 5 s shows nothing until it
// lands (its new "updated" time): a spinner flashing on the title every
// few seconds says nothing the status bar does not, and each of its
// frames was drawn in every SSH session.
func (m *Model) loadingShown() bool { return m.loading && (m.manual || !m.loaded) }

type spinMsg struct{}

// startSpin starts the spinner's clock unless it is already running.
func (m *Model) startSpin() tea.Cmd { return m.spin.Start(m.sched, spinMsg{}) }

func (m *Model) onSpin() tea.Cmd { return m.spin.Tick(m.busy(), m.sched, spinMsg{}) }

// Refresh reloads on demand (the shell's `r` and its palette entry).
func (m *Model) Refresh() tea.Cmd { return m.refresh(true) }

// QuitWarning tells the shell what quitting would lose.
func (m *Model) QuitWarning() string {
	switch {
	case m.form != nil && m.form.State == uiform.Sending:
		return "A request to IntaSend is in flight; quitting now leaves you unsure whether it went through."
	case m.form != nil && m.form.Typed():
		return "The " + strings.ToLower(m.form.Title) + " form has unsent input."
	case m.stk != nil && !m.stk.final():
		return "An M-Pesa request is still pending; quitting stops following it (the payment itself goes on)."
	}
	return ""
}
