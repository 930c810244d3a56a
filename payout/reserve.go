package payout

import (
	"errors"
	"fmt"
	"time"

	"github.com/malipo/malipo/client"
)

// The duplicate guard of initiate, made atomic across processes and hosts.
// A front end asks Initiated before it initiates and lets the person decide
// on what it shows; but between that look and the call another console, CLI,
// SSH session or `malipo serve` host sharing the journal may initiate the
// same batch, and both calls would reach IntaSend. So the check is made again
// under the journal's lock (the events file's flock, or the store's
// transaction under the journal's advisory lock), and the initiating line,
// the reservation, is appended before the lock is released: of two
// initiators exactly one finds nothing and calls IntaSend; the other finds
// the reservation and is refused, having sent nothing.

// InitiateWindow is how long an initiate may be in flight: longer than the
// whole call may take (the console and the CLI bound it by 60 s). A
// reservation younger than this may still be answered, so another initiate
// of the same batch is refused even when the person chose to initiate
// again; after it the initiator has finished or died, and the entry shows
// under needs attention as an initiate with no answer.
const InitiateWindow = ApproveWindow

// DuplicateError is the journal refusing an initiate: a batch with the same
// fingerprint was initiated (or is being initiated) that the person did
// not see when they chose to initiate. Nothing was sent.
type DuplicateError struct {
	Prior Entry // the batch, or reservation, that stands in the way
	// InFlight: Prior is an initiate younger than InitiateWindow whose
	// answer is not recorded yet.
	InFlight bool
}

func (e *DuplicateError) Error() string {
	p := e.Prior
	at := p.InitiatedAt.In(Nairobi).Format("2006-01-02 15:04:05 MST")
	if e.InFlight {
		return fmt.Sprintf("%s started initiating an identical batch (same rail, wallet, accounts and amounts) at %s, "+
			"and no answer from IntaSend is recorded for it yet: it may still be on its way, or it was lost. Nothing was sent. "+
			"Do not initiate it again now: once answered the batch shows under Pending; if it was lost, look for it in the IntaSend "+
			"dashboard and open it by tracking id. After %s the attempt shows under Needs attention", orDash(p.Initiator), at, fmtDur(InitiateWindow))
	}
	tid := p.TrackingID
	if tid == "" {
		tid = "no tracking id: its answer was lost"
	}
	return fmt.Sprintf("an identical batch (same rail, wallet, accounts and amounts) was initiated at %s by %s (%s; %s) "+
		"after this one was checked. Nothing was sent. Look at that batch first: initiating beside it and approving both pays everyone twice",
		at, orDash(p.Initiator), tid, FinalState(p))
}

// IsDuplicate reports whether err is the journal refusing an initiate.
func IsDuplicate(err error) bool {
	var d *DuplicateError
	return errors.As(err, &d)
}

// ReserveInitiate records that d is about to be initiated (its initiating
// line, the reservation) under the journal's lock, unless the journal then
// holds a batch with d's fingerprint that again does not list (again: the
// entries of Initiated the person was shown and chose to initiate beside;
// none when they were shown nothing), or an initiate of it still in flight
// (InitiateWindow). It returns the reservation's attempt id, which names
// the answer when it is recorded. A refusal is a *DuplicateError and
// writes nothing.
func (j *Journal) ReserveInitiate(d *Draft, again []Entry) (string, error) {
	ev := j.initiatingEvent(d)
	j.mu.Lock()
	defer j.mu.Unlock()
	err := j.locked(func() error {
		if err := j.duplicate(ev.Fingerprint, again, j.now()); err != nil {
			return err
		}
		return j.appendLocked(ev)
	})
	if err != nil {
		return "", err
	}
	return ev.Attempt, nil
}

// batchReference is the batch_reference an initiate of draft id sends: a
// status read that carries it names the reservation it answers.
func batchReference(draftID string) string { return "malipo-" + draftID }

// initiatingEvent is the reservation of one initiate of d.
func (j *Journal) initiatingEvent(d *Draft) event {
	count, total := d.Totals()
	return event{Kind: StatusInitiating, Attempt: newID(), DraftID: d.ID, Fingerprint: d.Fingerprint(),
		Rail: d.Rail, WalletID: d.WalletID, Currency: d.currency(), Count: count, Total: &total, Initiator: j.initiator,
		Payees: draftPayees(d)}
}

// duplicate is the guard's check, with mu held and the journal locked and
// refreshed: an initiate in flight refuses whatever the person saw; any
// other batch with fp refuses unless it is one they saw.
func (j *journal) duplicate(fp string, again []Entry, now time.Time) error {
	seen := make(map[string]bool, len(again))
	for _, e := range again {
		seen[e.Attempt] = true
	}
	var unseen *Entry
	for _, e := range j.entries {
		if e.Fingerprint != fp || !mayExist(e) {
			continue
		}
		if e.Status == StatusInitiating && now.Sub(e.UpdatedAt) < InitiateWindow {
			return &DuplicateError{Prior: e.copy(), InFlight: true}
		}
		if !seen[e.Attempt] && unseen == nil {
			unseen = e
		}
	}
	if unseen != nil {
		return &DuplicateError{Prior: unseen.copy()}
	}
	return nil
}

// mayExist: the entry is a batch at IntaSend, or may be (its initiate's
// answer is lost); one IntaSend refused or that was cancelled pays nobody.
func mayExist(e *Entry) bool {
	return e.Status != StatusInitiateFailed && e.Status != StatusCancelled
}

// recordInitiated is RecordInitiated for the reservation att.
func (j *Journal) recordInitiated(att string, d *Draft, b *client.Batch) error {
	if b == nil || b.TrackingID == "" {
		return errors.New("journal: initiated batch has no tracking id")
	}
	if err := j.append(event{Kind: StatusInitiated, Attempt: att, TrackingID: b.TrackingID, FileID: b.FileID,
		DraftID: d.ID, Fingerprint: d.Fingerprint(), StatusCode: b.StatusCode, Initiator: j.initiator}); err != nil {
		return err
	}
	return j.DiscardDraft(d.ID)
}

// recordInitiateFailed is RecordInitiateFailed for the reservation att: it
// releases it (initiate-failed is no batch).
func (j *Journal) recordInitiateFailed(att string, d *Draft, err error) error {
	return j.append(event{Kind: StatusInitiateFailed, Attempt: att, DraftID: d.ID,
		Fingerprint: d.Fingerprint(), Error: errText(err), Initiator: j.initiator})
}
