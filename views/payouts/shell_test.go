package payouts_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/app"
	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
	"github.com/malipo/malipo/views/payouts"
)

// These tests run the view inside the real shell (package app), so the
// confirmation dialog, its Cancel default, the typed total and the role
// checks are the shell's own, not a test double's.

type shell struct {
	t    *testing.T
	m    *app.Model
	srv  *sim.Server
	msgs chan tea.Msg
	quit bool // the shell asked the program to quit
}

func newShell(t *testing.T, role string) *shell {
	t.Helper()
	sm := tuitest.NewSim(t, time.Date(2026, 11, 22, 9, 30, 0, 0, tuitest.EAT()), tuitest.WithOptions(sim.Options{Rand: 3}))
	srv, c := sm.Server, sm.Client
	if _, err := c.STKPush(context.Background(), client.STKPushRequest{Phone: sim.SandboxTestAccount, Amount: client.Units(50_000), APIRef: "float"}); err != nil {
		t.Fatal(err)
	}
	sm.Advance(15 * time.Second)
	sm.Advance(2 * time.Minute)
	j, err := payout.OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	cm := &common.Common{Client: c, Profile: "test", Mode: common.ModeSandbox, Role: role, Now: sm.Clock.Now}
	m := app.New(cm, app.Options{Views: func(c *common.Common) []common.View {
		return []common.View{payouts.New(c, payouts.WithJournal(j), payouts.WithBankCache(bankpicker.NewCache(bankpicker.WithPath(""))))}
	}})
	s := &shell{t: t, m: m, srv: srv, msgs: make(chan tea.Msg, 1024)}
	s.run(m.Init())
	_, cmd := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	s.run(cmd)
	return s
}

func (s *shell) press(keys ...string) {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "ctrl+c":
			msg = tuitest.MustKey("ctrl+c")
		default:
			msg = tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
		}
		_, cmd := s.m.Update(msg)
		s.run(cmd)
	}
}

func (s *shell) typeText(text string) {
	for _, r := range text {
		s.press(string(r))
	}
}

func (s *shell) screen() string { return ansi.Strip(s.m.View().Content) }

var cmdType = reflect.TypeFor[tea.Cmd]()

// run starts cmd and processes every message that arrives until none has
// for 10 ms. Commands run concurrently and their answers are never lost:
// a slow one (a request under -race on a busy machine) is handled by a
// later run or waitFor; timers (tea.Tick) simply answer late.
func (s *shell) run(cmd tea.Cmd) {
	s.start(cmd)
	for steps := 0; steps < 2000; steps++ {
		select {
		case msg := <-s.msgs:
			s.handle(msg)
		case <-time.After(10 * time.Millisecond):
			return
		}
	}
}

func (s *shell) start(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() { s.msgs <- cmd() }()
}

func (s *shell) handle(msg tea.Msg) {
	if msg == nil {
		return
	}
	if _, ok := msg.(tea.QuitMsg); ok {
		s.quit = true
		return
	}
	if rv := reflect.ValueOf(msg); rv.Kind() == reflect.Slice && rv.Type().Elem() == cmdType {
		for i := range rv.Len() {
			c, _ := rv.Index(i).Interface().(tea.Cmd)
			s.start(c)
		}
		return
	}
	_, next := s.m.Update(msg)
	s.start(next)
}

// waitFor processes messages until the screen contains want (or 20 s).
func (s *shell) waitFor(want string) string {
	s.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if v := s.screen(); strings.Contains(v, want) {
			return v
		}
		select {
		case msg := <-s.msgs:
			s.handle(msg)
		case <-deadline:
			s.t.Fatalf("%q never appeared:\n%s", want, s.screen())
		}
	}
}

// openApproval presses A and waits for the typed confirmation: the dialog
// opens from a command (the journal is asked first), which may answer
// after run's quiet spell on a loaded machine, so keys typed next would
// otherwise reach the screen underneath.
func (s *shell) openApproval() {
	s.t.Helper()
	s.press("A")
	s.waitFor("to confirm")
}

func (s *shell) previewed() string {
	s.t.Helper()
	s.press("a")
	s.typeText("Jane")
	s.press("tab")
	s.typeText("0708374149")
	s.press("tab")
	s.typeText("1000")
	s.press("tab")
	s.typeText("nov")
	s.press("enter", "p")
	return s.waitFor("Preview and approve (BP103)")
}

func (s *shell) approvals() int {
	n := 0
	for _, v := range s.srv.Counters().Approved {
		n += v
	}
	return n
}

