package refunds

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/text"
)

// Data messages; each carries the sequence number of its request so a
// late answer to an older request is dropped.
type (
	listPageMsg struct {
		seq, page int
		p         *client.Page[client.Refund]
		err       error
	}
	lookupMsg struct {
		seq        int
		id         string
		status     *client.PaymentStatus
		refunds    []client.Refund
		err        error // the payment itself
		refundsErr error // the walk through the refunds
	}
	detailMsg struct {
		seq int
		r   *client.Refund
		err error
	}
	refreshTickMsg struct{ gen int }
)

// reloadList asks for page 1 again; an answer still in flight for an older
// request is dropped when it arrives.
func (m *Model) reloadList() tea.Cmd {
	return m.loadPage(1)
}

func (m *Model) loadPage(page int) tea.Cmd {
	l := &m.list
	if page > 1 && l.loading {
		return nil
	}
	m.timerGen++ // re-armed when the answer arrives
	l.loading = true
	l.seq++
	c, seq := m.c.Client, l.seq
	base := m.c.Context()
	return func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		p, err := c.ListRefunds(cx, page)
		return listPageMsg{seq: seq, page: page, p: p, err: err}
	}
}

func (m *Model) onListPage(msg listPageMsg) tea.Cmd {
	l := &m.list
	if msg.seq != l.seq {
		return nil
	}
	l.loading = false
	now := m.c.Now()
	cmds := []tea.Cmd{text.Health(msg.err, now)}
	if msg.err != nil {
		m.failures++
		l.err = text.ErrText(msg.err)
		if !l.loaded {
			cmds = append(cmds, common.Error("Could not load refunds", msg.err))
		}
		return tea.Batch(append(cmds, m.armTimer())...)
	}
	m.failures, l.err = 0, ""
	first := !l.loaded
	l.loaded = true
	if msg.page == 1 {
		l.refreshed = now
	}
	l.count = msg.p.Count
	l.merge(msg.page, msg.p.Results)
	if msg.page > 1 || first {
		l.next = 0
		if msg.p.HasNext() && len(msg.p.Results) > 0 {
			l.next = msg.page + 1
		}
	}
	return tea.Batch(append(cmds, m.maybeLoadMore(), m.armTimer())...)
}

// armTimer schedules a quiet reload of page 1 while some loaded refund is
// still PENDING (only then can a row change), backing off after failures.
func (m *Model) armTimer() tea.Cmd {
	if !m.shown || !m.anyPending() {
		return nil
	}
	m.timerGen++
	return m.sched(common.Backoff(refreshEvery, refreshMax, m.failures), refreshTickMsg{gen: m.timerGen})
}

// anyPending: a PENDING refund may still complete, and an OVERDUE one
// (held past its time) still settles later, so both keep the reload going.
func (m *Model) anyPending() bool {
	for _, r := range m.list.rows {
		if r.Status == client.RefundPending || r.Status == client.RefundOverdue {
			return true
		}
	}
	return m.failures > 0
}

func (m *Model) onRefreshTick(msg refreshTickMsg) tea.Cmd {
	if msg.gen != m.timerGen || !m.shown {
		return nil
	}
	cmds := []tea.Cmd{m.reloadList()}
	if m.pay != nil && !m.pay.loading && m.form == nil {
		cmds = append(cmds, m.lookup(m.pay.id, false))
	}
	return tea.Batch(cmds...)
}

// fetchPayment asks for the invoice's status, then walks every page of
// refunds for the ones of this invoice (IntaSend has no filter for it).
func fetchPayment(base context.Context, c *client.Client, seq int, id string) tea.Cmd {
	return func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		st, err := c.PaymentStatus(cx, id)
		if err != nil {
			return lookupMsg{seq: seq, id: id, err: err}
		}
		var mine []client.Refund
		for page := 1; page <= scanPages; page++ {
			p, err := c.ListRefunds(cx, page)
			if err != nil {
				return lookupMsg{seq: seq, id: id, status: st, refunds: mine, refundsErr: err}
			}
			for _, r := range p.Results {
				if invoiceID(r) == st.Invoice.ID {
					mine = append(mine, r)
				}
			}
			if !p.HasNext() || len(p.Results) == 0 {
				break
			}
		}
		return lookupMsg{seq: seq, id: id, status: st, refunds: mine}
	}
}

