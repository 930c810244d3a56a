package payout_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/store"
)

// Money moves once: two initiators of the same batch (two CLIs, a console
// and a CLI, two SSH sessions, two `malipo serve` hosts) that both passed
// the duplicate check must not both reach IntaSend. The cross-process
// tests run each initiator as its own process (this test binary again,
// TestMain's initiator), on one journal directory or one PostgreSQL store.

// C names a condition for testcheck.
var C = testcheck.C

// initResult is what an initiator reports for one draft.
type initResult struct {
	Draft    string `json:"draft"`
	Sent     bool   `json:"sent"` // IntaSend answered with a batch
	Refused  string `json:"refused,omitempty"`
	InFlight bool   `json:"in_flight,omitempty"`
	Err      string `json:"err,omitempty"`
}

// initiatorHost is one initiator process: it opens the journal (the store
// in MALIPO_STORE, else the directory MALIPO_TEST_JOURNAL) and the
// simulator, makes the front ends' duplicate check of every draft in
// MALIPO_TEST_DRAFTS, says "ready", waits for "go" and initiates each
// draft through payout.Initiate. With MALIPO_TEST_DIE it reserves the
// first draft, says "reserved" and waits to be killed.
func initiatorHost() int {
	j, c, drafts, err := initiatorSetup()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	j.SetClock(func() time.Time { return t0 })
	if os.Getenv("MALIPO_TEST_DIE") != "" {
		if _, err := j.ReserveInitiate(drafts[0], nil); err != nil {
			fmt.Println(err)
			return 2
		}
		fmt.Println("reserved")
		select {} // wait for kill -9
	}
	for _, d := range drafts {
		if prior := j.Initiated(d.Fingerprint()); len(prior) > 0 {
			fmt.Fprintf(os.Stderr, "draft %s initiated before the race\n", d.ID)
			return 2
		}
	}
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return 2
	}
	enc := json.NewEncoder(os.Stdout)
	for _, d := range drafts {
		_ = enc.Encode(initiateOne(j, c, d))
	}
	return 0
}

func initiatorSetup() (*payout.Journal, *client.Client, []*payout.Draft, error) {
	var j *payout.Journal
	var err error
	if url := os.Getenv("MALIPO_STORE"); url != "" {
		s, serr := store.Open(context.Background(), url)
		if serr != nil {
			return nil, nil, nil, serr
		}
		j, err = payout.OpenJournalStore(s, "p")
	} else {
		j, err = payout.OpenJournal(os.Getenv("MALIPO_TEST_JOURNAL"))
	}
	if err != nil {
		return nil, nil, nil, err
	}
	j = j.As(os.Getenv("MALIPO_TEST_USER"))
	c, err := client.New(testPub, testSecret, client.WithBaseURL(os.Getenv("MALIPO_TEST_SIM")),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		return nil, nil, nil, err
	}
	data, err := os.ReadFile(os.Getenv("MALIPO_TEST_DRAFTS"))
	if err != nil {
		return nil, nil, nil, err
	}
	var drafts []*payout.Draft
	return j, c, drafts, json.Unmarshal(data, &drafts)
}

func initiateOne(j *payout.Journal, c *client.Client, d *payout.Draft) initResult {
	res := payout.Initiate(context.Background(), j, c, d, "")
	r := initResult{Draft: d.ID, Sent: res.Batch != nil}
	var dup *payout.DuplicateError
	switch {
	case payout.IsDuplicate(res.Refusal):
		r.Refused = res.Refusal.Error()
		if asDuplicate(res.Refusal, &dup) {
			r.InFlight = dup.InFlight
		}
	case res.JournalErr != nil:
		r.Err = res.JournalErr.Error()
	case res.Err != nil:
		r.Err = res.Err.Error()
	case res.RecordErr != nil:
		r.Err = res.RecordErr.Error()
	}
	return r
}

func asDuplicate(err error, dup **payout.DuplicateError) bool { return errors.As(err, dup) }

// raceDrafts are n distinct drafts (distinct fingerprints), written to a
// file the initiator processes read.
func raceDrafts(t *testing.T, n int) ([]*payout.Draft, string) {
	t.Helper()
	var ds []*payout.Draft
	for i := range n {
		d := sampleDraft()
		d.WalletID = ""
		d.ID = fmt.Sprintf("race%02d", i)
		d.Rows[0].AmountText = fmt.Sprint(1500 + i) // the fingerprint counts amounts, not names
		ds = append(ds, d)
	}
	path := filepath.Join(t.TempDir(), "drafts.json")
	must(t, os.WriteFile(path, mustJSON(t, ds), 0o600))
	return ds, path
}

