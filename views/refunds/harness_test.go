package refunds

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
	// halfRefunded is a seeded M-Pesa payment of KES 300.00 with KES
	// 150.00 refunded (COMPLETED): KES 150.00 is left to refund.
	halfRefunded = "V1D8D8F"
	// pendingRefund is a seeded invoice whose only refund is PENDING.
	pendingRefund = "O5465AZ"
)

// fixture is a simulator on a manual clock behind loopback HTTP, with a
// client pointed at it.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	clock *sim.ManualClock
	srv   *sim.Server
	c     *client.Client
}

func start() time.Time { return time.Date(2026, 11, 22, 9, 30, 0, 0, time.FixedZone("EAT", 3*3600)) }

// seeded is the demo account: ~200 past collections and four refunds
// (two COMPLETED, one DISPUTED, one PENDING).
func seeded(t testing.TB) *fixture { return newFixture(t, true) }

func newFixture(t testing.TB, seed bool) *fixture {
	t.Helper()
	clock := sim.NewManualClock(start())
	srv := sim.New(sim.Options{Clock: clock, Rand: 1, Seed: seed, FailureRate: -1})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := client.New(testPub, testSecret, client.WithBaseURL(ts.URL),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: context.Background(), clock: clock, srv: srv, c: c}
}

func (f *fixture) advance(d time.Duration) {
	f.clock.Advance(d)
	f.srv.Advance()
}

func (f *fixture) common(role string) *common.Common {
	return &common.Common{Client: f.c, Styles: common.NewStyles(true), Profile: "test", Mode: common.ModeDemo,
		Role: role, Now: f.clock.Now}
}

// pay takes an M-Pesa payment and lets it complete; cleared says whether
// to wait until the money has cleared (a refund needs it available).
func (f *fixture) pay(amount client.Amount, cleared bool) string {
	f.t.Helper()
	r, err := f.c.STKPush(f.ctx, client.STKPushRequest{Phone: sandboxPhone, Amount: amount, APIRef: "order-77"})
	if err != nil {
		f.t.Fatalf("stk push: %v", err)
	}
	f.advance(15 * time.Second)
	if cleared {
		f.advance(2 * time.Minute)
	}
	return r.Invoice.ID
}

// driver runs the view the way Bubble Tea would, synchronously: it runs
// every command, feeds the messages back, keeps what is meant for the
// shell, and holds timers until the test fires them.
type driver struct {
	t      testing.TB
	m      *Model
	timers []tea.Msg
	shell  []tea.Msg
}

func newDriver(t testing.TB, c *common.Common, w, h int) *driver {
	d := &driver{t: t, m: newModel(c)}
	d.m.sched = func(_ time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { d.timers = append(d.timers, msg); return nil }
	}
	d.m.SetSize(w, h)
	d.run(d.m.Init())
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
		for i := range rv.Len() {
			c, _ := rv.Index(i).Interface().(tea.Cmd)
			d.run(c)
		}
		return
	}
	_, cmd := d.m.Update(msg)
	d.run(cmd)
}

func (d *driver) press(keys ...string) {
	for _, k := range keys {
		d.feed(keyMsg(k))
	}
}

func (d *driver) typeText(s string) {
	for _, r := range s {
		d.feed(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// clearField deletes what the focused field holds.
func (d *driver) clearField() {
	d.feed(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	d.feed(tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl})
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

// fire delivers the pending timers of sample's type.
func (d *driver) fire(sample tea.Msg) int {
	want := reflect.TypeOf(sample)
	var due, keep []tea.Msg
	for _, m := range d.timers {
		if reflect.TypeOf(m) == want {
			due = append(due, m)
		} else {
			keep = append(keep, m)
		}
	}
	d.timers = keep
	for _, m := range due {
		d.feed(m)
	}
	return len(due)
}

// confirm answers the latest confirmation as the shell would on Confirm.
func (d *driver) confirm() common.ConfirmMsg {
	d.t.Helper()
	c, ok := d.last(reflect.TypeFor[common.ConfirmMsg]()).(common.ConfirmMsg)
	if !ok {
		d.t.Fatalf("no confirmation was asked for; view:\n%s", d.view())
	}
	d.shell = nil
	d.feed(c.OnConfirm)
	return c
}

func (d *driver) last(t reflect.Type) tea.Msg {
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

// find looks an invoice up through the find box.
func (d *driver) find(id string) {
	d.press("f")
	d.typeText(id)
	d.press("enter")
}

// view is the rendered body without colours, trailing spaces trimmed.
func (d *driver) view() string {
	lines := strings.Split(ansi.Strip(d.m.View()), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }
