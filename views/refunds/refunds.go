// Package refunds is the console's Refunds screen: IntaSend's chargebacks
// (refunds) page by page with their status, a refund's detail, and finding
// a payment by invoice id to refund part or all of what is left of it.
//
// A refund moves money, so it is confirmed (typed amount, defaults to
// Cancel), never retried, and after an unclear answer the view looks the
// invoice's refunds up again and says what it found. The refund key is
// unbound for roles without common.PermRefund.
package refunds

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/export"
	uiform "github.com/malipo/malipo/ui/components/form"
)

// Timings and bounds.
const (
	// refreshEvery re-reads page 1 while refunds are PENDING, so they turn
	// COMPLETED on screen; refreshMax caps the back-off after failures.
	refreshEvery = 30 * time.Second
	refreshMax   = 5 * time.Minute
	// scanPages bounds the walk through every refund when looking for an
	// invoice's refunds (100 a page on IntaSend).
	scanPages = 500
	// moreWithin loads the next page when the cursor comes this close to
	// the end of what is loaded.
	moreWithin = 5
)

// Model is the Refunds view. Use New.
type Model struct {
	c     *common.Common
	keys  KeyMap
	sched common.Scheduler

	width, height int
	shown         bool

	list    list
	find    *findBox     // the invoice id box, over any screen
	pay     *payment     // a payment looked up by invoice id
	form    *form        // the refund form, over the payment
	detail  *detail      // one refund
	unclear *unclear     // an ambiguous refund being checked
	exp     export.Model // the CSV export's file form and outcome
	seq     int          // lookups, forms, detail openings

	timerGen int
	failures int

	paint paints
}

// New builds the Refunds view; Init loads the first page.
func New(c *common.Common) common.View { return newModel(c) }

func newModel(c *common.Common) *Model {
	if c.Now == nil {
		c.Now = time.Now
	}
	m := &Model{c: c, keys: DefaultKeyMap(c.Can(common.PermRefund), c.Can(common.PermExport)), sched: c.After, shown: true, width: 80, height: 20}
	m.list.init(c, m.keys)
	m.exp = export.New(c)
	return m
}

// Init loads the newest refunds.
func (m *Model) Init() tea.Cmd { return m.reloadList() }

// Title is the tab label.
func (m *Model) Title() string { return "Refunds" }

// SetSize gives the body's size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 5)
	m.list.tbl.SetSize(m.width, m.listRows())
}

// Capturing is true while text goes into a field: the find box, the form,
// the filter.
func (m *Model) Capturing() bool {
	return m.find != nil || m.form != nil || m.exp.Open() || (m.screen() == scrList && m.list.filter.Focused())
}

// SetShown pauses the refresh timer while the view is hidden.
func (m *Model) SetShown(shown bool) tea.Cmd {
	if shown == m.shown {
		return nil
	}
	m.shown = shown
	m.timerGen++
	if !shown {
		return nil
	}
	return m.armTimer()
}

// Refresh reloads what is on screen (the shell's `r`).
func (m *Model) Refresh() tea.Cmd {
	var cmds []tea.Cmd
	cmds = append(cmds, m.reloadList())
	if m.pay != nil && !m.pay.loading {
		cmds = append(cmds, m.lookup(m.pay.id, false))
	}
	if m.detail != nil {
		cmds = append(cmds, m.loadDetail(m.detail.r.ID))
	}
	return tea.Batch(cmds...)
}

// QuitWarning tells the shell what quitting would lose.
func (m *Model) QuitWarning() string {
	switch {
	case m.form != nil && m.form.State == uiform.Sending:
		return "A refund request is in flight; quitting now leaves you unsure whether it went through."
	case m.form != nil && m.form.edited:
		return "The refund form has unsent input."
	}
	return ""
}

// Palette messages.
type (
	refreshMsg  struct{}
	openFindMsg struct{}
	exportMsg   struct{}
)

// Actions are offered in the command palette. Refunding needs a payment
// first, so the palette offers finding one; the form's confirmation carries
// PermRefund, so the shell's one permission check covers it.
func (m *Model) Actions() []common.Action {
	return []common.Action{
		{Title: "Refresh refunds", Help: "reload the refunds list", Key: m.keys.Refresh, Msg: refreshMsg{}},
		{Title: "Find a payment to refund", Help: "look a payment up by invoice id", Key: m.keys.Find, Msg: openFindMsg{}},
		{Title: "Export refunds to CSV", Help: "the refunds shown, every loaded page", Key: m.keys.Export, Msg: exportMsg{}, Perm: common.PermExport},
	}
}

// screen is what the body shows under any box.
type screen int

const (
	scrList screen = iota
	scrPayment
	scrDetail
)

func (m *Model) screen() screen {
	switch {
	case m.detail != nil:
		return scrDetail
	case m.pay != nil:
		return scrPayment
	}
	return scrList
}

// ShortHelp is the footer's help for the current state.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.form != nil:
		return []key.Binding{k.NextField, k.Choose, k.Submit, k.Cancel}
	case m.find != nil, m.exp.Open():
		return []key.Binding{k.Submit, k.Cancel}
	}
	switch m.screen() {
	case scrDetail:
		return []key.Binding{k.Payment, k.Refresh, k.Back}
	case scrPayment:
		return []key.Binding{k.Refund, k.Find, k.Refresh, k.Back}
	}
	if m.list.filter.Focused() {
		return []key.Binding{k.KeepFilter, k.ClearFilter}
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.Filter, k.Find, k.Refund, k.Refresh}
}

// FullHelp is every binding, grouped, for the `?` overlay.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		k.Moves(),
		{k.Open, k.Back, k.Filter, k.Refresh},
		{k.Find, k.Refund, k.Payment, k.Export},
		{k.NextField, k.PrevField, k.Choose, k.Submit, k.Cancel},
	}
}

// findBox is the "find a payment" input. It stays open, with what was
// typed, until a lookup succeeds.
type findBox struct {
	input textinput.Model
	err   string
	seq   int // the lookup it is waiting for, 0 when none
}

func (m *Model) openFind() tea.Cmd {
	if m.form != nil {
		return nil
	}
	in := uiform.NewInput(m.c.Styles, "Invoice id › ", "e.g. NR5XKGY", 20)
	m.find = &findBox{input: in}
	return m.find.input.Focus()
}

// normInvoice upper-cases and trims an invoice id as typed.
func normInvoice(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// checkInvoiceID says what is wrong with a typed invoice id, "" if nothing.
func checkInvoiceID(id string) string {
	if id == "" {
		return "type the invoice id of the payment (e.g. NR5XKGY)"
	}
	for _, r := range id {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return "an invoice id is letters and digits only, e.g. NR5XKGY"
		}
	}
	return ""
}
