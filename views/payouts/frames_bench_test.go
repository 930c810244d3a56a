package payouts

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
)

// synthEntries are n journal entries as the lists would load them: kind
// "pending" waits for approval, "attention" ran with a TF105 row, "mixed"
// has a third of each and completed batches.
func synthEntries(n int, kind string, now time.Time) []payout.Entry {
	es := make([]payout.Entry, n)
	for i := range es {
		at := now.Add(-time.Duration(i) * time.Minute)
		e := payout.Entry{TrackingID: fmt.Sprintf("%08x-6630-49f7-a764-e80500c886be", i), FileID: fmt.Sprintf("F%06d", i),
			Rail: payout.B2C, Currency: "KES", Count: 1 + i%500, Total: client.Units(int64(1000 + i)), Initiator: "amina@ops",
			InitiatedAt: at, UpdatedAt: at, Status: payout.StatusInitiated, StatusCode: client.BatchWaitingApproval}
		k := kind
		if k == "mixed" {
			k = []string{"pending", "attention", "done"}[i%3]
		}
		if k != "pending" {
			e.Status, e.Approvals = payout.StatusApproved, []payout.Approval{{By: "wanjiru", At: at, Need: 1, Amount: e.Total}}
			e.StatusCode, e.Observed, e.ObservedAt = client.BatchCompleted, "Completed", at.Add(time.Minute)
			e.RowCodes = map[string]int{client.TxSuccessful: e.Count}
		}
		if k == "attention" {
			e.RowCodes = map[string]int{client.TxSuccessful: e.Count - 1, client.TxUndetermined: 1}
		}
		es[i] = e
	}
	return es
}

// frameDriver is a view at 120x40 (body 120x36) showing screen with n
// batches loaded, the cursor mid-list.
func frameDriver(b testing.TB, f *fixture, scr screen, n int) *driver {
	d := newDriver(b, f, f.common(), 120, 36)
	now := f.Clock.Now()
	switch scr {
	case scrPending:
		d.m.onPendingLoaded(pendingLoadedMsg{entries: synthEntries(n, "pending", now)})
		d.m.pend.tbl.SetTotal(n)
		d.m.pend.tbl.SetCursor(n / 2)
	case scrHistory:
		d.m.onBook(synthEntries(n, "mixed", now))
		d.m.hist.tbl.SetCursor(n / 2)
	case scrAttention:
		d.m.onBook(synthEntries(n, "attention", now))
		if len(d.m.attn.items) != n {
			b.Fatalf("%d of %d need attention", len(d.m.attn.items), n)
		}
		d.m.attn.tbl.SetCursor(n / 2)
	}
	d.m.screen = scr
	return d
}

// BenchmarkListFrames is one frame of the pending list, the batch history
// and the needs-attention queue at 10 to 10,000 batches (issue 13: flat
// from 10 to 10,000). "baseline" is the least such a frame can cost: the
// 32 visible rows' cells joined, with no layout, padding or paint. Each
// size reports its ns/frame and its ratio to the baseline (x-baseline);
// flat means the ratio does not grow with the size.
func BenchmarkListFrames(b *testing.B) {
	f := newFixture(b, fixtureOpt{noFund: true})
	var base float64
	b.Run("baseline", func(b *testing.B) {
		es := synthEntries(32, "mixed", f.Clock.Now())
		b.ReportAllocs()
		for b.Loop() {
			var sb strings.Builder
			for _, e := range es {
				sb.WriteString(strings.Join([]string{e.TrackingID, string(e.Rail), strconv.Itoa(e.Count), e.Total.Format("KES"),
					e.Initiator, payout.FinalState(e)}, " "))
				sb.WriteByte('\n')
			}
			_ = sb.String()
		}
		base = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(base, "ns/frame")
	})
	views := []struct {
		name string
		scr  screen
	}{{"pending", scrPending}, {"history", scrHistory}, {"attention", scrAttention}}
	for _, v := range views {
		for _, n := range []int{10, 100, 1000, 10000} {
			b.Run(v.name+"/"+strconv.Itoa(n), func(b *testing.B) {
				d := frameDriver(b, f, v.scr, n)
				b.ReportAllocs()
				for b.Loop() {
					_ = d.m.View()
				}
				ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				b.ReportMetric(ns, "ns/frame")
				if base > 0 {
					b.ReportMetric(ns/base, "x-baseline")
				}
			})
		}
	}
}

// TestListFramesFlat guards the benchmark's claim without timing
// anything: a frame at 10,000 batches draws the same rows as at 100, so
// it allocates about the same.
func TestListFramesFlat(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under -race")
	}
	f := newFixture(t, fixtureOpt{noFund: true})
	for _, scr := range []screen{scrPending, scrHistory, scrAttention} {
		small, large := frameDriver(t, f, scr, 100), frameDriver(t, f, scr, 10000)
		a := testing.AllocsPerRun(20, func() { _ = small.m.View() })
		z := testing.AllocsPerRun(20, func() { _ = large.m.View() })
		if z > a*1.5+20 {
			t.Errorf("screen %d: %.0f allocations per frame at 10,000 batches, %.0f at 100", scr, z, a)
		}
	}
}
