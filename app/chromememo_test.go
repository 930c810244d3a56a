package app

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestChromeMemoNeverStale: through tab switches, resizes, a theme change,
// the palette, help and a role's hidden keys, the kept header, rule and
// hints are exactly what drawing them afresh gives, frame after frame.
func TestChromeMemoNeverStale(t *testing.T) {
	m := loadedShell(t)
	steps := []struct {
		name string
		msg  tea.Msg
	}{
		{"Collections", keyMsg("2")},
		{"narrow", tea.WindowSizeMsg{Width: 80, Height: 24}},
		{"Payouts", keyMsg("3")},
		{"light theme", tea.BackgroundColorMsg{Color: colorWhite{}}},
		{"wide", tea.WindowSizeMsg{Width: 160, Height: 50}},
		{"help", keyMsg("?")},
		{"help closed", keyMsg("?")},
		{"palette", keyMsg(":")},
		{"palette closed", keyMsg("esc")},
		{"Wallets", keyMsg("1")},
	}
	for _, st := range steps {
		m.Update(st.msg)
		got := m.Render()
		fresh := *m
		fresh.chrome = chromeMemo{}
		if want := fresh.Render(); got != want {
			t.Fatalf("after %s the kept chrome differs from a fresh drawing:\n%s\n---- want ----\n%s", st.name, got, want)
		}
	}
}
