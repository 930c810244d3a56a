package cmd

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/internal/testcheck"
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
	testcheck.Must(t, "open the store", err)
	defer db.Close()
	var log strings.Builder
	w := &storeWatch{ping: db.Ping, log: &log}
	msg, send := w.check(ctx)
	expectWatch(t, "store up", msg, send, false, false)
	testcheck.Must(t, "stop PostgreSQL", pg.Stop())
	for range 2 {
		msg, send := w.check(ctx)
		expectWatch(t, "store down", msg, send, true, true)
	}
	testcheck.Must(t, "start PostgreSQL", pg.Start())
	// The pool's first ping after a restart may meet a stale connection:
	// poll, with a generous bound, for the recovery.
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		if msg, send = w.check(ctx); !msg.Down {
			break
		}
	}
	expectWatch(t, "store back", msg, send, true, false)
	msg, send = w.check(ctx)
	expectWatch(t, "store steady", msg, send, false, false)
	got := log.String()
	testcheck.Check(t, "log", got, testcheck.C("one down", strings.Count(got, common.StoreDownText) == 1),
		testcheck.C("one back", strings.Count(got, "answers again") == 1))
}

// expectWatch stops the test unless the watch sent (or not) and said
// down (with a reason) or up.
func expectWatch(t *testing.T, what string, msg common.StoreMsg, send, wantSend, wantDown bool) {
	t.Helper()
	testcheck.Expect(t, what, fmt.Sprintf("sent %v %+v", send, msg), testcheck.C(fmt.Sprint("sent ", wantSend), send == wantSend),
		testcheck.C(fmt.Sprint("down ", wantDown), msg.Down == wantDown), testcheck.C("a reason when down", !wantDown || msg.Reason != ""))
}
