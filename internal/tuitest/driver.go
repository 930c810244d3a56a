package tuitest

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
)

// MaxDepth bounds how deep a chain of commands may go (a command whose
// message leads to another command, and so on) before Driver calls it a
// loop and fails the test instead of overflowing the stack.
const MaxDepth = 256

// Timer is a message a view scheduled and the delay it asked for.
type Timer struct {
	After time.Duration
	Msg   tea.Msg
}

// Driver runs a view the way Bubble Tea would, but synchronously: it runs
// every command, unpacks batches and sequences, keeps what is meant for the
// shell or the terminal, feeds everything else back to Update, and holds
// scheduled messages until the test fires them.
type Driver struct {
	T testing.TB
	// Update delivers a message to the view under test.
	Update func(tea.Msg) tea.Cmd
	// Render draws it.
	Render func() string
	// Intercept, when set, sees every message before it is routed; true
	// means it has been dealt with (e.g. held back to test overlap).
	Intercept func(tea.Msg) bool
	// Timers are the scheduled messages not fired yet.
	Timers []Timer
	// Scheduled is every Timer ever set, in order, fired or not.
	Scheduled []Timer
	// Shell is what the view sent to the shell (toasts, errors, health,
	// confirmations, tab switches) or the terminal (clipboard, quit).
	Shell []tea.Msg
	depth int
}

// NewDriver drives a view through update and render.
func NewDriver(t testing.TB, update func(tea.Msg) tea.Cmd, render func() string) *Driver {
	return &Driver{T: t, Update: update, Render: render}
}

// Model is what Driver needs of a screen's model.
type Model interface {
	Update(tea.Msg) (common.View, tea.Cmd)
	View() string
}

// ForModel drives m. A test that swaps the model under the driver builds
// it with NewDriver instead, with functions that read the current one.
func ForModel(t testing.TB, m Model) *Driver {
	return NewDriver(t, func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd }, m.View)
}

// Sched is a view's scheduler for tests (the views' sched field): instead
// of a tea.Tick it records the timer for Fire.
func (d *Driver) Sched(after time.Duration, msg tea.Msg) tea.Cmd {
	return func() tea.Msg {
		t := Timer{after, msg}
		d.Timers = append(d.Timers, t)
		d.Scheduled = append(d.Scheduled, t)
		return nil
	}
}

// Run executes cmd and everything it leads to.
func (d *Driver) Run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > MaxDepth {
		d.T.Fatalf("tuitest: commands nested %d deep: a command loop?", d.depth)
	}
	d.Feed(cmd())
}

// Feed delivers msg as Bubble Tea would: batches and sequences are run in
// order, shell and terminal requests are kept in Shell, the rest goes to
// Update and its command is run.
func (d *Driver) Feed(msg tea.Msg) {
	if msg == nil {
		return
	}
	if d.Intercept != nil && d.Intercept(msg) {
		return
	}
	if cmds, ok := Cmds(msg); ok {
		for _, c := range cmds {
			d.Run(c)
		}
		return
	}
	if ForShell(msg) {
		d.Shell = append(d.Shell, msg)
		return
	}
	d.Run(d.Update(msg))
}

var cmdType = reflect.TypeFor[tea.Cmd]()

// Cmds unpacks tea.BatchMsg and Bubble Tea's unexported sequence message.
func Cmds(msg tea.Msg) ([]tea.Cmd, bool) {
	if b, ok := msg.(tea.BatchMsg); ok {
		return b, true
	}
	rv := reflect.ValueOf(msg)
	if rv.Kind() != reflect.Slice || rv.Type().Elem() != cmdType {
		return nil, false
	}
	out := make([]tea.Cmd, rv.Len())
	for i := range out {
		out[i], _ = rv.Index(i).Interface().(tea.Cmd)
	}
	return out, true
}

