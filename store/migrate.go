package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Why goose: its migrations are plain SQL files embedded in the binary,
// it records what ran in its own table, and its PostgreSQL session locker
// (pg_advisory_lock) makes two hosts that start at once migrate one after
// the other instead of both running the same DDL.

//go:embed migrations/*.sql
var migrations embed.FS

// migrateLockID is the advisory lock every host takes around migrating.
const migrateLockID = 0x6d616c69706f01 // "malipo" 1

// Migrate brings the schema up to date, under a session-level advisory
// lock: a host that starts while another migrates waits for it, then finds
// nothing left to do. It reports the versions it applied.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrateLockID))
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub,
		goose.WithSessionLocker(locker), goose.WithTableName("malipo_schema_version"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("store %s: migrations: %w", s.desc, err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("store %s: migrate: %w", s.desc, scrub(err))
	}
	var done []int64
	for _, r := range res {
		done = append(done, r.Source.Version)
	}
	return done, nil
}

// Version is the schema version the database is at.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM malipo_schema_version WHERE is_applied`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store %s: %w", s.desc, scrub(err))
	}
	return v, nil
}
