package payouts

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
)

// rowsOf lists the draft's rows as "account amount" for compact checks.
func rowsOf(m *Model) []string {
	var out []string
	for _, r := range m.comp.d.Rows {
		a := r.AmountText
		if a == "" {
			a = r.Amount.Decimal()
		}
		out = append(out, r.Account+" "+a)
	}
	return out
}

func TestComposeEditing(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	if d.m.comp.d.WalletID == "" {
		t.Fatalf("no wallet picked by default")
	}
	d.addRow("Jane Wanjiku", "0708 374 149", "1500", "salary nov")
	d.addRow("John Otieno", "0711 222 333", "2,000.50", "salary nov")
	if got := strings.Join(rowsOf(d.m), ","); got != "254708374149 1500,254711222333 2,000.50" {
		t.Fatalf("rows %q", got)
	}
	if _, sum := d.m.comp.d.Totals(); sum != client.MustAmount("3500.50") || d.m.comp.sum != sum {
		t.Fatalf("sum %s cached %s", sum, d.m.comp.sum)
	}
	if v := d.View(); !strings.Contains(v, "2 rows · total KES 3,500.50") || !strings.Contains(v, "available KES") {
		t.Fatalf("totals not shown:\n%s", v)
	}

	steps := []struct {
		name string
		do   func()
		want string
	}{
		{"duplicate", func() { d.Press("home", "D") }, "254708374149 1500,254708374149 1500,254711222333 2,000.50"},
		{"edit amount", func() {
			d.Press("e")
			d.m.form.Focus(2)
			d.Press("ctrl+u")
			d.TypeText("900")
			d.Press("enter", "enter")
		}, "254708374149 1500,254708374149 900,254711222333 2,000.50"},
		{"delete", func() { d.Press("end", "d") }, "254708374149 1500,254708374149 900"},
		{"undo delete", func() { d.Press("u") }, "254708374149 1500,254708374149 900,254711222333 2,000.50"},
		{"undo edit", func() { d.Press("u") }, "254708374149 1500,254708374149 1500,254711222333 2,000.50"},
		{"undo duplicate", func() { d.Press("u") }, "254708374149 1500,254711222333 2,000.50"},
		{"undo add", func() { d.Press("u") }, "254708374149 1500"},
		{"undo first add", func() { d.Press("u") }, ""},
		{"nothing left", func() { d.Press("u") }, ""},
	}
	for _, s := range steps {
		s.do()
		if got := strings.Join(rowsOf(d.m), ","); got != s.want {
			t.Fatalf("%s: rows %q, want %q\n%s", s.name, got, s.want, d.View())
		}
		if n, sum := d.m.comp.d.Totals(); n != len(d.m.comp.meta) || sum != d.m.comp.sum {
			t.Fatalf("%s: caches out of step: %d rows, %d problem slots, sum %s vs %s", s.name, n, len(d.m.comp.meta), sum, d.m.comp.sum)
		}
	}
}

func TestRowFormValidation(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	d.Press("a")
	if !d.m.Capturing() {
		t.Fatal("a form is open but the view is not capturing keys")
	}
	d.TypeText("Jane")
	d.Press("tab")
	d.TypeText("0712 34")
	d.Press("tab")
	d.TypeText("5")
	d.Press("tab")
	d.TypeText("a narrative longer than the sms shows")
	d.Press("enter") // save refused
	if d.m.form == nil {
		t.Fatal("a row with errors was saved")
	}
	v := d.View()
	for _, want := range []string{"✖ \"0712 34\" is", "below the MPESA-B2C minimum", "! 37 characters"} {
		if !strings.Contains(v, want) {
			t.Errorf("form lacks %q:\n%s", want, v)
		}
	}
	if d.m.form.Focused() != 1 {
		t.Errorf("focus %d, want the first field in error (account)", d.m.form.Focused())
	}
	// The refused row keeps every character typed.
	for k, want := range map[string]string{"name": "Jane", "account": "0712 34", "amount": "5", "narrative": "a narrative longer than the sms shows"} {
		if got := d.m.form.Get(k).Value(); got != want {
			t.Errorf("%s holds %q after the refused save, typed %q", k, got, want)
		}
	}
	d.Press("esc")
	if d.m.form != nil || len(d.m.comp.d.Rows) != 0 || d.m.Capturing() {
		t.Fatal("esc did not drop the form")
	}
}

