package sim

import (
	"time"

	"github.com/malipo/malipo/client"
)

// LedgerLine is one statement line as tests see it through the Go API:
// the simulator's own ledger, to check what the console computes from the
// HTTP answers against.
type LedgerLine struct {
	ID, TransType, Status, Narrative, InvoiceID string
	Value, RunningBalance                       client.Amount
	At                                          time.Time
}

// Ledger lists a wallet's statement lines in the order they were written.
func (s *Server) Ledger(walletID string) []LedgerLine {
	s.lock()
	defer s.mu.Unlock()
	w := s.wallets[walletID]
	if w == nil {
		return nil
	}
	out := make([]LedgerLine, 0, len(w.Tx))
	for _, t := range w.Tx {
		out = append(out, LedgerLine{ID: t.ID, TransType: t.TransType, Status: t.Status, Narrative: t.Narrative,
			InvoiceID: t.InvoiceID, Value: t.Value, RunningBalance: t.RunningBalance, At: t.CreatedAt})
	}
	return out
}
