package wallets

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	uiform "github.com/malipo/malipo/ui/components/form"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// small is a settlement wallet with KES 10,000 collected (less fees) and
// three working wallets, at 2026-11-22 09:00 EAT.
func small(t testing.TB) *fixture {
	t.Helper()
	f := newFixture(t, time.Date(2026, 11, 22, 9, 0, 0, 0, tuitest.EAT()))
	f.ids["settlement"] = f.Server.SettlementWalletID()
	f.wallet("Alpha", "KES", true)
	f.wallet("Bravo", "KES", false)
	f.wallet("Charlie", "KES", false)
	f.collect("", client.Units(10_000))
	return f
}

func TestListNavigation(t *testing.T) {
	f := small(t)
	tests := []struct {
		keys []string
		want string // label under the cursor
	}{
		{nil, "default"},
		{[]string{"down"}, "Alpha"},
		{[]string{"j", "j"}, "Bravo"},
		{[]string{"down", "down", "up"}, "Alpha"},
		{[]string{"k"}, "default"}, // stops at the top
		{[]string{"end"}, "Charlie"},
		{[]string{"G", "down"}, "Charlie"}, // stops at the bottom
		{[]string{"end", "home"}, "default"},
		{[]string{"end", "g"}, "default"},
		{[]string{"pgdown"}, "Charlie"},
		{[]string{"end", "pgup"}, "default"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, " "), func(t *testing.T) {
			d := newDriver(t, f.common(), 80, 20).init()
			d.Press(tt.keys...)
			w, ok := d.m.selected()
			if !ok || w.Label != tt.want {
				t.Fatalf("cursor on %q, want %q", w.Label, tt.want)
			}
			if !strings.Contains(d.View(), "▸ "+tt.want) {
				t.Fatalf("the marked row is not %s:\n%s", tt.want, d.View())
			}
		})
	}
}

func TestOpenAndCloseWallet(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 100, 20).init()
	d.Press("enter")
	if d.m.detail == nil || d.m.detail.wallet.ID != f.ids["settlement"] {
		t.Fatalf("enter did not open the settlement wallet")
	}
	v := d.View()
	for _, want := range []string{"Wallets › default", "SALE", "+KES 10,000.00", "CHARGE", "−KES 300.00", "2 transactions"} {
		if !strings.Contains(v, want) {
			t.Errorf("statement lacks %q:\n%s", want, v)
		}
	}
	d.Press("esc")
	if d.m.detail != nil {
		t.Fatal("esc did not go back to the list")
	}
	if w, _ := d.m.selected(); w.ID != f.ids["settlement"] {
		t.Fatalf("back on %s, want the wallet that was open", w.Label)
	}
	// A wallet further down opens too, and its empty statement says so.
	d.Press("down", "down", "enter")
	if d.m.detail.wallet.Label != "Bravo" || !strings.Contains(d.View(), "no transactions yet") {
		t.Fatalf("Bravo's statement:\n%s", d.View())
	}
}

// TestStatementLineDetail: enter on a statement line shows it whole (the
// narrative the column cuts at 80 columns), esc goes back to the same line
// (issue 11 §2.10: help said "enter open" and enter did nothing).
func TestStatementLineDetail(t *testing.T) {
	f := history(t)
	d := newDriver(t, f.common(), 80, 20).init()
	d.Press("enter")
	if !d.m.detail.tbl.Find(func(i int) bool { return strings.HasPrefix(d.m.detail.rows[i].Narrative, "Charge: MPESA-B2C") }) {
		t.Fatal("no payout charge in the statement")
	}
	tx := d.m.detail.rows[d.m.detail.tbl.Index(d.m.detail.tbl.Cursor())]
	if strings.Contains(d.View(), tx.Narrative) {
		t.Fatalf("narrative %q not cut at 80 columns: the test proves nothing", tx.Narrative)
	}
	d.Press("enter")
	v := d.View()
	for _, want := range []string{"Statement line · " + tx.ID, tx.Narrative, "esc back", "CHARGE"} {
		if !strings.Contains(v, want) {
			t.Errorf("line detail lacks %q:\n%s", want, v)
		}
	}
	d.Press("esc")
	if d.m.detail == nil || d.m.detail.tbl.DetailOpen() || d.m.detail.currentID() != tx.ID {
		t.Fatalf("esc did not go back to the line in the statement")
	}
	d.Press("esc")
	if d.m.detail != nil {
		t.Fatal("second esc did not leave the wallet")
	}
}

