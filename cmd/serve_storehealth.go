package cmd

// serve --store's health check (issue 14): PostgreSQL is asked every beat
// whether it answers, and every open console is told when it stops (the
// status bar says so; Payouts refuses to initiate or approve up front)
// and when it answers again. Reads of IntaSend never depend on it.

import (
	"context"
	"fmt"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/sshd"
	"github.com/malipo/malipo/store"
	"github.com/malipo/malipo/ui/common"
)

// storePingTimeout bounds one ping: a database that is silent (not
// refusing) is down for the consoles well before the next beat.
const storePingTimeout = 2 * time.Second

// storeWatch remembers the last state, so consoles hear of changes.
type storeWatch struct {
	ping func(context.Context) error
	log  io.Writer
	down bool
	// up runs when the store answers again (the audit records kept
	// meanwhile are written then); nil: nothing to do.
	up func()
}

// check pings once: the message for the consoles and whether to send it.
// While the store is down it is sent every beat, so a console opened
// since the change hears it too; while up, only the recovery is sent.
func (w *storeWatch) check(ctx context.Context) (common.StoreMsg, bool) {
	cx, cancel := context.WithTimeout(ctx, storePingTimeout)
	defer cancel()
	msg := common.StoreHealth(w.ping(cx))
	changed := msg.Down != w.down
	w.down = msg.Down
	if changed && msg.Down {
		fmt.Fprintf(w.log, "malipo serve: %s: %s\n", common.StoreDownText, printable(msg.Reason))
	} else if changed {
		fmt.Fprintln(w.log, "malipo serve: the store answers again: money moves resume")
		if w.up != nil {
			w.up()
		}
	}
	return msg, changed || msg.Down
}

// watchStore checks db every common.LiveEvery and broadcasts what
// consoles must hear, until the returned func is called. No store, no
// watch.
func watchStore(ctx context.Context, db *store.Store, send func(tea.Msg) int, up func(), stderr io.Writer) func() {
	if db == nil {
		return func() {}
	}
	w := &storeWatch{ping: db.Ping, log: stderr, up: up}
	return every(ctx, common.LiveEvery, func(ctx context.Context) {
		if msg, send1 := w.check(ctx); send1 {
			send(msg)
		}
	})
}

// flushAudit writes the audit records kept while the store was down
// (refusals, logouts), saying how many are written and any still waiting.
func flushAudit(audit *sshd.AuditLog, stderr io.Writer) func() {
	return func() {
		n := audit.Spooled()
		if n == 0 {
			return
		}
		if err := audit.FlushSpool(); err != nil {
			fmt.Fprintf(stderr, "malipo serve: %d audit records kept while the store was down still wait: %v\n", audit.Spooled(), err)
			return
		}
		fmt.Fprintf(stderr, "malipo serve: %d audit records kept while the store was down are on the chain\n", n)
	}
}
