package collections

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// detail is an open invoice. The row stays live (polls update it); the
// customer comes from one payment-status request made on opening.
type detail struct {
	key     string
	gen     int
	loading bool
	meta    *client.PaymentMeta
	err     string
}

type detailMsg struct {
	gen int
	st  *client.PaymentStatus
	err error
}

func (m *Model) openDetail() tea.Cmd {
	r := m.selected()
	if r == nil {
		return nil
	}
	m.seq++
	m.detail = &detail{key: rowKey(r.inv, r.txID), gen: m.seq}
	if r.inv.ID == "" {
		return nil
	}
	m.detail.loading = true
	c, id, gen := m.c.Client, r.inv.ID, m.seq
	base := m.c.Context()
	return tea.Batch(func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		st, err := c.PaymentStatus(cx, id)
		return detailMsg{gen: gen, st: st, err: err}
	}, m.startSpin())
}

func (m *Model) onDetail(msg detailMsg) tea.Cmd {
	now := m.c.Now()
	d := m.detail
	if d == nil || d.gen != msg.gen {
		return text.Health(msg.err, now)
	}
	d.loading = false
	if msg.err != nil {
		d.err = text.ErrText(msg.err)
		return text.Health(msg.err, now)
	}
	d.meta = &msg.st.Meta
	m.st.upsert(msg.st.Invoice, nil, now.Location(), time.Time{})
	m.afterData()
	return text.Health(nil, now)
}

func (m *Model) detailKeys(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Back):
		m.detail = nil
	case key.Matches(k, m.keys.Refund) && m.c.Can(common.PermRefund):
		r := m.st.byKey[m.detail.key]
		return m.refund(r)
	case key.Matches(k, m.keys.Refresh):
		return m.poll(true)
	}
	return nil
}

// detailView lists every invoice field the API gives, labelled.
func (m *Model) detailView() string {
	st := m.c.Styles
	r := m.st.byKey[m.detail.key]
	w := min(m.width, 76)
	if r == nil {
		return st.FocusedBox.Width(w).Render("This payment is no longer listed.\n\n" + st.Faint.Render("esc back"))
	}
	inv := r.inv
	now := m.c.Now()
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return when.Stamp(now, t)
	}
	kv := [][2]string{
		{"Invoice", text.OrDash(inv.ID)},
		{"State", text.InvoiceState(inv)},
		{"Method", method(inv.Provider) + " (" + text.OrDash(inv.Provider) + ")"},
		{"Customer", text.OrDash(inv.Account)},
		{"Amount", inv.Value.Format(orKES(inv.Currency))},
		{"Charges", moneyCur(r, inv.Charges)},
		{"Net", moneyCur(r, inv.NetAmount)},
		{"api_ref", text.OrDash(inv.APIRef)},
		{"M-Pesa ref", text.OrDash(inv.MpesaReference)},
		{"Clearing", text.OrDash(inv.ClearingStatus)},
		{"Retries", fmt.Sprint(inv.RetryCount)},
		{"Created", stamp(inv.CreatedAt)},
		{"Updated", stamp(inv.UpdatedAt)},
	}
	if inv.State == client.InvoiceFailed || inv.FailedCode != "" || inv.FailedReason != "" {
		kv = append(kv, [2]string{"Failure", text.OrDash(text.FailedReason(inv))}, [2]string{"Failure code", text.OrDash(inv.FailedCode)})
	}
	if r.txID != "" {
		kv = append(kv, [2]string{"Wallet line", r.txID + " · " + text.OrDash(r.txStatus)})
	}
	kv = append(kv, [2]string{"Refunds", refundInfo(r)})
	if d := m.detail; d.meta != nil {
		cu := d.meta.Customer
		name := strings.TrimSpace(cu.FirstName + " " + cu.LastName)
		who := strings.Join(nonEmpty(name, cu.PhoneNumber, cu.Email), " · ")
		kv = append(kv, [2]string{"Payer", text.OrDash(who)})
	}
	lines := []string{st.Title.Render("Payment " + text.OrDash(inv.ID)), ""}
	for _, p := range kv {
		lines = append(lines, text.PadRight(st.Label.Render(p[0]), 14)+text.Truncate(p[1], w-18))
	}
	lines = append(lines, "")
	switch d := m.detail; {
	case d.loading:
		lines = append(lines, m.spin.View()+" checking with IntaSend…")
	case d.err != "":
		lines = append(lines, st.Warning.Render(common.SymWarn+" could not check: "+d.err))
	}
	help := "esc back"
	if inv.State == client.InvoiceComplete && m.c.Can(common.PermRefund) {
		help = "R refund · " + help
	}
	lines = append(lines, st.Faint.Render(help))
	return st.FocusedBox.Width(w).Render(strings.Join(lines, "\n"))
}

