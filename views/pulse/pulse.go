// Package pulse is the console's "is anything wrong right now" strip:
// collections per channel as sparklines over the last hour and day, the
// success rate of recent attempts with the top failure reasons, payouts
// out today, the float, and a banner when the success rate falls below a
// threshold or IntaSend stops answering. A host view embeds it (Wallets
// shows it between the balances and the chart) and forwards its messages;
// its alarm goes to the status bar, so it is seen on every tab.
//
// IntaSend lists failed collections only per customer, so attempts are
// read from the invoices of the most recent customers (MaxCustomers):
// enough for "the last N attempts", bounded in requests per refresh.
package pulse

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/spin"
	"github.com/malipo/malipo/ui/components/text"
)

// Settings of the strip.
const (
	RefreshEvery = time.Minute
	// RefreshMost is the longest wait between refreshes while IntaSend
	// fails (common.Backoff): a down IntaSend is not asked every minute.
	RefreshMost = 8 * time.Minute
	// LastN attempts make the success rate; below Threshold (or no answer
	// from IntaSend) the banner shows.
	LastN        = 20
	Threshold    = 0.8
	MaxCustomers = 25
	hourBuckets  = 12 // 5 minutes each
	dayBuckets   = 24 // 1 hour each
)

// Snapshot is what the strip shows, computed from IntaSend's answers.
type Snapshot struct {
	At       time.Time
	Channels []Channel
	// Attempts is how many of the last LastN attempts were read; OK how
	// many of them completed.
	Attempts, OK int
	Reasons      []Reason // top failure reasons, most frequent first
	PayoutsToday client.Amount
	PayoutCount  int
	Available    client.Amount // settlement wallet: spendable now (payouts in flight already held)
	Held         client.Amount // current − available: clearing and in-flight money
	Payouts      Payouts       // the journal's batches as IntaSend reports them
}

// Channel is one collection channel's money over the last hour and day.
type Channel struct {
	Provider  string
	Hour, Day []client.Amount // oldest bucket first
	HourSum   client.Amount
	DaySum    client.Amount
}

// Reason is a failure reason and how many recent attempts it ended.
type Reason struct {
	Text  string
	Count int
}

// Rate is the success rate of the attempts read (1 when none).
func (s *Snapshot) Rate() float64 {
	if s.Attempts == 0 {
		return 1
	}
	return float64(s.OK) / float64(s.Attempts)
}

// Compute builds a snapshot at now from the last day's SALE and PAYOUT
// lines, recent invoices (any state) and the settlement wallet.
func Compute(now time.Time, lines []client.WalletTransaction, invoices []client.Invoice, w *client.Wallet) Snapshot {
	s := Snapshot{At: now}
	byProv := map[string]*Channel{}
	dayStart, today := now.Add(-24*time.Hour), midnight(now)
	for _, t := range lines {
		switch {
		case t.TransType == "PAYOUT" && !t.CreatedAt.Before(today):
			s.PayoutsToday -= t.Value
			s.PayoutCount++
		case t.TransType == "SALE" && t.Invoice != nil && !t.CreatedAt.Before(dayStart) && !t.CreatedAt.After(now):
			addSale(byProv, now, t)
		}
	}
	for _, ch := range byProv {
		s.Channels = append(s.Channels, *ch)
	}
	slices.SortFunc(s.Channels, func(a, b Channel) int {
		return cmp.Or(cmp.Compare(b.DaySum, a.DaySum), strings.Compare(a.Provider, b.Provider))
	})
	s.attempts(invoices)
	if w != nil {
		s.Available, s.Held = w.AvailableBalance, w.CurrentBalance-w.AvailableBalance
	}
	return s
}

func addSale(byProv map[string]*Channel, now time.Time, t client.WalletTransaction) {
	p := t.Invoice.Provider
	ch := byProv[p]
	if ch == nil {
		ch = &Channel{Provider: p, Hour: make([]client.Amount, hourBuckets), Day: make([]client.Amount, dayBuckets)}
		byProv[p] = ch
	}
	age := now.Sub(t.CreatedAt)
	ch.Day[dayBuckets-1-min(int(age/time.Hour), dayBuckets-1)] += t.Value
	ch.DaySum += t.Value
	if age < time.Hour {
		ch.Hour[hourBuckets-1-min(int(age/(5*time.Minute)), hourBuckets-1)] += t.Value
		ch.HourSum += t.Value
	}
}

