package collections

import (
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/tuitest"
)

// TestGolden compares whole screens, colours stripped, against testdata.
// The simulator's demo account on a fixed clock and seed, and the view on
// the simulator's clock, make every run draw the same screens.
// Run `go test ./views/collections -run Golden -update` after a deliberate change.
func TestGolden(t *testing.T) {
	both := []string{"80x24", "120x40"}
	all := []string{"80x24", "120x40", "160x50"}
	screens := []struct {
		name  string
		setup func(f *fixture, d *driver)
		sizes []string // nil: both
	}{
		{"list", func(f *fixture, d *driver) {}, all},
		{"arrivals", func(f *fixture, d *driver) {
			f.push(sandboxPhone, client.Units(1250), "ORDER-77001")
			d.requestPush("0700000003", "640", "ORDER-77002")
			f.Advance(3 * time.Second)
			d.Fire(pollTickMsg{})
			f.Advance(8 * time.Second)
			d.Fire(pollTickMsg{})
			d.Press("esc")
		}, all},
		{"filter", func(f *fixture, d *driver) {
			d.Press("/")
			d.TypeText("card")
		}, all},
		{"range-form", func(f *fixture, d *driver) {
			d.Press("d")
			d.TypeText("2026-11-31")
			d.Press("enter")
		}, nil},
		{"range", func(f *fixture, d *driver) { d.setRange("3d", "yesterday") }, nil},
		{"export", func(f *fixture, d *driver) { d.setRange("3d", "yesterday"); d.Press("E") }, nil},
		{"state-complete", func(f *fixture, d *driver) { d.Press("s", "s", "s", "down") }, nil},
		{"detail", func(f *fixture, d *driver) { d.Press("down", "enter") }, nil},
		{"push-invalid", func(f *fixture, d *driver) {
			d.Press("p")
			d.TypeText("0712 34")
			d.Press("tab")
			d.TypeText("12.345")
			d.Press("tab")
			d.TypeText("order #5")
			d.Press("tab", "enter")
		}, nil},
		{"push-pending", func(f *fixture, d *driver) { d.requestPush("0708 374 149", "2500", "INV-2043") }, nil},
		{"push-complete", func(f *fixture, d *driver) {
			d.requestPush("0708 374 149", "2500", "INV-2043")
			for i := 0; i < 10; i++ {
				f.Advance(pollFast)
				d.Fire(pollTickMsg{})
			}
		}, nil},
		{"link", func(f *fixture, d *driver) {
			d.Press("l")
			d.TypeText("2500")
			d.Press("tab")
			d.TypeText("jane@example.com")
			d.Press("tab", "tab", "enter")
			d.Confirm()
		}, nil},
	}
	for _, sc := range screens {
		sizes := sc.sizes
		if sizes == nil {
			sizes = both
		}
		for _, size := range sizes {
			name := sc.name + "_" + size
			t.Run(name, func(t *testing.T) {
				f := seeded(t)
				w, h := tuitest.Body(t, size)
				d := newDriver(t, f.common(), w, h).init()
				sc.setup(f, d)
				got := d.View()
				tuitest.Screen(t, name, got, w, h)
			})
		}
	}
}

// TestGoldenNoColor is the table as a NO_COLOR terminal gets it, with a
// payment just arrived and one failed: "★" and "✖ FAILED · reason" carry
// what colour would, the cursor row is reversed.
func TestGoldenNoColor(t *testing.T) {
	f := seeded(t)
	w, h := tuitest.Body(t, "80x24")
	d := newDriver(t, f.common(), w, h).init()
	f.push(sandboxPhone, client.Units(1250), "ORDER-77001")
	f.Advance(3 * time.Second)
	d.Fire(pollTickMsg{})
	f.Advance(8 * time.Second)
	d.Fire(pollTickMsg{})
	d.Press("down")
	tuitest.Golden(t, "nocolor-list_80x24", tuitest.NoColor(t, d.Render()))
}

// TestResize draws screens at many sizes: nothing panics, nothing spills.
func TestResize(t *testing.T) {
	f := seeded(t)
	setups := map[string]func(d *driver){
		"list":   func(d *driver) {},
		"detail": func(d *driver) { d.Press("enter") },
		"filter": func(d *driver) { d.Press("/"); d.TypeText("mpesa") },
		"push":   func(d *driver) { d.Press("p") },
	}
	for name, setup := range setups {
		d := newDriver(t, f.common(), 80, 20).init()
		setup(d)
		for _, wh := range [][2]int{{80, 20}, {20, 5}, {40, 8}, {60, 12}, {100, 30}, {200, 60}, {80, 20}} {
			d.m.SetSize(wh[0], wh[1])
			v := d.View()
			tuitest.CheckBox(t, v, max(wh[0], 20), max(wh[1], 5))
			if !strings.Contains(v, "Collections") && !strings.Contains(v, "Coll") {
				t.Errorf("%s at %dx%d lost its title:\n%s", name, wh[0], wh[1], v)
			}
		}
	}
}