// writeCSV puts a file in the fixture's directory.
func writeCSV(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportWithBadRows(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	path := writeCSV(t, f.dir, "pay.csv", "Name,Phone,Amount,Narrative\n"+
		"Jane,0708374149,100,nov\n"+
		"Bad phone,0712 34,100,nov\n"+
		"John,0711222333,abc,nov\n"+
		"Mary,0722000111,250,nov\n")
	d.Press("i")
	d.TypeText(path)
	d.Press("enter")
	if got := strings.Join(rowsOf(d.m), ","); got != "254708374149 100,254722000111 250" {
		t.Fatalf("good rows %q", got)
	}
	v := d.View()
	for _, want := range []string{"2 added", "2 bad rows kept aside", "line 3: account:", "line 4: amount:"} {
		if !strings.Contains(v, want) {
			t.Errorf("import panel lacks %q:\n%s", want, v)
		}
	}
	d.Press("enter") // bring the bad rows in to fix them
	if n := len(d.m.comp.d.Rows); n != 4 || d.m.comp.nErr != 2 {
		t.Fatalf("%d rows, %d with errors", n, d.m.comp.nErr)
	}
	d.Press("down", "up")
	if v := d.View(); !strings.Contains(v, "Row 3 (line 3) · account:") {
		t.Errorf("status line does not explain the selected bad row:\n%s", v)
	}
	d.Press("u") // the bad rows go again
	if n := len(d.m.comp.d.Rows); n != 2 {
		t.Fatalf("undo left %d rows", n)
	}

	// Over 5,000 rows: refused with the message, nothing added.
	var b strings.Builder
	b.WriteString("phone,amount\n")
	for i := 0; i < payout.MaxRows+1; i++ {
		fmt.Fprintf(&b, "2547%08d,100\n", i)
	}
	big := writeCSV(t, f.dir, "big.csv", b.String())
	d.Press("i")
	d.TypeText(big)
	d.Press("enter")
	if v := d.View(); !strings.Contains(v, "Refused") || !strings.Contains(v, "5,000") {
		t.Errorf("5,001 rows not refused clearly:\n%s", v)
	}
	if n := len(d.m.comp.d.Rows); n != 2 {
		t.Fatalf("%d rows after a refused import", n)
	}
}

func TestDraftAutosaveAndResume(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	d.addRow("Jane", "0708374149", "100", "nov")
	d.addRow("John", "0711222333", "200", "nov")
	d.Press("d") // every change saves: the journal has the latest
	ds, err := f.j.Drafts()
	if err != nil || len(ds) != 1 || len(ds[0].Rows) != 1 || ds[0].Rows[0].Account != "254708374149" {
		t.Fatalf("journal drafts %+v, %v", ds, err)
	}
	if !strings.Contains(d.View(), "draft saved") {
		t.Errorf("save state not shown:\n%s", d.View())
	}

	// A new session (after a crash) offers it back.
	d2 := f.open(120, 36)
	if d2.m.resume == nil || !d2.m.Capturing() {
		t.Fatalf("no resume offer:\n%s", d2.View())
	}
	if v := d2.View(); !strings.Contains(v, "Resume draft of 1 MPESA-B2C row from today 09:36?") {
		t.Errorf("offer text:\n%s", v)
	}
	d2.Press("enter")
	if d2.m.resume != nil || d2.m.comp.d.ID != ds[0].ID || strings.Join(rowsOf(d2.m), ",") != "254708374149 100" {
		t.Fatalf("resumed %q", rowsOf(d2.m))
	}

	// esc leaves it saved for later.
	d3 := f.open(120, 36)
	d3.Press("esc")
	if d3.m.resume != nil || len(d3.m.comp.d.Rows) != 0 {
		t.Fatal("esc did not dismiss the offer")
	}
	if ds, _ := f.j.Drafts(); len(ds) == 0 {
		t.Fatal("esc discarded the draft")
	}
}

func TestPreviewRefusedWithErrors(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	path := writeCSV(t, f.dir, "p.csv", "phone,amount\n0708374149,100\n0712,100\n")
	d.Press("i")
	d.TypeText(path)
	d.Press("enter", "enter") // add the bad row too
	d.Press("p")
	if d.m.batch != nil || f.Server.Counters().Initiated != 0 {
		t.Fatal("a batch with errors was initiated")
	}
	if v := d.View(); !strings.Contains(v, "Preview refused: 1 error to fix first") {
		t.Errorf("no refusal on screen:\n%s", v)
	}
}

// previewed composes a 2-row B2C batch and previews it.
func previewed(t *testing.T, f *fixture, opts ...Option) *driver {
	t.Helper()
	d := f.open(120, 36, opts...)
	d.addRow("Jane", "0708374149", "1000", "nov")
	d.addRow("John", "0708374149", "234.50", "bonus")
	d.Press("p")
	if d.m.batch == nil || d.m.batch.phase != phasePreview {
		t.Fatalf("not in preview: errors %q\n%s", d.ErrorTexts(), d.View())
	}
	return d
}

func TestPreviewShowsIntaSendsAnswer(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := previewed(t, f)
	v := d.View()
	for _, want := range []string{"Preview and approve (BP103)", "Total KES 1,234.50", "charges KES 20.00 (est.)",
		"= KES 1,254.50", "covers it", "TP101"} {
		if !strings.Contains(v, want) {
			t.Errorf("preview lacks %q:\n%s", want, v)
		}
	}
	if p := f.j.Pending(); len(p) != 1 || p[0].TrackingID != d.m.batch.b.TrackingID {
		t.Errorf("journal pending %+v", p)
	}
	// It is a batch now, not a draft to offer back; an edit makes it a draft again.
	if ds, _ := f.j.Drafts(); len(ds) != 0 {
		t.Errorf("the initiated draft is still offered back: %d drafts", len(ds))
	}
	if w := d.m.QuitWarning(); !strings.Contains(w, "waiting for approval") {
		t.Errorf("quit warning %q", w)
	}
	d.Press("esc", "D")
	if ds, _ := f.j.Drafts(); len(ds) != 1 || len(ds[0].Rows) != 3 {
		t.Errorf("the edited draft was not saved: %d drafts", len(ds))
	}
}

func TestQuitWarning(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := newDriver(t, f, f.common(), 80, 20) // no journal
	if w := d.m.QuitWarning(); w != "" {
		t.Fatalf("empty view warns %q", w)
	}
	d.addRow("Jane", "0708374149", "100", "nov")
	if w := d.m.QuitWarning(); !strings.Contains(w, "not saved") {
		t.Errorf("unsaved draft: %q", w)
	}
	for ph, want := range map[phase]string{phaseInitiating: "being initiated", phaseApproving: "approval is in flight"} {
		d.m.batch = &openBatch{phase: ph, b: &client.Batch{}}
		if w := d.m.QuitWarning(); !strings.Contains(w, want) {
			t.Errorf("phase %d: %q", ph, w)
		}
	}
}

// TestQuitWarningJournalled: a draft the journal holds is offered back
// next time, so quitting loses nothing and nothing is asked; once a save
// has failed, quitting would lose the draft, so the shell must ask.
func TestQuitWarningJournalled(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	d.addRow("Jane", "0708374149", "100", "nov")
	if w := d.m.QuitWarning(); w != "" || d.m.save.err != "" {
		t.Fatalf("a journalled draft warns %q (save error %q)", w, d.m.save.err)
	}
	// The drafts folder becomes a file: every later save fails.
	drafts := filepath.Join(f.dir, "drafts")
	if err := os.RemoveAll(drafts); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(drafts, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d.addRow("John", "0711222333", "200", "nov")
	if d.m.save.err == "" {
		t.Fatal("the save did not fail")
	}
	if w := d.m.QuitWarning(); !strings.Contains(w, "could not be saved") || !strings.Contains(w, "quitting loses its latest changes") {
		t.Errorf("an unsaved draft does not warn: %q", w)
	}
}

func TestDuplicateGuard(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := previewed(t, f)
	d.Press("esc", "p") // same rows again
	c, ok := d.LastConfirm()
	if !ok || !strings.Contains(c.Body, "already initiated") || !c.Danger || c.Perm != common.PermInitiate {
		t.Fatalf("no duplicate warning: %+v", c)
	}
	if n := f.Server.Counters().Initiated; n != 1 {
		t.Fatalf("initiated %d before the warning was answered", n)
	}
	d.Confirm()
	if n := f.Server.Counters().Initiated; n != 2 {
		t.Fatalf("initiated %d after confirming", n)
	}
}

// TestDuplicateGuardWithoutJournal: the demo has no journal; the session
// still remembers what it initiated.
func TestDuplicateGuardWithoutJournal(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := newDriver(t, f, f.common(), 120, 36)
	d.Run(d.m.Init())
	d.addRow("Jane", "0708374149", "1000", "nov")
	d.Press("p")
	if d.m.batch == nil || d.m.batch.phase != phasePreview {
		t.Fatalf("no preview: %q", d.ErrorTexts())
	}
	d.Press("esc", "p")
	if c, ok := d.LastConfirm(); !ok || !strings.Contains(c.Body, "already initiated") {
		t.Fatalf("no duplicate warning without a journal")
	}
	if n := f.Server.Counters().Initiated; n != 1 {
		t.Fatalf("initiated %d", n)
	}
}

func TestApproveConfirmation(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := previewed(t, f)
	d.Press("A")
	c, ok := d.LastConfirm()
	if !ok {
		t.Fatal("no confirmation")
	}
	if c.Typed != "1,234.50" || !c.Danger || c.Perm != common.PermApprove {
		t.Fatalf("confirmation %+v", c)
	}
	if !strings.Contains(d.View(), c.Typed) {
		t.Errorf("the typed total %q is not on screen", c.Typed)
	}
	tid := d.m.batch.b.TrackingID
	// Cancel (the dialog's default) sends nothing and A works again.
	d.Feed(c.OnCancel)
	if d.m.batch.phase != phasePreview || f.Server.Counters().Approved[tid] != 0 {
		t.Fatalf("cancel: phase %d approvals %d", d.m.batch.phase, f.Server.Counters().Approved[tid])
	}
	d.Press("A")
	if d.confirms() != 2 {
		t.Fatalf("%d confirmations", d.confirms())
	}
}

func TestDoubleApproveSendsOne(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := previewed(t, f)
	tid := d.m.batch.b.TrackingID
	d.Press("A", "A") // the second press finds the dialog open: nothing
	if d.confirms() != 1 {
		t.Fatalf("%d confirmations for a double press", d.confirms())
	}
	c, _ := d.LastConfirm()
	d.Feed(c.OnConfirm)
	d.Feed(c.OnConfirm) // a repeated answer is dropped too
	d.Press("A")        // and the key is dead once approved
	if d.m.approvesSent != 1 || f.Server.Counters().Approved[tid] != 1 || f.Server.Counters().Requests["POST send-money/approve/"] != 1 {
		t.Fatalf("approves sent %d, simulator approvals %d, requests %d", d.m.approvesSent,
			f.Server.Counters().Approved[tid], f.Server.Counters().Requests["POST send-money/approve/"])
	}
	if d.confirms() != 1 {
		t.Fatalf("A after approval asked again")
	}
}

// TestWalletMustCover: preview reads the wallet's balance before
// initiating; a batch it cannot cover (total plus estimated charges) is
// never created at IntaSend, and the screen says by how much it falls
// short.
func TestWalletMustCover(t *testing.T) {
	f := newFixture(t, fixtureOpt{noFund: true})
	f.collect("", client.Units(1000)) // 970.00 available after M-Pesa's 3%
	d := f.open(120, 36)
	d.addRow("Jane", "0708374149", "1000", "nov")
	d.addRow("John", "0708374149", "234.50", "bonus")
	d.Press("p")
	if n := f.Server.Counters().Requests["POST send-money/initiate/"]; n != 0 || d.m.batch != nil {
		t.Fatalf("a batch the wallet cannot cover was initiated (%d requests)\n%s", n, d.View())
	}
	// 1,234.50 + 2 × 10.00 estimated charges − 970.00 available.
	d.MustShow("Preview refused: KES 284.50 short (available KES 970.00; needs KES 1,234.50 + est. charges KES 20.00)")
	if es := strings.Join(d.ErrorTexts(), "\n"); !strings.Contains(es, "the wallet is KES 284.50 short") ||
		!strings.Contains(es, "has KES 970.00 available; the batch needs KES 1,234.50 plus estimated charges KES 20.00: KES 284.50 short. Nothing was initiated") {
		t.Errorf("errors %q", es)
	}

	// Topped up, the same draft previews; the estimate matches IntaSend's.
	f.collect("", client.Units(1000))
	d.Press("p")
	if d.m.batch == nil || d.m.batch.phase != phasePreview || d.m.batch.b.ChargeEstimate != d.m.comp.d.EstimatedCharges() {
		t.Fatalf("no preview after topping up, or estimates differ:\n%s", d.View())
	}
}

// TestWalletCoverUnreadable: when the balance cannot be read, nothing is
// initiated (never a batch that may not be payable) and the user is told.
func TestWalletCoverUnreadable(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	d.addRow("Jane", "0708374149", "1000", "nov")
	d.m.comp.d.WalletID = "NOSUCH1"
	d.Press("p")
	if n := f.Server.Counters().Requests["POST send-money/initiate/"]; n != 0 || d.m.batch != nil {
		t.Fatalf("initiated without knowing the balance (%d requests)", n)
	}
	d.MustShow("Preview not sent: the wallet's balance could not be read")
}

func TestKeysUnboundForRoles(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	for _, tc := range []struct {
		role          string
		initiate, app bool
	}{{common.RoleViewer, false, false}, {common.RoleMaker, true, false}, {common.RoleApprover, true, true}} {
		c := f.common()
		c.Role = tc.role
		d := newDriver(t, f, c, 120, 36, WithJournal(f.j))
		k := d.m.keys
		if k.Preview.Enabled() != tc.initiate || k.Add.Enabled() != tc.initiate || k.Approve.Enabled() != tc.app || k.CancelBatch.Enabled() != tc.app {
			t.Errorf("%s: preview %v add %v approve %v cancel %v", tc.role, k.Preview.Enabled(), k.Add.Enabled(), k.Approve.Enabled(), k.CancelBatch.Enabled())
		}
		d.Press("a")
		if (d.m.form != nil) != tc.initiate {
			t.Errorf("%s: a opened a form: %v", tc.role, d.m.form != nil)
		}
	}
}

// TestBankPicker: letters on the bank field open the picker filtered by
// them; enter puts the bank's code in the field.
func TestBankPicker(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	d.setRail(payout.PesaLink)
	d.Press("a")
	d.TypeText("Peter")
	d.Press("tab")
	d.TypeText("0123456789")
	d.Press("tab")
	d.TypeText("equity")
	if !d.m.form.Picking() || !d.m.Capturing() {
		t.Fatalf("no picker:\n%s", d.View())
	}
	if v := d.View(); !strings.Contains(v, "Equity") {
		t.Fatalf("picker does not offer Equity:\n%s", v)
	}
	d.Press("enter")
	if d.m.form.Picking() {
		t.Fatalf("picker still open:\n%s", d.View())
	}
	fl := d.m.form.Get("bank_code")
	if fl.Value() != "68" || !strings.Contains(fl.Hint, "Equity") {
		t.Fatalf("bank field %q hint %q", fl.Value(), fl.Hint)
	}
	d.TypeText("25000")
	d.Press("tab")
	d.TypeText("invoice 7")
	d.Press("enter")
	if len(d.m.comp.d.Rows) != 1 || d.m.comp.d.Rows[0].BankCode != "68" || d.m.comp.nErr != 0 {
		t.Fatalf("rows %+v", d.m.comp.d.Rows)
	}
}

// TestApprovalStatesDuplicates: the approval dialog counts the payouts
// that repeat another row's account and amount.
func TestApprovalStatesDuplicates(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	for range 3 {
		d.addRow("Jane", "0708374149", "100", "nov")
	}
	d.addRow("John", "0711222333", "250", "nov")
	d.addRow("John", "0711222333", "250", "nov")
	d.addRow("Mary", "0722000111", "250", "nov")
	d.Press("p", "A")
	c, ok := d.LastConfirm()
	if !ok || !strings.Contains(c.Body, "! 3 duplicates pay the same account the same amount as another row (254708374149 KES 100.00 ×3, 254711222333 KES 250.00 ×2).") {
		t.Fatalf("approval dialog does not state the duplicates: %q", c.Body)
	}
}
