package common

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// LiveEvery is how often the screens showing money on the move (payments
// arriving, wallet balances) ask IntaSend again while they are shown: one
// pace, so a sale seen on Collections is on Wallets within the same beat.
const LiveEvery = 5 * time.Second

// BroadcastMsg asks the shell to deliver Msg to every other view, hidden
// ones included. It is how one screen tells the others that something
// happened (money arrived) without knowing which of them care: views
// never import each other, and a view that does not know Msg ignores it.
type BroadcastMsg struct {
	Msg tea.Msg
}

// Broadcast returns a command that delivers msg to every other view.
func Broadcast(msg tea.Msg) tea.Cmd {
	return func() tea.Msg { return BroadcastMsg{Msg: msg} }
}

// CollectionsCompletedMsg (broadcast by the Collections view) says that
// payments reached COMPLETE since its last poll: wallet balances moved.
type CollectionsCompletedMsg struct {
	InvoiceIDs []string
}

// WebhookMsg is an IntaSend event (a webhook `malipo serve --webhooks`
// received, checked and recorded), sent to every open console. Views
// showing the object it names read it again now instead of at their
// next poll; the shared read cache has already forgotten what it kept.
type WebhookMsg struct {
	Type   string // "collection", "send_money" or "chargeback"
	Object string // invoice_id, tracking_id or chargeback_id
	State  string
}

// StoreMsg is the shared store's health (`malipo serve --store` asks
// PostgreSQL every LiveEvery and sends it to every open console). While
// Down, the status bar says so and Payouts refuses to initiate or approve
// up front: the journal that guards against paying twice lives there.
// Reads of IntaSend go on.
type StoreMsg struct {
	Down   bool
	Reason string // why, for the refusal and the audit record; no password
}

// StoreHealth is the StoreMsg for a ping's outcome.
func StoreHealth(err error) StoreMsg {
	if err == nil {
		return StoreMsg{}
	}
	return StoreMsg{Down: true, Reason: err.Error()}
}

// StoreDownText is the status bar's badge and the start of every refusal.
const StoreDownText = "store down: money moves paused"
