package subscriptions

import (
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/tuitest"
)

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
		{"subscriptions", []string{"80x24", "120x40", "160x50"}, func(d *driver) {}},
		{"plans", []string{"80x24", "120x40", "160x50"}, func(d *driver) { d.Press("p") }},
		{"customers", []string{"80x24", "120x40", "160x50"}, func(d *driver) { d.Press("c", "down") }},
		{"filter", []string{"80x24"}, func(d *driver) { d.Press("/"); d.TypeText("gold") }},
		{"transactions", []string{"80x24", "120x40", "160x50"}, func(d *driver) {
			d.Press("/")
			d.TypeText("veg active")
			d.Press("enter", "enter")
		}},
		{"new-subscription", []string{"80x24", "120x40"}, func(d *driver) {
			d.Press("n", "right", "tab", "tab")
			d.clear(2)
			d.TypeText("01")
			d.Press("tab")
		}},
		{"new-plan-invalid", []string{"80x24", "120x40"}, func(d *driver) {
			d.Press("p", "n")
			d.TypeText("Platinum Quarterly")
			d.Press("tab")
			d.TypeText("9,99.5x")
			d.Press("tab")
			d.TypeText("3")
			d.Press("tab", "left", "tab")
			d.TypeText("4")
			d.Press("tab", "enter")
		}},
		// Fresh: every placeholder in angle brackets, so without colour
		// (goldens hold no escape codes: this is the NO_COLOR screen)
		// "Every <e.g. 1>" cannot pass for a value.
		{"new-plan", []string{"80x24", "120x40"}, func(d *driver) { d.Press("p", "n") }},
		{"new-customer", []string{"80x24", "120x40"}, func(d *driver) {
			d.Press("c", "n")
			d.TypeText("amina@example.com")
			d.Press("tab")
			d.TypeText("Amina")
			d.Press("tab", "tab")
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
				w, h := tuitest.Body(t, size)
				d := newDriver(t, f.common(""), w, h).init()
				sc.setup(d)
				got := d.View()
				tuitest.Screen(t, name, got, w, h)
			})
		}
	}
	t.Run("nocolor-subscriptions_80x24", func(t *testing.T) {
		f := newFixture(t, true)
		w, h := tuitest.Body(t, "80x24")
		d := newDriver(t, f.common(""), w, h).init()
		d.Press("down")
		tuitest.Golden(t, "nocolor-subscriptions_80x24", tuitest.NoColor(t, d.Render()))
	})
}

// pendingID is the seeded subscription whose customer never set up.
func pendingID(d *driver) string {
	for _, s := range d.m.subs.rows {
		if s.Status == client.SubscriptionPending {
			return s.ID
		}
	}
	d.T.Fatal("no PENDING subscription in the seed")
	return ""
}

// TestResize draws every screen at many sizes, down to absurdly small:
// nothing panics and nothing spills out of the body.
func TestResize(t *testing.T) {
	f := newFixture(t, true)
	setups := map[string]func(d *driver){
		"subscriptions": func(d *driver) {},
		"plans":         func(d *driver) { d.Press("p") },
		"customers":     func(d *driver) { d.Press("c") },
		"transactions":  func(d *driver) { d.Press("end", "enter") },
		"filter":        func(d *driver) { d.Press("/"); d.TypeText("a") },
		"form":          func(d *driver) { d.Press("n") },
		"setup":         func(d *driver) { d.m.setup = &setupPanel{sub: d.m.subs.rows[0]} },
	}
	for name, setup := range setups {
		d := newDriver(t, f.common(""), 80, 20).init()
		setup(d)
		for _, wh := range [][2]int{{80, 20}, {20, 5}, {40, 8}, {60, 12}, {100, 30}, {200, 60}, {80, 20}} {
			d.m.SetSize(wh[0], wh[1])
			v := d.View()
			tuitest.CheckBox(t, v, max(wh[0], 20), max(wh[1], 5))
			if !strings.Contains(v, "Subscriptions") {
				t.Errorf("%s at %dx%d lost its title:\n%s", name, wh[0], wh[1], v)
			}
		}
	}
}
