package collections

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/text"
)

type formKind int

const (
	formPush formKind = iota + 1
	formLink
)

type formState int

const (
	formEditing    formState = iota
	formConfirming           // waiting for the shell's confirmation dialog
	formSending              // the request is in flight
)

// field is one text line of a form with its inline validation.
type field struct {
	key, label string
	input      textinput.Model
	hint       string // e.g. the normalised phone number
	err        string // shown under the field; what was typed stays
	touched    bool   // left once or submitted: errors show from then on
}

func (f *field) value() string { return f.input.Value() }

// Key, Input and Picker let the shared form rules (ui/components/form) see
// the field: every field here is typed into.
func (f *field) Key() string             { return f.key }
func (f *field) Picker() bool            { return false }
func (f *field) Input() *textinput.Model { return &f.input }

// form is a small stack of text fields. The Model checks the fields; the
// form only edits and draws.
type form struct {
	kind   formKind
	title  string
	intro  string
	fields []*field
	focus  int
	err    string // IntaSend's message after a refused request
	state  formState
	seq    int
	push   *pushReq // what was confirmed, sent exactly
	link   *linkReq
}

func newField(st *common.Styles, key, label, placeholder string, limit int) *field {
	return &field{key: key, label: label, input: uiform.NewInput(st, "", placeholder, limit)}
}

func (f *form) typed() bool {
	return uiform.Typed(f.fields)
}

func (f *form) get(key string) *field {
	return uiform.Get(f.fields, key)
}

func (f *form) setFocus(i int) tea.Cmd {
	var cmd tea.Cmd
	f.focus, cmd = uiform.Focus(f.fields, i)
	return cmd
}

type formEvent int

const (
	formNothing formEvent = iota
	formCancel
	formSubmit
	formMoved
	formEdited
)

// update applies a key (or a paste) to the form; keys are ignored while it
// waits for a confirmation or a result.
func (f *form) update(km KeyMap, msg tea.Msg) (formEvent, tea.Cmd) {
	if f.state != formEditing {
		return formNothing, nil
	}
	cur := f.fields[f.focus]
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch act, next := uiform.Nav(formKeys(km), k, f.focus, len(f.fields)); act {
		case uiform.Cancel:
			return formCancel, nil
		case uiform.Submit:
			cur.touched = true
			return formSubmit, nil
		case uiform.Move:
			cur.touched = true
			return formMoved, f.setFocus(next)
		}
	}
	var cmd tea.Cmd
	cur.input, cmd = cur.input.Update(msg)
	return formEdited, cmd
}

// view draws the form in a box at most width cells wide.
func (f *form) view(st *common.Styles, spin string, w int) string {
	w = min(w, 72)
	inner := max(w-4, 20)
	labels := make([]string, len(f.fields))
	for i, fl := range f.fields {
		labels[i] = fl.label
	}
	lay := uiform.NewLayout(inner, labels...)
	lines := []string{st.Title.Render(f.title)}
	for _, l := range text.Wrap(f.intro, inner) {
		lines = append(lines, st.Faint.Render(l))
	}
	lines = append(lines, "")
	for i, fl := range f.fields {
		fl.input.SetWidth(lay.ValueW - 1)
		lines = append(lines, lay.Line(st, i == f.focus && f.state == formEditing, fl.label, fl.input.View()))
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

// formKeys are the bindings the shared focus rules use.
func formKeys(km KeyMap) uiform.Keys {
	return uiform.Keys{Cancel: km.Cancel, Submit: km.Submit, Next: km.NextField, Prev: km.PrevField}
}