// lookup opens (or refreshes) the payment screen on invoice id; openForm
// opens the refund form once it is loaded.
func (m *Model) lookup(id string, openForm bool) tea.Cmd {
	if m.form != nil && m.form.State != uiform.Editing {
		return common.Toast(common.ToastWarn, "A refund is waiting for confirmation or being sent; try again in a moment")
	}
	m.seq++
	if m.pay == nil || m.pay.id != id {
		m.pay = &payment{id: id}
		m.form = nil
	}
	m.pay.seq, m.pay.loading, m.pay.openForm = m.seq, true, openForm
	m.detail = nil
	return fetchPayment(m.c.Context(), m.c.Client, m.seq, id)
}

func (m *Model) onLookup(msg lookupMsg) tea.Cmd {
	now := m.c.Now()
	err := msg.err
	if err == nil {
		err = msg.refundsErr
	}
	cmds := []tea.Cmd{text.Health(err, now)}
	// From the find box: errors stay in the box with what was typed.
	if f := m.find; f != nil && f.seq == msg.seq {
		f.seq = 0
		if msg.err != nil {
			f.err = lookupErr(msg.id, msg.err)
			return tea.Batch(cmds...)
		}
		m.find = nil
		m.pay = &payment{id: msg.id, seq: msg.seq}
		m.form, m.detail = nil, nil
	}
	p := m.pay
	if p == nil || p.seq != msg.seq {
		return tea.Batch(cmds...)
	}
	p.loading = false
	if msg.err != nil {
		p.err = lookupErr(msg.id, msg.err)
		return tea.Batch(cmds...)
	}
	p.err, p.refundsErr = "", ""
	p.status = msg.status
	p.refunds = msg.refunds
	if msg.refundsErr != nil {
		p.refundsErr = text.ErrText(msg.refundsErr)
	}
	p.loadedAt = now
	cmds = append(cmds, m.checkUnclear(p))
	if p.openForm {
		p.openForm = false
		cmds = append(cmds, m.openForm())
	}
	return tea.Batch(cmds...)
}

// lookupErr is what a person reads when a payment cannot be found.
func lookupErr(id string, err error) string {
	if client.IsNotFound(err) {
		return fmt.Sprintf("No payment with invoice id %s. Check the id: IntaSend's are 7 letters and digits, as on the M-Pesa or card receipt.", id)
	}
	return text.ErrText(err)
}

func (m *Model) openDetail(r client.Refund) tea.Cmd {
	m.seq++
	m.detail = &detail{r: r, seq: m.seq}
	return m.loadDetail(r.ID)
}

// loadDetail reads the refund again: the list may be minutes old.
func (m *Model) loadDetail(id string) tea.Cmd {
	d := m.detail
	if d == nil || id == "" {
		return nil
	}
	d.loading = true
	c, seq := m.c.Client, d.seq
	base := m.c.Context()
	return func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		r, err := c.GetRefund(cx, id)
		return detailMsg{seq: seq, r: r, err: err}
	}
}

func (m *Model) onDetail(msg detailMsg) tea.Cmd {
	d := m.detail
	if d == nil || d.seq != msg.seq {
		return nil
	}
	d.loading = false
	if msg.err != nil {
		d.err = text.ErrText(msg.err)
		return text.Health(msg.err, m.c.Now())
	}
	d.err = ""
	d.r = *msg.r
	if i, ok := m.list.index[msg.r.ID]; ok {
		m.list.rows[i] = *msg.r
		m.list.reindex()
		m.list.applyFilter()
	}
	return text.Health(nil, m.c.Now())
}
