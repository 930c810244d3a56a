package payout_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
)

// batchWith is a status answer with rows of the given codes.
func batchWith(code, status string, rows ...string) *client.Batch {
	b := &client.Batch{StatusCode: code, Status: status}
	for _, r := range rows {
		b.Transactions = append(b.Transactions, client.PayoutResult{StatusCode: r})
	}
	return b
}

// approveIt records the approve of tid and its answer.
func approveIt(t *testing.T, j *payout.Journal, tid string) {
	t.Helper()
	must(t, j.RecordApproving(tid))
	must(t, j.RecordApproved(tid, batchWith("BP104", "Confirming balance")))
}

// TestRecordStatusWritesChangesOnly: polling a batch for hours writes one
// line per change, and the entry folds IntaSend's last word; a second
// journal on the same directory reads the same.
func TestRecordStatusWritesChangesOnly(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, eat)}
	j := openJournal(t, dir).As("amina")
	j.SetClock(c.now)
	initiatedBatch(t, j, "T1", client.Units(5000))
	approveIt(t, j, "T1")

	st := batchWith("BP110", "Processing payment", "TS100", "TF105", "TF105")
	for i := 0; i < 3; i++ {
		wrote, err := j.RecordStatus("T1", st)
		must(t, err)
		if wrote != (i == 0) {
			t.Fatalf("read %d wrote=%v", i, wrote)
		}
	}
	if wrote, _ := j.RecordStatus("T-unknown", st); wrote {
		t.Error("a batch the journal does not know was recorded")
	}
	e, _ := openJournal(t, dir).Entry("T1")
	if e.Status != payout.StatusApproved || e.StatusCode != "BP110" || e.Observed != "Processing payment" || e.RowCodes["TF105"] != 2 {
		t.Fatalf("entry after status: %+v", e)
	}
	wrote, err := j.RecordStatus("T1", batchWith("BC100", "Completed", "TS100", "TF105", "TF105"))
	must(t, err)
	if e, _ := j.Entry("T1"); !wrote || e.StatusCode != "BC100" || payout.FinalState(e) != "completed, 2 not paid" {
		t.Fatalf("final: wrote=%v %+v %q", wrote, e, payout.FinalState(e))
	}
}

// TestNeedsAttention: each way a batch comes to need a person, what the
// queue says of it, and what an acknowledgement does.
func TestNeedsAttention(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, eat)
	pol := &payout.Policy{ExpireAfter: 24 * time.Hour}
	cases := []struct {
		name    string
		setup   func(t *testing.T, j *payout.Journal, c *clock)
		at      time.Duration // after t0
		kinds   string
		wording string
	}{
		{"waiting, fresh", func(t *testing.T, j *payout.Journal, c *clock) {}, time.Hour, "", ""},
		{"expired", func(t *testing.T, j *payout.Journal, c *clock) {}, 25 * time.Hour, payout.AttnExpired, "cancel it (x)"},
		{"approving, in its window", func(t *testing.T, j *payout.Journal, c *clock) {
			must(t, j.RecordApproving("T1"))
		}, time.Minute, "", ""},
		{"approving, no answer", func(t *testing.T, j *payout.Journal, c *clock) {
			must(t, j.RecordApproving("T1"))
		}, 10 * time.Minute, payout.AttnApproveUnknown, "Do not approve again"},
		{"TF105 and a failure", func(t *testing.T, j *payout.Journal, c *clock) {
			approveIt(t, j, "T1")
			_, err := j.RecordStatus("T1", batchWith("BC100", "Completed", "TS100", "TF105", "TF106"))
			must(t, err)
		}, 10 * time.Minute, "rows rows", "status undetermined (ask IntaSend support; do not resend)"},
		{"ended early", func(t *testing.T, j *payout.Journal, c *clock) {
			approveIt(t, j, "T1")
			_, err := j.RecordStatus("T1", batchWith("BE111", "Cancelled", "TS100", "TC108"))
			must(t, err)
		}, 10 * time.Minute, payout.AttnBatch, "ended early"},
		{"acknowledged", func(t *testing.T, j *payout.Journal, c *clock) {
			approveIt(t, j, "T1")
			_, err := j.RecordStatus("T1", batchWith("BE111", "Cancelled", "TS100", "TC108"))
			must(t, err)
			c.set(c.now().Add(time.Minute))
			must(t, j.Acknowledge("T1"))
		}, 10 * time.Minute, "", ""},
		{"waiting long, no expiry", func(t *testing.T, j *payout.Journal, c *clock) {}, 30 * time.Hour, payout.AttnStale, "waiting for approval for 30h"},
		{"stale", func(t *testing.T, j *payout.Journal, c *clock) {
			approveIt(t, j, "T1")
			_, err := j.RecordStatus("T1", batchWith("BP110", "Processing payment", "TP102"))
			must(t, err)
		}, 2 * time.Hour, payout.AttnStale, "still Processing payment (BP110)"},
		{"completed clean", func(t *testing.T, j *payout.Journal, c *clock) {
			approveIt(t, j, "T1")
			_, err := j.RecordStatus("T1", batchWith("BC100", "Completed", "TS100"))
			must(t, err)
		}, 48 * time.Hour, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: t0}
			j := openJournal(t, t.TempDir()).As("amina")
			j.SetClock(c.now)
			initiatedBatch(t, j, "T1", client.Units(5000))
			tc.setup(t, j, c)
			e, _ := j.Entry("T1")
			p := pol
			if tc.name == "waiting long, no expiry" { // no expire_after: a long wait is stale instead
				p = nil
			}
			a, ok := payout.NeedsAttention(e, t0.Add(tc.at), p)
			var kinds, words []string
			for _, r := range a.Reasons {
				kinds = append(kinds, r.Kind)
				words = append(words, r.What+" · "+r.Action)
			}
			if ok != (tc.kinds != "") || strings.Join(kinds, " ") != tc.kinds {
				t.Fatalf("ok=%v kinds %q, want %q", ok, kinds, tc.kinds)
			}
			if !strings.Contains(strings.Join(words, "\n"), tc.wording) {
				t.Errorf("wording %q lacks %q", words, tc.wording)
			}
			if ok && a.Since.IsZero() {
				t.Error("no since")
			}
		})
	}
}

