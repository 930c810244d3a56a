package pulse

import (
	"context"
	"slices"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
)

// Batches is the pulse's read-only view of the payout journal: the batches
// this console (or its team, through the shared store) initiated. IntaSend
// has no "list batches" call, so the journal is where their tracking ids
// are; *payout.Journal satisfies it, and the pulse can call nothing that
// writes.
type Batches interface {
	Entries() []payout.Entry
}

// MaxBatches bounds the status reads per refresh: the most recent batches
// still open or touched today.
const MaxBatches = 10

// Payouts is the batches' part of the pulse, from IntaSend's own status of
// each batch the journal names.
type Payouts struct {
	Known        bool // a journal was given (else nothing below is meaningful)
	InFlight     int  // approved, not finished
	FailedToday  int  // failed (or had failed rows) since midnight
	Waiting      int  // initiated, waiting approval: money not held yet
	WaitingTotal client.Amount
	// WaitingCharges is IntaSend's charge_estimate of the waiting batches;
	// Unestimated counts those it did not state one for.
	WaitingCharges client.Amount
	Unestimated    int
}

// Float is what the settlement wallet has left once the waiting batches
// are approved: approved ones are already held out of available.
func (s *Snapshot) Float() client.Amount {
	return s.Available - s.Payouts.WaitingTotal - s.Payouts.WaitingCharges
}

// candidates are the journal's batches worth a status read, newest first:
// those not known final, and those that changed today (a failure today).
func candidates(es []payout.Entry, midnight time.Time) []payout.Entry {
	es = slices.DeleteFunc(es, func(e payout.Entry) bool {
		if e.TrackingID == "" || e.Status == payout.StatusCancelled || e.Status == payout.StatusInitiateFailed {
			return true
		}
		final := (&client.Batch{StatusCode: e.StatusCode}).Final()
		return final && e.UpdatedAt.Before(midnight) && e.ObservedAt.Before(midnight)
	})
	slices.SortStableFunc(es, func(a, b payout.Entry) int { return b.InitiatedAt.Compare(a.InitiatedAt) })
	return es[:min(len(es), MaxBatches)]
}

// tally counts batches by IntaSend's status at now.
func tally(bs []*client.Batch, midnight time.Time) Payouts {
	p := Payouts{Known: true}
	for _, b := range bs {
		switch {
		case b.WaitingApproval():
			p.Waiting++
			p.WaitingTotal += batchTotal(b)
			p.WaitingCharges += b.ChargeEstimate
			if b.ChargeEstimate == 0 {
				p.Unestimated++
			}
		case !b.Final():
			p.InFlight++
		case failed(b) && !b.UpdatedAt.Before(midnight):
			p.FailedToday++
		}
	}
	return p
}

// batchTotal is the money a batch will take: IntaSend's total, else the
// sum of its rows.
func batchTotal(b *client.Batch) client.Amount {
	if b.TotalAmount != 0 {
		return b.TotalAmount
	}
	var sum client.Amount
	for _, t := range b.Transactions {
		sum += t.Amount
	}
	return sum
}

// failed is a batch that ended without paying everyone.
func failed(b *client.Batch) bool {
	switch b.StatusCode {
	case client.BatchFailed, client.BatchFloatFailed, client.BatchFloatIssue:
		return true
	}
	return b.FailedAmount > 0
}

// readBatches asks IntaSend for the status of the journal's open and
// today's batches (reads only: the pulse never approves or records).
func readBatches(ctx context.Context, cl *client.Client, j Batches, midnight time.Time) (Payouts, error) {
	if j == nil {
		return Payouts{}, nil
	}
	var bs []*client.Batch
	for _, e := range candidates(j.Entries(), midnight) {
		b, err := cl.PayoutStatus(ctx, e.TrackingID)
		if err != nil {
			return Payouts{}, err
		}
		bs = append(bs, b)
	}
	return tally(bs, midnight), nil
}
