package form

import (
	"fmt"
	"strings"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// View draws the form in a box at most width cells wide (MaxWidth, 72 by
// default); spin is the spinner shown while sending. With the bank picker
// open, the picker is drawn instead.
func (f *Form) View(st *common.Styles, spin string, width int) string {
	if f.picker != nil {
		return st.FocusedBox.Render(f.picker.View())
	}
	maxW := f.MaxWidth
	if maxW == 0 {
		maxW = 72
	}
	w := min(width, maxW)
	inner := max(w-4, 20) // border and padding
	lay := f.layout(inner)
	lines := []string{st.Title.Render(f.Title)}
	for _, l := range f.Intro {
		for _, p := range text.Wrap(l, inner) {
			lines = append(lines, st.Faint.Render(p))
		}
	}
	lines = append(lines, "")
	for _, l := range f.Facts {
		lines = append(lines, text.Truncate("  "+text.PadRight(st.Label.Render(l[0]), lay.LabelW)+l[1], inner))
	}
	if len(f.Facts) > 0 {
		lines = append(lines, "")
	}
	for i, fl := range f.Fields {
		lines = append(lines, f.fieldLines(st, lay, fl, i == f.focus && f.State == Editing)...)
	}
	lines = append(lines, "")
	lines = append(lines, Refused(st, f.Err, inner)...)
	lines = append(lines, f.foot(st, spin))
	return st.FocusedBox.Width(w).Render(strings.Join(lines, "\n"))
}

func (f *Form) layout(inner int) Layout {
	labels := make([]string, 0, len(f.Fields)+len(f.Facts))
	for _, fl := range f.Fields {
		labels = append(labels, fl.Label)
	}
	for _, l := range f.Facts {
		labels = append(labels, l[0])
	}
	return NewLayout(inner, labels...)
}

// fieldLines is a field's line and the lines under it: what the last edit
// did (a cut), then its error (once touched; a warning always) or its hint,
// or a searched Choice's search box while it has the focus.
func (f *Form) fieldLines(st *common.Styles, lay Layout, fl *Field, focused bool) []string {
	var val string
	if fl.Kind == Choice {
		val = text.Truncate(choiceView(st, fl, focused), lay.ValueW)
	} else {
		fl.input.SetWidth(lay.ValueW - 1)
		val = fl.input.View()
	}
	lines := []string{lay.Line(st, focused, fl.Label, val)}
	if fl.Note != "" {
		lines = append(lines, lay.Warning(st, fl.Note))
	}
	switch {
	case fl.Err != "" && fl.Warn:
		lines = append(lines, lay.Warning(st, fl.Err))
	case fl.Err != "" && fl.Touched:
		for _, l := range text.Wrap(common.SymFailed+" "+fl.Err, lay.ValueW) {
			lines = append(lines, lay.Indent()+st.FieldError.Render(l))
		}
	case fl.search && focused:
		count := st.Faint.Render(fmt.Sprintf("  %d of %d", len(fl.match), len(fl.options)))
		fl.input.SetWidth(max(lay.ValueW-text.Width(count)-9, 8))
		lines = append(lines, lay.Indent()+st.Faint.Render("search ")+fl.input.View()+count)
	case fl.Hint != "":
		lines = append(lines, lay.Hint(st, fl.Hint))
	}
	return lines
}

func choiceView(st *common.Styles, fl *Field, focused bool) string {
	o, ok := fl.Selected()
	switch {
	case len(fl.options) == 0:
		return st.Faint.Render("(none yet)")
	case !ok:
		return st.Faint.Render("(nothing matches)")
	case len(fl.options) == 1:
		return o.Label
	case focused:
		return st.Key.Render("‹ ") + st.Bold.Render(o.Label) + st.Key.Render(" ›") + st.Faint.Render("  ←/→")
	}
	return "‹ " + o.Label + " ›"
}

// foot is the last line: the keys, or what the form waits for.
func (f *Form) foot(st *common.Styles, spin string) string {
	switch f.State {
	case Sending:
		s := f.Sending
		if s == "" {
			s = "sending…"
		}
		return spin + " " + s
	case Confirming:
		return st.Faint.Render(common.SymPending + " waiting for your confirmation")
	}
	if f.Help != "" {
		return st.Faint.Render(f.Help)
	}
	h := "tab/↑↓ move · "
	for _, fl := range f.Fields {
		if fl.Kind == Choice && len(fl.options) > 1 {
			h += "←/→ choose · "
			break
		}
	}
	return st.Faint.Render(h + "enter next/submit · esc cancel")
}
