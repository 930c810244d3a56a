package refunds_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/malipo/malipo/app"
	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/views/refunds"
)

// host wraps the real shell in a tea.Program so a test can read the
// whole screen race-free (the output stream holds only changed cells).
type host struct{ shell *app.Model }

func (h *host) Init() tea.Cmd { return h.shell.Init() }

func (h *host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if p, ok := msg.(tuitest.Probe); ok {
		p <- ansi.Strip(h.shell.Render())
		return h, nil
	}
	_, cmd := h.shell.Update(msg)
	return h, cmd
}

func (h *host) View() tea.View { return h.shell.View() }

func key(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }

// TestInShell refunds part of a seeded payment inside the real console
// (its keys, its confirmation dialog with the typed amount, its toasts)
// in a real Bubble Tea program, then checks the simulator.
func TestInShell(t *testing.T) {
	sm := tuitest.NewSim(t, time.Date(2026, 11, 22, 9, 30, 0, 0, tuitest.EAT()), tuitest.WithOptions(sim.Options{Seed: true}),
		tuitest.WithClientOptions(client.WithRetry(client.DefaultRetry)))
	srv := sm.Server
	c := &common.Common{Client: sm.Client, Profile: "test", Mode: common.ModeSandbox, Role: common.RoleSupport, Now: sm.Clock.Now}
	shell := app.New(c, app.Options{Views: func(c *common.Common) []common.View { return []common.View{refunds.New(c)} }})
	tm := teatest.NewTestModel(t, &host{shell: shell}, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	t.Cleanup(func() { _ = tm.Quit() })

	tuitest.WaitScreen(t, tm, "ECX0XJS")
	tm.Send(key('f'))
	tuitest.WaitScreen(t, tm, "Find a payment")
	tm.Type("v1d8d8f") // 'd' and 'f' must reach the box, not the shell
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tuitest.WaitScreen(t, tm, "Refundable  KES 150.00")
	tm.Send(key('R'))
	tuitest.WaitScreen(t, tm, "Refund payment V1D8D8F")
	tm.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	tm.Type("120")
	for range 3 {
		tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	}
	tuitest.WaitScreen(t, tm, "to confirm")
	// Confirm is refused until the amount is typed exactly.
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab}) // back to Cancel
	if n := len(srv.Refunds()); n != 4 {
		t.Fatalf("%d refunds before the amount was typed", n)
	}
	tm.Type("120.00")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tuitest.WaitScreen(t, tm, "of KES 120.00 on V1D8D8F requested")
	tuitest.WaitScreen(t, tm, "Refundable  KES 30.00")
	rs := srv.Refunds()
	if len(rs) != 5 || rs[4].InvoiceID != "V1D8D8F" || rs[4].Amount != client.Units(120) {
		t.Fatalf("simulator refunds %+v", rs)
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	s := tuitest.WaitScreen(t, tm, rs[4].ID)
	if !strings.Contains(s, "KES 120.00") || !strings.Contains(s, "PENDING") {
		t.Errorf("list:\n%s", s)
	}
}
