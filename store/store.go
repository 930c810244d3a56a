// Package store is the shared state of several `malipo serve` hosts: the
// payout journal (events, batch states, drafts) and the signed audit chain,
// on PostgreSQL through pgx. The embedded default is no Store at all: the
// journal and the audit log keep their files (payout.OpenJournal,
// sshd.OpenAuditLog), so `malipo demo` and a single host need no setup.
//
// Why pgx: it is the maintained PostgreSQL driver for Go, speaks the
// protocol itself (no cgo, no libpq) and reads libpq's PG* environment
// variables and PGPASSFILE, so a URL never needs to carry a password.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is a connection pool to the shared PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	desc string
}

// IsPostgres reports whether a --store value names PostgreSQL (the only
// shared backend); "" and "file" mean the embedded default.
func IsPostgres(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// IsEmbedded reports whether a --store value is the embedded default.
func IsEmbedded(u string) bool { return u == "" || u == "file" || u == "files" }

// HasPassword reports whether the URL carries a password: a value given on
// the command line must not (ps shows argv to every user); use PGPASSFILE
// or PGPASSWORD instead.
func HasPassword(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return strings.Contains(u, "password=")
	}
	_, set := p.User.Password()
	return set || p.Query().Has("password")
}

// Redact is the URL without its password, for logs and errors.
func Redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(a store URL that does not parse)"
	}
	if _, set := p.User.Password(); set {
		p.User = url.UserPassword(p.User.Username(), "xxxxx")
	}
	q := p.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		p.RawQuery = q.Encode()
	}
	return p.String()
}

// Open connects to the PostgreSQL database at u (a postgres:// URL; what
// it leaves out comes from the PG* environment variables and PGPASSFILE,
// as with psql) and checks that it answers. It does not migrate.
func Open(ctx context.Context, u string) (*Store, error) {
	if !IsPostgres(u) {
		return nil, fmt.Errorf("store: %q is not a postgres:// URL", Redact(u))
	}
	cfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", Redact(u), scrub(err))
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "malipo"
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// A database that is unreachable (not refusing, just silent) fails
		// an action in seconds, not after the kernel's TCP timeout.
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", Redact(u), scrub(err))
	}
	s := &Store{pool: pool, desc: Redact(u)}
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// String names the store without its password.
func (s *Store) String() string { return s.desc }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store %s: %w", s.desc, scrub(err))
	}
	return nil
}

// Close closes every connection.
func (s *Store) Close() { s.pool.Close() }

// scrub keeps a connection error from carrying a password: pgx's errors
// name the host and user, never the password, but be sure.
func scrub(err error) error {
	var pe *pgconn.ConnectError
	if errors.As(err, &pe) && pe.Config != nil && pe.Config.Password != "" {
		return errors.New(strings.ReplaceAll(err.Error(), pe.Config.Password, "xxxxx"))
	}
	return err
}

// inTx runs fn in one transaction, committed when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return fmt.Errorf("store %s: %w", s.desc, scrub(err))
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store %s: commit: %w", s.desc, scrub(err))
	}
	return nil
}
