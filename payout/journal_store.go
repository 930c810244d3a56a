package payout

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/store"
)

// The journal on the shared store (several `malipo serve` hosts): the same
// events, folded the same way, but appended in PostgreSQL transactions
// under the journal's advisory lock instead of under the events file's
// flock. Each event that moves a batch also makes its state transition in
// payout_batches in the same transaction; approving is the conditional one
// (UPDATE … WHERE state = ANY('initiated','approve-failed')), so of two
// hosts approving at once exactly one commits and sends the approve call.

// dbJournal is the store side of a journal.
type dbJournal struct {
	s    *store.Store
	name string // the journal's name in the store (the profile)
	seq  int64  // the last event folded
	tx   *store.Tx
	// audit, when set, writes an audit record of each event in the event's
	// own transaction (the SSH server sets it: SetStateAudit).
	audit StateAuditor
}

// StateChange is a journal event as the audit log records it.
type StateChange struct {
	Event      string // the journal event: initiating, approval, approving, approved…
	TrackingID string
	By         string
	Amount     client.Amount
	Currency   string
	Detail     string
}

// StateAuditor writes the audit record of a state change inside the
// store transaction that makes it: both commit, or neither.
type StateAuditor func(tx *store.Tx, ch StateChange) error

// dbTimeout bounds each store call: a database that stopped answering
// fails the action (nothing moves) instead of hanging the console.
const dbTimeout = 30 * time.Second

// OpenJournalStore opens the journal named name (a profile) on the shared
// store s. Drafts, events and batch states live there; s stays the
// caller's to close.
func OpenJournalStore(s *store.Store, name string) (*Journal, error) {
	j := &journal{now: time.Now, byAtt: map[string]*Entry{}, byTrack: map[string]*Entry{},
		saved: map[string][sha256.Size]byte{}, db: &dbJournal{s: s, name: name}}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.refresh(); err != nil {
		return nil, err
	}
	return &Journal{journal: j, initiator: defaultInitiator()}, nil
}

// SetStateAudit makes every journal event on the store write its audit
// record in the same transaction (no effect on a file journal, whose
// events and audit log are two files).
func (j *Journal) SetStateAudit(a StateAuditor) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.db != nil {
		j.db.audit = a
	}
}

// Store is the shared store the journal is on (nil for files).
func (j *Journal) Store() *store.Store {
	if j.db == nil {
		return nil
	}
	return j.db.s
}

// Name is the journal's name in the store ("" for files).
func (j *Journal) Name() string {
	if j.db == nil {
		return ""
	}
	return j.db.name
}

func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }

// dbLocked runs fn in one store transaction holding the journal's lock,
// after folding what other hosts committed; once it commits, what fn
// appended is folded too. Call with mu held.
func (j *journal) dbLocked(fn func() error) error {
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	err := j.db.s.Locked(ctx, j.db.name, func(tx *store.Tx) error {
		j.db.tx = tx
		defer func() { j.db.tx = nil }()
		if err := j.dbRefresh(); err != nil {
			return err
		}
		return fn()
	})
	if err != nil {
		return journalErr(err)
	}
	return j.dbRefresh()
}

// journalErr wraps a store error, leaving refusals and conflicts as they
// are for the callers that tell them apart.
func journalErr(err error) error {
	if IsRefusal(err) || IsDuplicate(err) || isConflict(err) {
		return err
	}
	return fmt.Errorf("journal: %w", err)
}

// dbRefresh folds the events committed since the last one folded.
func (j *journal) dbRefresh() error {
	var evs []store.Event
	var err error
	if j.db.tx != nil {
		evs, err = j.db.tx.Events(j.db.seq)
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
		defer cancel()
		evs, err = j.db.s.Events(ctx, j.db.name, j.db.seq)
	}
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	for _, e := range evs {
		j.db.seq = e.Seq
		var ev event
		if json.Unmarshal(e.Body, &ev) == nil {
			j.fold(ev)
		}
	}
	return nil
}

// dbAppend writes ev (its JSON line) in the current transaction, with its
// state transition and its audit record. It is folded after the commit.
func (j *journal) dbAppend(ev event, line []byte) error {
	if j.db.tx == nil {
		// Every writer appends inside locked; should one not, the append
		// still takes the journal's lock, so seqs stay in commit order.
		return j.dbLocked(func() error { return j.appendLocked(ev) })
	}
	if err := j.db.tx.Append(line, transition(ev)); err != nil {
		return err
	}
	if j.db.audit == nil {
		return nil
	}
	ch := StateChange{Event: ev.Kind, TrackingID: ev.TrackingID, By: ev.Initiator, Currency: ev.Currency, Detail: ev.Error}
	switch {
	case ev.Amount != nil:
		ch.Amount = *ev.Amount
	case ev.Total != nil:
		ch.Amount = *ev.Total
	}
	if ch.TrackingID == "" {
		ch.TrackingID = "draft " + ev.DraftID
	}
	return j.db.audit(j.db.tx, ch)
}

// transition is the batch state change an event makes. Approving is
// conditional: only a batch waiting for approval (or whose approve proved
// not to land) may start approving. An outcome is conditional too: only
// an approval in flight gets one, so two hosts reading the same status
// record it once.
func transition(ev event) store.Transition {
	t := store.Transition{TrackingID: ev.TrackingID, To: ev.Kind, By: ev.Initiator}
	switch ev.Kind {
	case StatusApproving:
		t.From = []string{StatusInitiated, StatusApproveFailed}
	case StatusApproved:
		t.From = []string{StatusApproving, StatusApproveFailed}
	case StatusApproveFailed:
		t.From = []string{StatusApproving}
	case StatusInitiated, StatusCancelled:
	case EventStatus:
		// A final status settles an approved batch (no host polls it
		// again); a status read of a batch in any other state moves nothing.
		t.To, t.From, t.Soft = "", nil, true
		if (&client.Batch{StatusCode: ev.StatusCode}).Final() {
			t.To, t.From = StateSettled, []string{StatusApproved}
		}
	default:
		t.To = "" // a step (approval) or an event with no batch yet
	}
	return t
}

// ---- drafts ----

// owner is whose drafts this view keeps: "" for the journal's own, the
// per-user folder's name for Private.
func (j *Journal) owner() string { return j.draftDir }

func (j *Journal) dbSaveDraft(key, id string, data []byte, sum [sha256.Size]byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	if err := j.db.s.SaveDraft(ctx, j.db.name, j.owner(), id, data); err != nil {
		return fmt.Errorf("journal: save draft %s: %w", id, err)
	}
	j.saved[key] = sum
	return nil
}

func (j *Journal) dbDrafts() ([]*Draft, error) {
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	bodies, err := j.db.s.Drafts(ctx, j.db.name, j.owner())
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	var out []*Draft
	for _, b := range bodies {
		var d Draft
		if json.Unmarshal(b, &d) == nil && d.ID != "" {
			out = append(out, &d)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].UpdatedAt.After(out[b].UpdatedAt) })
	return slices.Clip(out), nil
}

func (j *Journal) dbDiscardDraft(id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	if err := j.db.s.DeleteDraft(ctx, j.db.name, j.owner(), id); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}
