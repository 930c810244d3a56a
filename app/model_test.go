package app

import (
	"context"
	"net"
	"time"

	"errors"
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/demo"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

func TestNavigation(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want int
	}{
		{"starts on wallets", nil, 0},
		{"tab moves right", []string{"tab"}, 1},
		{"tab wraps", []string{"7", "tab"}, 0},
		{"shift+tab wraps left", []string{"shift+tab"}, 6},
		{"shift+tab moves left", []string{"3", "shift+tab"}, 1},
		{"digits jump", []string{"4"}, 3},
		{"each digit", []string{"1", "2", "3", "4", "5", "6", "7"}, 6},
		{"8 is not a view: goes to the view", []string{"2", "8"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newRecShell(t, "")
			press(t, m, tt.keys...)
			if m.active != tt.want {
				t.Fatalf("active = %d (%s), want %d", m.active, m.views[m.active].Title(), tt.want)
			}
			if !strings.Contains(m.Render(), "body of "+tabNames()[tt.want]) {
				t.Fatalf("screen does not show %s:\n%s", tabNames()[tt.want], ansi.Strip(m.Render()))
			}
		})
	}
}

func TestSwitchTellsViewsShownOrHidden(t *testing.T) {
	m, v := newRecShell(t, "")
	press(t, m, "3")
	if len(v[0].shown) != 1 || v[0].shown[0] {
		t.Errorf("wallets shown calls = %v, want [false]", v[0].shown)
	}
	if len(v[2].shown) != 1 || !v[2].shown[0] {
		t.Errorf("payouts shown calls = %v, want [true]", v[2].shown)
	}
}

func TestUnboundKeysReachActiveViewOnly(t *testing.T) {
	m, v := newRecShell(t, "")
	press(t, m, "2", "x")
	if got := received[tea.KeyPressMsg](v[1]); len(got) != 1 || got[0].String() != "x" {
		t.Fatalf("collections got %v, want one x", got)
	}
	if got := received[tea.KeyPressMsg](v[0]); len(got) != 0 {
		t.Fatalf("hidden wallets got keys %v", got)
	}
}

func TestHelpOverlay(t *testing.T) {
	tests := []struct {
		name     string
		keys     []string
		wantOpen bool
	}{
		{"? opens", []string{"?"}, true},
		{"? twice closes", []string{"?", "?"}, false},
		{"esc closes", []string{"?", "esc"}, false},
		{"other keys leave it open", []string{"?", "tab", "x"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, v := newRecShell(t, "")
			press(t, m, tt.keys...)
			if m.showHelp != tt.wantOpen {
				t.Fatalf("help open = %v, want %v", m.showHelp, tt.wantOpen)
			}
			screen := ansi.Strip(m.Render())
			if tt.wantOpen {
				for _, want := range []string{"Wallets", "do x in Wallets", "Everywhere", "next view", "command palette", "quit"} {
					if !strings.Contains(screen, want) {
						t.Errorf("help overlay lacks %q:\n%s", want, screen)
					}
				}
				if m.active != 0 || len(received[tea.KeyPressMsg](v[0])) != 0 {
					t.Error("keys leaked through the help overlay")
				}
			} else if strings.Contains(screen, "Everywhere") {
				t.Errorf("help overlay still drawn:\n%s", screen)
			}
		})
	}
}

type actionMsg struct{ name string }

func TestPaletteFilterAndRun(t *testing.T) {
	tests := []struct {
		name      string
		keys      []string
		query     string
		wantFirst string
		wantView  int
		wantMsg   string // the action message the wallets view receives
	}{
		{"empty query lists view actions first", []string{":"}, "", "Transfer", 0, "transfer"},
		{"fuzzy go to", []string{":"}, "gtbanks", "Go to Banks", 5, ""},
		{"ctrl+p opens too", []string{"ctrl+p"}, "subs", "Go to Subscriptions", 4, ""},
		{"runs a view action", []string{":"}, "transfer", "Transfer", 0, "transfer"},
		{"arrow then enter runs the second match", []string{":"}, "fund", "Fund by M-Pesa", 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, v := newRecShell(t, "")
			v[0].actions = []common.Action{
				{Title: "Transfer", Key: bind("t"), Msg: actionMsg{"transfer"}, Perm: common.PermTransfer, Danger: true},
				{Title: "Fund by M-Pesa", Key: bind("f"), Msg: actionMsg{"fund"}, Perm: common.PermCollect},
			}
			press(t, m, tt.keys...)
			if m.palette == nil {
				t.Fatal("palette did not open")
			}
			typeText(t, m, tt.query)
			sel := m.palette.selected()
			if sel == nil || sel.title != tt.wantFirst {
				t.Fatalf("first match = %+v, want %q", sel, tt.wantFirst)
			}
			if !strings.Contains(ansi.Strip(m.Render()), tt.wantFirst) {
				t.Fatalf("palette does not show %q", tt.wantFirst)
			}
			if tt.name == "arrow then enter runs the second match" {
				if second := m.palette.entries[m.palette.shown[1]]; second.title != "Go to Refunds" {
					t.Fatalf("second match = %q, want Go to Refunds", second.title)
				}
				press(t, m, "down")
			}
			press(t, m, "enter")
			if m.palette != nil {
				t.Fatal("palette still open after enter")
			}
			if m.active != tt.wantView {
				t.Fatalf("active = %d, want %d", m.active, tt.wantView)
			}
			got := received[actionMsg](v[0])
			if tt.wantMsg == "" && len(got) != 0 || tt.wantMsg != "" && (len(got) != 1 || got[0].name != tt.wantMsg) {
				t.Fatalf("wallets got actions %v, want %q", got, tt.wantMsg)
			}
		})
	}
}

