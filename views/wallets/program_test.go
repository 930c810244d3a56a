package wallets

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// host stands in for the shell in a real tea.Program: it sizes the view,
// says yes to its confirmations (after checking what must be typed) and
// shows its latest toast.
type host struct {
	v       common.View
	typed   []string
	toast   string
	healthy int
}

func (h *host) Init() tea.Cmd { return h.v.Init() }

func (h *host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		h.v.SetSize(msg.Width, msg.Height-1)
		return h, nil
	case common.ConfirmMsg:
		h.typed = append(h.typed, msg.Typed)
		return h, func() tea.Msg { return msg.OnConfirm }
	case common.ToastMsg:
		h.toast = msg.Text
		return h, nil
	case common.HealthMsg:
		if msg.OK {
			h.healthy++
		}
		return h, nil
	case common.ErrorMsg:
		h.toast = "ERROR " + msg.Title
		return h, nil
	case tuitest.Probe:
		msg <- ansi.Strip(h.v.View() + "\n" + h.toast)
		return h, nil
	}
	v, cmd := h.v.Update(msg)
	h.v = v
	return h, cmd
}

func (h *host) View() tea.View { return tea.NewView(h.v.View() + "\n" + h.toast) }

// TestProgramTransfer runs the view in a real Bubble Tea program (teatest,
// ASCII colour profile): commands run concurrently on the runtime's
// goroutines, which -race checks never touch the model. It moves money
// with keys and checks the balances the program shows at the end.
func TestProgramTransfer(t *testing.T) {
	f := history(t)
	h := &host{v: New(f.common())}
	tm := teatest.NewTestModel(t, h, teatest.WithInitialTermSize(120, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	tuitest.WaitScreen(t, tm, "KES 41,637.50")
	tm.Send(tea.KeyPressMsg{Code: 't', Text: "t"})
	tuitest.WaitScreen(t, tm, "Move money between wallets")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Type("1500")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Type("weekly float")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tuitest.WaitScreen(t, tm, "Moved KES 1,500.00 from default to Operations")
	tuitest.WaitScreen(t, tm, "KES 40,137.50")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*host)
	if len(final.typed) != 1 || final.typed[0] != "1,500.00" {
		t.Fatalf("confirmations asked %q", final.typed)
	}
	if final.healthy == 0 {
		t.Fatal("no health reports reached the host")
	}
	view := ansi.Strip(final.v.View())
	assertViewBalances(t, view, f.Server)
	s, _ := f.Server.Wallet(f.ids["settlement"])
	if s.Available != client.MustAmount("40137.50") || !strings.Contains(view, "KES 40,137.50") {
		t.Fatalf("simulator %s; view:\n%s", s.Available, view)
	}
}
