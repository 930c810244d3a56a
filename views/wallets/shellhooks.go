package wallets

import (
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
)

var (
	_ common.Copier    = (*Model)(nil)
	_ common.Clickable = (*Model)(nil)
)

// CopyText is the wallet id under the cursor (or of the open wallet), for
// the shell's `y`.
func (m *Model) CopyText() (label, text string) {
	if m.detail != nil {
		return "wallet", m.detail.wallet.ID
	}
	if w, ok := m.selected(); ok {
		return "wallet", w.ID
	}
	return "", ""
}

// Body lines of the tables' headers: the wallet list sits under its title
// line; a statement under its title, balances and filter lines.
const (
	listTop      = 1
	statementTop = 3
)

// ClickRow selects the wallet or statement line on body line y; a second
// click opens it, as enter does (a wallet's statement, a line's detail).
// Clicks do nothing while a form, the STK watch or a line's detail covers
// the table.
func (m *Model) ClickRow(y int) tea.Cmd {
	if m.form != nil || m.stk != nil || m.overlayOpen() {
		return nil
	}
	if d := m.detail; d != nil {
		cmd, hit, _ := d.tbl.Click(y - statementTop)
		if hit {
			return tea.Batch(cmd, m.maybeLoadMore())
		}
		return nil
	}
	if !m.loaded {
		return nil
	}
	_, hit, again := m.list.Click(y - listTop)
	if !hit {
		return nil
	}
	m.followCursor()
	if again {
		return m.openDetail()
	}
	return nil
}
