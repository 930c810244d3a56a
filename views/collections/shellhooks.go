package collections

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// The shell's optional interfaces (mouse, copy) and the payment
// notification, kept apart from the list code so the shared table can take
// them over.

var (
	_ common.Clickable = (*Model)(nil)
	_ common.Copier    = (*Model)(nil)
)

// CopyText is the invoice under the cursor (or the open one), for the
// shell's `y`. A feed line without an invoice has only its transaction id.
func (m *Model) CopyText() (label, text string) {
	r := m.selected()
	if m.detail != nil {
		r = m.st.byKey[m.detail.key]
	}
	switch {
	case r == nil:
		return "", ""
	case r.inv.ID != "":
		return "invoice", r.inv.ID
	}
	return "transaction", r.txID
}

// ClickRow selects the table row on body line y; a click on the selected
// row opens it, as enter does. While a panel covers the table (a form, the
// STK watch, a link, a detail) clicks do nothing.
func (m *Model) ClickRow(y int) tea.Cmd {
	if m.form != nil || m.watch != nil || m.link != nil || m.detail != nil || m.overlayOpen() {
		return nil
	}
	header := 3 + m.layout().chartH // title, totals, chart, filter line
	_, hit, again := m.tbl.Click(y - header)
	switch {
	case !hit:
		return nil
	case again:
		return m.openDetail()
	}
	m.followCursor()
	return nil
}

// completions are the invoices a poll saw become COMPLETE; merge fills it,
// onPolled announces it.
type completions []client.Invoice

// merge is store.upsert that notes an invoice turning COMPLETE.
func (m *Model) merge(inv client.Invoice, tx *client.WalletTransaction, loc *time.Location, fresh time.Time, done *completions) {
	txID := ""
	if tx != nil {
		txID = tx.ID
	}
	k := rowKey(inv, txID)
	was := ""
	if r := m.st.byKey[k]; r != nil {
		was = r.inv.State
	}
	m.st.upsert(inv, tx, loc, fresh)
	if r := m.st.byKey[k]; r != nil && r.inv.State == client.InvoiceComplete && was != client.InvoiceComplete {
		*done = append(*done, r.inv)
	}
}

// announce tells the shell of payments completed while the console
// watched. The first load's history is not news: it announces nothing.
func (done completions) announce(watching bool) tea.Cmd {
	if !watching {
		return nil
	}
	var cmds []tea.Cmd
	for _, inv := range done {
		cmds = append(cmds, common.PaymentReceived(common.PaymentReceivedMsg{
			Invoice: inv.ID, Amount: inv.Value, Currency: inv.Currency, Account: inv.Account}))
	}
	return tea.Batch(cmds...)
}
