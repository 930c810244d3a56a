package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"

	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
)

// Issue 14, "PostgreSQL down", end to end: a real `malipo serve --store`
// process, a real `malipo sim`, OpenSSH clients on PTYs. PostgreSQL is
// stopped (pg_ctl stop -m fast) while an approver has a batch open: the
// console shows the store-down badge, refuses approve with a clear
// message and nothing is sent, IntaSend reads still work. PostgreSQL
// starts again: the badge clears and the approve goes through exactly
// once; the journal and the audit chain have every step once, and
// verify-audit --store passes.
func TestServeStoreDownOverSSH(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("the OpenSSH client ssh is not installed: this test needs real ssh")
	}
	maker, approver := newPerson(t, "baraka", "maker"), newPerson(t, "wanjiru", "approver")
	pg := pgtest.Start(t)
	h := &twoHosts{url: pg.URL("postgres"), keys: t.TempDir()}
	dir := t.TempDir()
	h.auditKey = auditKeyEnv(t, filepath.Join(dir, "shared"))
	users := filepath.Join(dir, "users.toml")
	writeUsers(t, users, maker, approver)
	h.sim = startSimProc(t)
	home := filepath.Join(dir, "a")
	testcheck.Must(t, "mkdir", os.MkdirAll(home, 0o700))
	h.a = startServeEnvArgs(t, filepath.Join(home, "state"), hostEnv(t, home, h.auditKey),
		[]string{"--base-url", h.sim.base, "serve", "--addr", "127.0.0.1:0", "--users", users, "--store", h.url})

	tid := h.initiate(t, h.console(t, h.a, maker))
	c := h.console(t, h.a, approver)
	openPendingOf(c, "baraka")
	c.waitFor("covers it")

	testcheck.Must(t, "stop PostgreSQL", pg.StopFast())
	storeDownRefusesApprove(t, h, c)
	testcheck.Must(t, "start PostgreSQL", pg.Start())
	waitUntil(t, "serve to see the store again", func() bool { return strings.Contains(h.a.stderr.String(), "answers again") })
	// The store's word reaches the console as a message of its own, which
	// may be handled after a repaint asked for at once: repaint until one
	// shows the badge gone. A width 20 columns off moves the bar's
	// right-aligned half, so each repaint draws it whole; "connected" is on
	// it either way, so it only says the bar was drawn.
	var s string
	waitFor(t, "the store-down badge to clear", func() bool {
		repaint(t, c, 100)
		c.waitFor("connected")
		repaint(t, c, 120)
		s = c.waitFor("connected")
		return !strings.Contains(s, "store down")
	}, func() string { return s })

	c.send("3")
	c.waitFor("Preview and approve (BP103)")
	c.send("A")
	c.waitFor("Type 1,000.00 to confirm")
	c.send("\t")
	c.send("1,000.00")
	c.waitFor("[ Confirm ]")
	c.send("\r")
	c.waitFor("Approved")
	checkApprovedOnce(t, h, tid)
	t.Log(h.verifyAudit(t))
}

// storeDownRefusesApprove: with PostgreSQL stopped the console shows the
// store-down badge, even after a repaint; approve is refused and nothing
// is sent; IntaSend reads still work.
func storeDownRefusesApprove(t *testing.T, h *twoHosts, c *ptyConsole) {
	t.Helper()
	c.mark = c.out.Len()
	c.waitFor(common.StoreDownText) // the status bar's badge
	// A repaint (the terminal resized) draws it again: what the person
	// sees, not a leftover of the stream.
	repaint(t, c, 121)
	s := c.waitFor("connected")
	testcheck.Expect(t, "the repainted screen", s, testcheck.C("a store-down badge", strings.Contains(s, common.StoreDownText)))
	c.send("A")
	c.waitFor("Not approved: " + common.StoreDownText)
	s = c.screen()
	testcheck.Expect(t, "the screen with the store down", s, testcheck.C("approve not offered", !strings.Contains(s, "to confirm")))
	n := h.sim.counters(t).Requests["POST send-money/approve/"]
	testcheck.Expect(t, "approve calls with the store down", n, testcheck.C("none", n == 0))
	// Reads of IntaSend do not depend on the store: Wallets loads afresh.
	reads := gets(h.sim.counters(t))
	c.send("1")
	c.waitFor("Payroll")
	waitUntil(t, "IntaSend reads with the store down", func() bool { return gets(h.sim.counters(t)) > reads })
}

