package subscriptions

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

// The small text helpers below follow views/wallets/util.go (copied rather
// than shared: views never import each other, and these are a dozen lines).

// width is the string's width in cells; plain ASCII takes the fast path.
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
	s = truncate(s, w)
	if n := width(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

func padLeft(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = truncate(s, w)
	if n := width(s); n < w {
		s = strings.Repeat(" ", w-n) + s
	}
	return s
}

// paint wraps text in a style's escape codes, computed once: lipgloss's
// Render lays out its input on every call, too slow for every table cell
// of every frame. Only for styles without padding, borders or widths.
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

// reason drops the `invalid amount "x": ` prefix of parse errors, so a
// field's message is the part a person can act on.
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

// wrap breaks text into lines of at most w cells on spaces; a word longer
// than w (a URL) is cut into pieces so nothing is lost.
func wrap(s string, w int) []string {
	var out []string
	var line string
	for _, word := range strings.Fields(s) {
		for r := []rune(word); len(r) > w; r = []rune(word) {
			if line != "" {
				out = append(out, line)
				line = ""
			}
			out = append(out, string(r[:w]))
			word = string(r[w:])
		}
		switch {
		case line == "":
			line = word
		case width(line)+1+width(word) <= w:
			line += " " + word
		default:
			out = append(out, line)
			line = word
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// eat is IntaSend's zone (Nairobi, UTC+3 all year): "today" for a start
// date is the Kenyan day, whatever the console's own zone. Fixed, so it
// needs no tz database.
func eat() *time.Location { return time.FixedZone("EAT", 3*60*60) }

// today is the Kenyan calendar day of now, at midnight EAT.
func today(now time.Time) time.Time {
	y, mo, d := now.In(eat()).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, eat())
}
