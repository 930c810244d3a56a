package collections

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

const (
	// sandboxPhone always pays in the simulator; failPhone never does
	// (insufficient funds).
	sandboxPhone = tuitest.SandboxPhone
	failPhone    = "254700000001"
)

// fixture is the shared simulator fixture.
type fixture struct{ *tuitest.Sim }

// newFixture starts a simulator at start. Unless opts say otherwise, links
// (checkout URLs) point at a fixed host, for goldens.
func newFixture(t testing.TB, start time.Time, opts sim.Options) *fixture {
	t.Helper()
	if opts.BaseURL == "" {
		opts.BaseURL = "https://sandbox.intasend.com"
	}
	return &fixture{tuitest.NewSim(t, start, tuitest.WithOptions(opts))}
}

// morning is the fixed "now" of most tests: 2026-11-22 11:30 EAT.
func morning() time.Time { return time.Date(2026, 11, 22, 11, 30, 0, 0, tuitest.EAT()) }

// seeded is the demo account (30 days of history) at morning().
func seeded(t testing.TB) *fixture {
	return newFixture(t, morning(), sim.Options{Seed: true, Rand: 7})
}

func (f *fixture) common() *common.Common { return f.Common(common.ModeDemo, "") }

// push takes an M-Pesa payment from phone outside the console.
func (f *fixture) push(phone string, amount client.Amount, ref string) string {
	f.T.Helper()
	r, err := f.Client.STKPush(f.Ctx, client.STKPushRequest{Phone: client.Phone(phone), Amount: amount, APIRef: ref})
	if err != nil {
		f.T.Fatalf("stk push: %v", err)
	}
	return r.Invoice.ID
}

// driver is tuitest's synchronous driver on a collections Model; it can
// hold poll answers back to test overlapping polls.
type driver struct {
	*tuitest.Driver
	m *Model
	// hold keeps poll answers back (to test overlap): they wait in held.
	hold  bool
	held  []tea.Msg
	polls int // poll commands started
}

func newDriver(t testing.TB, c *common.Common, w, h int) *driver {
	d := &driver{m: newModel(c)}
	d.Driver = tuitest.ForModel(t, d.m)
	d.Intercept = d.intercept
	d.m.sched = d.Sched
	d.m.SetSize(w, h)
	return d
}

// intercept counts poll answers and holds them while hold is set.
func (d *driver) intercept(msg tea.Msg) bool {
	if _, ok := msg.(polledMsg); !ok {
		return false
	}
	d.polls++
	if d.hold {
		d.held = append(d.held, msg)
		return true
	}
	return false
}

func (d *driver) init() *driver {
	d.Run(d.m.Init())
	return d
}

// release delivers the held poll answers.
func (d *driver) release() {
	held := d.held
	d.held, d.hold = nil, false
	for _, m := range held {
		d.Feed(m)
	}
}

// row finds the view's row for an invoice id.
func (d *driver) row(id string) *row { return d.m.st.byKey[id] }