// TestRecordStatusConcurrentAppenders: four journals on one directory
// (each its own events file and flock, as four processes have) record
// status reads at once. Each writer's own batch gets every one of its
// changes, whole; a batch all four read at the same moment gets its
// change once (the check and the append hold the lock together); every
// line of the file parses.
func TestRecordStatusConcurrentAppenders(t *testing.T) {
	dir := t.TempDir()
	base := openJournal(t, dir)
	const writers, steps, shared = 4, 40, 20
	for w := range writers {
		initiatedBatch(t, base, fmt.Sprint("P", w), client.Units(100))
	}
	for s := range shared {
		initiatedBatch(t, base, fmt.Sprint("S", s), client.Units(100))
	}
	wrote := make([]int, shared) // per shared batch, how many writers recorded its change
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range writers {
		j := openJournal(t, dir).As(fmt.Sprint("host-", w))
		wg.Go(func() {
			mine := recordStatuses(t, j, fmt.Sprint("P", w), steps, shared)
			mu.Lock()
			defer mu.Unlock()
			for s, ok := range mine {
				if ok {
					wrote[s]++
				}
			}
		})
	}
	wg.Wait()
	for s, n := range wrote {
		if n != 1 {
			t.Errorf("S%d: %d writers recorded the same change, want 1", s, n)
		}
	}
	if got, want := statusLines(t, filepath.Join(dir, "events.jsonl")), writers*steps+shared; got != want {
		t.Errorf("%d status lines, want %d", got, want)
	}
	fresh := openJournal(t, dir)
	for w := range writers {
		if e, _ := fresh.Entry(fmt.Sprint("P", w)); e.Observed != fmt.Sprint("step ", steps-1) {
			t.Errorf("P%d: last status %q", w, e.Observed)
		}
	}
}

// recordStatuses records steps changes of own's status, each of which
// must be written, and between them the one final status of the shared
// batches S0…, reporting which of those it wrote.
func recordStatuses(t *testing.T, j *payout.Journal, own string, steps, shared int) []bool {
	wrote := make([]bool, shared)
	for i := range steps {
		ok, err := j.RecordStatus(own, batchWith("BP110", fmt.Sprint("step ", i), "TP101"))
		if err != nil || !ok {
			t.Errorf("%s step %d: wrote=%v %v", own, i, ok, err)
		}
		if i >= shared {
			continue
		}
		if wrote[i], err = j.RecordStatus(fmt.Sprint("S", i), batchWith("BC100", "Completed", "TS100")); err != nil {
			t.Error(err)
		}
	}
	return wrote
}

// statusLines counts the status events in an events file, failing on any
// line that does not parse (torn, or blank from a half-read write).
func statusLines(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	n := 0
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var ev struct{ Event string }
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line %d is torn: %q", i+1, line)
		}
		if ev.Event == payout.EventStatus {
			n++
		}
	}
	return n
}
