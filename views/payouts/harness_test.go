package payouts

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
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
)

const (
	testPub    = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"
	testSecret = "ISSecretKey_test_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181"
	okPhone    = sim.SandboxTestAccount // always paid
)

func eat() *time.Location { return time.FixedZone("EAT", 3*60*60) }

// fixture is a simulator on a manual clock behind loopback HTTP, a client
// pointed at it and a journal in a temporary directory.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	clock *sim.ManualClock
	srv   *sim.Server
	c     *client.Client
	j     *payout.Journal
	dir   string
	ops   string // a funded working wallet that can pay out
}

type fixtureOpt struct {
	sim    sim.Options
	signer client.Signer
	noFund bool
}

func newFixture(t testing.TB, o fixtureOpt) *fixture {
	t.Helper()
	clock := sim.NewManualClock(time.Date(2026, 11, 22, 9, 30, 0, 0, eat()))
	o.sim.Clock = clock
	if o.sim.Rand == 0 {
		o.sim.Rand = 7
	}
	if o.sim.FailureRate == 0 {
		o.sim.FailureRate = -1
	}
	srv := sim.New(o.sim)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	opts := []client.Option{client.WithBaseURL(ts.URL), client.WithRetry(client.RetryPolicy{MaxAttempts: 1})}
	if o.signer != nil {
		opts = append(opts, client.WithSigner(o.signer))
	}
	c, err := client.New(testPub, testSecret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: context.Background(), clock: clock, srv: srv, c: c, dir: t.TempDir()}
	f.j, err = payout.OpenJournal(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.j.Close() })
	f.j = f.j.As("amina@ops") // a fixed initiator: screens must not name the machine
	w, err := c.CreateWallet(f.ctx, client.CreateWalletRequest{Label: "Operations", Currency: "KES", CanDisburse: true})
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

func (f *fixture) advance(d time.Duration) {
	f.clock.Advance(d)
	f.srv.Advance()
}

// collect takes an M-Pesa payment into walletID and lets it clear.
func (f *fixture) collect(walletID string, amount client.Amount) {
	f.t.Helper()
	if _, err := f.c.STKPush(f.ctx, client.STKPushRequest{Phone: okPhone, Amount: amount, WalletID: walletID, APIRef: "float"}); err != nil {
		f.t.Fatalf("stk push: %v", err)
	}
	f.advance(15 * time.Second)
	f.advance(2 * time.Minute)
}

func (f *fixture) common() *common.Common {
	return &common.Common{Client: f.c, Styles: common.NewStyles(true), Profile: "test", Mode: common.ModeSandbox, Now: f.clock.Now}
}

// driver runs the view the way Bubble Tea would, synchronously: it runs
// every command, feeds the messages back, keeps what is meant for the
// shell, and holds timers until the test fires them.
type driver struct {
	t      testing.TB
	f      *fixture
	m      *Model
	timers []tea.Msg
	delays []time.Duration // of the timers set, in order
	shell  []tea.Msg
}

func newDriver(t testing.TB, f *fixture, c *common.Common, w, h int, opts ...Option) *driver {
	opts = append([]Option{WithBankCache(bankpicker.NewCache(bankpicker.WithPath("")))}, opts...)
	d := &driver{t: t, f: f, m: newModel(c, opts...)}
	d.m.sched = func(delay time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg {
			d.timers = append(d.timers, msg)
			if _, poll := msg.(pollMsg); poll {
				d.delays = append(d.delays, delay)
			}
			return nil
		}
	}
	d.m.SetSize(w, h)
	return d
}

// open is the usual driver: the fixture's journal and results dir.
func (f *fixture) open(w, h int, opts ...Option) *driver {
	all := append([]Option{WithJournal(f.j), WithResultsDir(f.dir), WithBankCache(bankpicker.NewCache(bankpicker.WithPath("")))}, opts...)
	d := newDriver(f.t, f, f.common(), w, h, all...)
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

func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]tea.KeyPressMsg{
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown},
		"left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight}, "pgup": {Code: tea.KeyPgUp},
		"pgdown": {Code: tea.KeyPgDown}, "home": {Code: tea.KeyHome}, "end": {Code: tea.KeyEnd},
		"backspace": {Code: tea.KeyBackspace}, "ctrl+u": {Code: 'u', Mod: tea.ModCtrl},
	}
	if m, ok := named[k]; ok {
		return m
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// fire delivers the pending timers whose message has the type of sample.
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

// lastConfirm is the latest confirmation the view asked the shell for.
func (d *driver) lastConfirm() (common.ConfirmMsg, bool) {
	for i := len(d.shell) - 1; i >= 0; i-- {
		if c, ok := d.shell[i].(common.ConfirmMsg); ok {
			return c, true
		}
	}
	return common.ConfirmMsg{}, false
}

func (d *driver) confirms() int {
	n := 0
	for _, m := range d.shell {
		if _, ok := m.(common.ConfirmMsg); ok {
			n++
		}
	}
	return n
}

// confirm answers the latest confirmation as the shell does on Confirm.
func (d *driver) confirm() common.ConfirmMsg {
	d.t.Helper()
	c, ok := d.lastConfirm()
	if !ok {
		d.t.Fatalf("no confirmation was asked for; view:\n%s", d.view())
	}
	d.feed(c.OnConfirm)
	return c
}

func (d *driver) errors() []string {
	var out []string
	for _, m := range d.shell {
		if e, ok := m.(common.ErrorMsg); ok {
			out = append(out, e.Title+": "+e.Err.Error())
		}
	}
	return out
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

// addRow fills the add form with the rail's fields (values in form order,
// choices skipped with "") and saves it.
func (d *driver) addRow(values ...string) {
	d.t.Helper()
	d.press("a")
	if d.m.form == nil {
		d.t.Fatalf("no form after a:\n%s", d.view())
	}
	for i, v := range values {
		fl := d.m.form.fields[d.m.form.focus]
		if fl.choices != nil {
			if v != "" {
				fl.choose(v)
			}
		} else {
			d.typeText(v)
		}
		if i < len(values)-1 {
			d.press("tab")
		}
	}
	d.press("enter")
	if d.m.form != nil {
		d.t.Fatalf("form still open after saving:\n%s", d.view())
	}
}

// setRail picks rail (and keeps the wallet) through the settings form.
func (d *driver) setRail(r payout.Rail) {
	d.t.Helper()
	d.press("s")
	d.m.form.get("rail").choose(string(r))
	d.m.form.get("wallet").choose(d.f.ops)
	d.press("tab", "enter")
	if d.m.form != nil {
		d.t.Fatalf("settings still open:\n%s", d.view())
	}
}

// settle steps the simulator and the view's polls until the batch is final.
func (d *driver) settle() {
	d.t.Helper()
	for i := 0; i < 40 && d.m.batch != nil && d.m.batch.phase != phaseFinal; i++ {
		d.f.advance(2 * time.Second)
		d.fire(pollMsg{})
	}
	if d.m.batch == nil || d.m.batch.phase != phaseFinal {
		d.t.Fatalf("batch did not finish:\n%s", d.view())
	}
}
