package subscriptions

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// pageMsg is one page of one list. gen ties it to the list's loading (a
// reopened detail or a newer reload drops older answers).
type pageMsg[T any] struct {
	l    *list[T]
	gen  int
	page int
	p    *client.Page[T]
	err  error
}

// fetch is a list's page loader.
type fetch[T any] func(ctx context.Context, page int) (*client.Page[T], error)

// loadPage asks for one page of l; one request per list at a time. A
// reload asked for while a page is loading runs when it arrives.
func loadPage[T any](m *Model, l *list[T], page int, get fetch[T]) tea.Cmd {
	if l.loading {
		if page == 1 {
			l.again = true
		}
		return nil
	}
	l.loading = true
	m.seq++
	l.gen = m.seq
	gen := l.gen
	base := m.c.Context()
	run := func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		p, err := get(cx, page)
		return pageMsg[T]{l: l, gen: gen, page: page, p: p, err: err}
	}
	return tea.Batch(run, m.startSpin())
}

func (m *Model) fetchPlans() fetch[client.Plan] { return m.c.Client.ListPlans }
func (m *Model) fetchCustomers() fetch[client.SubscriptionCustomer] {
	return m.c.Client.ListSubscriptionCustomers
}
func (m *Model) fetchSubs() fetch[client.Subscription] { return m.c.Client.ListSubscriptions }

// reload fetches page 1 of every list (and of the open subscription's
// transactions): a refresh shows status changes and new rows in place.
func (m *Model) reload(manual bool) tea.Cmd {
	m.manual = m.manual || manual
	cmds := []tea.Cmd{
		loadPage(m, m.plans, 1, m.fetchPlans()),
		loadPage(m, m.custs, 1, m.fetchCustomers()),
		loadPage(m, m.subs, 1, m.fetchSubs()),
	}
	if m.detail != nil {
		cmds = append(cmds, m.loadTxs(1))
	}
	return tea.Batch(cmds...)
}

// onPage takes any list's page: the list itself and what to do next are
// the same for all of them.
func onPage[T any](m *Model, msg pageMsg[T], get fetch[T], rows int) tea.Cmd {
	l := msg.l
	if msg.gen != l.gen {
		return nil
	}
	l.loading = false
	now := m.c.Now()
	cmds := []tea.Cmd{text.Health(msg.err, now)}
	if msg.err != nil {
		l.err = text.ErrText(msg.err)
		if m.manual || !l.loaded {
			cmds = append(cmds, common.Error("Could not load "+l.name, msg.err))
		}
	} else {
		l.err = ""
		l.setPage(msg.page, msg.p.Results, msg.p.HasNext(), msg.p.Count)
		l.ensureVisible(rows)
		m.refreshed = now
	}
	if !m.anyLoading() {
		m.manual = false
	}
	switch {
	case l.again:
		l.again = false
		cmds = append(cmds, loadPage(m, l, 1, get))
	case msg.err == nil && l.wantsMore(rows):
		cmds = append(cmds, loadPage(m, l, l.next, get))
	}
	return tea.Batch(cmds...)
}

func (m *Model) anyLoading() bool {
	return m.plans.loading || m.custs.loading || m.subs.loading || (m.detail != nil && m.detail.txs.loading)
}

// more fetches the active list's next page when the cursor nears its end.
func (m *Model) more() tea.Cmd {
	rows := m.rows()
	switch {
	case m.detail != nil:
		if m.detail.txs.wantsMore(rows) {
			return m.loadTxs(m.detail.txs.next)
		}
	case m.tab == tabPlans && m.plans.wantsMore(rows):
		return loadPage(m, m.plans, m.plans.next, m.fetchPlans())
	case m.tab == tabCustomers && m.custs.wantsMore(rows):
		return loadPage(m, m.custs, m.custs.next, m.fetchCustomers())
	case m.tab == tabSubs && m.subs.wantsMore(rows):
		return loadPage(m, m.subs, m.subs.next, m.fetchSubs())
	}
	return nil
}
