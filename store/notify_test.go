package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/store"
)

// listener records what Listen hands on, for polling.
type listener struct {
	mu    sync.Mutex
	got   []string
	ups   int
	downs int
}

func (l *listener) opts() store.ListenOptions {
	return store.ListenOptions{
		Notify:     func(p string) { l.mu.Lock(); l.got = append(l.got, p); l.mu.Unlock() },
		Up:         func() { l.mu.Lock(); l.ups++; l.mu.Unlock() },
		Down:       func(error) { l.mu.Lock(); l.downs++; l.mu.Unlock() },
		MaxBackoff: 200 * time.Millisecond,
	}
}

func (l *listener) state() ([]string, int, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got...), l.ups, l.downs
}

// waitFor polls cond with a generous bound (no sleeps as synchronisation).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A notification from one host's pool reaches another host's listener;
// when the listener's connection is killed it reconnects and listens again.
func TestListenNotifyReconnects(t *testing.T) {
	c := pgtest.Start(t)
	a, b := open(t, c.URL("postgres")), open(t, c.URL("postgres"))
	ctx, cancel := context.WithCancel(context.Background())
	var l listener
	done := make(chan struct{})
	go func() { defer close(done); b.Listen(ctx, store.EventsChannel, l.opts()) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "the first LISTEN", func() bool { _, ups, _ := l.state(); return ups == 1 })
	if err := a.Notify(ctx, store.EventsChannel, "one"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first notification", func() bool { got, _, _ := l.state(); return len(got) == 1 })

	// The connection drops (an administrator, a failover): kill it.
	admin, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var killed int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'malipo-listen'`).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminated %d listeners, %v", killed, err)
	}
	waitFor(t, "the LISTEN after the drop", func() bool { _, ups, downs := l.state(); return ups == 2 && downs == 1 })
	if err := a.Notify(ctx, store.EventsChannel, "two"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second notification", func() bool { got, _, _ := l.state(); return len(got) == 2 })
	if got, _, _ := l.state(); got[0] != "one" || got[1] != "two" {
		t.Fatalf("got %q, want one then two", got)
	}
}
