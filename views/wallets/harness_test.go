package wallets

import (
	"context"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/ui/common"
)

const (
	testPub    = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"
	testSecret = "ISSecretKey_test_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181"
	// sandboxPhone always pays in the simulator.
	sandboxPhone = "254708374149"
)

// eat is Nairobi's zone, fixed so goldens do not depend on the tz database.
func eat() *time.Location { return time.FixedZone("EAT", 3*60*60) }

// fixture is a simulator on a manual clock behind loopback HTTP, and a
// client pointed at it.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	clock *sim.ManualClock
	srv   *sim.Server
	c     *client.Client
	ids   map[string]string // wallet label → id
}

func newFixture(t testing.TB, start time.Time) *fixture {
	t.Helper()
	clock := sim.NewManualClock(start)
	srv := sim.New(sim.Options{Clock: clock, Rand: 42, FailureRate: -1})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := client.New(testPub, testSecret, client.WithBaseURL(ts.URL),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: context.Background(), clock: clock, srv: srv, c: c, ids: map[string]string{}}
}

func (f *fixture) advance(d time.Duration) {
	f.clock.Advance(d)
	f.srv.Advance()
}

func (f *fixture) common() *common.Common {
	return &common.Common{Client: f.c, Styles: common.NewStyles(true), Profile: "test", Mode: common.ModeDemo, Now: f.clock.Now}
}

func (f *fixture) wallet(label, cur string, disburse bool) string {
	f.t.Helper()
	w, err := f.c.CreateWallet(f.ctx, client.CreateWalletRequest{Label: label, Currency: cur, CanDisburse: disburse})
	if err != nil {
		f.t.Fatalf("create wallet %s: %v", label, err)
	}
	f.ids[label] = w.ID
	return w.ID
}

// collect takes an M-Pesa payment into walletID ("" = settlement) and lets
// it clear.
func (f *fixture) collect(walletID string, amount client.Amount) {
	f.t.Helper()
	if _, err := f.c.STKPush(f.ctx, client.STKPushRequest{Phone: sandboxPhone, Amount: amount, WalletID: walletID, APIRef: "order"}); err != nil {
		f.t.Fatalf("stk push: %v", err)
	}
	f.advance(15 * time.Second)
	f.advance(2 * time.Minute)
}

func (f *fixture) payout(amount client.Amount) {
	f.t.Helper()
	_, err := f.c.InitiatePayout(f.ctx, client.InitiateRequest{Provider: client.MPesaB2C, SkipApproval: true,
		Transactions: []client.PayoutItem{{Name: "Supplier", Account: sandboxPhone, Amount: amount, Narrative: "stock"}}})
	if err != nil {
		f.t.Fatalf("payout: %v", err)
	}
	f.advance(time.Minute)
}

func (f *fixture) transfer(from, to string, amount client.Amount, narrative string) {
	f.t.Helper()
	if _, err := f.c.IntraTransfer(f.ctx, from, client.IntraTransferRequest{ToWalletID: to, Amount: amount, Narrative: narrative}); err != nil {
		f.t.Fatalf("transfer: %v", err)
	}
}

// history builds 14 days of business ending at 2026-11-22 09:30 EAT:
// daily collections, some into a working wallet, payouts on some days and
// transfers between wallets. Everything is a function of the day number,
// so screens are the same on every run.
func history(t testing.TB) *fixture {
	t.Helper()
	start := time.Date(2026, 11, 9, 8, 0, 0, 0, eat())
	f := newFixture(t, start)
	settle := f.srv.SettlementWalletID()
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
			f.advance(24*time.Hour - f.sinceMorning())
		}
	}
	f.advance(time.Date(2026, 11, 22, 9, 30, 0, 0, eat()).Sub(f.clock.Now()))
	return f
}

// sinceMorning is how far today's work took the clock past 08:00.
func (f *fixture) sinceMorning() time.Duration {
	now := f.clock.Now().In(eat())
	return now.Sub(time.Date(now.Year(), now.Month(), now.Day(), 8, 0, 0, 0, eat()))
}

