package subscriptions

import (
	"testing"
)

// TestCopyAndClick: y copies the plan, customer or subscription under the
// cursor, except on a subscription waiting to be set up, where the view's
// y copies its setup link; clicks select rows and a second click on a
// subscription opens it, as in Collections and Payouts.
func TestCopyAndClick(t *testing.T) {
	f := newFixture(t, true)
	d := newDriver(t, f.common(""), 80, 20).init()
	subs, plans := d.m.subs.rows, d.m.plans.rows
	if len(subs) < 4 || len(plans) < 2 || !copiesLink(subs[0]) || copiesLink(subs[3]) {
		t.Fatalf("seed changed: %d subscriptions, %d plans", len(subs), len(plans))
	}
	steps := []struct {
		name        string
		do          func()
		label, text string
		open        bool
	}{
		{"pending: the view's y", func() {}, "", "", false},
		{"click the fourth", func() { d.Run(d.m.ClickRow(listTop + 4)) }, "subscription", subs[3].ID, false},
		{"click the header", func() { d.Run(d.m.ClickRow(listTop)) }, "subscription", subs[3].ID, false},
		{"click again opens", func() { d.Run(d.m.ClickRow(listTop + 4)) }, "subscription", subs[3].ID, true},
		{"click a transaction line", func() { d.Run(d.m.ClickRow(detailTop + 1)) }, "subscription", subs[3].ID, true},
		{"back, plans", func() { d.Press("esc", "p") }, "plan", plans[0].ID, false},
		{"click the second plan twice", func() { d.Run(d.m.ClickRow(listTop + 2)); d.Run(d.m.ClickRow(listTop + 2)) }, "plan", plans[1].ID, false},
		{"filter takes y", func() { d.Press("/") }, "", "", false},
	}
	for _, s := range steps {
		s.do()
		label, text := d.m.CopyText()
		if label != s.label || text != s.text || (d.m.detail != nil) != s.open {
			t.Fatalf("%s: copy %q %q, open %v; want %q %q %v\n%s", s.name, label, text, d.m.detail != nil, s.label, s.text, s.open, d.View())
		}
	}
	// The view's own y still copies the pending subscription's link.
	d2 := newDriver(t, f.common(""), 80, 20).init()
	d2.Press("y")
	if got := d2.Clipboard(); got == "" || got != subs[0].SetupURL {
		t.Fatalf("setup link: clipboard %q", got)
	}
}
