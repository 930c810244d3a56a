package sshd

import (
	"testing"
)

// TestNeedsAttentionOverSSH is issue 13's needs-attention done-when over
// real SSH sessions: a batch with a row to the simulator's TF105 account
// (status cannot be determined) runs to the end; the approver's status
// bar counts it, the needs-attention view shows the row with what to do,
// and nothing is retried: one initiate, one approve.
func TestNeedsAttentionOverSSH(t *testing.T) {
	t.Parallel() // its own server
	maker := newUser(t, "baraka", "maker")
	a := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{maker, a}, nil)

	tmM := ts.login(t, maker)
	tmM.waitFor(t, "Payroll")
	tmM.send("3")
	ts.waitScreen(t, "baraka", "Payouts · Compose")
	tmM.send("a")
	ts.waitScreen(t, "baraka", "Name")
	for _, k := range []string{"Otieno", "\t", "0700000105", "\t", "2500", "\t", "nov", "\r"} {
		tmM.send(k)
	}
	ts.waitScreen(t, "baraka", "1 row")
	tmM.send("p")
	ts.waitScreen(t, "baraka", "Preview and approve (BP103)")
	tid := pendingOf(t, ts)

	tmA := ts.login(t, a)
	openPending(t, ts, tmA, "wanjiru", "baraka")
	tmA.send("A")
	ts.waitScreen(t, "wanjiru", "Type 2,500.00 to confirm")
	typeConfirm(tmA, "2,500.00")
	ts.waitScreen(t, "wanjiru", "Completed (BC100)")
	ts.waitScreen(t, "wanjiru", "⚠ 1 need attention")
	tmA.send("\x1b")
	ts.waitScreen(t, "wanjiru", "Payouts · Compose")
	tmA.send("!")
	ts.waitScreen(t, "wanjiru", "TF105 1 row: status undetermined")
	ts.waitScreen(t, "wanjiru", tid[:13])
	ts.waitScreen(t, "wanjiru", "What to do: Ask IntaSend support")

	c := ts.demo.Sim.Counters()
	if c.Initiated != 1 || approvals(ts) != 1 || c.Requests["POST send-money/approve/"] != 1 {
		t.Fatalf("initiated %d, approved %d, approve requests %d: want 1 each", c.Initiated, approvals(ts), c.Requests["POST send-money/approve/"])
	}
}
