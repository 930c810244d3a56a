package payouts

import (
	"strings"
	"testing"

	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/payout"
)

// composed fills a B2C draft: good rows, one with an error, one warning.
func composed(d *driver) {
	d.addRow("Jane Wanjiku", "0708 374 149", "1500", "salary nov")
	d.addRow("John Otieno", "0711 222 333", "2,000.50", "salary nov")
	d.addRow("Mary Akinyi", "0722 000 111", "980", "a narrative too long for the sms")
	d.addRow("Peter Kamau", "0733 444 555", "12500", "salary nov")
	d.m.comp.insert(2, []payout.Row{{Name: "Grace", Account: "0712 34", AmountText: "300", Narrative: "nov", Line: 4}}, d.m.banks)
	d.Press("home", "down", "down")
}

// attentionSetup runs a batch with a TF105 row and one that ends early,
// then opens the needs-attention queue.
func attentionSetup(d *driver) {
	approvedBatch(d, [3]string{"Jane Wanjiku", okPhone, "1000"}, [3]string{"Otieno Unknown", undeterminedPhone, "2500"})
	d.Press("esc")
	approvedBatch(d, [3]string{"Mary Akinyi", okPhone, "700"}, [3]string{"Stop Here", endEarlyPhone, "300"})
	d.Press("esc", "!")
}

