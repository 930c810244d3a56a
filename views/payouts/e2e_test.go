package payouts

import (
	"crypto/rsa"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/payout"
)

// railCase is a small batch per rail: one payee that is always paid and one
// that always fails (the simulator's magic accounts), typed through the
// form in its field order.
var railCases = []struct {
	rail  payout.Rail
	rows  [][]string
	fails bool // the second row fails (PayBill and till numbers have no magic failing account)
}{
	{payout.B2C, [][]string{{"Jane Wanjiku", "0708 374 149", "1500", "salary nov"}, {"Bad Number", "0700 000 002", "250", "salary nov"}}, true},
	{payout.B2B, [][]string{{"KPLC", "888880", "PayBill", "ACC12345", "3200", "power nov"}, {"Shop", "5678", "TillNumber", "", "700", "stock"}}, false},
	{payout.PesaLink, [][]string{{"Peter Kamau", "0123456789", "1", "25000", "invoice 7"}, {"Grace Njeri", "254700000002", "68", "1200", "invoice 8"}}, true},
	{payout.P2P, [][]string{{"Mary Akinyi", "254708374149", "500", "refund"}, {"David K", "254700000001", "300", "refund"}}, true},
	{payout.Airtime, [][]string{{"Field team", "0708374149", "100", "airtime nov"}, {"Driver", "0700000003", "50", "airtime nov"}}, true},
}

// TestEndToEndEveryRail composes, previews, approves and tracks a batch on
// every rail through the simulator, then exports the results and copies
// the failures into a new draft.
// approveAndSettle previews the draft, approves it with the typed total,
// lets it settle and checks it completed, approved once.
func approveAndSettle(t *testing.T, f *fixture, d *driver) {
	t.Helper()
	d.Press("p")
	b := d.m.batch
	testcheck.Expect(t, fmt.Sprintf("preview %q\n%s", d.ErrorTexts(), d.View()), b, testcheck.C("shown", b != nil && b.phase == phasePreview))
	tid := b.b.TrackingID
	d.Press("A")
	c := d.Confirm()
	testcheck.Expect(t, "typed, total "+b.total().String(), c.Typed, testcheck.C("the total", c.Typed == b.total().String()))
	d.settle()
	got := d.m.batch.b.StatusCode
	testcheck.Expect(t, "status\n"+d.View(), got, testcheck.C("completed", got == client.BatchCompleted))
	n := f.Server.Counters().Approved[tid]
	testcheck.Expect(t, "times approved", n, testcheck.C("once", n == 1))
}

