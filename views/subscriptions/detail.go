package subscriptions

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
)

// detail is an open subscription: its transactions (one line per billing
// cycle charged), paged from the API.
type detail struct {
	id  string
	txs *list[client.WalletTransaction]
}

func txText(t client.WalletTransaction) string {
	s := t.ID + " " + t.Status + " " + t.TransType + " " + t.Narrative + " " + t.Value.String() + " " + t.Value.Decimal()
	if t.Invoice != nil {
		s += " " + t.Invoice.ID + " " + t.Invoice.State + " " + t.Invoice.Provider
	}
	return s
}

func (m *Model) openDetail() tea.Cmd {
	sb, ok := m.subs.current()
	if !ok {
		return nil
	}
	txs := newList(m.c, m.keys, "transactions", "amount, status, invoice",
		func(t client.WalletTransaction) string { return t.ID }, txText)
	m.detail = &detail{id: sb.ID, txs: txs}
	return m.loadTxs(1)
}

func (m *Model) fetchTxs(id string) fetch[client.WalletTransaction] {
	c := m.c.Client
	return func(cx context.Context, page int) (*client.Page[client.WalletTransaction], error) {
		return c.SubscriptionTransactions(cx, id, page)
	}
}

func (m *Model) loadTxs(page int) tea.Cmd {
	if m.detail == nil {
		return nil
	}
	return loadPage(m, m.detail.txs, page, m.fetchTxs(m.detail.id))
}

// sub is the open subscription as last loaded.
func (d *detail) sub(m *Model) client.Subscription {
	sb, ok := m.subs.byID(d.id)
	if !ok {
		return client.Subscription{ID: d.id}
	}
	return sb
}
