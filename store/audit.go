package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// auditLock is the advisory lock around appending to the audit chain: one
// chain for every host, so each record's number and previous signature
// are read and the record written while no other host can append.
const auditLock = 0x6d616c69706f02 // "malipo" 2

// Sealer makes the record numbered n that follows the record signed prev
// ("" for the first): its exact line and its signature.
type Sealer func(n int64, prev string) (line []byte, sig string, err error)

// AuditHead is the chain's last record: its number and signature (0, ""
// when the chain is empty).
type AuditHead struct {
	N   int64
	Sig string
}

// AppendAudit appends one record to the shared chain in its own
// transaction.
func (s *Store) AppendAudit(ctx context.Context, seal Sealer) (AuditHead, error) {
	var h AuditHead
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		h, err = appendAudit(ctx, tx, seal)
		return err
	})
	if err != nil {
		return AuditHead{}, fmt.Errorf("store %s: audit: %w", s.desc, scrub(err))
	}
	return h, nil
}

// Audit appends a record to the shared chain in the journal transaction:
// it commits with the state change it describes, or neither does.
func (t *Tx) Audit(seal Sealer) (AuditHead, error) {
	h, err := appendAudit(t.ctx, t.tx, seal)
	if err != nil {
		return AuditHead{}, fmt.Errorf("store %s: audit: %w", t.s.desc, scrub(err))
	}
	return h, nil
}

// appendAudit takes the chain's transaction-level lock, reads the head and
// writes the next record.
func appendAudit(ctx context.Context, tx pgx.Tx, seal Sealer) (AuditHead, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(auditLock)); err != nil {
		return AuditHead{}, err
	}
	h, err := head(ctx, tx)
	if err != nil {
		return AuditHead{}, err
	}
	line, sig, err := seal(h.N+1, h.Sig)
	if err != nil {
		return AuditHead{}, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (n, line, sig) VALUES ($1, $2, $3)`, h.N+1, string(line), sig); err != nil {
		return AuditHead{}, err
	}
	return AuditHead{N: h.N + 1, Sig: sig}, nil
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func head(ctx context.Context, q querier) (AuditHead, error) {
	var h AuditHead
	err := q.QueryRow(ctx, `SELECT n, sig FROM audit_log ORDER BY n DESC LIMIT 1`).Scan(&h.N, &h.Sig)
	if errors.Is(err, pgx.ErrNoRows) {
		return AuditHead{}, nil
	}
	return h, err
}

// AuditHead is where the shared chain ends now.
func (s *Store) AuditHead(ctx context.Context) (AuditHead, error) {
	h, err := head(ctx, s.pool)
	if err != nil {
		return AuditHead{}, fmt.Errorf("store %s: audit: %w", s.desc, scrub(err))
	}
	return h, nil
}

// AuditLines calls fn with every record line of the chain, in order.
func (s *Store) AuditLines(ctx context.Context, fn func(n int64, line []byte) error) error {
	rows, err := s.pool.Query(ctx, `SELECT n, line FROM audit_log ORDER BY n`)
	if err != nil {
		return fmt.Errorf("store %s: audit: %w", s.desc, scrub(err))
	}
	var n int64
	var line string
	_, err = pgx.ForEachRow(rows, []any{&n, &line}, func() error { return fn(n, []byte(line)) })
	if err != nil {
		return fmt.Errorf("store %s: audit: %w", s.desc, scrub(err))
	}
	return nil
}

// FirstAuditLine is the chain's first record (the genesis), nil when the
// chain is empty.
func (s *Store) FirstAuditLine(ctx context.Context) ([]byte, error) {
	var line string
	err := s.pool.QueryRow(ctx, `SELECT line FROM audit_log WHERE n = 1`).Scan(&line)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store %s: audit: %w", s.desc, scrub(err))
	}
	return []byte(line), nil
}
