package collections

import (
	"context"
	"errors"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

type (
	// pollTickMsg is the polling timer; gen drops timers made stale by a
	// newer poll, a hide or a manual refresh.
	pollTickMsg struct{ gen int }
	// polledMsg is one poll's answer: feed pages and payment statuses.
	polledMsg struct {
		seq       int
		initial   bool
		txs       []client.WalletTransaction // SALE lines, newest first
		statuses  []client.Invoice
		missing   []string // invoice ids IntaSend does not know
		lastPage  int      // the last feed page read
		more      bool     // the feed goes on past it
		feedErr   error
		statusErr error
	}
)

// pollPlan is what one poll reads, fixed before it starts (the command
// must not touch the model).
type pollPlan struct {
	seq      int
	initial  bool
	until    time.Time // read feed pages back to this time
	maxPages int
	ids      []string // invoices to ask payment/status about
}

// poll starts one poll unless one is already in flight: the in-flight
// poll's answer re-arms the timer, so polls never overlap.
func (m *Model) poll(manual bool) tea.Cmd {
	m.manual = m.manual || manual
	if m.inFlight {
		return nil
	}
	m.timerGen++ // the timer is re-armed when the answer arrives
	m.inFlight = true
	m.eventPending = false // this read covers every event so far
	m.pollSeq++
	now := m.c.Now()
	p := pollPlan{seq: m.pollSeq, initial: !m.loaded, maxPages: followPages, until: m.newestTx, ids: m.toCheck()}
	if p.initial {
		p.maxPages = initialPages
		y, mo, d := now.Date()
		p.until = time.Date(y, mo, d, 0, 0, 0, 0, now.Location())
		if w := now.Add(-chartHours * time.Hour); w.Before(p.until) {
			p.until = w
		}
	}
	if !m.busy() {
		// A poll of a loaded list shows no spinner, so it starts no clock:
		// each tick would be a frame drawn for nothing, every 5 s in every
		// SSH session.
		return runPoll(m.c.Context(), m.c.Client, p)
	}
	return tea.Batch(runPoll(m.c.Context(), m.c.Client, p), m.startSpin())
}

// toCheck lists the open invoices to ask about: the ones this console
// requested first, then open rows of the feed, at most statusCap.
func (m *Model) toCheck() []string {
	var mine, others []string
	for _, r := range m.st.rows {
		if r.inv.ID == "" || r.inv.Final() || r.gone {
			continue
		}
		if r.requested {
			mine = append(mine, r.inv.ID)
		} else if len(others) < statusCap {
			others = append(others, r.inv.ID)
		}
	}
	ids := append(mine, others...)
	return ids[:min(len(ids), statusCap)]
}

// runPoll reads the feed's newest pages and the listed invoices' status.
func runPoll(base context.Context, c *client.Client, p pollPlan) tea.Cmd {
	return func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		out := polledMsg{seq: p.seq, initial: p.initial}
		for page := 1; page <= p.maxPages; page++ {
			pg, err := c.Transactions(cx, client.TransactionFilter{TransType: "SALE", Page: page})
			if err != nil {
				out.feedErr = err
				break
			}
			out.txs = append(out.txs, pg.Results...)
			n := len(pg.Results)
			out.lastPage, out.more = page, n > 0 && pg.HasNext()
			if !out.more || !pg.Results[n-1].CreatedAt.After(p.until) {
				break
			}
		}
		out.statuses, out.missing, out.statusErr = statuses(cx, c, p.ids)
		return out
	}
}

// statuses asks about each invoice, four at a time.
func statuses(cx context.Context, c *client.Client, ids []string) ([]client.Invoice, []string, error) {
	type answer struct {
		inv *client.Invoice
		err error
	}
	res := make([]answer, len(ids))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			st, err := c.PaymentStatus(cx, id)
			if err == nil {
				res[i].inv = &st.Invoice
			}
			res[i].err = err
		}()
	}
	wg.Wait()
	var invs []client.Invoice
	var missing []string
	var errs []error
	for i, a := range res {
		switch {
		case a.err == nil:
			invs = append(invs, *a.inv)
		case client.IsNotFound(a.err):
			missing = append(missing, ids[i])
		default:
			errs = append(errs, a.err)
		}
	}
	return invs, missing, errors.Join(errs...)
}

