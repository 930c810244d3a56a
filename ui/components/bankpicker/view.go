package bankpicker

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// codeW is the code column: IntaSend's codes are at most 2 digits today;
// 4 leaves room without shifting names when a longer one appears.
const codeW = 4

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
	b.WriteString(st.TableHeader.Render(fit("  "+padLeft("CODE", codeW)+"  BANK", m.width)))
	rows := m.rows()
	end := min(m.offset+rows, len(m.shown))
	for i := m.offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(m.row(i))
	}
	if len(m.shown) == 0 {
		b.WriteByte('\n')
		b.WriteString(st.Faint.Render(fit("  no bank matches "+fmt.Sprintf("%q", m.query), m.width)))
		end = m.offset + 1
	}
	for i := end; i < m.offset+rows; i++ {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(st.Faint.Render(fit(m.footer(), m.width)))
	return b.String()
}

// row draws one bank; the runes of its name that matched the filter are
// picked out (bold), the cursor row is reversed and marked "▸".
func (m Model) row(i int) string {
	st := m.c.Styles
	s := m.shown[i]
	bk := m.banks[s.idx]
	nameW := max(m.width-2-codeW-2, 4)
	name := bk.Name
	if ansi.StringWidth(name) > nameW {
		name = ansi.Truncate(name, nameW, "…")
	}
	if i == m.cursor {
		line := "▸ " + padLeft(bk.Code, codeW) + "  " + padRight(name, nameW)
		return st.SelectedRow.Render(line)
	}
	return "  " + padLeft(bk.Code, codeW) + "  " + highlight(st, name, s.hits) +
		strings.Repeat(" ", max(nameW-ansi.StringWidth(name), 0))
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
	n := fmt.Sprintf("%d banks", len(m.banks))
	if m.query != "" {
		n = fmt.Sprintf("%d of %d banks", len(m.shown), len(m.banks))
	}
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

func padLeft(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

func padRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}
