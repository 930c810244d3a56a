package wallets

import (
	"strings"
	"testing"

	"github.com/malipo/malipo/internal/tuitest"
)

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
		{"list-cursor", []string{"80x24"}, func(d *driver) { d.Press("down") }},
		{"wallet", []string{"80x24", "120x40", "160x50"}, func(d *driver) { d.Press("enter") }},
		{"wallet-line", []string{"80x24", "160x50"}, func(d *driver) { d.Press("enter", "down", "down", "enter") }},
		{"wallet-filter", []string{"80x24", "120x40"}, func(d *driver) {
			d.Press("enter", "/")
			d.TypeText("payout")
		}},
		{"wallet-range-form", []string{"80x24", "120x40"}, func(d *driver) {
			d.Press("enter", "d")
			d.TypeText("7d")
			d.Press("tab")
			d.TypeText("yesterdy")
			d.Press("enter")
		}},
		{"wallet-range", []string{"80x24", "120x40"}, func(d *driver) { d.Press("enter"); d.setRange("2026-11-20", "today") }},
		{"wallet-export", []string{"80x24", "120x40"}, func(d *driver) { d.Press("enter"); d.setRange("2026-11-20", "today"); d.Press("E") }},
		{"transfer-invalid", []string{"80x24", "120x40"}, func(d *driver) {
			d.Press("t", "tab")
			d.TypeText("99,999")
			d.Press("tab")
			d.TypeText("50% off")
			d.Press("enter")
		}},
		{"transfer-filled", []string{"80x24"}, func(d *driver) {
			d.Press("t", "right", "tab")
			d.TypeText("1500")
			d.Press("tab")
			d.TypeText("float for the week")
		}},
		{"fund-pending", []string{"80x24", "120x40"}, func(d *driver) {
			d.Press("down", "f")
			d.TypeText("0708 374 149")
			d.Press("tab")
			d.TypeText("250")
			d.Press("enter")
			d.Confirm()
		}},
		{"create", []string{"80x24"}, func(d *driver) {
			d.Press("n")
			d.TypeText("Payroll")
			d.Press("tab")
		}},
	}
	for _, sc := range screens {
		for _, size := range sc.sizes {
			name := sc.name + "_" + size
			t.Run(name, func(t *testing.T) {
				w, h := tuitest.Body(t, size)
				d := newDriver(t, f.common(), w, h).init()
				sc.setup(d)
				got := d.View()
				tuitest.Screen(t, name, got, w, h)
			})
		}
	}
}

// TestGoldenNoColor is the statement as a NO_COLOR terminal gets it: no
// colour survives; amounts keep their sign, statuses their symbol, the
// cursor row its "▸" and reverse video.
func TestGoldenNoColor(t *testing.T) {
	f := history(t)
	w, h := tuitest.Body(t, "80x24")
	d := newDriver(t, f.common(), w, h).init()
	d.Press("enter", "down")
	tuitest.Golden(t, "nocolor-wallet_80x24", tuitest.NoColor(t, d.Render()))
}

// TestResize draws every screen at many sizes, down to absurdly small:
// nothing panics and nothing spills out of the body.
func TestResize(t *testing.T) {
	f := history(t)
	setups := map[string]func(d *driver){
		"list":     func(d *driver) {},
		"wallet":   func(d *driver) { d.Press("enter") },
		"filter":   func(d *driver) { d.Press("enter", "/"); d.TypeText("sale") },
		"transfer": func(d *driver) { d.Press("t") },
	}
	for name, setup := range setups {
		d := newDriver(t, f.common(), 80, 20).init()
		setup(d)
		for _, wh := range [][2]int{{80, 20}, {20, 5}, {40, 8}, {60, 12}, {100, 30}, {200, 60}, {80, 20}} {
			d.m.SetSize(wh[0], wh[1])
			v := d.View()
			tuitest.CheckBox(t, v, max(wh[0], 20), max(wh[1], 5))
			if !strings.Contains(v, "Wallets") {
				t.Errorf("%s at %dx%d lost its title:\n%s", name, wh[0], wh[1], v)
			}
		}
	}
}
