package payouts

import (
	"testing"

	"github.com/malipo/malipo/ui/common"
)

// serve --webhooks (issue 14): the open batch's send_money event reads its
// status at once; another batch's event does not.
func TestWebhookReadsTheBatchNow(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d := previewed(t, f)
	d.Press("A")
	d.Confirm()
	tid := d.m.batch.b.TrackingID
	status := func() int { return f.Server.Counters().Requests["POST send-money/status/"] }
	cases := []struct {
		name  string
		msg   common.WebhookMsg
		reads int
	}{
		{"another batch", common.WebhookMsg{Type: "send_money", Object: "OTHER", State: "BC100 Completed"}, 0},
		{"a collection", common.WebhookMsg{Type: "collection", Object: tid, State: "COMPLETE"}, 0},
		{"this batch", common.WebhookMsg{Type: "send_money", Object: tid, State: "BP104 Processing"}, 1},
	}
	for _, c := range cases {
		before := status()
		d.Feed(c.msg)
		if got := status() - before; got != c.reads {
			t.Errorf("%s: %d status reads, want %d", c.name, got, c.reads)
		}
	}
}
