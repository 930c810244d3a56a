// Package pulse is the console's "is anything wrong right now" strip:
// collections per channel as sparklines over the last hour and day, the
// success rate of recent attempts with the top failure reasons, payouts
// out today, the float, and a banner when the success rate falls below a
// threshold or IntaSend stops answering. A host view embeds it (the Recon
// tab shows it above the ledger prompt) and forwards its messages.
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

// Model is the strip's state. Use New; the host forwards messages to
// Update and draws View.
type Model struct {
	c       *common.Common
	snap    *Snapshot
	err     error     // the last refresh's failure
	failing time.Time // when IntaSend stopped answering (zero: it answers)
	seq     int
	loading bool
	sched   common.Scheduler // c.After; tests hold the timer
	shown   bool             // refresh only while the host is on screen
	stale   bool             // a refresh came due while hidden
	// failures is how many refreshes in a row failed: the next waits
	// longer (common.Backoff).
	failures int
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

type dataMsg struct {
	seq  int
	snap Snapshot
	err  error
}

type tickMsg struct{}

// SetShown tells the strip whether its host is on screen: it reads
// IntaSend only then (over SSH fifty idle consoles would otherwise poll),
// and catches up at once when shown after a refresh came due.
func (m *Model) SetShown(shown bool) tea.Cmd {
	m.shown = shown
	if shown && (m.snap == nil && m.err == nil || m.stale) {
		m.stale = false
		return m.refresh()
	}
	return nil
}

// Update takes the strip's own messages; false for any other.
func (m *Model) Update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case dataMsg:
		if msg.seq != m.seq {
			return nil, true
		}
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
		return m.sched(common.Backoff(RefreshEvery, RefreshMost, m.failures), tickMsg{}), true
	case spinMsg:
		return m.spin.Tick(m.loading && m.snap == nil, m.sched, spinMsg{}), true
	case tickMsg:
		if !m.shown {
			m.stale = true
			return nil, true
		}
		return m.refresh(), true
	}
	return nil, false
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
