package payouts

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
)

// The simulator's magic accounts (client/sim/payouts.go): a row to
// 0700000105 stays TF105 (status cannot be determined), a batch with a row
// to 0700000211 ends early (BE111) at that row.
const (
	undeterminedPhone = "0700000105"
	endEarlyPhone     = "0700000211"
)

// approvedBatch composes rows (name, phone, amount), previews and approves
// the batch through the simulator and tracks it to the end.
func approvedBatch(d *driver, rows ...[3]string) string {
	d.T.Helper()
	for _, r := range rows {
		d.addRow(r[0], r[1], r[2], "nov")
	}
	d.Press("p", "A")
	d.Confirm()
	d.settle()
	return d.m.batch.b.TrackingID
}

// attentionCount is the last count the view told the shell (-1: none).
func (d *driver) attentionCount() int {
	msg, ok := d.Last(reflect.TypeFor[common.AttentionMsg]()).(common.AttentionMsg)
	if !ok {
		return -1
	}
	return msg.Count
}

// sweeps fires the sweep timer n times, the simulator's clock moving on
// by each timer's delay.
func (d *driver) sweeps(n int) []time.Duration {
	var delays []time.Duration
	for i := 0; i < n; i++ {
		tm, ok := d.Pending(sweepMsg{})
		if !ok {
			d.T.Fatalf("no sweep timer after %d sweeps", i)
		}
		delays = append(delays, tm.After)
		d.f.Advance(tm.After)
		d.Fire(sweepMsg{})
	}
	return delays
}

// TestAttentionTF105 is issue 13's done-when: the needs-attention view
// shows a TF105 row after a simulated run, with IntaSend's words and what
// to do, copies the details for support, and never retries it: however
// long it is polled, the simulator sees one initiate and one approve.
func TestAttentionTF105(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	rec := &recorder{}
	c := f.common()
	c.Auditor = rec
	d := newDriver(t, f, c, 120, 36, WithJournal(f.j), WithResultsDir(f.dir))
	d.Run(d.m.Init())
	n := d.attentionCount()
	testcheck.Expect(t, "fresh journal: attention", n, testcheck.C("none", n == 0))
	tid := approvedBatch(d, [3]string{"Jane Wanjiku", okPhone, "1000"}, [3]string{"Otieno Unknown", undeterminedPhone, "2500"})
	n = d.attentionCount()
	testcheck.Expect(t, "after the run: attention count\n"+d.View(), n, testcheck.C("one", n == 1))
	d.Press("esc", "!")
	d.MustShow("Needs attention", tid[:18], "TF105", "1 row: status undetermined (ask IntaSend support; do not resend)",
		"What to do: Ask IntaSend support with the tracking id and transaction id; do not resend")

	delays := d.sweeps(4)
	want := []time.Duration{sweepEvery, 2 * sweepEvery, 4 * sweepEvery, 8 * sweepEvery}
	testcheck.Check(t, "sweep delays", delays, testcheck.C(fmt.Sprint("backing off from ", sweepEvery), reflect.DeepEqual(delays, want)))
	cn := f.Server.Counters()
	testcheck.Expect(t, "money calls after sweeps", cn, testcheck.C("initiated once", cn.Initiated == 1),
		testcheck.C("approved once", cn.Approved[tid] == 1), testcheck.C("one approve request", cn.Requests["POST send-money/approve/"] == 1),
		testcheck.C("one initiate request", cn.Requests["POST send-money/initiate/"] == 1))
	testcheck.Check(t, "status reads by the sweep", cn.Requests, testcheck.C("some", cn.Requests["POST send-money/status/"] != 0))
	d.MustShow(tid[:18], "TF105")

	d.Press("y")
	testcheck.Contains(t, "support details", d.Clipboard(), "Tracking id:   "+tid, "BC100", "KES 3,500.00",
		"TF105 KES 2,500.00 to 254700000105 (Otieno Unknown)", "Initiated:     2026-11-22 09:36:45 EAT by amina@ops", "Approved by:", "Needs:")
	got := rec.find("payout.support-copy")
	testcheck.Check(t, "audit of the copy", got, testcheck.C("one ok", slices.Equal(got, []string{tid + " ok"})))

	d.Press("d")
	n = d.attentionCount()
	testcheck.Expect(t, "after marking it seen: count\n"+d.View(), n, testcheck.C("none", n == 0))
	d.MustShow("Nothing needs attention")
	got = rec.find("payout.acknowledge")
	testcheck.Check(t, "audit of the acknowledgement", got, testcheck.C("one ok", slices.Equal(got, []string{tid + " ok"})))
}

