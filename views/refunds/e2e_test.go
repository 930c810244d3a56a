package refunds

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
)

// TestEndToEndPartialRefund is the done-when for refunds: a
// support agent finds a seeded payment, refunds part of what is left
// through the form and the typed confirmation, and sees it in the refunds
// list with the right amount and status; the simulator's own records agree.
func TestEndToEndPartialRefund(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(common.RoleSupport), 120, 36)
	d.find(halfRefunded)
	d.Press("R")
	d.clearField()
	d.TypeText("100")
	d.Press("tab", "right") // reason: Delayed delivery
	d.Press("tab")
	d.TypeText("second half of the late order")
	d.Press("enter")
	c := d.confirm()
	testcheck.Expect(t, "confirmation", c, testcheck.C("typed 100.00", c.Typed == "100.00"), testcheck.C("dangerous", c.Danger), testcheck.C("PermRefund", c.Perm == common.PermRefund))
	testcheck.Contains(t, "confirmation", c.Body+c.Title, halfRefunded, "Daniel Wafula · 254746144478", "Delayed delivery", "KES 50.00 stays refundable")
	testcheck.Expect(t, "form after confirming", d.View(), testcheck.C("closed", d.m.form == nil))
	ts := d.Toasts()
	testcheck.Expect(t, "toasts", ts, testcheck.C("some", len(ts) != 0))
	testcheck.Expect(t, "toasts", ts, testcheck.C("the last says it was requested", strings.Contains(ts[len(ts)-1], "of KES 100.00 on V1D8D8F requested (PENDING)")))

	mine := checkSimRefunded(t, f)
	// The payment, looked up again, leaves KES 50.00.
	testcheck.Check(t, "payment after the refund", d.View(), testcheck.C("KES 50.00 left", d.m.pay.remainder() == client.Units(50)),
		testcheck.C("shown refundable", strings.Contains(d.View(), "Refundable  KES 50.00")))
	checkListedThenCompleted(t, f, d, mine.ID)
}

// checkSimRefunded: the simulator has the new refund of halfRefunded,
// exactly once, and the invoice's refunded total; it returns the refund.
func checkSimRefunded(t *testing.T, f *fixture) sim.RefundInfo {
	t.Helper()
	var mine []sim.RefundInfo
	for _, r := range f.Server.Refunds() {
		if r.InvoiceID == halfRefunded {
			mine = append(mine, r)
		}
	}
	testcheck.Expect(t, "simulator refunds of "+halfRefunded, mine, testcheck.C("two (the seeded and the new)", len(mine) == 2))
	testcheck.Expect(t, "simulator refunds of "+halfRefunded, mine, testcheck.C("KES 100", mine[1].Amount == client.Units(100)),
		testcheck.C("reason delayed", mine[1].Reason == client.ReasonDelayed), testcheck.C("PENDING", mine[1].Status == client.RefundPending))
	inv, _ := f.Server.Invoice(halfRefunded)
	testcheck.Check(t, "simulator refunded total", inv.Refunded, testcheck.C("KES 250", inv.Refunded == client.Units(250)))
	return mine[1]
}

// checkListedThenCompleted: the list shows refund id on top, PENDING, then
// COMPLETED once IntaSend is done, as the simulator says.
func checkListedThenCompleted(t *testing.T, f *fixture, d *driver, id string) {
	t.Helper()
	d.Press("esc")
	top := d.m.list.rows[0]
	testcheck.Expect(t, "top of the list", top, testcheck.C("the new refund", top.ID == id), testcheck.C("KES 100", top.Amount == client.Units(100)),
		testcheck.C("PENDING", top.Status == client.RefundPending))
	testcheck.Contains(t, "row", rowWith(d.View(), top.ID), "KES 100.00", "PENDING")
	f.Advance(time.Minute)
	d.Fire(refreshTickMsg{})
	testcheck.Contains(t, "row after completion", rowWith(d.View(), top.ID), "✔ COMPLETED")
	for _, r := range f.Server.Refunds() {
		testcheck.Check(t, "simulator status", r.Status, testcheck.C("COMPLETED", r.ID != top.ID || r.Status == client.RefundCompleted))
	}
}

