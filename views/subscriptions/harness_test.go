package subscriptions

import (
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// fixture is the shared simulator fixture.
type fixture struct{ *tuitest.Sim }

// start is the tests' "now": Sunday 22 November 2026, 09:30 in Nairobi.
func start() time.Time { return time.Date(2026, 11, 22, 9, 30, 0, 0, eat()) }

func newFixture(t testing.TB, seed bool) *fixture {
	t.Helper()
	return &fixture{tuitest.NewSim(t, start(), tuitest.WithOptions(sim.Options{Seed: seed}))}
}

func (f *fixture) common(role string) *common.Common { return f.Common(common.ModeDemo, role) }

// driver is tuitest's synchronous driver on a subscriptions Model.
type driver struct {
	*tuitest.Driver
	m *Model
}

func newDriver(t testing.TB, c *common.Common, w, h int) *driver {
	d := &driver{m: newModel(c)}
	d.Driver = tuitest.ForModel(t, d.m)
	d.m.sched = d.Sched
	d.m.SetSize(w, h)
	return d
}

func (d *driver) init() *driver {
	d.Run(d.m.Init())
	return d
}

// clear empties the focused text field (ctrl+u would too; backspaces are
// what a person types).
func (d *driver) clear(n int) {
	for range n {
		d.Press("backspace")
	}
}
