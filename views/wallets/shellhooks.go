package wallets

import "github.com/malipo/malipo/ui/common"

var _ common.Copier = (*Model)(nil)

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
