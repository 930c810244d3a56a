package app

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
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
// user has typed it: an amount in any spelling, a batch id's last
// characters exactly (see typedMatches).
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
	return typedMatches(d.req.Typed, d.input.Value())
}

// typedMatches says whether what was typed answers want. An amount (want
// as client.Amount.String writes it) matches any spelling of the same
// cents, parsed with the client's own parser, so "4300" is not refused
// for lacking ",00"; an id suffix or other text must match exactly ("8181"
// is not "8,181").
func typedMatches(want, got string) bool {
	if want == "" || got == want {
		return true
	}
	a, err := client.ParseAmount(want)
	if err != nil || a.String() != want {
		return false
	}
	b, err := client.ParseAmount(strings.TrimSpace(got))
	return err == nil && a == b
}

// labels are the buttons' names: the request's, else Confirm and Cancel.
func (d *confirmDialog) labels() (confirm, cancel string) {
	confirm, cancel = d.req.ConfirmLabel, d.req.CancelLabel
	if confirm == "" {
		confirm = "Confirm"
	}
	if cancel == "" {
		cancel = "Cancel"
	}
	return confirm, cancel
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
		confirm, _ := d.labels()
		hint = confirm + " unlocks when the text matches · esc cancels"
	}
	lines = append(lines, s.Faint.Render(hint))
	return box.Width(w).Render(strings.Join(lines, "\n"))
}

// buttonGap separates the two buttons (the mouse hit-test finds them by it).
const buttonGap = "  "

// buttons draws Cancel and Confirm (or the request's names for them) side
// by side.
func (d *confirmDialog) buttons(s *common.Styles) string {
	cancel, confirm := d.buttonParts(s)
	return cancel + buttonGap + confirm
}

// buttonParts draws Cancel and Confirm (or the request's names for them).
// The focused one is bracketed as well as coloured, so focus is visible
// with NO_COLOR.
func (d *confirmDialog) buttonParts(s *common.Styles) (cancel, confirm string) {
	label := func(text string, i int) string {
		if d.focus == i {
			return s.ButtonFocus.Render("[ " + text + " ]")
		}
		return s.Button.Render("  " + text + "  ")
	}
	yes, no := d.labels()
	confirm = label(yes, btnConfirm)
	if !d.ready() {
		confirm = s.Faint.Render("  " + yes + " (locked)  ")
		if d.focus == btnConfirm {
			confirm = s.Faint.Render("[ " + yes + " (locked) ]")
		}
	}
	return label(no, btnCancel), confirm
}
