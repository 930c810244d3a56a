package refunds

import (
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
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
	if c.Typed != "100.00" || !c.Danger || c.Perm != common.PermRefund {
		t.Fatalf("confirmation %+v", c)
	}
	for _, want := range []string{halfRefunded, "Daniel Wafula · 254746144478", "Delayed delivery", "KES 50.00 stays refundable"} {
		if !strings.Contains(c.Body+c.Title, want) {
			t.Errorf("confirmation lacks %q: %s / %s", want, c.Title, c.Body)
		}
	}
	if d.m.form != nil {
		t.Fatalf("form still open:\n%s", d.View())
	}
	ts := d.Toasts()
	if len(ts) == 0 || !strings.Contains(ts[len(ts)-1], "of KES 100.00 on V1D8D8F requested (PENDING)") {
		t.Fatalf("toasts %q", ts)
	}

	// The simulator has it, exactly once.
	var mine []sim.RefundInfo
	for _, r := range f.Server.Refunds() {
		if r.InvoiceID == halfRefunded {
			mine = append(mine, r)
		}
	}
	if len(mine) != 2 || mine[1].Amount != client.Units(100) || mine[1].Reason != client.ReasonDelayed || mine[1].Status != client.RefundPending {
		t.Fatalf("simulator refunds of %s: %+v", halfRefunded, mine)
	}
	if inv, _ := f.Server.Invoice(halfRefunded); inv.Refunded != client.Units(250) {
		t.Errorf("simulator says %s refunded", inv.Refunded)
	}
	// The payment, looked up again, leaves KES 50.00.
	if p := d.m.pay; p.remainder() != client.Units(50) || !strings.Contains(d.View(), "Refundable  KES 50.00") {
		t.Errorf("payment after the refund:\n%s", d.View())
	}

	// The list shows it on top, PENDING, then COMPLETED once IntaSend is done.
	d.Press("esc")
	top := d.m.list.rows[0]
	if top.ID != mine[1].ID || top.Amount != client.Units(100) || top.Status != client.RefundPending {
		t.Fatalf("top of the list %+v", top)
	}
	if row := rowWith(d.View(), top.ID); !strings.Contains(row, "KES 100.00") || !strings.Contains(row, "PENDING") {
		t.Errorf("row %q", row)
	}
	f.Advance(time.Minute)
	d.Fire(refreshTickMsg{})
	if row := rowWith(d.View(), top.ID); !strings.Contains(row, "✔ COMPLETED") {
		t.Errorf("after completion, row %q", row)
	}
	for _, r := range f.Server.Refunds() {
		if r.ID == top.ID && r.Status != client.RefundCompleted {
			t.Errorf("simulator status %s", r.Status)
		}
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
	if d.m.form == nil {
		t.Fatalf("no form:\n%s", d.View())
	}
	d.clearField()
	d.TypeText("750")
	d.Press("tab", "tab")
	d.TypeText("customer cancelled")
	d.Press("enter")
	d.confirm()
	fm := d.m.form
	if fm == nil || fm.State != uiform.Editing {
		t.Fatal("the refused refund closed the form")
	}
	if !strings.Contains(fm.Get("amount").Err, "clearing") || fm.Err == "" || fm.Get("amount").Value() != "750" || fm.Get("details").Value() != "customer cancelled" {
		t.Errorf("form after refusal: err %q, amount %q, details %q", fm.Get("amount").Err, fm.Get("amount").Value(), fm.Get("details").Value())
	}
	if v := strings.Join(strings.Fields(d.View()), " "); !strings.Contains(v, "IntaSend:") {
		t.Errorf("IntaSend's message not shown:\n%s", d.View())
	}
	if n := len(f.Server.Refunds()); n != 0 {
		t.Fatalf("%d refunds after a refusal", n)
	}
	if fm.Current() != fm.Get("amount") || !strings.Contains(fm.Get("amount").Err, "cannot cover") {
		t.Errorf("IntaSend named the amount: focus on %s, amount error %q", fm.Current().Key, fm.Get("amount").Err)
	}
	f.Advance(2 * time.Minute)
	d.Press("enter", "enter", "enter") // from the amount IntaSend named, through to submit
	d.confirm()
	if d.m.form != nil || len(f.Server.Refunds()) != 1 || f.Server.Refunds()[0].Amount != client.Units(750) {
		t.Fatalf("after clearing: form %v, refunds %+v", d.m.form != nil, f.Server.Refunds())
	}
	if r := d.m.list.rows; len(r) != 1 || r[0].Amount != client.Units(750) {
		t.Errorf("list %+v", r)
	}
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