func TestPaletteEscClosesWithoutRunning(t *testing.T) {
	m, v := newRecShell(t, "")
	press(t, m, ":")
	typeText(t, m, "quit")
	press(t, m, "esc")
	if m.palette != nil {
		t.Fatal("esc did not close the palette")
	}
	if len(v[0].got) != 0 {
		t.Fatalf("view got %v", v[0].got)
	}
}

func TestPaletteQuitEntryQuits(t *testing.T) {
	m, _ := newRecShell(t, "")
	press(t, m, ":")
	typeText(t, m, "quit")
	_, cmd := m.Update(keyMsg("enter"))
	if !drain(t, m, cmd) {
		t.Fatal("Quit entry did not quit")
	}
}

func TestPaletteRoleFiltering(t *testing.T) {
	actions := []common.Action{
		{Title: "Look around", Msg: actionMsg{"look"}},
		{Title: "Request payment", Msg: actionMsg{"stk"}, Perm: common.PermCollect},
		{Title: "Refund payment", Msg: actionMsg{"refund"}, Perm: common.PermRefund, Danger: true},
		{Title: "Initiate payout", Msg: actionMsg{"initiate"}, Perm: common.PermInitiate, Danger: true},
		{Title: "Approve payout", Msg: actionMsg{"approve"}, Perm: common.PermApprove, Danger: true},
		{Title: "Move money", Msg: actionMsg{"transfer"}, Perm: common.PermTransfer, Danger: true},
		{Title: "Create wallet", Msg: actionMsg{"admin"}, Perm: common.PermAdmin},
	}
	tests := []struct {
		role string
		want []string
	}{
		{"", []string{"Look around", "Request payment", "Refund payment", "Initiate payout", "Approve payout", "Move money", "Create wallet"}},
		{RoleViewer, []string{"Look around"}},
		{RoleSupport, []string{"Look around", "Request payment", "Refund payment"}},
		{RoleMaker, []string{"Look around", "Request payment", "Refund payment", "Initiate payout"}},
		{RoleApprover, []string{"Look around", "Request payment", "Refund payment", "Initiate payout", "Approve payout", "Move money", "Create wallet"}},
		{"intruder", []string{"Look around"}},
	}
	for _, tt := range tests {
		t.Run("role="+tt.role, func(t *testing.T) {
			m, v := newRecShell(t, tt.role)
			v[0].actions = actions
			var got []string
			for _, e := range m.paletteEntries() {
				if e.view == 0 {
					got = append(got, e.title)
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("offered %v, want %v", got, tt.want)
			}
		})
	}
}

// confirmShell is a shell whose wallets view asks for req on an action.
func confirmShell(t *testing.T, role string, req common.ConfirmMsg) (*Model, *recView) {
	t.Helper()
	m, v := newRecShell(t, role)
	v[0].onMsg = func(msg tea.Msg) tea.Cmd {
		if _, ok := msg.(actionMsg); ok {
			return common.Confirm(req)
		}
		return nil
	}
	// The action reaches the view through the shell (as the palette sends
	// it); the view's ConfirmMsg comes back through its own command.
	_, cmd := m.Update(ownedMsg{view: 0, msg: actionMsg{"go"}})
	drain(t, m, cmd)
	return m, v[0]
}

type yes struct{}
type no struct{}

func TestConfirm(t *testing.T) {
	tests := []struct {
		name  string
		typed string
		keys  []string
		text  string // typed after the keys
		after []string
		want  string // "yes", "no", "none", "open"
	}{
		{"enter right away cancels", "", []string{"enter"}, "", nil, "no"},
		{"esc cancels", "", []string{"esc"}, "", nil, "no"},
		{"tab then enter confirms", "", []string{"tab", "enter"}, "", nil, "yes"},
		{"right then enter confirms", "", []string{"right", "enter"}, "", nil, "yes"},
		{"tab twice is back on cancel", "", []string{"tab", "shift+tab", "enter"}, "", nil, "no"},
		{"typed: confirm locked until typed", "1,500.00", []string{"tab", "enter"}, "", nil, "open"},
		{"typed: wrong text stays locked", "1,500.00", []string{"tab"}, "1,500.0x", []string{"enter"}, "open"},
		{"typed: another spelling of the amount unlocks", "1,500.00", []string{"tab"}, "1,500.0", []string{"enter"}, "yes"},
		{"typed: exact text unlocks", "1,500.00", []string{"tab"}, "1,500.00", []string{"enter"}, "yes"},
		{"typed: amount without grouping or cents unlocks", "4,300.00", []string{"tab"}, "4300", []string{"enter"}, "yes"},
		{"typed: amount grouped without cents unlocks", "4,300.00", []string{"tab"}, "4,300", []string{"enter"}, "yes"},
		{"typed: amount with cents, no grouping, unlocks", "4,300.00", []string{"tab"}, "4300.00", []string{"enter"}, "yes"},
		{"typed: amount with currency unlocks", "4,300.00", []string{"tab"}, "KES 4,300.00", []string{"enter"}, "yes"},
		{"typed: one decimal place unlocks", "4,300.50", []string{"tab"}, "4300.5", []string{"enter"}, "yes"},
		{"typed: another amount stays locked", "4,300.00", []string{"tab"}, "4300.01", []string{"enter"}, "open"},
		{"typed: a tenth of it stays locked", "4,300.00", []string{"tab"}, "430", []string{"enter"}, "open"},
		{"typed: an id suffix is matched exactly", "8181", []string{"tab"}, "8,181", []string{"enter"}, "open"},
		{"typed: an id suffix unlocks when exact", "8181", []string{"tab"}, "8181", []string{"enter"}, "yes"},
		{"typed: enter on cancel still cancels", "8181", nil, "8181", []string{"enter"}, "no"},
		{"typed: esc cancels", "8181", nil, "81", []string{"esc"}, "no"},
		{"letters go to the field, not the view", "q", nil, "q", []string{"tab", "enter"}, "yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, v := confirmShell(t, "", common.ConfirmMsg{Title: "Move money?", Body: "KES 1,500.00 from Payroll to Reserve",
				Typed: tt.typed, Danger: true, Perm: common.PermTransfer, OnConfirm: yes{}, OnCancel: no{}})
			testcheck.Expect(t, "dialog", m.confirm, testcheck.C("opened", m.confirm != nil))
			testcheck.Expect(t, "dialog focus", m.confirm.focus, testcheck.C("starts on Cancel", m.confirm.focus == btnCancel))
			press(t, m, tt.keys...)
			typeText(t, m, tt.text)
			press(t, m, tt.after...)
			// What each outcome leaves: confirms sent, cancels sent, dialog open.
			outcome := map[string]struct {
				yes, no int
				open    bool
			}{"yes": {1, 0, false}, "no": {0, 1, false}, "open": {0, 0, true}}[tt.want]
			gotYes, gotNo := len(received[yes](v)), len(received[no](v))
			testcheck.Expect(t, "want "+tt.want, fmt.Sprintf("yes=%d no=%d open=%v", gotYes, gotNo, m.confirm != nil),
				testcheck.C(fmt.Sprint("yes=", outcome.yes), gotYes == outcome.yes), testcheck.C(fmt.Sprint("no=", outcome.no), gotNo == outcome.no),
				testcheck.C(fmt.Sprint("open=", outcome.open), (m.confirm != nil) == outcome.open))
			screen := ansi.Strip(m.Render())
			testcheck.Expect(t, "locked Confirm while open\n"+screen, tt.want, testcheck.C("shown", !outcome.open || strings.Contains(screen, "Confirm (locked)")))
			testcheck.Expect(t, "keys leaked to the tabs", m.active, testcheck.C("none", m.active == 0))
		})
	}
}