// armTimer schedules the next poll, backing off after failures.
func (m *Model) armTimer() tea.Cmd {
	if !m.visible {
		return nil
	}
	if m.eventPending {
		// An event came while the last read was in flight: that read may
		// predate it, so read again now.
		return m.poll(false)
	}
	m.timerGen++
	d := pollEvery
	if m.watch != nil && !m.watchFinal() {
		d = pollFast
	}
	d = m.c.LivePace(d) // a safety net while webhooks bring the news
	return m.sched(common.Backoff(d, pollMax, m.failures), pollTickMsg{gen: m.timerGen})
}

// backoff is the slow-pace delay after the failures so far (shown while stale).
func (m *Model) backoff() time.Duration {
	return common.Backoff(pollEvery, pollMax, m.failures)
}

// onWebhook reads the feed now when a payment changed at IntaSend (serve
// --webhooks) and the view is on screen; a hidden view reads when shown.
func (m *Model) onWebhook(msg common.WebhookMsg) tea.Cmd {
	if msg.Type != "collection" || !m.loaded {
		return nil
	}
	if !m.visible || m.inFlight {
		m.eventPending = true
		return nil
	}
	return m.poll(false)
}

func (m *Model) onPollTick(msg pollTickMsg) tea.Cmd {
	if msg.gen != m.timerGen || !m.visible {
		return nil
	}
	return m.poll(false)
}

// onPolled merges a poll's answer and arms the next one.
func (m *Model) onPolled(msg polledMsg) tea.Cmd {
	if msg.seq != m.pollSeq {
		return nil
	}
	m.inFlight = false
	watching := m.loaded
	manual := m.manual
	m.manual = false
	now := m.c.Now()
	done := m.mergePoll(msg, now)
	err := msg.feedErr
	if err == nil {
		err = msg.statusErr
	}
	cmds := []tea.Cmd{text.Health(err, now)}
	if msg.feedErr == nil {
		if msg.initial && msg.more {
			m.older.next = msg.lastPage + 1 // where a filter's search goes on
		}
		m.loaded = true
	}
	cmds = append(cmds, m.notePollErr(msg, err, manual, now))
	m.afterData()
	cmds = append(cmds, m.watchUpdate(), m.armTimer(), done.announce(watching), done.broadcast(watching))
	return tea.Batch(cmds...)
}

// mergePoll folds a poll's feed, statuses and vanished invoices into the
// store and says which payments completed.
func (m *Model) mergePoll(msg polledMsg, now time.Time) completions {
	var done completions
	fresh := time.Time{}
	if m.loaded {
		fresh = now.Add(newFor) // rows arriving while watching are marked new
	}
	loc := now.Location()
	for i := range msg.txs {
		tx := &msg.txs[i]
		inv := client.Invoice{Value: tx.Value, Currency: tx.Currency, CreatedAt: tx.CreatedAt, UpdatedAt: tx.UpdatedAt}
		if tx.Invoice != nil {
			inv = *tx.Invoice
		}
		m.merge(inv, tx, loc, fresh, &done)
		if tx.CreatedAt.After(m.newestTx) {
			m.newestTx = tx.CreatedAt
		}
	}
	for _, inv := range msg.statuses {
		m.merge(inv, nil, loc, fresh, &done)
	}
	for _, id := range msg.missing {
		if r := m.st.byKey[id]; r != nil {
			r.gone = true
		}
	}
	return done
}

// notePollErr counts failures for the backoff and keeps the error for the
// header; only a manual refresh or a failed first load gets a toast.
func (m *Model) notePollErr(msg polledMsg, err error, manual bool, now time.Time) tea.Cmd {
	if err == nil {
		m.failures, m.pollErr = 0, ""
		m.refreshed = now
		return nil
	}
	m.failures++
	m.pollErr = text.ErrText(err)
	if manual || (msg.initial && msg.feedErr != nil) {
		return common.Error("Could not load collections", err)
	}
	return nil
}

// afterData recomputes what is shown and keeps the cursor on its row.
func (m *Model) afterData() {
	m.applyFilter()
	m.sum.compute(m.st, m.c.Now())
	m.restoreCursor()
}

// broadcast tells the other screens that money landed (Wallets refreshes
// its balances now, not at its next refresh). Like announce, the first
// load's history is not news.
func (done completions) broadcast(watching bool) tea.Cmd {
	if !watching || len(done) == 0 {
		return nil
	}
	ids := make([]string, len(done))
	for i, inv := range done {
		ids[i] = inv.ID
	}
	return common.Broadcast(common.CollectionsCompletedMsg{InvoiceIDs: ids})
}
