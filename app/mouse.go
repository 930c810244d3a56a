package app

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/ui/common"
)

// handleClick hit-tests the shell's own chrome: an open dialog's buttons,
// the header's tabs. A click in the body goes to the active view as a row
// of the body (common.Clickable), or as the raw message to a view that
// wants coordinates. Only the left button clicks; the palette and the help
// overlay ignore the mouse.
func (m *Model) handleClick(msg tea.MouseClickMsg) tea.Cmd {
	mouse := msg.Mouse()
	switch {
	case mouse.Button != tea.MouseLeft, m.onboarding, len(m.views) == 0:
		return nil
	case m.confirm != nil:
		return m.clickConfirm(mouse.X, mouse.Y)
	case m.palette != nil, m.showHelp:
		return nil
	case mouse.Y == 0:
		return m.clickTab(mouse.X)
	case mouse.Y == m.height-1:
		return m.clickStatus()
	}
	_, h := m.bodySize()
	y := mouse.Y - headerRows
	if y < 0 || y >= h {
		return nil
	}
	if c, ok := m.views[m.active].(common.Clickable); ok {
		return own(m.active, c.ClickRow(y))
	}
	return m.updateView(m.active, msg)
}

// clickTab opens the tab under x.
func (m *Model) clickTab(x int) tea.Cmd {
	for i, span := range m.tabSpans() {
		if x >= span[0] && x < span[1] {
			return m.switchTo(i)
		}
	}
	return nil
}

// handleWheel scrolls the active view's list by sending it the keys that
// move its cursor, so every view scrolls the way its arrows do. A field
// taking text keeps its keys (up/down would move the focus of a form), and
// overlays do not scroll what is under them.
func (m *Model) handleWheel(msg tea.MouseWheelMsg) tea.Cmd {
	if m.hasModal() || m.onboarding || len(m.views) == 0 || m.views[m.active].Capturing() {
		return nil
	}
	switch msg.Mouse().Button {
	case tea.MouseWheelUp:
		return m.updateView(m.active, tea.KeyPressMsg{Code: tea.KeyUp})
	case tea.MouseWheelDown:
		return m.updateView(m.active, tea.KeyPressMsg{Code: tea.KeyDown})
	}
	return nil
}

// hasModal reports whether a dialog, the palette or help covers the body.
func (m *Model) hasModal() bool {
	return m.confirm != nil || m.palette != nil || m.showHelp
}

// clickConfirm presses the dialog button under (x, y). Confirm still wants
// the typed value: a click on a locked Confirm only moves the focus there.
// A click anywhere else leaves the dialog as it is (a stray click must not
// answer a money-moving question).
func (m *Model) clickConfirm(x, y int) tea.Cmd {
	btn, ok := m.confirmButtonAt(x, y)
	if !ok {
		return nil
	}
	if btn == btnCancel {
		return m.closeConfirm(false)
	}
	m.confirm.focus = btnConfirm
	if !m.confirm.ready() {
		return nil
	}
	return m.closeConfirm(true)
}

// confirmButtonAt finds the button at screen cell (x, y): the dialog is
// drawn centred (overlay), and its buttons line is found in the rendered
// dialog, so the hit-test follows whatever the dialog draws.
func (m *Model) confirmButtonAt(x, y int) (int, bool) {
	s := m.c.Styles
	box := m.confirm.view(s, m.width)
	x0 := max(0, (m.width-lipgloss.Width(box))/2)
	y0 := max(0, (m.height-lipgloss.Height(box))/2)
	lines := strings.Split(box, "\n")
	row := y - y0
	if row < 0 || row >= len(lines) {
		return 0, false
	}
	cancel, confirm := m.confirm.buttonParts(s)
	cancel, confirm = ansi.Strip(cancel), ansi.Strip(confirm)
	line := ansi.Strip(lines[row])
	at := strings.Index(line, cancel+buttonGap+confirm)
	if at < 0 {
		return 0, false
	}
	col := x - x0 - ansi.StringWidth(line[:at])
	cw := ansi.StringWidth(cancel)
	switch {
	case col >= 0 && col < cw:
		return btnCancel, true
	case col >= cw+len(buttonGap) && col < cw+len(buttonGap)+ansi.StringWidth(confirm):
		return btnConfirm, true
	}
	return 0, false
}
