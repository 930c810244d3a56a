package sshd

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/payout"
)

// storeHost is what a host on the shared store needs: its own connection
// pool, journal and audit chain handle.
func storeHost(t *testing.T, url string, key ed25519.PrivateKey) (*payout.Journal, *AuditLog) {
	t.Helper()
	db := openStore(t, url)
	audit, err := OpenAuditStore(context.Background(), db, key, AuditOptions{HostKey: "SHA256:test-host"})
	if err != nil {
		t.Fatal(err)
	}
	j, err := payout.OpenJournalStore(db, "demo")
	if err != nil {
		t.Fatal(err)
	}
	j.SetStateAudit(audit.StateAuditor())
	return j, audit
}

// TestTwoHostsOverSSHOneStore: two SSH servers (in one process, each with
// its own connection pool, journal and audit handle) on one PostgreSQL
// store and one simulator. A maker initiates on host A; approvers on host
// A and host B open the batch and confirm at the same moment: exactly one
// approve call reaches IntaSend, the other approver is refused by the
// journal (another session is sending it, or it is approved already), and the one audit chain verifies with a single
// journal.approving in it.
func TestTwoHostsOverSSHOneStore(t *testing.T) {
	url := migratedStore(t)
	maker := newUser(t, "baraka", "maker")
	a1 := newUser(t, "wanjiru", "approver")
	a2 := newUser(t, "otieno", "approver")
	users := []testUser{maker, a1, a2}
	key := testKey(t) // every host of a store signs with the same key
	jA, auditA := storeHost(t, url, key)
	jB, auditB := storeHost(t, url, key)
	// A slow approve keeps both confirmations in flight together.
	slow := func(o *sim.Options) {
		o.Faults = []sim.Fault{{Route: "approve", Kind: sim.Latency, Latency: 300 * time.Millisecond}}
	}
	hostA := startServerSim(t, users, slow, func(c *Config) { c.Journal, c.Audit = jA, auditA })
	hostA.journal = jA
	hostB := startServer(t, users, func(c *Config) { c.Client, c.Journal, c.Audit = hostA.demo.Client, jB, auditB })
	hostB.journal = jB

	tid := initiate(t, hostA, hostA.login(t, maker), "baraka")
	sessions := []hostSession{{hostA, hostA.login(t, a1), "wanjiru"}, {hostB, hostB.login(t, a2), "otieno"}}
	openPending(t, hostA, sessions[0].tm, "wanjiru", "baraka")
	openPending(t, hostB, sessions[1].tm, "otieno", "baraka") // host B sees host A's batch
	for _, x := range sessions {
		x.readyToConfirm(t)
	}
	for _, x := range sessions {
		x.tm.send("\r")
	}

	won, lost := raceOutcome(t, sessions)
	cnt := hostA.demo.Sim.Counters()
	calls := cnt.Requests["POST send-money/approve/"]
	testcheck.Expect(t, fmt.Sprintf("approve calls %d, approved %d (won %s, lost %s)", calls, cnt.Approved[tid], won, lost), cnt,
		testcheck.C("exactly one approve call", calls == 1), testcheck.C("approved once", cnt.Approved[tid] == 1))
	e, _ := jB.Entry(tid)
	testcheck.Check(t, "host B's journal", e.Status, testcheck.C("approved", e.Status == payout.StatusApproved))
	c, err := VerifyAuditStore(context.Background(), openStore(t, url), pubOf(key))
	testcheck.Must(t, "verify", err)
	approving, refused := raceRecords(t, url, key, tid, lost)
	testcheck.Check(t, fmt.Sprintf("%d records: %d journal.approving, %d refusals of %s", c.Records, approving, refused, lost), nil,
		testcheck.C("one journal.approving", approving == 1), testcheck.C("one refusal", refused == 1))
}

// hostSession is one approver's console on one host.
type hostSession struct {
	ts   *testServer
	tm   *term
	user string
}

