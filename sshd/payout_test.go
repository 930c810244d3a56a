package sshd

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/payout"
)

// initiate has u compose a one-row batch of KES 1,000 and preview it
// (initiate, waiting approval); it returns the batch's tracking id.
func initiate(t *testing.T, ts *testServer, tm *term, user string) string {
	t.Helper()
	tm.waitFor(t, "Payroll")
	tm.send("3")
	ts.waitScreen(t, user, "Payouts · Compose")
	tm.send("a")
	ts.waitScreen(t, user, "Name")
	for _, k := range []string{"Jane", "\t", "0708374149", "\t", "1000", "\t", "nov", "\r"} {
		tm.send(k)
	}
	ts.waitScreen(t, user, "1 row")
	tm.send("p")
	ts.waitScreen(t, user, "Preview and approve (BP103)")
	var tid string
	for _, e := range ts.journal.Pending() {
		if e.Initiator == user {
			tid = e.TrackingID
		}
	}
	if tid == "" {
		t.Fatalf("the journal has no pending batch initiated by %s: %+v", user, ts.journal.Pending())
	}
	return tid
}

// openPending has the user open the first pending batch.
func openPending(t *testing.T, ts *testServer, tm *term, user, initiator string) {
	t.Helper()
	tm.waitFor(t, "Payroll")
	tm.send("3")
	ts.waitScreen(t, user, "Payouts")
	tm.send("P")
	ts.waitScreen(t, user, initiator)
	tm.send("\r")
	// Approve acts once the batch's status and the wallet's balance are in.
	ts.waitScreen(t, user, "Preview and approve (BP103)")
	ts.waitScreen(t, user, "covers it")
}

func approvals(ts *testServer) int {
	n := 0
	for _, v := range ts.demo.Sim.Counters().Approved {
		n += v
	}
	return n
}

// approveRecord matches an approve of tid by user with result.
func approveRecord(user, tid, result string) func(Record) bool {
	return func(r Record) bool {
		return r.Event == "payout.approve" && r.User == user && r.Target == tid && r.Result == result
	}
}

// approvedWithMoney matches user's successful approve of tid that names
// the amount and the key that signed in.
func approvedWithMoney(user, tid string) func(Record) bool {
	return func(r Record) bool {
		return approveRecord(user, tid, "ok")(r) &&
			r.Amount != nil && r.Amount.String() == "1,000.00" && strings.HasPrefix(r.Fingerprint, "SHA256:")
	}
}

// makerInitiated matches user's successful initiate, as a maker, with money.
func makerInitiated(user string) func(Record) bool {
	return func(r Record) bool {
		return r.Event == "payout.initiate" && r.User == user && r.Role == "maker" && r.Result == "ok" && r.Amount != nil
	}
}

func TestMakerInitiatesApproverApproves(t *testing.T) {
	t.Parallel() // its own server; nothing timing-sensitive
	maker := newUser(t, "baraka", "maker")
	approver := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{maker, approver}, nil)
	tmM := ts.login(t, maker)
	tid := initiate(t, ts, tmM, "baraka")

	// The maker has no approve: the key is refused by the shell.
	tmM.send("A")
	ts.waitScreen(t, "baraka", "may not approve")

	tmA := ts.login(t, approver)
	openPending(t, ts, tmA, "wanjiru", "baraka")
	tmA.send("A")
	ts.waitScreen(t, "wanjiru", "Type 1,000.00 to confirm")
	tmA.send("\t")
	tmA.send("1,000.00")
	tmA.send("\r")
	ts.waitScreen(t, "wanjiru", "Approved")
	n := approvals(ts)
	testcheck.Expect(t, "approvals that reached IntaSend", n, testcheck.C("exactly 1", n == 1))
	e, ok := ts.journal.Entry(tid)
	testcheck.Check(t, "journal entry", e,
		testcheck.C("present", ok), testcheck.C("initiator baraka", e.Initiator == "baraka"),
		testcheck.C("approved or approving", e.Status == payout.StatusApproved || e.Status == payout.StatusApproving))
	ts.waitRecord(t, "initiate by baraka", makerInitiated("baraka"))
	// The shell records the confirmation itself, before the view acts.
	ts.waitRecord(t, "wanjiru's confirmation", approveRecord("wanjiru", tid, "requested"))
	ts.waitRecord(t, "approve by wanjiru", approvedWithMoney("wanjiru", tid))
}

