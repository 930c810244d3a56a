package app

import (
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// clickView is a recording view with a list: it implements the optional
// Clickable and Copier interfaces the shell looks for.
type clickView struct {
	*recView
	clicks []int
	copy   [2]string // label, text
}

func (v *clickView) ClickRow(y int) tea.Cmd     { v.clicks = append(v.clicks, y); return nil }
func (v *clickView) CopyText() (string, string) { return v.copy[0], v.copy[1] }
func (v *clickView) Update(msg tea.Msg) (common.View, tea.Cmd) {
	_, cmd := v.recView.Update(msg)
	return v, cmd
}

// newClickShell is newRecShell whose first view is a clickView.
func newClickShell(t *testing.T, opts Options) (*Model, *clickView) {
	t.Helper()
	cv := &clickView{recView: &recView{title: "Wallets"}}
	opts.Views = func(*common.Common) []common.View {
		out := []common.View{cv}
		names := tabNames()
		for _, n := range names[1:] {
			out = append(out, &recView{title: n})
		}
		return out
	}
	m := New(&common.Common{Profile: "test", Mode: common.ModeSandbox, Now: func() time.Time { return fixedNow }}, opts)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return m, cv
}

// shellSaw returns the messages of Bubble Tea's unexported type name (or
// of T's name) that came back through the shell to the view: what the
// program would have sent to the terminal (clipboard, raw bytes).
func shellSaw(v *recView, typeName string) []tea.Msg {
	var out []tea.Msg
	for _, msg := range v.got {
		if reflect.TypeOf(msg).Name() == typeName {
			out = append(out, msg)
		}
	}
	return out
}

func TestMouseOnUnlessNoMouse(t *testing.T) {
	for _, tt := range []struct {
		name    string
		noMouse bool
		want    tea.MouseMode
	}{
		{"on by default (locally and over SSH)", false, tea.MouseModeCellMotion},
		{"--no-mouse leaves it to the terminal", true, tea.MouseModeNone},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newClickShell(t, Options{NoMouse: tt.noMouse})
			if got := m.View().MouseMode; got != tt.want {
				t.Fatalf("MouseMode = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClickInBodyIsARow(t *testing.T) {
	tests := []struct {
		name   string
		click  tea.MouseClickMsg
		help   bool
		want   []int
		active int
	}{
		{"first body line is row 0", tea.MouseClickMsg{X: 10, Y: headerRows, Button: tea.MouseLeft}, false, []int{0}, 0},
		{"a row further down", tea.MouseClickMsg{X: 3, Y: headerRows + 7, Button: tea.MouseLeft}, false, []int{7}, 0},
		{"the rule under the tabs is not the body", tea.MouseClickMsg{X: 3, Y: 1, Button: tea.MouseLeft}, false, nil, 0},
		{"the status bar is not the body", tea.MouseClickMsg{X: 3, Y: 23, Button: tea.MouseLeft}, false, nil, 0},
		{"right button does nothing", tea.MouseClickMsg{X: 3, Y: headerRows + 2, Button: tea.MouseRight}, false, nil, 0},
		{"help overlay takes no clicks", tea.MouseClickMsg{X: 3, Y: headerRows + 2, Button: tea.MouseLeft}, true, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, cv := newClickShell(t, Options{})
			m.showHelp = tt.help
			drain(t, m, func() tea.Cmd { _, c := m.Update(tt.click); return c }())
			if !reflect.DeepEqual(cv.clicks, tt.want) {
				t.Fatalf("ClickRow got %v, want %v", cv.clicks, tt.want)
			}
			if m.active != tt.active {
				t.Fatalf("active = %d", m.active)
			}
		})
	}
}

func TestWheelScrollsTheActiveView(t *testing.T) {
	tests := []struct {
		name      string
		button    tea.MouseButton
		capturing bool
		palette   bool
		want      string
	}{
		{"wheel down moves down", tea.MouseWheelDown, false, false, "down"},
		{"wheel up moves up", tea.MouseWheelUp, false, false, "up"},
		{"a field taking text keeps its keys", tea.MouseWheelDown, true, false, ""},
		{"the palette does not scroll what is under it", tea.MouseWheelDown, false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, v := newRecShell(t, "")
			v[0].capturing = tt.capturing
			if tt.palette {
				press(t, m, ":")
			}
			m.Update(tea.MouseWheelMsg{X: 5, Y: 8, Button: tt.button})
			var got []string
			for _, k := range received[tea.KeyPressMsg](v[0]) {
				got = append(got, k.String())
			}
			if strings.Join(got, ",") != tt.want {
				t.Fatalf("view got keys %v, want %q", got, tt.want)
			}
		})
	}
}

// buttonCell finds a button's label on the rendered screen, as a user
// would see it, independently of the shell's own hit-testing.
func buttonCell(t *testing.T, m *Model, label string) (x, y int) {
	t.Helper()
	for y, line := range strings.Split(ansi.Strip(m.Render()), "\n") {
		if i := strings.Index(line, label); i >= 0 {
			return ansi.StringWidth(line[:i]) + 1, y
		}
	}
	t.Fatalf("no %q on screen:\n%s", label, ansi.Strip(m.Render()))
	return 0, 0
}

func TestClickConfirmButtons(t *testing.T) {
	tests := []struct {
		name  string
		typed string
		text  string // typed before the click
		click string // a label on screen, or "" for a click on the dialog's title
		want  string // "yes", "no", "open"
	}{
		{"click Cancel cancels", "", "", "Cancel", "no"},
		{"click Confirm confirms", "", "", "Confirm", "yes"},
		{"a click elsewhere answers nothing", "", "", "Move money?", "open"},
		{"typed: a locked Confirm stays locked", "1,500.00", "", "Confirm (locked)", "open"},
		{"typed: once typed, a click confirms", "1,500.00", "1,500.00", "Confirm", "yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, v := confirmShell(t, "", common.ConfirmMsg{Title: "Move money?", Body: "KES 1,500.00 from Payroll to Reserve",
				Typed: tt.typed, Danger: true, Perm: common.PermTransfer, OnConfirm: yes{}, OnCancel: no{}})
			typeText(t, m, tt.text)
			x, y := buttonCell(t, m, tt.click)
			_, cmd := m.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
			drain(t, m, cmd)
			got := "open"
			switch {
			case len(received[yes](v)) == 1:
				got = "yes"
			case len(received[no](v)) == 1:
				got = "no"
			case m.confirm == nil:
				got = "closed without an answer"
			}
			if got != tt.want {
				t.Fatalf("after clicking %q: %s, want %s", tt.click, got, tt.want)
			}
		})
	}
}

