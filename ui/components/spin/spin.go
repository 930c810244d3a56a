// Package spin is the screens' busy spinner: a bubbles spinner whose frames
// come from the screen's own scheduler (Common.After, or a test's), not from
// the spinner's private tea.Tick, so tests step it like every other timer;
// it runs only while the screen says it is busy and then stops by itself.
package spin

import (
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/malipo/malipo/ui/common"
)

// Model is the spinner and whether its clock is running. Embedding the
// bubbles model keeps View() as it was.
type Model struct {
	spinner.Model
	running bool
}

// New is the console's spinner (one dot: it sits inside text lines) in
// style (the screens use Styles.Pending).
func New(style lipgloss.Style) Model {
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot))
	sp.Style = style
	return Model{Model: sp}
}

// Running says whether a frame is scheduled.
func (s *Model) Running() bool { return s.running }

// Start schedules the first frame unless the clock already runs; tick is
// the screen's own message, so the frame comes back to that screen.
func (s *Model) Start(sched common.Scheduler, tick tea.Msg) tea.Cmd {
	if s.running {
		return nil
	}
	s.running = true
	return sched(s.Spinner.FPS, tick)
}

// Tick is the screen's answer to its tick message: one frame on and the
// next scheduled while busy; otherwise the clock stops (Start restarts it).
func (s *Model) Tick(busy bool, sched common.Scheduler, tick tea.Msg) tea.Cmd {
	if !busy {
		s.running = false
		return nil
	}
	s.Model, _ = s.Update(spinner.TickMsg{ID: s.ID()})
	return sched(s.Spinner.FPS, tick)
}
