package spin

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

type tick struct{}

// TestRunsWhileBusy: Start schedules one frame and no second clock; Tick
// moves the frame on and re-arms while busy, and stops when not; Start
// then starts it again.
func TestRunsWhileBusy(t *testing.T) {
	var asked []time.Duration
	sched := func(d time.Duration, msg tea.Msg) tea.Cmd {
		if _, ok := msg.(tick); !ok {
			t.Fatalf("scheduled %T, want the screen's tick", msg)
		}
		asked = append(asked, d)
		return func() tea.Msg { return msg }
	}
	s := New(lipgloss.NewStyle())
	if s.Start(sched, tick{}) == nil || !s.Running() {
		t.Fatal("Start did not schedule a frame")
	}
	if s.Start(sched, tick{}) != nil {
		t.Fatal("a second Start scheduled a second clock")
	}
	first := s.View()
	if s.Tick(true, sched, tick{}) == nil || s.View() == first {
		t.Fatalf("a busy Tick did not move the frame on (%q) and re-arm", s.View())
	}
	if s.Tick(false, sched, tick{}) != nil || s.Running() {
		t.Fatal("an idle Tick kept the clock running")
	}
	if s.Start(sched, tick{}) == nil {
		t.Fatal("Start after a stop did not restart the clock")
	}
	if len(asked) != 3 || asked[0] != s.Spinner.FPS {
		t.Fatalf("scheduled %v, want 3 frames of %v", asked, s.Spinner.FPS)
	}
}
