package app

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
)

// chromeMemo keeps the shell's lines that every frame drew again with
// lipgloss though they change only with the tab, the width, the theme or
// the keys on offer: the header, the rule under it and the two halves of
// the hint line. Over SSH they were 6-8 % of a keypress's CPU and a tenth
// of an idle session's (every frame, in every session). Each is kept with
// everything it is drawn from, so a change of any of it draws it anew.
type chromeMemo struct {
	header, rule, hintsRight, hintsLeft memo
}

// memo is one line and the inputs it was drawn from.
type memo struct{ key, val string }

// get is the line kept for key, or, when key differs, draw's, kept.
func (c *memo) get(key string, draw func() string) string {
	if c.key != key || c.val == "" {
		c.key, c.val = key, draw()
	}
	return c.val
}

// headerKey is everything header draws from.
func (m *Model) headerKey() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(m.active))
	b.WriteByte('|')
	b.WriteString(strconv.Itoa(m.width))
	b.WriteString(strconv.FormatBool(m.onboarding))
	b.WriteString(strconv.FormatBool(m.c.Styles.IsDark))
	for _, v := range m.views {
		b.WriteByte('|')
		b.WriteString(v.Title())
	}
	return b.String()
}

// hintsKey is everything shortHelp draws from: the theme, the width and
// each binding's state and words.
func (m *Model) hintsKey(bindings []key.Binding, width int) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(width))
	b.WriteString(strconv.FormatBool(m.c.Styles.IsDark))
	for _, kb := range bindings {
		h := kb.Help()
		b.WriteString(strconv.FormatBool(kb.Enabled()))
		b.WriteString(h.Key)
		b.WriteByte(0)
		b.WriteString(h.Desc)
		b.WriteByte(0)
	}
	return b.String()
}
