package collections

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// terminal sizes and the body the shell gives the view at each.
var sizes = map[string][2]int{"80x24": {80, 20}, "120x40": {120, 36}}

// TestGolden compares whole screens, colours stripped, against testdata.
// The simulator's demo account on a fixed clock and seed, and the view on
// the simulator's clock, make every run draw the same screens.
// Run `go test ./views/collections -run Golden -update` after a deliberate change.
func TestGolden(t *testing.T) {
	both := []string{"80x24", "120x40"}
	screens := []struct {
		name  string
		setup func(f *fixture, d *driver)
	}{
		{"list", func(f *fixture, d *driver) {}},
		{"arrivals", func(f *fixture, d *driver) {
			f.push(sandboxPhone, client.Units(1250), "ORDER-77001")
			d.requestPush("0700000003", "640", "ORDER-77002")
			f.advance(3 * time.Second)
			d.fire(pollTickMsg{})
			f.advance(8 * time.Second)
			d.fire(pollTickMsg{})
			d.press("esc")
		}},
		{"filter", func(f *fixture, d *driver) {
			d.press("/")
			d.typeText("card")
		}},
		{"state-complete", func(f *fixture, d *driver) { d.press("s", "s", "s", "down") }},
		{"detail", func(f *fixture, d *driver) { d.press("down", "enter") }},
		{"push-invalid", func(f *fixture, d *driver) {
			d.press("p")
			d.typeText("0712 34")
			d.press("tab")
			d.typeText("12.345")
			d.press("tab")
			d.typeText("order #5")
			d.press("tab", "enter")
		}},
		{"push-pending", func(f *fixture, d *driver) { d.requestPush("0708 374 149", "2500", "INV-2043") }},
		{"push-complete", func(f *fixture, d *driver) {
			d.requestPush("0708 374 149", "2500", "INV-2043")
			for i := 0; i < 10; i++ {
				f.advance(pollFast)
				d.fire(pollTickMsg{})
			}
		}},
		{"link", func(f *fixture, d *driver) {
			d.press("l")
			d.typeText("2500")
			d.press("tab")
			d.typeText("jane@example.com")
			d.press("tab", "tab", "enter")
			d.confirm()
		}},
	}
	for _, sc := range screens {
		for _, size := range both {
			name := sc.name + "_" + size
			t.Run(name, func(t *testing.T) {
				f := seeded(t)
				wh := sizes[size]
				d := newDriver(t, f.common(), wh[0], wh[1]).init()
				sc.setup(f, d)
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
	if *update {
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

// TestResize draws screens at many sizes: nothing panics, nothing spills.
func TestResize(t *testing.T) {
	f := seeded(t)
	setups := map[string]func(d *driver){
		"list":   func(d *driver) {},
		"detail": func(d *driver) { d.press("enter") },
		"filter": func(d *driver) { d.press("/"); d.typeText("mpesa") },
		"push":   func(d *driver) { d.press("p") },
	}
	for name, setup := range setups {
		d := newDriver(t, f.common(), 80, 20).init()
		setup(d)
		for _, wh := range [][2]int{{80, 20}, {20, 5}, {40, 8}, {60, 12}, {100, 30}, {200, 60}, {80, 20}} {
			d.m.SetSize(wh[0], wh[1])
			v := d.view()
			checkBox(t, v, max(wh[0], 20), max(wh[1], 5))
			if !strings.Contains(v, "Collections") && !strings.Contains(v, "Coll") {
				t.Errorf("%s at %dx%d lost its title:\n%s", name, wh[0], wh[1], v)
			}
		}
	}
}