// confirmApprove types the approval of the open batch; the last key (enter)
// is sent with the rest so a caller can cut the connection right after.
func confirmApprove(t *testing.T, ts *testServer, tm *term, user string) {
	t.Helper()
	tm.send("A")
	ts.waitScreen(t, user, "Type 1,000.00 to confirm")
	tm.send("\t")
	tm.send("1,000.00")
	ts.waitScreen(t, user, "[ Confirm ]")
	tm.send("\r")
}

func TestSessionKilledMidApprovalLeavesBatchConsistent(t *testing.T) {
	t.Parallel() // its own server; nothing timing-sensitive
	for _, c := range []struct {
		name string
		// inFlight: IntaSend answers the approve slowly and the connection
		// drops after the call went out; otherwise it drops with the
		// confirming enter still on the wire.
		inFlight bool
	}{{"enter on the wire", false}, {"approve call in flight", true}} {
		t.Run(c.name, func(t *testing.T) { killMidApproval(t, c.inFlight) })
	}
}

// settledEntry is tid's journal entry once it is no longer approving, or
// as it stands after patience. Polling a condition, not sleeping for one.
func settledEntry(ts *testServer, tid string) payout.Entry {
	deadline := time.Now().Add(patience)
	for {
		e, _ := ts.journal.Entry(tid)
		if e.Status != payout.StatusApproving || time.Now().After(deadline) {
			return e
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// auditedApprovals counts the successful approve records of tid.
func auditedApprovals(t *testing.T, ts *testServer, tid string) int {
	t.Helper()
	audited := 0
	for _, r := range ts.records(t) {
		if r.Event == "payout.approve" && r.Target == tid && r.Result == "ok" {
			audited++
		}
	}
	return audited
}

// checkAfterKill: IntaSend, the journal and the audit log agree.
func checkAfterKill(t *testing.T, inFlight bool, approved int, status string, audited int) {
	t.Helper()
	testcheck.Expect(t, "approvals", approved, testcheck.C("at most 1", approved <= 1))
	testcheck.Check(t, "after the kill", fmt.Sprintf("%d approvals, journal %q, %d audit records", approved, status, audited),
		testcheck.C("the approval in flight landed", !inFlight || approved == 1),
		testcheck.C("approved: journal approved", approved != 1 || status == payout.StatusApproved),
		testcheck.C("approved: one audit record", approved != 1 || audited == 1),
		testcheck.C("not approved: journal initiated", approved != 0 || status == payout.StatusInitiated),
		testcheck.C("not approved: no audit record", approved != 0 || audited == 0))
}

func killMidApproval(t *testing.T, inFlight bool) {
	maker := newUser(t, "baraka", "maker")
	a1 := newUser(t, "wanjiru", "approver")
	a2 := newUser(t, "otieno", "approver")
	simMut := func(o *sim.Options) {
		if inFlight {
			o.Faults = []sim.Fault{{Route: "approve", Kind: sim.Latency, Latency: 700 * time.Millisecond}}
		}
	}
	ts := startServerSim(t, []testUser{maker, a1, a2}, simMut, nil)
	tid := initiate(t, ts, ts.login(t, maker), "baraka")

	tm := ts.login(t, a1)
	openPending(t, ts, tm, "wanjiru", "baraka")
	confirmApprove(t, ts, tm, "wanjiru")
	if inFlight {
		waitStatus(t, ts, tid, payout.StatusApproving)
	}
	tm.close() // the laptop lid shuts
	ts.waitRecord(t, "wanjiru's logout", func(r Record) bool { return r.Event == "logout" && r.User == "wanjiru" })

	// Whatever reached IntaSend, the journal and the audit log agree
	// with it once the call has finished.
	e := settledEntry(ts, tid)
	approved := approvals(ts)
	if approved == 1 {
		// The audit record follows the journal's: wait for it, not for a
		// fixed time that a loaded machine may overrun.
		ts.waitRecord(t, "the approval's audit record", func(r Record) bool {
			return r.Event == "payout.approve" && r.Target == tid && r.Result == "ok"
		})
	}
	audited := auditedApprovals(t, ts, tid)
	t.Logf("after the kill: %d approvals, journal %s, %d audit records", approved, e.Status, audited)
	checkAfterKill(t, inFlight, approved, e.Status, audited)

	// Another approver finishes the job; money still moves once.
	tm2 := ts.login(t, a2)
	if approved == 0 {
		openPending(t, ts, tm2, "otieno", "baraka")
		confirmApprove(t, ts, tm2, "otieno")
		ts.waitScreen(t, "otieno", "Approved")
	}
	n := approvals(ts)
	testcheck.Check(t, "approvals in the end", n, testcheck.C("exactly 1", n == 1))
}

func waitStatus(t *testing.T, ts *testServer, tid, status string) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		if e, _ := ts.journal.Entry(tid); e.Status == status {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	e, _ := ts.journal.Entry(tid)
	t.Fatalf("batch %s never reached %s (it is %s)", tid, status, e.Status)
}

func TestFourEyesSameUserCannotInitiateAndApprove(t *testing.T) {
	t.Parallel() // its own server; nothing timing-sensitive
	for _, fourEyes := range []bool{true, false} {
		t.Run(fmt.Sprintf("four-eyes=%v", fourEyes), func(t *testing.T) {
			u := newUser(t, "wanjiru", "approver")
			ts := startServer(t, []testUser{u}, func(c *Config) { c.FourEyes = fourEyes })
			tm := ts.login(t, u)
			tid := initiate(t, ts, tm, "wanjiru")
			tm.send("A")
			if !fourEyes {
				ts.waitScreen(t, "wanjiru", "Type 1,000.00 to confirm")
				return
			}
			s := ts.waitScreen(t, "wanjiru", "four-eyes")
			if !strings.Contains(s, "another approver must approve it") || strings.Contains(s, "to confirm") {
				t.Errorf("screen after A:\n%s", s)
			}
			// Nothing was sent, the batch still waits, and the refusal is audited.
			if n := approvals(ts); n != 0 {
				t.Errorf("%d approvals", n)
			}
			if e, _ := ts.journal.Entry(tid); e.Status != payout.StatusInitiated {
				t.Errorf("journal status %q", e.Status)
			}
			ts.waitRecord(t, "four-eyes refusal", func(r Record) bool {
				return r.Event == "payout.approve" && r.User == "wanjiru" && r.Target == tid && r.Result == "refused"
			})
		})
	}
}

// Drafts are personal: one user's unfinished draft (names, phones,
// amounts) is offered back to that user, never to the next person who
// opens Payouts. Initiated batches, by contrast, are shared.
func TestDraftsStayWithTheirAuthor(t *testing.T) {
	t.Parallel() // its own server; nothing timing-sensitive
	maker := newUser(t, "baraka", "maker")
	other := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{maker, other}, nil)
	tm := ts.login(t, maker)
	tm.waitFor(t, "Payroll")
	tm.send("3")
	ts.waitScreen(t, "baraka", "Payouts · Compose")
	tm.send("a")
	ts.waitScreen(t, "baraka", "Name")
	for _, k := range []string{"Jane", "\t", "0708374149", "\t", "1000", "\t", "nov", "\r"} {
		tm.send(k)
	}
	ts.waitScreen(t, "baraka", "1 row")
	// Once the journal holds the draft nothing can be lost, so ctrl+c
	// quits at once (while the save runs it would ask first).
	ts.waitScreen(t, "baraka", "draft saved")
	tm.send("\x03") // ctrl+c: quit at once, the draft stays in the journal
	tm.waitEnd(t)

	// wanjiru has an unfinished draft of her own: the offer of it proves her
	// drafts have loaded (no fixed wait), and it must be the only one.
	own := payout.NewDraft(payout.B2C, time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	own.Rows = []payout.Row{{Name: "Wanjiku", Account: "254708374149", Amount: client.Units(250)}}
	if err := ts.journal.Private("wanjiru").SaveDraft(own); err != nil {
		t.Fatal(err)
	}
	to := ts.login(t, other)
	to.waitFor(t, "Payroll")
	to.send("3")
	s := ts.waitScreen(t, "wanjiru", "Resume draft")
	if !strings.Contains(s, "KES 250.00") || strings.Contains(s, "Jane") || strings.Contains(s, "more unfinished") {
		t.Errorf("wanjiru is offered baraka's draft, or not only her own:\n%s", s)
	}

	tm2 := ts.login(t, maker)
	tm2.waitFor(t, "Payroll")
	tm2.send("3")
	ts.waitScreen(t, "baraka", "Resume draft")
}
