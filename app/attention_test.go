package app

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/ui/common"
)

// TestAttentionBadge: a view's count of things needing a person shows in
// the status bar in words; a click on the status bar opens that view with
// the view's own message; a count of 0 takes the badge away.
func TestAttentionBadge(t *testing.T) {
	type openQueue struct{}
	m, v := newRecShell(t, "")
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if s := ansi.Strip(m.statusBar()); strings.Contains(s, "attention") {
		t.Fatalf("badge with nothing to attend: %q", s)
	}
	m.Update(ownedMsg{view: 2, msg: common.AttentionMsg{Count: 3, Open: openQueue{}}})
	if s := ansi.Strip(m.statusBar()); !strings.Contains(s, "⚠ 3 need attention") || !strings.Contains(s, "connecting") {
		t.Fatalf("status bar: %q", s)
	}
	_, cmd := m.Update(tea.MouseClickMsg{X: 100, Y: 39, Button: tea.MouseLeft})
	drain(t, m, cmd)
	if m.active != 2 || len(received[openQueue](v[2])) != 1 {
		t.Fatalf("click: active %d, view got %d open messages", m.active, len(received[openQueue](v[2])))
	}
	m.Update(ownedMsg{view: 2, msg: common.AttentionMsg{Count: 0, Open: openQueue{}}})
	if s := ansi.Strip(m.statusBar()); strings.Contains(s, "attention") {
		t.Fatalf("badge after the count fell to 0: %q", s)
	}
}
