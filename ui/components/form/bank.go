package form

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/components/bankpicker"
)

// opensPicker: on a bank-code field a letter searches the banks by name
// (digits type a code); ctrl+b opens the list with an empty filter.
func opensPicker(k tea.KeyPressMsg) bool {
	if k.String() == "ctrl+b" {
		return true
	}
	t := k.Text
	return len(t) == 1 && (t[0] >= 'a' && t[0] <= 'z' || t[0] >= 'A' && t[0] <= 'Z')
}

// openPicker opens the bank picker over the form for fl, the letter typed
// as the start of its filter.
func (f *Form) openPicker(fl *Field, k tea.KeyPressMsg) tea.Cmd {
	p := fl.picker()
	cmds := []tea.Cmd{p.Focus(), p.Load()}
	if k.String() != "ctrl+b" {
		var cmd tea.Cmd
		p, cmd = p.Update(k)
		cmds = append(cmds, cmd)
	}
	f.picker = &p
	return tea.Batch(cmds...)
}

// Picking reports whether the bank picker is open over the form: the host
// routes every key and bankpicker message to Update meanwhile.
func (f *Form) Picking() bool { return f != nil && f.picker != nil }

// PickerHelp is the open picker's key help (nil when none is open).
func (f *Form) PickerHelp() []key.Binding {
	if f.picker == nil {
		return nil
	}
	return f.picker.ShortHelp()
}

// updatePicker routes a message to the open picker. A bank picked fills
// the focused field and moves on; esc goes back to the form unchanged.
func (f *Form) updatePicker(msg tea.Msg) (Event, tea.Cmd) {
	switch msg := msg.(type) {
	case bankpicker.PickedMsg:
		f.picker = nil
		cur := f.Current()
		cur.SetValue(msg.Bank.Code)
		cur.Touched = true
		f.Check()
		return Edited, f.Focus(f.focus + 1)
	case bankpicker.CancelledMsg:
		f.picker = nil
		return Nothing, nil
	}
	p, cmd := f.picker.Update(msg)
	f.picker = &p
	return Nothing, cmd
}
