// Package text holds the small cell-width, styling and error-wording helpers
// every view draws with. They are kept cheap: table cells are measured and
// painted every frame, so plain ASCII takes a fast path and styles are
// precomputed (Paint) rather than laid out by lipgloss per cell.
package text

import (
	"strings"
	"sync"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Width is the string's width in cells, exactly as ansi.StringWidth
// counts it. Every frame measures every line, and ansi's grapheme
// segmentation was the largest single cost of drawing one (a tenth of a
// keypress's CPU over SSH), so the common case takes a fast path: SGR and
// other CSI sequences count nothing, printable ASCII and the narrow runes
// of narrowRunes (box drawing, sparkline blocks, "·", "…", accented
// letters…) count one each. Anything else (another escape, a control
// character, a wide, combining or joining rune) takes ansi's exact path.
func Width(s string) int {
	if w, ok := fastWidth(s); ok {
		return w
	}
	return ansi.StringWidth(s)
}

// fastWidth is Width when s holds only what the fast path knows; ok is
// false otherwise.
func fastWidth(s string) (w int, ok bool) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			w++
			i++
		case c == 0x1b:
			n := csiLen(s[i:])
			if n == 0 {
				return 0, false
			}
			i += n
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrow(r) {
				return 0, false
			}
			w++
			i += size
		default:
			return 0, false
		}
	}
	return w, true
}

// csiLen is the length of the CSI sequence s starts with (ESC [, parameter
// and intermediate bytes, one final byte), or 0 when s starts with
// anything else.
func csiLen(s string) int {
	if len(s) < 3 || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x20 && c <= 0x3f:
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// narrowRange is where narrow looks: Latin-1 and Latin Extended-A (names),
// general punctuation, currency symbols, arrows, mathematical operators,
// technical symbols, box drawing, blocks, geometric shapes, miscellaneous
// symbols and dingbats (the console's marks and charts).
var narrowRange = [][2]rune{{0xa0, 0x17f}, {0x2010, 0x205e}, {0x20a0, 0x20c0}, {0x2190, 0x23ff}, {0x2500, 0x27bf}}

// narrowRunes marks the runes of narrowRange that ansi itself measures as
// one cell and that never join a neighbour into one grapheme: asked of
// ansi once, on first use, so the fast path cannot disagree with it.
var narrowRunes = sync.OnceValue(func() map[rune]bool {
	set := map[rune]bool{}
	for _, rg := range narrowRange {
		for r := rg[0]; r <= rg[1]; r++ {
			one := string(r)
			if ansi.StringWidth(one) == 1 && ansi.StringWidth("a"+one+"a") == 3 && ansi.StringWidth(one+one) == 2 {
				set[r] = true
			}
		}
	}
	return set
})

func narrow(r rune) bool { return r < 0x2800 && narrowRunes()[r] }

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
