package payout_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
)

// resolveClock is a settable clock for the journal (no wall time).
type resolveClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *resolveClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *resolveClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// outcomes counts approved and approve-failed lines in the events file.
func outcomes(t *testing.T, dir string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "events.jsonl"))
	must(t, err)
	return bytes.Count(data, []byte(`"event":"approved"`)) + bytes.Count(data, []byte(`"event":"approve-failed"`))
}

// TestResolveApproval: a status read settles an approval whose outcome the
// journal lacks, once, and never on a guess.
func TestResolveApproval(t *testing.T) {
	approved := &client.Batch{TrackingID: "T1", StatusCode: client.BatchQueued, Status: "Queued"}
	waiting := &client.Batch{TrackingID: "T1", StatusCode: client.BatchWaitingApproval, Status: "Preview and approve"}
	ended := &client.Batch{TrackingID: "T1", StatusCode: client.BatchEnded, Status: "Ended"}
	tests := []struct {
		name    string
		events  func(t *testing.T, j *payout.Journal) // after initiated
		age     time.Duration                         // since the last event
		st      *client.Batch
		settle  bool // SettleApproval (the approver itself) instead of ResolveApproval
		wrote   bool
		status  string
		code    string
		pending bool
	}{
		{"approving, landed", approving, 0, approved, false, true, payout.StatusApproved, client.BatchQueued, false},
		{"approving, landed, long ago", approving, 48 * time.Hour, approved, false, true, payout.StatusApproved, client.BatchQueued, false},
		{"approving, not landed, may be in flight", approving, payout.ApproveWindow - time.Second, waiting, false, false, payout.StatusApproving, client.BatchWaitingApproval, true},
		{"approving, not landed, after the window", approving, payout.ApproveWindow, waiting, false, true, payout.StatusApproveFailed, client.BatchWaitingApproval, true},
		{"approving, not landed, the approver knows", approving, 0, waiting, true, true, payout.StatusApproveFailed, client.BatchWaitingApproval, true},
		{"approving, batch ended", approving, 0, ended, false, true, payout.StatusApproveFailed, client.BatchEnded, false},
		{"approve-failed, landed after all", func(t *testing.T, j *payout.Journal) {
			approving(t, j)
			must(t, j.RecordApproveFailed("T1", nil))
		}, 0, approved, false, true, payout.StatusApproved, client.BatchQueued, false},
		{"already approved", func(t *testing.T, j *payout.Journal) {
			approving(t, j)
			must(t, j.RecordApproved("T1", approved))
		}, payout.ApproveWindow, waiting, false, false, payout.StatusApproved, client.BatchQueued, false},
		{"no approving at all", func(*testing.T, *payout.Journal) {}, payout.ApproveWindow, approved, false, false, payout.StatusInitiated, client.BatchWaitingApproval, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			clock := &resolveClock{t: time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC)}
			j := openJournal(t, dir)
			j.SetClock(clock.now)
			j = j.As("amina")
			d := sampleDraft()
			must(t, j.RecordInitiating(d))
			must(t, j.RecordInitiated(d, &client.Batch{TrackingID: "T1", FileID: "F1", StatusCode: client.BatchWaitingApproval}))
			tt.events(t, j)
			clock.add(tt.age)
			before := outcomes(t, dir)
			resolve := j.ResolveApproval
			if tt.settle {
				resolve = j.SettleApproval
			}
			wrote, err := resolve("T1", tt.st)
			must(t, err)
			e, _ := j.Entry("T1")
			if wrote != tt.wrote || e.Status != tt.status || e.StatusCode != tt.code {
				t.Fatalf("wrote %v, entry %s %s; want %v, %s %s", wrote, e.Status, e.StatusCode, tt.wrote, tt.status, tt.code)
			}
			if got := len(j.Pending()) == 1; got != tt.pending {
				t.Errorf("pending = %v, want %v", got, tt.pending)
			}
			// A second reader, as another process would be, writes nothing more.
			other := openJournal(t, dir)
			other.SetClock(clock.now)
			again, err := other.ResolveApproval("T1", tt.st)
			must(t, err)
			if again {
				t.Error("a second reader wrote a second outcome")
			}
			if n := outcomes(t, dir) - before; n != btoi(tt.wrote) {
				t.Errorf("%d outcome lines written, want %d", n, btoi(tt.wrote))
			}
		})
	}
}

func approving(t *testing.T, j *payout.Journal) { must(t, j.RecordApproving("T1")) }

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestResolveApprovalRace: readers in several "processes" (each its own
// open journal, so its own file lock) settle the same approval at once;
// exactly one outcome is written.
func TestResolveApprovalRace(t *testing.T) {
	dir := t.TempDir()
	j := openJournal(t, dir)
	d := sampleDraft()
	must(t, j.RecordInitiating(d))
	must(t, j.RecordInitiated(d, &client.Batch{TrackingID: "T1", StatusCode: client.BatchWaitingApproval}))
	must(t, j.RecordApproving("T1"))
	st := &client.Batch{TrackingID: "T1", StatusCode: client.BatchPaying}
	const readers = 8
	js := make([]*payout.Journal, readers)
	for i := range js {
		js[i] = openJournal(t, dir)
	}
	var wg sync.WaitGroup
	wrote := make(chan bool, readers)
	for _, r := range js {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := r.ResolveApproval("T1", st)
			if err != nil {
				t.Error(err)
			}
			wrote <- ok
		}()
	}
	wg.Wait()
	close(wrote)
	n := 0
	for ok := range wrote {
		n += btoi(ok)
	}
	if n != 1 || outcomes(t, dir) != 1 {
		t.Fatalf("%d readers wrote, %d outcome lines; want 1 and 1", n, outcomes(t, dir))
	}
}
