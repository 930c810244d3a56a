package wallets

import (
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// fixture is the shared simulator fixture and the wallets made in it.
type fixture struct {
	*tuitest.Sim
	ids map[string]string // wallet label → id
}

func newFixture(t testing.TB, start time.Time) *fixture {
	t.Helper()
	return &fixture{Sim: tuitest.NewSim(t, start, tuitest.WithOptions(sim.Options{Rand: 42})), ids: map[string]string{}}
}

func (f *fixture) common() *common.Common { return f.Common(common.ModeDemo, "") }

func (f *fixture) wallet(label, cur string, disburse bool) string {
	f.T.Helper()
	w, err := f.Client.CreateWallet(f.Ctx, client.CreateWalletRequest{Label: label, Currency: cur, CanDisburse: disburse})
	if err != nil {
		f.T.Fatalf("create wallet %s: %v", label, err)
	}
	f.ids[label] = w.ID
	return w.ID
}

// collect takes an M-Pesa payment into walletID ("" = settlement) and lets
// it clear.
func (f *fixture) collect(walletID string, amount client.Amount) {
	f.T.Helper()
	if _, err := f.Client.STKPush(f.Ctx, client.STKPushRequest{Phone: tuitest.SandboxPhone, Amount: amount, WalletID: walletID, APIRef: "order"}); err != nil {
		f.T.Fatalf("stk push: %v", err)
	}
	f.Advance(15 * time.Second)
	f.Advance(2 * time.Minute)
}

func (f *fixture) payout(amount client.Amount) {
	f.T.Helper()
	_, err := f.Client.InitiatePayout(f.Ctx, client.InitiateRequest{Provider: client.MPesaB2C, SkipApproval: true,
		Transactions: []client.PayoutItem{{Name: "Supplier", Account: tuitest.SandboxPhone, Amount: amount, Narrative: "stock"}}})
	if err != nil {
		f.T.Fatalf("payout: %v", err)
	}
	f.Advance(time.Minute)
}

func (f *fixture) transfer(from, to string, amount client.Amount, narrative string) {
	f.T.Helper()
	if _, err := f.Client.IntraTransfer(f.Ctx, from, client.IntraTransferRequest{ToWalletID: to, Amount: amount, Narrative: narrative}); err != nil {
		f.T.Fatalf("transfer: %v", err)
	}
}

// history builds 14 days of business ending at 2026-11-22 09:30 EAT:
// daily collections, some into a working wallet, payouts on some days and
// transfers between wallets. Everything is a function of the day number,
// so screens are the same on every run.
func history(t testing.TB) *fixture {
	t.Helper()
	start := time.Date(2026, 11, 9, 8, 0, 0, 0, tuitest.EAT())
	f := newFixture(t, start)
	settle := f.Server.SettlementWalletID()
	f.ids["settlement"] = settle
	ops := f.wallet("Operations", "KES", true)
	f.wallet("Marketing", "KES", false)
	f.wallet("USD reserve", "USD", false)
	for day := 0; day < 14; day++ {
		f.collect("", client.Units(int64(2000+(day*7%5)*1250)))
		if day%3 == 0 {
			f.collect(ops, client.Units(int64(500+day*40)))
		}
		if day%4 == 2 {
			f.payout(client.Units(int64(1500 + day*100)))
		}
		if day%2 == 1 {
			f.transfer(settle, ops, client.Units(int64(1000+day*100)), "float top-up")
		}
		if day < 13 {
			f.Advance(24*time.Hour - f.sinceMorning())
		}
	}
	f.Advance(time.Date(2026, 11, 22, 9, 30, 0, 0, tuitest.EAT()).Sub(f.Clock.Now()))
	return f
}

// sinceMorning is how far today's work took the clock past 08:00.
func (f *fixture) sinceMorning() time.Duration {
	now := f.Clock.Now().In(tuitest.EAT())
	return now.Sub(time.Date(now.Year(), now.Month(), now.Day(), 8, 0, 0, 0, tuitest.EAT()))
}

// driver is tuitest's synchronous driver on a wallets Model.
type driver struct {
	*tuitest.Driver
	m *Model
}

func newDriver(t testing.TB, c *common.Common, w, h int) *driver {
	d := &driver{m: newModel(c)}
	d.Driver = tuitest.ForModel(t, d.m)
	d.m.SetSched(d.Sched)
	d.m.SetSize(w, h)
	return d
}

// init runs Init.
func (d *driver) init() *driver {
	d.Run(d.m.Init())
	return d
}
