package subscriptions

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// terminal sizes and the body the shell gives the view at each (two rows
// for the header, two for the status bar and help).
var sizes = map[string][2]int{"80x24": {80, 20}, "120x40": {120, 36}}

// TestGolden compares whole screens, colours stripped, against testdata.
// Data comes from the seeded simulator on a fixed clock and seed, and the
// view's clock is the simulator's, so every run draws the same screens.
// Run `go test ./views/subscriptions -run Golden -update` after a
// deliberate change.
func TestGolden(t *testing.T) {
	screens := []struct {
		name  string
		sizes []string
		setup func(d *driver)
	}{
		{"subscriptions", []string{"80x24", "120x40"}, func(d *driver) {}},
		{"plans", []string{"80x24", "120x40"}, func(d *driver) { d.press("p") }},
		{"customers", []string{"80x24", "120x40"}, func(d *driver) { d.press("c", "down") }},
		{"filter", []string{"80x24"}, func(d *driver) { d.press("/"); d.typeText("gold") }},
		{"transactions", []string{"80x24", "120x40"}, func(d *driver) {
			d.press("/")
			d.typeText("veg active")
			d.press("enter", "enter")
		}},
		{"new-subscription", []string{"80x24", "120x40"}, func(d *driver) {
			d.press("n", "right", "tab", "tab")
			d.clear(2)
			d.typeText("01")
			d.press("tab")
		}},
		{"new-plan-invalid", []string{"80x24", "120x40"}, func(d *driver) {
			d.press("p", "n")
			d.typeText("Platinum Quarterly")
			d.press("tab")
			d.typeText("9,99.5x")
			d.press("tab")
			d.typeText("3")
			d.press("tab", "left", "tab")
			d.typeText("4")
			d.press("tab", "enter")
		}},
		{"new-customer", []string{"80x24"}, func(d *driver) {
			d.press("c", "n")
			d.typeText("amina@example.com")
			d.press("tab")
			d.typeText("Amina")
			d.press("tab", "tab")
		}},
		{"setup-link", []string{"80x24", "120x40"}, func(d *driver) {
			sb, _ := d.m.subs.byID(pendingID(d))
			d.m.setup = &setupPanel{sub: sb}
		}},
	}
	for _, sc := range screens {
		for _, size := range sc.sizes {
			name := sc.name + "_" + size
			t.Run(name, func(t *testing.T) {
				f := newFixture(t, true)
				wh := sizes[size]
				d := newDriver(t, f.common(""), wh[0], wh[1]).init()
				sc.setup(d)
				got := d.view()
				checkBox(t, got, wh[0], wh[1])
				golden(t, name, got)
			})
		}
	}
}

// pendingID is the seeded subscription whose customer never set up.
func pendingID(d *driver) string {
	for _, s := range d.m.subs.rows {
		if s.Status == client.SubscriptionPending {
			return s.ID
		}
	}
	d.t.Fatal("no PENDING subscription in the seed")
	return ""
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

// TestResize draws every screen at many sizes, down to absurdly small:
// nothing panics and nothing spills out of the body.
func TestResize(t *testing.T) {
	f := newFixture(t, true)
	setups := map[string]func(d *driver){
		"subscriptions": func(d *driver) {},
		"plans":         func(d *driver) { d.press("p") },
		"customers":     func(d *driver) { d.press("c") },
		"transactions":  func(d *driver) { d.press("end", "enter") },
		"filter":        func(d *driver) { d.press("/"); d.typeText("a") },
		"form":          func(d *driver) { d.press("n") },
		"setup":         func(d *driver) { d.m.setup = &setupPanel{sub: d.m.subs.rows[0]} },
	}
	for name, setup := range setups {
		d := newDriver(t, f.common(""), 80, 20).init()
		setup(d)
		for _, wh := range [][2]int{{80, 20}, {20, 5}, {40, 8}, {60, 12}, {100, 30}, {200, 60}, {80, 20}} {
			d.m.SetSize(wh[0], wh[1])
			v := d.view()
			checkBox(t, v, max(wh[0], 20), max(wh[1], 5))
			if !strings.Contains(v, "Subscriptions") {
				t.Errorf("%s at %dx%d lost its title:\n%s", name, wh[0], wh[1], v)
			}
		}
	}
}
