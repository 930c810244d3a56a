package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/demo"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// TestAlarmBadge: a view's alarm shows in the status bar on every tab, in
// its short form when the bar is short of room (an SSH user, the store
// down and something needing attention at 80 columns) with the mode,
// profile and user kept whole; a click on the bar goes to the alarm's view
// when nothing needs attention; an empty alarm takes the badge away.
func TestAlarmBadge(t *testing.T) {
	alarm := common.AlarmMsg{Text: "▼ 30% of last 20 paid", Short: "▼ 30%"}
	for _, tc := range []struct {
		width     int
		crowded   bool
		want, not string
	}{
		{width: 120, want: alarm.Text},
		{width: 160, crowded: true, want: alarm.Text},
		{width: 80, crowded: true, want: alarm.Short, not: alarm.Text},
	} {
		t.Run(fmt.Sprintf("%d-%v", tc.width, tc.crowded), func(t *testing.T) {
			m, _ := newRecShell(t, "approver")
			m.c.User = "wanjiru"
			m.Update(tea.WindowSizeMsg{Width: tc.width, Height: 24})
			m.Update(common.HealthMsg{OK: true, At: fixedNow})
			m.Update(ownedMsg{view: 0, msg: alarm})
			if tc.crowded {
				m.Update(common.StoreHealth(errors.New("connection refused")))
				m.attention.set(2, common.AttentionMsg{Count: 3})
			}
			for _, tab := range []string{"1", "4", "7"} {
				press(t, m, tab)
				s := ansi.Strip(m.statusBar())
				if !strings.Contains(s, tc.want) || tc.not != "" && strings.Contains(s, tc.not) ||
					!strings.Contains(s, "SANDBOX  test · wanjiru (approver)") || !strings.Contains(s, "connected") {
					t.Errorf("tab %s: %q", tab, s)
				}
				if w := ansi.StringWidth(s); w != tc.width {
					t.Errorf("bar is %d wide", w)
				}
			}
		})
	}

	m, _ := newRecShell(t, "")
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(ownedMsg{view: 0, msg: alarm})
	press(t, m, "5")
	_, cmd := m.Update(tea.MouseClickMsg{X: 60, Y: 39, Button: tea.MouseLeft})
	drain(t, m, cmd)
	if m.active != 0 {
		t.Errorf("a click on the alarm opened view %d", m.active)
	}
	m.Update(ownedMsg{view: 0, msg: common.AlarmMsg{}})
	if s := ansi.Strip(m.statusBar()); strings.Contains(s, "▼") {
		t.Errorf("badge after the alarm went: %q", s)
	}
}

// TestAlarmGolden: the most recent payments failed (wrong PINs, no
// funds): Wallets' pulse shows the banner, and the status bar carries the
// badge to the other tabs, without colour too. The real console on the
// simulator; the failures are real STK pushes to its failing numbers.
func TestAlarmGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			s := tuitest.NewSim(t, fixedNow, tuitest.WithOptions(*testSimOptions()), tuitest.WithKeys(demo.Keys()))
			for i := range 14 {
				phone := []string{"254700000001", "254700000002", "254700000004"}[i%3]
				if _, err := s.Client.STKPush(t.Context(), client.STKPushRequest{Phone: client.Phone(phone), Amount: client.Units(100)}); err != nil {
					t.Fatal(err)
				}
			}
			s.Advance(2 * time.Minute)
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			c := &common.Common{Client: s.Client, Profile: "default", Mode: common.ModeSandbox, Ctx: ctx, Now: s.Clock.Now}
			r := &runner{tb: t, m: New(c, Options{}), ctx: ctx, msgs: make(chan tea.Msg, 256)}
			r.m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			r.spawn(r.m.Init())

			for _, tab := range []struct{ key, name, want string }{
				{"1", "wallets", "Something is wrong"},
				{"2", "collections", "COMPLETE"},
			} {
				_, cmd := r.m.Update(keyMsg(tab.key))
				r.spawn(cmd)
				frame := r.settle(tab.want, "▼", "% of last 20 paid")
				checkFrame(t, ansi.Strip(frame), w, h)
				name := fmt.Sprintf("alarm-%s_%dx%d", tab.name, w, h)
				tuitest.Golden(t, name, tuitest.Strip(frame))
				tuitest.Golden(t, name+"-nocolor", tuitest.NoColor(t, frame))
			}
		})
	}
}

// TestAlarmUnreachableOnce: while the status bar's own health says
// offline, the pulse's "IntaSend not answering" is the same news: one
// badge. When the shell's health has not seen the outage, the alarm shows.
func TestAlarmUnreachableOnce(t *testing.T) {
	down := common.AlarmMsg{Text: "✖ IntaSend not answering", Short: "✖ IntaSend", Unreachable: true}
	for _, tc := range []struct {
		name       string
		healthOK   bool
		wantBadges int
	}{
		{"health offline", false, 1},
		{"health connected", true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newRecShell(t, "")
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
			m.Update(common.HealthMsg{OK: tc.healthOK, At: fixedNow})
			m.Update(ownedMsg{view: 0, msg: down})
			s := ansi.Strip(m.statusBar())
			if got := strings.Count(s, "✖") + strings.Count(s, "●"); got != tc.wantBadges {
				t.Errorf("%d health/alarm badges, want %d: %q", got, tc.wantBadges, s)
			}
			if tc.healthOK != strings.Contains(s, "not answering") {
				t.Errorf("alarm shown = %v with health ok = %v: %q", !tc.healthOK, tc.healthOK, s)
			}
		})
	}
}
