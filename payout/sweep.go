package payout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/malipo/malipo/client"
)

// StateSettled is the store's state of an approved batch whose final
// status is recorded: no host polls it again.
const StateSettled = "settled"

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
	ids, err := j.db.s.ClaimPolls(ctx, j.db.name, host, []string{StatusApproving, StatusApproved}, 20, SweepLease)
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
		wrote, err := j.sweepOne(id, st)
		if err != nil {
			errs = append(errs, err)
		}
		if wrote {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// sweepOne records what st says of a claimed batch: the outcome of an
// approval in flight, or an approved batch's status (RecordStatus); once
// that is final the batch is settled and no host polls it again. A status
// that is not final yet waits for the lease to run out.
func (j *Journal) sweepOne(id string, st *client.Batch) (bool, error) {
	e, _ := j.Entry(id)
	if e.Status != StatusApproved {
		return j.ResolveApproval(id, st)
	}
	wrote, err := j.RecordStatus(id, st)
	if err != nil || wrote || !st.Final() {
		return wrote, err
	}
	// The final status was recorded before the batch was approved here
	// (a status read raced the outcome): settle it without a new event.
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	return false, j.db.s.Settle(ctx, j.db.name, id, StatusApproved, StateSettled)
}