func TestFilter(t *testing.T) {
	f := history(t)
	d := newDriver(t, f.common(), 120, 36).init()
	d.Press("enter")
	all := len(d.m.detail.rows)
	testcheck.Expect(t, "rows loaded", all, testcheck.C("at least 30", all >= 30))
	d.Press("/")
	// Single-letter keys would otherwise reach the shell.
	testcheck.Expect(t, "filtering", d.m.Capturing(), testcheck.C("captures the keyboard", d.m.Capturing()))
	d.TypeText("payout")
	dt := d.m.detail
	testcheck.Expect(t, fmt.Sprintf("filter kept, of %d", all), dt.shown(), testcheck.C("some", dt.shown() != 0), testcheck.C("not all", dt.shown() < all))
	for i := 0; i < dt.shown(); i++ {
		tx := dt.at(i)
		testcheck.Check(t, fmt.Sprintf("row %d (%s %s)", i, tx.TransType, tx.Narrative), tx.ID,
			testcheck.C("matches", strings.Contains(strings.ToLower(tx.TransType+tx.Narrative), "payout") ||
				strings.Contains(strings.ToLower(tx.Narrative), "b2c")))
	}
	v := d.View()
	testcheck.Expect(t, "filtered view", v, testcheck.C("count of matches", strings.Contains(v, fmt.Sprintf("%d match", dt.shown()))),
		testcheck.C("no SALE", !strings.Contains(v, " SALE ")))
	// Letters typed while filtering are text, not commands.
	d.TypeText("r")
	testcheck.Expect(t, "r while filtering (query)", d.m.detail.filter.Query(), testcheck.C("no refresh", !d.m.loading),
		testcheck.C("typed", d.m.detail.filter.Query() == "payoutr"))
	d.Press("backspace", "enter")
	testcheck.Expect(t, "enter", d.m.detail.shown(), testcheck.C("releases the keyboard", !d.m.Capturing()),
		testcheck.C("keeps the filter", d.m.detail.shown() != all))
	d.Press("esc")
	testcheck.Expect(t, "the first esc", d.m.detail, testcheck.C("stays in the wallet", d.m.detail != nil),
		testcheck.C("clears the filter", d.m.detail != nil && d.m.detail.filter.Query() == "" && d.m.detail.shown() == all))
	d.Press("/")
	d.TypeText("sale")
	d.Press("esc")
	testcheck.Expect(t, "esc while typing", d.m.detail.filter.Query(), testcheck.C("releases the keyboard", !d.m.Capturing()),
		testcheck.C("clears the filter", d.m.detail.filter.Query() == ""))
	d.Press("esc")
	testcheck.Expect(t, "esc with no filter", d.m.detail, testcheck.C("goes back", d.m.detail == nil))
}

// fieldState is what a test checks on a form after submitting.
func submitForm(d *driver, values map[string]string) {
	for _, fl := range d.m.form.Fields {
		if v, ok := values[fl.Key]; ok {
			fl.SetValue(v)
		}
	}
	d.m.form.Focus(len(d.m.form.Fields) - 1)
	d.Press("enter")
}

func TestTransferValidation(t *testing.T) {
	f := small(t)
	tests := []struct {
		name      string
		amount    string
		narrative string
		field     string
		want      string
	}{
		{"letters", "abc", "rent", "amount", "only digits"},
		{"zero", "0", "rent", "amount", "more than zero"},
		{"negative", "-5", "rent", "amount", "more than zero"},
		{"three decimals", "1.234", "rent", "amount", "more than two decimal places"},
		{"empty amount", "", "rent", "amount", "an amount is required"},
		{"over the balance", "9,700.01", "rent", "amount", "more than the available KES 9,700.00"},
		{"bad narrative", "100", "50% off; <b>", "narrative", "must not contain < > % ; or $"},
		{"empty narrative", "100", "   ", "narrative", "a narrative is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t, f.common(), 80, 20).init()
			d.Press("t")
			if d.m.form == nil || !d.m.Capturing() {
				t.Fatal("t did not open a capturing form")
			}
			submitForm(d, map[string]string{"amount": tt.amount, "narrative": tt.narrative})
			fm := d.m.form
			if fm == nil || fm.State != uiform.Editing {
				t.Fatal("an invalid form left editing")
			}
			if d.Last(reflect.TypeFor[common.ConfirmMsg]()) != nil {
				t.Fatal("an invalid form asked for confirmation")
			}
			if got := fm.Get(tt.field).Err; !strings.Contains(got, tt.want) {
				t.Fatalf("%s error %q, want %q", tt.field, got, tt.want)
			}
			if fm.Get("amount").Value() != tt.amount || fm.Get("narrative").Value() != tt.narrative {
				t.Fatal("what was typed changed")
			}
			if fm.Current().Key != tt.field {
				t.Fatalf("focus on %s, want the bad field %s", fm.Current().Key, tt.field)
			}
			if !strings.Contains(d.View(), tt.want) {
				t.Fatalf("message not on screen:\n%s", d.View())
			}
		})
	}
}

