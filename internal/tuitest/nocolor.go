package tuitest

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

// NoColor is s as a NO_COLOR terminal gets it: Bubble Tea's Ascii profile
// drops every colour and keeps bold, reverse and underline. The result is
// a golden's content, escapes and all: it shows which words carry a status
// and which row the cursor's reverse marks, with no colour to help.
func NoColor(t testing.TB, s string) string {
	t.Helper()
	var b strings.Builder
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.Ascii}
	if _, err := w.WriteString(s); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// A foreground or background colour in an SGR sequence.
	colorSGR := regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:[;m])`)
	if colorSGR.MatchString(out) {
		t.Fatalf("a colour survived NO_COLOR: %q", out)
	}
	return out
}