// TestConfirmLabels: a dialog may name its buttons after what they do;
// the focus brackets and the lock follow the names.
func TestConfirmLabels(t *testing.T) {
	m, _ := confirmShell(t, "", common.ConfirmMsg{Title: "Cancel batch X", ConfirmLabel: "Cancel batch", CancelLabel: "Keep batch",
		Danger: true, OnConfirm: yes{}, OnCancel: no{}})
	if v := ansi.Strip(m.Render()); !strings.Contains(v, "[ Keep batch ]") || !strings.Contains(v, "  Cancel batch  ") ||
		strings.Contains(v, "Confirm") {
		t.Fatalf("buttons not named after the action:\n%s", v)
	}
	press(t, m, "tab")
	if v := ansi.Strip(m.Render()); !strings.Contains(v, "[ Cancel batch ]") {
		t.Fatalf("focus not shown on the named button:\n%s", v)
	}
	m, _ = confirmShell(t, "", common.ConfirmMsg{Title: "Approve", Typed: "10.00", ConfirmLabel: "Approve", OnConfirm: yes{}})
	if v := ansi.Strip(m.Render()); !strings.Contains(v, "Approve (locked)") || !strings.Contains(v, "Approve unlocks when") {
		t.Fatalf("lock not shown on the named button:\n%s", v)
	}
}

func TestConfirmRoleCheck(t *testing.T) {
	m, v := confirmShell(t, RoleViewer, common.ConfirmMsg{Title: "Approve?", Perm: common.PermApprove, OnConfirm: yes{}, OnCancel: no{}})
	if m.confirm != nil {
		t.Fatal("a viewer got an approval dialog")
	}
	if len(received[no](v)) != 1 || len(received[yes](v)) != 0 {
		t.Fatal("the view was not told the confirmation was refused")
	}
	if !strings.Contains(ansi.Strip(m.Render()), "may not approve payouts") {
		t.Fatalf("no explanation shown:\n%s", ansi.Strip(m.Render()))
	}
}

func TestCapturingDisablesSingleLetterGlobals(t *testing.T) {
	m, v := newRecShell(t, "")
	v[0].capturing = true
	for _, k := range []string{"q", "?", ":", "r", "2", "tab", "esc"} {
		_, cmd := m.Update(keyMsg(k))
		if drain(t, m, cmd) {
			t.Fatalf("%s quit while typing", k)
		}
	}
	if m.active != 0 || m.showHelp || m.palette != nil {
		t.Fatalf("a global fired while typing: active=%d help=%v palette=%v", m.active, m.showHelp, m.palette != nil)
	}
	if got := len(received[tea.KeyPressMsg](v[0])); got != 7 {
		t.Fatalf("view got %d keys, want all 7", got)
	}
	// Chords stay global: ctrl+p opens the palette, ctrl+c quits.
	press(t, m, "ctrl+p")
	if m.palette == nil {
		t.Fatal("ctrl+p did not open the palette while typing")
	}
	_, cmd := m.Update(keyMsg("ctrl+c"))
	if !drain(t, m, cmd) {
		t.Fatal("ctrl+c did not quit")
	}
}

func TestQuitKeys(t *testing.T) {
	m, _ := newRecShell(t, "")
	_, cmd := m.Update(keyMsg("q"))
	if !drain(t, m, cmd) {
		t.Fatal("q did not quit")
	}
}

// guardView holds a draft.
type guardView struct{ *recView }

func (g guardView) QuitWarning() string { return "The payout draft is not saved." }

func TestQuitAsksWhenWorkWouldBeLost(t *testing.T) {
	m, v := newRecShell(t, "")
	m.views[2] = guardView{v[2]}
	_, cmd := m.Update(keyMsg("q"))
	if drain(t, m, cmd) {
		t.Fatal("q quit without asking")
	}
	if m.confirm == nil || !strings.Contains(ansi.Strip(m.Render()), "draft is not saved") {
		t.Fatal("no quit confirmation shown")
	}
	_, cmd = m.Update(keyMsg("enter")) // defaults to Cancel
	if drain(t, m, cmd) {
		t.Fatal("enter on Cancel quit")
	}
	press(t, m, "q", "tab")
	_, cmd = m.Update(keyMsg("enter"))
	if !drain(t, m, cmd) {
		t.Fatal("Confirm did not quit")
	}
}

