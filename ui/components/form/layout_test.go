package form

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

func TestNewLayout(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inner  int
		labels []string
		want   Layout
	}{
		{"widest label plus two", 40, []string{"Phone", "Amount"}, Layout{8, 30}},
		{"values keep eight cells", 12, []string{"A long label"}, Layout{14, 8}},
		{"no labels", 20, nil, Layout{2, 16}},
	} {
		if got := NewLayout(tc.inner, tc.labels...); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestLayoutLines(t *testing.T) {
	st := common.NewStyles(true)
	l := Layout{LabelW: 8, ValueW: 10}
	for _, tc := range []struct {
		name, got, want string
	}{
		{"focused line", l.Line(st, true, "Amount", "12"), "▸ Amount  12"},
		{"line", l.Line(st, false, "Amount", "12"), "  Amount  12"},
		{"error cut to the value column", l.Error(st, "too much money"), "          " + common.SymFailed + " too muc…"},
		{"warning", l.Warning(st, "odd"), "          " + common.SymWarn + " odd"},
		{"hint", l.Hint(st, "→ +254 712"), "          → +254 712"},
	} {
		if got := ansi.Strip(tc.got); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if strings.Contains(tc.name, "cut") && text.Width(tc.got) != 10+l.ValueW {
			t.Errorf("%s: %d cells, want %d", tc.name, text.Width(tc.got), 10+l.ValueW)
		}
	}
}

func TestRefused(t *testing.T) {
	st := common.NewStyles(false)
	for _, tc := range []struct {
		name, msg string
		want      []string
	}{
		{"nothing refused", "", nil},
		{"one line", "Insufficient balance", []string{common.SymFailed + " IntaSend: Insufficient", "balance"}},
	} {
		got := Refused(st, tc.msg, 24)
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %q, want %q", tc.name, got, tc.want)
		}
		for i := range got {
			if ansi.Strip(got[i]) != tc.want[i] {
				t.Errorf("%s: line %d %q, want %q", tc.name, i, ansi.Strip(got[i]), tc.want[i])
			}
		}
	}
}
