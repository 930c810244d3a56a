package payouts

import (
	"strings"
	"testing"
	"time"
)

// The tracking screen shows each state the simulator's magic accounts
// produce with a word and a symbol; rows in doubt (TF105, TH107) say to ask
// IntaSend support and are never offered to "failed rows → new draft",
// which takes only rows known not to have paid.
func TestTrackingStates(t *testing.T) {
	tests := []struct {
		name     string
		phones   []string      // after the always-paid sandbox row
		after    time.Duration // simulator time stepped after approval
		want     []string      // in the screen
		retry    []string      // accounts F copies to a new draft
		selected int           // the row whose detail line must carry want[0] too
	}{
		{name: "in doubt", phones: []string{"0700000002", "0700000105", "0700000107"}, after: 20 * time.Second,
			want:  []string{"! Status undetermined: " + inDoubtWords, "! Under observation: " + inDoubtWords, "✖ Unsuccessful", "… Processing payment (BP110)"},
			retry: []string{"254700000002"}, selected: 2},
		{name: "results processing and retry queued", phones: []string{"0700000104", "0700000109"}, after: 6500 * time.Millisecond,
			want: []string{"… Processing results: Results processing", "… Queued for retry: Queued for retry"}},
		{name: "ended early", phones: []string{"0700000211", "0708374149"}, after: 20 * time.Second,
			want:  []string{"✖ ended early · Cancelled (BE111)", "✖ Cancelled: Batch ended early"},
			retry: []string{"254700000211", "254708374149"}},
		{name: "float check issue", phones: []string{"0700000207"}, after: 5 * time.Second,
			want:  []string{"✖ float check issue, nothing sent · Failed Processing (BF107)"},
			retry: []string{"254708374149", "254700000207"}},
		{name: "batch failed", phones: []string{"0700000202"}, after: 5 * time.Second,
			want:  []string{"✖ batch failed, nothing sent · Failed Processing (BF102)"},
			retry: []string{"254708374149", "254700000202"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{})
			d := f.open(160, 40)
			d.addRow("Sandbox", "0708374149", "100", "ok")
			for i, ph := range tt.phones {
				d.addRow("Row"+string(rune('A'+i)), ph, "200", "magic")
			}
			d.Press("p")
			d.Press("A")
			d.Confirm()
			for step := time.Duration(0); step < tt.after; step += 500 * time.Millisecond {
				f.Advance(min(500*time.Millisecond, tt.after-step))
			}
			d.Fire(pollMsg{})
			for range tt.selected {
				d.Press("down")
			}
			v := d.View()
			for _, w := range tt.want {
				if !strings.Contains(v, w) {
					t.Errorf("%q not shown:\n%s", w, v)
				}
			}
			if tt.selected > 0 && !strings.Contains(d.m.selectedResult(d.m.batch), inDoubtWords) {
				t.Errorf("selected row's detail hides what to do: %s", d.m.selectedResult(d.m.batch))
			}
			d.Press("F")
			if len(tt.retry) == 0 {
				if d.m.screen != scrBatch || !strings.Contains(strings.Join(d.Toasts(), "\n"), "No failed payouts") {
					t.Errorf("rows that may yet pay were offered for sending again: %v", d.m.comp.d.Rows)
				}
				return
			}
			var got []string
			for _, r := range d.m.comp.d.Rows {
				got = append(got, r.Account)
			}
			if d.m.screen != scrCompose || strings.Join(got, " ") != strings.Join(tt.retry, " ") {
				t.Errorf("retry-failed drafted %v, want %v", got, tt.retry)
			}
		})
	}
}
