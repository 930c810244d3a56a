package collections

import (
	"github.com/malipo/malipo/internal/testcheck"
	uiform "github.com/malipo/malipo/ui/components/form"

	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/ui/common"
)

// TestSTKPushCompletes is the whole path through the simulator over HTTP:
// the form, the confirmation, the push, polling on the manual clock, and
// the row ending COMPLETE with its net amount, in the list and the sim.
func TestSTKPushCompletes(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	d.Press("p")
	d.TypeText("0708 374 149")
	testcheck.Contains(t, "the form (the normalised number)", d.View(), "→ +254 708 374 149")
	d.Press("tab")
	d.TypeText("2,500")
	d.Press("tab")
	d.TypeText("INV-2043")
	d.Press("tab")
	d.TypeText("Two bags of feed")
	d.Press("enter")
	c := d.Confirm()
	testcheck.Check(t, "confirmation", c, testcheck.C("PermCollect", c.Perm == common.PermCollect),
		testcheck.C("the number in the body", strings.Contains(c.Body, "+254 708 374 149")), testcheck.C("the amount in the title", strings.Contains(c.Title, "KES 2,500.00")))
	testcheck.Expect(t, "after confirming", d.View(), testcheck.C("the form closed", d.m.form == nil), testcheck.C("a payment watched", d.m.watch != nil))
	id := d.m.watch.id
	for i := 0; i < 20 && !d.m.watchFinal(); i++ {
		f.Advance(pollFast)
		d.Fire(pollTickMsg{})
	}
	inv, ok := f.Server.Invoice(id)
	testcheck.Expect(t, "simulator invoice", inv, testcheck.C("found", ok), testcheck.C("COMPLETE", inv.State == "COMPLETE"),
		testcheck.C("api_ref INV-2043", inv.APIRef == "INV-2043"), testcheck.C("value 2,500", inv.Value == client.Units(2500)))
	r := d.row(id)
	testcheck.Check(t, fmt.Sprintf("row %s net %s, sim net %s", r.inv.State, r.inv.NetAmount, inv.NetAmount), r.inv,
		testcheck.C("COMPLETE", r.inv.State == client.InvoiceComplete), testcheck.C("the simulator's net", r.inv.NetAmount == inv.NetAmount),
		testcheck.C("net 2,500 - 75", r.inv.NetAmount == client.Units(2500)-client.Units(75)))
	testcheck.Contains(t, "watch panel", d.View(), "✔ COMPLETE", "Net        KES 2,425.00", "M-Pesa ref "+inv.MpesaReference)
	testcheck.Contains(t, "toasts", strings.Join(d.Toasts(), "\n"), "Received KES 2,500.00")
	d.Press("esc")
	testcheck.Contains(t, "row", lineWith(d.View(), id), "2,500.00", "75.00", "2,425.00", "INV-2043", "✔ COMPLETE", common.SymNew)
	// Later polls see the SALE line too and merge it into the same row.
	f.Advance(pollEvery)
	d.Fire(pollTickMsg{})
	testcheck.Check(t, "the feed's SALE line merged into the row", d.row(id).txID,
		testcheck.C("a transaction id", d.row(id).txID != ""), testcheck.C("one row", strings.Count(d.View(), id) == 1))
}

func lineWith(v, s string) string {
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// TestBadInputKeepsWhatWasTyped: malformed phones and amounts get a clear
// message under the field, nothing is sent, and the text stays as typed.
func TestBadInputKeepsWhatWasTyped(t *testing.T) {
	f := seeded(t)
	cases := []struct {
		phone, amount string
		want          []string
	}{
		{"0712 34", "100", []string{"too short"}},
		{"+1 415 555 0100", "100", []string{"not a Kenyan number"}},
		{"0812345678", "100", []string{"not a mobile number"}},
		{"0712a45678", "100", []string{"unexpected character"}},
		{"0708374149", "12.345", []string{"more than two decimal places"}},
		{"0708374149", "ten", []string{"only digits"}},
		{"0708374149", "0.50", []string{"at least KES 1.00"}},
		{"0708374149", "150,000.01", []string{"at most KES 150,000.00"}},
		{"", "", []string{"a phone number is required", "an amount is required"}},
	}
	for _, tc := range cases {
		t.Run(tc.phone+"/"+tc.amount, func(t *testing.T) {
			d := newDriver(t, f.common(), 120, 36).init()
			d.Press("p")
			d.TypeText(tc.phone)
			d.Press("tab")
			d.TypeText(tc.amount)
			d.Press("tab", "tab", "enter")
			if d.Last(reflect.TypeFor[common.ConfirmMsg]()) != nil {
				t.Fatal("an invalid form asked for confirmation")
			}
			v := d.View()
			for _, w := range tc.want {
				if !strings.Contains(v, w) {
					t.Errorf("no %q:\n%s", w, v)
				}
			}
			fm := d.m.form
			if fm == nil || fm.Get("phone").Value() != tc.phone || fm.Get("amount").Value() != tc.amount {
				t.Errorf("what was typed was not kept")
			}
		})
	}
	// A reference IntaSend would refuse is caught before sending too.
	d := newDriver(t, f.common(), 120, 36).init()
	d.Press("p")
	d.TypeText("0708374149")
	d.Press("tab")
	d.TypeText("10")
	d.Press("tab")
	d.TypeText("order #5")
	d.Press("tab", "enter")
	if !strings.Contains(d.View(), "only letters, digits, '-', '_' and spaces") {
		t.Errorf("bad api_ref not flagged:\n%s", d.View())
	}
}

// TestFailedPushShowsReason: a magic failing number ends FAILED with
// M-Pesa's reason in the watch, the toast and the row.
func TestFailedPushShowsReason(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 160, 46).init()
	d.requestPush("254700000002", "100", "")
	for i := 0; i < 20 && !d.m.watchFinal(); i++ {
		f.Advance(pollFast)
		d.Fire(pollTickMsg{})
	}
	const reason = "Request cancelled by user"
	if v := d.View(); !strings.Contains(v, "✖ FAILED · "+reason) {
		t.Errorf("watch:\n%s", v)
	}
	if got := strings.Join(d.Toasts(), "\n"); !strings.Contains(got, reason) {
		t.Errorf("toasts: %s", got)
	}
	d.Press("esc")
	if l := lineWith(d.View(), d.m.firstID()); !strings.Contains(l, reason) || !strings.Contains(l, "—") {
		t.Errorf("row: %q", l)
	}
}

