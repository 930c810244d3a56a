package sshd

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/payout"
)

// policyClock is the server's and the journal's clock in the policy test:
// it stands still until set, so expiry and "today" never depend on when
// or where the test runs.
type policyClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *policyClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *policyClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

const policyTOML = `[policy]
expire_after = "24h"
new_payee = "flag"

[[policy.rule]]
above = "1,000.00"
approvers = 2

`

// initiateAmount is initiate with the one row's amount typed as amount.
func initiateAmount(t *testing.T, ts *testServer, tm *term, user, amount string) {
	t.Helper()
	tm.waitFor(t, "Payroll")
	tm.send("3")
	ts.waitScreen(t, user, "Payouts · Compose")
	tm.send("a")
	ts.waitScreen(t, user, "Name")
	for _, k := range []string{"Jane", "\t", "0708374149", "\t", amount, "\t", "nov", "\r"} {
		tm.send(k)
	}
	ts.waitScreen(t, user, "1 row")
	tm.send("p")
	ts.waitScreen(t, user, "Preview and approve (BP103)")
}

// TestApprovalPolicyOverSSH is issue 13's done-when, with its figures
// divided by 1,000 (a KES 2,000 batch under a rule above 1,000.00): a
// single M-Pesa B2C row may not exceed KES 150,000, and typing fourteen
// rows over SSH would test the composer, not the policy, over real SSH
// sessions with PTYs (x/crypto/ssh clients, as the other console tests):
// two approvers above KES 1,000,000, the first sends nothing, the same
// approver twice is refused, the second sends exactly one approve; an
// approver over their daily limit is refused and audited; an expired
// batch cannot be approved; a new payee is flagged.
func TestApprovalPolicyOverSSH(t *testing.T) {
	t.Parallel() // its own server and clock
	maker := newUser(t, "baraka", "maker")
	a := newUser(t, "wanjiru", "approver")
	b := newUser(t, "otieno", "approver")
	capped := newUser(t, "amina", "approver")
	eat := time.FixedZone("EAT", 3*60*60)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, eat)
	clk := &policyClock{t: t0}
	ts := startServer(t, []testUser{maker, a, b, capped}, func(c *Config) { c.now = clk.now })
	ts.journal.SetClock(clk.now)
	file := policyTOML + usersTOML(maker, a, b) +
		"[[user]]\nname = \"amina\"\nrole = \"approver\"\nkeys = [\"" + capped.authorizedKey() + "\"]\ndaily_limit = \"1,000.00\"\n"
	testcheck.Must(t, "write users", os.WriteFile(ts.usersPath, []byte(file), 0o600))
	testcheck.Must(t, "reload", ts.srv.Reload())

	// The maker's preview flags the new payee, with its count and sum.
	tmM := ts.login(t, maker)
	initiateAmount(t, ts, tmM, "baraka", "2000")
	s := ts.waitScreen(t, "baraka", "1 new payee (never paid before): KES 2,000.00")
	testcheck.Contains(t, "the maker's preview (new payee's row marked)", s, "NEW PAYEE")
	tid := pendingOf(t, ts)

	tmA := ts.login(t, a)
	firstOfTwo(t, ts, tmA, tid)
	cappedRefused(t, ts, ts.login(t, capped))
	lastOfTwo(t, ts, ts.login(t, b), tid)

	// A batch left 25 hours cannot be approved, and says so.
	tmM.close()
	ts.waitRecord(t, "baraka's logout", logoutOf("baraka"))
	initiateAmount(t, ts, ts.login(t, maker), "baraka", "500")
	old := pendingOf(t, ts)
	clk.set(t0.Add(25 * time.Hour))
	tmA.close()
	ts.waitRecord(t, "wanjiru's logout", logoutOf("wanjiru"))
	expiredRefused(t, ts, ts.login(t, a), old)
}

// logoutOf matches user's logout record.
func logoutOf(user string) func(Record) bool {
	return func(r Record) bool { return r.Event == "logout" && r.User == user }
}

// refusedApprove matches user's refused approve whose detail says why.
func refusedApprove(user, why string) func(Record) bool {
	return func(r Record) bool {
		return r.Event == "payout.approve" && r.User == user && r.Result == "refused" && strings.Contains(r.Detail, why)
	}
}

