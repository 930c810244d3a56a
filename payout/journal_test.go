package payout_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/payout"
)

func openJournal(t *testing.T, dir string) *payout.Journal {
	t.Helper()
	j, err := payout.OpenJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// wantStatuses reports (and goes on) when the entries' statuses are not want.
func wantStatuses(t *testing.T, what string, es []payout.Entry, want string) {
	t.Helper()
	got := statuses(es)
	testcheck.Check(t, what, got, testcheck.C(fmt.Sprintf("%q", want), got == want))
}

func statuses(es []payout.Entry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.TrackingID+":"+e.Status)
	}
	return strings.Join(out, " ")
}

// TestJournalLifecycle walks a batch through every event and checks what
// the duplicate guard and the pending list say at each step, and that a
// second process (a second Journal on the same directory) sees the same.
func TestJournalLifecycle(t *testing.T) {
	dir := t.TempDir()
	j := openJournal(t, dir).As("alice")
	d := sampleDraft()
	fp := d.Fingerprint()
	must(t, j.SaveDraft(d))
	wantStatuses(t, "fresh journal", j.Initiated(fp), "")
	must(t, j.RecordInitiating(d))
	checkInitiatingEntry(t, j.Initiated(fp), d)
	wantStatuses(t, "pending without a tracking id", j.Pending(), "")
	b := &client.Batch{TrackingID: "T1", FileID: "F1", StatusCode: "BP103"}
	must(t, j.RecordInitiated(d, b))
	drafts, _ := j.Drafts()
	testcheck.Check(t, "an initiated draft offered back", drafts, testcheck.C("none", len(drafts) == 0))
	wantStatuses(t, "pending", j.Pending(), "T1:initiated")
	other := openJournal(t, dir) // as another process would
	wantStatuses(t, "second journal sees", other.Initiated(fp), "T1:initiated")
	must(t, j.RecordApproving("T1"))
	wantStatuses(t, "pending while approving", other.Pending(), "T1:approving")
	must(t, j.RecordApproveFailed("T1", errors.New("timeout")))
	e, ok := j.Entry("T1")
	testcheck.Check(t, "entry", e, testcheck.C("found", ok), testcheck.C("approve-failed", e.Status == payout.StatusApproveFailed),
		testcheck.C("error timeout", e.Error == "timeout"))
	must(t, other.As("bob").RecordApproved("T1", &client.Batch{TrackingID: "T1", StatusCode: "BP104"}))
	e, ok = j.Entry("T1")
	testcheck.Check(t, "after approval", e, testcheck.C("found", ok), testcheck.C("approved", e.Status == payout.StatusApproved),
		testcheck.C("BP104", e.StatusCode == "BP104"), testcheck.C("file F1", e.FileID == "F1"), testcheck.C("initiator alice", e.Initiator == "alice"))
	wantStatuses(t, "approved batch still pending", j.Pending(), "")
	wantStatuses(t, "duplicate guard after approval", j.Initiated(fp), "T1:approved")

	// A refused initiate and a cancelled batch do not block a new one.
	d2 := sampleDraft()
	d2.WalletID = "W2"
	must(t, j.RecordInitiating(d2))
	must(t, j.RecordInitiateFailed(d2, errors.New("400 wallet_id invalid")))
	wantStatuses(t, "refused initiate counted", j.Initiated(d2.Fingerprint()), "")
	must(t, j.RecordInitiating(d2))
	must(t, j.RecordInitiated(d2, &client.Batch{TrackingID: "T2", FileID: "F2"}))
	must(t, j.RecordCancelled("T2", nil))
	wantStatuses(t, "cancelled batch counted", j.Initiated(d2.Fingerprint()), "")

	// Everything survives a reopen.
	j.Close()
	re := openJournal(t, dir)
	wantStatuses(t, "after reopen", re.Entries(), "T1:approved :initiate-failed T2:cancelled")
}

// checkInitiatingEntry: the one entry recorded before initiate is sent
// carries the draft's summary.
func checkInitiatingEntry(t *testing.T, es []payout.Entry, d *payout.Draft) {
	t.Helper()
	testcheck.Expect(t, "after initiating", es, testcheck.C("one entry", len(es) == 1))
	e := es[0]
	testcheck.Expect(t, "after initiating", e, testcheck.C("initiating", e.Status == payout.StatusInitiating),
		testcheck.C("initiator alice", e.Initiator == "alice"), testcheck.C("3 rows", e.Count == 3),
		testcheck.C("total 1710.50", e.Total == client.MustAmount("1710.50")), testcheck.C("B2C", e.Rail == payout.B2C),
		testcheck.C("wallet W1", e.WalletID == "W1"), testcheck.C("draft id", e.DraftID == d.ID))
}

