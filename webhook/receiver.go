package webhook

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// Event is one accepted webhook, as the Receiver hands it on.
type Event struct {
	ID       string // the sender's id (the simulator's), else made up
	Summary         // what it is about
	Header   http.Header
	Body     []byte // as received: the challenge is still in it
	Received time.Time
	// Key is what makes two posts one event across hosts: the object's
	// state, or the sender's id when there is no object.
	Key string
	// Seq is the event's place in the shared store's log (0 without one).
	Seq int64
}

// Recorded is what Store did with an event.
type Recorded struct {
	Seq int64 // its place in the log, when it has one
	// Duplicate: the log had the event already (a retry that reached
	// another host first): it is acknowledged but not published again.
	Duplicate bool
}

// Receiver is `malipo serve --webhooks`' handler: it checks each POST to
// Path (Verify), drops what it has seen already, has Store record the
// event (the event log `malipo events` reads) and only then answers 200
// and calls Publish (every open session). A Store error answers 500 so
// the sender retries: an event is never acknowledged unrecorded. What
// Store finds recorded already (by another host) is answered 200 and not
// published.
type Receiver struct {
	Path      string
	Challenge string
	Secret    string
	Store     func(Event) (Recorded, error)
	Publish   func(Event)
	// Now is the clock (tests); Log says what was refused (never secrets).
	Now func() time.Time
	Log func(string)

	mu       sync.Mutex
	seen     map[string]bool
	order    []string // seen's keys, oldest first, for the bound
	last     time.Time
	accepted int
	dups     int
	rejected int
}

// maxSeen bounds the de-duplication memory: IntaSend retries a delivery
// for about a day, far fewer events than this for one account's console.
const maxSeen = 20000

// Stats says what the receiver did.
type Stats struct {
	Accepted, Duplicates, Rejected int
	Last                           time.Time // when the last event was accepted
}

func (r *Receiver) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Stats returns the counts so far.
func (r *Receiver) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Stats{Accepted: r.accepted, Duplicates: r.dups, Rejected: r.rejected, Last: r.last}
}

// Flowing reports whether an event arrived within window: the consoles
// may then trust webhooks and poll only as a safety net.
func (r *Receiver) Flowing(window time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.last.IsZero() && r.now().Sub(r.last) < window
}

// ReadPost reads the body of a webhook POSTed to path (at most MaxBody
// bytes). Anything else is answered here (404 off the path, 405 with Allow
// for another method, 400 for a body that cannot be read) and ok is false.
func ReadPost(w http.ResponseWriter, req *http.Request, path string) (raw []byte, ok bool) {
	if req.URL.Path != path {
		http.NotFound(w, req)
		return nil, false
	}
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return nil, false
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, req.Body, MaxBody))
	if err != nil {
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return nil, false
	}
	return raw, true
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	raw, ok := ReadPost(w, req, r.Path)
	if !ok {
		return
	}
	if status, why := Verify(r.Challenge, r.Secret, req.Header, raw); status != http.StatusOK {
		r.count(&r.rejected)
		r.log("webhook from " + req.RemoteAddr + " refused: " + why)
		http.Error(w, why, status)
		return
	}
	e := Event{ID: EventID(req.Header), Summary: Describe(raw), Header: req.Header.Clone(), Body: raw, Received: r.now().UTC()}
	keys := dedupKeys(req.Header, e.Summary)
	e.Key = eventKey(keys, e.ID)
	// Claimed before it is stored: two copies arriving at once are not
	// both recorded.
	if !r.claim(keys) {
		// Already recorded and shown: acknowledge, or the sender retries.
		r.count(&r.dups)
		w.WriteHeader(http.StatusOK)
		return
	}
	rec, err := r.record(e)
	if err != nil {
		r.forget(keys)
		r.log("webhook not recorded (the sender will retry): " + err.Error())
		http.Error(w, "cannot record the event", http.StatusInternalServerError)
		return
	}
	if rec.Duplicate {
		r.count(&r.dups)
		w.WriteHeader(http.StatusOK)
		return
	}
	e.Seq = rec.Seq
	r.accepted1(e.Received)
	w.WriteHeader(http.StatusOK)
	if r.Publish != nil {
		r.Publish(e)
	}
}

// dedupKeys are what makes two posts the same event: the sender's id (a
// retry of one delivery) and the object's state (IntaSend sends no id,
// and may announce one state twice, as the simulator's doubled COMPLETE
// does).
func dedupKeys(h http.Header, s Summary) []string {
	keys := []string{"state " + s.Type + " " + s.Object + " " + s.State}
	if s.Object == "" {
		keys = nil // nothing to tell it by: never dropped as a duplicate
	}
	if id := SenderID(h); id != "" {
		keys = append(keys, "id "+id)
	}
	return keys
}

// eventKey is the key the shared log tells events apart by: the first
// of keys, or the event's own id when nothing tells it apart.
func eventKey(keys []string, id string) string {
	if len(keys) > 0 {
		return keys[0]
	}
	return "id " + id
}

func (r *Receiver) record(e Event) (Recorded, error) {
	if r.Store == nil {
		return Recorded{}, nil
	}
	return r.Store(e)
}

// claim marks keys as seen, or reports false when any of them was.
func (r *Receiver) claim(keys []string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range keys {
		if r.seen[k] {
			return false
		}
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	for _, k := range keys {
		r.seen[k] = true
		r.order = append(r.order, k)
	}
	for len(r.order) > maxSeen {
		delete(r.seen, r.order[0])
		r.order = r.order[1:]
	}
	return true
}

// forget undoes a claim whose event could not be stored: the sender's
// retry must be taken.
func (r *Receiver) forget(keys []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range keys {
		delete(r.seen, k) // its place in order is dropped with the bound
	}
}

func (r *Receiver) accepted1(at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.accepted++
	r.last = at
}

func (r *Receiver) count(n *int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*n++
}

func (r *Receiver) log(s string) {
	if r.Log != nil {
		r.Log(s)
	}
}
