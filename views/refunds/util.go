package refunds

import (
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// width is the string's width in cells. Plain ASCII (most cells: ids,
// amounts, dates) is its length; anything else takes the exact, slower
// path (grapheme clusters, escape codes).
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

// errText is what a person should read about err: IntaSend's own words when
// it answered, otherwise the error.
func errText(err error) string {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	return err.Error()
}

// reason drops the `invalid amount "x": ` style prefix of parse errors.
func reason(err error) string {
	s := err.Error()
	if _, after, ok := strings.Cut(s, "\": "); ok {
		return after
	}
	return s
}

// health reports a request's outcome to the status bar: a 4xx is a healthy
// connection with a refused request.
func health(err error, at time.Time) tea.Cmd {
	ok := err == nil
	var ae *client.APIError
	if errors.As(err, &ae) && ae.Status < 500 && ae.Status != 429 {
		ok = true
	}
	return func() tea.Msg { return common.HealthMsg{OK: ok, At: at} }
}

// newInput is a text input in the theme's colours with a steady cursor (a
// blinking one redraws the screen twice a second, costly over SSH).
func newInput(st *common.Styles, prompt, placeholder string, limit int) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.CharLimit = limit
	s := textinput.DefaultStyles(st.IsDark)
	s.Focused.Placeholder, s.Blurred.Placeholder = st.Faint, st.Faint
	s.Focused.Text, s.Blurred.Text = st.Text, st.Text
	s.Focused.Prompt, s.Blurred.Prompt = st.Key, st.Faint
	s.Cursor.Blink = false
	s.Cursor.Color = st.Accent
	in.SetStyles(s)
	return in
}

// wrap breaks text into lines of at most w cells on spaces.
func wrap(s string, w int) []string {
	var out []string
	var line string
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case lipgloss.Width(line)+1+lipgloss.Width(word) <= w:
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

// statusText renders a refund status as symbol and word: never colour alone.
func statusText(st *common.Styles, status string) string {
	switch status {
	case client.RefundCompleted:
		return st.OK.Render(plainStatus(status))
	case client.RefundPending:
		return st.Pending.Render(plainStatus(status))
	case client.RefundDisputed, client.RefundOverdue:
		return st.Warning.Render(plainStatus(status))
	case client.RefundCancelled:
		return st.Failed.Render(plainStatus(status))
	}
	return plainStatus(status)
}

// plainStatus is the status with its symbol but no colour.
func plainStatus(s string) string {
	switch s {
	case client.RefundCompleted:
		return common.SymOK + " " + s
	case client.RefundPending:
		return common.SymPending + " " + s
	case client.RefundDisputed, client.RefundOverdue:
		return common.SymWarn + " " + s
	case client.RefundCancelled:
		return common.SymFailed + " " + s
	case "":
		return "?"
	}
	return "• " + s
}

// paint wraps text in a style's escape codes, computed once: lipgloss's
// Render measures and lays out its input on every call, which for table
// cells drawn every frame is most of the frame's cost. Only for styles
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

// paints are the list's styles as escapes, rebuilt when the shell swaps
// the theme (after the terminal reports its background).
type paints struct {
	for_                        *common.Styles
	dark                        bool
	sel, ok, pending, warn, bad paint
}

func (m *Model) paints() *paints {
	st := m.c.Styles
	if p := &m.paint; p.for_ == st && p.dark == st.IsDark {
		return p
	}
	m.paint = paints{for_: st, dark: st.IsDark, sel: newPaint(st.SelectedRow), ok: newPaint(st.OK),
		pending: newPaint(st.Pending), warn: newPaint(st.Warning), bad: newPaint(st.Failed)}
	return &m.paint
}

// status is statusText through the precomputed paints.
func (p *paints) status(s string) string {
	switch s {
	case client.RefundCompleted:
		return p.ok.render(plainStatus(s))
	case client.RefundPending:
		return p.pending.render(plainStatus(s))
	case client.RefundDisputed, client.RefundOverdue:
		return p.warn.render(plainStatus(s))
	case client.RefundCancelled:
		return p.bad.render(plainStatus(s))
	}
	return plainStatus(s)
}

// invoiceStateText renders an invoice state with its symbol.
func invoiceStateText(st *common.Styles, state string) string {
	switch state {
	case "COMPLETE":
		return st.OK.Render(common.SymOK + " " + state)
	case "FAILED", "CANCELED":
		return st.Failed.Render(common.SymFailed + " " + state)
	case "PENDING", "PROCESSING", "RETRY":
		return st.Pending.Render(common.SymPending + " " + state)
	}
	return "• " + state
}

// counts reports whether a refund still holds part of the invoice: the
// simulator and IntaSend's docs free the amount of CANCELLED and DISPUTED
// refunds.
func counts(r client.Refund) bool {
	return r.Status != client.RefundCancelled && r.Status != client.RefundDisputed
}

// invoiceID of a refund, "" when IntaSend left it out.
func invoiceID(r client.Refund) string {
	if r.Invoice != nil && r.Invoice.ID != "" {
		return r.Invoice.ID
	}
	if r.Transaction != nil && r.Transaction.Invoice != nil {
		return r.Transaction.Invoice.ID
	}
	return ""
}

// stamp formats a time in the view's zone.
func (m *Model) stamp(t time.Time, layout string) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(m.c.Now().Location()).Format(layout)
}