func TestFundValidation(t *testing.T) {
	f := small(t)
	tests := []struct {
		name, phone, amount, field, want string
	}{
		{"short phone", "0712 345", "100", "phone", "too short"},
		{"landline", "020 123 4567", "100", "phone", "not a mobile number"},
		{"letters in phone", "07I2345678", "100", "phone", "unexpected character"},
		{"no phone", "", "100", "phone", "a phone number is required"},
		{"under a shilling", "0712345678", "0.50", "amount", "at least KES 1.00"},
		{"over the M-Pesa limit", "0712345678", "150,000.01", "amount", "at most KES 150,000.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t, f.common(), 80, 20).init()
			d.Press("f")
			submitForm(d, map[string]string{"phone": tt.phone, "amount": tt.amount})
			fm := d.m.form
			if got := fm.Get(tt.field).Err; !strings.Contains(got, tt.want) {
				t.Fatalf("%s error %q, want %q", tt.field, got, tt.want)
			}
			if fm.Get("phone").Value() != tt.phone || fm.Get("amount").Value() != tt.amount {
				t.Fatal("what was typed changed")
			}
			if d.Last(reflect.TypeFor[common.ConfirmMsg]()) != nil {
				t.Fatal("an invalid form asked for confirmation")
			}
		})
	}
	// A good number is shown normalised as it is typed.
	d := newDriver(t, f.common(), 80, 20).init()
	d.Press("f")
	d.TypeText("0712 345 678")
	if h := d.m.form.Get("phone").Hint; h != "→ +254 712 345 678" {
		t.Fatalf("phone hint %q", h)
	}
	if !strings.Contains(d.View(), "→ +254 712 345 678") {
		t.Fatalf("normalised phone not shown:\n%s", d.View())
	}
}

func TestCreateValidation(t *testing.T) {
	f := small(t)
	for _, tt := range []struct{ label, want string }{
		{"", "a label is required"},
		{"Rent/2026", "only letters, digits"},
		{"Ops <script>", "only letters, digits"},
	} {
		d := newDriver(t, f.common(), 80, 20).init()
		d.Press("n")
		submitForm(d, map[string]string{"label": tt.label})
		if got := d.m.form.Get("label").Err; !strings.Contains(got, tt.want) {
			t.Errorf("label %q: error %q, want %q", tt.label, got, tt.want)
		}
	}
	// The input itself stops at IntaSend's 40 characters.
	d := newDriver(t, f.common(), 80, 20).init()
	d.Press("n")
	d.TypeText(strings.Repeat("x", 45))
	if n := len(d.m.form.Get("label").Value()); n != labelMax {
		t.Fatalf("label took %d characters", n)
	}
	if !strings.Contains(d.View(), "cut to 40 characters") {
		t.Errorf("the cut is not said:\n%s", d.View())
	}
}

func TestTransferAsksTypedConfirmation(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 80, 20).init()
	d.Press("t", "right") // To: from Alpha to Bravo
	d.Press("tab")
	d.TypeText("1500")
	d.Press("tab")
	d.TypeText("float for the week")
	d.Press("enter")
	c, ok := d.Last(reflect.TypeFor[common.ConfirmMsg]()).(common.ConfirmMsg)
	if !ok {
		t.Fatalf("no confirmation:\n%s", d.View())
	}
	if c.Typed != "1,500.00" || !c.Danger || c.Perm != common.PermTransfer || !strings.Contains(c.Body, "Bravo") {
		t.Fatalf("confirmation %+v", c)
	}
	if d.m.form.State != uiform.Confirming {
		t.Fatal("form not waiting for the confirmation")
	}
	// Cancel: back to the form with everything as typed.
	d.Feed(c.OnCancel)
	fm := d.m.form
	if fm == nil || fm.State != uiform.Editing || fm.Get("amount").Value() != "1500" || fm.Get("to").Value() != f.ids["Bravo"] {
		t.Fatal("cancel lost the form")
	}
	if got := f.Server.Counters().Requests["POST wallets/{id}/intra_transfer/"]; got != 0 {
		t.Fatalf("%d transfers sent before confirming", got)
	}
}

