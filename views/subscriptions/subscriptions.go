// Package subscriptions is the console's Subscriptions screen: three lists
// switched inside the view — plans, subscription customers and
// subscriptions — each paged from the API and filterable; creating each of
// them; the setup link a new subscriber must visit (copyable through OSC
// 52); unsubscribing with a typed confirmation; and a subscription's
// transactions.
//
// It follows views/wallets: every request is a tea.Cmd returning a typed
// message tagged so a stale answer is dropped, keys are data (KeyMap), and
// only the visible rows are drawn.
package subscriptions

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/spin"
)

// tab is one of the view's three lists.
type tab int

const (
	tabPlans tab = iota
	tabCustomers
	tabSubs
	tabCount
)

func (t tab) String() string {
	return [...]string{"Plans", "Customers", "Subscriptions"}[t]
}

// Model is the subscriptions view. Use New.
type Model struct {
	c     *common.Common
	keys  KeyMap
	sched common.Scheduler

	width, height int
	shown         bool
	tab           tab

	plans *list[client.Plan]
	custs *list[client.SubscriptionCustomer]
	subs  *list[client.Subscription]

	detail *detail // a subscription's transactions, while open
	form   *form
	setup  *setupPanel // a new subscription's setup link, while shown
	watch  *watch      // a new subscription followed until set up
	seq    int         // lists, forms, details: each answer carries its own
	manual bool        // the running reload was asked for: report errors loudly
	// unsubbing is the subscription whose unsubscribe is in flight.
	unsubbing string

	// The newest plan and customer made here: the subscription form
	// offers them first.
	lastPlan, lastCustomer string

	refreshed time.Time
	spin      spin.Model
	paint     paints
}

// New builds the subscriptions view; Init starts loading the three lists.
func New(c *common.Common) common.View { return newModel(c) }

func newModel(c *common.Common) *Model {
	if c.Now == nil {
		c.Now = time.Now
	}
	m := &Model{c: c, keys: DefaultKeyMap().forRole(c.Can(common.PermAdmin)), sched: c.After, spin: spin.New(c.Styles.Pending),
		width: 80, height: 20, tab: tabSubs, shown: true}
	m.plans = newList(c, m.keys, "plans", "name, amount, frequency, id",
		func(p client.Plan) string { return p.ID }, planText)
	m.custs = newList(c, m.keys, "customers", "name, email, reference, id",
		func(s client.SubscriptionCustomer) string { return s.ID }, customerText)
	m.subs = newList(c, m.keys, "subscriptions", "status, customer, plan, id",
		func(s client.Subscription) string { return s.ID }, m.subText)
	return m
}

// Init loads the first page of each list.
func (m *Model) Init() tea.Cmd { return m.reload(false) }

// Title is the tab label.
func (m *Model) Title() string { return "Subscriptions" }

// SetSize gives the body's size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 5)
	m.active().ensureVisible(m.rows())
}

// Capturing is true while a form or a filter takes text.
func (m *Model) Capturing() bool {
	if m.form != nil {
		return true // even on a picker: letters must not reach the shell mid-form
	}
	return m.active().isFiltering()
}

// Refresh reloads on demand (the shell's `r` and its palette entry).
func (m *Model) Refresh() tea.Cmd { return m.reload(true) }

// QuitWarning tells the shell what quitting would lose.
func (m *Model) QuitWarning() string {
	switch {
	case m.form != nil && m.form.State == uiform.Sending:
		return "A request to IntaSend is in flight; quitting now leaves you unsure whether it went through."
	case m.form != nil && m.form.Typed():
		return "The " + strings.ToLower(m.form.Title) + " form has unsent input."
	}
	return ""
}

// Palette messages: the shell sends them back when an action is chosen.
type (
	refreshMsg  struct{}
	showTabMsg  struct{ tab tab }
	openFormMsg struct{ kind formKind }
)

// Actions are offered in the command palette; the creates need PermAdmin
// (the shell hides them from roles without it).
func (m *Model) Actions() []common.Action {
	return []common.Action{
		{Title: "Refresh subscriptions", Help: "reload plans, customers and subscriptions", Key: m.keys.Refresh, Msg: refreshMsg{}},
		{Title: "Show subscription plans", Key: m.keys.Plans, Msg: showTabMsg{tabPlans}},
		{Title: "Show subscription customers", Key: m.keys.Customers, Msg: showTabMsg{tabCustomers}},
		{Title: "Show subscriptions", Key: m.keys.Subs, Msg: showTabMsg{tabSubs}},
		{Title: "Create subscription plan", Help: "amount every N days, weeks, months or years", Key: keyAfter("p", m.keys.Create),
			Msg: openFormMsg{formPlan}, Perm: common.PermAdmin},
		{Title: "Create subscription customer", Help: "a subscriber: email and name", Key: keyAfter("c", m.keys.Create),
			Msg: openFormMsg{formCustomer}, Perm: common.PermAdmin},
		{Title: "Create subscription", Help: "a customer on a plan, with a setup link to send them", Key: keyAfter("s", m.keys.Create),
			Msg: openFormMsg{formSubscription}, Perm: common.PermAdmin},
	}
}

// enabled drops the bindings this role does not have.
func enabled(bs ...key.Binding) []key.Binding {
	out := bs[:0:0]
	for _, b := range bs {
		if b.Enabled() {
			out = append(out, b)
		}
	}
	return out
}

// ShortHelp is the footer's help for the current state.
func (m *Model) ShortHelp() []key.Binding {
	return enabled(m.shortHelp()...)
}

func (m *Model) shortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.form != nil:
		return []key.Binding{k.NextField, k.Choose, k.Submit, k.Cancel}
	case m.active().isFiltering():
		return []key.Binding{k.KeepFilter, k.ClearFilter}
	case m.setup != nil:
		return []key.Binding{k.Copy, k.Back}
	case m.detail != nil:
		return []key.Binding{k.Up, k.Down, k.Filter, k.Unsubscribe, k.Copy, k.Back}
	case m.tab == tabSubs:
		return []key.Binding{k.Up, k.Down, k.Open, k.Create, k.Unsubscribe, k.Copy, k.NextList, k.Filter}
	}
	return []key.Binding{k.Up, k.Down, k.Create, k.NextList, k.Filter}
}

// FullHelp is every binding, grouped, for the `?` overlay.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		k.Moves(),
		{k.NextList, k.PrevList, k.Plans, k.Customers, k.Subs},
		{k.Open, k.Back, k.Filter, k.Refresh},
		enabled(k.Create, k.Unsubscribe, k.Copy),
		{k.NextField, k.PrevField, k.Choose, k.Submit, k.Cancel},
	}
}

// busy is true while anything the spinner stands for is under way.
func (m *Model) busy() bool {
	return m.plans.loading || m.custs.loading || m.subs.loading ||
		(m.detail != nil && m.detail.txs.loading) ||
		(m.form != nil && m.form.State == uiform.Sending) || m.unsubbing != ""
}

type spinMsg struct{}

// startSpin starts the spinner's clock unless it is already running.
func (m *Model) startSpin() tea.Cmd { return m.spin.Start(m.sched, spinMsg{}) }

func (m *Model) onSpin() tea.Cmd { return m.spin.Tick(m.busy(), m.sched, spinMsg{}) }
