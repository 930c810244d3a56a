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

// TestListLoads: the seeded refunds, newest first, status as word and symbol.
func TestListLoads(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 120, 36)
	if n := len(d.m.list.rows); n != 4 {
		t.Fatalf("%d refunds loaded, want 4", n)
	}
	v := d.View()
	for _, want := range []string{"… PENDING", "! DISPUTED", "✔ COMPLETED", "KES 1,058.00", "Duplicate payment", "4 refunds loaded"} {
		if !strings.Contains(v, want) {
			t.Errorf("list lacks %q:\n%s", want, v)
		}
	}
	if d.m.list.rows[0].Status != client.RefundPending {
		t.Errorf("newest first: top is %+v", d.m.list.rows[0])
	}
	if d.m.Capturing() || d.m.Title() != "Refunds" {
		t.Error("list must not capture; title Refunds")
	}
}

// TestFilter: `/` filters loaded rows as you type, enter keeps, esc clears.
func TestFilter(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 120, 36)
	d.Press("/")
	if !d.m.Capturing() {
		t.Fatal("filter does not capture")
	}
	d.TypeText("completed")
	if n := d.m.list.shown(); n != 2 {
		t.Errorf("completed → %d rows", n)
	}
	d.Press("enter")
	if d.m.Capturing() || d.m.list.shown() != 2 {
		t.Errorf("enter: capturing %v, %d rows", d.m.Capturing(), d.m.list.shown())
	}
	d.Press("/")
	d.TypeText(" duplicate")
	if n := d.m.list.shown(); n != 1 || !strings.Contains(d.View(), "1 match") {
		t.Errorf("completed duplicate → %d rows:\n%s", n, d.View())
	}
	d.Press("esc")
	if d.m.list.shown() != 4 || d.m.list.filter.Query() != "" {
		t.Errorf("esc: %d rows, query %q", d.m.list.shown(), d.m.list.filter.Query())
	}
	// By amount and by invoice id.
	d.Press("/")
	d.TypeText("1058")
	if d.m.list.shown() != 1 {
		t.Errorf("1058 → %d rows", d.m.list.shown())
	}
	d.Press("esc", "/")
	d.TypeText(strings.ToLower(halfRefunded))
	if d.m.list.shown() != 1 {
		t.Errorf("invoice id → %d rows", d.m.list.shown())
	}
	d.Press("esc", "/")
	d.TypeText("zzz")
	if v := d.View(); !strings.Contains(v, `no refund matches "zzz"`) {
		t.Errorf("no-match view:\n%s", v)
	}
}

// TestPaging: 105 refunds come in two pages of IntaSend's 100; the second
// loads when the cursor nears the end.
func TestPaging(t *testing.T) {
	f := newFixture(t, false)
	inv := f.pay(client.Units(1000), true)
	for i := 0; i < 105; i++ {
		f.refund(t, inv, client.Units(1))
	}
	d := newDriver(t, f.common(""), 80, 20)
	wantLoaded(t, "first load", d, 100, 2)
	testcheck.Contains(t, "footer", d.View(), "100 of 105 refunds loaded", "more below")
	d.Press("pgdown")
	testcheck.Check(t, "after pgdown, far from the end", len(d.m.list.rows), testcheck.C("no more loaded", len(d.m.list.rows) == 100))
	d.Press("end")
	wantLoaded(t, "after end", d, 105, 0)
	seen := map[string]bool{}
	for _, r := range d.m.list.rows {
		testcheck.Expect(t, "refund "+r.ID, r, testcheck.C("listed once", !seen[r.ID]))
		seen[r.ID] = true
	}
	// A new refund lands on top on refresh, without losing the loaded pages
	// or the cursor's row.
	cur, _ := d.m.list.selected()
	f.refund(t, inv, client.Units(2))
	d.Run(d.m.Refresh())
	n := len(d.m.list.rows)
	testcheck.Check(t, fmt.Sprintf("after refresh: %d rows", n), d.m.list.rows[0], testcheck.C("106 rows", n == 106), testcheck.C("the new one on top", d.m.list.rows[0].Amount == client.Units(2)))
	now, _ := d.m.list.selected()
	testcheck.Check(t, "cursor", now.ID, testcheck.C("still on "+cur.ID, now.ID == cur.ID))
}