func rowWith(view, s string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// TestRefundStillClearing: a sale that has just completed is still
// clearing, so IntaSend refuses the refund; the form keeps what was typed
// and shows IntaSend's message; once cleared the same form goes through.
func TestRefundStillClearing(t *testing.T) {
	f := newFixture(t, false)
	inv := f.pay(client.Units(2000), false)
	d := newDriver(t, f.common(""), 80, 20)
	d.Feed(common.OpenRefundMsg{InvoiceID: inv})
	testcheck.Expect(t, "the form", d.View(), testcheck.C("open", d.m.form != nil))
	d.clearField()
	d.TypeText("750")
	d.Press("tab", "tab")
	d.TypeText("customer cancelled")
	d.Press("enter")
	d.confirm()
	fm := d.m.form
	testcheck.Expect(t, "the refused refund", fm, testcheck.C("kept the form", fm != nil))
	testcheck.Expect(t, "the refused refund", fm.State, testcheck.C("left it editing", fm.State == uiform.Editing))
	amount := fm.Get("amount")
	testcheck.Check(t, fmt.Sprintf("form after refusal: err %q, amount %q, details %q", amount.Err, amount.Value(), fm.Get("details").Value()), fm.Err,
		testcheck.C("the amount says clearing", strings.Contains(amount.Err, "clearing")), testcheck.C("a form error", fm.Err != ""),
		testcheck.C("the amount kept", amount.Value() == "750"), testcheck.C("the details kept", fm.Get("details").Value() == "customer cancelled"))
	testcheck.Contains(t, "screen (IntaSend's message)", strings.Join(strings.Fields(d.View()), " "), "IntaSend:")
	n := len(f.Server.Refunds())
	testcheck.Expect(t, "refunds after a refusal", n, testcheck.C("none", n == 0))
	testcheck.Check(t, fmt.Sprintf("IntaSend named the amount: focus on %s, amount error %q", fm.Current().Key, amount.Err), fm.Current().Key,
		testcheck.C("focus on the amount", fm.Current() == amount), testcheck.C("the amount error says cannot cover", strings.Contains(amount.Err, "cannot cover")))
	f.Advance(2 * time.Minute)
	d.Press("enter", "enter", "enter") // from the amount IntaSend named, through to submit
	d.confirm()
	refunds := f.Server.Refunds()
	testcheck.Expect(t, fmt.Sprintf("after clearing: form %v", d.m.form != nil), refunds, testcheck.C("the form closed", d.m.form == nil),
		testcheck.C("one refund", len(refunds) == 1))
	testcheck.Expect(t, "after clearing", refunds, testcheck.C("of KES 750", refunds[0].Amount == client.Units(750)))
	r := d.m.list.rows
	testcheck.Check(t, "list", r, testcheck.C("one row", len(r) == 1), testcheck.C("of KES 750", len(r) == 1 && r[0].Amount == client.Units(750)))
}

// TestRefundRefusedByIntaSend: IntaSend's own cap (someone else refunded
// meanwhile) is shown on the form, which keeps what was typed.
func TestRefundRefusedByIntaSend(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 80, 20)
	d.find(halfRefunded)
	d.Press("R", "enter", "enter", "enter") // 150.00, first reason, no details
	// Meanwhile another agent refunds KES 100.
	if _, err := f.Client.CreateRefund(f.Ctx, client.RefundRequest{InvoiceID: halfRefunded, Amount: client.Units(100), Reason: client.ReasonOther}); err != nil {
		t.Fatal(err)
	}
	d.confirm()
	fm := d.m.form
	if fm == nil || !strings.Contains(fm.Get("amount").Err, "at most KES 50.00 can be refunded") || fm.Get("amount").Value() != "150.00" {
		t.Fatalf("form %+v\n%s", fm, d.View())
	}
}

// TestAmbiguousRefund: the connection drops after IntaSend took the
// refund. The view never sends it again, looks the invoice up again and
// says that it went through.
func TestAmbiguousRefund(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 80, 20)
	d.find(halfRefunded)
	d.Press("R")
	d.clearField()
	d.TypeText("40")
	d.Press("enter", "enter", "enter")
	f.Server.SetFaults([]sim.Fault{{Route: "POST chargebacks/", Kind: sim.DropAfter, Rate: 1}})
	d.confirm()
	f.Server.SetFaults(nil)
	if n := f.Server.Counters().Requests["POST chargebacks/"]; n != 1 {
		t.Fatalf("%d refund requests: it was retried", n)
	}
	if d.m.form != nil {
		t.Error("the form stayed open after an unclear answer (a second enter could refund twice)")
	}
	e, ok := d.Last(typeOf[common.ErrorMsg]()).(common.ErrorMsg)
	if !ok || e.Title != "Refund outcome unknown" || !strings.Contains(e.Err.Error(), "was not sent again") {
		t.Errorf("error panel %+v", e)
	}
	ts := d.Toasts()
	if len(ts) == 0 || !strings.Contains(ts[len(ts)-1], "did go through") || !strings.Contains(ts[len(ts)-1], "KES 40.00") {
		t.Errorf("toasts %q", ts)
	}
	if p := d.m.pay; p.remainder() != client.Units(110) {
		t.Errorf("payment left %s after the unclear refund", p.remainder())
	}
	if d.m.list.rows[0].Amount != client.Units(40) {
		t.Errorf("list not refreshed: top %+v", d.m.list.rows[0])
	}
}

// TestAmbiguousRefundNotTaken: the connection drops before IntaSend saw
// it; the view says no new refund was found.
func TestAmbiguousRefundNotTaken(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 80, 20)
	d.find(halfRefunded)
	d.Press("R", "enter", "enter", "enter")
	f.Server.SetFaults([]sim.Fault{{Route: "POST chargebacks/", Kind: sim.DropBefore, Rate: 1}})
	d.confirm()
	f.Server.SetFaults(nil)
	ts := d.Toasts()
	if len(ts) == 0 || !strings.Contains(ts[len(ts)-1], "No new refund of KES 150.00") {
		t.Errorf("toasts %q", ts)
	}
	if len(f.Server.Refunds()) != 4 {
		t.Error("a refund appeared")
	}
}

// TestCancelledConfirmation: cancelling the dialog goes back to the form
// as it was; nothing is sent.
func TestCancelledConfirmation(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 80, 20)
	d.find(halfRefunded)
	d.Press("R", "enter", "enter", "enter")
	c, _ := d.Last(typeOf[common.ConfirmMsg]()).(common.ConfirmMsg)
	if d.m.form.State != uiform.Confirming || d.m.QuitWarning() == "" && false {
		t.Fatal("not waiting for confirmation")
	}
	d.Feed(c.OnCancel)
	if d.m.form == nil || d.m.form.State != uiform.Editing || d.m.form.Get("amount").Value() != "150.00" {
		t.Fatal("cancel did not return to the form")
	}
	d.Feed(c.OnConfirm) // a stale confirmation after cancel does nothing
	if len(f.Server.Refunds()) != 4 {
		t.Error("a cancelled confirmation sent the refund")
	}
}
