package payouts

import (
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// Small text helpers, the same as views/wallets uses (views never import
// each other).

// width is the string's width in cells; plain ASCII is its length.
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// truncate cuts a (possibly styled) string to w cells, ending with "…".
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// padRight and padLeft fit a plain or styled string into exactly w cells.
func padRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := width(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = width(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

func padLeft(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := width(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = width(s)
	}
	if n < w {
		s = strings.Repeat(" ", w-n) + s
	}
	return s
}

// paint wraps text in a style's escape codes, computed once: lipgloss's
// Render lays out its input on every call, which is most of a table
// frame's cost. Only for styles without padding, borders or widths.
type paint struct{ pre, post string }

func newPaint(s lipgloss.Style) paint {
	const mark = "\ue000"
	pre, post, ok := strings.Cut(s.Render(mark), mark)
	if !ok {
		return paint{}
	}
	return paint{pre, post}
}

func (p paint) render(s string) string {
	if p.pre == "" && p.post == "" {
		return s
	}
	return p.pre + s + p.post
}

// paints are the table styles as precomputed escapes, rebuilt when the
// shell swaps the theme.
type paints struct {
	for_                   *common.Styles
	dark                   bool
	row, sel, faint        paint
	ok, failed, warn, pend paint
	header                 paint
}

func (m *Model) paints() *paints {
	st := m.c.Styles
	if p := &m.paint; p.for_ == st && p.dark == st.IsDark {
		return p
	}
	m.paint = paints{for_: st, dark: st.IsDark, row: newPaint(st.Row), sel: newPaint(st.SelectedRow),
		faint: newPaint(st.Faint), ok: newPaint(st.OK), failed: newPaint(st.Failed), warn: newPaint(st.Warning),
		pend: newPaint(st.Pending), header: newPaint(st.TableHeader)}
	return &m.paint
}

// errText is what a person should read about err: IntaSend's own words when
// it answered, otherwise the error.
func errText(err error) string {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	return err.Error()
}

// reachable says whether IntaSend answered at all: a 4xx is a healthy
// connection with a refused request.
func reachable(err error) bool {
	if err == nil {
		return true
	}
	var ae *client.APIError
	return errors.As(err, &ae) && ae.Status < 500 && ae.Status != 429
}

// health reports a request's outcome to the status bar.
func health(err error, at time.Time) tea.Cmd {
	ok := reachable(err)
	return func() tea.Msg { return common.HealthMsg{OK: ok, At: at} }
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// wrap breaks text into lines of at most w cells on spaces.
func wrap(s string, w int) []string {
	var out []string
	var line string
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case width(line)+1+width(word) <= w:
			line += " " + word
		default:
			out = append(out, truncate(line, w))
			line = word
		}
	}
	if line != "" {
		out = append(out, truncate(line, w))
	}
	return out
}

// clip keeps the body to h lines, and to w cells on bodies narrower than
// the 80 columns every line is fitted to as it is built (measuring every
// styled line again would double a frame's cost).
func clip(s string, w, h int) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			n++
			if n == h {
				s = s[:i]
				break
			}
		}
	}
	if w >= 80 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = truncate(l, w)
	}
	return strings.Join(lines, "\n")
}

// overlay shows a panel, centred, under the body's first line.
func overlay(body, panel string, w int) string {
	title, _, _ := strings.Cut(body, "\n")
	pad := strings.Repeat(" ", max((w-lipgloss.Width(panel))/2, 0))
	lines := strings.Split(panel, "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return title + "\n" + strings.Join(lines, "\n")
}

// spread puts left and right on one line of w cells.
func spread(left, right string, w int) string {
	gap := w - width(left) - width(right)
	if gap < 2 {
		return truncate(left+"  "+right, w)
	}
	return left + strings.Repeat(" ", gap) + right
}
