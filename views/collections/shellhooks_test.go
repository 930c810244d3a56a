package collections

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// received are the payments the view reported to the shell.
func received(d *driver) map[string]client.Amount {
	out := map[string]client.Amount{}
	for _, msg := range d.Shell {
		if p, ok := msg.(common.PaymentReceivedMsg); ok {
			out[p.Invoice] = p.Amount
		}
	}
	return out
}

// The view reports each collection that completes while it watches, once,
// whatever its size (the shell applies the threshold); the history of the
// first load and failed payments are never reported.
func TestCompletedPaymentsAreReported(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	if got := received(d); len(got) != 0 {
		t.Fatalf("the first load reported %d payments: history is not news", len(got))
	}
	big := f.push(sandboxPhone, client.Units(15_000), "BIG")
	small := f.push(sandboxPhone, client.Units(50), "SMALL")
	failed := f.push(failPhone, client.Units(20_000), "NOFUNDS")
	for range 3 {
		f.Advance(10 * time.Second)
		d.Fire(pollTickMsg{})
	}
	got := received(d)
	want := map[string]client.Amount{big: client.Units(15_000), small: client.Units(50)}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("reported %v, want %v (not the failed %s)", got, want, failed)
	}
	if n := d.Count(reflect.TypeFor[common.PaymentReceivedMsg]()); n != 2 {
		t.Fatalf("%d reports, want each payment once", n)
	}
}

// lineOf is the body line that shows id.
func lineOf(t *testing.T, d *driver, id string) int {
	t.Helper()
	for y, l := range strings.Split(d.View(), "\n") {
		if strings.Contains(l, id) {
			return y
		}
	}
	t.Fatalf("%s not on screen:\n%s", id, d.View())
	return -1
}

func TestClickRowSelectsThenOpens(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 20}, {120, 36}} {
		f := seeded(t)
		d := newDriver(t, f.common(), size.w, size.h).init()
		d.Press("down") // scrolled a little: rows are found by what is drawn
		target := d.m.view.at(d.m.st, 3)
		y := lineOf(t, d, target.inv.ID)
		d.Run(d.m.ClickRow(y))
		if d.m.selected() != target || d.m.detail != nil {
			t.Fatalf("%dx%d: first click: cursor on %d, detail %v; want row 3 selected", size.w, size.h, d.m.tbl.Cursor(), d.m.detail != nil)
		}
		d.Run(d.m.ClickRow(y))
		if d.m.detail == nil || !strings.Contains(d.View(), "Payment "+target.inv.ID) {
			t.Fatalf("%dx%d: second click did not open the row:\n%s", size.w, size.h, d.View())
		}
		for _, y := range []int{0, 1, lineOf(t, d, "Payment "+target.inv.ID)} {
			d.Run(d.m.ClickRow(y)) // over the detail: nothing
		}
		if d.m.detail == nil || d.m.selected() != target {
			t.Fatal("a click through the open detail changed the list")
		}
	}
}

func TestClickOutsideRows(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	for _, y := range []int{0, 1, 2, 3, 100} {
		d.Run(d.m.ClickRow(y))
		if d.m.tbl.Cursor() != 0 || d.m.detail != nil {
			t.Fatalf("a click on body line %d moved the cursor to %d", y, d.m.tbl.Cursor())
		}
	}
}

func TestCopyTextIsTheInvoiceUnderTheCursor(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	d.Press("down", "down")
	want := d.m.selected().inv.ID
	if label, id := d.m.CopyText(); label != "invoice" || id != want {
		t.Fatalf("CopyText = %q %q, want invoice %q", label, id, want)
	}
	d.Press("enter")
	if _, id := d.m.CopyText(); id != want {
		t.Fatalf("with the detail open CopyText = %q, want %q", id, want)
	}
}