// noteView leaves a batch waiting when the console closes.
type noteView struct{ guardView }

func (n noteView) ExitNote() string { return "Batch X waits for approval.\nIt stays in Pending." }

// TestCtrlCAsksLikeQ: with work at stake ctrl+c asks the same question as
// q, over any dialog (whose owner hears Cancel); a second ctrl+c quits at
// once, and what the views leave pending is collected for printing.
func TestCtrlCAsksLikeQ(t *testing.T) {
	m, v := confirmShell(t, "", common.ConfirmMsg{Title: "Approve?", Typed: "8181", OnConfirm: yes{}, OnCancel: no{}})
	m.views[2] = noteView{guardView{m.views[2].(*recView)}}
	_, cmd := m.Update(keyMsg("ctrl+c"))
	if drain(t, m, cmd) {
		t.Fatal("ctrl+c quit without asking")
	}
	if got := ansi.Strip(m.Render()); !strings.Contains(got, "Quit malipo?") || !strings.Contains(got, "draft is not saved") {
		t.Fatalf("no quit question:\n%s", got)
	}
	if len(received[no](v)) != 1 || len(received[yes](v)) != 0 {
		t.Fatal("the dialog under the question was not answered Cancel")
	}
	press(t, m, "enter") // Stay
	if m.confirm != nil || len(m.ExitNotes()) != 0 {
		t.Fatal("Stay did not stay")
	}
	press(t, m, "ctrl+c")
	_, cmd = m.Update(keyMsg("ctrl+c"))
	if !drain(t, m, cmd) {
		t.Fatal("a second ctrl+c did not quit")
	}
	var out strings.Builder
	PrintExitNotes(&out, m.ExitNotes())
	if got, want := out.String(), "malipo: Batch X waits for approval.\nmalipo: It stays in Pending.\n"; got != want {
		t.Errorf("exit notes %q, want %q", got, want)
	}
}

// refreshView is a recording view that reloads on demand.
type refreshView struct {
	*recView
	refreshes int
}

func (v *refreshView) Refresh() tea.Cmd { v.refreshes++; return nil }
func (v *refreshView) Update(msg tea.Msg) (common.View, tea.Cmd) {
	_, cmd := v.recView.Update(msg)
	return v, cmd
}

// TestRefreshIsDelegated: `r` and the palette's Refresh reach a view's
// Refresher; a view without one is never sent a made-up `r` (the key the
// user pressed still reaches it, as any key would) and is offered no
// Refresh entry.
func TestRefreshIsDelegated(t *testing.T) {
	plain, refreshing := &recView{title: "Plain"}, &refreshView{recView: &recView{title: "Reloads"}}
	c := &common.Common{Profile: "test", Now: func() time.Time { return fixedNow }}
	m := New(c, Options{Views: func(*common.Common) []common.View { return []common.View{refreshing, plain} }})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drain(t, m, m.Init())

	press(t, m, "r")
	press(t, m, ":")
	typeText(t, m, "refresh")
	press(t, m, "enter")
	if refreshing.refreshes != 2 || len(received[tea.KeyPressMsg](refreshing.recView)) != 0 {
		t.Fatalf("Refresher: %d refreshes, keys %v; want 2 and none", refreshing.refreshes, refreshing.got)
	}

	press(t, m, "tab", "r")
	if got := received[tea.KeyPressMsg](plain); len(got) != 1 || got[0].String() != "r" {
		t.Fatalf("view without Refresher got %v, want the r pressed", got)
	}
	press(t, m, ":")
	for _, e := range m.palette.entries {
		if e.title == "Refresh" {
			t.Error("palette offers Refresh for a view that cannot")
		}
	}
	press(t, m, "esc")
	if got := received[tea.KeyPressMsg](plain); len(got) != 1 {
		t.Fatalf("view without Refresher got made-up keys: %v", got)
	}
}

func TestResize(t *testing.T) {
	tests := []struct {
		w, h      int
		tooSmall  bool
		bodyW     int
		bodyH     int
		wantInMsg string
	}{
		{80, 24, false, 80, 20, ""},
		{120, 40, false, 120, 36, ""},
		{79, 24, true, 80, 20, "(now 79x24)"},
		{80, 23, true, 80, 20, "(now 80x23)"},
		{40, 10, true, 80, 20, "(now 40x10)"},
		{160, 50, false, 160, 46, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.w, tt.h), func(t *testing.T) {
			m, v := newRecShell(t, "")
			m.Update(tea.WindowSizeMsg{Width: tt.w, Height: tt.h})
			out := m.Render()
			lines := strings.Split(out, "\n")
			if len(lines) != tt.h {
				t.Fatalf("frame has %d lines, want %d", len(lines), tt.h)
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > tt.w {
					t.Fatalf("line %d is %d wide, screen is %d", i, w, tt.w)
				}
			}
			if tt.tooSmall != strings.Contains(out, "malipo needs at least 80x24") || !strings.Contains(out, tt.wantInMsg) {
				t.Fatalf("too-small notice wrong at %dx%d:\n%s", tt.w, tt.h, ansi.Strip(out))
			}
			if v[0].w != tt.bodyW || v[0].h != tt.bodyH || v[3].w != tt.bodyW {
				t.Fatalf("views sized %dx%d (hidden %dx%d), want %dx%d", v[0].w, v[0].h, v[3].w, v[3].h, tt.bodyW, tt.bodyH)
			}
		})
	}
}

func TestToastClearsItself(t *testing.T) {
	m, _ := newRecShell(t, "")
	_, cmd := m.Update(ownedMsg{view: 0, msg: common.ToastMsg{Kind: common.ToastSuccess, Text: "Wallet created"}})
	if !strings.Contains(ansi.Strip(m.Render()), "✔ Wallet created") {
		t.Fatalf("toast not shown with its symbol:\n%s", ansi.Strip(m.Render()))
	}
	if cmd == nil {
		t.Fatal("no expiry scheduled")
	}
	m.Update(toastExpiredMsg{id: m.toasts[0].id})
	if strings.Contains(ansi.Strip(m.Render()), "Wallet created") {
		t.Fatal("toast did not clear")
	}
}

