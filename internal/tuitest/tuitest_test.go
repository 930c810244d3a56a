package tuitest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/ui/common"
)

type tickMsg struct{}
type loadedMsg struct{ n int }

// counter is a minimal view: keys load, loads schedule a tick, the tick
// toasts; it exercises every route Driver has.
type counter struct {
	d      *Driver
	got    []string
	loaded int
}

func (c *counter) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		c.got = append(c.got, msg.String())
		if msg.String() == "l" {
			return tea.Sequence(
				tea.Batch(func() tea.Msg { return loadedMsg{1} }, func() tea.Msg { return loadedMsg{2} }),
				common.Clipboard("copied"))
		}
		if msg.String() == "x" { // its answer asks for itself again, forever
			return func() tea.Msg { return loadedMsg{-1} }
		}
	case loadedMsg:
		if msg.n < 0 {
			return func() tea.Msg { return loadedMsg{-1} }
		}
		c.loaded += msg.n
		return c.d.Sched(time.Second*time.Duration(msg.n), tickMsg{})
	case tickMsg:
		return func() tea.Msg { return common.ToastMsg{Text: "tick"} }
	}
	return nil
}

func newCounter(t testing.TB) (*Driver, *counter) {
	c := &counter{}
	c.d = NewDriver(t, c.update, func() string { return "\x1b[1mloaded\x1b[0m   \nend  " })
	return c.d, c
}

func TestDriverRoutes(t *testing.T) {
	d, c := newCounter(t)
	d.Press("l", "enter", "ctrl+u", "space")
	if c.loaded != 3 {
		t.Errorf("loaded %d, want 3 (batch inside a sequence)", c.loaded)
	}
	if want := []string{"l", "enter", "ctrl+u", "space"}; !reflect.DeepEqual(c.got, want) {
		t.Errorf("keys %q, want %q", c.got, want)
	}
	if got := d.Clipboard(); got != "copied" {
		t.Errorf("clipboard %q: the terminal request must stay with the shell", got)
	}
	if len(d.Timers) != 2 {
		t.Fatalf("timers %+v", d.Timers)
	}
	if tm, ok := d.Pending(tickMsg{}); !ok || tm.After != 2*time.Second {
		t.Errorf("latest tick %+v %v", tm, ok)
	}
	if n := d.Fire(tickMsg{}); n != 2 || len(d.Timers) != 0 || len(d.Scheduled) != 2 {
		t.Errorf("fired %d, left %d, scheduled %d", n, len(d.Timers), len(d.Scheduled))
	}
	if got := d.Toasts(); !reflect.DeepEqual(got, []string{"tick", "tick"}) {
		t.Errorf("toasts %q", got)
	}
	if d.Count(reflect.TypeFor[common.ToastMsg]()) != 2 || d.Last(reflect.TypeFor[common.ErrorMsg]()) != nil {
		t.Errorf("shell %+v", d.Shell)
	}
	if v := d.View(); v != "loaded\nend" {
		t.Errorf("view %q", v)
	}
}

func TestDriverIntercept(t *testing.T) {
	d, c := newCounter(t)
	var held []tea.Msg
	d.Intercept = func(m tea.Msg) bool {
		if _, ok := m.(loadedMsg); ok {
			held = append(held, m)
			return true
		}
		return false
	}
	d.Press("l")
	if c.loaded != 0 || len(held) != 2 {
		t.Errorf("loaded %d held %d", c.loaded, len(held))
	}
}

// fatalTB records Fatalf instead of stopping the test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = format
	panic(f)
}
func (f *fatalTB) Helper() {}

func TestDriverLoopGuard(t *testing.T) {
	ft := &fatalTB{TB: t}
	d, _ := newCounter(ft)
	func() {
		defer func() {
			if r := recover(); r != ft {
				t.Fatalf("recovered %v", r)
			}
		}()
		d.Press("x")
	}()
	if !strings.Contains(ft.msg, "loop") {
		t.Errorf("a command loop was not caught: %q", ft.msg)
	}
}

