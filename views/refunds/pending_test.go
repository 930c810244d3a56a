package refunds

import (
	"testing"

	"github.com/malipo/malipo/client"
)

// TestReloadsWhileARefundCanChange: the list keeps re-reading page 1 while
// a loaded refund can still change state: PENDING, and OVERDUE (which the
// simulator, like IntaSend, completes later); settled ones stop it.
func TestReloadsWhileARefundCanChange(t *testing.T) {
	for _, tc := range []struct {
		status string
		want   bool
	}{
		{client.RefundPending, true},
		{client.RefundOverdue, true},
		{client.RefundCompleted, false},
		{client.RefundCancelled, false},
		{client.RefundDisputed, false},
	} {
		m := &Model{}
		m.list.rows = []client.Refund{{Status: client.RefundCompleted}, {Status: tc.status}}
		if got := m.anyPending(); got != tc.want {
			t.Errorf("%s: anyPending = %v, want %v", tc.status, got, tc.want)
		}
	}
}
