package collections

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
	// sandboxPhone always pays in the simulator; failPhone never does
	// (insufficient funds).
	sandboxPhone = "254708374149"
	failPhone    = "254700000001"
)

// eat is Nairobi's zone, fixed so goldens do not depend on the tz database.
func eat() *time.Location { return time.FixedZone("EAT", 3*60*60) }

// fixture is a simulator on a manual clock behind loopback HTTP and a
// client pointed at it.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	clock *sim.ManualClock
	srv   *sim.Server
	c     *client.Client
}

func newFixture(t testing.TB, start time.Time, opts sim.Options) *fixture {
	t.Helper()
	clock := sim.NewManualClock(start)
	opts.Clock = clock
	if opts.Rand == 0 {
		opts.Rand = 1
	}
	if opts.BaseURL == "" { // fixed links (checkout URLs) for goldens
		opts.BaseURL = "https://sandbox.intasend.com"
	}
	if opts.FailureRate == 0 {
		opts.FailureRate = -1
	}
	srv := sim.New(opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := client.New(testPub, testSecret, client.WithBaseURL(ts.URL),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: context.Background(), clock: clock, srv: srv, c: c}
}

// morning is the fixed "now" of most tests: 2026-11-22 11:30 EAT.
func morning() time.Time { return time.Date(2026, 11, 22, 11, 30, 0, 0, eat()) }

// seeded is the demo account (30 days of history) at morning().
func seeded(t testing.TB) *fixture {
	return newFixture(t, morning(), sim.Options{Seed: true, Rand: 7})
}

func (f *fixture) advance(d time.Duration) {
	f.clock.Advance(d)
	f.srv.Advance()
}

func (f *fixture) common() *common.Common {
	return &common.Common{Client: f.c, Styles: common.NewStyles(true), Profile: "test", Mode: common.ModeDemo, Now: f.clock.Now}
}

// push takes an M-Pesa payment from phone outside the console.
func (f *fixture) push(phone string, amount client.Amount, ref string) string {
	f.t.Helper()
	r, err := f.c.STKPush(f.ctx, client.STKPushRequest{Phone: client.Phone(phone), Amount: amount, APIRef: ref})
	if err != nil {
		f.t.Fatalf("stk push: %v", err)
	}
	return r.Invoice.ID
}

// timer is a tea.Tick the view asked for, held until the test fires it.
type timer struct {
	d   time.Duration
	msg tea.Msg
}

// driver runs the view as Bubble Tea would, synchronously: it executes
// every command, feeds messages back to Update, unpacks batches, keeps
// what is meant for the shell and holds timers until fired.
type driver struct {
	t      testing.TB
	m      *Model
	timers []timer
	shell  []tea.Msg
	// hold keeps poll answers back (to test overlap): run stores them here.
	hold  bool
	held  []tea.Msg
	polls int // poll commands started
}

func newDriver(t testing.TB, c *common.Common, w, h int) *driver {
	d := &driver{t: t, m: newModel(c)}
	d.m.sched = func(dur time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { d.timers = append(d.timers, timer{dur, msg}); return nil }
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
	case polledMsg:
		d.polls++
		if d.hold {
			d.held = append(d.held, msg)
			return
		}
	case common.ToastMsg, common.ErrorMsg, common.HealthMsg, common.ConfirmMsg, common.GoToMsg:
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
	if reflect.TypeOf(msg).PkgPath() == "charm.land/bubbletea/v2" && !isInput(msg) {
		d.shell = append(d.shell, msg) // e.g. the clipboard request
		return
	}
	_, cmd := d.m.Update(msg)
	d.run(cmd)
}

func isInput(msg tea.Msg) bool {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		return true
	}
	return false
}

func (d *driver) init() *driver {
	d.run(d.m.Init())
	return d
}

// release delivers the held poll answers.
func (d *driver) release() {
	held := d.held
	d.held, d.hold = nil, false
	for _, m := range held {
		d.feed(m)
	}
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
		"pgup": {Code: tea.KeyPgUp}, "pgdown": {Code: tea.KeyPgDown}, "home": {Code: tea.KeyHome},
		"end": {Code: tea.KeyEnd}, "backspace": {Code: tea.KeyBackspace},
	}
	if m, ok := named[k]; ok {
		return m
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// fire delivers the pending timers whose message has sample's type.
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

// pending is the latest pending timer of sample's type.
func (d *driver) pending(sample tea.Msg) (timer, bool) {
	want := reflect.TypeOf(sample)
	for i := len(d.timers) - 1; i >= 0; i-- {
		if reflect.TypeOf(d.timers[i].msg) == want {
			return d.timers[i], true
		}
	}
	return timer{}, false
}

func (d *driver) confirm() common.ConfirmMsg {
	d.t.Helper()
	c, ok := d.last(reflect.TypeFor[common.ConfirmMsg]()).(common.ConfirmMsg)
	if !ok {
		d.t.Fatalf("no confirmation was asked for; view:\n%s", d.view())
	}
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

// view is the rendered body without colours, trailing spaces trimmed.
func (d *driver) view() string {
	lines := strings.Split(ansi.Strip(d.m.View()), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// row finds the view's row for an invoice id.
func (d *driver) row(id string) *row { return d.m.st.byKey[id] }