// startInitiator starts an initiator process on the journal (env names it)
// and waits until it says want ("ready" or "reserved").
func startInitiator(t *testing.T, simURL, user, drafts, want string, env ...string) *child {
	t.Helper()
	return startChild(t, "initiator "+user, want, append(env, "MALIPO_TEST_HOST=initiator", "MALIPO_TEST_SIM="+simURL,
		"MALIPO_TEST_USER="+user, "MALIPO_TEST_DRAFTS="+drafts)...)
}

// raceInitiators starts one initiator process per user on the journal env
// names, lets them all pass the duplicate check of every draft, then
// lets them initiate at the same moment, and checks that every draft was
// initiated exactly once: one initiator sent it and IntaSend saw one
// initiate; every other initiator was refused by the guard, naming the
// one who got there first. It returns a journal checker's view.
func raceInitiators(t *testing.T, srv *sim.Server, simURL string, n int, env ...string) []*payout.Draft {
	t.Helper()
	ds, path := raceDrafts(t, n)
	users := []string{"amina", "brian"}
	var hosts []*child
	for _, u := range users {
		hosts = append(hosts, startInitiator(t, simURL, u, path, "ready", env...))
	}
	for _, h := range hosts {
		if _, err := io.WriteString(h.in, "go\n"); err != nil {
			t.Fatal(err)
		}
	}
	byDraft := map[string][]initResult{}
	for _, h := range hosts {
		for _, r := range childResults[initResult](t, h, n) {
			byDraft[r.Draft] = append(byDraft[r.Draft], r)
		}
	}
	checkOnce(t, byDraft, users)
	cnt := srv.Counters()
	if cnt.Initiated != n || cnt.Requests["POST send-money/initiate/"] != n {
		t.Fatalf("the simulator saw %d initiate calls and made %d batches for %d drafts, want one each",
			cnt.Requests["POST send-money/initiate/"], cnt.Initiated, n)
	}
	return ds
}

