// Package collections is the console's Collections screen: incoming
// payments as they arrive (the account's SALE feed merged with the status of
// invoices this console asked for), today's totals and a 12-hour chart, a
// fuzzy filter and a state filter over every row, the invoice detail, and
// the collection actions: request an M-Pesa payment (STK push) and follow it
// until it settles, create a checkout link and copy it, hand a paid invoice
// to the Refunds view.
//
// Every request is a tea.Cmd returning a typed message. Polling is one
// tea.Tick re-armed when the previous poll's answer arrives, so polls never
// overlap; it backs off after errors and stops while the view is hidden.
package collections

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/daterange"
	"github.com/malipo/malipo/ui/components/export"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/spin"
	"github.com/malipo/malipo/ui/components/table"
)

// Title is the tab label the shell shows and GoTo names.
const Title = "Collections"

// Timings. The feed is polled steadily; while an STK push this console sent
// is still open, faster, because someone is watching a phone.
const (
	pollEvery = common.LiveEvery // the pace Wallets refreshes at too
	pollFast  = 1500 * time.Millisecond
	pollMax   = 30 * time.Second // back-off ceiling
	// initialPages and followPages bound the feed pages one poll reads.
	initialPages = 20
	followPages  = 5
	// statusCap bounds the payment-status queries of one poll.
	statusCap = 20
)

// Model is the collections view. Use New.
type Model struct {
	c     *common.Common
	keys  KeyMap
	sched common.Scheduler

	width, height int
	visible       bool

	st     *store
	view   shown
	sum    summary
	tbl    table.Model // cursor, window and columns over view's rows
	selKey string      // the cursor follows this row as rows arrive

	filter table.FilterBox // the "/" box, as every list has
	state  int             // index into stateCycle
	older  older           // the feed beyond the first load, read while a filter searches

	rng    daterange.Range   // the days shown (d); zero: all
	picker *daterange.Picker // the date range's form, while open
	ranged []int             // rows the filters and the range let through (reused)
	exp    export.Model      // the CSV export (E)

	// Polling.
	loaded   bool // the first poll has answered
	inFlight bool
	// eventPending: a webhook came while a poll was in flight (read again).
	eventPending bool
	manual       bool // the running poll was asked for: report errors loudly
	failures     int
	timerGen     int
	pollSeq      int
	pollErr      string
	refreshed    time.Time
	newestTx     time.Time // the newest SALE line seen: later polls read back to it

	detail *detail
	form   *form
	watch  *watch
	link   *linkPanel
	seq    int

	spin  spin.Model
	paint paints
}

// New builds the collections view; Init starts the first load.
func New(c *common.Common) common.View { return newModel(c) }

func newModel(c *common.Common) *Model {
	if c.Now == nil {
		c.Now = time.Now
	}
	m := &Model{
		c: c, keys: DefaultKeyMap(), sched: c.After, visible: true, spin: spin.New(c.Styles.Pending),
		st: newStore(), width: 80, height: 20,
	}
	m.keys.Export.SetEnabled(c.Can(common.PermExport))
	m.exp = export.New(c)
	m.filter = table.NewFilterBox(c, uiform.NewInput(c.Styles, "/ ", "type to filter", 60), m.keys.FilterBox)
	m.tbl = table.New(c, nil, table.WithKeys(m.keys.Nav), table.WithGap(1), table.WithMarks(1))
	m.ensureVisible()
	return m
}

// Init loads the feed.
func (m *Model) Init() tea.Cmd { return m.poll(false) }

// Title is the tab label.
func (m *Model) Title() string { return Title }

// SetSize gives the body's size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 5)
	m.ensureVisible()
}

// Capturing is true while a form or the filter takes text.
func (m *Model) Capturing() bool { return m.form != nil || m.filter.Focused() || m.overlayOpen() }

// SetShown pauses polling while the view is hidden and catches up at once
// when it comes back, unless it read the feed within the last beat and
// no event came since: a quick tab switch then costs no request and no
// decoding (issue 14: 100 sessions switching tabs).
func (m *Model) SetShown(shown bool) tea.Cmd {
	if shown == m.visible {
		return nil
	}
	m.visible = shown
	m.timerGen++ // drops any pending timer
	if !shown {
		return nil
	}
	if m.loaded && !m.eventPending && m.failures == 0 && m.c.Now().Sub(m.refreshed) < pollEvery {
		return m.armTimer()
	}
	return m.poll(false)
}