// TestJournalConcurrent: saves and events from many goroutines, through
// two Journals on one directory, all land and nothing races.
func TestJournalConcurrent(t *testing.T) {
	dir := t.TempDir()
	a, b := openJournal(t, dir), openJournal(t, dir)
	a.SetClock(func() time.Time { return t0 })
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			j := a
			if i%2 == 1 {
				j = b
			}
			d := sampleDraft()
			d.Rows[0].AmountText = fmt.Sprint(100 + i)
			for k := range 5 {
				d.Rows[1].Amount = client.Units(int64(k + 10))
				if err := j.SaveDraft(d.Clone()); err != nil {
					t.Error(err)
				}
			}
			if err := j.RecordInitiating(d); err != nil {
				t.Error(err)
			}
			if err := j.RecordInitiated(d, &client.Batch{TrackingID: fmt.Sprintf("T%d", i)}); err != nil {
				t.Error(err)
			}
			_ = j.Pending()
		})
	}
	wg.Wait()
	for _, j := range []*payout.Journal{a, b, openJournal(t, dir)} {
		if p := j.Pending(); len(p) != 8 {
			t.Errorf("%d pending, want 8: %s", len(p), statuses(p))
		}
	}
	if es := a.Entries(); es[0].InitiatedAt.IsZero() {
		t.Error("no initiation time")
	}
	if d, _ := a.Drafts(); len(d) != 0 {
		t.Errorf("%d drafts left after every one was initiated", len(d))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestJournalTornLine: a process killed mid-append leaves half a line; it
// is ignored, and the next event starts on a line of its own.
func TestJournalTornLine(t *testing.T) {
	dir := t.TempDir()
	j := openJournal(t, dir)
	d := sampleDraft()
	must(t, j.RecordInitiating(d))
	must(t, j.RecordInitiated(d, &client.Batch{TrackingID: "T1"}))
	j.Close()
	f, err := os.OpenFile(filepath.Join(dir, "events.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteString(`{"at":"2026-11-22T09:30:00Z","event":"approved","tracking_id":"T`)
	must(t, err)
	f.Close()

	j2 := openJournal(t, dir)
	if got := statuses(j2.Entries()); got != "T1:initiated" {
		t.Fatalf("with a torn line: %q", got)
	}
	must(t, j2.RecordApproving("T1"))
	if got := statuses(openJournal(t, dir).Entries()); got != "T1:approving" {
		t.Errorf("after appending past the torn line: %q", got)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "events.jsonl"))
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	last := lines[len(lines)-1]
	if !json.Valid([]byte(last)) {
		t.Errorf("last line is not whole JSON: %q", last)
	}
	if !strings.Contains(last, `"event":"approving"`) || !strings.Contains(last, `"tracking_id":"T1"`) ||
		!strings.Contains(last, `"fingerprint":"`+d.Fingerprint()+`"`) {
		t.Errorf("approving event lacks the batch's ids: %s", last)
	}
}

func TestJournalDrafts(t *testing.T) {
	dir := t.TempDir()
	j := openJournal(t, dir)
	a, b := sampleDraft(), sampleDraft()
	b.UpdatedAt = a.UpdatedAt.Add(time.Minute)
	must(t, j.SaveDraft(a))
	must(t, j.SaveDraft(b))
	a.Rows = append(a.Rows, payout.Row{Name: "Late", Account: "0711000111", AmountText: "20"})
	a.UpdatedAt = b.UpdatedAt.Add(time.Minute)
	must(t, j.SaveDraft(a))
	// Junk beside the drafts is never offered back.
	must(t, os.WriteFile(filepath.Join(dir, "drafts", ".tmp-x.json-1"), []byte("{"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "drafts", "broken.json"), []byte(`{"id":"broken","rows":[`), 0o600))
	got, err := j.Drafts()
	must(t, err)
	if len(got) != 2 || got[0].ID != a.ID || len(got[0].Rows) != 4 || got[1].ID != b.ID {
		t.Fatalf("drafts %+v", got)
	}
	if want, _ := json.Marshal(a); !bytes.Equal(mustJSON(t, got[0]), want) {
		t.Errorf("draft came back different:\n%s\nwant\n%s", mustJSON(t, got[0]), want)
	}
	must(t, j.DiscardDraft(a.ID))
	must(t, j.DiscardDraft(a.ID)) // twice is fine
	if got, _ := j.Drafts(); len(got) != 1 {
		t.Errorf("after discard: %d drafts", len(got))
	}
	if err := j.SaveDraft(&payout.Draft{ID: "../evil"}); err == nil {
		t.Error("a draft id with a path in it was saved")
	}
	for _, p := range []string{dir, filepath.Join(dir, "drafts")} {
		if st, _ := os.Stat(p); st.Mode().Perm() != 0o700 {
			t.Errorf("%s mode %v, want 0700", p, st.Mode().Perm())
		}
	}
	for _, p := range []string{filepath.Join(dir, "drafts", b.ID+".json"), filepath.Join(dir, "events.jsonl")} {
		if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", p, st.Mode().Perm())
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return b
}

func TestStateDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	if d, err := payout.StateDir("work"); err != nil || d != "/state/malipo/work" {
		t.Errorf("StateDir = %q, %v", d, err)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/op")
	if d, err := payout.StateDir("default"); err != nil || d != "/home/op/.local/state/malipo/default" {
		t.Errorf("fallback StateDir = %q, %v", d, err)
	}
	if _, err := payout.StateDir("../x"); err == nil {
		t.Error("StateDir accepted a path as a profile")
	}
}

// ---- crash recovery: a child process saves drafts until it is killed ----

const crashEnv = "PAYOUT_JOURNAL_CRASH_DIR"

// crashDraft is version v of the draft the child saves: 5,000 rows, so a
// save takes long enough for the kill to land mid-write sometimes.
func crashDraft(v int) *payout.Draft {
	d := &payout.Draft{ID: "crashdraft01", Rail: payout.B2C, Currency: "KES", WalletID: "W1",
		CreatedAt: t0, UpdatedAt: t0.Add(time.Duration(v) * time.Second)}
	d.Rows = make([]payout.Row, payout.MaxRows)
	for i := range d.Rows {
		d.Rows[i] = payout.Row{Line: i + 2, Name: fmt.Sprintf("Person %d", i), Account: fmt.Sprintf("2547%08d", i),
			Amount: client.Units(int64(100 + i + v)), AmountText: fmt.Sprint(100 + i + v), Narrative: fmt.Sprintf("Version %d", v)}
	}
	return d
}

// TestJournalCrashChild is the child's body; it does nothing in a normal run.
func TestJournalCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("helper process for TestJournalSurvivesKill")
	}
	j, err := payout.OpenJournal(dir)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	for v := 1; ; v++ {
		d := crashDraft(v)
		if err := j.SaveDraft(d); err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		if err := j.RecordInitiating(d); err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		fmt.Printf("saved %d\n", v) // the parent kills us some time after this
	}
}

// TestJournalSurvivesKill: kill -9 a process while it saves drafts over
// and over; the draft offered back is one it saved, byte for byte, and the
// events file still reads.
func TestJournalSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	for round := range 3 {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestJournalCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		must(t, err)
		must(t, cmd.Start())
		sc := bufio.NewScanner(out)
		saved := 0
		for saved < 2+round && sc.Scan() {
			if _, err := fmt.Sscanf(sc.Text(), "saved %d", &saved); err != nil {
				t.Fatalf("child said %q", sc.Text())
			}
		}
		time.Sleep(time.Duration(round) * 7 * time.Millisecond) // land the kill at different points
		must(t, cmd.Process.Kill())                             // SIGKILL: no chance to clean up
		_ = cmd.Wait()
		if saved < 2 {
			t.Fatalf("child never saved")
		}

		j := openJournal(t, dir)
		drafts, err := j.Drafts()
		must(t, err)
		if len(drafts) != 1 {
			t.Fatalf("round %d: %d drafts offered back, want 1", round, len(drafts))
		}
		got := drafts[0]
		v := int(got.UpdatedAt.Sub(t0) / time.Second)
		if v < saved {
			t.Errorf("round %d: got version %d, but version %d was reported saved", round, v, saved)
		}
		file, err := os.ReadFile(filepath.Join(dir, "drafts", got.ID+".json"))
		must(t, err)
		want := mustJSON(t, crashDraft(v))
		if !bytes.Equal(file, want) || !bytes.Equal(mustJSON(t, got), want) {
			t.Errorf("round %d: draft version %d is not byte-identical to what was saved", round, v)
		}
		if es := j.Initiated(got.Fingerprint()); len(es) == 0 && v <= saved {
			t.Errorf("round %d: events lost: %v", round, es)
		}
	}
}
