package payouts

import (
	"reflect"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// reported are the payout failures the view told the shell of.
func reported(d *driver) []common.PayoutFailedMsg {
	var out []common.PayoutFailedMsg
	for _, msg := range d.Shell {
		if p, ok := msg.(common.PayoutFailedMsg); ok {
			out = append(out, p)
		}
	}
	return out
}

func TestFailedPayoutsAreReported(t *testing.T) {
	tests := []struct {
		name  string
		rows  [][]string
		float bool // drain the wallet first: the float check fails
		want  []common.PayoutFailedMsg
	}{
		{"one row fails", [][]string{{"Jane", "0708 374 149", "1500", "salary"}, {"Bad Number", "0700 000 002", "250", "salary"}}, false,
			[]common.PayoutFailedMsg{{Account: "254700000002", Amount: client.Units(250), Rows: 1}}},
		{"every row paid: nothing", [][]string{{"Jane", "0708 374 149", "1500", "salary"}}, false, nil},
		{"the float check fails: one report for the batch", [][]string{{"Jane", "0708 374 149", "1000", "nov"}, {"John", "0708374149", "234.50", "bonus"}}, true,
			[]common.PayoutFailedMsg{{Rows: 2, Reason: "Failed Processing (BF105)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{})
			d := f.open(120, 36)
			for _, r := range tt.rows {
				d.addRow(r...)
			}
			d.Press("p")
			if tt.float { // after the preview, as in TestFloatCheckFails
				settle := f.Server.SettlementWalletID()
				w, _ := f.Server.Wallet(settle)
				if _, err := f.Client.IntraTransfer(f.Ctx, settle, client.IntraTransferRequest{ToWalletID: f.ops, Amount: w.Available - client.Units(100), Narrative: "sweep"}); err != nil {
					t.Fatal(err)
				}
			}
			d.Press("A")
			d.Confirm()
			d.settle()
			got := reported(d)
			for i := range got {
				if got[i].Tracking != d.m.batch.b.TrackingID {
					t.Errorf("report %d names batch %q, want %q", i, got[i].Tracking, d.m.batch.b.TrackingID)
				}
				got[i].Tracking = ""
				if tt.float {
					continue
				}
				if got[i].Reason == "" {
					t.Errorf("a failed row is reported without IntaSend's reason")
				}
				got[i].Reason = ""
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("reported %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCopyTextIsTheTrackingID(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := previewed(t, f)
	tid := d.m.batch.b.TrackingID
	if label, id := d.m.CopyText(); label != "tracking id" || id != tid {
		t.Fatalf("preview: CopyText = %q %q, want tracking id %q", label, id, tid)
	}
	d.Press("P")
	if !strings.Contains(d.View(), tid) {
		t.Fatalf("pending list lacks %s:\n%s", tid, d.View())
	}
	if _, id := d.m.CopyText(); id != tid {
		t.Fatalf("pending list: CopyText = %q, want %q", id, tid)
	}
	d.Press("enter", "A")
	d.Confirm()
	d.settle()
	// Tracking: y is this view's own "copy results CSV".
	if label, id := d.m.CopyText(); id != "" {
		t.Fatalf("tracking: CopyText = %q %q; y must stay the results CSV", label, id)
	}
	d.Press("y")
	if !strings.HasPrefix(d.Clipboard(), "name,") {
		t.Fatalf("y on the tracking screen did not copy the results CSV: %q", d.Clipboard())
	}
}
