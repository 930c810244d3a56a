package text

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

func TestWidthMatchesAnsi(t *testing.T) {
	red := lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Render("KES 5.00")
	for _, s := range widthSeeds(red) {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}

// widthSeeds are strings on both sides of Width's fast path: what frames
// hold (styled text, rules, sparklines, marks, accented names) and what
// must fall back to ansi (wide, combining and joining runes, variation
// selectors, control characters, OSC links, cut or 8-bit escapes).
func widthSeeds(styled string) []string {
	return []string{"", "abc", "KES 1,234.50", "−KES 5.00", "✔ COMPLETE", "日本語", "e\u0301", "a\x7fb", styled, "⭐ 2",
		"\x1b[1;38;2;230;230;230m  Payroll\x1b[m  ─────", "▁▂▃▅▇█ · ▲ in ▼ out", "José Müller · Œuvre", "● live · ✖ 3 failed …",
		"✔\ufe0f done", "a\u200db", "👍🏽", "🇰🇪", "\x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\", "\x1b[", "\x1b[12", "\x1bM",
		"\x9b31m", "tab\there", "line\nbreak", "\u00ad soft", "\u2060joined", "\u20dd ring", "\u2e3a long dash"}
}

// TestWidthRandom builds random strings from the pieces frames are made
// of, and from what must fall back, and holds Width to ansi on each.
func TestWidthRandom(t *testing.T) {
	pieces := append(widthSeeds(""), "a", " ", "─", "│", "·", "…", "é", "€", "→", "█", "\x1b[m", "\x1b[0;1;4m", "\x1b[38;5;203m",
		"\u0301", "\u200d", "\ufe0f", "中", "\t", "\x1b[?25l")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Fatalf("Width(%q) = %d, ansi says %d", s, got, want)
		}
	}
}

// FuzzWidth: go test -fuzz FuzzWidth ./ui/components/text/
func FuzzWidth(f *testing.F) {
	for _, s := range widthSeeds("\x1b[31mred\x1b[m") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Fatalf("Width(%q) = %d, ansi says %d", s, got, want)
		}
	})
}

// TestNarrowRunesCoverTheMarks: the console's own marks and chart blocks
// take the fast path (a mark ansi counts otherwise would silently slow
// every frame down, not break it; this says so).
func TestNarrowRunesCoverTheMarks(t *testing.T) {
	for _, r := range "─│·…▁▂▃▄▅▆▇█▲▼●✔✖⚠é" {
		if !narrow(r) {
			t.Errorf("%q (U+%04X) is not on the fast path", r, r)
		}
	}
}

// BenchmarkWidth is Width beside ansi.StringWidth (the baseline) on a
// styled table line: go test -run '^$' -bench Width ./ui/components/text/
func BenchmarkWidth(b *testing.B) {
	line := "\x1b[38;2;230;230;230m  Payroll  · José\x1b[m  WORKING  KES 57,190.00  ▁▂▃▅▇  ✔ ok  ─────────"
	b.Run("text.Width", func(b *testing.B) {
		for b.Loop() {
			_ = Width(line)
		}
	})
	b.Run("ansi.StringWidth", func(b *testing.B) {
		for b.Loop() {
			_ = ansi.StringWidth(line)
		}
	})
}

func TestTruncatePad(t *testing.T) {
	for _, tc := range []struct {
		in          string
		w           int
		trunc, r, l string
	}{
		{"hello", 10, "hello", "hello     ", "     hello"},
		{"hello", 5, "hello", "hello", "hello"},
		{"hello world", 5, "hell…", "hell…", "hell…"},
		{"hello", 0, "", "", ""},
		{"hello", -1, "", "", ""},
		{"", 3, "", "   ", "   "},
		{"日本語", 4, "日…", "日… ", " 日…"},
	} {
		if got := Truncate(tc.in, tc.w); got != tc.trunc {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.trunc)
		}
		if got := PadRight(tc.in, tc.w); got != tc.r {
			t.Errorf("PadRight(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.r)
		}
		if got := PadLeft(tc.in, tc.w); got != tc.l {
			t.Errorf("PadLeft(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.l)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in   string
		w    int
		want []string
	}{
		{"", 10, nil},
		{"one two three", 7, []string{"one two", "three"}},
		{"one   two", 20, []string{"one two"}},
		{"see https://example.com/x now", 10, []string{"see", "https://ex", "ample.com/", "x now"}},
		{"日本語です", 4, []string{"日本", "語で", "す"}},
		{"anything", 0, nil},
	} {
		got := Wrap(tc.in, tc.w)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
		}
		for _, l := range got {
			if Width(l) > tc.w {
				t.Errorf("Wrap(%q, %d): line %q is wider than %d", tc.in, tc.w, l, tc.w)
			}
		}
	}
}

func TestClip(t *testing.T) {
	long := "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	for _, tc := range []struct {
		name        string
		in          string
		w, h        int
		exact, fits string
	}{
		{"lines", "a\nb\nc", 10, 2, "a\nb", "a\nb"},
		{"narrow", "abcdef\nxy", 4, 5, "abc…\nxy", "abc…\nxy"},
		{"wide trusted", long, 90, 1, long[:89] + "…", long},
		{"no height", "a\nb", 10, 0, "", "a\nb"}, // ClipFitted: not sized yet, nothing cut
	} {
		if got := Clip(tc.in, tc.w, tc.h); got != tc.exact {
			t.Errorf("%s: Clip = %q, want %q", tc.name, got, tc.exact)
		}
		if got := ClipFitted(tc.in, tc.w, tc.h); got != tc.fits {
			t.Errorf("%s: ClipFitted = %q, want %q", tc.name, got, tc.fits)
		}
	}
}