func (m *Model) firstID() string {
	if r := m.st.rows[0]; r != nil {
		return r.inv.ID
	}
	return ""
}

// TestCheckoutLink creates a link and copies it through OSC 52.
func TestCheckoutLink(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	d.Press("l")
	d.TypeText("2500")
	d.Press("tab")
	d.TypeText("jane@example.com")
	d.Press("tab")
	d.TypeText("Jane Wanjiru")
	d.Press("tab", "enter")
	d.Confirm()
	if d.m.link == nil {
		t.Fatalf("no link shown:\n%s", d.View())
	}
	url := d.m.link.co.URL
	if !strings.HasPrefix(url, "https://sandbox.intasend.com/checkout/") || !strings.Contains(d.View(), url) {
		t.Errorf("url %q not shown whole:\n%s", url, d.View())
	}
	d.Press("c")
	if clip := d.Clipboard(); clip != url {
		t.Errorf("clipboard got %q, want %q", clip, url)
	}
	if !strings.Contains(d.View(), "copied") {
		t.Errorf("no copied mark:\n%s", d.View())
	}
}

// TestRefusedPushKeepsForm: IntaSend's refusal (here a 429) lands on the
// form with what was typed; an ambiguous failure is never re-sent.
func TestRefusedPushKeepsForm(t *testing.T) {
	f := newFixture(t, morning(), sim.Options{})
	d := newDriver(t, f.common(), 120, 36).init()
	f.Server.SetFaults([]sim.Fault{{Route: "mpesa-stk-push", Kind: sim.TooMany}})
	d.requestPush("0708374149", "100", "")
	fm := d.m.form
	if fm == nil || fm.Err == "" || fm.State != uiform.Editing || fm.Get("phone").Value() != "0708374149" {
		t.Fatalf("form after a refused push: %+v\n%s", fm, d.View())
	}
	if !strings.Contains(d.View(), "IntaSend:") {
		t.Errorf("the refusal is not on the form:\n%s", d.View())
	}

	// The connection drops after IntaSend took the request: the outcome
	// is unknown, so the push is not repeated and the user is told.
	f.Server.SetFaults([]sim.Fault{{Route: "mpesa-stk-push", Kind: sim.DropAfter}})
	d.Press("enter") // submit again from the last field
	d.Confirm()
	e, ok := d.Last(reflect.TypeFor[common.ErrorMsg]()).(common.ErrorMsg)
	if !ok || !strings.Contains(e.Title, "outcome unknown") || !strings.Contains(e.Err.Error(), "not sent again") {
		t.Errorf("ambiguous push: %#v", e)
	}
	if n := len(f.Server.Invoices()); n != 1 {
		t.Errorf("%d invoices in the simulator, want exactly 1", n)
	}
}

// TestGeneratedCollectionsArrive is demo mode: the simulator's generator
// makes customers pay in, and they appear without a keypress as polls run.
func TestGeneratedCollectionsArrive(t *testing.T) {
	f := newFixture(t, morning(), sim.Options{Seed: true, Generator: true, Rand: 3, FailureRate: 0.1})
	d := newDriver(t, f.common(), 120, 36).init()
	before := len(d.m.st.rows)
	fresh := 0
	for i := 0; i < 24; i++ { // two minutes of polling
		f.Advance(pollEvery)
		if d.Fire(pollTickMsg{}) != 1 {
			t.Fatalf("poll %d: the timer was not re-armed", i)
		}
	}
	for _, r := range d.m.st.rows {
		if !r.newUntil.IsZero() {
			fresh++
		}
	}
	if got := len(d.m.st.rows) - before; got < 5 || fresh != got {
		t.Errorf("%d payments arrived in two minutes (%d marked new), want several", got, fresh)
	}
	if d.m.sum.today.count <= 4 {
		t.Errorf("today's totals did not move: %+v", d.m.sum.today)
	}
}
