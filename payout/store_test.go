package payout_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/store"
)

// The journal on a shared PostgreSQL store, as several `malipo serve`
// hosts use it. The cross-host tests run each host as its own process
// (this test binary again, TestMain's approver), with its own connection
// pool, against one throw-away cluster and one simulator.

func TestMain(m *testing.M) {
	switch os.Getenv("MALIPO_TEST_HOST") {
	case "approver":
		os.Exit(approverHost())
	case "initiator":
		os.Exit(initiatorHost())
	}
	os.Exit(m.Run())
}

// hostResult is what an approver host reports for one batch.
type hostResult struct {
	TID     string `json:"tid"`
	Last    bool   `json:"last"`
	Refused string `json:"refused,omitempty"`
	Err     string `json:"err,omitempty"`
	Status  string `json:"status,omitempty"`
}

// approverHost is one host's approver: it opens the store and the
// simulator, says "ready", waits for "go" and then approves every batch
// in MALIPO_TEST_TIDS the way the console does (record the approval; only
// the last approver sends approve; record the outcome).
func approverHost() int {
	ctx := context.Background()
	s, err := store.Open(ctx, os.Getenv("MALIPO_STORE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer s.Close()
	j, err := payout.OpenJournalStore(s, "p")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	j = j.As(os.Getenv("MALIPO_TEST_USER"))
	c, err := client.New(testPub, testSecret, client.WithBaseURL(os.Getenv("MALIPO_TEST_SIM")))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return 2
	}
	if die := os.Getenv("MALIPO_TEST_DIE"); die != "" {
		j.SetClock(func() time.Time { return t0 })
		dieMidApproval(ctx, j, c, os.Getenv("MALIPO_TEST_TIDS"), die)
		return 2 // not reached: the test kills this host first
	}
	enc := json.NewEncoder(os.Stdout)
	for _, tid := range strings.Split(os.Getenv("MALIPO_TEST_TIDS"), ",") {
		_ = enc.Encode(approveOne(ctx, j, c, tid))
	}
	return 0
}

// dieMidApproval records the last approval and then stops, before the
// approve call ("before") or after it landed ("after"), until killed.
func dieMidApproval(ctx context.Context, j *payout.Journal, c *client.Client, tid, when string) {
	if _, err := j.RecordApproval(payout.ApprovalRequest{TrackingID: tid, Need: 1, Currency: "KES"}); err != nil {
		fmt.Println(err)
		return
	}
	if when == "after" {
		st, err := c.PayoutStatus(ctx, tid)
		if err == nil {
			_, err = c.ApproveOnce(ctx, st)
		}
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println("stopped " + when)
	select {} // wait for kill -9
}

func approveOne(ctx context.Context, j *payout.Journal, c *client.Client, tid string) hostResult {
	r := hostResult{TID: tid}
	res, err := j.RecordApproval(payout.ApprovalRequest{TrackingID: tid, Need: 1, Currency: "KES"})
	switch {
	case payout.IsRefusal(err):
		r.Refused = err.Error()
		return r
	case err != nil:
		r.Err = err.Error()
		return r
	}
	r.Last = res.Last
	st, err := c.PayoutStatus(ctx, tid)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	out, err := c.ApproveOnce(ctx, st)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	if err := j.RecordApproved(tid, out); err != nil {
		r.Err = err.Error()
	}
	r.Status = out.StatusCode
	return r
}

// storeJournal opens the journal "p" on its own pool (another host).
func storeJournal(t *testing.T, url, user string) *payout.Journal {
	t.Helper()
	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	j, err := payout.OpenJournalStore(s, "p")
	if err != nil {
		t.Fatal(err)
	}
	return j.As(user)
}

func migrated(t *testing.T) (*pgtest.Cluster, string) {
	t.Helper()
	c := pgtest.Start(t)
	url := c.URL("postgres")
	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c, url
}

// simServer is a simulator on loopback for several processes.
func simServer(t *testing.T) (*sim.Server, *client.Client, string) {
	t.Helper()
	srv, c, url, _ := simServerClock(t)
	return srv, c, url
}

func simServerClock(t *testing.T) (*sim.Server, *client.Client, string, *sim.ManualClock) {
	t.Helper()
	clock := sim.NewManualClock(t0)
	srv := sim.New(sim.Options{Clock: clock, Rand: 7, FailureRate: -1})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := client.New(testPub, testSecret, client.WithBaseURL(ts.URL), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, ts.URL, clock
}

// initiateBatches initiates n batches through the journal as maker.
func initiateBatches(t *testing.T, j *payout.Journal, c *client.Client, n int) []string {
	t.Helper()
	var tids []string
	for i := range n {
		d := sampleDraft()
		d.WalletID = ""
		d.ID = fmt.Sprintf("d%02d", i)
		d.Rows[0].Name = fmt.Sprintf("Payee %d", i)
		must(t, j.SaveDraft(d))
		must(t, j.RecordInitiating(d))
		b, err := c.InitiatePayout(context.Background(), d.Request())
		if err != nil {
			t.Fatal(err)
		}
		must(t, j.RecordInitiated(d, b))
		tids = append(tids, b.TrackingID)
	}
	return tids
}

// child is a helper process: this test binary again, running the role
// TestMain reads from MALIPO_TEST_HOST (an approver host, an initiator).
// It reports results as JSON lines on stdout.
type child struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Reader
	stder *strings.Builder
}

// startChild starts a helper process named name with env and waits until
// its first line says want ("ready", "reserved").
func startChild(t *testing.T, name, want string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	h := &child{cmd: cmd, in: in, out: bufio.NewReader(out), stder: &strings.Builder{}}
	cmd.Stderr = h.stder
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if line, err := h.out.ReadString('\n'); err != nil || line != want+"\n" {
		t.Fatalf("%s: %q %v %s", name, line, err, h.stder)
	}
	return h
}

// childResults reads n JSON results from a helper process.
func childResults[R any](t *testing.T, h *child, n int) []R {
	t.Helper()
	var out []R
	for range n {
		line, err := h.out.ReadString('\n')
		if err != nil {
			t.Fatalf("helper process: %v %s", err, h.stder)
		}
		var r R
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// startHost starts an approver host process on the store at url.
func startHost(t *testing.T, url, simURL, user string, tids []string, env ...string) *child {
	t.Helper()
	return startChild(t, "host "+user, "ready", append(env, "MALIPO_TEST_HOST=approver", "MALIPO_STORE="+url,
		"MALIPO_TEST_SIM="+simURL, "MALIPO_TEST_USER="+user, "MALIPO_TEST_TIDS="+strings.Join(tids, ","))...)
}

// TestStoreApprovalExactlyOnceAcrossHosts: two approvers on two hosts
// press approve on the same batches at the same moment. For every batch
// exactly one of them records the approving transition and sends
// approve: the simulator sees one approve call per batch, no more.
func TestStoreApprovalExactlyOnceAcrossHosts(t *testing.T) {
	_, url := migrated(t)
	srv, c, simURL := simServer(t)
	maker := storeJournal(t, url, "maker")
	const n = 20
	tids := initiateBatches(t, maker, c, n)

	hosts := []*child{startHost(t, url, simURL, "amina", tids), startHost(t, url, simURL, "brian", tids)}
	for _, h := range hosts {
		_, err := io.WriteString(h.in, "go\n")
		testcheck.Must(t, "start host", err)
	}
	byTID := map[string][]hostResult{}
	for _, h := range hosts {
		for _, r := range childResults[hostResult](t, h, n) {
			byTID[r.TID] = append(byTID[r.TID], r)
		}
	}
	cnt := srv.Counters()
	got := cnt.Requests["POST send-money/approve/"]
	testcheck.Check(t, fmt.Sprintf("approve calls for %d batches", n), got, testcheck.C("exactly one each", got == n))
	checker := storeJournal(t, url, "auditor")
	for _, tid := range tids {
		sent := 0
		for _, r := range byTID[tid] {
			testcheck.Check(t, tid, r, testcheck.C("no error", r.Err == ""),
				testcheck.C("the losing host told another session or approved already", r.Last ||
					strings.Contains(r.Refused, "another session") || strings.Contains(r.Refused, "approved already")))
			if r.Last {
				sent++
			}
		}
		e, _ := checker.Entry(tid)
		st, _ := checker.Store().State(context.Background(), "p", tid)
		testcheck.Check(t, tid+" (hosts sent, simulator approved, journal on a third host, store state)",
			fmt.Sprint(sent, cnt.Approved[tid], e.Status, st),
			testcheck.C("one host sent approve", sent == 1), testcheck.C("approved once", cnt.Approved[tid] == 1),
			testcheck.C("journal approved", e.Status == payout.StatusApproved), testcheck.C("store approved", st == payout.StatusApproved))
	}
}

// TestStoreFourEyesAcrossHosts: a batch initiated on host A shows its
// initiator on host B (so four-eyes holds there), and a policy's distinct
// approvers hold across hosts: the same person approving on the second
// host is refused, a second person completes it. Hosts here are two
// journals on two independent connection pools in one process.
func TestStoreFourEyesAcrossHosts(t *testing.T) {
	_, url := migrated(t)
	_, c, _ := simServer(t)
	a := storeJournal(t, url, "maker")
	tid := initiateBatches(t, a, c, 1)[0]
	b := storeJournal(t, url, "amina")
	e, ok := b.Entry(tid)
	if !ok || e.Initiator != "maker" || len(b.Pending()) != 1 {
		t.Fatalf("host B sees %+v (%v), pending %d", e, ok, len(b.Pending()))
	}
	req := payout.ApprovalRequest{TrackingID: tid, Need: 2, Rule: "two approvers", Currency: "KES"}
	res, err := b.RecordApproval(req)
	if err != nil || res.Last || res.Count != 1 {
		t.Fatalf("first approval: %+v %v", res, err)
	}
	again := storeJournal(t, url, "AMINA") // same person, other host, other case
	if _, err := again.RecordApproval(req); !payout.IsRefusal(err) || !strings.Contains(err.Error(), "already approved") {
		t.Fatalf("same approver on host A: %v", err)
	}
	second := storeJournal(t, url, "brian")
	res, err = second.RecordApproval(req)
	if err != nil || !res.Last || strings.Join(res.By, ",") != "amina,brian" {
		t.Fatalf("second approver: %+v %v", res, err)
	}
	if e, _ := a.Entry(tid); e.Status != payout.StatusApproving || len(e.Approvals) != 2 {
		t.Fatalf("host A sees %s with %d approvals", e.Status, len(e.Approvals))
	}
}

// TestStoreDrafts: drafts are kept per user on the store and survive a
// reopen (another host).
func TestStoreDrafts(t *testing.T) {
	_, url := migrated(t)
	a := storeJournal(t, url, "x")
	mine, theirs := a.Private("amina"), a.Private("brian")
	d := sampleDraft()
	must(t, mine.SaveDraft(d))
	b := storeJournal(t, url, "x").Private("amina")
	got, err := b.Drafts()
	if err != nil || len(got) != 1 || got[0].Fingerprint() != d.Fingerprint() {
		t.Fatalf("drafts on the other host: %v %v", got, err)
	}
	if other, _ := theirs.Drafts(); len(other) != 0 {
		t.Fatalf("brian sees amina's draft")
	}
	must(t, b.DiscardDraft(d.ID))
	if left, _ := mine.Drafts(); len(left) != 0 {
		t.Fatalf("discarded draft still there")
	}
}

// TestStoreKilledHostMidApproval: a host records the last approval and is
// killed (SIGKILL) before its approve call, or after it landed but before
// recording it. The other host's sweep claims the batch, reads its status
// and records the outcome; it never approves again. Before: after the
// approve window the batch is approve-failed and another approver sends
// the one approve. After: approved, with the one approve call there was.
// killHostAt lets host h approve until it stops at when (before or after
// the approve call), then kills it (-9).
func killHostAt(t *testing.T, h *child, when string) {
	t.Helper()
	_, err := io.WriteString(h.in, "go\n")
	testcheck.Must(t, "start host", err)
	// stderr is read only on failure: the child may still be writing it.
	if line, err := h.out.ReadString('\n'); err != nil || line != "stopped "+when+"\n" {
		t.Fatalf("host: %q %v, want %q; %s", line, err, "stopped "+when, h.stder)
	}
	testcheck.Must(t, "kill -9", h.cmd.Process.Kill())
	_ = h.cmd.Wait()
}

func TestStoreKilledHostMidApproval(t *testing.T) {
	for _, when := range []string{"before", "after"} {
		t.Run(when, func(t *testing.T) {
			_, url := migrated(t)
			srv, c, simURL := simServer(t)
			tid := initiateBatches(t, storeJournal(t, url, "maker"), c, 1)[0]
			killHostAt(t, startHost(t, url, simURL, "amina", []string{tid}, "MALIPO_TEST_DIE="+when), when)

			b := storeJournal(t, url, "brian")
			b.SetClock(func() time.Time { return t0.Add(payout.ApproveWindow) })
			e, _ := b.Entry(tid)
			testcheck.Expect(t, "after the kill host B sees", e.Status, testcheck.C("approving", e.Status == payout.StatusApproving))
			n, err := b.Sweep(context.Background(), c, "host-b")
			testcheck.Must(t, "sweep", err)
			testcheck.Expect(t, "sweep resolved", n, testcheck.C("one", n == 1))
			e, _ = b.Entry(tid)
			calls := srv.Counters().Requests["POST send-money/approve/"]
			if when == "after" {
				testcheck.Expect(t, "status, approve calls", fmt.Sprint(e.Status, calls), testcheck.C("approved", e.Status == payout.StatusApproved),
					testcheck.C("one approve call", calls == 1))
				return
			}
			testcheck.Expect(t, "status, approve calls", fmt.Sprint(e.Status, calls), testcheck.C("approve-failed", e.Status == payout.StatusApproveFailed),
				testcheck.C("no approve call", calls == 0))
			r := approveOne(context.Background(), b, c, tid)
			testcheck.Expect(t, "approving again", r, testcheck.C("no error", r.Err == ""), testcheck.C("sent", r.Last))
			got := srv.Counters().Approved[tid]
			testcheck.Expect(t, "times approved", got, testcheck.C("once", got == 1))
		})
	}
}

// TestStoreSweepSharesApprovedBatches: two hosts poll the approved
// batches at the same moment; SKIP LOCKED gives each batch to one of them,
// so each status is read once, and each final status is recorded once
// and seen by both.
func TestStoreSweepSharesApprovedBatches(t *testing.T) {
	_, url := migrated(t)
	srv, c, _, clock := simServerClock(t)
	maker := storeJournal(t, url, "maker")
	const n = 8
	tids := initiateBatches(t, maker, c, n)
	approver := storeJournal(t, url, "amina")
	for _, tid := range tids {
		if r := approveOne(context.Background(), approver, c, tid); r.Err != "" || !r.Last {
			t.Fatalf("%s: %+v", tid, r)
		}
	}
	clock.Advance(time.Hour) // every batch paid out: final
	before := srv.Counters().Requests["POST send-money/status/"]
	hosts := []*payout.Journal{storeJournal(t, url, "host-a"), storeJournal(t, url, "host-b")}
	wrote := make([]int, 2)
	done := make(chan struct{})
	for i, h := range hosts {
		go func() {
			defer func() { done <- struct{}{} }()
			var err error
			if wrote[i], err = h.Sweep(context.Background(), c, fmt.Sprint("host-", i)); err != nil {
				t.Error(err)
			}
		}()
	}
	<-done
	<-done
	reads := srv.Counters().Requests["POST send-money/status/"] - before
	if wrote[0]+wrote[1] != n || reads != n {
		t.Fatalf("hosts recorded %v final statuses with %d status reads, want %d of each", wrote, reads, n)
	}
	for _, tid := range tids {
		e, _ := hosts[1].Entry(tid)
		if e.Status != payout.StatusApproved || !(&client.Batch{StatusCode: e.StatusCode}).Final() {
			t.Errorf("%s: %s %s", tid, e.Status, e.StatusCode)
		}
		if st, _ := hosts[0].Store().State(context.Background(), "p", tid); st != payout.StateSettled {
			t.Errorf("%s: store state %q", tid, st)
		}
	}
	// Settled batches are not polled again.
	if again, err := hosts[0].Sweep(context.Background(), c, "host-a"); err != nil || again != 0 {
		t.Fatalf("second sweep: %d %v", again, err)
	}
}