func TestCursorStaysOnWalletAcrossRefresh(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 80, 20).init()
	d.Press("down", "down") // Bravo
	ws := append([]client.Wallet(nil), d.m.wallets...)
	reversed := make([]client.Wallet, len(ws))
	for i, w := range ws {
		reversed[len(ws)-1-i] = w
	}
	tests := []struct {
		name    string
		wallets []client.Wallet
		want    string
	}{
		{"reordered", reversed, "Bravo"},
		{"a wallet added on top", append([]client.Wallet{{ID: "NEW0001", Label: "New", Currency: "KES", Type: "WORKING"}}, ws...), "Bravo"},
		{"the wallet is gone: nearest row", []client.Wallet{ws[0], ws[1], ws[3]}, "Charlie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d.m.walletSeq++
			d.Feed(walletsMsg{seq: d.m.walletSeq, wallets: ws})
			d.m.setCursor(2) // Bravo
			d.m.walletSeq++
			d.Feed(walletsMsg{seq: d.m.walletSeq, wallets: tt.wallets})
			if w, _ := d.m.selected(); w.Label != tt.want {
				t.Fatalf("cursor on %s, want %s", w.Label, tt.want)
			}
		})
	}
	// A real refresh (r) keeps it too.
	d.Feed(walletsMsg{seq: d.m.walletSeq, wallets: ws})
	d.m.setCursor(3)
	f.wallet("Delta", "KES", false)
	d.Press("r")
	if w, _ := d.m.selected(); w.Label != "Charlie" || len(d.m.wallets) != 5 {
		t.Fatalf("after r: cursor on %s, %d wallets", w.Label, len(d.m.wallets))
	}
	// An answer older than the latest request is dropped.
	d.Feed(walletsMsg{seq: d.m.walletSeq - 1, wallets: ws[:1]})
	if len(d.m.wallets) != 5 {
		t.Fatal("a stale answer replaced the list")
	}
}

func TestRefreshTimerPausesWhileHidden(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 80, 20).init()
	const route = "GET wallets/"
	requests := func() int { return f.Server.Counters().Requests[route] }
	before := requests()
	n := d.Fire(refreshTickMsg{})
	testcheck.Expect(t, "refresh timers armed after the first load", n, testcheck.C("one", n == 1))
	testcheck.Expect(t, "requests the timer made", requests()-before, testcheck.C("one", requests() == before+1))
	d.Run(d.m.SetShown(false))
	d.Fire(refreshTickMsg{})
	testcheck.Expect(t, "requests while hidden", requests()-before-1, testcheck.C("a hidden view does not refresh", requests() == before+1))
	// Shown again soon after: no request, only a new timer.
	d.Run(d.m.SetShown(true))
	testcheck.Expect(t, "requests on showing fresh data again", requests()-before-1, testcheck.C("none", requests() == before+1))
	n = d.Fire(refreshTickMsg{})
	testcheck.Expect(t, "timer after showing again (fired)", n, testcheck.C("one fired", n == 1), testcheck.C("one request", requests() == before+2))
	// Every answer reports health, with the view's clock.
	h, ok := d.Last(reflect.TypeFor[common.HealthMsg]()).(common.HealthMsg)
	testcheck.Expect(t, "health", h, testcheck.C("reported", ok), testcheck.C("OK", h.OK), testcheck.C("at the view's clock", h.At.Equal(f.Clock.Now())))
	// Failures back off and say so, without an error panel on a quiet refresh.
	f.Server.SetFaults([]sim.Fault{{Route: "GET wallets/", Kind: sim.ServerError, Status: 503}})
	panels := len(d.Errors())
	d.Fire(refreshTickMsg{})
	testcheck.Expect(t, fmt.Sprintf("quiet failure: failures %d, panels %d→%d\n%s", d.m.failures, panels, len(d.Errors()), d.View()), d.m.failures,
		testcheck.C("one failure", d.m.failures == 1), testcheck.C("no error panel", len(d.Errors()) == panels),
		testcheck.C("says refresh failed", strings.Contains(d.View(), "refresh failed")))
	h, _ = d.Last(reflect.TypeFor[common.HealthMsg]()).(common.HealthMsg)
	testcheck.Expect(t, "health after a 503", h, testcheck.C("not healthy", !h.OK))
	// Stale balances stay on the screen on a failed refresh.
	testcheck.Contains(t, "view after a failed refresh", d.View(), "KES 9,700.00")
	d.Press("r")
	testcheck.Expect(t, "error panels after a failed manual refresh", len(d.Errors()), testcheck.C("one more", len(d.Errors()) == panels+1))
}

