package app

import (
	"context"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/demo"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// fixedNow is the clock of every test: the simulator's ManualClock and
// Common.Now both start here, so screens and goldens never drift.
var fixedNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.FixedZone("EAT", 3*3600))

// recView is a View the Update tests drive: it records what the shell sends
// it and answers with the commands a test sets. It is a fixture of the
// common.View contract, not a stand-in for any of our code.
type recView struct {
	title     string
	got       []tea.Msg
	capturing bool
	actions   []common.Action
	shown     []bool
	w, h      int
	help      []key.Binding // extra help bindings
	inits     int
	// onMsg, when set, is the command returned for a received message.
	onMsg func(tea.Msg) tea.Cmd
}

func (v *recView) Init() tea.Cmd { v.inits++; return nil }
func (v *recView) Update(msg tea.Msg) (common.View, tea.Cmd) {
	v.got = append(v.got, msg)
	if v.onMsg != nil {
		return v, v.onMsg(msg)
	}
	return v, nil
}
func (v *recView) View() string     { return "body of " + v.title }
func (v *recView) SetSize(w, h int) { v.w, v.h = w, h }
func (v *recView) Title() string    { return v.title }
func (v *recView) ShortHelp() []key.Binding {
	return append([]key.Binding{key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "do x in "+v.title))}, v.help...)
}
func (v *recView) FullHelp() [][]key.Binding { return [][]key.Binding{v.ShortHelp()} }
func (v *recView) Capturing() bool           { return v.capturing }
func (v *recView) Actions() []common.Action  { return v.actions }
func (v *recView) SetShown(s bool) tea.Cmd   { v.shown = append(v.shown, s); return nil }

// received returns the messages of type T the view got.
func received[T any](v *recView) []T {
	var out []T
	for _, m := range v.got {
		if t, ok := m.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// newRecShell builds a shell over six recording views at 80x24.
func newRecShell(t *testing.T, role string) (*Model, []*recView) {
	t.Helper()
	var views []*recView
	mk := func(*common.Common) []common.View {
		var out []common.View
		for _, n := range tabNames() {
			v := &recView{title: n}
			views = append(views, v)
			out = append(out, v)
		}
		return out
	}
	c := &common.Common{Profile: "test", Mode: common.ModeSandbox, Role: role, Now: func() time.Time { return fixedNow }}
	m := New(c, Options{Views: mk})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return m, views
}

// press sends one key to the shell and runs the commands it returns
// (briefly: timers are dropped), feeding their messages back.
func press(t *testing.T, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		drain(t, m, cmd)
	}
}

// keyMsg builds the KeyPressMsg a terminal would deliver for k; it
// panics on a key name tuitest does not know.
func keyMsg(k string) tea.KeyPressMsg { return tuitest.MustKey(k) }

// typeText presses each rune of s.
func typeText(t *testing.T, m *Model, s string) {
	t.Helper()
	for _, r := range s {
		press(t, m, string(r))
	}
}

// cmdWait bounds how long drain waits for one command: network calls to
// the simulator finish well within it, timers (tea.Tick) do not and are
// dropped, as a test must never wait on a clock.
const cmdWait = 300 * time.Millisecond

// drain runs cmd and everything it leads to, feeding messages back into m.
// It reports whether the program asked to quit.
func drain(t *testing.T, m *Model, cmd tea.Cmd) (quit bool) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 500 {
			t.Fatal("drain: too many steps (a command loop?)")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg, ok := runCmd(c)
		if !ok || msg == nil {
			continue
		}
		if cmds, ok := tuitest.Cmds(msg); ok {
			queue = append(queue, cmds...)
			continue
		}
		if _, ok := msg.(tea.QuitMsg); ok {
			quit = true
			continue
		}
		_, next := m.Update(msg)
		queue = append(queue, next)
	}
	return quit
}

// runCmd runs c, giving up after cmdWait.
func runCmd(c tea.Cmd) (tea.Msg, bool) {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- c() }()
	select {
	case msg := <-ch:
		return msg, true
	case <-time.After(cmdWait):
		return nil, false
	}
}

// newSim starts a seeded simulator on a fixed clock (the options of
// testSimOptions) behind httptest and returns a client for it with the demo
// keys and the client's default retries, as the console has.
func newSim(t testing.TB) (*sim.Server, *client.Client) {
	t.Helper()
	o := *testSimOptions()
	o.FailureRate = 0.1 // the simulator's default (tuitest would turn 0 into none)
	s := tuitest.NewSim(t, fixedNow, tuitest.WithOptions(o), tuitest.WithKeys(demo.Keys()),
		tuitest.WithClientOptions(client.WithRetry(client.DefaultRetry)))
	return s.Server, s.Client
}

// testSimOptions: seeded, no generator, a ManualClock at fixedNow, fixed
// randomness. Same options, same screens.
func testSimOptions() *sim.Options {
	return &sim.Options{Clock: sim.NewManualClock(fixedNow), Rand: 1, Seed: true}
}

// bind is a one-key binding for the recording views' actions.
func bind(k string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, "")) }

// runner runs the console's commands as Bubble Tea would, concurrently,
// feeding their messages back one at a time on the test's goroutine, for
// as long as the test lasts: a reply that lands after one screen was taken
// still reaches its view. Timers are real (Common.After) and end with ctx.
type runner struct {
	tb   testing.TB
	m    *Model
	ctx  context.Context
	msgs chan tea.Msg
}

// newRunner is the console over a seeded simulator at w×h, started.
func newRunner(t *testing.T, w, h int) *runner {
	t.Helper()
	_, cl := newSim(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := &common.Common{Client: cl, Profile: "default", Mode: common.ModeSandbox, Ctx: ctx,
		Now: func() time.Time { return fixedNow }}
	r := &runner{tb: t, m: New(c, Options{}), ctx: ctx, msgs: make(chan tea.Msg, 256)}
	r.m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	r.spawn(r.m.Init())
	return r
}

func (r *runner) spawn(c tea.Cmd) {
	if c == nil {
		return
	}
	go func() {
		msg := c()
		if cmds, ok := tuitest.Cmds(msg); ok {
			for _, c := range cmds {
				r.spawn(c)
			}
			return
		}
		select {
		case r.msgs <- msg:
		case <-r.ctx.Done():
		}
	}()
}

// until delivers messages until done holds, failing the test after limit.
func (r *runner) until(limit time.Duration, done func() bool) {
	r.tb.Helper()
	deadline := time.After(limit)
	for !done() {
		select {
		case msg := <-r.msgs:
			if msg == nil {
				continue
			}
			if _, quit := msg.(tea.QuitMsg); quit {
				r.tb.Fatal("the console quit")
			}
			_, next := r.m.Update(msg)
			r.spawn(next)
		case <-deadline:
			r.tb.Fatalf("not done after %s:\n%s", limit, ansi.Strip(r.m.Render()))
		}
	}
}