func TestShellApproveNeedsTypedTotal(t *testing.T) {
	s := newShell(t, "")
	s.previewed()
	s.press("A")
	s.waitFor("Type 1,000.00 to confirm")
	s.press("enter") // Cancel has the focus
	if s.approvals() != 0 || strings.Contains(s.screen(), "to confirm") {
		t.Fatalf("enter on the default button approved (%d) or left the dialog open", s.approvals())
	}
	s.openApproval()
	s.press("tab", "enter") // Confirm focused but nothing typed: locked
	if s.approvals() != 0 {
		t.Fatal("approved without the typed total")
	}
	s.typeText("1,000.00")
	s.press("enter")
	s.waitFor("Paid KES")
	if s.approvals() != 1 {
		t.Fatalf("approvals %d after typing the total", s.approvals())
	}
	s.press("A", "A")
	if s.approvals() != 1 || strings.Contains(s.screen(), "to confirm") {
		t.Fatal("A after approval asked again")
	}
}

// TestShellApproveAcceptsAnySpelling: the typed total is compared as an
// amount, so "1000" unlocks a confirmation that shows 1,000.00.
func TestShellApproveAcceptsAnySpelling(t *testing.T) {
	s := newShell(t, "")
	s.previewed()
	s.openApproval()
	s.press("tab")
	s.typeText("1000")
	if v := s.screen(); strings.Contains(v, "(locked)") {
		t.Fatalf("1000 did not unlock a total of 1,000.00:\n%s", v)
	}
	s.press("enter")
	s.waitFor("Paid KES")
	if s.approvals() != 1 {
		t.Fatalf("approvals %d", s.approvals())
	}
}

// TestShellCtrlCInApprovalAsks: ctrl+c in the typed approval dialog
// asks first, as q does, naming the batch left waiting; a second ctrl+c
// quits, and what is pending is printed once the screen is gone.
func TestShellCtrlCInApprovalAsks(t *testing.T) {
	s := newShell(t, "")
	s.previewed()
	s.openApproval()
	s.typeText("1,0")
	s.press("ctrl+c")
	v := s.screen()
	if s.quit {
		t.Fatalf("ctrl+c in the approval dialog quit without asking:\n%s", v)
	}
	tuitest.MustContain(t, v, "Quit malipo?", "is waiting for approval", "Payouts → Pending (P)", "[ Stay ]", "ctrl+c again quits now")
	if strings.Contains(v, "to confirm") {
		t.Errorf("the approval dialog is still open under the question:\n%s", v)
	}
	s.press("enter") // Stay has the focus
	if s.quit || strings.Contains(s.screen(), "Quit malipo?") {
		t.Fatal("Stay did not stay")
	}
	s.press("A") // the approval was cancelled, not lost: it can be asked again
	s.waitFor("to confirm")
	s.press("ctrl+c", "ctrl+c")
	if !s.quit || s.approvals() != 0 {
		t.Fatalf("quit %v, approvals %d", s.quit, s.approvals())
	}
	var out strings.Builder
	app.PrintExitNotes(&out, s.m.ExitNotes())
	if got := out.String(); !strings.HasPrefix(got, "malipo: Payout batch ") || !strings.Contains(got, "(KES 1,000.00, tracking ") ||
		!strings.HasSuffix(got, "is waiting for approval; it stays in Payouts → Pending (P).\n") {
		t.Errorf("exit notes %q", got)
	}
}

// TestShellQuitJournalledDraft: with the draft in the journal, q quits at
// once (README: nothing to lose, nothing asked) and leaves no note.
func TestShellQuitJournalledDraft(t *testing.T) {
	s := newShell(t, "")
	s.press("a")
	s.typeText("Jane")
	s.press("tab")
	s.typeText("0708374149")
	s.press("tab")
	s.typeText("1000")
	s.press("tab")
	s.typeText("nov")
	s.press("enter")
	s.waitFor("draft saved")
	s.press("q")
	if !s.quit {
		t.Fatalf("q asked although the draft is saved:\n%s", s.screen())
	}
	if n := s.m.ExitNotes(); len(n) != 0 {
		t.Errorf("exit notes %q with nothing pending", n)
	}
}

func TestShellMakerCannotApprove(t *testing.T) {
	s := newShell(t, common.RoleMaker)
	s.previewed()
	s.press("A")
	v := s.screen()
	if strings.Contains(v, "to confirm") || s.approvals() != 0 {
		t.Fatalf("a maker got an approval dialog:\n%s", v)
	}
	if strings.Contains(v, "A approve") {
		t.Errorf("approve is still offered to a maker:\n%s", v)
	}
}