func TestKey(t *testing.T) {
	tests := []struct {
		in   string
		want tea.KeyPressMsg
		ok   bool
	}{
		{"enter", tea.KeyPressMsg{Code: tea.KeyEnter}, true},
		{"shift+tab", tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}, true},
		{"ctrl+k", tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl}, true},
		{"é", tea.KeyPressMsg{Code: 'é', Text: "é"}, true},
		{"entr", tea.KeyPressMsg{}, false},
	}
	defer func() {
		if recover() == nil {
			t.Error("MustKey accepted an unknown key")
		}
	}()
	for _, tt := range tests {
		got, ok := Key(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Key(%q) = %+v %v, want %+v %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	MustKey("entr")
}

func TestStripAndCheckBox(t *testing.T) {
	if got := Strip("\x1b[31mred\x1b[0m  \n  x "); got != "red\n  x" {
		t.Errorf("Strip = %q", got)
	}
	CheckBox(t, "ab\ncd", 2, 2) // fits: must not fail
}

func TestGolden(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "s.golden"), []byte("same"), 0o644); err != nil {
		t.Fatal(err)
	}
	Golden(t, "s", "same")
	Screen(t, "s", "same", 4, 1)
	if w, h := Body(t, "120x40"); w != 120 || h != 36 {
		t.Errorf("Body(120x40) = %dx%d", w, h)
	}
	if Updating() {
		t.Error("-update is on without being asked for")
	}
}

func TestSim(t *testing.T) {
	start := time.Date(2026, 11, 22, 9, 30, 0, 0, EAT())
	s := NewSim(t, start, WithOptions(sim.Options{Seed: true}))
	ws, err := s.Client.ListWallets(s.Ctx, 1)
	if err != nil || len(ws.Results) == 0 {
		t.Fatalf("wallets %v %v", ws, err)
	}
	r, err := s.Client.STKPush(s.Ctx, client.STKPushRequest{Phone: SandboxPhone, Amount: client.Units(10), APIRef: "t"})
	if err != nil {
		t.Fatal(err)
	}
	s.Advance(15 * time.Second)
	st, err := s.Client.PaymentStatus(s.Ctx, r.Invoice.ID)
	if err != nil || st.Invoice.State != client.InvoiceComplete {
		t.Errorf("after 15s the sandbox phone's payment is %+v %v", st, err)
	}
	c := s.Common(common.ModeDemo, "viewer")
	if !c.Now().Equal(start.Add(15*time.Second)) || c.Role != "viewer" || c.Client != s.Client {
		t.Errorf("common %+v", c)
	}
}

// probed answers Probes with a screen that changes on every probe.
type probed struct{ n int }

func (p *probed) Send(msg tea.Msg) {
	if ch, ok := msg.(Probe); ok {
		p.n++
		ch <- strings.Repeat("x", p.n)
	}
}

func TestWaitScreen(t *testing.T) {
	p := &probed{}
	if got := WaitScreen(t, p, "xxx"); got != "xxx" || p.n != 3 {
		t.Errorf("screen %q after %d probes", got, p.n)
	}
}

// echo is a Model: it shows the last key.
type echo struct{ last string }

func (e *echo) Update(msg tea.Msg) (common.View, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		e.last = k.String()
	}
	return nil, nil
}
func (e *echo) View() string { return "last: " + e.last + "  " }

func TestForModel(t *testing.T) {
	d := ForModel(t, &echo{})
	d.Press("esc")
	if v := d.View(); v != "last: esc" {
		t.Errorf("view %q", v)
	}
}

// TestDriverHold: Hold keeps a type back and leaves the rest alone; Next
// delivers the oldest; Drain the rest; Stop restores Intercept.
func TestDriverHold(t *testing.T) {
	d, c := newCounter(t)
	before := func(tea.Msg) bool { return false }
	d.Intercept = before
	h := d.Hold(loadedMsg{})
	d.Press("l")
	if c.loaded != 0 || len(h.Msgs) != 2 || d.Clipboard() != "copied" {
		t.Fatalf("loaded %d, held %d, clipboard %q", c.loaded, len(h.Msgs), d.Clipboard())
	}
	h.Next()
	if c.loaded != 1 || len(h.Msgs) != 1 {
		t.Fatalf("after Next: loaded %d, held %d", c.loaded, len(h.Msgs))
	}
	h.Drain()
	if c.loaded != 3 || len(h.Msgs) != 0 {
		t.Fatalf("after Drain: loaded %d, held %d", c.loaded, len(h.Msgs))
	}
	h.Stop()
	if reflect.ValueOf(d.Intercept).Pointer() != reflect.ValueOf(before).Pointer() {
		t.Error("Stop did not restore Intercept")
	}
}
