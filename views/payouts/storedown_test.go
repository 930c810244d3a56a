package payouts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/internal/pgtest"
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
	if err != nil {
		t.Fatal(err)
	}
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

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	down := storeHealth(t, db, true)
	if !down.Down || down.Reason == "" {
		t.Fatalf("ping of a stopped server: %+v", down)
	}
	d.Feed(down)
	d.Press("A")
	if _, asked := d.LastConfirm(); asked || d.m.batch.phase != phasePreview {
		t.Fatalf("approve went on with the store down: phase %d", d.m.batch.phase)
	}
	d.MustShow("Not approved: " + common.StoreDownText)
	if !strings.Contains(strings.Join(d.Toasts(), "\n"), common.StoreDownText) {
		t.Errorf("no refusal toast: %q", d.Toasts())
	}
	last := aud.evs[len(aud.evs)-1]
	if last.Action != "payout.approve" || last.Result != "refused" || last.Target != tid || !strings.Contains(last.Detail, common.StoreDownText) {
		t.Errorf("refusal audited as %+v", last)
	}
	d.Press("esc", "p")
	if n := f.Server.Counters().Initiated; n != 1 || !strings.Contains(d.m.message, common.StoreDownText) {
		t.Errorf("preview with the store down: initiated %d, message %q", n, d.m.message)
	}

	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	up := storeHealth(t, db, false)
	if up.Down {
		t.Fatalf("server started again but the ping says %q", up.Reason)
	}
	d.Feed(up)
	d.Run(d.m.openByID(tid))
	if d.m.batch == nil || d.m.batch.phase != phasePreview {
		t.Fatalf("batch not reopened: %+v\n%s", d.m.batch, d.View())
	}
	d.Press("A")
	d.Confirm()
	d.Press("A") // a second press sends nothing
	if n := f.Server.Counters().Approved[tid]; n != 1 {
		t.Fatalf("approved %d times after the store came back; errors %q", n, d.ErrorTexts())
	}
}
