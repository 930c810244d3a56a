package bankpicker_test

import (
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
)

// composer is a host screen that opens the picker as a modal to fill a
// payout row's bank code.
type composer struct {
	c        *common.Common
	cache    *bankpicker.Cache // one per session, shared with the Banks tab
	picker   bankpicker.Model
	choosing bool
	bank     client.Bank
}

func (h *composer) openPicker() tea.Cmd {
	h.picker = bankpicker.New(h.c, h.cache)
	h.picker.SetSize(56, 14) // content; the host draws the box
	h.choosing = true
	return tea.Batch(h.picker.Focus(), h.picker.Load())
}

// Capturing: while the picker is open every key is part of the filter.
func (h *composer) Capturing() bool { return h.choosing }

func (h *composer) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case bankpicker.PickedMsg:
		h.bank, h.choosing = msg.Bank, false
		return nil
	case bankpicker.CancelledMsg:
		h.choosing = false
		return nil
	case bankpicker.LoadedMsg, tea.KeyPressMsg, tea.PasteMsg:
		if h.choosing {
			var cmd tea.Cmd
			h.picker, cmd = h.picker.Update(msg)
			return cmd
		}
	}
	return nil
}

func (h *composer) View() string {
	if h.choosing {
		return h.c.Styles.FocusedBox.Render(h.picker.View())
	}
	return "bank: " + h.bank.Name + " (" + h.bank.Code + ")"
}

// Example shows a payout composer embedding the picker as a modal.
func Example() {
	c := &common.Common{Styles: common.NewStyles(true)}
	h := &composer{c: c, cache: bankpicker.NewCache()}
	_ = h.openPicker()
	_ = h.Update(tea.KeyPressMsg{Code: 'e', Text: "e"})
	_ = h.View()
}
