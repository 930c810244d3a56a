package wallets

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// stkWatch follows an STK push until the customer pays or it fails. One
// status request is in flight at a time; the next is scheduled only when
// the previous answer arrives, and the gap grows after errors.
type stkWatch struct {
	gen      int
	req      pendingFund
	inv      client.Invoice
	inFlight bool
	failures int
	err      string
	started  time.Time
	updated  time.Time
}

func (s *stkWatch) final() bool { return s.inv.Final() }

type (
	pollMsg   struct{ gen int }
	statusMsg struct {
		gen int
		st  *client.PaymentStatus
		err error
	}
)

func (m *Model) onFundDone(msg fundDoneMsg) tea.Cmd {
	now := m.now()
	switch {
	case msg.err == nil:
		m.closeForm(msg.seq)
		m.seq++
		m.stk = &stkWatch{gen: m.seq, req: msg.req, inv: msg.resp.Invoice, started: now, updated: now}
		return tea.Batch(audit.Warning(msg.auditErr), text.Health(nil, now), m.sched(pollEvery, pollMsg{gen: m.seq}), m.startSpin())
	case client.IsAmbiguous(msg.err):
		m.closeForm(msg.seq)
		return tea.Batch(audit.Warning(msg.auditErr), text.Health(msg.err, now), common.Error("M-Pesa request outcome unknown",
			fmt.Errorf("IntaSend did not answer clearly (%s). The customer may still get a prompt, so it was not sent again: look for it under Collections before asking again", text.ErrText(msg.err))))
	}
	m.failForm(msg.seq, msg.err)
	return tea.Batch(audit.Warning(msg.auditErr), text.Health(msg.err, now))
}

func (m *Model) onPoll(msg pollMsg) tea.Cmd {
	s := m.stk
	if s == nil || s.gen != msg.gen || s.inFlight || s.final() {
		return nil
	}
	s.inFlight = true
	c, id, gen := m.c.Client, s.inv.ID, s.gen
	base := m.c.Context()
	return func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		st, err := c.PaymentStatus(cx, id)
		return statusMsg{gen: gen, st: st, err: err}
	}
}

func (m *Model) onStatus(msg statusMsg) tea.Cmd {
	s := m.stk
	now := m.now()
	if s == nil || s.gen != msg.gen {
		return text.Health(msg.err, now)
	}
	s.inFlight = false
	if msg.err != nil {
		s.failures++
		s.err = text.ErrText(msg.err)
		return tea.Batch(text.Health(msg.err, now), m.sched(common.Backoff(pollEvery, pollMax, s.failures), pollMsg{gen: s.gen}))
	}
	s.failures, s.err = 0, ""
	s.inv = msg.st.Invoice
	s.updated = now
	cmds := []tea.Cmd{text.Health(nil, now)}
	switch {
	case s.inv.State == client.InvoiceComplete:
		cmds = append(cmds, m.refresh(false), common.Toast(common.ToastSuccess,
			fmt.Sprintf("%s Received %s into %s", common.SymOK, s.req.amount.Format("KES"), s.req.wallet.Label)))
	case s.final():
		cmds = append(cmds, common.Toast(common.ToastError,
			fmt.Sprintf("%s M-Pesa payment %s: %s", common.SymFailed, strings.ToLower(s.inv.State), text.OrDash(text.FailedReason(s.inv)))))
	default:
		cmds = append(cmds, m.sched(pollEvery, pollMsg{gen: s.gen}))
	}
	return tea.Batch(cmds...)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// stkView draws the watch panel.
func (m *Model) stkView() string {
	st := m.c.Styles
	s := m.stk
	lines := []string{
		st.Title.Render("Fund " + s.req.wallet.Label + " by M-Pesa"),
		"",
		"Invoice    " + orDefault(s.inv.ID, "—"),
		"Phone      " + s.req.phone.Display(),
		"Amount     " + s.req.amount.Format("KES"),
		"Status     " + text.PushStatus(st, m.spin.View(), s.inv),
	}
	if s.inv.MpesaReference != "" {
		lines = append(lines, "M-Pesa ref "+s.inv.MpesaReference)
	}
	lines = append(lines, st.Faint.Render("Checked    "+when.Clock(m.now(), s.updated)))
	if s.err != "" {
		lines = append(lines, st.Warning.Render(common.SymWarn+" status check failed, retrying: ")+s.err)
	}
	lines = append(lines, "")
	if s.final() {
		lines = append(lines, st.Faint.Render("esc close"))
	} else {
		lines = append(lines, st.Faint.Render("esc close (the payment goes on; follow it under Collections)"))
	}
	w := min(m.width, 72)
	return st.FocusedBox.Width(w).Render(strings.Join(lines, "\n"))
}