func TestTransferRefusedKeepsForm(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 80, 20).init()
	d.Press("t")
	// Money leaves behind the view's back: the view still shows 9,700.
	f.transfer(f.ids["settlement"], f.ids["Charlie"], client.Units(9000), "elsewhere")
	submitForm(d, map[string]string{"amount": "1000", "narrative": "rent"})
	d.Confirm()
	fm := d.m.form
	if fm == nil || fm.State != uiform.Editing || fm.Err == "" {
		t.Fatalf("refused transfer: form %+v", fm)
	}
	if fm.Get("amount").Value() != "1000" || fm.Get("narrative").Value() != "rent" {
		t.Fatal("the refused form lost what was typed")
	}
	if !strings.Contains(d.View(), "IntaSend:") {
		t.Fatalf("IntaSend's message not shown:\n%s", d.View())
	}
	// A second confirmation of the same form sends nothing.
	d.Feed(confirmedMsg{seq: fm.Seq})
	if got := f.Server.Counters().Requests["POST wallets/{id}/intra_transfer/"]; got != 2 { // ours + the fixture's
		t.Fatalf("%d transfer requests", got)
	}
}

func TestTransferAmbiguousIsNotResent(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 80, 20).init()
	d.Press("t")
	f.Server.SetFaults([]sim.Fault{{Route: "intra_transfer", Kind: sim.DropAfter}})
	submitForm(d, map[string]string{"amount": "1000", "narrative": "rent"})
	d.Confirm()
	f.Server.SetFaults(nil)
	if d.m.form != nil {
		t.Fatal("the form stayed open after an ambiguous failure (inviting a resend)")
	}
	errs := d.Errors()
	if len(errs) == 0 || errs[len(errs)-1].Title != "Transfer outcome unknown" ||
		!strings.Contains(errs[len(errs)-1].Err.Error(), "check both wallets' balances") {
		t.Fatalf("error panel %+v", errs)
	}
	if got := f.Server.Counters().Requests["POST wallets/{id}/intra_transfer/"]; got != 1 {
		t.Fatalf("%d transfer requests, want exactly 1", got)
	}
	// The view refreshed: it shows what the simulator holds (the transfer did happen).
	s, _ := f.Server.Wallet(f.ids["settlement"])
	if !strings.Contains(d.View(), s.Available.Format("KES")) || s.Available != client.Units(8700) {
		t.Fatalf("after the ambiguous transfer the simulator has %s; view:\n%s", s.Available, d.View())
	}
}

// checkFundFailedShown: the panel names why the push failed.
func checkFundFailedShown(t *testing.T, d *driver) {
	t.Helper()
	reason := d.m.stk.inv.FailedReason
	testcheck.Expect(t, "failed reason\n"+d.View(), reason, testcheck.C("set", reason != ""),
		testcheck.C("shown", reason != "" && strings.Contains(d.View(), reason[:min(20, len(reason))])))
}

// checkFundReceived: a toast says the money came, and it shows in Alpha's
// current balance (it is still clearing).
func checkFundReceived(t *testing.T, f *fixture, d *driver) {
	t.Helper()
	ts := d.Toasts()
	testcheck.Expect(t, "toasts", ts, testcheck.C("received", len(ts) > 0 && strings.Contains(ts[len(ts)-1], "Received KES 250.00 into Alpha")))
	a, _ := f.Server.Wallet(f.ids["Alpha"])
	w, _ := d.m.walletByID(f.ids["Alpha"])
	testcheck.Expect(t, "Alpha (shown, simulator)", fmt.Sprint(w.CurrentBalance, " ", a.Current), testcheck.C("shown as the simulator", w.CurrentBalance == a.Current),
		testcheck.C("242.50", a.Current == client.MustAmount("242.50")))
}

