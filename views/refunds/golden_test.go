package refunds

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/ui/common"
)

// -update rewrites testdata/*.golden from the current output. teatest
// (shell_test.go) brings x/exp/golden, which registers the same flag; use
// that one when it is there.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/*.golden from the current output")
	}
}

func updating() bool {
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

// sizes are terminal sizes and the body the shell gives the view at each.
var sizes = map[string][2]int{"80x24": {80, 20}, "120x40": {120, 36}}

// TestGolden compares whole screens, colours stripped, against testdata.
// The seeded simulator on a fixed clock and seed draws the same data on
// every run. `go test ./views/refunds -run Golden -update` after a
// deliberate change.
func TestGolden(t *testing.T) {
	f := seeded(t)
	screens := []struct {
		name  string
		role  string
		sizes []string
		setup func(d *driver)
	}{
		{"list", "", []string{"80x24", "120x40"}, func(d *driver) {}},
		{"list-filter", "", []string{"80x24"}, func(d *driver) { d.press("/"); d.typeText("completed") }},
		{"detail", "", []string{"80x24", "120x40"}, func(d *driver) { d.press("down", "down", "enter") }},
		{"find", "", []string{"80x24"}, func(d *driver) { d.press("f"); d.typeText("v1d8") }},
		{"find-unknown", "", []string{"80x24"}, func(d *driver) { d.find("NOPE123") }},
		{"payment", "", []string{"80x24", "120x40"}, func(d *driver) { d.find(halfRefunded) }},
		{"payment-viewer", common.RoleViewer, []string{"80x24"}, func(d *driver) { d.find(halfRefunded) }},
		{"form", "", []string{"80x24", "120x40"}, func(d *driver) {
			d.find(halfRefunded)
			d.press("R")
			d.clearField()
			d.typeText("100")
			d.press("tab", "right")
		}},
		{"form-invalid", "", []string{"80x24"}, func(d *driver) {
			d.find(halfRefunded)
			d.press("R")
			d.clearField()
			d.typeText("200")
			d.press("enter", "enter", "enter")
		}},
		{"form-confirming", "", []string{"80x24"}, func(d *driver) {
			d.find(halfRefunded)
			d.press("R", "enter", "enter", "enter")
		}},
	}
	for _, sc := range screens {
		for _, size := range sc.sizes {
			name := sc.name + "_" + size
			t.Run(name, func(t *testing.T) {
				wh := sizes[size]
				d := newDriver(t, f.common(sc.role), wh[0], wh[1])
				sc.setup(d)
				got := d.view()
				checkBox(t, got, wh[0], wh[1])
				golden(t, name, got)
			})
		}
	}
}

func checkBox(t *testing.T, s string, w, h int) {
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

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		os.MkdirAll("testdata", 0o755)
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

// TestResize draws every screen at many sizes: nothing panics or spills.
func TestResize(t *testing.T) {
	f := seeded(t)
	setups := map[string]func(d *driver){
		"list":    func(d *driver) {},
		"detail":  func(d *driver) { d.press("enter") },
		"payment": func(d *driver) { d.find(halfRefunded) },
		"form":    func(d *driver) { d.find(halfRefunded); d.press("R") },
		"find":    func(d *driver) { d.press("f") },
	}
	for name, setup := range setups {
		d := newDriver(t, f.common(""), 80, 20)
		setup(d)
		for _, wh := range [][2]int{{80, 20}, {20, 5}, {40, 8}, {60, 12}, {200, 60}} {
			d.m.SetSize(wh[0], wh[1])
			v := d.view()
			checkBox(t, v, max(wh[0], 20), max(wh[1], 5))
			if !strings.Contains(v, "Refund") {
				t.Errorf("%s at %dx%d lost its title:\n%s", name, wh[0], wh[1], v)
			}
		}
	}
}
