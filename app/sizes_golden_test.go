package app

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// TestSizesGolden draws every tab of the real console (views -> client ->
// simulator on a fixed clock) at the three sizes the design targets, each
// also as a NO_COLOR terminal gets it (escapes kept: bold, reverse and
// underline are what is left to tell states apart). Each frame must fill
// the terminal exactly. `go test ./app -run SizesGolden -update` rewrites
// testdata/sizes-*.golden after a deliberate change; read them after.
func TestSizesGolden(t *testing.T) {
	// What each tab shows once its data has loaded: the frame is settled
	// then (the simulator's clock does not move and timers are dropped).
	tabs := []struct {
		key, name string
		want      []string
	}{
		{"1", "wallets", []string{"Total", "in ▲"}},
		{"2", "collections", []string{"COMPLETE"}},
		{"3", "payouts", []string{"Payouts"}},
		{"4", "refunds", []string{"Refunds"}},
		{"5", "subscriptions", []string{"Plans"}},
		{"6", "banks", []string{"Equity Bank"}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {160, 50}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			m := sizedShell(t, w, h)
			for _, tab := range tabs {
				drain(t, m, pressCmd(m, tab.key))
				frame := m.Render()
				plain := ansi.Strip(frame)
				tuitest.MustContain(t, plain, tab.want...)
				checkFrame(t, plain, w, h)
				name := fmt.Sprintf("sizes-%s_%dx%d", tab.name, w, h)
				tuitest.Golden(t, name, tuitest.Strip(frame))
				tuitest.Golden(t, name+"-nocolor", tuitest.NoColor(t, frame))
			}
		})
	}
}

// sizedShell is the console over a seeded simulator at w×h, every view's
// first load done.
func sizedShell(t *testing.T, w, h int) *Model {
	t.Helper()
	_, cl := newSim(t)
	c := &common.Common{Client: cl, Profile: "default", Mode: common.ModeSandbox, Now: func() time.Time { return fixedNow }}
	m := New(c, Options{})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drain(t, m, m.Init())
	return m
}

// pressCmd sends one key and returns the command it led to, for drain.
func pressCmd(m *Model, k string) tea.Cmd {
	_, cmd := m.Update(keyMsg(k))
	return cmd
}
