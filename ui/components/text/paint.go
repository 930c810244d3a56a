package text

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// Paint wraps text in a style's escape codes, computed once. lipgloss's
// Render measures and lays out its input on every call; for one-line table
// cells drawn every frame that is most of the frame's cost. Only for styles
// without padding, margins, borders or widths.
type Paint struct{ pre, post string }

// NewPaint precomputes s's escape codes.
func NewPaint(s lipgloss.Style) Paint {
	const mark = "\ue000" // a private-use character: never in real text
	pre, post, ok := strings.Cut(s.Render(mark), mark)
	if !ok {
		return Paint{}
	}
	return Paint{pre, post}
}

// Render is s in the style; the zero Paint leaves s alone.
func (p Paint) Render(s string) string {
	if p.pre == "" && p.post == "" {
		return s
	}
	return p.pre + s + p.post
}

// Resume is the escape codes that start the style: appended after a nested
// Paint inside this one (a coloured amount in a selected row), it turns the
// row's style back on, since the nested Paint's end resets it.
func (p Paint) Resume() string { return p.pre }
