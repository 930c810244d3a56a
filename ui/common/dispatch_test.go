package common

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

type (
	msgA struct{}
	msgB struct{}
	msgC struct{}
)

// TestDispatch: the first handler that knows a message answers it, later
// ones are not asked; keys and pastes go to their own functions; a message
// no handler knows gets nil.
func TestDispatch(t *testing.T) {
	var asked []string
	answer := func(name string) tea.Cmd { return func() tea.Msg { return name } }
	h := func(name string, knows func(tea.Msg) bool) Handler {
		return func(msg tea.Msg) (tea.Cmd, bool) {
			asked = append(asked, name)
			if knows(msg) {
				return answer(name), true
			}
			return nil, false
		}
	}
	isA := func(m tea.Msg) bool { _, ok := m.(msgA); return ok }
	isAB := func(m tea.Msg) bool { _, a := m.(msgA); _, b := m.(msgB); return a || b }
	input := Input(func(tea.KeyPressMsg) tea.Cmd { return answer("key") }, func(tea.PasteMsg) tea.Cmd { return answer("paste") })
	tests := []struct {
		msg       tea.Msg
		want      string
		wantAsked int
	}{
		{msgA{}, "first", 1},
		{msgB{}, "second", 2},
		{tea.KeyPressMsg{Code: 'x', Text: "x"}, "key", 2},
		{tea.PasteMsg{Content: "x"}, "paste", 2},
		{msgC{}, "", 2},
	}
	for _, tt := range tests {
		asked = nil
		cmd := Dispatch(tt.msg, h("first", isA), h("second", isAB), input)
		got := ""
		if cmd != nil {
			got, _ = cmd().(string)
		}
		if got != tt.want || len(asked) != tt.wantAsked {
			t.Errorf("%T: answered by %q after asking %v, want %q after %d", tt.msg, got, asked, tt.want, tt.wantAsked)
		}
	}
}
