package payouts

// The shared store's health (issue 14): while `malipo serve --store`
// cannot reach PostgreSQL, the journal that guards against paying twice
// cannot record anything, so initiate and approve are refused before any
// dialog opens, rather than after the person typed the amount.

import (
	"cmp"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

func (m *Model) onStore(msg common.StoreMsg) {
	m.storeDown = ""
	if msg.Down {
		m.storeDown = "not reachable"
		if msg.Reason != "" {
			m.storeDown = msg.Reason
		}
	}
}

// storeRefusal is why a money move is refused now ("" while the store
// answers).
func (m *Model) storeRefusal() string {
	if m.storeDown == "" {
		return ""
	}
	return common.StoreDownText + " (" + m.storeDown + ")"
}

// refusedStoreDown tells the person and audits the refusal. The audit log
// may live on the very store that is down: the record is best effort, as
// the refusal itself must not wait on it.
func (m *Model) refusedStoreDown(action, target string, amount client.Amount, currency string) tea.Cmd {
	why := m.storeRefusal()
	cm := m.c
	ev := common.AuditEvent{Action: action, Target: target, Amount: amount, Currency: currency, Result: "refused", Detail: why}
	audit := func() tea.Msg { _ = cm.Audit(ev); return nil }
	return tea.Batch(common.Toast(common.ToastError, common.SymFailed+" Refused: "+why), audit)
}

// initiateRefused refuses to preview or initiate the draft while the store
// is down.
func (m *Model) initiateRefused(msg string) tea.Cmd {
	m.message = msg
	d := m.comp.d
	_, sum := d.Totals()
	return m.refusedStoreDown("payout.initiate", "", sum, cmp.Or(d.Currency, "KES"))
}
