package sim

// Webhook events: which state changes become deliveries, and their payloads.
//
// Rather than a hook at every line that sets a state (there are a dozen, and
// new states keep being added), the simulator watches: after every event on
// the clock and before the first one of each advance, it compares the state
// of each collection (invoice), send-money batch and chargeback in flight
// with the state it last announced, and emits one event per change. So a
// change made by a handler is announced at the next request or DeliverDue
// (before anything the clock does later), a change made by a clock event is
// announced at that event's time, and a state added anywhere later is
// announced without touching this file. Entities in a final state are no
// longer watched; seeded history is never announced.
//
// Collections are the exception to comparing states: an invoice keeps its
// own list of state changes (InvoiceInfo.Events), and the sender delivers
// one event per new entry of that list. Comparing states cannot see the
// duplicate-callback scenario (…07), whose COMPLETE is recorded twice: the
// state never differs from the last one announced. Entries superseded
// within one look (a subscription charge or demo payment passes PENDING and
// PROCESSING inside one clock event) were never visible to any reader and
// are skipped, so every other invoice delivers what it always did.
//
// Payloads are IntaSend's (docs/intasend-api.md §2.10, appendix A.2, A.3, A.6): the
// collection event is the invoice flattened to the top level, the send-money
// event the batch status object, the chargeback event the chargeback object,
// each with the account's "challenge" added. The body is rendered once, when
// the change is seen, so every retry sends the same bytes.

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Event types, as the delivery log and the X-Sim-Event-Type header name them.
const (
	EventCollection = "collection"
	EventSendMoney  = "send_money"
	EventChargeback = "chargeback"
)

// finalStates end the watch: nothing in the simulator moves an entity out
// of these, so announcing them is the last word.
var finalStates = map[string]map[string]bool{
	EventCollection: {"COMPLETE": true, "FAILED": true, "CANCELED": true},
	EventSendMoney:  {"BC100": true, "BF102": true, "BF105": true, "BF107": true, "BE111": true},
	EventChargeback: {"COMPLETED": true, "CANCELLED": true},
}

// watched is one entity in flight and the state last announced for it.
type watched struct {
	kind string
	inv  *invoice
	b    *batch
	cb   *chargeback
	last string
	seen int // collections: how many of inv.Events have been looked at
}

func (w *watched) state() string {
	switch w.kind {
	case EventCollection:
		return w.inv.State
	case EventSendMoney:
		return w.b.StatusCode
	}
	return w.cb.Status
}

func (w *watched) object() (id string, at time.Time) {
	switch w.kind {
	case EventCollection:
		return w.inv.ID, w.inv.UpdatedAt
	case EventSendMoney:
		return w.b.TrackingID, w.b.UpdatedAt
	}
	return w.cb.ID, w.cb.UpdatedAt
}

// watcher finds new entities through the append-only order slices of the
// store, so creating one needs no hook either.
type watcher struct {
	list                []*watched // in the order they were first seen
	nInv, nBatch, nRefs int        // how much of each order slice has been seen
	// The state generation (answercache.go) of the last look: every change
	// since counts one, so at the same generation there is nothing to see.
	gen    uint64
	looked bool
}

// startWatching skips what exists now (seeded history) but keeps watching
// whatever of it is still in flight, without announcing its current state.
func (s *Server) startWatching() {
	w := &s.hooks.watch
	w.nInv, w.nBatch, w.nRefs = len(s.coll.invOrder), len(s.pay.order), len(s.refunds.order)
	for _, inv := range s.coll.invOrder {
		w.add(&watched{kind: EventCollection, inv: inv, last: inv.State, seen: len(inv.Events)})
	}
	for _, b := range s.pay.order {
		w.add(&watched{kind: EventSendMoney, b: b, last: b.StatusCode})
	}
	for _, cb := range s.refunds.order {
		w.add(&watched{kind: EventChargeback, cb: cb, last: cb.Status})
	}
}

func (w *watcher) add(e *watched) {
	if !finalStates[e.kind][e.last] {
		w.list = append(w.list, e)
	}
}