// ForShell says whether msg is for the shell rather than the view: the
// common requests, and Bubble Tea's own requests to the program or the
// terminal (quit, clipboard and the other unexported message types), which
// a real program never hands back to a model.
func ForShell(msg tea.Msg) bool {
	switch msg.(type) {
	case common.ToastMsg, common.ErrorMsg, common.HealthMsg, common.ConfirmMsg, common.GoToMsg, common.BroadcastMsg,
		common.ClipboardMsg,
		common.PaymentReceivedMsg, common.PayoutFailedMsg, common.AttentionMsg, common.AlarmMsg,
		tea.QuitMsg, tea.InterruptMsg, tea.SuspendMsg:
		return true
	}
	t := reflect.TypeOf(msg)
	if t.PkgPath() != reflect.TypeFor[tea.KeyPressMsg]().PkgPath() {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t.Name())
	return r >= 'a' && r <= 'z'
}

// Press sends keys by name (see Key).
func (d *Driver) Press(keys ...string) {
	d.T.Helper()
	for _, k := range keys {
		m, ok := Key(k)
		if !ok {
			d.T.Fatalf("tuitest: unknown key %q", k)
		}
		d.Feed(m)
	}
}

// TypeText types s one character at a time.
func (d *Driver) TypeText(s string) {
	for _, r := range s {
		d.Feed(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

var namedKeys = map[string]tea.KeyPressMsg{
	"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
	"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown},
	"left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight}, "pgup": {Code: tea.KeyPgUp},
	"pgdown": {Code: tea.KeyPgDown}, "home": {Code: tea.KeyHome}, "end": {Code: tea.KeyEnd},
	"backspace": {Code: tea.KeyBackspace}, "delete": {Code: tea.KeyDelete},
	"space": {Code: tea.KeySpace, Text: " "},
}

// Key is the KeyPressMsg a terminal delivers for k: a name ("enter",
// "shift+tab", "pgdown"), "ctrl+" and a letter, or one character. It says
// false for anything else rather than guess.
func Key(k string) (tea.KeyPressMsg, bool) {
	if m, ok := namedKeys[k]; ok {
		return m, true
	}
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok && utf8.RuneCountInString(rest) == 1 {
		r, _ := utf8.DecodeRuneInString(rest)
		return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl}, true
	}
	if utf8.RuneCountInString(k) != 1 {
		return tea.KeyPressMsg{}, false
	}
	r, _ := utf8.DecodeRuneInString(k)
	return tea.KeyPressMsg{Code: r, Text: k}, true
}

// MustKey is Key for keys written into a test (benchmarks, tables): it
// panics on a name Key does not know.
func MustKey(k string) tea.KeyPressMsg {
	m, ok := Key(k)
	if !ok {
		panic("tuitest: unknown key " + k)
	}
	return m
}

// Fire delivers the pending timers whose message has sample's type, as if
// their time had come, and says how many there were. Timers they set are
// kept for the next Fire.
func (d *Driver) Fire(sample tea.Msg) int {
	want := reflect.TypeOf(sample)
	var due []tea.Msg
	var keep []Timer
	for _, tm := range d.Timers {
		if reflect.TypeOf(tm.Msg) == want {
			due = append(due, tm.Msg)
		} else {
			keep = append(keep, tm)
		}
	}
	d.Timers = keep
	for _, m := range due {
		d.Feed(m)
	}
	return len(due)
}

// Pending is the latest pending timer of sample's type.
func (d *Driver) Pending(sample tea.Msg) (Timer, bool) {
	want := reflect.TypeOf(sample)
	for i := len(d.Timers) - 1; i >= 0; i-- {
		if reflect.TypeOf(d.Timers[i].Msg) == want {
			return d.Timers[i], true
		}
	}
	return Timer{}, false
}

// PendingOne is the delay of the one pending timer of sample's type; it
// fails the test unless there is exactly one.
func (d *Driver) PendingOne(sample tea.Msg) time.Duration {
	d.T.Helper()
	var found []time.Duration
	for _, tm := range d.Timers {
		if reflect.TypeOf(tm.Msg) == reflect.TypeOf(sample) {
			found = append(found, tm.After)
		}
	}
	if len(found) != 1 {
		d.T.Fatalf("%d timers of %T pending, want 1", len(found), sample)
	}
	return found[0]
}

// Last is the latest shell message of type t, or nil.
func (d *Driver) Last(t reflect.Type) tea.Msg {
	for i := len(d.Shell) - 1; i >= 0; i-- {
		if reflect.TypeOf(d.Shell[i]) == t {
			return d.Shell[i]
		}
	}
	return nil
}

// Count is how many shell messages of type t there were.
func (d *Driver) Count(t reflect.Type) int {
	n := 0
	for _, m := range d.Shell {
		if reflect.TypeOf(m) == t {
			n++
		}
	}
	return n
}

// Confirm answers the latest confirmation as the shell does on Confirm.
func (d *Driver) Confirm() common.ConfirmMsg {
	d.T.Helper()
	c, ok := d.LastConfirm()
	if !ok {
		d.T.Fatalf("no confirmation was asked for; view:\n%s", d.View())
	}
	d.Feed(c.OnConfirm)
	return c
}

// LastConfirm is the latest confirmation the view asked the shell for.
func (d *Driver) LastConfirm() (common.ConfirmMsg, bool) {
	c, ok := d.Last(reflect.TypeFor[common.ConfirmMsg]()).(common.ConfirmMsg)
	return c, ok
}

// Toasts are the texts of the toasts shown, oldest first.
func (d *Driver) Toasts() []string {
	var out []string
	for _, m := range d.Shell {
		if t, ok := m.(common.ToastMsg); ok {
			out = append(out, t.Text)
		}
	}
	return out
}

// Errors are the error panels the view asked for, oldest first.
func (d *Driver) Errors() []common.ErrorMsg {
	var out []common.ErrorMsg
	for _, m := range d.Shell {
		if e, ok := m.(common.ErrorMsg); ok {
			out = append(out, e)
		}
	}
	return out
}

// ErrorTexts are Errors as "title: error" lines.
func (d *Driver) ErrorTexts() []string {
	var out []string
	for _, e := range d.Errors() {
		out = append(out, e.Title+": "+e.Err.Error())
	}
	return out
}

// Clipboard is the last text the view asked the terminal to copy.
func (d *Driver) Clipboard() string {
	for i := len(d.Shell) - 1; i >= 0; i-- {
		if c, ok := d.Shell[i].(common.ClipboardMsg); ok {
			return c.Text
		}
	}
	return ""
}

// View is the rendered view without colours, trailing spaces trimmed.
func (d *Driver) View() string { return Strip(d.Render()) }

// MustShow fails the test unless the screen shows every one of subs.
func (d *Driver) MustShow(subs ...string) {
	d.T.Helper()
	MustContain(d.T, d.View(), subs...)
}

// Held is the messages of one type a Hold keeps back, oldest first.
type Held struct {
	d      *Driver
	typ    reflect.Type
	Msgs   []tea.Msg
	hold   func(tea.Msg) bool
	before func(tea.Msg) bool
}

// Hold keeps back every message of sample's type instead of delivering it,
// so a test can look at the screen while that work is in flight (a search
// loading pages one by one). It replaces Intercept until Stop.
func (d *Driver) Hold(sample tea.Msg) *Held {
	h := &Held{d: d, typ: reflect.TypeOf(sample), before: d.Intercept}
	h.hold = func(msg tea.Msg) bool {
		if reflect.TypeOf(msg) != h.typ {
			return false
		}
		h.Msgs = append(h.Msgs, msg)
		return true
	}
	d.Intercept = h.hold
	return h
}

// Next delivers the oldest held message and everything it leads to at
// once; messages of the held type that arrive afterwards are held again.
func (h *Held) Next() {
	msg := h.Msgs[0]
	h.Msgs = h.Msgs[1:]
	h.d.Intercept = nil
	h.d.Feed(msg)
	h.d.Intercept = h.hold
}

// Drain delivers held messages until none is left.
func (h *Held) Drain() {
	for len(h.Msgs) > 0 {
		h.Next()
	}
}

// Stop gives Intercept back as it was before Hold.
func (h *Held) Stop() { h.d.Intercept = h.before }