func TestErrorPanelShowsIntaSendsMessage(t *testing.T) {
	m, v := newRecShell(t, "")
	apiErr := &client.APIError{Status: 400, Type: "validation_error", Detail: "Insufficient balance in wallet",
		Errors: []client.ErrorDetail{{Code: "invalid", Detail: "Insufficient balance in wallet", Attr: "amount"}, {Code: "invalid", Detail: "Not allowed", Attr: "narrative"}}}
	m.Update(ownedMsg{view: 0, msg: common.ErrorMsg{Title: "Transfer failed", Err: apiErr}})
	screen := ansi.Strip(m.Render())
	for _, want := range []string{"✖ Transfer failed", "amount: Insufficient balance in wallet", "narrative: Not allowed", "esc dismiss"} {
		if !strings.Contains(screen, want) {
			t.Errorf("error panel lacks %q:\n%s", want, screen)
		}
	}
	press(t, m, "esc")
	if m.errPanel != nil || strings.Contains(ansi.Strip(m.Render()), "Transfer failed") {
		t.Fatal("esc did not dismiss the panel")
	}
	if len(received[tea.KeyPressMsg](v[0])) != 0 {
		t.Fatal("the dismissing esc also reached the view")
	}
	press(t, m, "esc")
	if len(received[tea.KeyPressMsg](v[0])) != 1 {
		t.Fatal("the next esc did not reach the view")
	}
}

func TestNetworkErrorMarksOffline(t *testing.T) {
	m, _ := newRecShell(t, "")
	m.Update(ownedMsg{view: 0, msg: common.HealthMsg{OK: true, At: fixedNow.Add(-90e9)}})
	if s := ansi.Strip(m.statusBar()); !strings.Contains(s, "● connected") || !strings.Contains(s, "updated 1m ago") {
		t.Fatalf("status bar: %q", s)
	}
	m.Update(ownedMsg{view: 0, msg: common.ErrorMsg{Title: "Refresh failed", Err: &client.TransportError{Method: "GET", Path: "wallets/", Err: errors.New("connection refused")}}})
	if s := ansi.Strip(m.statusBar()); !strings.Contains(s, "✖ offline") || !strings.Contains(s, "last ok 1m ago") {
		t.Fatalf("status bar after a network error: %q", s)
	}
}

func TestStatusBar(t *testing.T) {
	tests := []struct {
		mode       common.Mode
		user, role string
		want       []string
	}{
		{common.ModeDemo, "", "", []string{"DEMO", "test", "… connecting"}},
		{common.ModeLive, "", "", []string{"LIVE", "test"}},
		{common.ModeSandbox, "wanjiku", RoleApprover, []string{"SANDBOX", "test", "wanjiku (approver)"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			m, _ := newRecShell(t, tt.role)
			m.c.Mode, m.c.User = tt.mode, tt.user
			s := ansi.Strip(m.statusBar())
			for _, w := range tt.want {
				if !strings.Contains(s, w) {
					t.Errorf("status bar %q lacks %q", s, w)
				}
			}
		})
	}
}

func TestOwnedMessagesReachHiddenOwner(t *testing.T) {
	type loaded struct{}
	m, v := newRecShell(t, "")
	v[0].onMsg = func(msg tea.Msg) tea.Cmd {
		if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "x" {
			return tea.Batch(func() tea.Msg { return loaded{} }, func() tea.Msg { return nil })
		}
		return nil
	}
	_, cmd := m.Update(keyMsg("x"))
	press(t, m, "3") // wallets is hidden when its data arrives
	drain(t, m, cmd)
	if len(received[loaded](v[0])) != 1 {
		t.Fatal("the hidden owner did not get its data")
	}
	if len(received[loaded](v[2])) != 0 {
		t.Fatal("another view got wallets' data")
	}
}

func TestBackgroundColourRebuildsTheme(t *testing.T) {
	m, _ := newRecShell(t, "")
	styles := m.c.Styles
	if !styles.IsDark {
		t.Fatal("default theme is not dark")
	}
	m.Update(tea.BackgroundColorMsg{Color: colorWhite{}})
	if m.c.Styles != styles || m.c.Styles.IsDark {
		t.Fatal("light background did not rebuild the shared theme in place")
	}
}

type colorWhite struct{}

func (colorWhite) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

func TestAllowed(t *testing.T) {
	if !allowed("", common.PermApprove) || !allowed(RoleViewer, common.PermView) {
		t.Fatal("local sessions and viewing must always be allowed")
	}
	if allowed(RoleApprover, common.Permission("launch-rockets")) {
		t.Fatal("an unknown permission must be refused")
	}
	if allowed(RoleMaker, common.PermApprove) || !allowed(RoleMaker, common.PermInitiate) {
		t.Fatal("maker: initiates, never approves")
	}
}

