package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
)

// Buttons of the confirmation dialog.
const (
	btnCancel = iota
	btnConfirm
)

// confirmDialog asks before something dangerous happens. It starts on
// Cancel, so a stray or auto-repeated enter cancels (lazygit #2291, #4649);
// when the request names a Typed value, Confirm stays disabled until the
// user has typed it exactly (the amount, a batch id's last characters).
type confirmDialog struct {
	req   common.ConfirmMsg
	owner int // the view that asked, or shellOwner
	keys  ConfirmKeyMap
	focus int
	input textinput.Model
}

func newConfirm(s *common.Styles, req common.ConfirmMsg, owner int) *confirmDialog {
	d := &confirmDialog{req: req, owner: owner, keys: DefaultConfirmKeyMap(), focus: btnCancel}
	if req.Typed != "" {
		d.input = textinput.New()
		d.input.Prompt = "› "
		st := textinput.DefaultStyles(s.IsDark)
		st.Cursor.Blink = false
		d.input.SetStyles(st)
		d.input.CharLimit = len(req.Typed) + 16
		d.input.Focus()
	}
	return d
}

// ready reports whether Confirm may be pressed.
func (d *confirmDialog) ready() bool {
	return d.req.Typed == "" || d.input.Value() == d.req.Typed
}

// update handles a key; done reports that the dialog is answered and
// confirmed whether the answer is Confirm.
func (d *confirmDialog) update(msg tea.KeyPressMsg) (confirmed, done bool) {
	switch {
	case key.Matches(msg, d.keys.Cancel):
		return false, true
	case key.Matches(msg, d.keys.Choose):
		if d.focus == btnConfirm && d.ready() {
			return true, true
		}
		if d.focus == btnCancel {
			return false, true
		}
		return false, false // Confirm focused but not typed yet: nothing happens
	case key.Matches(msg, d.keys.Next, d.keys.Prev):
		d.focus = 1 - d.focus
		return false, false
	}
	if d.req.Typed != "" {
		d.input, _ = d.input.Update(msg)
	}
	return false, false
}

// view renders the dialog at most width cells wide.
func (d *confirmDialog) view(s *common.Styles, width int) string {
	box := s.Dialog
	if d.req.Danger {
		box = s.DangerBox
	}
	w := min(60, width-4)
	inner := w - box.GetHorizontalFrameSize()
	title := d.req.Title
	if d.req.Danger {
		title = common.SymWarn + " " + title
	}
	lines := []string{s.Title.Render(title)}
	if d.req.Body != "" {
		lines = append(lines, "", s.Text.Width(inner).Render(d.req.Body))
	}
	if d.req.Typed != "" {
		d.input.SetWidth(inner - 3)
		lines = append(lines, "", s.Label.Render("Type ")+s.Bold.Render(d.req.Typed)+s.Label.Render(" to confirm:"), d.input.View())
	}
	lines = append(lines, "", d.buttons(s))
	hint := "tab switches · enter presses · esc cancels"
	if !d.ready() {
		hint = "Confirm unlocks when the text matches · esc cancels"
	}
	lines = append(lines, s.Faint.Render(hint))
	return box.Width(w).Render(strings.Join(lines, "\n"))
}

// buttonGap separates the two buttons (the mouse hit-test finds them by it).
const buttonGap = "  "

// buttons draws Cancel and Confirm side by side.
func (d *confirmDialog) buttons(s *common.Styles) string {
	cancel, confirm := d.buttonParts(s)
	return cancel + buttonGap + confirm
}

// buttonParts draws Cancel and Confirm. The focused one is bracketed as
// well as coloured, so focus is visible with NO_COLOR.
func (d *confirmDialog) buttonParts(s *common.Styles) (cancel, confirm string) {
	label := func(text string, i int) string {
		if d.focus == i {
			return s.ButtonFocus.Render("[ " + text + " ]")
		}
		return s.Button.Render("  " + text + "  ")
	}
	confirm = label("Confirm", btnConfirm)
	if !d.ready() {
		confirm = s.Faint.Render("  Confirm (locked)  ")
		if d.focus == btnConfirm {
			confirm = s.Faint.Render("[ Confirm (locked) ]")
		}
	}
	return label("Cancel", btnCancel), confirm
}