// TestAttentionEndedEarlyAndHistory: a batch that ended early (BE111)
// needs attention; the history shows it beside a completed and a
// cancelled batch, filters them, opens one's rows and exports the list.
func TestAttentionEndedEarlyAndHistory(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	done := approvedBatch(d, [3]string{"Jane", okPhone, "1000"})
	d.Press("esc")
	ended := approvedBatch(d, [3]string{"Mary", okPhone, "700"}, [3]string{"Stop Here", endEarlyPhone, "300"}, [3]string{"After", okPhone, "400"})
	d.Press("esc")
	d.addRow("Peter", okPhone, "900", "nov")
	d.Press("p", "x")
	d.Confirm()
	cancelled := d.m.batch.b.TrackingID
	d.Press("esc")

	d.Press("!")
	d.MustShow(ended[:18], "BE111", "ended early")
	if n := d.attentionCount(); n != 1 {
		t.Fatalf("attention %d, want 1 (the ended batch)\n%s", n, d.View())
	}

	d.Press("H")
	d.MustShow("Batch history", "3 batches", done[:18], "completed", ended[:18], "ended early", cancelled[:18], "cancelled", "amina@ops")
	d.Press("/")
	d.TypeText("cancelled")
	d.Press("enter")
	d.MustShow("1 of 3 batches", cancelled[:18])
	if strings.Contains(d.View(), done[:18]) {
		t.Fatalf("filter kept the completed batch:\n%s", d.View())
	}
	d.Press("E")
	if d.m.prompt == nil {
		t.Fatalf("no export prompt:\n%s", d.View())
	}
	d.Press("enter")
	name := filepath.Join(f.dir, "payout-history-2026-11-22.csv")
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, d.View())
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || lines[0] != strings.Join(payout.HistoryHeader, ",") || !strings.HasPrefix(lines[1], cancelled+",") ||
		!strings.Contains(lines[1], ",cancelled,") {
		t.Fatalf("history CSV:\n%s", data)
	}

	d.Press("esc") // clears the filter
	d.Press("end", "enter")
	if d.m.screen != scrBatch || d.m.batch.b.TrackingID != done {
		t.Fatalf("enter on the oldest batch did not open it:\n%s", d.View())
	}
	d.MustShow("Batch tracking", "Jane")
	d.Press("esc")
	d.MustShow("Batch history")
}

// TestAttentionApproveWithNoAnswer: an approve whose answer never came (a
// session killed mid-approve) shows as such once its window is over; the
// sweep settles it by reading the status, and approves nothing.
func TestAttentionApproveWithNoAnswer(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	d.addRow("Jane", okPhone, "1000", "nov")
	d.Press("p")
	tid := d.m.batch.b.TrackingID
	if err := f.j.RecordApproving(tid); err != nil { // the approver died here
		t.Fatal(err)
	}
	f.Advance(payout.ApproveWindow + time.Minute)
	d.Run(d.m.loadBook())
	d.Press("esc", "!")
	d.MustShow(tid[:18], "approve sent; IntaSend gave no definite answer", "Do not approve again")
	if n := d.attentionCount(); n != 1 {
		t.Fatalf("attention %d", n)
	}
	d.Press("d") // seen, but an approve with no answer stays until a status read
	if n := d.attentionCount(); n != 1 || !strings.Contains(strings.Join(d.Toasts(), "\n"), "stays listed until IntaSend's status settles it") {
		t.Fatalf("after d: attention %d, toasts %q", n, d.Toasts())
	}
	d.sweeps(1)
	if n := d.attentionCount(); n != 0 {
		t.Fatalf("after the sweep: attention %d\n%s", n, d.View())
	}
	e, _ := f.j.Entry(tid)
	if e.Status != payout.StatusApproveFailed || f.Server.Counters().Requests["POST send-money/approve/"] != 0 {
		t.Fatalf("entry %s, approve requests %d", e.Status, f.Server.Counters().Requests["POST send-money/approve/"])
	}
}

// TestAttentionRoles: a viewer sees the queue but may neither copy the
// details out nor mark them seen; each refusal is audited.
func TestAttentionRoles(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	tid := approvedBatch(d, [3]string{"Otieno", undeterminedPhone, "2500"})
	rec := &recorder{}
	c := f.Common(common.ModeSandbox, "viewer")
	c.Auditor = rec
	v := newDriver(t, f, c, 120, 36, WithJournal(f.j))
	v.Run(v.m.Init())
	v.Press("!")
	v.MustShow(tid[:18], "TF105")
	if v.m.keys.Dismiss.Enabled() || v.m.keys.CopyDetails.Enabled() {
		t.Fatal("viewer has d or y bound")
	}
	v.Run(v.m.acknowledge(v.m.attn.items[0]))
	v.Run(v.m.copyDetails(v.m.attn.items[0]))
	if got := append(rec.find("payout.acknowledge"), rec.find("payout.support-copy")...); len(got) != 2 ||
		got[0] != tid+" refused" || got[1] != tid+" refused" {
		t.Fatalf("refusals audited: %q", got)
	}
	if v.Clipboard() != "" {
		t.Fatal("viewer copied the details")
	}
	if e, _ := f.j.Entry(tid); !e.AckedAt.IsZero() {
		t.Fatal("viewer's acknowledgement was recorded")
	}
	_ = client.BatchCompleted
}

// TestCopyDetailsReadsStatusFirst: in a session that has not read the
// batch's status (a final batch the sweep leaves alone), y reads it once
// so the failed row is in the block, and sends nothing else.
func TestCopyDetailsReadsStatusFirst(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := f.open(120, 36)
	tid := approvedBatch(d, [3]string{"Jane", okPhone, "1000"}, [3]string{"Bad Number", "0700000002", "234.50"})
	d2 := f.open(120, 36) // a new session: its sweep skips the final batch
	d2.Press("!")
	d2.MustShow(tid[:18], "TF106")
	if _, ok := d2.m.attn.last[tid]; ok {
		t.Fatal("the new session's sweep read a final batch")
	}
	before := f.Server.Counters().Requests["POST send-money/status/"]
	d2.Press("y")
	if !strings.Contains(d2.Clipboard(), "TF106 KES 234.50 to 254700000002 (Bad Number)") {
		t.Fatalf("details lack the failed row:\n%s", d2.Clipboard())
	}
	cn := f.Server.Counters()
	if cn.Requests["POST send-money/status/"] != before+1 || cn.Requests["POST send-money/approve/"] != 1 {
		t.Fatalf("status reads %d → %d, approve requests %d", before, cn.Requests["POST send-money/status/"], cn.Requests["POST send-money/approve/"])
	}
}