// TestGolden compares whole screens, colours stripped, against testdata.
// Run `go test ./views/payouts -run Golden -update` after a deliberate change.
func TestGolden(t *testing.T) {
	screens := []struct {
		name  string
		sizes []string
		setup func(d *driver)
	}{
		{"compose-empty", []string{"80x24"}, func(d *driver) {}},
		{"compose", []string{"80x24", "120x40", "160x50"}, composed},
		{"compose-form", []string{"80x24", "120x40"}, func(d *driver) {
			composed(d)
			d.Press("a")
			d.TypeText("Ann")
			d.Press("tab")
			d.TypeText("0799")
			d.Press("tab") // left: its error shows
		}},
		// A CSV row opens with what is wrong with it already shown.
		{"row-edit-csv", []string{"80x24", "120x40"}, func(d *driver) {
			composed(d)
			d.Press("e")
		}},
		{"row-pesalink", []string{"80x24", "120x40"}, func(d *driver) {
			d.setRail(payout.PesaLink)
			d.Press("a")
			d.TypeText("Peter Kamau")
			d.Press("tab")
			d.TypeText("0123456789")
			d.Press("tab")
			d.TypeText("68")
		}},
		{"row-bankpicker", []string{"80x24", "120x40"}, func(d *driver) {
			d.setRail(payout.PesaLink)
			d.Press("a", "tab", "tab")
			d.TypeText("equ")
		}},
		{"settings", []string{"80x24", "120x40"}, func(d *driver) { d.Press("s") }},
		{"compose-pesalink", []string{"80x24", "120x40", "160x50"}, func(d *driver) {
			d.setRail(payout.PesaLink)
			d.addRow("Peter Kamau", "0123456789", "1", "25000", "invoice 7")
			d.addRow("Grace Njeri", "5566778899", "68", "1200", "invoice 8")
		}},
		{"compose-b2b", []string{"80x24"}, func(d *driver) {
			d.setRail(payout.B2B)
			d.addRow("KPLC", "888880", "PayBill", "ACC12345", "3200", "power nov")
			d.addRow("Shop", "5678", "TillNumber", "", "700", "stock")
		}},
		{"preview", []string{"80x24", "120x40"}, func(d *driver) {
			d.addRow("Jane Wanjiku", "0708374149", "1000", "nov")
			d.addRow("John Otieno", "0708374149", "234.50", "bonus")
			d.Press("p")
		}},
		{"tracking", []string{"80x24", "120x40", "160x50"}, func(d *driver) {
			d.addRow("Jane Wanjiku", "0708374149", "1000", "nov")
			d.addRow("Bad Number", "0700000002", "234.50", "bonus")
			d.Press("p", "A")
			d.Confirm()
			d.settle()
		}},
		{"import-problems", []string{"80x24", "120x40"}, func(d *driver) {
			path := writeCSV(d.T.(*testing.T), d.f.dir, "nov.csv", "Name,Phone,Amount,Narrative\n"+
				"Jane,0708374149,100,nov\nBad phone,0712 34,100,nov\nJohn,0711222333,abc,nov\n"+
				"Mary,0722000111,250,a narrative longer than the sms\nMary,0722000111,250,nov\n")
			d.Press("i")
			d.TypeText(path)
			d.Press("enter")
		}},
		{"resume", []string{"80x24"}, func(d *driver) {
			d.addRow("Jane", "0708374149", "100", "nov")
			d2 := d.f.open(80, 20)
			d.m = d2.m
		}},
		{"pending", []string{"80x24", "120x40", "160x50"}, func(d *driver) {
			d.addRow("Jane Wanjiku", "0708374149", "1000", "nov")
			d.Press("p", "P")
		}},
		{"attention", []string{"80x24", "120x40", "160x50"}, attentionSetup},
		{"history", []string{"80x24", "120x40", "160x50"}, func(d *driver) {
			attentionSetup(d)
			d.Press("H")
		}},
		{"history-filter", []string{"80x24"}, func(d *driver) {
			attentionSetup(d)
			d.Press("H", "/")
			d.TypeText("ended")
		}},
	}
	for _, sc := range screens {
		for _, size := range sc.sizes {
			name := sc.name + "_" + size
			t.Run(name, func(t *testing.T) {
				f := newFixture(t, fixtureOpt{})
				w, h := tuitest.Body(t, size)
				d := f.open(w, h)
				sc.setup(d)
				tuitest.Screen(t, name, d.View(), w, h)
			})
		}
	}
	t.Run("nocolor-attention_80x24", func(t *testing.T) {
		f := newFixture(t, fixtureOpt{})
		w, h := tuitest.Body(t, "80x24")
		d := f.open(w, h)
		attentionSetup(d)
		tuitest.Golden(t, "nocolor-attention_80x24", tuitest.NoColor(t, d.Render()))
	})
	t.Run("nocolor-history_80x24", func(t *testing.T) {
		f := newFixture(t, fixtureOpt{})
		w, h := tuitest.Body(t, "80x24")
		d := f.open(w, h)
		attentionSetup(d)
		d.Press("H")
		tuitest.Golden(t, "nocolor-history_80x24", tuitest.NoColor(t, d.Render()))
	})
	t.Run("nocolor-compose_80x24", func(t *testing.T) {
		f := newFixture(t, fixtureOpt{})
		w, h := tuitest.Body(t, "80x24")
		d := f.open(w, h)
		composed(d)
		tuitest.Golden(t, "nocolor-compose_80x24", tuitest.NoColor(t, d.Render()))
	})
}

// TestResize draws every screen at many sizes: nothing panics and nothing
// spills out of the body.
func TestResize(t *testing.T) {
	setups := map[string]func(d *driver){
		"compose": composed,
		"form":    func(d *driver) { composed(d); d.Press("a") },
		"preview": func(d *driver) {
			d.addRow("Jane", "0708374149", "1000", "nov")
			d.Press("p")
		},
	}
	for name, setup := range setups {
		f := newFixture(t, fixtureOpt{})
		d := f.open(80, 20)
		setup(d)
		for _, wh := range [][2]int{{80, 20}, {20, 5}, {40, 8}, {60, 12}, {100, 30}, {200, 60}, {80, 20}} {
			d.m.SetSize(wh[0], wh[1])
			v := d.View()
			tuitest.CheckBox(t, v, max(wh[0], 20), max(wh[1], 5))
			if !strings.Contains(v, "Payouts") {
				t.Errorf("%s at %dx%d lost its title:\n%s", name, wh[0], wh[1], v)
			}
		}
	}
}
