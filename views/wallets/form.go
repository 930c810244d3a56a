package wallets

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/text"
)

type formKind int

const (
	formCreate formKind = iota + 1
	formTransfer
	formFund
)

type formState int

const (
	formEditing    formState = iota
	formConfirming           // waiting for the shell's confirmation dialog
	formSending              // the request is in flight
)

// choice is one option of a picker field.
type choice struct{ label, value string }

// field is one line of a form: a text input or a picker (choices).
type field struct {
	key     string
	label   string
	input   textinput.Model
	choices []choice
	sel     int
	hint    string // e.g. the normalised phone number
	err     string // shown under the field; what was typed stays
	touched bool   // left once or submitted: errors show from then on
}

func (f *field) value() string {
	if f.choices != nil {
		if len(f.choices) == 0 {
			return ""
		}
		return f.choices[f.sel].value
	}
	return f.input.Value()
}

// Key, Input and Picker let the shared form rules (ui/components/form) see
// the field: a picker takes no typing.
func (f *field) Key() string  { return f.key }
func (f *field) Picker() bool { return f.choices != nil }
func (f *field) Input() *textinput.Model {
	if f.Picker() {
		return nil
	}
	return &f.input
}

// form is a small stack of fields with inline validation. The Model checks
// fields (it knows balances and wallets); the form only edits and draws.
type form struct {
	kind   formKind
	title  string
	intro  [][2]string // read-only label/value lines above the fields ("From …")
	fields []*field
	focus  int
	err    string // IntaSend's message after a refused request
	state  formState
	seq    int // ties confirmations and results to this form
	meta   formMeta
}

func newTextField(st *common.Styles, key, label, placeholder string, limit int) *field {
	return &field{key: key, label: label, input: newInput(st, "", placeholder, limit)}
}

// newInput is the shared themed input, under the name this view (and its
// tests) use.
func newInput(st *common.Styles, prompt, placeholder string, limit int) textinput.Model {
	return uiform.NewInput(st, prompt, placeholder, limit)
}

func newChoiceField(key, label string, choices []choice) *field {
	return &field{key: key, label: label, choices: choices}
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

// update applies a key to the form. Keys are ignored while it waits for a
// confirmation or a result, except that a confirmation can be cancelled by
// the dialog itself (the shell owns that).
func (f *form) update(km KeyMap, msg tea.Msg) (formEvent, tea.Cmd) {
	if f.state != formEditing {
		return formNothing, nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if _, paste := msg.(tea.PasteMsg); paste && f.fields[f.focus].choices == nil {
			var cmd tea.Cmd
			f.fields[f.focus].input, cmd = f.fields[f.focus].input.Update(msg)
			return formEdited, cmd
		}
		return formNothing, nil
	}
	cur := f.fields[f.focus]
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
	case len(cur.choices) > 0 && key.Matches(k, km.Choose):
		if k.String() == "left" {
			cur.sel = (cur.sel + len(cur.choices) - 1) % len(cur.choices)
		} else {
			cur.sel = (cur.sel + 1) % len(cur.choices)
		}
		return formEdited, nil
	case cur.choices == nil:
		var cmd tea.Cmd
		cur.input, cmd = cur.input.Update(msg)
		return formEdited, cmd
	}
	return formNothing, nil
}

// view draws the form in a box at most width cells wide.
func (f *form) view(st *common.Styles, spin string, width int) string {
	w := min(width, 72)
	inner := max(w-4, 20) // border and padding
	var labels []string
	for _, fl := range f.fields {
		labels = append(labels, fl.label)
	}
	for _, l := range f.intro {
		labels = append(labels, l[0])
	}
	lay := uiform.NewLayout(inner, labels...)
	labelW, valueW := lay.LabelW, lay.ValueW
	var lines []string
	lines = append(lines, st.Title.Render(f.title), "")
	for _, l := range f.intro {
		lines = append(lines, text.Truncate("  "+text.PadRight(st.Label.Render(l[0]), labelW)+l[1], inner))
	}
	if len(f.intro) > 0 {
		lines = append(lines, "")
	}
	for i, fl := range f.fields {
		focused := i == f.focus && f.state == formEditing
		var val string
		if fl.choices != nil {
			val = choiceView(st, fl, focused)
		} else {
			fl.input.SetWidth(valueW - 1)
			val = fl.input.View()
		}
		lines = append(lines, lay.Line(st, focused, fl.label, val))
		switch {
		case fl.err != "" && fl.touched:
			lines = append(lines, lay.Error(st, fl.err))
		case fl.hint != "":
			lines = append(lines, lay.Hint(st, fl.hint))
		}
	}
	lines = append(lines, "")
	lines = append(lines, uiform.Refused(st, f.err, inner)...)
	switch f.state {
	case formSending:
		lines = append(lines, spin+" sending…")
	case formConfirming:
		lines = append(lines, st.Faint.Render(common.SymPending+" waiting for your confirmation"))
	default:
		lines = append(lines, st.Faint.Render("tab/↑↓ move · enter next/submit · esc cancel"))
	}
	return st.FocusedBox.Width(w).Render(strings.Join(lines, "\n"))
}

func choiceView(st *common.Styles, fl *field, focused bool) string {
	if len(fl.choices) == 0 {
		return st.Faint.Render("(none)")
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