// refund makes a refund of amount on inv outside the console.
func (f *fixture) refund(t *testing.T, inv string, amount client.Amount) {
	t.Helper()
	if _, err := f.Client.CreateRefund(f.Ctx, client.RefundRequest{InvoiceID: inv, Amount: amount, Reason: client.ReasonOther}); err != nil {
		t.Fatal(err)
	}
}

// wantLoaded stops the test unless the list holds rows rows and its next
// page is next (0: none).
func wantLoaded(t *testing.T, what string, d *driver, rows, next int) {
	t.Helper()
	n, nx := len(d.m.list.rows), d.m.list.next
	testcheck.Expect(t, fmt.Sprintf("%s: %d rows, next %d", what, n, nx), n, testcheck.C(fmt.Sprint(rows, " rows"), n == rows), testcheck.C(fmt.Sprint("next ", next), nx == next))
}

// TestDetail: enter reads the refund again and shows every field; p opens
// its payment; esc goes back.
func TestDetail(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 80, 20)
	before := f.Server.Counters().Requests["GET chargebacks/{id}/"]
	d.Press("down", "down") // the half refund of V1D8D8F
	d.Press("enter")
	if f.Server.Counters().Requests["GET chargebacks/{id}/"] != before+1 {
		t.Error("the detail did not read the refund again")
	}
	v := d.View()
	for _, want := range []string{"Refund ZZ7RHP9", "✔ COMPLETED — Refunded to customer", "KES 150.00", "V1D8D8F", "paid KES 300.00",
		"Delayed delivery", "Order arrived a week late", "Sale line"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}
	d.Press("p")
	if d.m.screen() != scrPayment || d.m.pay.id != halfRefunded || d.m.pay.status == nil {
		t.Fatalf("p did not open the payment:\n%s", d.View())
	}
	d.Press("esc")
	if d.m.screen() != scrList {
		t.Errorf("esc from the payment: screen %v", d.m.screen())
	}
	d.Press("enter", "esc")
	if d.m.screen() != scrList {
		t.Errorf("esc from the detail: screen %v", d.m.screen())
	}
}

// TestFindPayment: the payment with what is refunded and what is left.
func TestFindPayment(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 120, 36)
	d.find(strings.ToLower(halfRefunded)) // typed in lower case
	if d.m.find != nil || d.m.screen() != scrPayment {
		t.Fatalf("lookup did not open the payment:\n%s", d.View())
	}
	v := d.View()
	for _, want := range []string{"Payment V1D8D8F", "M-PESA", "✔ COMPLETE", "Daniel Wafula · 254746144478", "KES 300.00",
		"charges KES 9.00", "net KES 291.00", "Refunds of this payment (1)", "ZZ7RHP9", "Refunded    KES 150.00",
		"Refundable  KES 150.00", "R refund"} {
		if !strings.Contains(v, want) {
			t.Errorf("payment lacks %q:\n%s", want, v)
		}
	}
	// A DISPUTED refund frees its amount again.
	d.Press("f")
	d.TypeText("RS94C9D")
	d.Press("enter")
	if p := d.m.pay; p.refunded() != 0 || p.remainder() != client.Units(2150) {
		t.Errorf("disputed: refunded %s, left %s", p.refunded(), p.remainder())
	}
}

// TestFindBadInput: unknown and malformed ids get a clear message and the
// box keeps what was typed.
func TestFindBadInput(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 80, 20)
	calls := func() int { return f.Server.Counters().Requests["POST payment/status/"] }
	cases := []struct{ typed, want string }{
		{"NOPE123", "No payment with invoice id NOPE123"},
		{"AB-12", "letters and digits only"},
		{"", "type the invoice id"},
	}
	for _, tc := range cases {
		d.Press("f")
		d.TypeText(tc.typed)
		before := calls()
		d.Press("enter")
		if d.m.find == nil {
			t.Fatalf("%q: the box closed", tc.typed)
		}
		if !strings.Contains(d.m.find.err, tc.want) || d.m.find.input.Value() != tc.typed {
			t.Errorf("%q: error %q, box holds %q", tc.typed, d.m.find.err, d.m.find.input.Value())
		}
		if !strings.Contains(strings.Join(strings.Fields(d.View()), " "), tc.want) {
			t.Errorf("%q: the message is not on screen:\n%s", tc.typed, d.View())
		}
		if tc.typed != "NOPE123" && calls() != before {
			t.Errorf("%q: asked IntaSend about a malformed id", tc.typed)
		}
		d.Press("esc")
		if d.m.find != nil || d.m.screen() != scrList {
			t.Fatal("esc did not close the box")
		}
	}
}