// checkApprovedOnce: exactly one approve reached IntaSend, and the journal
// and the audit chain have every step of tid once (and the store-down
// refusal, kept until the store came back).
func checkApprovedOnce(t *testing.T, h *twoHosts, tid string) {
	t.Helper()
	cnt := h.sim.counters(t)
	n := cnt.Requests["POST send-money/approve/"]
	testcheck.Expect(t, fmt.Sprintf("approve calls %d, approved %d", n, cnt.Approved[tid]), nil,
		testcheck.C("exactly one call", n == 1), testcheck.C("approved once", cnt.Approved[tid] == 1))
	e, _ := h.journal(t).Entry(tid)
	testcheck.Check(t, "the journal", e.Status, testcheck.C("approved", e.Status == payout.StatusApproved))
	kinds := journalKinds(t, h, tid)
	for _, k := range []string{payout.StatusInitiating, payout.StatusInitiated, payout.StatusApproving, payout.StatusApproved} {
		testcheck.Check(t, fmt.Sprintf("the journal's %q events for %s (all: %v)", k, tid, kinds), kinds[k], testcheck.C("one", kinds[k] == 1))
	}
	got := map[string]int{}
	for _, r := range h.auditRecords(t) {
		switch {
		case r.Target != tid:
		case r.Event == "journal.approving" || r.Event == "journal.approved":
			got[r.Event]++
		case r.Result == "requested" || r.Result == "refused":
			got[r.Result]++
		}
	}
	testcheck.Check(t, "audit chain of "+tid+" (journal.approving, journal.approved, confirmations, refusals)", got,
		testcheck.C("one journal.approving", got["journal.approving"] == 1), testcheck.C("one journal.approved", got["journal.approved"] == 1),
		testcheck.C("one confirmation", got["requested"] == 1), testcheck.C("one refusal", got["refused"] == 1))
}

// repaint resizes the client's terminal: ssh passes it on, and the
// console draws the whole screen again. The mark is set first, so a wait
// sees the new frame only.
func repaint(t *testing.T, c *ptyConsole, cols uint16) {
	t.Helper()
	c.mark = c.out.Len()
	if err := pty.Setsize(c.tty, &pty.Winsize{Rows: 40, Cols: cols}); err != nil {
		t.Fatal(err)
	}
}

// gets counts the read requests the simulator answered.
func gets(c counterView) int {
	n := 0
	for route, k := range c.Requests {
		if strings.HasPrefix(route, "GET ") {
			n += k
		}
	}
	return n
}

// journalKinds counts the shared journal's events of batch tid by kind;
// its initiating (no tracking id yet) by the attempt its initiated names.
func journalKinds(t *testing.T, h *twoHosts, tid string) map[string]int {
	t.Helper()
	evs, err := h.store(t).Events(context.Background(), keystore.DefaultProfile, 0)
	if err != nil {
		t.Fatal(err)
	}
	type ev struct {
		Kind       string `json:"event"`
		Attempt    string `json:"attempt"`
		TrackingID string `json:"tracking_id"`
	}
	all := make([]ev, len(evs))
	attempts := map[string]bool{}
	for i, e := range evs {
		if err := json.Unmarshal(e.Body, &all[i]); err != nil {
			t.Fatal(err)
		}
		if all[i].TrackingID == tid && all[i].Attempt != "" {
			attempts[all[i].Attempt] = true
		}
	}
	out := map[string]int{}
	for _, e := range all {
		if e.TrackingID == tid || e.Kind == payout.StatusInitiating && attempts[e.Attempt] {
			out[e.Kind]++
		}
	}
	return out
}
