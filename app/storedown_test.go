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
