package refunds

import (
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

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
		{"list", "", []string{"80x24", "120x40", "160x50"}, func(d *driver) {}},
		{"list-filter", "", []string{"80x24", "160x50"}, func(d *driver) { d.Press("/"); d.TypeText("completed") }},
		{"detail", "", []string{"80x24", "120x40"}, func(d *driver) { d.Press("down", "down", "enter") }},
		{"find", "", []string{"80x24"}, func(d *driver) { d.Press("f"); d.TypeText("v1d8") }},
		{"find-unknown", "", []string{"80x24"}, func(d *driver) { d.find("NOPE123") }},
		{"payment", "", []string{"80x24", "120x40"}, func(d *driver) { d.find(halfRefunded) }},
		{"payment-viewer", common.RoleViewer, []string{"80x24"}, func(d *driver) { d.find(halfRefunded) }},
		{"form", "", []string{"80x24", "120x40"}, func(d *driver) {
			d.find(halfRefunded)
			d.Press("R")
			d.clearField()
			d.TypeText("100")
			d.Press("tab", "right")
		}},
		{"form-invalid", "", []string{"80x24", "120x40"}, func(d *driver) {
			d.find(halfRefunded)
			d.Press("R")
			d.clearField()
			d.TypeText("200")
			d.Press("enter", "enter", "enter")
		}},
		{"export", "", []string{"80x24", "120x40"}, func(d *driver) { d.Press("E") }},
		{"form-confirming", "", []string{"80x24"}, func(d *driver) {
			d.find(halfRefunded)
			d.Press("R", "enter", "enter", "enter")
		}},
	}
	for _, sc := range screens {
		for _, size := range sc.sizes {
			name := sc.name + "_" + size
			t.Run(name, func(t *testing.T) {
				w, h := tuitest.Body(t, size)
				d := newDriver(t, f.common(sc.role), w, h)
				sc.setup(d)
				got := d.View()
				tuitest.Screen(t, name, got, w, h)
			})
		}
	}
	t.Run("nocolor-list_80x24", func(t *testing.T) {
		w, h := tuitest.Body(t, "80x24")
		d := newDriver(t, f.common(""), w, h)
		d.Press("down")
		tuitest.Golden(t, "nocolor-list_80x24", tuitest.NoColor(t, d.Render()))
	})
}

// TestGoldenRefused: IntaSend's refusal on the form (another agent
// refunded meanwhile), with everything typed kept. Each size gets its own
// simulator: the refusal changes the payment.
func TestGoldenRefused(t *testing.T) {
	for _, size := range []string{"80x24", "120x40"} {
		t.Run(size, func(t *testing.T) {
			f := seeded(t)
			w, h := tuitest.Body(t, size)
			d := newDriver(t, f.common(""), w, h)
			d.find(halfRefunded)
			d.Press("R", "tab", "right", "tab")
			d.TypeText("parcel lost")
			d.Press("enter")
			if _, err := f.Client.CreateRefund(f.Ctx, client.RefundRequest{InvoiceID: halfRefunded, Amount: client.Units(100), Reason: client.ReasonOther}); err != nil {
				t.Fatal(err)
			}
			d.confirm()
			tuitest.Screen(t, "form-refused_"+size, d.View(), w, h)
		})
	}
}

// TestResize draws every screen at many sizes: nothing panics or spills.
func TestResize(t *testing.T) {
	f := seeded(t)
	setups := map[string]func(d *driver){
		"list":    func(d *driver) {},
		"detail":  func(d *driver) { d.Press("enter") },
		"payment": func(d *driver) { d.find(halfRefunded) },
		"form":    func(d *driver) { d.find(halfRefunded); d.Press("R") },
		"find":    func(d *driver) { d.Press("f") },
	}
	for name, setup := range setups {
		d := newDriver(t, f.common(""), 80, 20)
		setup(d)
		for _, wh := range [][2]int{{80, 20}, {20, 5}, {40, 8}, {60, 12}, {200, 60}} {
			d.m.SetSize(wh[0], wh[1])
			v := d.View()
			tuitest.CheckBox(t, v, max(wh[0], 20), max(wh[1], 5))
			if !strings.Contains(v, "Refund") {
				t.Errorf("%s at %dx%d lost its title:\n%s", name, wh[0], wh[1], v)
			}
		}
	}
}
