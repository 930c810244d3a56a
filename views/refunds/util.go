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

// truncate cuts a (possibly styled) string to w cells, ending with "…".
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// padRight and padLeft fit a plain or styled string into exactly w cells.
func padRight(s string, w int) string {
	s = truncate(s, w)
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

func padLeft(s string, w int) string {
	s = truncate(s, w)
	if n := ansi.StringWidth(s); n < w {
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
		return st.OK.Render(common.SymOK + " " + status)
	case client.RefundPending:
		return st.Pending.Render(common.SymPending + " " + status)
	case client.RefundDisputed, client.RefundOverdue:
		return st.Warning.Render(common.SymWarn + " " + status)
	case client.RefundCancelled:
		return st.Failed.Render(common.SymFailed + " " + status)
	case "":
		return st.Faint.Render("?")
	}
	return "• " + status
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
