package bankpicker

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/ui/components/text"
)

// View draws the filter line, the matching banks and a one-line footer,
// exactly width x height cells at most.
func (m Model) View() string {
	st := m.c.Styles
	var b strings.Builder
	b.WriteString(m.input.View())
	b.WriteByte('\n')
	switch {
	case !m.loaded && m.err != "":
		b.WriteString(fit(st.Failed.Render(common.SymFailed+" could not load bank codes: ")+m.err, m.width))
		return b.String()
	case !m.loaded:
		b.WriteString(st.Faint.Render(common.SymPending + " loading bank codes…"))
		return b.String()
	}
	b.WriteString(m.tbl.View(func(i int, r *table.Row) {
		bk := m.banks[i]
		r.Add(bk.Code, highlight(st, bk.Name, m.hits[i]))
	}))
	from, end := m.tbl.Visible()
	if len(m.shown) == 0 {
		b.WriteByte('\n')
		b.WriteString(st.Faint.Render(fit("  no bank matches "+fmt.Sprintf("%q", m.query), m.width)))
		end++
	}
	b.WriteString(strings.Repeat("\n", max(from+m.tbl.Rows()-end, 0)))
	b.WriteByte('\n')
	b.WriteString(st.Faint.Render(fit(m.footer(), m.width)))
	return b.String()
}

// highlight bolds the bytes of name listed in hits (fuzzy's byte offsets
// into "name code"; offsets past the name are the code's).
func highlight(st *common.Styles, name string, hits []int) string {
	if len(hits) == 0 {
		return name
	}
	var b strings.Builder
	h := 0
	for i, r := range name {
		for h < len(hits) && hits[h] < i {
			h++
		}
		if h < len(hits) && hits[h] == i {
			b.WriteString(st.Key.Render(string(r)))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (m Model) footer() string {
	n := m.tbl.Count("bank", "banks")
	if m.loading {
		n += " · refreshing…"
	} else if m.err != "" {
		n += " · refresh failed: " + m.err
	}
	return n + " · ↑↓ move · enter " + m.keys.Choose.Help().Desc + " · esc " + m.keys.Cancel.Help().Desc
}

// errText is what a person should read (text.ErrText: IntaSend's own
// words, or a network failure in words).
func errText(err error) string { return text.ErrText(err) }

// fit cuts a (possibly styled) line to w cells.
func fit(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}
