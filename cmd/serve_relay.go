package cmd

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/malipo/malipo/store"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/webhook"
)

// relay carries webhook events between `malipo serve` hosts on one store:
// the host that received an event shows it and NOTIFYs the others; every
// host LISTENs and shows what it has not shown yet. Its own notification
// comes back to it too, so each event id is shown once per host.
type relay struct {
	db   *store.Store
	show func(common.WebhookMsg)
	log  func(string)

	mu    sync.Mutex
	seen  map[string]bool
	order []string  // seen's keys, oldest first, for the bound
	ups   int       // LISTENs so far (tests wait for one)
	heard int       // notifications handled so far (tests)
	last  time.Time // when another host's event was last shown
}

// notice is what travels on the channel: the event's summary, not its
// body (NOTIFY payloads stay under 8000 bytes; the body holds the challenge).
type notice struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Object string `json:"object"`
	State  string `json:"state"`
}

// local is an event this host received and stored: shown here, then
// passed on. A failed NOTIFY is logged, not retried: the other hosts'
// polling (the safety net) still finds the change.
func (r *relay) local(ctx context.Context, e webhook.Event) {
	r.claim(e.ID, false)
	r.show(webhookMsg(e.Summary))
	b, _ := json.Marshal(notice{ID: e.ID, Type: e.Type, Object: e.Object, State: e.State})
	if err := r.db.Notify(ctx, store.EventsChannel, string(b)); err != nil {
		r.log("webhook " + e.ID + " not passed on to the other hosts: " + err.Error())
	}
}

// remote is a notification from the channel: shown unless seen already.
func (r *relay) remote(payload string) {
	var n notice
	if json.Unmarshal([]byte(payload), &n) != nil || n.ID == "" {
		r.log("a notification on " + store.EventsChannel + " that is not an event: dropped")
		r.claim("", true)
		return
	}
	if r.claim(n.ID, true) {
		r.show(common.WebhookMsg{Type: n.Type, Object: n.Object, State: n.State})
	}
}

// claim marks id as shown, or reports false when it was; heard counts a
// notification handled.
func (r *relay) claim(id string, heard bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if heard {
		r.heard++
	}
	if id == "" || r.seen[id] {
		return false
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	r.seen[id] = true
	r.order = append(r.order, id)
	if len(r.order) > maxRelayed {
		delete(r.seen, r.order[0])
		r.order = r.order[1:]
	}
	if heard {
		r.last = time.Now()
	}
	return true
}

// maxRelayed bounds the ids remembered: a notification comes back within
// moments, so the last few thousand are plenty.
const maxRelayed = 20000

func (r *relay) up() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ups++
}

// flowing reports whether another host's event came within window (nil:
// no store, never).
func (r *relay) flowing(window time.Duration) bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.last.IsZero() && time.Since(r.last) < window
}

// counts is what the relay did, for tests.
func (r *relay) counts() (ups, heard int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ups, r.heard
}
