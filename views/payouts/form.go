package payouts

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/text"
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
	hint    string
	err     string
	warn    bool // err is a warning
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

func (f *field) choose(v string) {
	for i, c := range f.choices {
		if c.value == v {
			f.sel = i
		}
	}
}

type formKind int

const (
	formRow formKind = iota + 1
	formSettings
)

// form is a small stack of fields with inline validation; the Model checks
// fields, the form only edits and draws.
type form struct {
	kind   formKind
	title  string
	intro  []string
	fields []*field
	focus  int
	row    int // formRow: the row edited, -1 for a new one
}

func textField(st *common.Styles, key, label, placeholder, value string, limit int) *field {
	f := &field{key: key, label: label, input: uiform.NewInput(st, "", placeholder, limit)}
	f.input.SetValue(value)
	f.input.CursorEnd()
	return f
}

func choiceField(key, label string, choices []choice, value string) *field {
	f := &field{key: key, label: label, choices: choices}
	f.choose(value)
	return f
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
	formEdited
)

func (f *form) update(km KeyMap, msg tea.Msg) (formEvent, tea.Cmd) {
	if p, ok := msg.(tea.PasteMsg); ok {
		if cur := f.fields[f.focus]; cur.choices == nil {
			var cmd tea.Cmd
			cur.input, cmd = cur.input.Update(p)
			return formEdited, cmd
		}
		return formNothing, nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return formNothing, nil
	}
	cur := f.fields[f.focus]
	switch act, next := uiform.Nav(formKeys(km), k, f.focus, len(f.fields)); act {
	case uiform.Cancel:
		return formCancel, nil
	case uiform.Submit:
		return formSubmit, nil
	case uiform.Move:
		return formEdited, f.setFocus(next)
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

func (f *form) view(st *common.Styles, w int) string {
	w = min(w, 76)
	inner := max(w-4, 20)
	labels := make([]string, len(f.fields))
	for i, fl := range f.fields {
		labels[i] = fl.label
	}
	lay := uiform.NewLayout(inner, labels...)
	lines := []string{st.Title.Render(f.title)}
	for _, l := range f.intro {
		lines = append(lines, st.Faint.Render(text.Truncate(l, inner)))
	}
	lines = append(lines, "")
	for i, fl := range f.fields {
		focused := i == f.focus
		var val string
		if fl.choices != nil {
			val = choiceView(st, fl, focused)
		} else {
			fl.input.SetWidth(lay.ValueW - 1)
			val = fl.input.View()
		}
		lines = append(lines, lay.Line(st, focused, fl.label, val))
		switch {
		case fl.err != "" && fl.warn:
			lines = append(lines, lay.Warning(st, fl.err))
		case fl.err != "":
			lines = append(lines, lay.Error(st, fl.err))
		case fl.hint != "":
			lines = append(lines, lay.Hint(st, fl.hint))
		}
	}
	lines = append(lines, "", st.Faint.Render("tab/↑↓ move · ←/→ choose · enter next/save · esc cancel"))
	return st.FocusedBox.Width(w).Render(joinLines(lines))
}

func choiceView(st *common.Styles, fl *field, focused bool) string {
	if len(fl.choices) == 0 {
		return st.Faint.Render("(none)")
	}
	label := fl.choices[fl.sel].label
	if focused {
		return st.Key.Render("‹ ") + st.Bold.Render(label) + st.Key.Render(" ›")
	}
	return "‹ " + label + " ›"
}

func joinLines(ls []string) string { return strings.Join(ls, "\n") }

// ---- a one-line prompt (import path, export path, tracking id) ----

type promptKind int

const (
	promptImport promptKind = iota + 1
	promptExport
	promptOpenID
)

type prompt struct {
	kind  promptKind
	title string
	help  string
	input textinput.Model
	err   string
}

func (m *Model) newPrompt(kind promptKind, title, help, placeholder, value string) tea.Cmd {
	in := uiform.NewInput(m.c.Styles, "", placeholder, 4096)
	in.SetValue(value)
	in.CursorEnd()
	m.prompt = &prompt{kind: kind, title: title, help: help, input: in}
	return m.prompt.input.Focus()
}

func (m *Model) promptKeys(msg tea.Msg) tea.Cmd {
	p := m.prompt
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.keys.Cancel):
			m.prompt = nil
			return nil
		case key.Matches(k, m.keys.Submit):
			v := strings.TrimSpace(p.input.Value())
			if v == "" {
				p.err = "type a value first"
				return nil
			}
			switch p.kind {
			case promptImport:
				m.prompt = nil
				return m.importPath(v)
			case promptExport:
				if why := m.checkExportName(v); why != "" {
					p.err = why // the prompt stays, with what was typed
					return nil
				}
				m.prompt = nil
				return m.export(v, false)
			case promptOpenID:
				m.prompt = nil
				return m.openByID(v)
			}
			return nil
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.err = ""
	return cmd
}

func (m *Model) promptView() string {
	st := m.c.Styles
	p := m.prompt
	w := min(m.width, 76)
	p.input.SetWidth(max(w-8, 10))
	lines := []string{st.Title.Render(p.title), st.Faint.Render(text.Truncate(p.help, w-4)), "", st.Key.Render("› ") + p.input.View()}
	if p.err != "" {
		lines = append(lines, st.FieldError.Render(common.SymFailed+" "+p.err))
	}
	lines = append(lines, "", st.Faint.Render("enter ok · esc cancel"))
	return st.FocusedBox.Width(w).Render(joinLines(lines))
}

// formKeys are the bindings the shared focus rules use.
func formKeys(km KeyMap) uiform.Keys {
	return uiform.Keys{Cancel: km.Cancel, Submit: km.Submit, Next: km.NextField, Prev: km.PrevField}
}