func TestForbiddenActionKeysAreUnbound(t *testing.T) {
	tests := []struct {
		role     string
		key      string
		wantView bool
	}{
		{"", "t", true},
		{RoleApprover, "t", true},
		{RoleViewer, "t", false},
		{RoleSupport, "t", false},
		{RoleSupport, "f", true},
		{RoleViewer, "f", false},
		{RoleViewer, "x", true}, // not an action: the view's own business
	}
	for _, tt := range tests {
		t.Run(tt.role+"/"+tt.key, func(t *testing.T) {
			m, v := newRecShell(t, tt.role)
			v[0].actions = []common.Action{
				{Title: "Move money", Key: bind("t"), Msg: actionMsg{"transfer"}, Perm: common.PermTransfer, Danger: true},
				{Title: "Fund by M-Pesa", Key: bind("f"), Msg: actionMsg{"fund"}, Perm: common.PermCollect},
			}
			v[0].help = []key.Binding{
				key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "move money")),
				key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "top up by M-Pesa")),
			}
			press(t, m, tt.key)
			if got := len(received[tea.KeyPressMsg](v[0])) == 1; got != tt.wantView {
				t.Fatalf("key reached the view = %v, want %v", got, tt.wantView)
			}
			footer := ansi.Strip(m.footer())
			if tt.key != "x" && !tt.wantView {
				if !strings.Contains(footer, "may not") {
					t.Fatalf("no refusal shown: %q", footer)
				}
				m.toasts = nil
				help := []string{"move money", "top up by M-Pesa"}[map[string]int{"t": 0, "f": 1}[tt.key]]
				if strings.Contains(ansi.Strip(m.footer()), help) {
					t.Fatalf("footer still offers %q", help)
				}
				press(t, m, "?")
				if strings.Contains(ansi.Strip(m.Render()), help) {
					t.Fatalf("help overlay still offers %q", help)
				}
			}
		})
	}
}

func TestPasteGoesWhereKeysGo(t *testing.T) {
	m, v := newRecShell(t, "")
	press(t, m, "2")
	m.Update(tea.PasteMsg{Content: "254712345678"})
	if len(received[tea.PasteMsg](v[1])) != 1 || len(received[tea.PasteMsg](v[0])) != 0 {
		t.Fatal("paste did not go to the active view only")
	}
	press(t, m, ":")
	m.Update(tea.PasteMsg{Content: "banks"})
	if sel := m.palette.selected(); sel == nil || sel.title != "Go to Banks" {
		t.Fatalf("paste did not filter the palette: %+v", sel)
	}
	press(t, m, "esc")
	m2, v2 := confirmShell(t, "", common.ConfirmMsg{Title: "Approve?", Typed: "8181", OnConfirm: yes{}})
	m2.Update(tea.PasteMsg{Content: "8181"})
	if m2.confirm.ready() || len(received[tea.PasteMsg](v2)) != 0 {
		t.Fatal("a pasted confirmation unlocked Confirm or leaked to the view")
	}
}

func TestRemoteUserWithoutRoleMayOnlyLook(t *testing.T) {
	m, v := newRecShell(t, "")
	m.c.User = "mallory"
	v[0].actions = []common.Action{
		{Title: "Look around", Msg: actionMsg{"look"}},
		{Title: "Move money", Key: bind("t"), Msg: actionMsg{"transfer"}, Perm: common.PermTransfer},
	}
	var offered []string
	for _, e := range m.paletteEntries() {
		if e.view == 0 {
			offered = append(offered, e.title)
		}
	}
	if strings.Join(offered, "|") != "Look around" {
		t.Fatalf("an SSH user without a role is offered %v", offered)
	}
	press(t, m, "t")
	if len(received[tea.KeyPressMsg](v[0])) != 0 {
		t.Fatal("an SSH user without a role reached a money-moving key")
	}
}

func TestClickOnTab(t *testing.T) {
	m, v := newRecShell(t, "")
	spans := m.tabSpans()
	m.Update(tea.MouseClickMsg{X: spans[3][0] + 1, Y: 0, Button: tea.MouseLeft})
	if m.active != 3 {
		t.Fatalf("click on the Refunds tab: active = %d", m.active)
	}
	m.Update(tea.MouseClickMsg{X: 5, Y: 5, Button: tea.MouseLeft})
	if len(received[tea.MouseClickMsg](v[3])) != 1 {
		t.Fatal("a click in the body did not reach the view")
	}
}

func TestViewsStartWhenFirstShown(t *testing.T) {
	m, v := newRecShell(t, "")
	drain(t, m, m.initViews())
	if v[0].inits != 1 || v[1].inits != 0 || v[5].inits != 0 {
		t.Fatalf("inits after start: wallets %d, collections %d, banks %d", v[0].inits, v[1].inits, v[5].inits)
	}
	press(t, m, "2", "1", "2")
	if v[1].inits != 1 || v[0].inits != 1 {
		t.Fatalf("a view started twice or not at all: wallets %d, collections %d", v[0].inits, v[1].inits)
	}
	if got := v[1].shown; len(got) != 3 || !got[0] || got[1] || !got[2] {
		t.Fatalf("collections shown calls = %v, want [true false true]", got)
	}
}

type openThing struct{ id string }

func TestGoToHandsWorkToAnotherView(t *testing.T) {
	m, v := newRecShell(t, "")
	drain(t, m, m.initViews())
	v[1].onMsg = func(msg tea.Msg) tea.Cmd {
		if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "x" {
			return common.GoTo("Refunds", openThing{"INV123"})
		}
		return nil
	}
	press(t, m, "2", "x")
	if m.active != 3 {
		t.Fatalf("active = %d, want Refunds (3)", m.active)
	}
	if v[3].inits != 1 {
		t.Fatal("the Refunds view was not started on the hand-off")
	}
	if got := received[openThing](v[3]); len(got) != 1 || got[0].id != "INV123" {
		t.Fatalf("Refunds got %v", got)
	}
	_, cmd := m.Update(ownedMsg{view: 1, msg: common.GoToMsg{Tab: "Nowhere"}})
	drain(t, m, cmd)
	if m.active != 3 || !strings.Contains(ansi.Strip(m.footer()), "No Nowhere view") {
		t.Fatalf("unknown tab: active %d, footer %q", m.active, ansi.Strip(m.footer()))
	}
}

// auditLog keeps audit events in memory (or fails): tuitest.Auditor.
type auditLog = tuitest.Auditor