// TestFormBadInput: amounts above what is left, malformed or zero are
// refused inline, nothing is sent, and the form keeps what was typed.
func TestFormBadInput(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 80, 20)
	d.find(halfRefunded)
	d.Press("R")
	testcheck.Expect(t, "R", d.View(), testcheck.C("opened the form", d.m.form != nil))
	got := d.m.form.Get("amount").Value()
	testcheck.Check(t, "amount default", got, testcheck.C("what is left, 150.00", got == "150.00"))
	cases := []struct{ typed, want string }{
		{"150.01", "more than the KES 150.00 left to refund"},
		{"1,000", "more than the KES 150.00 left to refund"},
		{"12.345", "decimal"},
		{"abc", ""},
		{"0", "must be more than zero"},
		{"-5", "must be more than zero"},
		{"", "an amount is required"},
	}
	// The cases share the one form, in order: a case that closed it stops
	// the rest.
	for _, tc := range cases {
		if !t.Run(tc.typed, func(t *testing.T) { checkBadAmount(t, d, tc.typed, tc.want) }) && d.m.form == nil {
			t.Fatalf("%q closed the form", tc.typed)
		}
	}
	// Details are capped at IntaSend's 255 characters as they are typed.
	d.m.form.Focus(2)
	d.TypeText(strings.Repeat("x", 260))
	n := len(d.m.form.Get("details").Value())
	testcheck.Check(t, fmt.Sprintf("details hold %d characters", n), n, testcheck.C("capped", n == uiform.ReasonDetailsMax))
	// esc closes the form without sending.
	d.Press("esc")
	testcheck.Check(t, "esc", d.m.form, testcheck.C("closed the form", d.m.form == nil), testcheck.C("sent nothing", len(f.Server.Refunds()) == 4))
}

// checkBadAmount types a bad amount and submits: the form stays editing
// on the amount with an inline error, keeps what was typed and asks for
// no confirmation.
func checkBadAmount(t *testing.T, d *driver, typed, want string) {
	t.Helper()
	d.m.form.Focus(0)
	d.clearField()
	d.TypeText(typed)
	d.Press("tab", "tab", "enter") // to details, submit
	fm := d.m.form
	testcheck.Expect(t, "form", fm, testcheck.C("open", fm != nil))
	testcheck.Expect(t, "form", fm.State, testcheck.C("editing", fm.State == uiform.Editing))
	amount := fm.Get("amount")
	testcheck.Check(t, "amount error", amount.Err, testcheck.C("set", amount.Err != ""), testcheck.C("saying "+want, strings.Contains(amount.Err, want)))
	testcheck.Check(t, fmt.Sprintf("form holds %q, focus %d", amount.Value(), fm.Focused()), fm, testcheck.C("what was typed", amount.Value() == typed),
		testcheck.C("focus on the amount", fm.Focused() == 0))
	testcheck.Expect(t, "confirmation", d.Last(typeOf[common.ConfirmMsg]()), testcheck.C("none asked for", d.Last(typeOf[common.ConfirmMsg]()) == nil))
	testcheck.Check(t, "inline error on screen:\n"+d.View(), amount.Err, testcheck.C("✖ shown", amount.Err == "" || strings.Contains(d.View(), "✖ ")))
}

