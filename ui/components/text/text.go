// Package text holds the small cell-width, styling and error-wording helpers
// every view draws with. They are kept cheap: table cells are measured and
// painted every frame, so plain ASCII takes a fast path and styles are
// precomputed (Paint) rather than laid out by lipgloss per cell.
package text

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Width is the string's width in cells. Plain printable ASCII (most cells:
// ids, labels, amounts, dates) is its length; anything else (escape codes,
// wide or combining runes, DEL) takes the exact, slower path.
func Width(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || c < 0x20 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// Truncate cuts a (possibly styled) string to w cells, ending with "…".
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// PadRight fits a plain or styled string into exactly w cells, cutting it
// with "…" or filling it with spaces on the right.
func PadRight(s string, w int) string {
	s = Truncate(s, w)
	if n := Width(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// PadLeft is PadRight filling on the left (numbers in a column).
func PadLeft(s string, w int) string {
	s = Truncate(s, w)
	if n := Width(s); n < w {
		s = strings.Repeat(" ", w-n) + s
	}
	return s
}

// Wrap breaks text into lines of at most w cells on spaces. A word wider
// than w (a URL, a reference) is cut into w-cell pieces, so nothing is lost
// and no line overflows.
func Wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	var line string
	for _, word := range strings.Fields(s) {
		for Width(word) > w {
			if line != "" {
				out = append(out, line)
				line = ""
			}
			head := ansi.Truncate(word, w, "")
			if head == "" { // a single rune wider than w: keep it whole
				head, _ = firstRune(word)
			}
			out = append(out, head)
			word = word[len(head):]
		}
		switch {
		case word == "":
		case line == "":
			line = word
		case Width(line)+1+Width(word) <= w:
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

func firstRune(s string) (string, string) {
	for i := range s {
		if i > 0 {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// FitsByConstruction is the narrowest body whose lines the views fit to the
// width as they build them (their golden and resize tests check it); the
// shell never draws views narrower. Below it ClipFitted measures and cuts
// lines again as a safety net.
const FitsByConstruction = 80

// Clip keeps s to h lines of at most w cells each.
func Clip(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:max(h, 0)]
	}
	for i, l := range lines {
		lines[i] = Truncate(l, w)
	}
	return strings.Join(lines, "\n")
}

// ClipFitted keeps s to h lines, and to w cells when w is below
// FitsByConstruction. Wider bodies are not measured again: that would
// double the cost of a frame. A height below 1 (a view not sized yet)
// keeps every line.
func ClipFitted(s string, w, h int) string {
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
	if w >= FitsByConstruction {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Truncate(l, w)
	}
	return strings.Join(lines, "\n")
}

// Overlay shows panel, centred in w cells, under body's first line (the
// title, which keeps the refresh state). The rest of the body is left out:
// half a table peeking from under a form reads as noise.
func Overlay(body, panel string, w int) string {
	title, _, _ := strings.Cut(body, "\n")
	pad := strings.Repeat(" ", max((w-lipgloss.Width(panel))/2, 0))
	lines := strings.Split(panel, "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return title + "\n" + strings.Join(lines, "\n")
}

// Framed is a screen's body in its w×h box, with panel (a form, a watch,
// a detail; "" for none) over it as Overlay places it.
func Framed(body, panel string, w, h int) string {
	if panel != "" {
		body = Overlay(body, panel, w)
	}
	return ClipFitted(body, w, h)
}

// OrDash is s, or "—" when there is nothing to show.
func OrDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Plural is one when n is 1, else many: Plural(n, "refund", "refunds").
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