func TestConfirmFourEyesAndAudit(t *testing.T) {
	approve := common.ConfirmMsg{Title: "Approve payout?", Typed: "", Perm: common.PermApprove, OnConfirm: yes{}, OnCancel: no{},
		Action: "payout.approve", Target: "KZP6Y3Q", Amount: client.MustAmount("1500"), Initiator: "wanjiru"}
	tests := []struct {
		name       string
		user       string
		fourEyes   bool
		auditFails bool
		keys       []string
		wantYes    bool
		wantOpen   bool
		wantResult string
	}{
		{"initiator refused with four-eyes", "wanjiru", true, false, nil, false, false, "refused"},
		{"initiator (any case) refused", "Wanjiru", true, false, nil, false, false, "refused"},
		{"initiator allowed without four-eyes", "wanjiru", false, false, []string{"tab", "enter"}, true, false, "requested"},
		{"another approver confirms", "otieno", true, false, []string{"tab", "enter"}, true, false, "requested"},
		{"another approver cancels", "otieno", true, false, []string{"enter"}, false, false, "cancelled"},
		{"no audit, no action", "otieno", true, true, []string{"tab", "enter"}, false, false, ""},
		// A local console on a shared store acts as its OS user@host.
		{"local initiator refused on a shared store", "local:wanjiru", true, false, nil, false, false, "refused"},
		{"another local approver confirms", "local:otieno", true, false, []string{"tab", "enter"}, true, false, "requested"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			role, user, self := RoleApprover, tt.user, ""
			if local, ok := strings.CutPrefix(tt.user, "local:"); ok {
				role, user, self = "", "", local
			}
			m, v := confirmShellAs(t, role, user, self, tt.fourEyes, approve, &auditLog{})
			log := m.c.Auditor.(*auditLog)
			if tt.auditFails {
				log.Fail = errors.New("disk full")
			}
			press(t, m, tt.keys...)
			confirmed := len(received[yes](v)) == 1
			testcheck.Expect(t, fmt.Sprintf("confirmed %v, cancels %d, dialog open %v", confirmed, len(received[no](v)), m.confirm != nil), tt.name,
				testcheck.C(fmt.Sprint("confirmed ", tt.wantYes), confirmed == tt.wantYes),
				testcheck.C("the view told it did not happen", tt.wantYes || len(received[no](v)) == 1),
				testcheck.C(fmt.Sprint("open ", tt.wantOpen), (m.confirm != nil) == tt.wantOpen))
			screen := ansi.Strip(m.Render())
			if tt.auditFails {
				testcheck.Contains(t, "explanation", screen, "audit log could not record it")
				return
			}
			last := log.Events[len(log.Events)-1]
			testcheck.Expect(t, "audit", last, testcheck.C("result "+tt.wantResult, last.Result == tt.wantResult),
				testcheck.C("payout.approve", last.Action == "payout.approve"), testcheck.C("target", last.Target == "KZP6Y3Q"),
				testcheck.C("amount", last.Amount == client.MustAmount("1500")))
			testcheck.Expect(t, "four-eyes refusal explained\n"+screen, tt.wantResult,
				testcheck.C("explained", tt.wantResult != "refused" || strings.Contains(screen, "another approver must approve it")))
		})
	}
}

func TestPrivilegedConfirmWithoutActionIsAudited(t *testing.T) {
	refund := common.ConfirmMsg{Title: "Refund KES 500.00", Danger: true, Perm: common.PermRefund, OnConfirm: yes{}, OnCancel: no{}}
	quit := common.ConfirmMsg{Title: "Quit malipo?", OnConfirm: yes{}, OnCancel: no{}}
	for _, tt := range []struct {
		name   string
		req    common.ConfirmMsg
		want   string // "" means not audited
		detail string
	}{
		{"refund", refund, "refund", "Refund KES 500.00 · confirmed"},
		{"quit is not privileged", quit, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, v := confirmShellWith(t, RoleApprover, "otieno", true, tt.req, &auditLog{})
			press(t, m, "tab", "enter")
			if len(received[yes](v)) != 1 {
				t.Fatal("not confirmed")
			}
			log := m.c.Auditor.(*auditLog)
			if tt.want == "" {
				if len(log.Events) != 0 {
					t.Fatalf("audited %+v", log.Events)
				}
				return
			}
			if len(log.Events) != 1 || log.Events[0].Action != tt.want || log.Events[0].Result != "requested" || log.Events[0].Detail != tt.detail {
				t.Fatalf("audit = %+v", log.Events)
			}
		})
	}
}

// confirmShellWith is confirmShell for a named SSH user with an auditor.
func confirmShellWith(t *testing.T, role, user string, fourEyes bool, req common.ConfirmMsg, a common.Auditor) (*Model, *recView) {
	t.Helper()
	return confirmShellAs(t, role, user, "", fourEyes, req, a)
}

// confirmShellAs is confirmShellWith for a user, or (user "") a local
// console acting as self.
func confirmShellAs(t *testing.T, role, user, self string, fourEyes bool, req common.ConfirmMsg, a common.Auditor) (*Model, *recView) {
	t.Helper()
	m, v := newRecShell(t, role)
	m.c.User, m.c.Self, m.c.FourEyes, m.c.Auditor = user, self, fourEyes, a
	v[0].onMsg = func(msg tea.Msg) tea.Cmd {
		if _, ok := msg.(actionMsg); ok {
			return common.Confirm(req)
		}
		return nil
	}
	_, cmd := m.Update(ownedMsg{view: 0, msg: actionMsg{"go"}})
	drain(t, m, cmd)
	return m, v[0]
}

