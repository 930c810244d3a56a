package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// The command palette also finds things by id: what is typed (or pasted)
// is looked up at IntaSend, after a pause in typing, as an invoice id
// (payment/status), a send-money tracking id (send-money/status), a
// chargeback id (chargebacks/{id}), or, among the latest sales
// (transactions?trans_type=SALE, searchPages pages), as a customer's
// phone number or an api_ref. Each hit opens in its view through
// common.GoToMsg.

// searchDebounce is the pause in typing after which the palette searches.
const searchDebounce = 300 * time.Millisecond

// searchTimeout bounds one whole search.
const searchTimeout = 15 * time.Second

// searchPages is how many pages of recent sales a phone or api_ref search
// reads (IntaSend has no server-side search for either).
const searchPages = 3

// minSearch is the shortest text worth asking IntaSend about.
const minSearch = 4

// searchHit is one thing the search found, and where it opens.
type searchHit struct {
	title, help string
	tab         string
	msg         tea.Msg
}

// searchDueMsg: the typing pause is over; search if tag is still current.
type searchDueMsg struct {
	tag int
	q   string
}

// searchDoneMsg carries a search's hits; stale tags are dropped.
type searchDoneMsg struct {
	tag  int
	hits []searchHit
	err  error // the first failure that was not "no such thing"
}

// searchable reports whether q looks like an id, a phone or an api_ref:
// one word, long enough.
func searchable(q string) bool {
	return len(q) >= minSearch && !strings.ContainsAny(q, " \t")
}

// searchCmd runs the lookups for q in one command.
// Its requests are reads, so they end with the session (parent).
func searchCmd(parent context.Context, c *client.Client, tag int, q string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, searchTimeout)
		defer cancel()
		s := &search{c: c, ctx: ctx}
		if p, err := client.ParsePhone(q); err == nil {
			s.sales(func(inv client.Invoice) bool { return inv.Account == p.String() })
		} else {
			s.byID(q)
			s.sales(func(inv client.Invoice) bool { return inv.APIRef != "" && strings.EqualFold(inv.APIRef, q) })
		}
		return searchDoneMsg{tag: tag, hits: s.hits, err: s.err}
	}
}

// search collects hits and the first real failure of one search.
type search struct {
	c    *client.Client
	ctx  context.Context
	hits []searchHit
	seen map[string]bool
	err  error
}

// failed records err unless it only says "not that kind of id" (a 4xx).
func (s *search) failed(err error) bool {
	if err == nil {
		return false
	}
	if !text.Reachable(err) && s.err == nil {
		s.err = err
	}
	return true
}

func (s *search) byID(q string) {
	if st, err := s.c.PaymentStatus(s.ctx, q); !s.failed(err) {
		s.payment(st.Invoice)
	}
	if b, err := s.c.PayoutStatus(s.ctx, q); !s.failed(err) {
		s.hits = append(s.hits, searchHit{
			title: "Payout batch " + b.TrackingID, tab: "Payouts", msg: common.OpenBatchMsg{TrackingID: b.TrackingID},
			help: fmt.Sprintf("%s · %d payouts · %s", b.Status, len(b.Transactions), b.TotalAmount.Format("KES"))})
	}
	if r, err := s.c.GetRefund(s.ctx, q); !s.failed(err) {
		s.hits = append(s.hits, searchHit{
			title: "Refund " + r.ID, tab: "Refunds", msg: common.OpenChargebackMsg{Refund: *r},
			help: fmt.Sprintf("%s · %s · %s", r.Status, r.Amount.Format("KES"), r.Reason)})
	}
}

// sales reads the latest pages of sales for invoices that match.
func (s *search) sales(match func(client.Invoice) bool) {
	for page := 1; page <= searchPages; page++ {
		pg, err := s.c.Transactions(s.ctx, client.TransactionFilter{TransType: "SALE", Page: page})
		if s.failed(err) {
			return
		}
		for _, tx := range pg.Results {
			if tx.Invoice != nil && match(*tx.Invoice) {
				s.payment(*tx.Invoice)
			}
		}
		if pg.Next == "" {
			return
		}
	}
}

// payment adds an invoice once.
func (s *search) payment(inv client.Invoice) {
	if inv.ID == "" || s.seen[inv.ID] {
		return
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[inv.ID] = true
	who := inv.Account
	if inv.APIRef != "" {
		who += " · " + inv.APIRef
	}
	s.hits = append(s.hits, searchHit{
		title: "Payment " + inv.ID, tab: "Collections", msg: common.OpenPaymentMsg{Invoice: inv},
		help: fmt.Sprintf("%s · %s · %s", inv.State, inv.Value.Format(inv.Currency), who)})
}

// searchAfter schedules the search of q for after the typing pause; only
// the last one scheduled runs (the tag), so typing fast costs no requests.
func (m *Model) searchAfter() tea.Cmd {
	p := m.palette
	p.tag++
	p.found, p.searchErr, p.searching = nil, nil, false
	q := strings.TrimSpace(p.input.Value())
	if m.c.Client == nil || !searchable(q) {
		return nil
	}
	p.searching = true
	return m.sched(searchDebounce, searchDueMsg{tag: p.tag, q: q})
}

// searchMsg handles the search's own messages; ok says it was one.
func (m *Model) searchMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case searchDueMsg:
		if m.palette == nil || msg.tag != m.palette.tag {
			return nil, true
		}
		return searchCmd(m.c.Context(), m.c.Client, msg.tag, msg.q), true
	case searchDoneMsg:
		if m.palette == nil || msg.tag != m.palette.tag {
			return nil, true
		}
		m.palette.setHits(msg)
		if msg.err == nil {
			m.health.record(common.HealthMsg{OK: true, At: m.c.Now()})
		}
		return nil, true
	}
	return nil, false
}
