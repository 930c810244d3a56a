package cmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/store"
	"github.com/malipo/malipo/ui/common"
)

// TestStoreWatch: against a real PostgreSQL, the watch sends nothing while
// it answers, "down" on every beat once it stops (consoles opened since
// hear it too), "up" once when it answers again, and logs each change.
func TestStoreWatch(t *testing.T) {
	pg := pgtest.Start(t)
	ctx := context.Background()
	db, err := store.Open(ctx, pg.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var log strings.Builder
	w := &storeWatch{ping: db.Ping, log: &log}
	if msg, send := w.check(ctx); send || msg.Down {
		t.Fatalf("store up: sent %v %+v", send, msg)
	}
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if msg, send := w.check(ctx); !send || !msg.Down || msg.Reason == "" {
			t.Fatalf("store down: sent %v %+v", send, msg)
		}
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	// The pool's first ping after a restart may meet a stale connection:
	// poll, with a generous bound, for the recovery.
	var msg common.StoreMsg
	var send bool
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		if msg, send = w.check(ctx); !msg.Down {
			break
		}
	}
	if !send || msg.Down {
		t.Fatalf("store back: sent %v %+v", send, msg)
	}
	if msg, send := w.check(ctx); send || msg.Down {
		t.Fatalf("store steady: sent %v %+v", send, msg)
	}
	if got := log.String(); strings.Count(got, common.StoreDownText) != 1 || strings.Count(got, "answers again") != 1 {
		t.Errorf("log %q", got)
	}
}
