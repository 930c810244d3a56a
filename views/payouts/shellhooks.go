package payouts

import (
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// The shell's optional copy interface and the payout-failure notification,
// kept apart from the screens so the shared table can take them over.

var _ common.Copier = (*Model)(nil)

// CopyText is the tracking id under the cursor for the shell's `y`: the
// pending batch selected, or the open batch while it waits for approval.
// Once a batch is tracked, `y` is this view's own "copy results CSV", so
// it returns nothing and the shell hands the key over.
func (m *Model) CopyText() (label, text string) {
	switch {
	case m.Capturing():
		return "", ""
	case m.screen == scrPending:
		items := m.pend.all()
		m.pend.tbl.SetTotal(len(items))
		i, ok := m.pend.tbl.Current()
		if !ok {
			return "", ""
		}
		return "tracking id", items[i].trackingID
	case m.screen == scrHistory:
		if i, ok := m.hist.tbl.Current(); ok {
			return "tracking id", m.hist.items[i].TrackingID
		}
		return "", ""
	case m.screen == scrBatch && m.batch != nil && !m.batch.tracking():
		return "tracking id", m.batch.b.TrackingID
	}
	return "", ""
}

// failures reports, for the shell's bell, what failed between two reads of
// a batch this console watches: the batch itself when it newly ended in
// failure (a float check, say), else the rows that newly failed, one
// message per read however many (a 5,000-row batch must not ring 5,000
// times). Nothing is reported for what had already failed when the batch
// was opened, nor for rows cancelled with the batch (someone chose that).
func failures(prev, now *client.Batch) tea.Cmd {
	if prev == nil || now == nil {
		return nil
	}
	newly := newlyFailed(prev, now)
	msg := common.PayoutFailedMsg{Tracking: now.TrackingID, Rows: len(newly)}
	switch {
	case batchFailed(now) && !batchFailed(prev):
		msg.Rows, msg.Reason = len(now.Transactions), now.Status+" ("+now.StatusCode+")"
	case len(newly) == 1:
		t := newly[0]
		msg.Account, msg.Amount, msg.Reason = t.Account, t.Amount, t.StatusDescription
	case len(newly) == 0:
		return nil
	}
	return common.PayoutFailed(msg)
}

// newlyFailed are now's rows that failed since prev. A batch's rows keep
// their order from initiate to the end (accounts may repeat, ids arrive
// late), so rows are matched by position.
func newlyFailed(prev, now *client.Batch) []client.PayoutResult {
	var out []client.PayoutResult
	for i, t := range now.Transactions {
		if !t.Failed() || t.StatusCode == client.TxCancelled || (i < len(prev.Transactions) && prev.Transactions[i].Failed()) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// batchFailed: the batch as a whole failed (not cancelled, not completed
// with some failed rows, which the rows report).
func batchFailed(b *client.Batch) bool {
	switch b.StatusCode {
	case client.BatchFailed, client.BatchFloatFailed, client.BatchFloatIssue:
		return true
	}
	return false
}
