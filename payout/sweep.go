package payout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/malipo/malipo/client"
)

// StatusReader reads a batch's status (client.Client.PayoutStatus).
type StatusReader interface {
	PayoutStatus(ctx context.Context, trackingID string) (*client.Batch, error)
}

// SweepLease is how long a host keeps a batch it is resolving to itself:
// longer than a status read takes; when a host dies holding it, another
// host takes the batch over once it runs out.
const SweepLease = 30 * time.Second

// Sweep resolves, once, the approvals on the shared store whose outcome
// the journal lacks: batches left approving by an approver that died
// (kill -9, a dead VM) or is still waiting for IntaSend. The batches are
// shared out between hosts (store.ClaimPolls, FOR UPDATE SKIP LOCKED), so
// no batch is read by two hosts at once; each is settled by a status read
// (ResolveApproval), never by approving again. It reports how many
// outcomes it recorded. A file journal has nothing to share: it returns 0.
func (j *Journal) Sweep(ctx context.Context, c StatusReader, host string) (int, error) {
	if j.db == nil {
		return 0, nil
	}
	ids, err := j.db.s.ClaimPolls(ctx, j.db.name, host, []string{StatusApproving}, 20, SweepLease)
	if err != nil {
		return 0, fmt.Errorf("journal: %w", err)
	}
	n := 0
	var errs []error
	for _, id := range ids {
		st, err := c.PayoutStatus(ctx, id)
		if err != nil {
			errs = append(errs, fmt.Errorf("batch %s: %w", id, err))
			continue // the lease runs out and the batch is read again
		}
		wrote, err := j.ResolveApproval(id, st)
		if err != nil {
			errs = append(errs, err)
		}
		if wrote {
			n++
		}
	}
	return n, errors.Join(errs...)
}