func TestFundByMPesa(t *testing.T) {
	tests := []struct {
		name, phone string
		state       string
		want        string
	}{
		{"paid", "0708 374 149", client.InvoiceComplete, "COMPLETE"},
		{"wrong PIN or similar", "0700000001", client.InvoiceFailed, "FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := small(t)
			d := newDriver(t, f.common(), 80, 20).init()
			d.Press("down", "f") // fund Alpha
			submitForm(d, map[string]string{"phone": tt.phone, "amount": "250"})
			c := d.Confirm()
			testcheck.Expect(t, "confirmation perm", c.Perm, testcheck.C("collect", c.Perm == common.PermCollect))
			testcheck.Expect(t, "status panel after the push\n"+d.View(), d.View(), testcheck.C("shown", d.m.stk != nil),
				testcheck.C("PENDING", strings.Contains(d.View(), "PENDING")))
			// Poll as the customer acts: one request in flight at a time.
			for i := 0; i < 10 && !d.m.stk.final(); i++ {
				f.Advance(2 * time.Second)
				n := d.Fire(pollMsg{})
				testcheck.Expect(t, "polls pending", n, testcheck.C("exactly 1", n == 1))
			}
			testcheck.Expect(t, "state", d.m.stk.inv.State, testcheck.C(tt.state, d.m.stk.inv.State == tt.state))
			n := d.Fire(pollMsg{})
			testcheck.Expect(t, "polls after a final state", n, testcheck.C("none", n == 0))
			testcheck.Contains(t, "panel", d.View(), tt.want)
			if tt.state == client.InvoiceFailed {
				checkFundFailedShown(t, d)
			} else {
				checkFundReceived(t, f, d)
			}
			d.Press("esc")
			testcheck.Expect(t, "esc", d.m.stk, testcheck.C("closes the panel", d.m.stk == nil))
		})
	}
}

func TestCreateWallet(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 80, 20).init()
	d.Press("n")
	d.TypeText("Payroll")
	d.Press("tab", "right", "left") // currency back to KES
	submitForm(d, map[string]string{})
	c := d.Confirm()
	if c.Perm != common.PermAdmin {
		t.Fatalf("perm %q", c.Perm)
	}
	if d.m.form != nil {
		t.Fatal("form open after success")
	}
	w, ok := d.m.selected()
	if !ok || w.Label != "Payroll" || w.Type != client.WalletWorking || w.Currency != "KES" {
		t.Fatalf("cursor on %+v, want the new wallet", w)
	}
}

func TestActionsAndHelp(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 80, 20).init()
	perms := map[string]common.Permission{}
	for _, a := range d.m.Actions() {
		perms[a.Key.Help().Key] = a.Perm
		d.Feed(a.Msg)
		if a.Key.Help().Key != "r" && d.m.form == nil {
			t.Errorf("action %q opened nothing", a.Title)
		}
		d.m.form = nil
	}
	want := map[string]common.Permission{"r": common.PermView, "t": common.PermTransfer, "f": common.PermCollect, "n": common.PermAdmin}
	if fmt.Sprint(perms) != fmt.Sprint(want) {
		t.Fatalf("perms %v, want %v", perms, want)
	}
	for _, b := range d.m.ShortHelp() {
		if b.Help().Key == "" {
			t.Fatal("a binding without help")
		}
	}
	if len(d.m.FullHelp()) < 3 {
		t.Fatal("full help too short")
	}
}

// The shell's optional interfaces: Refresh reloads, QuitWarning guards
// unsent input and a payment still being followed.
func TestShellHooks(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 80, 20).init()
	var v common.View = d.m
	if _, ok := v.(common.Refresher); !ok {
		t.Fatal("not a Refresher")
	}
	if _, ok := v.(common.Shown); !ok {
		t.Fatal("not Shown")
	}
	g, ok := v.(common.QuitGuard)
	if !ok {
		t.Fatal("not a QuitGuard")
	}
	before := f.Server.Counters().Requests["GET wallets/"]
	d.Run(d.m.Refresh())
	if f.Server.Counters().Requests["GET wallets/"] != before+1 {
		t.Fatal("Refresh did not reload")
	}
	if w := g.QuitWarning(); w != "" {
		t.Fatalf("warning with nothing open: %q", w)
	}
	d.Press("t")
	if w := g.QuitWarning(); w != "" {
		t.Fatalf("warning for an empty form: %q", w)
	}
	d.Press("tab")
	d.TypeText("10")
	if w := g.QuitWarning(); !strings.Contains(w, "unsent input") {
		t.Fatalf("warning %q", w)
	}
}

