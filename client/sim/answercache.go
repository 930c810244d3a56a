package sim

import (
	"hash/maphash"
	"net/http"
	"sync"
	"sync/atomic"
)

// The hot read routes (wallet list, payment status, send-money status) are
// polled far more often than the state they show changes: a console
// refreshes its wallets every few seconds, every SDK polls a payment until
// it settles. Building the view and encoding it was most of such a
// request's own CPU, so each answer, once encoded, is kept and served
// again for as long as nothing has changed.
//
// "Nothing has changed" is the state generation: stateLock counts every
// release of the state lock, except by the readers that say they changed
// nothing (unlockUnchanged), and advanceLocked counts every event run. A
// cached answer is served only at the generation it was built at, so a
// handler, an event, a control call or a test helper that changes state
// under the lock retires every cached answer without knowing about them;
// forgetting to say unlockUnchanged costs only a miss. The answers depend
// on nothing else: no clock reading, no request header (answers with
// page links are not cached).

// stateLock is the simulator's state lock with its generation count.
type stateLock struct {
	sync.Mutex
	gen uint64 // read and written with the lock held
}

// Unlock releases the lock as one that may have changed state.
func (l *stateLock) Unlock() {
	l.gen++
	l.Mutex.Unlock()
}

// unlockUnchanged releases the lock after reading only.
func (l *stateLock) unlockUnchanged() { l.Mutex.Unlock() }

// changed marks the state changed while the lock stays held (an event ran).
func (l *stateLock) changed() { l.gen++ }

// cachedAnswer is one encoded 200 answer. body is never written after the
// entry is published, so requests on any goroutine may write it out.
type cachedAnswer struct {
	gen  uint64
	key  string
	body []byte // as writeJSON writes it, trailing newline included
}

// answerCache keeps the answers of one route, one per key (an invoice id,
// a tracking id) in a fixed set of slots: a key whose slot another key
// took is encoded afresh. Slots are atomic, so a hit needs no lock beyond
// the state lock the handler holds anyway, and a miss stores its answer
// after releasing it.
type answerCache struct {
	off   bool // tests compare answers with and without the cache
	seed  maphash.Seed
	slots [answerSlots]atomic.Pointer[cachedAnswer]
}

// answerSlots bounds a route's cache; maxCachedAnswer bounds an entry
// (a small batch's status is 1-3 KB; a 5,000-line one is streamed instead).
const (
	answerSlots     = 64
	maxCachedAnswer = 16 << 10
)

func newAnswerCache() *answerCache { return &answerCache{seed: maphash.MakeSeed()} }

func (ac *answerCache) slot(key string) *atomic.Pointer[cachedAnswer] {
	return &ac.slots[maphash.String(ac.seed, key)%answerSlots]
}

// get returns key's answer if it was built at generation gen (call with
// the state lock held, gen read under it), else nil. writeJSON writes a
// *cachedAnswer as is.
func (ac *answerCache) get(gen uint64, key string) *cachedAnswer {
	if ac.off {
		return nil
	}
	if e := ac.slot(key).Load(); e != nil && e.gen == gen && e.key == key {
		return e
	}
	return nil
}

// put keeps e as its key's answer. An answer from an older generation may
// replace a newer one (two requests racing): it is then simply not served.
func (ac *answerCache) put(e *cachedAnswer) {
	if !ac.off && len(e.body) <= maxCachedAnswer {
		ac.slot(e.key).Store(e)
	}
}

// encodeFor encodes v (a view with a hand-written encoder) as writeJSON
// would, into a buffer of its own that the cache may keep; ok is false
// when v has none.
func encodeFor(v any) ([]byte, bool) {
	body, ok := appendFast(make([]byte, 0, 1024), v)
	if !ok {
		return nil, false
	}
	return append(body, '\n'), true
}

// answerCached encodes v, keeps it under key at gen and answers it.
func (c *reqCtx) answerCached(ac *answerCache, gen uint64, key string, v any) {
	body, ok := encodeFor(v)
	if !ok {
		c.json(http.StatusOK, v)
		return
	}
	e := &cachedAnswer{gen: gen, key: key, body: body}
	ac.put(e)
	c.json(http.StatusOK, e)
}

// hotAnswers are the caches of the routes that have one.
type hotAnswers struct {
	wallets, payments, payouts *answerCache
}

func (h *hotAnswers) init() {
	h.wallets, h.payments, h.payouts = newAnswerCache(), newAnswerCache(), newAnswerCache()
}
