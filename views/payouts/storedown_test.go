package payouts

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

// storeHealth pings db as serve's watch does until the answer is down (or
// up), within a generous bound: a restarted server may first fail on the
// pool's stale connection.
func storeHealth(t *testing.T, db *store.Store, down bool) common.StoreMsg {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		msg := common.StoreHealth(db.Ping(ctx))
		cancel()
		if msg.Down == down || time.Now().After(deadline) {
			return msg
		}
	}
}

// TestStoreDownPausesMoneyMoves: a real PostgreSQL stops; its health
// reaches the view, which refuses approve (and preview) up front with the
// reason, audited, sending nothing; it starts again and the approval goes
// through, once.
func TestStoreDownPausesMoneyMoves(t *testing.T) {
	pg := pgtest.Start(t)
	db, err := store.Open(context.Background(), pg.URL("postgres"))
	testcheck.Must(t, "open store", err)
	defer db.Close()
	f := newFixture(t, fixtureOpt{})
	aud := &recAuditor{}
	c := f.common()
	c.Auditor = aud
	d := newDriver(t, f, c, 120, 36, WithJournal(f.j), WithResultsDir(f.dir))
	d.Run(d.m.Init())
	d.addRow("Jane", "0708374149", "1000", "nov")
	d.Press("p")
	tid := d.m.batch.b.TrackingID

	testcheck.Must(t, "stop the server", pg.Stop())
	down := storeHealth(t, db, true)
	testcheck.Expect(t, "ping of a stopped server", down, testcheck.C("down", down.Down), testcheck.C("a reason", down.Reason != ""))
	d.Feed(down)
	d.Press("A")
	_, asked := d.LastConfirm()
	testcheck.Expect(t, "approve with the store down (phase)", d.m.batch.phase, testcheck.C("no confirmation asked", !asked),
		testcheck.C("still in preview", d.m.batch.phase == phasePreview))
	d.MustShow("Not approved: " + common.StoreDownText)
	testcheck.Contains(t, "refusal toasts", strings.Join(d.Toasts(), "\n"), common.StoreDownText)
	last := aud.Events[len(aud.Events)-1]
	testcheck.Check(t, "refusal audited as", last, testcheck.C("payout.approve", last.Action == "payout.approve"),
		testcheck.C("refused", last.Result == "refused"), testcheck.C("target the batch", last.Target == tid),
		testcheck.C("detail says the store is down", strings.Contains(last.Detail, common.StoreDownText)))
	d.Press("esc", "p")
	n := f.Server.Counters().Initiated
	testcheck.Check(t, "preview with the store down (initiated, message)", fmt.Sprint(n, d.m.message),
		testcheck.C("no second initiate", n == 1), testcheck.C("message says the store is down", strings.Contains(d.m.message, common.StoreDownText)))

	testcheck.Must(t, "start the server", pg.Start())
	up := storeHealth(t, db, false)
	testcheck.Expect(t, "ping after the server started again", up.Reason, testcheck.C("up", !up.Down))
	d.Feed(up)
	d.Run(d.m.openByID(tid))
	testcheck.Expect(t, fmt.Sprintf("batch reopened: %+v\n%s", d.m.batch, d.View()), d.m.batch,
		testcheck.C("in preview", d.m.batch != nil && d.m.batch.phase == phasePreview))
	d.Press("A")
	d.Confirm()
	d.Press("A") // a second press sends nothing
	n = f.Server.Counters().Approved[tid]
	testcheck.Expect(t, fmt.Sprintf("times approved after the store came back; errors %q", d.ErrorTexts()), n, testcheck.C("once", n == 1))
}
