package refunds_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/ui"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/views/refunds"
)

// host wraps the real shell in a tea.Program so a test can read the
// whole screen race-free (the output stream holds only changed cells).
type host struct{ shell *ui.Model }

type probeMsg chan string

func (h *host) Init() tea.Cmd { return h.shell.Init() }

func (h *host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if p, ok := msg.(probeMsg); ok {
		p <- ansi.Strip(h.shell.Render())
		return h, nil
	}
	_, cmd := h.shell.Update(msg)
	return h, cmd
}

func (h *host) View() tea.View { return h.shell.View() }

func screen(t *testing.T, tm *teatest.TestModel, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		ch := make(probeMsg, 1)
		tm.Send(ch)
		select {
		case last = <-ch:
			if strings.Contains(last, want) {
				return last
			}
		case <-time.After(time.Second):
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%q never appeared; last screen:\n%s", want, last)
	return ""
}

func key(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }

// TestInShell refunds part of a seeded payment inside the real console
// (its keys, its confirmation dialog with the typed amount, its toasts)
// in a real Bubble Tea program, then checks the simulator.
func TestInShell(t *testing.T) {
	clock := sim.NewManualClock(time.Date(2026, 11, 22, 9, 30, 0, 0, time.FixedZone("EAT", 3*3600)))
	srv := sim.New(sim.Options{Clock: clock, Rand: 1, Seed: true, FailureRate: -1})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cl, err := client.New("ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f",
		"ISSecretKey_test_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181", client.WithBaseURL(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	c := &common.Common{Client: cl, Profile: "test", Mode: common.ModeSandbox, Role: common.RoleSupport, Now: clock.Now}
	shell := ui.New(c, ui.Options{Views: func(c *common.Common) []common.View { return []common.View{refunds.New(c)} }})
	tm := teatest.NewTestModel(t, &host{shell: shell}, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	t.Cleanup(func() { _ = tm.Quit() })

	screen(t, tm, "ECX0XJS")
	tm.Send(key('f'))
	screen(t, tm, "Find a payment")
	tm.Type("v1d8d8f") // 'd' and 'f' must reach the box, not the shell
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	screen(t, tm, "Refundable  KES 150.00")
	tm.Send(key('R'))
	screen(t, tm, "Refund payment V1D8D8F")
	tm.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	tm.Type("120")
	for range 3 {
		tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	}
	screen(t, tm, "to confirm")
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
	screen(t, tm, "of KES 120.00 on V1D8D8F requested")
	screen(t, tm, "Refundable  KES 30.00")
	rs := srv.Refunds()
	if len(rs) != 5 || rs[4].InvoiceID != "V1D8D8F" || rs[4].Amount != client.Units(120) {
		t.Fatalf("simulator refunds %+v", rs)
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	s := screen(t, tm, rs[4].ID)
	if !strings.Contains(s, "KES 120.00") || !strings.Contains(s, "PENDING") {
		t.Errorf("list:\n%s", s)
	}
}
