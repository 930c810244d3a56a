package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/store"
)

func open(t *testing.T, url string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Two hosts starting at once: both migrate, the advisory lock makes one
// wait, and the schema is applied exactly once.
func TestMigrateTwoHostsAtOnce(t *testing.T) {
	c := pgtest.Start(t)
	a, b := open(t, c.URL("postgres")), open(t, c.URL("postgres"))
	var wg sync.WaitGroup
	done := make([][]int64, 2)
	errs := make([]error, 2)
	for i, s := range []*store.Store{a, b} {
		wg.Go(func() { done[i], errs[i] = s.Migrate(context.Background()) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	// One host applied every migration, the other found none left.
	applied := done[0]
	if len(applied) == 0 {
		applied = done[1]
	}
	if len(applied) == 0 || len(done[0])+len(done[1]) != len(applied) || applied[0] != 1 {
		t.Fatalf("migrations applied as %v and %v, want all of them once, from 1", done[0], done[1])
	}
	if v, err := a.Version(context.Background()); err != nil || v != applied[len(applied)-1] {
		t.Fatalf("version %d, %v; want %d", v, err, applied[len(applied)-1])
	}
	again, err := b.Migrate(context.Background())
	if err != nil || len(again) != 0 {
		t.Fatalf("second migrate: %v, %v", again, err)
	}
}

// A conditional transition decides between two hosts: the second finds
// the batch moved on and commits nothing.
func TestConditionalTransition(t *testing.T) {
	c := pgtest.Start(t)
	ctx := context.Background()
	a, b := open(t, c.URL("postgres")), open(t, c.URL("postgres"))
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	approve := store.Transition{TrackingID: "T1", To: "approving", From: []string{"initiated", "approve-failed"}}
	for i, s := range []*store.Store{a, b} {
		err := s.Locked(ctx, "p", func(tx *store.Tx) error { return tx.Append([]byte(`{"event":"approving"}`), approve) })
		switch {
		case i == 0 && err != nil:
			t.Fatal(err)
		case i == 1 && !errors.Is(err, store.ErrConflict):
			t.Fatalf("second approving: %v, want ErrConflict", err)
		}
	}
	evs, err := b.Events(ctx, "p", 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events %v, %v: want the first host's one", evs, err)
	}
	if st, _ := b.State(ctx, "p", "T1"); st != "approving" {
		t.Fatalf("state %q", st)
	}
}

// Status polling is shared out: two hosts claiming at once never get the
// same batch, and a lease that ran out (its host died) is claimed again.
func TestClaimPollsSkipLocked(t *testing.T) {
	c := pgtest.Start(t)
	ctx := context.Background()
	a, b := open(t, c.URL("postgres")), open(t, c.URL("postgres"))
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, id := range []string{"A", "B", "C", "D", "E", "F"} {
		all = append(all, id)
		err := a.Locked(ctx, "p", func(tx *store.Tx) error {
			return tx.Append([]byte(`{}`), store.Transition{TrackingID: id, To: "approving"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	got := make([][]string, 2)
	for i, s := range []*store.Store{a, b} {
		wg.Go(func() {
			ids, err := s.ClaimPolls(ctx, "p", []string{"host-a", "host-b"}[i], []string{"approving"}, 4, time.Hour)
			if err != nil {
				t.Error(err)
			}
			got[i] = ids
		})
	}
	wg.Wait()
	both := append(slices.Clone(got[0]), got[1]...)
	slices.Sort(both)
	if !slices.Equal(both, all) {
		t.Fatalf("claimed %v and %v: want each of %v exactly once", got[0], got[1], all)
	}
	// Nothing left while the leases hold.
	if ids, _ := b.ClaimPolls(ctx, "p", "host-b", []string{"approving"}, 10, time.Hour); len(ids) != 0 {
		t.Fatalf("claimed %v under live leases", ids)
	}
	// A lease that runs out (its host died) is claimed by the other host.
	if err := a.Locked(ctx, "p", func(tx *store.Tx) error {
		return tx.Append([]byte(`{}`), store.Transition{TrackingID: "G", To: "approving"})
	}); err != nil {
		t.Fatal(err)
	}
	if ids, _ := a.ClaimPolls(ctx, "p", "host-a", []string{"approving"}, 10, 100*time.Millisecond); !slices.Equal(ids, []string{"G"}) {
		t.Fatalf("claimed %v, want G", ids)
	}
	for deadline := time.Now().Add(60 * time.Second); ; {
		ids, err := b.ClaimPolls(ctx, "p", "host-b", []string{"approving"}, 10, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(ids, []string{"G"}) {
			break
		}
		if len(ids) > 0 || time.Now().After(deadline) {
			t.Fatalf("claimed %v: want G once its lease ran out", ids)
		}
	}
}

// The URL carries no password: PGPASSFILE gives it, as with psql, and
// without it the login fails with an error that names no secret.
func TestPassfile(t *testing.T) {
	c := pgtest.Start(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE ROLE malipo LOGIN PASSWORD 'correct horse 7'`); err != nil {
		t.Fatal(err)
	}
	if err := c.RequirePassword("malipo"); err != nil {
		t.Fatal(err)
	}
	url := strings.Replace(c.URL("postgres"), "postgres@", "malipo@", 1)
	t.Setenv("PGPASSWORD", "")
	t.Setenv("PGPASSFILE", filepath.Join(t.TempDir(), "none"))
	if _, err := store.Open(ctx, url); err == nil {
		t.Fatal("logged in without a password")
	}
	pass := filepath.Join(t.TempDir(), "pgpass")
	line := fmt.Sprintf("127.0.0.1:%d:postgres:malipo:correct horse 7\n", c.Port())
	if err := os.WriteFile(pass, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGPASSFILE", pass)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("with PGPASSFILE: %v", err)
	}
	s.Close()
	if store.HasPassword(url) || !store.HasPassword("postgres://malipo:x@h/db") || strings.Contains(store.Redact("postgres://malipo:secret@h/db"), "secret") {
		t.Fatal("password detection")
	}
}
