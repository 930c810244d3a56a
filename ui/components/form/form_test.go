package form

import (
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
)

func press(code rune, mod tea.KeyMod) tea.KeyPressMsg {
	return tea.KeyPressMsg(tea.Key{Code: code, Mod: mod})
}

func TestNav(t *testing.T) {
	keys := Keys{
		Cancel: key.NewBinding(key.WithKeys("esc")),
		Submit: key.NewBinding(key.WithKeys("enter")),
		Next:   key.NewBinding(key.WithKeys("tab", "down")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up")),
	}
	for _, tc := range []struct {
		name      string
		k         tea.KeyPressMsg
		focus, n  int
		act       Action
		wantFocus int
	}{
		{"esc cancels", press(tea.KeyEscape, 0), 1, 3, Cancel, 1},
		{"enter moves on", press(tea.KeyEnter, 0), 0, 3, Move, 1},
		{"enter on last submits", press(tea.KeyEnter, 0), 2, 3, Submit, 2},
		{"tab cycles to first", press(tea.KeyTab, 0), 2, 3, Move, 0},
		{"down moves", press(tea.KeyDown, 0), 0, 3, Move, 1},
		{"shift+tab cycles to last", press(tea.KeyTab, tea.ModShift), 0, 3, Move, 2},
		{"up moves back", press(tea.KeyUp, 0), 2, 3, Move, 1},
		{"typing is the field's", press('a', 0), 1, 3, None, 1},
		{"no fields", press(tea.KeyTab, 0), 0, 0, None, 0},
	} {
		act, focus := Nav(keys, tc.k, tc.focus, tc.n)
		if act != tc.act || focus != tc.wantFocus {
			t.Errorf("%s: Nav = %v, %d; want %v, %d", tc.name, act, focus, tc.act, tc.wantFocus)
		}
	}
}

func TestNewInput(t *testing.T) {
	for _, dark := range []bool{true, false} {
		st := common.NewStyles(dark)
		in := NewInput(st, "/ ", "filter", 12)
		if in.Prompt != "/ " || in.Placeholder != "filter" || in.CharLimit != 12 {
			t.Fatalf("dark=%v: prompt %q placeholder %q limit %d", dark, in.Prompt, in.Placeholder, in.CharLimit)
		}
		if in.Styles().Cursor.Blink {
			t.Errorf("dark=%v: the cursor blinks (a redraw twice a second)", dark)
		}
		in.Focus()
		in.SetValue("abcdefghijklmnopqrstuvwxyz")
		if got := in.Value(); got != "abcdefghijkl" {
			t.Errorf("dark=%v: value %q, want the first 12 characters", dark, got)
		}
	}
}