// TestReasonPicker: ←/→ cycle IntaSend's five reasons.
func TestReasonPicker(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 80, 20)
	d.find(halfRefunded)
	d.Press("R", "tab")
	seen := map[string]bool{}
	for range reasons {
		seen[d.m.form.Value("reason")] = true
		d.Press("right")
	}
	if len(seen) != 5 || d.m.form.Value("reason") != reasons[0] {
		t.Errorf("right cycled through %v, back at %s", seen, d.m.form.Value("reason"))
	}
	d.Press("left")
	if d.m.form.Value("reason") != client.ReasonOther {
		t.Errorf("left from the first is %s", d.m.form.Value("reason"))
	}
	if !d.m.Capturing() || d.m.QuitWarning() == "" {
		t.Error("an edited form must capture keys and warn before quitting")
	}
}

// TestRefusals: a payment that is not COMPLETE, or fully refunded, opens no
// form and says why.
func TestRefusals(t *testing.T) {
	f := seeded(t)
	r, err := f.Client.STKPush(f.Ctx, client.STKPushRequest{Phone: sandboxPhone, Amount: client.Units(50)})
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, f.common(""), 80, 20)
	d.find(r.Invoice.ID)
	d.Press("R")
	if d.m.form != nil {
		t.Fatal("form opened on a PENDING payment")
	}
	if ts := d.Toasts(); len(ts) == 0 || !strings.Contains(ts[len(ts)-1], "Only COMPLETE payments can be refunded") {
		t.Errorf("toasts %q", ts)
	}
	// A PENDING refund holds its amount: the seeded one took all of it.
	d.find(pendingRefund)
	d.Press("R")
	if d.m.form != nil || !strings.Contains(d.View(), "Nothing left to refund: KES 1,058.00 of KES 1,058.00") {
		t.Errorf("payment with a PENDING full refund:\n%s", d.View())
	}
	// Refund all that is left, then nothing is.
	if _, err := f.Client.CreateRefund(f.Ctx, client.RefundRequest{InvoiceID: halfRefunded, Amount: client.Units(150), Reason: client.ReasonOther}); err != nil {
		t.Fatal(err)
	}
	d.find(halfRefunded)
	d.Press("R")
	if d.m.form != nil || !strings.Contains(d.View(), "Nothing left to refund") {
		t.Errorf("fully refunded payment:\n%s", d.View())
	}
}

// TestRoleWithoutRefund: a viewer can look but the refund key is unbound
// (not in help, does nothing), and the hand-off opens no form.
func TestRoleWithoutRefund(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(common.RoleViewer), 80, 20)
	for _, b := range d.m.ShortHelp() {
		if b.Help().Key == "R" && b.Enabled() {
			t.Error("R is in a viewer's help")
		}
	}
	d.Feed(common.OpenRefundMsg{InvoiceID: halfRefunded})
	if d.m.form != nil || d.m.screen() != scrPayment {
		t.Fatalf("viewer hand-off: form %v, screen %v", d.m.form != nil, d.m.screen())
	}
	d.Press("R")
	if d.m.form != nil {
		t.Fatal("R opened the form for a viewer")
	}
	if v := d.View(); !strings.Contains(v, "Your role cannot refund") {
		t.Errorf("payment for a viewer:\n%s", v)
	}
	// Support may refund.
	d2 := newDriver(t, f.common(common.RoleSupport), 80, 20)
	d2.Feed(common.OpenRefundMsg{InvoiceID: halfRefunded})
	if d2.m.form == nil {
		t.Error("support cannot refund")
	}
}

// TestOpenRefundMsg: the hand-off from a collection row opens the form on
// that invoice with what is left; a malformed id is refused.
func TestOpenRefundMsg(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 80, 20)
	d.Press("f") // a find box open when the hand-off arrives is replaced
	d.Feed(common.OpenRefundMsg{InvoiceID: " v1d8d8f "})
	if d.m.find != nil || d.m.form == nil || d.m.form.invoice.ID != halfRefunded || d.m.form.Get("amount").Value() != "150.00" {
		t.Fatalf("hand-off:\n%s", d.View())
	}
	d.Press("esc")
	d.Feed(common.OpenRefundMsg{InvoiceID: "no such!"})
	if ts := d.Toasts(); len(ts) == 0 || !strings.Contains(ts[len(ts)-1], "letters and digits") {
		t.Errorf("toasts %q", ts)
	}
	// Unknown invoice: the payment screen says so.
	d.Feed(common.OpenRefundMsg{InvoiceID: "ZZZZZZZ"})
	if v := d.View(); !strings.Contains(v, "No payment with invoice id ZZZZZZZ") || d.m.form != nil {
		t.Errorf("unknown invoice:\n%s", v)
	}
}