// driver runs the view the way Bubble Tea would, synchronously: it executes
// every command, feeds the messages back to Update, unpacks batches and
// sequences, keeps what is meant for the shell, and holds timers until the
// test fires them.
type driver struct {
	t      testing.TB
	m      *Model
	timers []timer
	shell  []tea.Msg
}

// timer is a scheduled message and its delay.
type timer struct {
	after time.Duration
	msg   tea.Msg
}

func newDriver(t testing.TB, c *common.Common, w, h int) *driver {
	d := &driver{t: t, m: newModel(c)}
	d.m.sched = func(after time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { d.timers = append(d.timers, timer{after, msg}); return nil }
	}
	d.m.SetSize(w, h)
	return d
}

var cmdType = reflect.TypeFor[tea.Cmd]()

func (d *driver) run(cmd tea.Cmd) {
	if cmd != nil {
		d.feed(cmd())
	}
}

func (d *driver) feed(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
		return
	case common.ToastMsg, common.ErrorMsg, common.HealthMsg, common.ConfirmMsg:
		d.shell = append(d.shell, msg)
		return
	}
	if rv := reflect.ValueOf(msg); rv.Kind() == reflect.Slice && rv.Type().Elem() == cmdType {
		for i := range rv.Len() { // tea.Sequence's unexported message
			c, _ := rv.Index(i).Interface().(tea.Cmd)
			d.run(c)
		}
		return
	}
	_, cmd := d.m.Update(msg)
	d.run(cmd)
}

// init runs Init.
func (d *driver) init() *driver {
	d.run(d.m.Init())
	return d
}

// press sends keys by name ("enter", "shift+tab") or a single character.
func (d *driver) press(keys ...string) {
	for _, k := range keys {
		d.feed(keyMsg(k))
	}
}

// typeText types text one character at a time.
func (d *driver) typeText(s string) {
	for _, r := range s {
		d.feed(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]tea.KeyPressMsg{
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown},
		"left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight}, "pgup": {Code: tea.KeyPgUp},
		"pgdown": {Code: tea.KeyPgDown}, "home": {Code: tea.KeyHome}, "end": {Code: tea.KeyEnd},
		"backspace": {Code: tea.KeyBackspace},
	}
	if m, ok := named[k]; ok {
		return m
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// fire delivers the pending timers whose message has the type of sample,
// as if their time had come.
func (d *driver) fire(sample tea.Msg) int {
	want := reflect.TypeOf(sample)
	var due []tea.Msg
	var keep []timer
	for _, tm := range d.timers {
		if reflect.TypeOf(tm.msg) == want {
			due = append(due, tm.msg)
		} else {
			keep = append(keep, tm)
		}
	}
	d.timers = keep
	for _, m := range due {
		d.feed(m)
	}
	return len(due)
}

// pending is the delay of the one pending timer of sample's type.
func (d *driver) pending(sample tea.Msg) time.Duration {
	d.t.Helper()
	var found []time.Duration
	for _, tm := range d.timers {
		if reflect.TypeOf(tm.msg) == reflect.TypeOf(sample) {
			found = append(found, tm.after)
		}
	}
	if len(found) != 1 {
		d.t.Fatalf("%d timers of %T pending, want 1", len(found), sample)
	}
	return found[0]
}

// confirm answers the latest confirmation as the shell would on Confirm.
func (d *driver) confirm() common.ConfirmMsg {
	d.t.Helper()
	c, ok := d.lastShell(reflect.TypeFor[common.ConfirmMsg]()).(common.ConfirmMsg)
	if !ok {
		d.t.Fatalf("no confirmation was asked for; view:\n%s", d.view())
	}
	d.feed(c.OnConfirm)
	return c
}

func (d *driver) lastShell(t reflect.Type) tea.Msg {
	for i := len(d.shell) - 1; i >= 0; i-- {
		if reflect.TypeOf(d.shell[i]) == t {
			return d.shell[i]
		}
	}
	return nil
}

func (d *driver) toasts() []string {
	var out []string
	for _, m := range d.shell {
		if t, ok := m.(common.ToastMsg); ok {
			out = append(out, t.Text)
		}
	}
	return out
}

// view is the rendered body without colours, trailing spaces trimmed.
func (d *driver) view() string {
	lines := strings.Split(ansi.Strip(d.m.View()), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