func TestCopyIDUnderCursor(t *testing.T) {
	tests := []struct {
		name      string
		copy      [2]string
		wantClip  string
		wantToast string
		wantKey   bool // y reached the view (its own binding)
	}{
		{"an invoice id", [2]string{"invoice", "INV123"}, "INV123", "copied invoice INV123", false},
		{"a tracking id", [2]string{"tracking id", "TRK9"}, "TRK9", "copied tracking id TRK9", false},
		{"nothing to copy: the view's own y", [2]string{"", ""}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, cv := newClickShell(t, Options{})
			cv.copy = tt.copy
			press(t, m, "y")
			clip := ""
			if got := shellSaw(cv.recView, "setClipboardMsg"); len(got) == 1 {
				clip = reflect.ValueOf(got[0]).String()
			}
			if clip != tt.wantClip {
				t.Fatalf("clipboard = %q, want %q", clip, tt.wantClip)
			}
			if screen := ansi.Strip(m.Render()); tt.wantToast != "" && !strings.Contains(screen, tt.wantToast) {
				t.Fatalf("no toast %q:\n%s", tt.wantToast, screen)
			}
			gotKey := len(received[tea.KeyPressMsg](cv.recView)) == 1
			if gotKey != tt.wantKey {
				t.Fatalf("y reached the view: %v, want %v", gotKey, tt.wantKey)
			}
		})
	}
}

func TestNotifications(t *testing.T) {
	kes := client.MustAmount
	tests := []struct {
		name      string
		above     client.Amount
		msg       tea.Msg
		wantToast string // "" means no bell and no toast
	}{
		{"a payment above the threshold rings", kes("10,000"), common.PaymentReceivedMsg{Invoice: "INV1", Amount: kes("12,500"), Currency: "KES", Account: "254712345678"},
			"Payment received: KES 12,500.00 · INV1 from 254712345678"},
		{"exactly the threshold rings", kes("10,000"), common.PaymentReceivedMsg{Invoice: "INV2", Amount: kes("10,000"), Currency: "KES"}, "Payment received: KES 10,000.00 · INV2"},
		{"a cent below does not", kes("10,000"), common.PaymentReceivedMsg{Invoice: "INV3", Amount: kes("9,999.99"), Currency: "KES"}, ""},
		{"0 turns payments off", 0, common.PaymentReceivedMsg{Invoice: "INV4", Amount: kes("1,000,000"), Currency: "KES"}, ""},
		{"another currency is not compared with KES", kes("10,000"), common.PaymentReceivedMsg{Invoice: "INV5", Amount: kes("50,000"), Currency: "USD"}, ""},
		{"a failed payout row always rings", 0, common.PayoutFailedMsg{Tracking: "TRK1", Account: "254700000001", Amount: kes("500"), Reason: "Invalid account"},
			"Payout failed: TRK1 · KES 500.00 to 254700000001 · Invalid account"},
		{"a failed batch rings", kes("10,000"), common.PayoutFailedMsg{Tracking: "TRK2", Rows: 3, Reason: "Insufficient float"}, "Payout failed: TRK2 · 3 row(s) · Insufficient float"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, cv := newClickShell(t, Options{NotifyAbove: tt.above})
			m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
			// The message comes from a view's command, as collections and
			// payouts send it.
			drain(t, m, func() tea.Msg { return ownedMsg{view: 2, msg: tt.msg} })
			bells := 0
			for _, r := range received[tea.RawMsg](cv.recView) {
				if r.Msg == bel {
					bells++
				}
			}
			screen := ansi.Strip(m.Render())
			if tt.wantToast == "" {
				if bells != 0 || len(m.toasts) != 0 {
					t.Fatalf("rang %d times, toasts %v; want silence", bells, m.toasts)
				}
				return
			}
			if bells != 1 || !strings.Contains(screen, tt.wantToast) {
				t.Fatalf("rang %d times (want 1); screen lacks %q:\n%s", bells, tt.wantToast, screen)
			}
		})
	}
}