func TestEndToEndEveryRail(t *testing.T) {
	for _, rc := range railCases {
		t.Run(string(rc.rail), func(t *testing.T) {
			f := newFixture(t, fixtureOpt{})
			d := f.open(120, 36)
			d.setRail(rc.rail)
			for _, r := range rc.rows {
				d.addRow(r...)
			}
			testcheck.Expect(t, "rows with errors\n"+d.View(), d.m.comp.nErr, testcheck.C("none", d.m.comp.nErr == 0))
			approveAndSettle(t, f, d)
			wants := []string{"Completed (BC100)", "Paid ", "(2)", "TS100"}
			if rc.fails {
				wants = []string{"Completed (BC100)", "Paid ", "(1)", "failed", "TS100", "TF106"}
			}
			testcheck.Contains(t, "tracking screen", d.View(), wants...)
			testcheck.Check(t, "the approved draft left in the composer", len(d.m.comp.d.Rows), testcheck.C("none", len(d.m.comp.d.Rows) == 0))

			// Export (the default path) and check the file.
			d.Press("E", "enter")
			recs := readCSV(t, filepath.Join(f.dir, "payout-results-"+d.m.batch.b.FileID+".csv"))
			testcheck.Expect(t, "results", recs, testcheck.C("3 records", len(recs) == 3), testcheck.C("header", len(recs) > 0 && recs[0][0] == "name"))
			ok, second := recs[1], recs[2]
			testcheck.Check(t, "results rows", [][]string{ok, second}, testcheck.C("paid TS100", ok[5] == "TS100"),
				testcheck.C("paid has a reference", ok[6] != ""), testcheck.C("failed TF106", !rc.fails || second[5] == "TF106"))
			if !rc.fails {
				return
			}

			// Failed rows become a new draft.
			d.Press("F")
			testcheck.Expect(t, fmt.Sprintf("failed rows draft: %d rows on %s\n%s", len(d.m.comp.d.Rows), d.m.comp.d.Rail, d.View()), d.m.screen,
				testcheck.C("compose screen", d.m.screen == scrCompose), testcheck.C("one row", len(d.m.comp.d.Rows) == 1),
				testcheck.C("same rail", d.m.comp.d.Rail == rc.rail))
			testcheck.Check(t, "retry draft errors\n"+d.View(), d.m.comp.nErr, testcheck.C("none", d.m.comp.nErr == 0))
		})
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestSignedApproval registers device 7's public key with the simulator:
// the view sends device_id 7 and the client signs the nonce, so the
// approval is accepted; without the signer IntaSend's refusal is shown and
// nothing is approved.
func TestSignedApproval(t *testing.T) {
	// The repository's fixed test key (generating one takes seconds).
	pemData, err := os.ReadFile("../../client/testdata/device-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	priv, err := client.ParsePrivateKeyPEM(pemData)
	if err != nil {
		t.Fatal(err)
	}
	devices := map[string]*rsa.PublicKey{"7": &priv.PublicKey}

	t.Run("signed", func(t *testing.T) {
		f := newFixture(t, fixtureOpt{sim: sim.Options{Devices: devices}, signer: client.NewRSASigner(priv)})
		d := previewed(t, f, WithDeviceID("7"))
		tid := d.m.batch.b.TrackingID
		if info, _ := f.Server.Batch(tid); info.DeviceID != "7" {
			t.Fatalf("device id %q", info.DeviceID)
		}
		d.Press("A")
		d.Confirm()
		if d.m.batch.phase != phaseTracking || f.Server.Counters().Approved[tid] != 1 {
			t.Fatalf("phase %d approvals %d errors %q", d.m.batch.phase, f.Server.Counters().Approved[tid], d.ErrorTexts())
		}
		d.settle()
	})
	t.Run("unsigned", func(t *testing.T) {
		f := newFixture(t, fixtureOpt{sim: sim.Options{Devices: devices}})
		d := previewed(t, f, WithDeviceID("7"))
		tid := d.m.batch.b.TrackingID
		d.Press("A")
		d.Confirm()
		if f.Server.Counters().Approved[tid] != 0 {
			t.Fatal("an unsigned approval was accepted")
		}
		if d.m.batch.phase != phasePreview {
			t.Fatalf("phase %d after a refusal", d.m.batch.phase)
		}
		v := d.View()
		if !strings.Contains(v, "IntaSend refused the approval") || !strings.Contains(strings.Join(d.ErrorTexts(), "\n"), "nonce") {
			t.Errorf("refusal not shown: %q\n%s", d.ErrorTexts(), v)
		}
	})
}

// TestApproveDroppedConnection: the simulator approves, then drops the
// connection. The client reads the status instead of approving again; the
// batch is approved exactly once and tracked to the end.
func TestApproveDroppedConnection(t *testing.T) {
	f := newFixture(t, fixtureOpt{sim: sim.Options{Faults: []sim.Fault{{Route: "send-money/approve", Kind: sim.DropAfter}}}})
	d := previewed(t, f)
	tid := d.m.batch.b.TrackingID
	d.Press("A")
	d.Confirm()
	d.Press("A")
	d.settle()
	cn := f.Server.Counters()
	if cn.Approved[tid] != 1 || cn.Faults["drop-after"] < 1 {
		t.Fatalf("approved %d, faults %v", cn.Approved[tid], cn.Faults)
	}
	if d.m.batch.b.StatusCode != client.BatchCompleted {
		t.Fatalf("status %s", d.m.batch.b.StatusCode)
	}
}

// TestInitiateDroppedConnection: initiate is processed but its answer is
// lost. The view says so, sends nothing again, and p on the same rows
// warns before initiating a second batch.
func TestInitiateDroppedConnection(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	d.addRow("Jane", "0708374149", "1000", "nov")
	f.Server.SetFaults([]sim.Fault{{Route: "send-money/initiate", Kind: sim.DropAfter}})
	d.Press("p")
	if d.m.batch == nil || d.m.batch.phase != phaseInitiateUnknown {
		t.Fatalf("phase after a dropped initiate: %+v", d.m.batch)
	}
	if n := f.Server.Counters().Initiated; n != 1 {
		t.Fatalf("initiated %d", n)
	}
	if !strings.Contains(d.View(), "it was NOT sent again") {
		t.Errorf("outcome not explained:\n%s", d.View())
	}
	f.Server.SetFaults(nil)
	d.Press("esc", "p")
	if c, ok := d.LastConfirm(); !ok || !strings.Contains(c.Body, "answer was lost") {
		t.Fatalf("no duplicate warning after a lost answer: %+v", c)
	}
	if n := f.Server.Counters().Initiated; n != 1 {
		t.Fatalf("initiated %d before confirming", n)
	}
}

// TestPendingAndOpenByID: a batch initiated elsewhere is opened by tracking
// id, listed in Pending, approved from there; cancel works on another.
func TestPendingAndOpenByID(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	req := client.InitiateRequest{Provider: client.MPesaB2C,
		Transactions: []client.PayoutItem{{Name: "Jane", Account: okPhone, Amount: client.Units(100), Narrative: "x"}}}
	b1, err := f.Client.InitiatePayout(f.Ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := f.Client.InitiatePayout(f.Ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	d := f.open(120, 36)
	d.Press("o")
	d.TypeText(b1.TrackingID)
	d.Press("enter")
	if d.m.batch == nil || d.m.batch.phase != phasePreview {
		t.Fatalf("open by id: %q\n%s", d.ErrorTexts(), d.View())
	}
	d.Press("P")
	if v := d.View(); !strings.Contains(v, b1.TrackingID) || !strings.Contains(v, "elsewhere") {
		t.Fatalf("pending list:\n%s", v)
	}
	d.Press("enter", "A")
	d.Confirm()
	if f.Server.Counters().Approved[b1.TrackingID] != 1 {
		t.Fatal("not approved from the pending list")
	}
	d.Press("P")
	if v := d.View(); strings.Contains(v, b1.TrackingID) {
		t.Errorf("an approved batch is still pending:\n%s", v)
	}
	d.Press("esc")

	d.Press("o")
	d.TypeText(b2.TrackingID)
	d.Press("enter", "esc")
	if v := d.View(); !strings.Contains(v, "1 batch waiting (P)") {
		t.Errorf("the composer does not say a batch waits:\n%s", v)
	}
	d.Press("b", "x")
	d.Confirm()
	if info, _ := f.Server.Batch(b2.TrackingID); info.StatusCode != client.BatchEnded || d.m.batch.phase != phaseFinal {
		t.Fatalf("cancel: sim %s phase %d", info.StatusCode, d.m.batch.phase)
	}
	d.Press("A")
	if f.Server.Counters().Approved[b2.TrackingID] != 0 {
		t.Fatal("a cancelled batch was approved")
	}
}

// pending counts the poll timers waiting to fire.
func (d *driver) pendingPolls() int {
	n := 0
	for _, tm := range d.Timers {
		if _, ok := tm.Msg.(pollMsg); ok {
			n++
		}
	}
	return n
}

// TestTrackingPolls: one status read at a time, backing off while IntaSend
// fails, paused while the view is hidden, until the batch is final.
func TestTrackingPolls(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := previewed(t, f)
	d.Press("A")
	d.Confirm()
	if n := d.pendingPolls(); n != 1 {
		t.Fatalf("%d poll timers after approval", n)
	}
	// A read in flight blocks another.
	if first := d.m.pollNow(); first == nil || d.m.pollNow() != nil {
		t.Fatal("two status reads could overlap")
	} else {
		d.Run(first)
	}

	status := func() int { return f.Server.Counters().Requests["POST send-money/status/"] }
	f.Server.SetFaults([]sim.Fault{{Route: "send-money/status", Kind: sim.ServerError, Status: 503}})
	d.Scheduled = nil
	for range 3 {
		d.Fire(pollMsg{})
	}
	if len(d.pollDelays()) != 3 || !(d.pollDelays()[0] < d.pollDelays()[1] && d.pollDelays()[1] < d.pollDelays()[2]) {
		t.Fatalf("no back-off after failures: %v", d.pollDelays())
	}
	if !strings.Contains(d.View(), "status check failed, retrying") {
		t.Errorf("failure not shown:\n%s", d.View())
	}
	f.Server.SetFaults(nil)

	d.m.SetShown(false)
	before := status()
	d.Fire(pollMsg{})
	if status() != before || d.pendingPolls() != 0 {
		t.Fatalf("polled while hidden: %d reads, %d timers", status()-before, d.pendingPolls())
	}
	d.Run(d.m.SetShown(true))
	if status() != before+1 {
		t.Fatalf("showing again did not read the status at once")
	}
	d.settle()
	ts := strings.Join(d.Toasts(), "\n")
	if !strings.Contains(ts, "completed: 2 paid") {
		t.Errorf("toasts %q", ts)
	}
	if d.pendingPolls() != 0 {
		t.Errorf("still polling a final batch")
	}
}

// recAuditor records the audit events in memory.
type recAuditor = tuitest.Auditor

// auditedJaneDraft is a started Payouts view on the journal with a
// recording auditor and one row (Jane, KES 1,000) in the draft.
func auditedJaneDraft(t *testing.T) (*fixture, *driver, *recAuditor) {
	t.Helper()
	f := newFixture(t, fixtureOpt{})
	aud := &recAuditor{}
	c := f.common()
	c.Auditor = aud
	d := newDriver(t, f, c, 120, 36, WithJournal(f.j))
	d.Run(d.m.Init())
	d.addRow("Jane", "0708374149", "1000", "nov")
	return f, d, aud
}

// TestAuditAndFourEyesHooks: every money-moving call's outcome goes to the
// audit log, and the approval names the batch's initiator so the shell can
// refuse them under four-eyes.
func TestAuditAndFourEyesHooks(t *testing.T) {
	_, d, aud := auditedJaneDraft(t)
	d.Press("p", "A")
	cf, _ := d.LastConfirm()
	if cf.Action != "payout.approve" || cf.Initiator != "amina@ops" || cf.Amount != client.Units(1000) || cf.Target != d.m.batch.b.TrackingID {
		t.Fatalf("confirm hooks %+v", cf)
	}
	d.Confirm()
	var got []string
	for _, ev := range aud.Events {
		got = append(got, ev.Action+" "+ev.Result+" "+ev.Amount.String())
	}
	if strings.Join(got, ",") != "payout.initiate ok 1,000.00,payout.approve ok 1,000.00" {
		t.Fatalf("audit %q", got)
	}
}

// TestFloatCheckFails: the wallet is emptied between preview and approval
// (the preview's balance is stale), so IntaSend's float check fails the
// batch (BF105); tracking ends there and says so, and nothing is paid.
func TestFloatCheckFails(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := previewed(t, f)
	settle := f.Server.SettlementWalletID()
	w, _ := f.Server.Wallet(settle)
	if _, err := f.Client.IntraTransfer(f.Ctx, settle, client.IntraTransferRequest{ToWalletID: f.ops, Amount: w.Available - client.Units(100), Narrative: "sweep"}); err != nil {
		t.Fatal(err)
	}
	d.Press("A")
	d.Confirm()
	d.settle()
	b := d.m.batch
	if b.b.StatusCode != client.BatchFloatFailed || b.sum.paid != 0 {
		t.Fatalf("status %s paid %d", b.b.StatusCode, b.sum.paid)
	}
	if v := d.View(); !strings.Contains(v, "✖ float check failed, nothing sent · Failed Processing (BF105)") {
		t.Errorf("float failure not shown:\n%s", v)
	}
	if ts := strings.Join(d.Toasts(), "\n"); !strings.Contains(ts, "ended: Failed Processing (BF105)") {
		t.Errorf("toasts %q", ts)
	}
}

// TestCancelledBatchShownAsCancelled: a batch cancelled before approval
// says "cancelled" with its own symbol, not "✖ failed", and the "Cannot
// approve" line from before the cancel is gone. The cancel dialog's
// buttons name the action.
func TestCancelledBatchShownAsCancelled(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := previewed(t, f)
	settle := f.Server.SettlementWalletID()
	w, _ := f.Server.Wallet(settle)
	if _, err := f.Client.IntraTransfer(f.Ctx, settle, client.IntraTransferRequest{ToWalletID: f.ops, Amount: w.Available - client.Units(100), Narrative: "sweep"}); err != nil {
		t.Fatal(err)
	}
	d.Run(d.m.Refresh())
	d.Press("A")
	d.MustShow("Cannot approve")
	d.Press("x")
	c := d.Confirm()
	if c.ConfirmLabel != "Cancel batch" || c.CancelLabel != "Keep batch" {
		t.Errorf("cancel dialog buttons %q / %q, want Cancel batch / Keep batch", c.ConfirmLabel, c.CancelLabel)
	}
	if d.m.batch.phase != phaseFinal {
		t.Fatalf("not cancelled:\n%s", d.View())
	}
	v := d.View()
	d.MustShow("⊘ cancelled before approval · Cancelled (BE111)", "⊘ cancelled KES 1,234.50 (2 payouts) · nothing was paid", "Cancelled before approval")
	for _, bad := range []string{"Cannot approve", "failed", "✖"} {
		if strings.Contains(v, bad) {
			t.Errorf("a cancelled batch shows %q:\n%s", bad, v)
		}
	}
}

// TestDuplicateGuardAcrossSessions: while the duplicate warning waits for
// an answer, another session on the same journal (a CLI, say) starts
// initiating the same rows. Confirming then sends nothing: the journal's
// guard refuses under its lock, the view says who and what to do and goes
// back to the draft, and the refusal is audited.
func TestDuplicateGuardAcrossSessions(t *testing.T) {
	f, d, aud := auditedJaneDraft(t)
	d.Press("p", "esc", "p")
	if cf, ok := d.LastConfirm(); !ok || !strings.Contains(cf.Body, "already initiated") {
		t.Fatalf("no duplicate warning: %+v", cf)
	}
	cli, err := payout.OpenJournal(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	cli.SetClock(f.Clock.Now)
	other := d.m.comp.d.Clone()
	if _, err := cli.As("brian@laptop").ReserveInitiate(other, cli.Initiated(other.Fingerprint())); err != nil {
		t.Fatal(err)
	}
	d.Confirm()
	if n := f.Server.Counters().Initiated; n != 1 {
		t.Fatalf("initiated %d, want only the first", n)
	}
	if errs := strings.Join(d.ErrorTexts(), "\n"); !strings.Contains(errs, "Not initiated: brian@laptop started initiating an identical batch") ||
		!strings.Contains(errs, "Nothing was sent") {
		t.Fatalf("errors %q", errs)
	}
	if d.m.screen != scrCompose || d.m.batch != nil {
		t.Fatalf("screen %v batch %+v", d.m.screen, d.m.batch)
	}
	last := aud.Events[len(aud.Events)-1]
	if last.Action != "payout.initiate" || last.Result != "refused" || last.Amount != client.Units(1000) {
		t.Fatalf("audit %+v", last)
	}
}
