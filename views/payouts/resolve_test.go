package payouts

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/components/bankpicker"
)

// killedMidApprove leaves the journal as a kill -9 during approve does: a
// batch initiated, an approving line and no outcome. landed says whether
// the approve reached IntaSend before the process died. The session is
// then dropped, as the killed process was.
func killedMidApprove(t *testing.T, f *fixture, landed bool) string {
	t.Helper()
	d := previewed(t, f)
	with := d.m.batch.approveWith
	if err := f.j.RecordApproving(with.TrackingID); err != nil {
		t.Fatal(err)
	}
	if landed {
		if _, err := f.Client.ApprovePayout(f.Ctx, with); err != nil {
			t.Fatal(err)
		}
	}
	return with.TrackingID
}

// reopen is a console opened later on the same journal, as another
// process or host would open it: its own file handle, the same clock.
func (f *fixture) reopen(t *testing.T) *driver {
	t.Helper()
	j, err := payout.OpenJournal(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	j.SetClock(f.Clock.Now)
	d := newDriver(t, f, f.common(), 120, 36, WithJournal(j.As("otieno@ops")), WithResultsDir(f.dir),
		WithBankCache(bankpicker.NewCache(bankpicker.WithPath(""))))
	d.Run(d.m.Init())
	return d
}

func outcomeLines(t *testing.T, dir string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(data, []byte(`"event":"approved"`)) + bytes.Count(data, []byte(`"event":"approve-failed"`))
}

// TestConsoleSettlesApprovalLeftApproving: a console opened on a journal
// left approving by a kill -9 reads the batch status (never approving
// again), records the outcome once, and stops counting an approved batch
// as waiting; IntaSend saw exactly one approval in the end.
func TestConsoleSettlesApprovalLeftApproving(t *testing.T) {
	tests := []struct {
		name     string
		landed   bool
		after    time.Duration // between the kill and the console opening
		status   string        // the journal's, once the console is open
		waiting  bool          // the composer says "1 batch waiting"
		outcomes int
	}{
		{"the approve landed", true, 0, payout.StatusApproved, false, 1},
		{"the approve landed, opened a day later", true, 24 * time.Hour, payout.StatusApproved, false, 1},
		// The approve may still be on its way from a live session: no guess.
		{"not landed, approver may be alive", false, time.Second, payout.StatusApproving, true, 0},
		{"not landed, approver gone", false, payout.ApproveWindow, payout.StatusApproveFailed, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{})
			tid := killedMidApprove(t, f, tt.landed)
			f.Advance(tt.after)
			approvesBefore := f.Server.Counters().Requests["POST send-money/approve/"]

			d := f.reopen(t)
			if e, _ := f.j.Entry(tid); e.Status != tt.status {
				t.Fatalf("journal says %q, want %q", e.Status, tt.status)
			}
			if got := strings.Contains(d.View(), "1 batch waiting (P)"); got != tt.waiting {
				t.Errorf("composer says a batch waits: %v, want %v\n%s", got, tt.waiting, d.View())
			}
			if n := f.Server.Counters().Requests["POST send-money/approve/"]; n != approvesBefore {
				t.Fatalf("opening the console sent %d approves", n-approvesBefore)
			}
			if n := outcomeLines(t, f.dir); n != tt.outcomes {
				t.Errorf("%d outcome lines, want %d", n, tt.outcomes)
			}
			// A second console (another host) writes nothing more.
			f.reopen(t)
			if n := outcomeLines(t, f.dir); n != tt.outcomes {
				t.Errorf("after a second console: %d outcome lines, want %d", n, tt.outcomes)
			}
			if !tt.landed {
				// Proven not approved, so approving from the list is safe;
				// it is approved once, and stops waiting.
				f.Advance(payout.ApproveWindow)
				d.Press("P", "enter", "A")
				d.Confirm()
				d.Press("esc", "esc")
			}
			if n := f.Server.Counters().Approved[tid]; n != 1 {
				t.Fatalf("IntaSend approved the batch %d times, want 1", n)
			}
			if e, _ := f.j.Entry(tid); e.Status != payout.StatusApproved {
				t.Errorf("journal ends %q", e.Status)
			}
			if p := f.j.Pending(); len(p) != 0 {
				t.Errorf("still pending: %+v", p)
			}
			d.Press("esc")
			if v := d.View(); !strings.Contains(v, "Payouts · Compose") || strings.Contains(v, "waiting (P)") {
				t.Errorf("the composer still counts a waiting batch:\n%s", v)
			}
		})
	}
}

// TestUnknownApprovalStaysApprovingUntilRead: when even ApproveOnce's
// status read fails, the journal is not told "failed" (the approve did
// land here): it stays approving, and the session's next status read
// records the outcome once.
func TestUnknownApprovalStaysApprovingUntilRead(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := previewed(t, f)
	tid := d.m.batch.b.TrackingID
	f.Server.SetFaults([]sim.Fault{{Route: "approve", Kind: sim.DropAfter},
		{Route: "send-money/status", Kind: sim.ServerError, Status: 503}})
	d.Press("A")
	d.Confirm()
	if d.m.batch.phase != phaseApproveUnknown {
		t.Fatalf("phase %d, want outcome unknown\n%s", d.m.batch.phase, d.View())
	}
	if e, _ := f.j.Entry(tid); e.Status != payout.StatusApproving {
		t.Fatalf("journal says %q with the outcome unknown", e.Status)
	}
	f.Server.SetFaults(nil)
	d.Fire(pollMsg{})
	if e, _ := f.j.Entry(tid); e.Status != payout.StatusApproved || outcomeLines(t, f.dir) != 1 {
		t.Fatalf("after the status read: journal %q, %d outcome lines", e.Status, outcomeLines(t, f.dir))
	}
	if n := f.Server.Counters().Approved[tid]; n != 1 {
		t.Fatalf("%d approvals", n)
	}
	if d.m.pend.count != 0 {
		t.Errorf("pending count %d after the approval settled", d.m.pend.count)
	}
}

// The journal leaves a young approving alone for ApproveWindow, trusting
// that the approve call ends before it: this view's deadline must.
func TestApproveWindowCoversTheApproveCall(t *testing.T) {
	if batchTO >= payout.ApproveWindow {
		t.Fatalf("batchTO %s is not shorter than payout.ApproveWindow %s", batchTO, payout.ApproveWindow)
	}
}
