package form

import (
	"testing"

	"charm.land/bubbles/v2/textinput"

	"github.com/malipo/malipo/ui/common"
)

// testField is a minimal Item: a text field, or a picker with or without
// a search input.
type testField struct {
	key    string
	in     textinput.Model
	picker bool
	search bool
}

func (f *testField) Key() string  { return f.key }
func (f *testField) Picker() bool { return f.picker }
func (f *testField) Input() *textinput.Model {
	if f.picker && !f.search {
		return nil
	}
	return &f.in
}

func fields() []*testField {
	st := common.NewStyles(true)
	return []*testField{
		{key: "name", in: NewInput(st, "", "", 20)},
		{key: "plan", picker: true},
		{key: "customer", picker: true, search: true, in: NewInput(st, "", "", 20)},
		{key: "amount", in: NewInput(st, "", "", 20)},
	}
}

func TestGet(t *testing.T) {
	fs := fields()
	for _, tc := range []struct {
		key  string
		want *testField
	}{{"name", fs[0]}, {"customer", fs[2]}, {"nope", nil}} {
		if got := Get(fs, tc.key); got != tc.want {
			t.Errorf("Get(%q) = %v, want %v", tc.key, got, tc.want)
		}
	}
}

func TestTyped(t *testing.T) {
	for _, tc := range []struct {
		name  string
		field int
		value string
		want  bool
	}{
		{"empty form", -1, "", false},
		{"blank text", 0, "   ", false},
		{"text", 3, "12", true},
		{"search text is not content", 2, "jam", false},
	} {
		fs := fields()
		if tc.field >= 0 {
			fs[tc.field].in.SetValue(tc.value)
		}
		if got := Typed(fs); got != tc.want {
			t.Errorf("%s: Typed = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFocus(t *testing.T) {
	for _, tc := range []struct {
		name string
		to   int
		want int
	}{
		{"text", 0, 0},
		{"plain picker", 1, 1},
		{"search picker", 2, 2},
		{"clamped low", -3, 0},
		{"clamped high", 9, 3},
	} {
		fs := fields()
		fs[3].in.Focus() // a stale focus elsewhere must go
		got, _ := Focus(fs, tc.to)
		if got != tc.want {
			t.Errorf("%s: focus %d, want %d", tc.name, got, tc.want)
		}
		for j, f := range fs {
			if in := f.Input(); in != nil && in.Focused() != (j == got) {
				t.Errorf("%s: field %s focused=%v", tc.name, f.key, in.Focused())
			}
		}
	}
}