// checkOnce: for every draft exactly one initiator sent it, and the
// others were refused with the winner's name.
func checkOnce(t *testing.T, byDraft map[string][]initResult, users []string) {
	t.Helper()
	for id, rs := range byDraft {
		sent := 0
		for _, r := range rs {
			if r.Err != "" {
				t.Errorf("%s: %s", id, r.Err)
			}
			if r.Sent {
				sent++
				continue
			}
			if !strings.Contains(r.Refused, "Nothing was sent") || !containsAny(r.Refused, users) {
				t.Errorf("%s: the losing initiator was told %q", id, r.Refused)
			}
		}
		if sent != 1 || len(rs) != len(users) {
			t.Errorf("%s: %d of %d initiators sent it, want exactly one", id, sent, len(rs))
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestInitiateOnceAcrossProcesses: two processes on one journal directory
// (two CLIs, or a console and a CLI) both find no identical batch, then
// initiate the same drafts at the same moment: each draft reaches
// IntaSend once.
func TestInitiateOnceAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	srv, _, simURL := simServer(t)
	const n = 12
	ds := raceInitiators(t, srv, simURL, n, "MALIPO_TEST_JOURNAL="+dir)
	j := openJournal(t, dir)
	for _, d := range ds {
		if es := j.Initiated(d.Fingerprint()); len(es) != 1 || es[0].Status != payout.StatusInitiated || es[0].TrackingID == "" {
			t.Errorf("%s: the journal holds %+v", d.ID, es)
		}
	}
}

// TestStoreInitiateOnceAcrossHosts: the same on the shared PostgreSQL
// store, two hosts with their own connection pools.
func TestStoreInitiateOnceAcrossHosts(t *testing.T) {
	_, url := migrated(t)
	srv, _, simURL := simServer(t)
	const n = 12
	ds := raceInitiators(t, srv, simURL, n, "MALIPO_STORE="+url)
	j := storeJournal(t, url, "auditor")
	for _, d := range ds {
		if es := j.Initiated(d.Fingerprint()); len(es) != 1 || es[0].Status != payout.StatusInitiated || es[0].TrackingID == "" {
			t.Errorf("%s: the store journal holds %+v", d.ID, es)
		}
	}
}

// TestInitiateOnceTwoJournals: two Journals on one directory in one
// process (each its own events file and flock) racing goroutine against
// goroutine, after both passed the duplicate check.
func TestInitiateOnceTwoJournals(t *testing.T) {
	dir := t.TempDir()
	srv, c, _ := simServer(t)
	js := []*payout.Journal{openJournal(t, dir).As("amina"), openJournal(t, dir).As("brian")}
	ds, _ := raceDrafts(t, 16)
	for _, d := range ds {
		for _, j := range js {
			if len(j.Initiated(d.Fingerprint())) != 0 {
				t.Fatal("initiated before the race")
			}
		}
	}
	results := make([][]initResult, len(js))
	var wg sync.WaitGroup
	for i, j := range js {
		wg.Go(func() {
			for _, d := range ds {
				results[i] = append(results[i], initiateOne(j, c, d.Clone()))
			}
		})
	}
	wg.Wait()
	byDraft := map[string][]initResult{}
	for _, rs := range results {
		for _, r := range rs {
			byDraft[r.Draft] = append(byDraft[r.Draft], r)
		}
	}
	checkOnce(t, byDraft, []string{"amina", "brian"})
	if cnt := srv.Counters(); cnt.Initiated != len(ds) {
		t.Fatalf("%d batches for %d drafts", cnt.Initiated, len(ds))
	}
}

// TestInitiateReservation walks one batch through the guard: an initiate
// whose answer is lost keeps its reservation (a second initiate, even one
// the person confirmed, is refused while it may still be answered, and
// refused after unless confirmed); IntaSend's refusal releases it.
func TestInitiateReservation(t *testing.T) {
	srv, c, _, clock := simServerClock(t)
	j := openJournal(t, t.TempDir()).As("amina")
	j.SetClock(clock.Now)
	d := sampleDraft()
	d.WalletID = ""

	srv.SetFaults([]sim.Fault{{Route: "POST send-money/initiate/", Kind: sim.DropAfter}})
	res := payout.Initiate(t.Context(), j, c, d, "")
	srv.SetFaults(nil)
	testcheck.Expect(t, "dropped answer", res, C("ambiguous", client.IsAmbiguous(res.Err)), C("no refusal", res.Refusal == nil),
		C("recorded", res.RecordErr == nil))
	seen := j.Initiated(d.Fingerprint())
	testcheck.Expect(t, "after the lost answer", seen, C("one entry", len(seen) == 1), C("initiating", len(seen) == 1 && seen[0].Status == payout.StatusInitiating))
	other := j.As("brian")
	steps := []struct {
		name     string
		advance  time.Duration
		again    []payout.Entry
		inFlight bool // refused as in flight; else refused as unseen, or sent when neither
		sent     bool
	}{
		{name: "in flight, not confirmed", inFlight: true},
		{name: "in flight, confirmed", again: seen, inFlight: true},
		{name: "past the window, not confirmed", advance: payout.InitiateWindow},
		{name: "past the window, confirmed", again: seen, sent: true},
	}
	for _, s := range steps {
		clock.Advance(s.advance)
		res := payout.Initiate(t.Context(), other, c, d.Clone(), "", s.again...)
		if s.sent {
			testcheck.Expect(t, s.name, res, C("sent", res.Batch != nil), C("no refusal", res.Refusal == nil))
			continue
		}
		var dup *payout.DuplicateError
		isDup := asDuplicate(res.Refusal, &dup)
		testcheck.Expect(t, s.name, res, C("a duplicate refusal", isDup), C("in flight as expected", isDup && dup.InFlight == s.inFlight),
			C("naming amina", isDup && dup.Prior.Initiator == "amina"))
		testcheck.Contains(t, s.name, res.Refusal.Error(), "amina", "2026-11-22 12:30:00 EAT", "Nothing was sent")
	}
	if cnt := srv.Counters(); cnt.Requests["POST send-money/initiate/"] != 2 {
		t.Fatalf("%d initiate calls, want the lost one and the confirmed one", cnt.Requests["POST send-money/initiate/"])
	}

	// IntaSend refusing an initiate releases its reservation at once.
	bad := sampleDraft()
	bad.WalletID = "NOPE123"
	res = payout.Initiate(t.Context(), j, c, bad, "")
	testcheck.Expect(t, "refused initiate", res, C("refused by IntaSend", payout.Refused(res.Err)), C("recorded", res.RecordErr == nil))
	if es := j.Initiated(bad.Fingerprint()); len(es) != 0 {
		t.Fatalf("a refused initiate still holds %+v", es)
	}
}

// TestInitiateKilledAfterReservation: a process reserves an initiate and
// is killed (SIGKILL) before IntaSend answers. Another process is refused
// while the initiate may still be on its way, and after the window the
// attempt is in the history and the needs-attention list.
func TestInitiateKilledAfterReservation(t *testing.T) {
	dir := t.TempDir()
	srv, c, simURL := simServer(t)
	ds, path := raceDrafts(t, 1)
	h := startInitiator(t, simURL, "amina", path, "reserved", "MALIPO_TEST_JOURNAL="+dir, "MALIPO_TEST_DIE=1")
	if err := h.cmd.Process.Kill(); err != nil { // kill -9
		t.Fatal(err)
	}
	_ = h.cmd.Wait()

	j := openJournal(t, dir).As("brian")
	now := t0.Add(time.Minute)
	j.SetClock(func() time.Time { return now })
	r := initiateOne(j, c, ds[0])
	if r.Sent || !r.InFlight || !strings.Contains(r.Refused, "amina started initiating") {
		t.Fatalf("within the window: %+v", r)
	}
	hist := j.History()
	if len(hist) != 1 || hist[0].Status != payout.StatusInitiating {
		t.Fatalf("history: %+v", hist)
	}
	if _, ok := payout.NeedsAttention(hist[0], now, nil); ok {
		t.Fatal("needs attention while the initiate may still be answered")
	}
	a, ok := payout.NeedsAttention(hist[0], t0.Add(payout.InitiateWindow), nil)
	if !ok || a.Reasons[0].Kind != payout.AttnInitiateUnknown {
		t.Fatalf("after the window: %+v %v", a, ok)
	}
	if n := srv.Counters().Requests["POST send-money/initiate/"]; n != 0 {
		t.Fatalf("%d initiate calls", n)
	}
}

// TestStatusReadSettlesLostInitiate: an initiate went through but its
// answer was lost; the person finds the batch (the dashboard) and opens it
// by tracking id. That status read carries the batch reference, so it
// settles the reservation: the batch is the journal's, waiting approval,
// no longer an unknown initiate; initiating the draft again is refused
// naming it. Nothing is sent twice.
func TestStatusReadSettlesLostInitiate(t *testing.T) {
	for _, on := range []string{"files", "store"} {
		t.Run(on, func(t *testing.T) {
			var j *payout.Journal
			if on == "files" {
				j = openJournal(t, t.TempDir()).As("amina")
			} else {
				_, url := migrated(t)
				j = storeJournal(t, url, "amina")
			}
			statusReadSettles(t, j)
		})
	}
}

func statusReadSettles(t *testing.T, j *payout.Journal) {
	srv, c, _, clock := simServerClock(t)
	j.SetClock(clock.Now)
	d := sampleDraft()
	d.WalletID = ""
	_, err := j.ReserveInitiate(d, nil)
	testcheck.Must(t, "reserve", err)
	lost, err := c.InitiatePayout(t.Context(), d.Request()) // the call went out; its answer never reached the journal
	testcheck.Must(t, "initiate", err)
	clock.Advance(payout.InitiateWindow)
	a, ok := payout.NeedsAttention(j.History()[0], clock.Now(), nil)
	testcheck.Expect(t, "before the status read", a, C("needs attention", ok), C("initiate unknown", ok && a.Reasons[0].Kind == payout.AttnInitiateUnknown))

	st, err := c.PayoutStatus(t.Context(), lost.TrackingID)
	testcheck.Must(t, "status", err)
	wrote, err := j.As("brian").RecordStatus(lost.TrackingID, st)
	testcheck.Must(t, "record status", err)
	es, pending := j.Initiated(d.Fingerprint()), j.Pending()
	found := len(es) == 1 && es[0].TrackingID == lost.TrackingID
	testcheck.Expect(t, "after the status read", es, C("wrote", wrote), C("the lost batch", found),
		C("initiated", found && es[0].Status == payout.StatusInitiated), C("by amina", found && es[0].Initiator == "amina"),
		C("pending", len(pending) == 1 && pending[0].TrackingID == lost.TrackingID))
	if s := j.Store(); s != nil {
		state, err := s.State(t.Context(), j.Name(), lost.TrackingID)
		testcheck.Expect(t, "store state", state, C("initiated", err == nil && state == payout.StatusInitiated))
	}
	if _, ok := payout.NeedsAttention(es[0], clock.Now(), nil); ok {
		t.Fatal("still needs attention once the batch is found")
	}
	res := payout.Initiate(t.Context(), j, c, d.Clone(), "")
	testcheck.Expect(t, "initiating again", res, C("refused", payout.IsDuplicate(res.Refusal)))
	testcheck.Contains(t, "the refusal", res.Refusal.Error(), lost.TrackingID)
	// A status read of a batch no reservation names claims nothing.
	other := sampleDraft()
	other.WalletID = ""
	elsewhere, err := c.InitiatePayout(t.Context(), other.Request())
	testcheck.Must(t, "initiate elsewhere", err)
	wrote, err = j.RecordStatus(elsewhere.TrackingID, elsewhere)
	testcheck.Expect(t, "a stranger's batch", wrote, C("nothing written", !wrote), C("no error", err == nil))
	if n := srv.Counters().Initiated; n != 2 {
		t.Fatalf("%d batches, want the lost one and the stranger", n)
	}
}