// refundInfo says what is known about refunds of the payment: the feed's
// line turns REFUNDED or CHARGEBACK-PENDING when one is raised.
func refundInfo(r *row) string {
	switch r.txStatus {
	case "REFUNDED":
		return "refunded"
	case "CHARGEBACK-PENDING":
		return "a refund is pending"
	}
	if r.inv.State == client.InvoiceComplete {
		return "none known · refundable (R)"
	}
	return "not refundable (not paid)"
}

func moneyCur(r *row, a client.Amount) string {
	if r.inv.State != client.InvoiceComplete {
		return "— (known once paid)"
	}
	return a.Format(orKES(r.inv.Currency))
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func orKES(cur string) string {
	if cur == "" {
		return "KES"
	}
	return cur
}

// watchView is the panel that follows an STK push sent from here.
func (m *Model) watchView() string {
	st := m.c.Styles
	w := m.watch
	r := m.watchRow()
	var inv client.Invoice
	if r != nil {
		inv = r.inv
	}
	status := text.PushStatus(st, m.spin.View(), inv)
	lines := []string{
		st.Title.Render("M-Pesa request " + text.OrDash(w.id)), "",
		"Phone      " + w.req.phone.Display(),
		"Amount     " + w.req.amount.Format("KES"),
		"Status     " + status,
	}
	if inv.State == client.InvoiceComplete {
		lines = append(lines, "Charges    "+inv.Charges.Format("KES"), "Net        "+inv.NetAmount.Format("KES"))
	}
	if inv.MpesaReference != "" {
		lines = append(lines, "M-Pesa ref "+inv.MpesaReference)
	}
	if m.pollErr != "" {
		lines = append(lines, st.Warning.Render(common.SymWarn+" status check failed, retrying: ")+m.pollErr)
	}
	lines = append(lines, "")
	if inv.Final() {
		lines = append(lines, st.Faint.Render("esc close"))
	} else {
		lines = append(lines, st.Faint.Render("esc close (the payment goes on; its row updates in the list)"))
	}
	return st.FocusedBox.Width(min(m.width, 72)).Render(strings.Join(lines, "\n"))
}

// linkView shows a created checkout link and how to copy it.
func (m *Model) linkView() string {
	st := m.c.Styles
	l := m.link
	w := min(m.width, 100)
	lines := []string{st.Title.Render("Checkout link for " + l.req.amount.Format("KES")), ""}
	lines = append(lines, "Send this link to the customer; it is shown in full below the box.")
	lines = append(lines, "")
	if l.req.email != "" {
		lines = append(lines, "For        "+l.req.email)
	}
	if l.req.ref != "" {
		lines = append(lines, "Reference  "+l.req.ref)
	}
	lines = append(lines, "Checkout   "+l.co.ID, "")
	hint := "c copy to clipboard (OSC 52) · esc close"
	if l.copied {
		hint = common.SymOK + " copied · " + hint
	}
	lines = append(lines, st.Faint.Render(hint))
	// The URL goes under the box, unframed and whole (broken only where
	// the screen ends, never shortened), so it can be copied by hand too.
	out := st.FocusedBox.Width(w).Render(strings.Join(lines, "\n"))
	for u := l.co.URL; u != ""; {
		n := min(len(u), w)
		out += "\n" + st.Bold.Render(u[:n])
		u = u[n:]
	}
	return out
}
