package collections

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

// These small text helpers mirror views/wallets (views do not import each
// other); they are kept cheap because table cells are drawn every frame.

// width is the string's width in cells. Text without escapes whose runes
// are all one cell wide (ASCII, Latin, the status symbols ✔ ✖ … ★ ● and
// block characters) is its rune count; anything else takes the exact,
// slower path. Table cells are measured every frame, so this matters.
func width(s string) int {
	n := 0
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x0300 && r < 0x0370) || (r >= 0x1100 && r < 0x2000) ||
			(r >= 0x200b && r <= 0x200f) || r >= 0x2e80 {
			return ansi.StringWidth(s)
		}
		n++
	}
	return n
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

// padRight and padLeft fit a string into exactly w cells.
func padRight(s string, w int) string {
	s = truncate(s, w)
	if n := width(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

func padLeft(s string, w int) string {
	s = truncate(s, w)
	if n := width(s); n < w {
		s = strings.Repeat(" ", w-n) + s
	}
	return s
}

// paint is a style's escape codes computed once: lipgloss's Render lays out
// its input on every call, too slow for cells drawn every frame. Only for
// styles without padding, borders or widths.
type paint struct{ pre, post string }

func newPaint(s lipgloss.Style) paint {
	const mark = "\ue000" // private use: never in real text
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

// paints are the table's styles as escapes, rebuilt when the theme changes.
type paints struct {
	for_                 *common.Styles
	dark                 bool
	row, sel, fresh      paint
	ok, pending, failed  paint
	faint, header, money paint
}

func (m *Model) paints() *paints {
	st := m.c.Styles
	if p := &m.paint; p.for_ == st && p.dark == st.IsDark {
		return p
	}
	m.paint = paints{for_: st, dark: st.IsDark, row: newPaint(st.Row), sel: newPaint(st.SelectedRow),
		fresh: newPaint(st.NewRow), ok: newPaint(st.OK), pending: newPaint(st.Pending), failed: newPaint(st.Failed),
		faint: newPaint(st.Faint), header: newPaint(st.TableHeader), money: newPaint(st.MoneyIn)}
	return &m.paint
}

// errText is IntaSend's own words when it answered, else the error.
func errText(err error) string {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	return err.Error()
}

// reason drops the `invalid amount "x": ` prefix of parse errors, leaving
// the part a person can act on.
func reason(err error) string {
	s := err.Error()
	if _, after, ok := strings.Cut(s, "\": "); ok {
		return after
	}
	return s
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

// fitsByConstruction is the narrowest body whose lines are all built to
// the width (the golden and resize tests check it); narrower bodies are
// measured and cut as a safety net. Measuring styled lines again would
// double a frame's cost.
const fitsByConstruction = 80

// clip keeps the body to h lines, and to w cells on narrow bodies.
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
	if w >= fitsByConstruction {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = truncate(l, w)
	}
	return strings.Join(lines, "\n")
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

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func asAPI(err error, out **client.APIError) bool { return errors.As(err, out) }
