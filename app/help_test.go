package app

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/ui/common"
)

// helpScreens opens the help overlay and pages down to its end, returning
// every frame seen (each checked to fill the screen exactly).
func helpScreens(t *testing.T, m *Model, w, h int) []string {
	t.Helper()
	press(t, m, "?")
	var frames []string
	for range 50 {
		f := ansi.Strip(m.Render())
		checkFrame(t, f, w, h)
		frames = append(frames, f)
		if !strings.Contains(f, "more ↓") {
			press(t, m, "esc")
			return frames
		}
		press(t, m, "pgdown")
	}
	t.Fatal("help never reached its end")
	return nil
}

// shown reports whether a binding's key and description appear together
// on one line of some frame (the key column, spaces, the description).
func shown(frames []string, b key.Binding) bool {
	re := regexp.MustCompile(regexp.QuoteMeta(b.Help().Key) + ` +` + regexp.QuoteMeta(b.Help().Desc))
	for _, f := range frames {
		if re.MatchString(f) {
			return true
		}
	}
	return false
}

// TestHelpShowsEveryBinding: for every view of the console, at 80x24 and
// 120x40, every binding of its FullHelp and of the shell's appears in the
// `?` overlay, after scrolling when it does not fit (Payouts lost
// P/b/o/A/x/E/F and Subscriptions n/x/y at 80x24).
func TestHelpShowsEveryBinding(t *testing.T) {
	_, cl := newSim(t)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		c := &common.Common{Client: cl, Profile: "default", Mode: common.ModeSandbox, Now: func() time.Time { return fixedNow }}
		m := New(c, Options{})
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for i, v := range m.views {
			t.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], v.Title()), func(t *testing.T) {
				m.active = i
				frames := helpScreens(t, m, size[0], size[1])
				want := append(v.FullHelp(), m.keys.FullHelp()...)
				for _, g := range want {
					for _, b := range m.permitted(g) {
						if b.Enabled() && b.Help().Key != "" && !shown(frames, b) {
							t.Errorf("help lacks %q %q; frames:\n%s", b.Help().Key, b.Help().Desc, strings.Join(frames, "\n---\n"))
						}
					}
				}
			})
		}
	}
}

// TestHelpScrolls: content taller than the screen says how much more
// there is, scrolls with ↓/pgdn/end and back with ↑/pgup/home, and never
// scrolls past either end.
func TestHelpScrolls(t *testing.T) {
	m, v := newRecShell(t, "")
	for i := range 40 {
		k := fmt.Sprintf("k%02d", i)
		v[0].help = append(v[0].help, key.NewBinding(key.WithKeys(k), key.WithHelp(k, "binding "+k)))
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	press(t, m, "?")
	top := ansi.Strip(m.Render())
	if !strings.Contains(top, "more ↓") || strings.Contains(top, "above") {
		t.Fatalf("top of a long help:\n%s", top)
	}
	steps := []struct {
		key  string
		want int
	}{
		{"down", 1}, {"j", 2}, {"up", 1}, {"pgdown", 1 + m.helpPage() - 1}, {"pgup", 1}, {"k", 0},
		{"end", len(m.helpLines()) - m.helpPage()}, {"down", len(m.helpLines()) - m.helpPage()}, {"home", 0},
	}
	for _, s := range steps {
		press(t, m, s.key)
		if m.helpOffset != s.want {
			t.Fatalf("after %s: offset %d, want %d", s.key, m.helpOffset, s.want)
		}
	}
	press(t, m, "end")
	bottom := ansi.Strip(m.Render())
	if strings.Contains(bottom, "more ↓") || !strings.Contains(bottom, "above") || !strings.Contains(bottom, "binding k39") {
		t.Fatalf("bottom of a long help:\n%s", bottom)
	}
	if m.active != 0 || len(received[tea.KeyPressMsg](v[0])) != 0 {
		t.Error("scrolling keys leaked to the view")
	}
}
