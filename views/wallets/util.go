package wallets

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

// width is the string's width in cells. Plain ASCII (most cells: ids,
// labels, dates) is its length; anything else takes the exact, slower path.
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

// paint wraps text in a style's escape codes, computed once. lipgloss's
// Render measures and lays out its input on every call; for one-line table
// cells drawn every frame that is most of the frame's cost. Only for styles
// without padding, margins, borders or widths.
type paint struct{ pre, post string }

func newPaint(s lipgloss.Style) paint {
	const mark = "\ue000" // a private-use character: never in real text
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

// errText is what a person should read about err: IntaSend's own words when
// it answered, otherwise the error.
func errText(err error) string {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	return err.Error()
}

// reason drops the `invalid amount "x": ` style prefix of parse errors, so
// a field's message is the part a person can act on.
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

// signed renders a transaction value with an explicit sign: "+KES 10.00",
// "−KES 5.00", so direction never depends on colour.
func signed(a client.Amount, cur string) string {
	if a < 0 {
		return "−" + (-a).Format(cur)
	}
	return "+" + a.Format(cur)
}

// paints are the table styles as precomputed escapes, rebuilt when the
// shell swaps the theme (after the terminal reports its background).
type paints struct {
	for_     *common.Styles
	dark     bool
	row, sel paint
	in, out  paint
	faint    paint
}

func (m *Model) paints() *paints {
	st := m.c.Styles
	if p := &m.paint; p.for_ == st && p.dark == st.IsDark {
		return p
	}
	m.paint = paints{for_: st, dark: st.IsDark, row: newPaint(st.Row), sel: newPaint(st.SelectedRow),
		in: newPaint(st.MoneyIn), out: newPaint(st.MoneyOut), faint: newPaint(st.Faint)}
	return &m.paint
}