// firstOfTwo: wanjiru approves first: recorded, "1 of 2", nothing reaches
// IntaSend; approving again is refused before the dialog, and audited.
func firstOfTwo(t *testing.T, ts *testServer, tmA *term, tid string) {
	t.Helper()
	openPending(t, ts, tmA, "wanjiru", "baraka")
	tmA.send("A")
	s := ts.waitScreen(t, "wanjiru", "Type 2,000.00 to confirm")
	testcheck.Contains(t, "the dialog (which approval, the new payee)", s, "Approval 1 of 2", "1 new payee")
	typeConfirm(tmA, "2,000.00")
	ts.waitScreen(t, "wanjiru", "1 of 2 approvals (wanjiru)")
	n := approvals(ts)
	testcheck.Expect(t, "approve calls after the first of two approvals", n, testcheck.C("none", n == 0))
	ts.waitRecord(t, "wanjiru's recorded approval", approveRecord("wanjiru", tid, "recorded"))
	tmA.send("A")
	ts.waitScreen(t, "wanjiru", "already approved this batch")
	ts.waitRecord(t, "wanjiru's second try refused", refusedApprove("wanjiru", "already approved"))
}

// cappedRefused: amina's daily limit is below the batch: refused with the
// figures, and audited.
func cappedRefused(t *testing.T, ts *testServer, tmC *term) {
	t.Helper()
	openPending(t, ts, tmC, "amina", "baraka")
	tmC.send("A")
	ts.waitScreen(t, "amina", "limit of KES 1,000.00 (KES 0.00 used)")
	ts.waitRecord(t, "amina's refusal", refusedApprove("amina", "daily limit"))
}

// lastOfTwo: otieno gives the last approval: exactly one approve call, and
// the batch completes with both approvals in the journal.
func lastOfTwo(t *testing.T, ts *testServer, tmB *term, tid string) {
	t.Helper()
	openPending(t, ts, tmB, "otieno", "baraka")
	ts.waitScreen(t, "otieno", "1 of 2 approvals (wanjiru)")
	tmB.send("A")
	ts.waitScreen(t, "otieno", "last approval needed")
	typeConfirm(tmB, "2,000.00")
	ts.waitScreen(t, "otieno", "completed")
	n := approvals(ts)
	testcheck.Expect(t, "approve calls that reached IntaSend", n, testcheck.C("exactly 1", n == 1))
	e, _ := ts.journal.Entry(tid)
	testcheck.Check(t, "journal entry", e,
		testcheck.C("approved", e.Status == payout.StatusApproved), testcheck.C("2 approvals", len(e.Approvals) == 2),
		testcheck.C("the second by otieno", len(e.Approvals) == 2 && e.Approvals[1].By == "otieno"))
}

// expiredRefused: the expired batch old says so and cannot be approved.
func expiredRefused(t *testing.T, ts *testServer, tmA *term, old string) {
	t.Helper()
	tmA.waitFor(t, "Payroll")
	tmA.send("3")
	ts.waitScreen(t, "wanjiru", "Payouts")
	tmA.send("P")
	ts.waitScreen(t, "wanjiru", "expired: cancel it")
	tmA.send("\r")
	ts.waitScreen(t, "wanjiru", "x cancels it")
	tmA.send("A")
	ts.waitScreen(t, "wanjiru", "This batch expired")
	n := approvals(ts)
	testcheck.Check(t, "approve calls after the expired batch", n, testcheck.C("still 1", n == 1))
	e, _ := ts.journal.Entry(old)
	testcheck.Check(t, "expired batch", e,
		testcheck.C("no approvals", len(e.Approvals) == 0), testcheck.C("initiated", e.Status == payout.StatusInitiated))
}

// typeConfirm types the confirmation's amount and confirms.
func typeConfirm(tm *term, amount string) {
	tm.send("\t")
	tm.send(amount)
	tm.send("\r")
}

// pendingOf is the journal's one pending batch.
func pendingOf(t *testing.T, ts *testServer) string {
	t.Helper()
	p := ts.journal.Pending()
	if len(p) != 1 {
		t.Fatalf("pending: %+v", p)
	}
	return p[0].TrackingID
}
