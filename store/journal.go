package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Event is one journal event as the journal wrote it (its JSON line) and
// its place in the journal.
type Event struct {
	Seq  int64
	Body []byte
}

// Transition is the batch state change an event makes. From, when set, is
// what the batch must be in for it: the change is one conditional UPDATE
// (… WHERE state = ANY(From)), so of two hosts making it at once exactly
// one succeeds, and the other gets ErrConflict with nothing written.
type Transition struct {
	TrackingID string
	To         string
	From       []string
	By         string
	// Soft: a batch in none of From (or with no row) is left as it is,
	// and that is no conflict.
	Soft bool
}

// ErrConflict is a conditional transition that found the batch in another
// state: another host got there first.
var ErrConflict = errors.New("store: the batch changed state on another host first")

// Tx is one journal transaction, holding the journal's advisory lock: what
// it reads is every event committed so far, and nothing else is appended
// until it ends, so a check made on what it read still holds when it
// appends. Its audit records commit or roll back with its events.
type Tx struct {
	ctx     context.Context
	tx      pgx.Tx
	s       *Store
	journal string
}

// journalLock is the advisory lock key of a journal (a profile's).
func journalLock(journal string) int64 {
	h := fnv.New64a()
	h.Write([]byte("malipo.journal\x00" + journal))
	return int64(h.Sum64())
}

// Locked runs fn in one transaction under the journal's transaction-level
// advisory lock (pg_advisory_xact_lock): hosts appending to one journal
// take turns, and the lock goes with the commit or the rollback, also when
// a host dies mid-transaction. fn's error rolls everything back.
func (s *Store) Locked(ctx context.Context, journal string, fn func(*Tx) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, journalLock(journal)); err != nil {
			return fmt.Errorf("store %s: lock journal: %w", s.desc, scrub(err))
		}
		return fn(&Tx{ctx: ctx, tx: tx, s: s, journal: journal})
	})
}

// Events are the journal's events after seq, in order. Every append holds
// the journal's lock until it commits, so seqs become visible in order and
// a reader that goes on from the last seq it saw misses none.
func (s *Store) Events(ctx context.Context, journal string, after int64) ([]Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, body FROM journal_events WHERE journal = $1 AND seq > $2 ORDER BY seq`, journal, after)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.desc, scrub(err))
	}
	return collectEvents(rows)
}

// Events is Store.Events inside the transaction.
func (t *Tx) Events(after int64) ([]Event, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT seq, body FROM journal_events WHERE journal = $1 AND seq > $2 ORDER BY seq`, t.journal, after)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", t.s.desc, scrub(err))
	}
	return collectEvents(rows)
}