// watchChanges announces every state change since the last look. Call with
// s.mu held.
func (s *Server) watchChanges() {
	w := &s.hooks.watch
	if w.looked && w.gen == s.mu.gen {
		return // every request looks first; most follow reads that changed nothing
	}
	w.gen, w.looked = s.mu.gen, true
	for ; w.nInv < len(s.coll.invOrder); w.nInv++ {
		w.list = append(w.list, &watched{kind: EventCollection, inv: s.coll.invOrder[w.nInv]})
	}
	for ; w.nBatch < len(s.pay.order); w.nBatch++ {
		w.list = append(w.list, &watched{kind: EventSendMoney, b: s.pay.order[w.nBatch]})
	}
	for ; w.nRefs < len(s.refunds.order); w.nRefs++ {
		w.list = append(w.list, &watched{kind: EventChargeback, cb: s.refunds.order[w.nRefs]})
	}
	keep := w.list[:0]
	for _, e := range w.list {
		s.watchOne(e)
		if !finalStates[e.kind][e.last] {
			keep = append(keep, e)
		}
	}
	clear(w.list[len(keep):]) // let finished entities be collected
	w.list = keep
}

// watchOne announces what changed in e since the last look.
func (s *Server) watchOne(e *watched) {
	if e.kind == EventCollection {
		s.watchInvoice(e)
		return
	}
	if st := e.state(); st != e.last {
		e.last = st
		_, at := e.object()
		s.announce(e, at)
	}
}

// watchInvoice announces one collection event per new entry of the
// invoice's event list that still holds its current state: the trailing
// run. A duplicated final entry is therefore announced twice, each at its
// own time (the late scenario's COMPLETE at its late time).
func (s *Server) watchInvoice(e *watched) {
	st := e.inv.State
	fresh := e.inv.Events[e.seen:]
	e.seen = len(e.inv.Events)
	i := len(fresh)
	for i > 0 && fresh[i-1].State == st {
		i--
	}
	changed := st != e.last
	e.last = st
	if i == len(fresh) && changed {
		// A state set without an entry: announce it as the state watch
		// always did, so no change goes unannounced.
		s.announce(e, e.inv.UpdatedAt)
	}
	for _, ev := range fresh[i:] {
		s.announce(e, ev.At)
	}
}

// announce queues one event, of e's state at time at, for every target
// that wants it. Each call is a new event with its own id: a duplicate
// callback is a second event with the same body, not a retry.
func (s *Server) announce(e *watched, at time.Time) {
	var callback string
	if e.kind == EventSendMoney {
		callback = e.b.CallbackURL
	}
	h := &s.hooks
	if !h.wants(callback) {
		return
	}
	body, err := s.eventBody(e)
	if err != nil {
		return // the views are plain structs; encoding them cannot fail
	}
	id, _ := e.object()
	h.enqueue(Event{Type: e.kind, Object: id, State: e.last, At: at}, body, callback)
}

// The payloads: the API's own view of the object plus the challenge.
type (
	collectionEventJSON struct {
		invoiceJSON
		Challenge string `json:"challenge"`
	}
	sendMoneyEventJSON struct {
		batchJSON
		Challenge string `json:"challenge"`
	}
	chargebackEventJSON struct {
		chargebackJSON
		Challenge string `json:"challenge"`
	}
)

func (s *Server) eventBody(e *watched) ([]byte, error) {
	ch := s.opts.Webhook.Challenge
	switch e.kind {
	case EventCollection:
		return json.Marshal(collectionEventJSON{s.invoiceView(e.inv), ch})
	case EventSendMoney:
		return json.Marshal(sendMoneyEventJSON{s.batchJSON(e.b, false), ch})
	}
	return json.Marshal(chargebackEventJSON{s.chargebackView(e.cb), ch})
}

// runTag makes event ids unique across simulator runs (a receiver that
// remembers ids must not drop a restarted simulator's events) while the
// same seed on the same manual clock still gives the same ids.
func runTag(seed int64, start time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(seed))
	binary.BigEndian.PutUint64(b[8:], uint64(start.UnixNano()))
	sum := sha256.Sum256(b[:])
	return hex.EncodeToString(sum[:4])
}

func eventID(tag string, n int64) string { return fmt.Sprintf("evt_%s_%06d", tag, n) }
