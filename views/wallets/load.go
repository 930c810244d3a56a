package wallets

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// Data messages: each carries the sequence number of the request that made
// it, so an answer that arrives after a newer request is dropped.
type (
	walletsMsg struct {
		seq     int
		wallets []client.Wallet
		err     error
	}
	flowsMsg struct {
		seq int
		txs []client.WalletTransaction
		err error
	}
	refreshTickMsg struct{ gen int }
)

func loadWallets(base context.Context, c *client.Client, seq int) tea.Cmd {
	return func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		ws, err := c.AllWallets(cx)
		return walletsMsg{seq: seq, wallets: ws, err: err}
	}
}

// loadFlows fetches the account's transactions since the chart's first day,
// following every page (bounded by chartPages).
func loadFlows(base context.Context, c *client.Client, seq int, start time.Time) tea.Cmd {
	return func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		var all []client.WalletTransaction
		f := client.TransactionFilter{StartDate: start.Format(time.DateOnly)}
		for page := 1; page <= chartPages; page++ {
			f.Page = page
			p, err := c.Transactions(cx, f)
			if err != nil {
				return flowsMsg{seq: seq, txs: all, err: err}
			}
			all = append(all, p.Results...)
			if !p.HasNext() || len(p.Results) == 0 {
				break
			}
		}
		return flowsMsg{seq: seq, txs: all}
	}
}

// refresh reloads the wallet list (and the chart with it, and the open
// wallet's newest page). A refresh already under way is not doubled.
func (m *Model) refresh(manual bool) tea.Cmd {
	m.timerGen++ // the timer is re-armed when the answer arrives
	m.manual = m.manual || manual
	var cmds []tea.Cmd
	if m.loading {
		// The answer on its way may predate what prompted this refresh
		// (a transfer that just finished): ask again when it lands.
		m.again = true
	} else {
		m.loading = true
		m.walletSeq++
		cmds = append(cmds, loadWallets(m.c.Context(), m.c.Client, m.walletSeq))
	}
	if manual || !m.flowsLoaded {
		cmds = append(cmds, m.reloadFlows())
	}
	if m.detail != nil {
		cmds = append(cmds, m.loadPage(1))
	}
	if m.busy() {
		cmds = append(cmds, m.startSpin())
	}
	return tea.Batch(cmds...)
}

func (m *Model) reloadFlows() tea.Cmd {
	if m.flowsBusy {
		m.flowsAgain = true // the fetch in flight may miss what changed
		return nil
	}
	m.flowsBusy = true
	m.flowsSeq++
	return loadFlows(m.c.Context(), m.c.Client, m.flowsSeq, startOfWindow(m.now()))
}

// armTimer schedules the next quiet refresh, backing off after failures.
func (m *Model) armTimer() tea.Cmd {
	if !m.shown {
		return nil
	}
	m.timerGen++
	d := m.c.LivePace(refreshEvery) // slower while webhooks bring the news
	return m.sched(common.Backoff(d, refreshMax, m.failures), refreshTickMsg{gen: m.timerGen})
}

func (m *Model) onRefreshTick(msg refreshTickMsg) tea.Cmd {
	if msg.gen != m.timerGen || !m.shown {
		return nil
	}
	return m.refresh(false)
}

func (m *Model) onWallets(msg walletsMsg) tea.Cmd {
	if msg.seq != m.walletSeq {
		return nil
	}
	again := m.again
	m.again = false
	cmd := m.applyWallets(msg)
	if again {
		return tea.Batch(cmd, m.refresh(false))
	}
	return cmd
}

// applyWallets takes in the answer to the latest wallet-list request.
func (m *Model) applyWallets(msg walletsMsg) tea.Cmd {
	m.loading = false
	manual := m.manual
	m.manual = false
	now := m.now()
	cmds := []tea.Cmd{text.Health(msg.err, now)}
	if msg.err != nil {
		m.failures++
		m.refreshErr = text.ErrText(msg.err)
		if manual || !m.loaded {
			cmds = append(cmds, common.Error("Could not load wallets", msg.err))
		}
		return tea.Batch(append(cmds, m.armTimer())...)
	}
	changed := m.balancesChanged(msg.wallets)
	m.failures, m.refreshErr = 0, ""
	cmds = append(cmds, m.pulse.Answered()) // IntaSend is back: the pulse's alarm may go
	m.refreshed = now
	m.loaded = true
	m.wallets = msg.wallets
	m.restoreCursor()
	if m.detail != nil {
		if w, ok := m.walletByID(m.detail.wallet.ID); ok {
			m.detail.wallet = w
		}
	}
	// New money moves balances; only then is the 14-day chart worth a reload.
	if changed || civilDay(m.flows.First) != civilDay(startOfWindow(now)) {
		cmds = append(cmds, m.reloadFlows())
	}
	return tea.Batch(append(cmds, m.armTimer())...)
}

// balancesChanged compares a new list with the shown one.
func (m *Model) balancesChanged(ws []client.Wallet) bool {
	if len(ws) != len(m.wallets) {
		return true
	}
	old := make(map[string]client.Wallet, len(m.wallets))
	for _, w := range m.wallets {
		old[w.ID] = w
	}
	for _, w := range ws {
		o, ok := old[w.ID]
		if !ok || o.AvailableBalance != w.AvailableBalance || o.CurrentBalance != w.CurrentBalance {
			return true
		}
	}
	return false
}

// restoreCursor puts the cursor back on the wallet it was on, by id.
func (m *Model) restoreCursor() {
	idx := -1
	for i, w := range m.wallets {
		if w.ID == m.selectedID {
			idx = i
			break
		}
	}
	if idx < 0 {
		idx = min(m.list.Cursor(), len(m.wallets)-1)
	}
	m.setCursor(max(idx, 0))
}

func (m *Model) onFlows(msg flowsMsg) tea.Cmd {
	if msg.seq != m.flowsSeq {
		return nil
	}
	m.flowsBusy = false
	cmd := m.applyFlows(msg)
	if m.flowsAgain {
		m.flowsAgain = false
		return tea.Batch(cmd, m.reloadFlows())
	}
	return cmd
}

func (m *Model) applyFlows(msg flowsMsg) tea.Cmd {
	if msg.err != nil {
		m.flowsErr = text.ErrText(msg.err)
		return text.Health(msg.err, m.now())
	}
	m.flowsErr = ""
	m.flows = aggregate(msg.txs, m.now())
	m.flowsLoaded = true
	m.flowsVer++
	return text.Health(nil, m.now())
}