// attempts reads the last LastN settled invoices: completed or failed
// (pending ones have not said yet).
func (s *Snapshot) attempts(invs []client.Invoice) {
	done := slices.DeleteFunc(slices.Clone(invs), func(i client.Invoice) bool {
		return i.State != client.InvoiceComplete && i.State != client.InvoiceFailed && i.State != client.InvoiceCanceled
	})
	slices.SortStableFunc(done, func(a, b client.Invoice) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	done = done[:min(len(done), LastN)]
	count := map[string]int{}
	for _, i := range done {
		s.Attempts++
		if i.State == client.InvoiceComplete {
			s.OK++
			continue
		}
		count[reason(i)]++
	}
	for r, n := range count {
		s.Reasons = append(s.Reasons, Reason{r, n})
	}
	slices.SortFunc(s.Reasons, func(a, b Reason) int { return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Text, b.Text)) })
}

func reason(i client.Invoice) string {
	switch {
	case i.FailedReason != "":
		return i.FailedReason
	case i.FailedCode != "":
		if c, ok := client.ExplainCode(i.FailedCode); ok {
			return c.Status
		}
		return "code " + i.FailedCode
	}
	return strings.ToLower(i.State)
}

// ---- the model ----

// EventDelay is how long the strip waits after IntaSend announced a
// payment (a webhook, or Collections seeing one complete) before it reads
// again: a burst of events costs one refresh, not one each.
const EventDelay = 3 * time.Second

// Model is the strip's state. Use New; the host calls Start once, forwards
// messages to Update and events to Event, and draws Lines.
type Model struct {
	c       *common.Common
	snap    *Snapshot
	err     error     // the last refresh's failure
	failing time.Time // when IntaSend stopped answering (zero: it answers)
	seq     int
	loading bool
	sched   common.Scheduler // c.After; tests hold the timer
	started bool
	// tickGen tags the minute timer: a refresh an event brought re-arms
	// it, and the older timer is then dropped (one chain of refreshes).
	tickGen int
	soon    bool // an event's refresh is scheduled
	again   bool // an event came while a refresh was in flight
	// failures is how many refreshes in a row failed: the next waits
	// longer (common.Backoff).
	failures int
	alarm    common.AlarmMsg // what the status bar was last told
	spin     spin.Model
	batches  Batches // nil: no journal (the demo), no batch figures
}

// Option configures the strip.
type Option func(*Model)

// WithBatches gives the strip the payout journal's batches, read only.
func WithBatches(b Batches) Option { return func(m *Model) { m.batches = b } }

// New builds the strip.
func New(c *common.Common, opts ...Option) *Model {
	m := &Model{c: c, sched: c.After, spin: spin.New(c.Styles.Pending)}
	for _, o := range opts {
		o(m)
	}
	return m
}

// SetSched replaces the strip's timers (tests: tuitest.Driver.Sched).
func (m *Model) SetSched(f common.Scheduler) { m.sched = f }

type spinMsg struct{}

// Refresh is the timer's message, for tests that fire it.
func Refresh() tea.Msg { return tickMsg{} }

// Soon is the message of an event's delayed refresh, for tests that fire it.
func Soon() tea.Msg { return soonMsg{} }

type dataMsg struct {
	seq  int
	snap Snapshot
	err  error
}

type (
	tickMsg struct{ gen int }
	soonMsg struct{}
)

// Start begins the strip's refreshes, once: the first read now, then one
// every RefreshEvery (at the console's live pace, Common.LivePace) for as
// long as the console runs, whichever tab is
// shown. The status bar's alarm (common.AlarmMsg) is the point of it on
// the other tabs, so hiding the host does not pause it; it is one loop per
// console, the strip and the badge both drawn from it.
func (m *Model) Start() tea.Cmd {
	if m.started {
		return nil
	}
	m.started = true
	return m.refresh()
}

// Event takes what the host heard of money moving: a collection or payout
// webhook, Collections' word that payments completed. The strip reads
// again after EventDelay instead of at its minute; events in between are
// folded into that one read. Anything else is ignored.
func (m *Model) Event(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.WebhookMsg:
		if msg.Type != "collection" && msg.Type != "send_money" {
			return nil
		}
	case common.CollectionsCompletedMsg:
	default:
		return nil
	}
	return m.readSoon()
}

// Answered tells the strip its host just heard IntaSend answer. A strip
// that is failing reads again soon instead of at its backed-off pace (up
// to RefreshMost), so the alarm does not outlive the outage by minutes.
func (m *Model) Answered() tea.Cmd {
	if m.err == nil {
		return nil
	}
	return m.readSoon()
}

