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

// truncate cuts a (possibly styled) string to w cells, ending with "…".
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// padRight and padLeft fit a plain or styled string into exactly w cells.
func padRight(s string, w int) string {
	s = truncate(s, w)
	if n := lipgloss.Width(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

func padLeft(s string, w int) string {
	s = truncate(s, w)
	if n := lipgloss.Width(s); n < w {
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

// cut returns s's substring before the first newline.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