// Every role refusal reaches the audit log, naming the permission: a
// forbidden action key and a confirmation the role may not open alike
// (README: "every refusal is audited"), not only four-eyes.
func TestRoleRefusalsAreAudited(t *testing.T) {
	transfer := common.Action{Title: "Move money", Key: bind("t"), Msg: actionMsg{"transfer"}, Perm: common.PermTransfer, Danger: true}
	approve := common.ConfirmMsg{Title: "Approve payout?", Perm: common.PermApprove, OnConfirm: yes{}, OnCancel: no{},
		Action: "payout.approve", Target: "KZP6Y3Q", Amount: client.MustAmount("1500")}
	refund := common.ConfirmMsg{Title: "Refund KES 500.00", Perm: common.PermRefund, OnConfirm: yes{}, OnCancel: no{}}
	tests := []struct {
		name    string
		role    string
		key     string             // pressed, with transfer among the view's actions
		confirm *common.ConfirmMsg // asked for by the view instead
		want    common.AuditEvent  // Detail: a substring
	}{
		{"viewer presses an approver's key", RoleViewer, "t", nil,
			common.AuditEvent{Action: "transfer", Result: "refused", Detail: "needs permission transfer: Move money (t)"}},
		{"maker presses it", RoleMaker, "t", nil,
			common.AuditEvent{Action: "transfer", Result: "refused", Detail: "may not move money between wallets"}},
		{"viewer asked to approve", RoleViewer, "", &approve,
			common.AuditEvent{Action: "payout.approve", Target: "KZP6Y3Q", Amount: client.MustAmount("1500"), Result: "refused", Detail: "needs permission approve: "}},
		{"viewer asked to refund (no action name)", RoleViewer, "", &refund,
			common.AuditEvent{Action: "refund", Result: "refused", Detail: "Refund KES 500.00 · needs permission refund"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &auditLog{}
			var m *Model
			if tt.confirm != nil {
				m, _ = confirmShellWith(t, tt.role, "amina", true, *tt.confirm, log)
			} else {
				var v []*recView
				m, v = newRecShell(t, tt.role)
				m.c.User, m.c.Auditor = "amina", log
				v[0].actions = []common.Action{transfer}
				press(t, m, tt.key)
				if len(received[tea.KeyPressMsg](v[0])) != 0 {
					t.Fatal("the refused key reached the view")
				}
			}
			if len(log.Events) != 1 {
				t.Fatalf("audited %+v, want one refusal", log.Events)
			}
			got := log.Events[0]
			if got.Action != tt.want.Action || got.Result != tt.want.Result || got.Target != tt.want.Target ||
				got.Amount != tt.want.Amount || !strings.Contains(got.Detail, tt.want.Detail) {
				t.Fatalf("audit = %+v, want %+v", got, tt.want)
			}
			if !strings.Contains(ansi.Strip(m.footer()), "may not") {
				t.Fatalf("the user was not told: %q", ansi.Strip(m.footer()))
			}
		})
	}
}

// A broadcast from one view reaches every other started view, hidden or
// not, and neither the sender nor a view not started yet (issue 11, 11).
func TestBroadcastReachesOtherViews(t *testing.T) {
	type news struct{}
	m, v := newRecShell(t, "")
	drain(t, m, m.initViews())
	press(t, m, "3", "2") // Wallets started and now hidden; Collections shown
	v[1].onMsg = func(msg tea.Msg) tea.Cmd {
		if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "x" {
			return common.Broadcast(news{})
		}
		return nil
	}
	press(t, m, "x")
	for i, want := range []int{1, 0, 1, 0, 0, 0} {
		if got := len(received[news](v[i])); got != want {
			t.Errorf("view %d (%s, started %v) got the broadcast %d times, want %d", i, v[i].title, m.started[i], got, want)
		}
	}
}

// TestNetworkErrorPanelInWords: the console against a port nothing listens
// on shows the failure as a sentence naming the address, not Go's
// "dial tcp …: connect: …"; the raw error stays on the panel's detail line.
func TestNetworkErrorPanelInWords(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	pub, sec := demo.Keys()
	cl, err := client.New(pub, sec, client.WithBaseURL("http://"+addr+"/api/v1/"), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.ListWallets(context.Background(), 1)
	m, _ := newRecShell(t, "")
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(ownedMsg{view: 0, msg: common.ErrorMsg{Title: "Refresh failed", Err: err}})
	screen := ansi.Strip(m.Render())
	words := "Cannot reach IntaSend at " + addr + " (connection refused)."
	for _, want := range []string{words, "detail: intasend GET wallets"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("screen lacks %q:\n%s", want, screen)
		}
	}
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "dial tcp") && !strings.Contains(l, "detail:") {
			t.Errorf("raw error outside the detail line: %q", l)
		}
	}
	if strings.Index(screen, words) > strings.Index(screen, "detail:") {
		t.Errorf("words should come before the detail:\n%s", screen)
	}
}

// digitView is a recording view that is a picker (common.DigitTaker).
type digitView struct{ *recView }

func (v *digitView) TakesDigits() bool { return true }
func (v *digitView) Update(msg tea.Msg) (common.View, tea.Cmd) {
	_, cmd := v.recView.Update(msg)
	return v, cmd
}

// TestDigitsGoToPickers: on a picker tab digits are typed, not tab
// switches; tab still leaves it, and elsewhere 1…6 still switch.
func TestDigitsGoToPickers(t *testing.T) {
	plain, picker := &recView{title: "Plain"}, &digitView{&recView{title: "Picker"}}
	c := &common.Common{Profile: "test", Now: func() time.Time { return fixedNow }}
	m := New(c, Options{Views: func(*common.Common) []common.View { return []common.View{plain, picker} }})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drain(t, m, m.Init())

	press(t, m, "2")
	if m.active != 1 {
		t.Fatalf("2 on a plain tab: active %d, want 1", m.active)
	}
	press(t, m, "1", "2")
	var typed []string
	for _, k := range received[tea.KeyPressMsg](picker.recView) {
		typed = append(typed, k.String())
	}
	if m.active != 1 || strings.Join(typed, "") != "12" {
		t.Fatalf("on the picker: active %d, typed %q; want 1 and \"12\"", m.active, typed)
	}
	press(t, m, "tab")
	if m.active != 0 {
		t.Fatalf("tab from the picker: active %d", m.active)
	}
}
