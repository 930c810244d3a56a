package collections

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/listnav"
	"github.com/malipo/malipo/ui/components/text"
)

// older is the feed beyond the first load's window (today and the chart's
// hours). Polls never read it; a `/` filter that keeps less than a screen
// does, a page per answer, so "3 match" means three in the whole feed
// once it says "all loaded". Pages are numbered from the newest, so sales
// arriving meanwhile shift them later: a page may repeat rows (upsert
// merges them), never skip any.
type older struct {
	next    int // the next feed page to read; 0 when there is none
	loading bool
	seq     int    // the request in flight; older answers are dropped
	err     string // a failed page stops the search until the query changes
}

// olderMsg is one older feed page.
type olderMsg struct {
	seq  int
	page int
	txs  []client.WalletTransaction
	more bool
	err  error
}

// searchOlder reads the next older page while the filter wants more.
func (m *Model) searchOlder() tea.Cmd {
	o := &m.older
	want := listnav.WantMore(m.filter.Query(), m.rowCount(), m.layout().rows, o.next != 0) || m.rangeWantsOlder()
	if o.loading || o.err != "" || !want {
		return nil
	}
	o.loading = true
	o.seq++
	base, c, seq, page := m.c.Context(), m.c.Client, o.seq, o.next
	return func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		pg, err := c.Transactions(cx, client.TransactionFilter{TransType: "SALE", Page: page})
		if err != nil {
			return olderMsg{seq: seq, page: page, err: err}
		}
		return olderMsg{seq: seq, page: page, txs: pg.Results, more: pg.HasNext() && len(pg.Results) > 0}
	}
}

// onOlder merges an older page and, while the filter still wants more
// (clearing it stops the search), asks for the next.
func (m *Model) onOlder(msg olderMsg) tea.Cmd {
	o := &m.older
	if msg.seq != o.seq {
		return nil
	}
	o.loading = false
	health := text.Health(msg.err, m.c.Now())
	if msg.err != nil {
		o.err = text.ErrText(msg.err)
		return health
	}
	o.next = 0
	if msg.more {
		o.next = msg.page + 1
	}
	m.mergeOlder(msg.txs)
	m.afterData()
	return tea.Batch(health, m.searchOlder())
}

// mergeOlder takes in older feed lines: history, so neither marked new
// nor announced as payments just received.
func (m *Model) mergeOlder(txs []client.WalletTransaction) {
	loc := m.c.Now().Location()
	var ignored completions
	for i := range txs {
		tx := &txs[i]
		inv := client.Invoice{Value: tx.Value, Currency: tx.Currency, CreatedAt: tx.CreatedAt, UpdatedAt: tx.UpdatedAt}
		if tx.Invoice != nil {
			inv = *tx.Invoice
		}
		m.merge(inv, tx, loc, time.Time{}, &ignored)
	}
}

// search is where the filter stands, for the filter line.
func (m *Model) search() listnav.Search {
	return listnav.Search{Matches: m.rowCount(), Loaded: len(m.st.rows), More: m.older.next != 0, Loading: m.older.loading}
}