func collectEvents(rows pgx.Rows) ([]Event, error) {
	var out []Event
	var body string
	var seq int64
	_, err := pgx.ForEachRow(rows, []any{&seq, &body}, func() error {
		out = append(out, Event{Seq: seq, Body: []byte(body)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: read journal: %w", scrub(err))
	}
	return out, nil
}

// Append adds one event and makes its transition (if it names a batch and
// a state). A conditional transition that finds the batch elsewhere
// returns ErrConflict: the caller must return it, so nothing commits.
func (t *Tx) Append(body []byte, tr Transition) error {
	if tr.TrackingID != "" && tr.To != "" {
		if err := t.transition(tr); err != nil {
			return err
		}
	}
	if _, err := t.tx.Exec(t.ctx, `INSERT INTO journal_events (journal, body) VALUES ($1, $2)`, t.journal, string(body)); err != nil {
		return fmt.Errorf("store %s: append: %w", t.s.desc, scrub(err))
	}
	return nil
}

// transition is the batch's state change: unconditional (an upsert), or
// the one conditional UPDATE that decides between hosts.
func (t *Tx) transition(tr Transition) error {
	if len(tr.From) == 0 {
		_, err := t.tx.Exec(t.ctx, `INSERT INTO payout_batches (journal, tracking_id, state, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (journal, tracking_id) DO UPDATE SET state = $3, updated_by = $4, updated_at = now()`,
			t.journal, tr.TrackingID, tr.To, tr.By)
		if err != nil {
			return fmt.Errorf("store %s: %w", t.s.desc, scrub(err))
		}
		return nil
	}
	if tr.Soft {
		_, err := t.tx.Exec(t.ctx, `UPDATE payout_batches SET state = $3, updated_by = $4, updated_at = now()
			WHERE journal = $1 AND tracking_id = $2 AND state = ANY($5)`, t.journal, tr.TrackingID, tr.To, tr.By, tr.From)
		if err != nil {
			return fmt.Errorf("store %s: %w", t.s.desc, scrub(err))
		}
		return nil
	}
	// A batch opened by tracking id (initiated elsewhere) has no row yet:
	// it was waiting for approval, the first of From.
	if _, err := t.tx.Exec(t.ctx, `INSERT INTO payout_batches (journal, tracking_id, state) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		t.journal, tr.TrackingID, tr.From[0]); err != nil {
		return fmt.Errorf("store %s: %w", t.s.desc, scrub(err))
	}
	tag, err := t.tx.Exec(t.ctx, `UPDATE payout_batches SET state = $3, updated_by = $4, updated_at = now(), poll_after = NULL
		WHERE journal = $1 AND tracking_id = $2 AND state = ANY($5)`, t.journal, tr.TrackingID, tr.To, tr.By, tr.From)
	if err != nil {
		return fmt.Errorf("store %s: %w", t.s.desc, scrub(err))
	}
	if tag.RowsAffected() != 1 {
		return ErrConflict
	}
	return nil
}

// State is a batch's state as the store has it ("" when it has none).
func (s *Store) State(ctx context.Context, journal, trackingID string) (string, error) {
	var st string
	err := s.pool.QueryRow(ctx, `SELECT state FROM payout_batches WHERE journal = $1 AND tracking_id = $2`, journal, trackingID).Scan(&st)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store %s: %w", s.desc, scrub(err))
	}
	return st, nil
}

// ---- drafts ----

// SaveDraft stores a draft's JSON (replacing the last save).
func (s *Store) SaveDraft(ctx context.Context, journal, owner, id string, body []byte) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO payout_drafts (journal, owner, id, body) VALUES ($1, $2, $3, $4)
		ON CONFLICT (journal, owner, id) DO UPDATE SET body = $4, updated_at = now()`, journal, owner, id, string(body))
	if err != nil {
		return fmt.Errorf("store %s: save draft: %w", s.desc, scrub(err))
	}
	return nil
}

// Drafts are one owner's drafts' JSON.
func (s *Store) Drafts(ctx context.Context, journal, owner string) ([][]byte, error) {
	rows, err := s.pool.Query(ctx, `SELECT body FROM payout_drafts WHERE journal = $1 AND owner = $2 ORDER BY updated_at DESC`, journal, owner)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.desc, scrub(err))
	}
	var out [][]byte
	var body string
	_, err = pgx.ForEachRow(rows, []any{&body}, func() error {
		out = append(out, []byte(body))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store %s: drafts: %w", s.desc, scrub(err))
	}
	return out, nil
}

// DeleteDraft removes a draft (no error when it is not there).
func (s *Store) DeleteDraft(ctx context.Context, journal, owner, id string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM payout_drafts WHERE journal = $1 AND owner = $2 AND id = $3`, journal, owner, id); err != nil {
		return fmt.Errorf("store %s: discard draft: %w", s.desc, scrub(err))
	}
	return nil
}

// DeleteDraftTx is DeleteDraft inside the journal transaction, so a draft
// goes with the event that made it a batch.
func (t *Tx) DeleteDraftTx(owner, id string) error {
	if _, err := t.tx.Exec(t.ctx, `DELETE FROM payout_drafts WHERE journal = $1 AND owner = $2 AND id = $3`, t.journal, owner, id); err != nil {
		return fmt.Errorf("store %s: discard draft: %w", t.s.desc, scrub(err))
	}
	return nil
}

// ---- status polling shared out between hosts ----

// ClaimPolls leases up to n batches of the journal in one of states whose
// lease is free (never taken, or expired: its host died or is slow) to
// host for lease, and returns their tracking ids. FOR UPDATE SKIP LOCKED:
// two hosts claiming at once get different batches, never the same one.
func (s *Store) ClaimPolls(ctx context.Context, journal, host string, states []string, n int, lease time.Duration) ([]string, error) {
	var ids []string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT tracking_id FROM payout_batches
			WHERE journal = $1 AND state = ANY($2) AND (poll_after IS NULL OR poll_after <= now())
			ORDER BY poll_after NULLS FIRST, tracking_id LIMIT $3 FOR UPDATE SKIP LOCKED`, journal, states, n)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(ids) == 0 {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE payout_batches SET poll_after = now() + make_interval(secs => $3), polled_by = $4
			WHERE journal = $1 AND tracking_id = ANY($2)`, journal, ids, lease.Seconds(), host)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store %s: claim polls: %w", s.desc, scrub(err))
	}
	return ids, nil
}

// Settle moves a batch from one state to another with no event (a final
// status recorded before the batch was approved): nothing when it is in
// another state.
func (s *Store) Settle(ctx context.Context, journal, trackingID, from, to string) error {
	_, err := s.pool.Exec(ctx, `UPDATE payout_batches SET state = $4, updated_at = now() WHERE journal = $1 AND tracking_id = $2 AND state = $3`,
		journal, trackingID, from, to)
	if err != nil {
		return fmt.Errorf("store %s: %w", s.desc, scrub(err))
	}
	return nil
}