// Refresh polls now (the shell's `r` and palette entry).
func (m *Model) Refresh() tea.Cmd { return m.poll(true) }

// Palette messages.
type (
	refreshMsg  struct{}
	openPushMsg struct{}
	openLinkMsg struct{}
	refundMsg   struct{}
	exportMsg   struct{}
)

// Actions are offered in the command palette; the ones that need a
// permission carry it, so the shell hides them from roles without it.
func (m *Model) Actions() []common.Action {
	return []common.Action{
		{Title: "Refresh collections", Help: "poll IntaSend now", Key: m.keys.Refresh, Msg: refreshMsg{}},
		{Title: "Request M-Pesa payment", Help: "STK push to a customer's phone", Key: m.keys.Push,
			Msg: openPushMsg{}, Perm: common.PermCollect},
		{Title: "Create checkout link", Help: "a hosted payment page to send a customer", Key: m.keys.Link,
			Msg: openLinkMsg{}, Perm: common.PermCollect},
		{Title: "Refund selected payment", Help: "open the Refunds view on this invoice", Key: m.keys.Refund,
			Msg: refundMsg{}, Perm: common.PermRefund},
		{Title: "Export payments to CSV", Help: "the payments shown: filter and date range applied", Key: m.keys.Export,
			Msg: exportMsg{}, Perm: common.PermExport},
	}
}

// ShortHelp is the footer's help for the current state.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.form != nil:
		return []key.Binding{k.NextField, k.Submit, k.Cancel}
	case m.filter.Focused():
		return []key.Binding{k.KeepFilter, k.ClearFilter}
	case m.overlayOpen():
		return []key.Binding{k.NextField, k.Submit, k.Cancel}
	case m.link != nil:
		return []key.Binding{k.Copy, k.Back}
	case m.watch != nil:
		return []key.Binding{k.Back}
	case m.detail != nil:
		return m.bound(k.Refund, k.Back)
	}
	return m.bound(k.Up, k.Down, k.Open, k.Filter, k.State, k.Push, k.Link, k.Refund)
}

// FullHelp is every binding, grouped, for the `?` overlay.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		k.Moves(),
		{k.Open, k.Back, k.Filter, k.State, k.DateRange, k.Refresh},
		m.bound(k.Push, k.Link, k.Refund, k.Copy, k.Export),
		{k.NextField, k.PrevField, k.Submit, k.Cancel},
	}
}

// bound drops the bindings this session's role may not use: such keys are
// unbound, not merely refused.
func (m *Model) bound(bs ...key.Binding) []key.Binding {
	out := bs[:0:0]
	for _, b := range bs {
		if m.allowed(b) {
			out = append(out, b)
		}
	}
	return out
}

func (m *Model) allowed(b key.Binding) bool {
	switch b.Help().Key {
	case m.keys.Push.Help().Key, m.keys.Link.Help().Key:
		return m.c.Can(common.PermCollect)
	case m.keys.Refund.Help().Key:
		return m.c.Can(common.PermRefund)
	}
	return true
}

// QuitWarning tells the shell what quitting would lose.
func (m *Model) QuitWarning() string {
	switch {
	case m.form != nil && m.form.State == uiform.Sending:
		return "A request to IntaSend is in flight; quitting now leaves you unsure whether it went through."
	case m.form != nil && m.form.Typed():
		return "The " + strings.ToLower(m.form.Title) + " form has unsent input."
	case m.watch != nil && !m.watchFinal():
		return "An M-Pesa request is still pending; quitting stops following it (the payment itself goes on)."
	}
	return ""
}

// busy is true while anything the spinner stands for is under way.
func (m *Model) busy() bool {
	return (m.inFlight && !m.loaded) || (m.form != nil && m.form.State == uiform.Sending) ||
		(m.watch != nil && !m.watchFinal()) || (m.detail != nil && m.detail.loading)
}

type spinMsg struct{}

// startSpin starts the spinner's clock unless it is already running.
func (m *Model) startSpin() tea.Cmd { return m.spin.Start(m.sched, spinMsg{}) }

func (m *Model) onSpin() tea.Cmd { return m.spin.Tick(m.busy(), m.sched, spinMsg{}) }