func TestOverlayOrDashPlural(t *testing.T) {
	if got, want := Overlay("Title\nbody\nmore", "ab\nabcd", 8), "Title\n  ab\n  abcd"; got != want {
		t.Errorf("Overlay = %q, want %q", got, want)
	}
	for _, tc := range []struct{ in, want string }{{"", "—"}, {"x", "x"}} {
		if got := OrDash(tc.in); got != tc.want {
			t.Errorf("OrDash(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "refunds"}, {1, "refund"}, {2, "refunds"}} {
		if got := Plural(tc.n, "refund", "refunds"); got != tc.want {
			t.Errorf("Plural(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// TestPaintMatchesLipgloss checks the precomputed escapes are exactly what
// lipgloss would draw, for every table style in both themes.
func TestPaintMatchesLipgloss(t *testing.T) {
	for _, dark := range []bool{true, false} {
		st := common.NewStyles(dark)
		for name, s := range map[string]lipgloss.Style{"row": st.Row, "selected": st.SelectedRow, "in": st.MoneyIn,
			"out": st.MoneyOut, "faint": st.Faint, "ok": st.OK, "failed": st.Failed, "pending": st.Pending,
			"warning": st.Warning, "header": st.TableHeader, "new": st.NewRow, "plain": lipgloss.NewStyle()} {
			for _, text := range []string{"KES 1,234.50", "−KES 5.00", "▸ default  SETTLEMENT", ""} {
				if got, want := NewPaint(s).Render(text), s.Render(text); got != want {
					t.Errorf("dark=%v %s: paint %q, lipgloss %q", dark, name, got, want)
				}
				if pre, _, _ := strings.Cut(s.Render("\ue000"), "\ue000"); NewPaint(s).Resume() != pre {
					t.Errorf("dark=%v %s: Resume %q, want %q", dark, name, NewPaint(s).Resume(), pre)
				}
			}
		}
	}
}

func TestErrors(t *testing.T) {
	refused := &client.APIError{Status: 400, Detail: "Amount too small"}
	for _, tc := range []struct {
		name      string
		err       error
		text      string
		reachable bool
	}{
		{"refused", fmt.Errorf("send: %w", refused), refused.Message(), true},
		{"field", fmt.Errorf("wrap: %w", &client.APIError{Status: 400, Detail: "Insufficient balance",
			Errors: []client.ErrorDetail{{Attr: "amount"}}}), "amount: Insufficient balance", true},
		{"server", &client.APIError{Status: 502, Detail: "bad gateway"}, "bad gateway", false},
		{"throttled", &client.APIError{Status: 429, Detail: "slow down"}, "slow down", false},
		{"network", errors.New("dial tcp: refused"), "dial tcp: refused", false},
	} {
		if got := ErrText(tc.err); got != tc.text {
			t.Errorf("%s: ErrText = %q, want %q", tc.name, got, tc.text)
		}
		if got := Reachable(tc.err); got != tc.reachable {
			t.Errorf("%s: Reachable = %v, want %v", tc.name, got, tc.reachable)
		}
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		if got := Health(tc.err, at)(); got != (common.HealthMsg{OK: tc.reachable, At: at}) {
			t.Errorf("%s: Health = %#v", tc.name, got)
		}
	}
	if !Reachable(nil) {
		t.Error("Reachable(nil) = false")
	}
	for _, tc := range []struct{ in, want string }{
		{`invalid amount "1.234": more than two decimals`, "more than two decimals"},
		{"phone is required", "phone is required"},
	} {
		if got := Reason(errors.New(tc.in)); got != tc.want {
			t.Errorf("Reason(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestFramed: with no panel the body is only clipped to its box; a panel
// keeps the body's title line, is centred under it and hides the rest.
func TestFramed(t *testing.T) {
	body := "Title\nrow 1\nrow 2\nrow 3"
	tests := []struct {
		name, panel string
		h           int
		want        string
	}{
		{"no panel", "", 3, "Title\nrow 1\nrow 2"},
		{"panel", "form", 3, "Title\n   form"},
		{"panel clipped", "a\nb\nc", 2, "Title\n    a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Framed(body, tt.panel, 10, tt.h); got != tt.want {
				t.Fatalf("Framed = %q, want %q", got, tt.want)
			}
		})
	}
}
