package refunds

import (
	"reflect"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

const (
	// sandboxPhone always pays in the simulator.
	sandboxPhone = tuitest.SandboxPhone
	// halfRefunded is a seeded M-Pesa payment of KES 300.00 with KES
	// 150.00 refunded (COMPLETED): KES 150.00 is left to refund.
	halfRefunded = "V1D8D8F"
	// pendingRefund is a seeded invoice whose only refund is PENDING.
	pendingRefund = "O5465AZ"
)

// fixture is the shared simulator fixture.
type fixture struct{ *tuitest.Sim }

func start() time.Time { return time.Date(2026, 11, 22, 9, 30, 0, 0, tuitest.EAT()) }

// seeded is the demo account: ~200 past collections and four refunds
// (two COMPLETED, one DISPUTED, one PENDING).
func seeded(t testing.TB) *fixture { return newFixture(t, true) }

func newFixture(t testing.TB, seed bool) *fixture {
	t.Helper()
	return &fixture{tuitest.NewSim(t, start(), tuitest.WithOptions(sim.Options{Seed: seed}))}
}

func (f *fixture) common(role string) *common.Common { return f.Common(common.ModeDemo, role) }

// pay takes an M-Pesa payment and lets it complete; cleared says whether
// to wait until the money has cleared (a refund needs it available).
func (f *fixture) pay(amount client.Amount, cleared bool) string {
	f.T.Helper()
	r, err := f.Client.STKPush(f.Ctx, client.STKPushRequest{Phone: sandboxPhone, Amount: amount, APIRef: "order-77"})
	if err != nil {
		f.T.Fatalf("stk push: %v", err)
	}
	f.Advance(15 * time.Second)
	if cleared {
		f.Advance(2 * time.Minute)
	}
	return r.Invoice.ID
}

// driver is tuitest's synchronous driver on a refunds Model, Init run.
type driver struct {
	*tuitest.Driver
	m *Model
}

func newDriver(t testing.TB, c *common.Common, w, h int) *driver {
	d := &driver{m: newModel(c)}
	d.Driver = tuitest.ForModel(t, d.m)
	d.m.sched = d.Sched
	d.m.SetSize(w, h)
	d.Run(d.m.Init())
	return d
}

// clearField deletes what the focused field holds.
func (d *driver) clearField() {
	d.Press("ctrl+u", "ctrl+k")
}

// confirm answers the latest confirmation as the shell would on Confirm,
// forgetting what the shell got before so tests see only the answer's.
func (d *driver) confirm() common.ConfirmMsg {
	d.T.Helper()
	c, ok := d.LastConfirm()
	if !ok {
		d.T.Fatalf("no confirmation was asked for; view:\n%s", d.View())
	}
	d.Shell = nil
	d.Feed(c.OnConfirm)
	return c
}

// find looks an invoice up through the find box.
func (d *driver) find(id string) {
	d.Press("f")
	d.TypeText(id)
	d.Press("enter")
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }
