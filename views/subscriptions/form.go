package subscriptions

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/text"
)

// The form follows views/wallets/form.go: a stack of fields with inline
// validation that never changes what was typed. Pickers here can also be
// searched: typing narrows the choices (a plan or a customer among many).

type formKind int

const (
	formPlan formKind = iota + 1
	formCustomer
	formSubscription
)

type formState int

const (
	formEditing formState = iota
	formSending           // the request is in flight
)

// choice is one option of a picker field.
type choice struct{ label, value string }

// field is one line of a form: a text input or a picker (choices).
type field struct {
	key     string
	label   string
	input   textinput.Model
	choices []choice
	search  bool  // a picker narrowed by typing into input
	match   []int // search: indexes into choices that match input
	sel     int   // index into choices (a picker's current choice)
	hint    string
	err     string // shown under the field; what was typed stays
	touched bool   // left once or submitted: errors show from then on
}

// Picker reports whether the field picks among choices.
func (f *field) Picker() bool { return f.choices != nil }

func (f *field) value() string {
	if f.Picker() {
		if len(f.choices) == 0 || f.sel < 0 {
			return ""
		}
		return f.choices[f.sel].value
	}
	return f.input.Value()
}

// Key, Input and Picker let the shared form rules (ui/components/form) see
// the field: a picker takes no typing unless it is searched.
func (f *field) Key() string { return f.key }
func (f *field) Input() *textinput.Model {
	if f.Picker() && !f.search {
		return nil
	}
	return &f.input
}

// narrow recomputes a searchable picker's matches after typing, keeping the
// current choice when it still matches.
func (f *field) narrow() {
	q := strings.Fields(strings.ToLower(f.input.Value()))
	f.match = f.match[:0]
	for i, c := range f.choices {
		h := strings.ToLower(c.label + " " + c.value)
		ok := true
		for _, w := range q {
			if !strings.Contains(h, w) {
				ok = false
				break
			}
		}
		if ok {
			f.match = append(f.match, i)
		}
	}
	for _, i := range f.match {
		if i == f.sel {
			return
		}
	}
	f.sel = -1
	if len(f.match) > 0 {
		f.sel = f.match[0]
	}
}

// step moves a picker's choice by d among the (matching) choices.
func (f *field) step(d int) {
	idx := f.match
	if !f.search {
		idx = make([]int, len(f.choices))
		for i := range idx {
			idx[i] = i
		}
	}
	if len(idx) == 0 {
		return
	}
	pos := 0
	for i, c := range idx {
		if c == f.sel {
			pos = i
		}
	}
	f.sel = idx[(pos+d+len(idx))%len(idx)]
}

type form struct {
	kind   formKind
	title  string
	intro  []string // read-only lines above the fields
	fields []*field
	focus  int
	err    string // IntaSend's message after a refused request
	state  formState
	seq    int // ties the result to this form
}

func newTextField(st *common.Styles, key, label, placeholder string, limit int) *field {
	return &field{key: key, label: label, input: uiform.NewInput(st, "", placeholder, limit)}
}

func newChoiceField(key, label string, choices []choice) *field {
	return &field{key: key, label: label, choices: choices}
}

// newPicker is a choice field narrowed by typing; sel is the choice shown
// first.
func newPicker(st *common.Styles, key, label string, choices []choice, sel int) *field {
	f := &field{key: key, label: label, choices: choices, search: true, sel: sel,
		input: uiform.NewInput(st, "", "type to narrow", 40)}
	if choices == nil {
		f.choices = []choice{}
	}
	f.narrow()
	f.sel = sel
	if len(choices) == 0 {
		f.sel = -1
	}
	return f
}

// typed reports whether anything was typed into the form.
func (f *form) typed() bool {
	return uiform.Typed(f.fields)
}

func (f *form) get(key string) *field {
	return uiform.Get(f.fields, key)
}

// setFocus moves focus to field i (clamped), blurring the others.
func (f *form) setFocus(i int) tea.Cmd {
	var cmd tea.Cmd
	f.focus, cmd = uiform.Focus(f.fields, i)
	return cmd
}

// formEvent says what a key did to the form.
type formEvent int

const (
	formNothing formEvent = iota
	formCancel
	formSubmit
	formMoved // focus left a field: check it
	formEdited
)

// update applies a key (or a paste) to the form; keys are ignored while a
// request is in flight.
func (f *form) update(km KeyMap, msg tea.Msg) (formEvent, tea.Cmd) {
	if f.state != formEditing {
		return formNothing, nil
	}
	cur := f.fields[f.focus]
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if _, paste := msg.(tea.PasteMsg); paste && (!cur.Picker() || cur.search) {
			return formEdited, cur.edit(msg)
		}
		return formNothing, nil
	}
	switch act, next := uiform.Nav(formKeys(km), k, f.focus, len(f.fields)); act {
	case uiform.Cancel:
		return formCancel, nil
	case uiform.Submit:
		return formSubmit, nil
	case uiform.Move:
		cur.touched = true
		return formMoved, f.setFocus(next)
	}
	switch {
	case cur.Picker() && key.Matches(k, km.Choose):
		if k.String() == "left" {
			cur.step(-1)
		} else {
			cur.step(1)
		}
		return formEdited, nil
	case !cur.Picker() || cur.search:
		return formEdited, cur.edit(msg)
	}
	return formNothing, nil
}

func (fl *field) edit(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	fl.input, cmd = fl.input.Update(msg)
	if fl.search {
		fl.narrow()
	}
	return cmd
}

// view draws the form in a box at most width cells wide.
func (f *form) view(st *common.Styles, spin string, width int) string {
	w := min(width, 72)
	inner := max(w-4, 20) // border and padding
	labels := make([]string, len(f.fields))
	for i, fl := range f.fields {
		labels[i] = fl.label
	}
	lay := uiform.NewLayout(inner, labels...)
	valueW := lay.ValueW
	lines := []string{st.Title.Render(f.title), ""}
	for _, l := range f.intro {
		for _, p := range text.Wrap(l, inner) {
			lines = append(lines, st.Faint.Render(p))
		}
	}
	if len(f.intro) > 0 {
		lines = append(lines, "")
	}
	for i, fl := range f.fields {
		focused := i == f.focus && f.state == formEditing
		var val string
		if fl.Picker() {
			val = text.Truncate(choiceView(st, fl, focused), valueW)
		} else {
			fl.input.SetWidth(valueW - 1)
			val = fl.input.View()
		}
		lines = append(lines, lay.Line(st, focused, fl.label, val))
		indent := lay.Indent()
		switch {
		case fl.err != "" && fl.touched:
			for _, l := range text.Wrap(common.SymFailed+" "+fl.err, valueW) {
				lines = append(lines, indent+st.FieldError.Render(l))
			}
		case fl.search && focused:
			count := st.Faint.Render(fmt.Sprintf("  %d of %d", len(fl.match), len(fl.choices)))
			fl.input.SetWidth(max(valueW-lipgloss.Width(count)-9, 8))
			lines = append(lines, indent+st.Faint.Render("search ")+fl.input.View()+count)
		case fl.hint != "":
			lines = append(lines, lay.Hint(st, fl.hint))
		}
	}
	lines = append(lines, "")
	lines = append(lines, uiform.Refused(st, f.err, inner)...)
	if f.state == formSending {
		lines = append(lines, spin+" sending…")
	} else {
		lines = append(lines, st.Faint.Render("tab/↑↓ move · enter next/submit · esc cancel"))
	}
	return st.FocusedBox.Width(w).Render(strings.Join(lines, "\n"))
}

func choiceView(st *common.Styles, fl *field, focused bool) string {
	if len(fl.choices) == 0 {
		return st.Faint.Render("(none yet)")
	}
	if fl.sel < 0 {
		return st.Faint.Render("(nothing matches)")
	}
	label := fl.choices[fl.sel].label
	if len(fl.choices) == 1 {
		return label
	}
	if focused {
		return st.Key.Render("‹ ") + st.Bold.Render(label) + st.Key.Render(" ›") + st.Faint.Render("  ←/→")
	}
	return "‹ " + label + " ›"
}

// formKeys are the bindings the shared focus rules use.
func formKeys(km KeyMap) uiform.Keys {
	return uiform.Keys{Cancel: km.Cancel, Submit: km.Submit, Next: km.NextField, Prev: km.PrevField}
}
