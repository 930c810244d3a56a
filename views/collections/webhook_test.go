package collections

import (
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// serve --webhooks (issue 14): a collection event makes the view read the
// feed at once, not at its next poll, and while webhooks flow the poll is
// only a safety net (Common.Pace).
func TestWebhookReadsTheFeedNow(t *testing.T) {
	f := seeded(t)
	c := f.common()
	c.Pace = func(d time.Duration) time.Duration { return max(d, 30*time.Second) }
	d := newDriver(t, c, 120, 36).init()
	if got := d.PendingOne(pollTickMsg{}); got != 30*time.Second {
		t.Errorf("next poll in %s while webhooks flow, want the 30 s safety net", got)
	}
	id := f.push(sandboxPhone, client.Units(777), "WALK-IN")
	f.Advance(10 * time.Second) // the customer pays; no timer fires
	cases := []struct {
		name  string
		msg   common.WebhookMsg
		polls int
	}{
		{"a payout's event: not ours", common.WebhookMsg{Type: "send_money", Object: "TRK1", State: "BC100"}, 0},
		{"the payment's event: read now", common.WebhookMsg{Type: "collection", Object: id, State: "COMPLETE"}, 1},
	}
	for _, tc := range cases {
		before := d.polls
		d.Feed(tc.msg)
		if got := d.polls - before; got != tc.polls {
			t.Errorf("%s: %d polls, want %d", tc.name, got, tc.polls)
		}
	}
	if r := d.row(id); r == nil || r.inv.State != client.InvoiceComplete {
		t.Fatalf("after the event the row of %s is %+v", id, r)
	}
	d.m.SetShown(false)
	before := d.polls
	d.Feed(common.WebhookMsg{Type: "collection", Object: id, State: "COMPLETE"})
	if d.polls != before {
		t.Error("a hidden view read the feed on an event (it reads when shown)")
	}
}

// An event that arrives while a read is in flight is not lost: that read
// may have left before the change, so the view reads once more after it.
func TestWebhookDuringAPollReadsAgain(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	d.hold = true
	d.Fire(pollTickMsg{}) // a poll leaves; its answer is held
	before := d.polls
	id := f.push(sandboxPhone, client.Units(555), "DURING")
	f.Advance(10 * time.Second)
	d.Feed(common.WebhookMsg{Type: "collection", Object: id, State: "COMPLETE"})
	if d.polls != before {
		t.Fatalf("a second poll overlapped the first")
	}
	d.release() // the old answer arrives: one more read follows at once
	if got := d.polls - before; got != 2 {
		t.Errorf("%d poll answers after the event, want 2 (the held one, then a fresh read)", got)
	}
	if r := d.row(id); r == nil || r.inv.State != client.InvoiceComplete {
		t.Errorf("the payment is not shown complete: %+v", r)
	}
}

// A tab switch within a beat of the last read shows what the view has
// (no request); an event while hidden, or an older read, makes it read.
func TestShownAgainWithinABeat(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	cases := []struct {
		name   string
		before func()
		polls  int
	}{
		{"back within 2 s", func() { f.Advance(2 * time.Second) }, 0},
		{"back after 6 s", func() { f.Advance(6 * time.Second) }, 1},
		{"back within 2 s, an event came meanwhile", func() {
			f.Advance(2 * time.Second)
			d.Feed(common.WebhookMsg{Type: "collection", Object: "ANY", State: "COMPLETE"})
		}, 1},
	}
	for _, c := range cases {
		d.Run(d.m.SetShown(false))
		c.before()
		before := d.polls
		d.Run(d.m.SetShown(true))
		if got := d.polls - before; got != c.polls {
			t.Errorf("%s: %d reads, want %d", c.name, got, c.polls)
		}
		if n := countTimers(d, pollTickMsg{}); n == 0 {
			t.Errorf("%s: no poll timer armed", c.name)
		}
	}
}
