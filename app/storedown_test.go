package app

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/ui/common"
)

// TestStoreDownBadge: serve's word that the shared store is down puts the
// badge in the status bar and reaches every view (Payouts pauses money
// moves); the word that it answers again takes the badge away.
func TestStoreDownBadge(t *testing.T) {
	m, v := newRecShell(t, "")
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if s := ansi.Strip(m.statusBar()); strings.Contains(s, "store") {
		t.Fatalf("badge while the store answers: %q", s)
	}
	down := common.StoreHealth(errors.New("store postgres://db/malipo: connection refused"))
	m.Update(down)
	if s := ansi.Strip(m.statusBar()); !strings.Contains(s, common.SymFailed+" "+common.StoreDownText) || !strings.Contains(s, "connecting") {
		t.Fatalf("status bar with the store down: %q", s)
	}
	for i := range v {
		if got := received[common.StoreMsg](v[i]); len(got) != 1 || !got[0].Down {
			t.Fatalf("view %d got %+v", i, got)
		}
	}
	m.Update(common.StoreHealth(nil))
	if s := ansi.Strip(m.statusBar()); strings.Contains(s, "store") {
		t.Fatalf("badge after the store answered: %q", s)
	}
}

// TestStatusBarShortOfRoom: at 80 columns an SSH user with both badges
// showing keeps the mode, profile and user whole; the refresh age is what
// goes (it used to push the left side out and cut "updated …" mid-word).
func TestStatusBarShortOfRoom(t *testing.T) {
	for _, tc := range []struct {
		width      int
		down       bool
		attention  int
		wantUpdate bool
	}{
		{width: 160, down: true, attention: 3, wantUpdate: true},
		{width: 80, down: false, attention: 0, wantUpdate: true},
		{width: 80, down: true, attention: 3, wantUpdate: false},
	} {
		m, _ := newRecShell(t, "approver")
		m.c.User = "wanjiru"
		m.Update(tea.WindowSizeMsg{Width: tc.width, Height: 24})
		m.Update(common.HealthMsg{OK: true, At: fixedNow})
		if tc.down {
			m.Update(common.StoreHealth(errors.New("connection refused")))
		}
		if tc.attention > 0 {
			m.attention.set(2, common.AttentionMsg{Count: tc.attention})
		}
		s := ansi.Strip(m.statusBar())
		wants := []string{"SANDBOX", "test · wanjiru (approver)", "connected"}
		if tc.down {
			wants = append(wants, common.SymFailed+" store down")
		}
		if tc.attention > 0 {
			wants = append(wants, "⚠ 3")
		}
		for _, want := range wants {
			if !strings.Contains(s, want) {
				t.Errorf("%d cols, down=%v: %q lacks %q", tc.width, tc.down, s, want)
			}
		}
		if got := strings.Contains(s, "updated"); got != tc.wantUpdate {
			t.Errorf("%d cols, down=%v: %q shows the refresh age: %v, want %v", tc.width, tc.down, s, got, tc.wantUpdate)
		}
		if w := ansi.StringWidth(s); w != tc.width {
			t.Errorf("%d cols: bar is %d wide", tc.width, w)
		}
	}
}