func TestLoadErrorsAndSpinner(t *testing.T) {
	f := small(t)
	f.Server.SetFaults([]sim.Fault{{Route: "GET wallets/", Kind: sim.ServerError, Status: 503}})
	d := newDriver(t, f.common(), 80, 20).init()
	errs := d.Errors()
	if len(errs) != 1 || errs[0].Title != "Could not load wallets" {
		t.Fatalf("error panels %+v", errs)
	}
	if v := d.View(); !strings.Contains(v, "could not load wallets") || !strings.Contains(v, "press r") {
		t.Fatalf("first-load failure screen:\n%s", v)
	}
	f.Server.SetFaults(nil)
	d.Press("r")
	if v := d.View(); !strings.Contains(v, "KES 9,700.00") {
		t.Fatalf("after r:\n%s", v)
	}
	// The spinner's clock stops once nothing is loading.
	d.Fire(spinMsg{})
	if d.m.spin.Running() || d.Fire(spinMsg{}) != 0 {
		t.Fatal("the spinner keeps ticking while idle")
	}
	// A refresh the user asked for starts it again, and the title says so
	// while it runs.
	d.m.loading, d.m.manual = true, true
	d.Run(d.m.startSpin())
	if !strings.Contains(d.View(), "refreshing") || d.Fire(spinMsg{}) != 1 {
		t.Fatal("no spinner while loading")
	}
	d.m.loading, d.m.manual = false, false
}

// TestQuietRefreshDrawsNothingUntilItLands: the refresh every 5 s shows no
// spinner and starts no spinner clock while in flight (each tick would be
// a frame in every SSH session); its answer brings the new "updated"
// time. An r pressed meanwhile is shown as before.
func TestQuietRefreshDrawsNothingUntilItLands(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 80, 20).init()
	d.Fire(spinMsg{}) // the first load's clock stops
	before := d.View()
	held := d.Hold(walletsMsg{})
	d.Fire(refreshTickMsg{})
	_, spinning := d.Pending(spinMsg{})
	testcheck.Expect(t, "a quiet refresh in flight", d.View(), testcheck.C("sent", len(held.Msgs) == 1),
		testcheck.C("the same screen", d.View() == before), testcheck.C("no spinner clock", !spinning))
	d.Press("r")
	_, spinning = d.Pending(spinMsg{})
	testcheck.Expect(t, "r while it is in flight", d.View(),
		testcheck.C("says refreshing", strings.Contains(d.View(), "refreshing")), testcheck.C("spinner clock", spinning))
	held.Stop()
	held.Drain()
	testcheck.Expect(t, "after the answers", d.View(), testcheck.C("no longer refreshing", !strings.Contains(d.View(), "refreshing")))
}

func TestChartFollowsSelectedCurrency(t *testing.T) {
	f := history(t)
	d := newDriver(t, f.common(), 80, 20).init()
	if !strings.Contains(d.View(), "· KES · all wallets") {
		t.Fatalf("chart:\n%s", d.View())
	}
	d.Press("end") // USD reserve
	if v := d.View(); !strings.Contains(v, "USD · all wallets") && !strings.Contains(v, "in ▲ USD 0.00") {
		t.Fatalf("chart for a USD wallet:\n%s", v)
	}
}

// Polls and refreshes back off after errors and return to their pace after
// a success.
func TestBackOff(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 80, 20).init()
	if got := d.PendingOne(refreshTickMsg{}); got != refreshEvery {
		t.Fatalf("refresh every %s", got)
	}
	f.Server.SetFaults([]sim.Fault{{Route: "GET wallets/", Kind: sim.ServerError}})
	for _, want := range []time.Duration{2 * refreshEvery, 4 * refreshEvery, 8 * refreshEvery, 16 * refreshEvery, 32 * refreshEvery, refreshMax, refreshMax} {
		d.Fire(refreshTickMsg{})
		if got := d.PendingOne(refreshTickMsg{}); got != want {
			t.Fatalf("after %d failures: next refresh in %s, want %s", d.m.failures, got, want)
		}
	}
	f.Server.SetFaults(nil)
	d.Fire(refreshTickMsg{})
	if got := d.PendingOne(refreshTickMsg{}); got != refreshEvery {
		t.Fatalf("after recovering: %s", got)
	}

	// STK status polls.
	d.Press("f")
	submitForm(d, map[string]string{"phone": "0708374149", "amount": "100"})
	d.Confirm()
	if got := d.PendingOne(pollMsg{}); got != pollEvery {
		t.Fatalf("first poll after %s", got)
	}
	f.Server.SetFaults([]sim.Fault{{Route: "payment/status", Kind: sim.ServerError}})
	for _, want := range []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second, 24 * time.Second, pollMax, pollMax} {
		d.Fire(pollMsg{})
		if got := d.PendingOne(pollMsg{}); got != want {
			t.Fatalf("poll back-off %s, want %s", got, want)
		}
	}
	if !strings.Contains(d.View(), "status check failed, retrying") {
		t.Fatalf("panel:\n%s", d.View())
	}
	f.Server.SetFaults(nil)
	d.Fire(pollMsg{})
	if got := d.PendingOne(pollMsg{}); got != pollEvery || d.m.stk.err != "" {
		t.Fatalf("after recovering: poll in %s, err %q", got, d.m.stk.err)
	}
	// A stale poll (from a closed panel) sends nothing.
	gen := d.m.stk.gen
	d.Press("esc")
	before := f.Server.Counters().Requests["POST payment/status/"]
	d.Feed(pollMsg{gen: gen})
	if before == 0 || f.Server.Counters().Requests["POST payment/status/"] != before {
		t.Fatal("a poll for a closed panel was sent")
	}
}

