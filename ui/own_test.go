package ui

import (
	"reflect"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/malipo/malipo/internal/tuitest"
)

type dataMsg struct{ n int }

// TestOwn: a view's results come back tagged with the view, through
// batches and sequences (whose own types Bubble Tea must still see), while
// Bubble Tea's messages pass untouched.
func TestOwn(t *testing.T) {
	data := func(n int) tea.Cmd { return func() tea.Msg { return dataMsg{n} } }
	tests := []struct {
		name string
		cmd  tea.Cmd
		want []tea.Msg // after unpacking batches and sequences
	}{
		{"plain", data(1), []tea.Msg{ownedMsg{2, dataMsg{1}}}},
		{"batch", tea.Batch(data(1), data(2)), []tea.Msg{ownedMsg{2, dataMsg{1}}, ownedMsg{2, dataMsg{2}}}},
		{"sequence", tea.Sequence(data(1), data(2)), []tea.Msg{ownedMsg{2, dataMsg{1}}, ownedMsg{2, dataMsg{2}}}},
		{"nested", tea.Batch(tea.Sequence(data(1), data(2)), data(3)), []tea.Msg{ownedMsg{2, dataMsg{1}}, ownedMsg{2, dataMsg{2}}, ownedMsg{2, dataMsg{3}}}},
		{"quit passes", tea.Quit, []tea.Msg{tea.QuitMsg{}}},
		{"nil result", func() tea.Msg { return nil }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []tea.Msg
			var run func(tea.Cmd)
			run = func(c tea.Cmd) {
				if c == nil {
					return
				}
				msg := c()
				if cmds, ok := tuitest.Cmds(msg); ok {
					for _, c := range cmds {
						run(c)
					}
					return
				}
				if msg != nil {
					got = append(got, msg)
				}
			}
			run(own(2, tt.cmd))
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("msg %d = %#v, want %#v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestOwnKeepsSequenceType: Bubble Tea runs a sequence in order only if it
// still sees its own (unexported) sequence type, so wrapping must keep it.
func TestOwnKeepsSequenceType(t *testing.T) {
	seq := tea.Sequence(func() tea.Msg { return dataMsg{1} }, func() tea.Msg { return dataMsg{2} })
	orig, wrapped := seq(), own(0, seq)()
	if got, want := typeName(wrapped), typeName(orig); got != want {
		t.Fatalf("wrapped sequence is %s, want %s", got, want)
	}
}

func typeName(v any) string { return reflect.TypeOf(v).String() }
