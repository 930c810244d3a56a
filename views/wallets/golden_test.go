package wallets

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// -update rewrites testdata/*.golden. teatest's golden package defines the
// same flag in this test binary, so it is defined here only when missing.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/*.golden from the current output")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// terminal sizes and the body the shell gives the view at each (it keeps
// two rows for the header and two for the status bar and help).
var sizes = map[string][2]int{"80x24": {80, 20}, "120x40": {120, 36}, "160x50": {160, 46}}

// TestGolden compares whole screens, colours stripped, against testdata.
// Data comes from a simulator on a fixed clock with a fixed seed, and the
// view's clock is the simulator's, so every run draws the same screens.
// Run `go test ./views/wallets -run Golden -update` after a deliberate change.
func TestGolden(t *testing.T) {
	f := history(t)
	screens := []struct {
		name  string
		sizes []string
		setup func(d *driver)
	}{
		{"list", []string{"80x24", "120x40", "160x50"}, func(d *driver) {}},
		{"list-cursor", []string{"80x24"}, func(d *driver) { d.press("down") }},
		{"wallet", []string{"80x24", "120x40"}, func(d *driver) { d.press("enter") }},
		{"wallet-filter", []string{"80x24", "120x40"}, func(d *driver) {
			d.press("enter", "/")
			d.typeText("payout")
		}},
		{"transfer-invalid", []string{"80x24", "120x40"}, func(d *driver) {
			d.press("t", "tab")
			d.typeText("99,999")
			d.press("tab")
			d.typeText("50% off")
			d.press("enter")
		}},
		{"transfer-filled", []string{"80x24"}, func(d *driver) {
			d.press("t", "right", "tab")
			d.typeText("1500")
			d.press("tab")
			d.typeText("float for the week")
		}},
		{"fund-pending", []string{"80x24", "120x40"}, func(d *driver) {
			d.press("down", "f")
			d.typeText("0708 374 149")
			d.press("tab")
			d.typeText("250")
			d.press("enter")
			d.confirm()
		}},
		{"create", []string{"80x24"}, func(d *driver) {
			d.press("n")
			d.typeText("Payroll")
			d.press("tab")
		}},
	}
	for _, sc := range screens {
		for _, size := range sc.sizes {
			name := sc.name + "_" + size
			t.Run(name, func(t *testing.T) {
				wh := sizes[size]
				d := newDriver(t, f.common(), wh[0], wh[1]).init()
				sc.setup(d)
				got := d.view()
				checkBox(t, got, wh[0], wh[1])
				golden(t, name, got)
			})
		}
	}
}

// checkBox fails when the body spills out of the size it was given.
func checkBox(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		t.Errorf("%d lines in a body of %d", len(lines), h)
	}
	for i, l := range lines {
		if n := len([]rune(l)); n > w { // every glyph used is one cell wide
			t.Errorf("line %d is %d wide (max %d): %q", i, n, w, l)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
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

// TestResize draws every screen at many sizes, down to absurdly small:
// nothing panics and nothing spills out of the body.
func TestResize(t *testing.T) {
	f := history(t)
	setups := map[string]func(d *driver){
		"list":     func(d *driver) {},
		"wallet":   func(d *driver) { d.press("enter") },
		"filter":   func(d *driver) { d.press("enter", "/"); d.typeText("sale") },
		"transfer": func(d *driver) { d.press("t") },
	}
	for name, setup := range setups {
		d := newDriver(t, f.common(), 80, 20).init()
		setup(d)
		for _, wh := range [][2]int{{80, 20}, {20, 5}, {40, 8}, {60, 12}, {100, 30}, {200, 60}, {80, 20}} {
			d.m.SetSize(wh[0], wh[1])
			v := d.view()
			checkBox(t, v, max(wh[0], 20), max(wh[1], 5))
			if !strings.Contains(v, "Wallets") {
				t.Errorf("%s at %dx%d lost its title:\n%s", name, wh[0], wh[1], v)
			}
		}
	}
}