// TestPendingRefreshTimer: while a refund is PENDING the list re-reads
// page 1 on a timer, which stops once nothing is pending and pauses while
// hidden.
func TestPendingRefreshTimer(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 80, 20)
	if len(d.Timers) != 1 {
		t.Fatalf("%d timers with a PENDING refund", len(d.Timers))
	}
	d.m.SetShown(false)
	if n := d.Fire(refreshTickMsg{}); n != 1 || d.m.list.loading {
		t.Error("the timer reloaded while hidden")
	}
	d.Run(d.m.SetShown(true))
	f.Advance(49 * time.Hour) // the seeded PENDING refund completes after two days
	before := f.Server.Counters().Requests["GET chargebacks/"]
	d.Fire(refreshTickMsg{})
	if f.Server.Counters().Requests["GET chargebacks/"] != before+1 {
		t.Fatal("the timer did not reload")
	}
	if d.m.list.rows[0].Status != client.RefundCompleted {
		t.Errorf("top refund still %s", d.m.list.rows[0].Status)
	}
	if len(d.Timers) != 0 {
		t.Errorf("%d timers with nothing pending", len(d.Timers))
	}
}

// TestLoadError: IntaSend unreachable → an error panel and a way to retry.
func TestLoadError(t *testing.T) {
	f := seeded(t)
	f.Server.SetFaults([]sim.Fault{{Route: "GET chargebacks/", Kind: sim.ServerError, Rate: 1, Status: 503}})
	d := newDriver(t, f.common(""), 80, 20)
	if _, ok := d.Last(typeOf[common.ErrorMsg]()).(common.ErrorMsg); !ok {
		t.Error("no error panel")
	}
	if v := d.View(); !strings.Contains(v, "could not load refunds") || !strings.Contains(v, "press r") {
		t.Errorf("error view:\n%s", v)
	}
	f.Server.SetFaults(nil)
	d.Run(d.m.Refresh())
	if len(d.m.list.rows) != 4 {
		t.Errorf("retry: %d rows", len(d.m.list.rows))
	}
}

// `/` searches every refund, not only the page loaded (issue 11, item 13):
// while the filter keeps less than a screenful and pages remain, it loads
// them one at a time, saying so; clearing the filter stops it.
func TestFilterSearchesEveryPage(t *testing.T) {
	f := newFixture(t, false)
	inv := f.pay(client.Units(100_000), true)
	for i := 0; i < 205; i++ { // three pages; the oldest (KES 7) is on the last
		amount := client.Units(1)
		if i == 0 {
			amount = client.Units(7)
		}
		if _, err := f.Client.CreateRefund(f.Ctx, client.RefundRequest{InvoiceID: inv, Amount: amount, Reason: client.ReasonOther}); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name      string
		clear     bool // esc while the second page is on its way
		wantRows  int
		wantMatch int
		wantLine  string
	}{
		{"searches to the end", false, 205, 1, "1 match of 205 (all loaded)"},
		{"clearing stops it", true, 200, 200, "200 of 205 refunds loaded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, f.common(""), 80, 20)
			// Hold pages back, to see the search under way.
			held := d.Hold(listPageMsg{})
			d.Press("/")
			d.TypeText("7.00")
			if len(held.Msgs) != 1 || !strings.Contains(d.View(), "searching… 100 of 205 loaded · 0 match") {
				t.Fatalf("%d pages asked for while typing, want 1 at a time; screen:\n%s", len(held.Msgs), d.View())
			}
			if tc.clear {
				d.Press("esc")
			}
			held.Drain()
			if len(d.m.list.rows) != tc.wantRows || d.m.list.shown() != tc.wantMatch {
				t.Fatalf("%d rows loaded, %d shown; want %d, %d", len(d.m.list.rows), d.m.list.shown(), tc.wantRows, tc.wantMatch)
			}
			if !strings.Contains(d.View(), tc.wantLine) {
				t.Fatalf("screen lacks %q:\n%s", tc.wantLine, d.View())
			}
		})
	}
}