// readSoon schedules one read after EventDelay, unless one is already.
func (m *Model) readSoon() tea.Cmd {
	if !m.started || m.soon {
		return nil
	}
	m.soon = true
	return m.sched(EventDelay, soonMsg{})
}

// Update takes the strip's own messages; false for any other.
func (m *Model) Update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case dataMsg:
		if msg.seq != m.seq {
			return nil, true
		}
		return m.onData(msg), true
	case spinMsg:
		return m.spin.Tick(m.loading && m.snap == nil, m.sched, spinMsg{}), true
	case tickMsg:
		if msg.gen != m.tickGen {
			return nil, true // a timer an event's refresh replaced
		}
		return m.refresh(), true
	case soonMsg:
		m.soon = false
		if m.loading {
			m.again = true // the read in flight may predate the event
			return nil, true
		}
		return m.refresh(), true
	}
	return nil, false
}

// onData keeps a refresh's outcome, tells the status bar when the alarm
// changed, and arms the next refresh.
func (m *Model) onData(msg dataMsg) tea.Cmd {
	m.loading = false
	if msg.err != nil {
		m.err = msg.err
		m.failures++
		if m.failing.IsZero() {
			m.failing = m.now()
		}
	} else {
		m.err, m.failing, m.snap, m.failures = nil, time.Time{}, &msg.snap, 0
	}
	// Its reads are the console's too: the status bar's health hears them.
	cmds := []tea.Cmd{text.Health(msg.err, m.now())}
	if a := m.Alarm(); a != m.alarm {
		m.alarm = a
		cmds = append(cmds, common.Alarm(a))
	}
	if m.again {
		m.again = false
		return tea.Batch(append(cmds, m.refresh())...)
	}
	m.tickGen++
	return tea.Batch(append(cmds, m.sched(common.Backoff(m.c.LivePace(RefreshEvery), RefreshMost, m.failures), tickMsg{gen: m.tickGen}))...)
}

func (m *Model) now() time.Time {
	if m.c.Now != nil {
		return m.c.Now()
	}
	return time.Now()
}

// refresh reads the day's lines, recent customers' invoices and the
// wallets, once at a time.
func (m *Model) refresh() tea.Cmd {
	if m.loading {
		return nil
	}
	m.loading = true
	m.seq++
	seq, cl, base, now, batches := m.seq, m.c.Client, m.c.Context(), m.now(), m.batches
	var spin tea.Cmd
	if m.snap == nil { // the first read: "reading" with a spinner; later ones keep the last figures
		spin = m.spin.Start(m.sched, spinMsg{})
	}
	return tea.Batch(spin, func() tea.Msg {
		ctx, cancel := common.Bounded(base)
		defer cancel()
		snap, err := fetch(ctx, cl, now)
		if err == nil {
			snap.Payouts, err = readBatches(ctx, cl, batches, midnight(now))
		}
		return dataMsg{seq: seq, snap: snap, err: err}
	})
}

// midnight is the start of now's day, in now's zone (the console's).
func midnight(now time.Time) time.Time {
	y, mo, d := now.Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, now.Location())
}

func fetch(ctx context.Context, cl *client.Client, now time.Time) (Snapshot, error) {
	f := client.TransactionFilter{StartDate: now.Add(-24 * time.Hour).In(eat).Format(time.DateOnly)}
	var lines []client.WalletTransaction
	for page := 1; page <= 50; page++ {
		f.Page = page
		p, err := cl.Transactions(ctx, f)
		if err != nil {
			return Snapshot{}, err
		}
		lines = append(lines, p.Results...)
		if !p.HasNext() || len(p.Results) == 0 {
			break
		}
	}
	custs, err := cl.ListCustomers(ctx, client.CustomerFilter{})
	if err != nil {
		return Snapshot{}, err
	}
	var invs []client.Invoice
	for _, cu := range custs.Results[:min(len(custs.Results), MaxCustomers)] {
		p, err := cl.CustomerTransactions(ctx, cu.ID, 1)
		if err != nil {
			return Snapshot{}, err
		}
		invs = append(invs, p.Results...)
	}
	ws, err := cl.AllWallets(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	var settle *client.Wallet
	for i := range ws {
		if ws[i].Type == client.WalletSettlement && ws[i].Currency == "KES" {
			settle = &ws[i]
		}
	}
	return Compute(now, lines, invs, settle), nil
}

// eat: IntaSend's start_date is a Nairobi day.
var eat = time.FixedZone("EAT", 3*60*60)