// readyToConfirm opens the approve dialog and types the amount, leaving
// the confirming enter unsent.
func (x hostSession) readyToConfirm(t *testing.T) {
	t.Helper()
	x.tm.send("A")
	x.ts.waitScreen(t, x.user, "Type 1,000.00 to confirm")
	x.tm.send("\t")
	x.tm.send("1,000.00")
	x.ts.waitScreen(t, x.user, "[ Confirm ]")
}

// raceOutcome waits until one session says Approved and the other that
// another session is sending it (or that it is approved already).
func raceOutcome(t *testing.T, sessions []hostSession) (won, lost string) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for won == "" || lost == "" {
		if time.Now().After(deadline) {
			t.Fatalf("after both confirmed:\nhost A:\n%s\nhost B:\n%s",
				sessions[0].ts.screenOf(t, sessions[0].user), sessions[1].ts.screenOf(t, sessions[1].user))
		}
		for _, x := range sessions {
			s := x.ts.screenOf(t, x.user)
			switch {
			case strings.Contains(s, "Approved"):
				won = x.user
			case strings.Contains(s, "another session"), strings.Contains(s, "approved already"):
				// Refused by the journal, nothing sent: at the same moment
				// the conditional transition decides; a loaded machine may
				// let the winner finish first.
				lost = x.user
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return won, lost
}

// raceRecords counts, on the shared chain, tid's journal.approving records
// and the refusals of lost's approve.
func raceRecords(t *testing.T, url string, key ed25519.PrivateKey, tid, lost string) (approving, refused int) {
	t.Helper()
	_ = openStore(t, url).AuditLines(context.Background(), func(_ int64, line []byte) error {
		r, _ := openRecord(line, pubOf(key))
		switch {
		case r.Event == "journal.approving" && r.Target == tid:
			approving++
		case r.Event == "payout.approve" && r.Target == tid && r.Result == "refused" && r.User == lost:
			refused++
		}
		return nil
	})
	return approving, refused
}

// TestFourEyesAcrossHostsOverSSH: an approver who initiated a batch on
// host A cannot approve it on host B: four-eyes reads the initiator from
// the shared journal. The refusal is in the shared chain.
func TestFourEyesAcrossHostsOverSSH(t *testing.T) {
	url := migratedStore(t)
	u := newUser(t, "amina", "approver")
	key := testKey(t)
	jA, auditA := storeHost(t, url, key)
	jB, auditB := storeHost(t, url, key)
	hostA := startServer(t, []testUser{u}, func(c *Config) { c.Journal, c.Audit = jA, auditA })
	hostA.journal = jA
	hostB := startServer(t, []testUser{u}, func(c *Config) { c.Client, c.Journal, c.Audit = hostA.demo.Client, jB, auditB })
	hostB.journal = jB
	tid := initiate(t, hostA, hostA.login(t, u), "amina")
	tm := hostB.login(t, u)
	// openPending, but waiting for the batch's row: the initiator's name
	// is on the status bar already.
	tm.waitFor(t, "Payroll")
	tm.send("3")
	hostB.waitScreen(t, "amina", "Payouts")
	tm.send("P")
	hostB.waitScreen(t, "amina", "KES 1,000.00 amina")
	tm.send("\r")
	hostB.waitScreen(t, "amina", "Preview and approve (BP103)")
	tm.send("A")
	if s := hostB.waitScreen(t, "amina", "four-eyes"); strings.Contains(s, "to confirm") {
		t.Fatalf("host B offered the initiator the approval:\n%s", s)
	}
	if n := approvals(hostA); n != 0 {
		t.Fatalf("%d approvals", n)
	}
	found := false
	deadline := time.Now().Add(patience)
	for !found && time.Now().Before(deadline) {
		_ = openStore(t, url).AuditLines(context.Background(), func(_ int64, line []byte) error {
			r, _ := openRecord(line, pubOf(key))
			found = found || r.Event == "payout.approve" && r.Target == tid && r.Result == "refused" && r.User == "amina"
			return nil
		})
		time.Sleep(20 * time.Millisecond)
	}
	if !found {
		t.Fatal("the four-eyes refusal is not in the shared audit chain")
	}
}
