package app

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/ui/common"
)

// paletteTitles are the titles the open palette lists.
func paletteTitles(m *Model) []string {
	var out []string
	for _, e := range m.palette.rows() {
		out = append(out, e.title)
	}
	return out
}

// TestPaletteIsGlobal: on Payouts, "refund" offers the refund actions of
// Collections and Refunds (not only "Go to Refunds"), minus those the role
// may not use; choosing another view's action opens that view and hands
// it the action.
func TestPaletteIsGlobal(t *testing.T) {
	for _, tc := range []struct {
		role       string
		wantRefund bool
	}{{"", true}, {RoleSupport, true}, {RoleViewer, false}} {
		t.Run("role="+tc.role, func(t *testing.T) {
			m, v := newRecShell(t, tc.role)
			v[1].actions = []common.Action{{Title: "Refund selected payment", Key: bind("R"), Msg: actionMsg{"refund"}, Perm: common.PermRefund}}
			v[3].actions = []common.Action{{Title: "Find a payment to refund", Key: bind("f"), Msg: actionMsg{"find"}}}
			press(t, m, "3", ":")
			typeText(t, m, "refund")
			got := paletteTitles(m)
			if !slices.Contains(got, "Find a payment to refund") || !slices.Contains(got, "Go to Refunds") ||
				slices.Contains(got, "Refund selected payment") != tc.wantRefund {
				t.Fatalf("palette for %q: %q", "refund", got)
			}
			if s := ansi.Strip(m.Render()); !strings.Contains(s, "Refunds f") {
				t.Errorf("another view's action does not say where it runs:\n%s", s)
			}
			for m.palette.selected().title != "Find a payment to refund" {
				press(t, m, "down")
			}
			press(t, m, "enter")
			if m.active != 3 || len(received[actionMsg](v[3])) != 1 || len(received[actionMsg](v[2])) != 0 {
				t.Fatalf("active %d, Refunds got %v, Payouts got %v", m.active, received[actionMsg](v[3]), received[actionMsg](v[2]))
			}
		})
	}
}

// searchShell is the real console on the seeded simulator with the
// palette's debounce held: dueSearch fires it.
type searchShell struct {
	t   *testing.T
	m   *Model
	srv *sim.Server
	cl  *client.Client
	due []searchDueMsg
}

func newSearchShell(t *testing.T) *searchShell {
	srv, cl := newSim(t)
	c := &common.Common{Client: cl, Profile: "default", Mode: common.ModeSandbox, Now: func() time.Time { return fixedNow }}
	s := &searchShell{t: t, m: New(c, Options{}), srv: srv, cl: cl}
	s.m.sched = func(d time.Duration, msg tea.Msg) tea.Cmd {
		if d != searchDebounce {
			t.Errorf("debounce %v", d)
		}
		s.due = append(s.due, msg.(searchDueMsg))
		return nil
	}
	s.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return s
}

// find opens the palette, pastes q, and lets the pause pass: the search
// runs against the simulator and its answer comes back.
func (s *searchShell) find(q string) []string {
	s.t.Helper()
	press(s.t, s.m, "esc", ":")
	s.m.Update(tea.PasteMsg{Content: q})
	if len(s.due) == 0 || s.due[len(s.due)-1].q != q {
		s.t.Fatalf("no search scheduled for %q", q)
	}
	_, cmd := s.m.Update(s.due[len(s.due)-1])
	if cmd == nil {
		s.t.Fatal("the pause passed and nothing was searched")
	}
	// Run the search here, however long it takes: drain would give up on
	// a slow machine.
	s.m.Update(cmd())
	return paletteTitles(s.m)
}

// TestPaletteFindsByID: an invoice id, a tracking id, a phone number, a
// chargeback id and an api_ref typed in the palette are found at the
// simulator, and enter opens each in its view.
func TestPaletteFindsByID(t *testing.T) {
	s := newSearchShell(t)
	ctx := context.Background()
	var inv sim.InvoiceInfo
	for _, i := range s.srv.Invoices() {
		if i.State == "COMPLETE" && i.APIRef != "" && strings.HasPrefix(i.Account, "254") && i.CreatedAt.After(inv.CreatedAt) {
			inv = i
		}
	}
	if inv.ID == "" {
		t.Fatal("the seeded simulator has no completed payment with an api_ref")
	}
	b, err := s.cl.InitiatePayout(ctx, client.InitiateRequest{Provider: client.MPesaB2C,
		Transactions: []client.PayoutItem{{Name: "Jane", Account: "254708374149", Amount: client.Units(100), Narrative: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.cl.CreateRefund(ctx, client.RefundRequest{InvoiceID: inv.ID, Amount: client.Units(1), Reason: client.ReasonOther})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, q, want, tab, screen string
	}{
		{"invoice id", inv.ID, "Payment " + inv.ID, "Collections", inv.ID},
		{"tracking id", b.TrackingID, "Payout batch " + b.TrackingID, "Payouts", b.TrackingID},
		{"phone", inv.Account, "Payment " + inv.ID, "Collections", inv.ID},
		{"chargeback id", r.ID, "Refund " + r.ID, "Refunds", r.ID},
		{"api_ref", inv.APIRef, "Payment " + inv.ID, "Collections", inv.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.t = t
			got := s.find(tc.q)
			if !slices.Contains(got, tc.want) {
				t.Fatalf("searching %q found %q", tc.q, got)
			}
			for s.m.palette.selected().title != tc.want {
				press(t, s.m, "down")
			}
			press(t, s.m, "enter")
			if title := s.m.views[s.m.active].Title(); title != tc.tab {
				t.Fatalf("opened %s, want %s", title, tc.tab)
			}
			if screen := ansi.Strip(s.m.Render()); !strings.Contains(screen, tc.screen) {
				t.Errorf("%s does not show %s:\n%s", tc.tab, tc.screen, screen)
			}
		})
	}
}

// TestPaletteSearchDebounce: only the last text typed is searched; an
// answer to an older text is dropped; text that cannot be an id is not
// searched at all.
func TestPaletteSearchDebounce(t *testing.T) {
	s := newSearchShell(t)
	press(t, s.m, ":")
	typeText(t, s.m, "go")
	if len(s.due) != 0 {
		t.Fatalf("searched %v", s.due)
	}
	typeText(t, s.m, "xy")
	stale := s.due[len(s.due)-1]
	typeText(t, s.m, "z")
	_, cmd := s.m.Update(stale)
	if cmd != nil {
		t.Fatal("a stale pause started a search")
	}
	s.m.Update(searchDoneMsg{tag: stale.tag, hits: []searchHit{{title: "Payment OLD"}}})
	if slices.Contains(paletteTitles(s.m), "Payment OLD") {
		t.Fatal("a stale answer was shown")
	}
	if !strings.Contains(ansi.Strip(s.m.Render()), "looking it up at IntaSend") {
		t.Error("no word that a search is under way")
	}
}