// A refresh asked for while one is in flight is not dropped: the answer in
// flight may predate the transfer that asked, so another request follows.
func TestRefreshDuringRefresh(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 80, 20).init()
	// Start a refresh by hand and hold its answer.
	d.m.refresh(false)
	seq := d.m.walletSeq
	stale, _ := f.Client.AllWallets(f.Ctx)
	f.transfer(f.ids["settlement"], f.ids["Alpha"], client.Units(700), "float")
	before := f.Server.Counters().Requests["GET wallets/"]
	d.Run(d.m.refresh(false)) // what a finished transfer does
	if f.Server.Counters().Requests["GET wallets/"] != before {
		t.Fatal("two wallet requests in flight")
	}
	d.Feed(walletsMsg{seq: seq, wallets: stale}) // the old answer lands
	if f.Server.Counters().Requests["GET wallets/"] != before+1 {
		t.Fatal("no follow-up request after the stale answer")
	}
	if w, _ := d.m.walletByID(f.ids["Alpha"]); w.AvailableBalance != client.Units(700) {
		t.Fatalf("Alpha shows %s after the follow-up", w.AvailableBalance)
	}
}

// Balances keep up with sales (issue 11, item 11): Wallets refreshes at
// Collections' pace while shown, and at once when Collections announces
// a completed payment, shown or not.
func TestBalancesFollowCollections(t *testing.T) {
	if refreshEvery != common.LiveEvery {
		t.Fatalf("wallets refresh every %s, collections poll every %s", refreshEvery, common.LiveEvery)
	}
	cases := []struct {
		name  string
		shown bool
		event func(d *driver) // what brings the new balance in
	}{
		{"timer while shown", true, func(d *driver) {
			if got := d.PendingOne(refreshTickMsg{}); got != common.LiveEvery {
				t.Fatalf("next refresh in %s, want %s", got, common.LiveEvery)
			}
			d.Fire(refreshTickMsg{})
		}},
		{"a completed collection, shown", true, func(d *driver) {
			d.Feed(common.CollectionsCompletedMsg{InvoiceIDs: []string{"ANY"}})
		}},
		{"a completed collection, hidden", false, func(d *driver) {
			d.Feed(common.CollectionsCompletedMsg{InvoiceIDs: []string{"ANY"}})
		}},
		{"a webhook (serve --webhooks), shown", true, func(d *driver) {
			d.Feed(common.WebhookMsg{Type: "collection", Object: "ANY", State: "COMPLETE"})
		}},
		{"a webhook (serve --webhooks), hidden", false, func(d *driver) {
			d.Feed(common.WebhookMsg{Type: "collection", Object: "ANY", State: "COMPLETE"})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := small(t)
			d := newDriver(t, f.common(), 80, 20).init()
			if !tc.shown {
				d.Run(d.m.SetShown(false))
			}
			balance := func() client.Amount {
				w, _ := d.m.walletByID(f.ids["settlement"])
				return w.AvailableBalance
			}
			before := balance()
			f.collect("", client.Units(1_000)) // a sale lands at IntaSend
			tc.event(d)
			if got := balance(); got <= before {
				t.Fatalf("settlement balance %s, was %s: the sale is not shown", got, before)
			}
		})
	}
}
