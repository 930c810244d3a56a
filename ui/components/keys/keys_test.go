package keys

import (
	"slices"
	"testing"

	"charm.land/bubbles/v2/key"
)

func TestBindings(t *testing.T) {
	nav, form, box := NewNav(), NewForm(), NewFilterBox()
	tests := []struct {
		name       string
		b          key.Binding
		keys       []string
		help, desc string
	}{
		{"up", nav.Up, []string{"up", "k"}, "↑/k", "up"},
		{"down", nav.Down, []string{"down", "j"}, "↓/j", "down"},
		{"page up", nav.PageUp, []string{"pgup", "ctrl+u"}, "pgup", "page up"},
		{"page down", nav.PageDown, []string{"pgdown", "ctrl+d"}, "pgdn", "page down"},
		{"home", nav.Home, []string{"home", "g"}, "home/g", "first"},
		{"end", nav.End, []string{"end", "G"}, "end/G", "last"},
		{"open", nav.Open, []string{"enter"}, "enter", "open"},
		{"back", nav.Back, []string{"esc"}, "esc", "back"},
		{"filter", nav.Filter, []string{"/"}, "/", "filter"},
		{"refresh", nav.Refresh, []string{"r"}, "r", "refresh"},
		{"next field", form.NextField, []string{"tab", "down"}, "tab/↓", "next field"},
		{"previous field", form.PrevField, []string{"shift+tab", "up"}, "⇧tab/↑", "previous field"},
		{"choose", form.Choose, []string{"left", "right"}, "←/→", "choose"},
		{"submit", form.Submit, []string{"enter"}, "enter", "next / submit"},
		{"cancel", form.Cancel, []string{"esc"}, "esc", "cancel"},
		{"keep filter", box.KeepFilter, []string{"enter"}, "enter", "keep filter"},
		{"clear filter", box.ClearFilter, []string{"esc"}, "esc", "clear filter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.b.Keys(), tt.keys) {
				t.Errorf("keys = %q, want %q", tt.b.Keys(), tt.keys)
			}
			if h := tt.b.Help(); h.Key != tt.help || h.Desc != tt.desc {
				t.Errorf("help = %q %q, want %q %q", h.Key, h.Desc, tt.help, tt.desc)
			}
			if !tt.b.Enabled() {
				t.Error("binding starts disabled")
			}
		})
	}
}

// Each constructor call is a fresh value: disabling or re-labelling a key in
// one view must not reach another view's copy.
func TestConstructorsShareNothing(t *testing.T) {
	a, b := NewNav(), NewNav()
	a.Refresh.SetEnabled(false)
	a.Open.SetHelp("enter", "invoice detail")
	if !b.Refresh.Enabled() {
		t.Error("disabling one Nav's Refresh disabled another's")
	}
	if got := b.Open.Help().Desc; got != "open" {
		t.Errorf("re-labelling one Nav's Open changed another's to %q", got)
	}
	f1, f2 := NewForm(), NewForm()
	f1.Choose.SetKeys("h", "l")
	if !slices.Equal(f2.Choose.Keys(), []string{"left", "right"}) {
		t.Errorf("re-keying one Form's Choose changed another's to %q", f2.Choose.Keys())
	}
	x, y := NewFilterBox(), NewFilterBox()
	x.ClearFilter.SetEnabled(false)
	if !y.ClearFilter.Enabled() {
		t.Error("disabling one FilterBox's ClearFilter disabled another's")
	}
}

// TestMoves: the movement group is the six movement keys in reading order,
// so every list's help starts the same way.
func TestMoves(t *testing.T) {
	var got []string
	for _, b := range NewNav().Moves() {
		got = append(got, b.Help().Desc)
	}
	if want := []string{"up", "down", "page up", "page down", "first", "last"}; !slices.Equal(got, want) {
		t.Fatalf("Moves = %q, want %q", got, want)
	}
}
