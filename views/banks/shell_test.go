package banks_test

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
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
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
	"github.com/malipo/malipo/views/banks"
)

// host wraps the real shell so the test can read the whole screen and
// see the clipboard request race-free.
type host struct {
	shell *app.Model
	clip  string
}

type probeMsg chan string

func (h *host) Init() tea.Cmd { return h.shell.Init() }

func (h *host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case probeMsg:
		msg <- ansi.Strip(h.shell.Render()) + "\nclipboard=" + h.clip
		return h, nil
	case tea.QuitMsg:
		h.clip += "QUIT"
	}
	if fmt.Sprintf("%T", msg) == "tea.setClipboardMsg" {
		h.clip = fmt.Sprint(msg)
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

// TestInShell: in the real console, "e" "q" "u" on the Banks tab finds
// Equity (the q does not quit: the first letter started the filter),
// enter copies 68 by OSC 52, and tab switching works again after.
func TestInShell(t *testing.T) {
	// One fixed clock and zone for the simulator, the cache's stamp and the
	// shell, so the "from IntaSend at" line is the same on any machine.
	clock := sim.NewManualClock(time.Date(2026, 11, 22, 9, 30, 0, 0, time.FixedZone("EAT", 3*3600)))
	srv := sim.New(sim.Options{Clock: clock, Rand: 1})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cl, err := client.New("ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f",
		"ISSecretKey_test_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181", client.WithBaseURL(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	cache := bankpicker.NewCache(bankpicker.WithPath(filepath.Join(t.TempDir(), "bank-codes-ke.json")), bankpicker.WithClock(clock.Now))
	c := &common.Common{Client: cl, Profile: "test", Mode: common.ModeSandbox, Now: clock.Now}
	shell := app.New(c, app.Options{Views: func(c *common.Common) []common.View {
		return []common.View{banks.NewWithCache(c, cache), banks.NewWithCache(c, cache)}
	}})
	tm := teatest.NewTestModel(t, &host{shell: shell}, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	t.Cleanup(func() { _ = tm.Quit() })

	screen(t, tm, "from IntaSend at 22 Nov 09:30")
	screen(t, tm, "36 banks")
	tm.Type("equ")
	s := screen(t, tm, "1 of 36 banks")
	if !strings.Contains(s, "▸   68  Equity Bank") || strings.Contains(s, "QUIT") {
		t.Fatalf("after equ:\n%s", s)
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	screen(t, tm, "clipboard=68")
	screen(t, tm, "Equity Bank: bank code 68 (copied)")
	// Not capturing any more: tab goes to the shell (the second tab).
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	s = screen(t, tm, "36 banks ·")
	if strings.Contains(s, "copied 68") {
		t.Errorf("tab did not switch tabs:\n%s", s)
	}
	if n := srv.Counters().Requests["GET send-money/bank-codes/ke/"]; n != 1 {
		t.Errorf("%d bank list requests for two tabs sharing a cache", n)
	}
}
