package cmd

import (
	"context"
	"sync"
	"time"

	"github.com/malipo/malipo/store"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/webhook"
)

// relay shows a host's consoles the webhook events every host of one
// store received, each once and in the store's order. The receiving host
// stores an event (store.RecordWebhook, which NOTIFYs its seq); every host
// then reads the events after the last seq it showed from the table and
// shows them. It reads on its own event (at once, even while its listener
// is down), on each notification, and on each LISTEN (after a dropped
// connection: what was notified meanwhile is in the table). Inserts commit
// in seq order, so "after the last seq shown" misses none and repeats none.
type relay struct {
	db      *store.Store
	profile string
	host    string // this host: another's event counts as webhooks flowing
	show    func(common.WebhookMsg)
	log     func(string)

	// catching is held while reading and showing: one catch-up at a
	// time, so the events are shown in order, once. It guards last.
	catching sync.Mutex
	last     int64 // seq of the last event shown; -1 until known

	// mu guards the counts, apart from catching: the consoles' pace asks
	// flowing, and must not wait for a read from a slow database.
	mu    sync.Mutex
	ups   int       // LISTENs so far (tests wait for one)
	heard int       // notifications handled so far (tests)
	other time.Time // when another host's event was last shown
}

// catchUpPage bounds one read of missed events.
const catchUpPage = 500

// newRelay starts after the newest event stored: what came before this
// host started is history (`malipo events`), not news for its consoles.
func newRelay(ctx context.Context, db *store.Store, profile, host string, show func(common.WebhookMsg), log func(string)) *relay {
	r := &relay{db: db, profile: profile, host: host, show: show, log: log, last: -1}
	if seq, err := db.LastWebhookSeq(ctx, profile); err == nil {
		r.last = seq
	} else {
		log("webhook events: " + err.Error())
	}
	return r
}

// local is an event this host received and stored.
func (r *relay) local(ctx context.Context, _ webhook.Event) { r.catchUp(ctx) }

// remote is a notification from the channel: a new event's seq. One this
// host showed already (its own, read at once) costs no query.
func (r *relay) remote(ctx context.Context, payload string) {
	defer r.count(&r.heard) // once handled: a test that saw it counted sees it shown
	n, err := store.ParseWebhookNotice(payload)
	r.catching.Lock()
	shown := err == nil && n.Seq <= r.last
	r.catching.Unlock()
	switch {
	case err != nil:
		r.log("a notification on " + store.EventsChannel + " that is not an event: dropped")
	case n.Profile == r.profile && !shown:
		r.catchUp(ctx)
	}
}

// up is a LISTEN: from now on every event is notified; the ones stored
// while the connection was down are read from the table.
func (r *relay) up(ctx context.Context) {
	r.catchUp(ctx)
	r.count(&r.ups)
}

func (r *relay) count(n *int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*n++
}

// catchUp shows the events after the last one shown, in order. A failed
// read is logged; the next event, notification or LISTEN reads again from
// the same place, so nothing is skipped.
func (r *relay) catchUp(ctx context.Context) {
	r.catching.Lock()
	defer r.catching.Unlock()
	if r.last < 0 { // the start could not read where the log was
		seq, err := r.db.LastWebhookSeq(ctx, r.profile)
		if err != nil {
			r.log("webhook events: " + err.Error())
			return
		}
		r.last = seq
	}
	for {
		es, err := r.db.WebhooksAfter(ctx, r.profile, r.last, catchUpPage)
		if err != nil {
			r.log("webhook events not shown yet (read again at the next one): " + err.Error())
			return
		}
		for _, e := range es {
			r.show(common.WebhookMsg{Type: e.Type, Object: e.Object, State: e.State})
			r.last = e.Seq
			if e.Host != r.host {
				r.mu.Lock()
				r.other = time.Now()
				r.mu.Unlock()
			}
		}
		if len(es) < catchUpPage {
			return
		}
	}
}

// flowing reports whether another host's event came within window (nil:
// no store, never).
func (r *relay) flowing(window time.Duration) bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.other.IsZero() && time.Since(r.other) < window
}

// counts is what the relay did, for tests.
func (r *relay) counts() (ups, heard int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ups, r.heard
}
