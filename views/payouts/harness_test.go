package payouts

import (
	"reflect"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
	uiform "github.com/malipo/malipo/ui/components/form"
)

const (
	okPhone = sim.SandboxTestAccount // always paid
)

// fixture is the shared simulator fixture, a journal in a temporary
// directory and a funded working wallet.
type fixture struct {
	*tuitest.Sim
	j   *payout.Journal
	dir string
	ops string // a funded working wallet that can pay out
}

type fixtureOpt struct {
	sim    sim.Options
	signer client.Signer
	noFund bool
}

func newFixture(t testing.TB, o fixtureOpt) *fixture {
	t.Helper()
	if o.sim.Rand == 0 {
		o.sim.Rand = 7
	}
	opts := []tuitest.SimOption{tuitest.WithOptions(o.sim)}
	if o.signer != nil {
		opts = append(opts, tuitest.WithClientOptions(client.WithSigner(o.signer)))
	}
	f := &fixture{Sim: tuitest.NewSim(t, time.Date(2026, 11, 22, 9, 30, 0, 0, tuitest.EAT()), opts...), dir: t.TempDir()}
	var err error
	f.j, err = payout.OpenJournal(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.j.Close() })
	// The journal stamps events on the simulator's clock, so every screen
	// that shows when a batch was initiated reads the same on any day.
	f.j.SetClock(f.Clock.Now)
	f.j = f.j.As("amina@ops") // a fixed initiator: screens must not name the machine
	w, err := f.Client.CreateWallet(f.Ctx, client.CreateWalletRequest{Label: "Operations", Currency: "KES", CanDisburse: true})
	if err != nil {
		t.Fatal(err)
	}
	f.ops = w.ID
	if !o.noFund {
		// The settlement wallet is the composer's default.
		f.collect("", client.Units(150_000))
		f.collect("", client.Units(150_000))
		f.collect(f.ops, client.Units(50_000))
	}
	return f
}

// collect takes an M-Pesa payment into walletID and lets it clear.
func (f *fixture) collect(walletID string, amount client.Amount) {
	f.T.Helper()
	if _, err := f.Client.STKPush(f.Ctx, client.STKPushRequest{Phone: okPhone, Amount: amount, WalletID: walletID, APIRef: "float"}); err != nil {
		f.T.Fatalf("stk push: %v", err)
	}
	f.Advance(15 * time.Second)
	f.Advance(2 * time.Minute)
}

func (f *fixture) common() *common.Common { return f.Common(common.ModeSandbox, "") }

// driver is tuitest's synchronous driver on a payouts Model.
type driver struct {
	*tuitest.Driver
	f *fixture
	m *Model
}

func newDriver(t testing.TB, f *fixture, c *common.Common, w, h int, opts ...Option) *driver {
	opts = append([]Option{WithBankCache(bankpicker.NewCache(bankpicker.WithPath("")))}, opts...)
	d := &driver{f: f, m: newModel(c, opts...)}
	d.Driver = tuitest.NewDriver(t, func(msg tea.Msg) tea.Cmd { _, cmd := d.m.Update(msg); return cmd }, d.render)
	d.m.sched = d.Sched
	d.m.SetSize(w, h)
	return d
}

func (d *driver) render() string { return d.m.View() }

// pollDelays are the delays of the status polls scheduled so far.
func (d *driver) pollDelays() []time.Duration {
	var out []time.Duration
	for _, tm := range d.Scheduled {
		if _, ok := tm.Msg.(pollMsg); ok {
			out = append(out, tm.After)
		}
	}
	return out
}

// confirms is how many confirmations the view asked for.
func (d *driver) confirms() int { return d.Count(reflect.TypeFor[common.ConfirmMsg]()) }

// open is the usual driver: the fixture's journal and results dir.
func (f *fixture) open(w, h int, opts ...Option) *driver {
	all := append([]Option{WithJournal(f.j), WithResultsDir(f.dir), WithBankCache(bankpicker.NewCache(bankpicker.WithPath("")))}, opts...)
	d := newDriver(f.T, f, f.common(), w, h, all...)
	d.Run(d.m.Init())
	return d
}

// addRow fills the add form with the rail's fields (values in form order,
// choices skipped with "") and saves it.
func (d *driver) addRow(values ...string) {
	d.T.Helper()
	d.Press("a")
	if d.m.form == nil {
		d.T.Fatalf("no form after a:\n%s", d.View())
	}
	for i, v := range values {
		fl := d.m.form.Current()
		if fl.Kind == uiform.Choice {
			if v != "" {
				fl.Choose(v)
			}
		} else {
			d.TypeText(v)
		}
		if i < len(values)-1 {
			d.Press("tab")
		}
	}
	d.Press("enter")
	if d.m.form != nil {
		d.T.Fatalf("form still open after saving:\n%s", d.View())
	}
}

// setRail picks rail (and keeps the wallet) through the settings form.
func (d *driver) setRail(r payout.Rail) {
	d.T.Helper()
	d.Press("s")
	d.m.form.Get("rail").Choose(string(r))
	d.m.form.Get("wallet").Choose(d.f.ops)
	d.Press("tab", "enter")
	if d.m.form != nil {
		d.T.Fatalf("settings still open:\n%s", d.View())
	}
}

// settle steps the simulator and the view's polls until the batch is final.
func (d *driver) settle() {
	d.T.Helper()
	for i := 0; i < 40 && d.m.batch != nil && d.m.batch.phase != phaseFinal; i++ {
		d.f.Advance(2 * time.Second)
		d.Fire(pollMsg{})
	}
	if d.m.batch == nil || d.m.batch.phase != phaseFinal {
		d.T.Fatalf("batch did not finish:\n%s", d.View())
	}
}
