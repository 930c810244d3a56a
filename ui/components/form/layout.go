package form

import (
	"strings"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// Layout is a form box's columns: a two-cell focus marker, labels padded to
// LabelW cells, values in ValueW cells. The lines under a field (its error
// or hint) sit in the value column.
type Layout struct{ LabelW, ValueW int }

// NewLayout fits labels and values into inner cells: the label column is
// the widest label plus two, the values get the rest (at least 8).
func NewLayout(inner int, labels ...string) Layout {
	w := 0
	for _, l := range labels {
		w = max(w, text.Width(l))
	}
	w += 2
	return Layout{LabelW: w, ValueW: max(inner-w-2, 8)}
}

// Line is a field's line: the focus marker, the padded label, the value.
func (l Layout) Line(st *common.Styles, focused bool, label, value string) string {
	marker := "  "
	if focused {
		marker = st.Key.Render("▸ ")
	}
	return marker + text.PadRight(st.Label.Render(label), l.LabelW) + value
}

// Indent is the space before a line under a field's value.
func (l Layout) Indent() string { return strings.Repeat(" ", l.LabelW+2) }

// Error is the line under a field saying what is wrong with it, with a
// symbol so it never depends on colour.
func (l Layout) Error(st *common.Styles, msg string) string {
	return l.Indent() + st.FieldError.Render(text.Truncate(common.SymFailed+" "+msg, l.ValueW))
}

// Warning is the line under a field that may be saved but looks wrong.
func (l Layout) Warning(st *common.Styles, msg string) string {
	return l.Indent() + st.Warning.Render(text.Truncate(common.SymWarn+" "+msg, l.ValueW))
}

// Hint is the faint line under a field (the normalised phone number).
func (l Layout) Hint(st *common.Styles, msg string) string {
	return l.Indent() + st.Faint.Render(text.Truncate(msg, l.ValueW))
}

// Refused is IntaSend's message after a refused request, wrapped to w
// cells, for the foot of the form; none when msg is empty.
func Refused(st *common.Styles, msg string, w int) []string {
	if msg == "" {
		return nil
	}
	lines := text.Wrap(common.SymFailed+" IntaSend: "+msg, w)
	for i, l := range lines {
		lines[i] = st.FieldError.Render(l)
	}
	return lines
}
