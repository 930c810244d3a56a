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

type formKind int

const (
	formRow formKind = iota + 1
	formSettings
)

// form is the shared form (ui/components/form) for a row or the rail and
// wallet; the payout package's validator is its rule (Rules).
type form struct {
	*uiform.Form
	kind formKind
	row  int // formRow: the row edited, -1 for a new one
}

// newForm opens a form of kind with the fields, checked and focused on
// the first. Nothing is sent from here: enter saves into the draft.
func (m *Model) newForm(kind formKind, title, intro string, rules func(*uiform.Form), fields ...*uiform.Field) tea.Cmd {
	f := uiform.New(m.keys.Form, title, fields...)
	f.Intro, f.Rules, f.MaxWidth = []string{intro}, rules, 76
	f.Help = "tab/↑↓ move · enter next/save · esc cancel"
	for _, fl := range fields {
		if fl.Kind == uiform.Choice {
			f.Help = "tab/↑↓ move · ←/→ choose · enter next/save · esc cancel"
		}
	}
	m.form = &form{Form: f, kind: kind, row: -1}
	f.Check()
	return f.Focus(0)
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
