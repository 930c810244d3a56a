package tuitest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	// x/exp/golden (brought in by teatest) defines -update when it is
	// initialised. Importing it here makes it initialise first in every
	// test binary, so there is exactly one -update and it is always there.
	_ "github.com/charmbracelet/x/exp/golden"
)

// Strip removes ANSI sequences and each line's trailing spaces: what a
// person sees, in a form goldens and assertions can compare.
func Strip(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// Updating says whether the test binary runs with -update.
func Updating() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	v, _ := g.Get().(bool)
	return v
}

// Golden compares got with testdata/<name>.golden, or rewrites the file
// under -update.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if Updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// CheckBox fails when s spills out of w×h cells (display width, so wide
// characters count double).
func CheckBox(t testing.TB, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		t.Errorf("%d lines in a body of %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d wide (max %d): %q", i, n, w, l)
		}
	}
}

// ShellRows are the rows the shell keeps around a view: two for the header
// and two for the status bar and help.
const ShellRows = 4

// Body is the size of the body the shell gives a view in a terminal of
// size "WxH" (e.g. "80x24" → 80, 20); it fails the test on anything else.
func Body(t testing.TB, size string) (w, h int) {
	t.Helper()
	var tw, th int
	if n, err := fmt.Sscanf(size, "%dx%d", &tw, &th); n != 2 || err != nil || th <= ShellRows {
		t.Fatalf("tuitest: terminal size %q is not WxH", size)
	}
	return tw, th - ShellRows
}

// Screen checks a screen for its golden file: got fits w×h (CheckBox) and
// is testdata/<name>.golden (Golden).
func Screen(t testing.TB, name, got string, w, h int) {
	t.Helper()
	CheckBox(t, got, w, h)
	Golden(t, name, got)
}

// MustContain fails the test unless s holds every one of subs.
func MustContain(t testing.TB, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Fatalf("screen lacks %q:\n%s", sub, s)
		}
	}
}
