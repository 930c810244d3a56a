package form

import (
	"strings"
	"testing"

	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// TestViewGolden draws the sample form, fresh and after a failed submit,
// at the two sizes every screen must survive.
func TestViewGolden(t *testing.T) {
	for _, size := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"120x40", 120, 40}} {
		for _, state := range []string{"fresh", "submitted"} {
			f := sample()
			f.Get("amount").SetValue("4,300")
			f.Get("ref").SetValue("ORDER<1>")
			if state == "submitted" {
				f.Submit()
			}
			v := f.View(common.NewStyles(true), "⠋", size.w)
			tuitest.CheckBox(t, v, size.w, size.h)
			tuitest.Golden(t, "form_"+state+"_"+size.name, tuitest.Strip(v))
		}
	}
}

// TestPlaceholderWithoutColour: under NO_COLOR (what the golden holds: no
// escape codes) a placeholder is in angle brackets, so "e.g. 1,500.00"
// cannot pass for a typed amount; with colour it is faint and italic too.
func TestPlaceholderWithoutColour(t *testing.T) {
	f := sample()
	f.Get("phone").SetValue("0712 345 678")
	f.Check()
	raw := f.View(common.NewStyles(false), "", 80)
	plain := tuitest.Strip(raw)
	tuitest.Golden(t, "form_placeholder_nocolor", plain)
	for _, want := range []string{"<e.g. 1,500.00>", "<ORDER-1042>", "0712 345 678"} {
		if !strings.Contains(plain, want) {
			t.Errorf("screen lacks %q:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "<0712") {
		t.Error("a value is drawn as a placeholder")
	}
	// SGR 2 (faint) and 3 (italic) around the placeholder.
	i := strings.Index(raw, "e.g. 1,500.00")
	if i < 0 || !strings.Contains(raw[max(i-40, 0):i], ";3") && !strings.Contains(raw[max(i-40, 0):i], "[3") {
		t.Errorf("placeholder not italic: %q", raw[max(i-40, 0):min(i+20, len(raw))])
	}
}
