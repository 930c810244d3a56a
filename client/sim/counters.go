package sim

import (
	"maps"
	"sync"
	"sync/atomic"

	"github.com/malipo/malipo/client"
)

// Counters is a snapshot of what the simulator has seen and done, so a test
// can prove that money moved exactly once (e.g. Approved[trackingID] == 1
// after a storm of retries and dropped connections).
type Counters struct {
	// Requests counts requests per route, e.g. "POST send-money/approve/",
	// including those answered by an injected fault or refused by auth.
	Requests map[string]int
	// Faults counts injected faults by kind name ("latency", "5xx", "429",
	// "drop-before", "drop-after", "timeout").
	Faults map[string]int
	// Initiated counts send-money batches created.
	Initiated int
	// Approved counts accepted approvals per tracking_id. A batch approves
	// once, so any value above 1 is a bug.
	Approved map[string]int
	// ApprovalsRefused counts approve requests that were refused for any
	// reason (unknown batch, bad nonce or signature, already approved,
	// cancelled, no approval needed).
	ApprovalsRefused int
	// RefusedByTracking counts refused approvals per tracking_id (unknown
	// ids included).
	RefusedByTracking map[string]int
	// Cancelled counts batches cancelled through send-money/cancel/.
	Cancelled int
}

// counters is guarded by its own mutex: requests are counted before the
// state lock is taken, and faults are counted on paths that never take it.
// Requests per route are atomics instead: every request counts one, and a
// lock taken by every request was a second queue in front of the state lock.
type counters struct {
	mu sync.Mutex
	c  Counters
	// routes is filled while New registers the routes and only read after.
	routes map[string]*atomic.Int64
}

func (k *counters) init() {
	k.c = Counters{
		Faults:            map[string]int{},
		Approved:          map[string]int{},
		RefusedByTracking: map[string]int{},
	}
	k.routes = map[string]*atomic.Int64{}
}

// route returns the request counter of a route, e.g. "POST wallets/".
// Call only while the routes are registered.
func (k *counters) route(route string) *atomic.Int64 {
	n := k.routes[route]
	if n == nil {
		n = new(atomic.Int64)
		k.routes[route] = n
	}
	return n
}

func (k *counters) update(f func(c *Counters)) {
	k.mu.Lock()
	f(&k.c)
	k.mu.Unlock()
}

func (k *counters) fault(kind FaultKind) {
	k.update(func(c *Counters) { c.Faults[kind.String()]++ })
}

func (k *counters) initiated() { k.update(func(c *Counters) { c.Initiated++ }) }

func (k *counters) approved(trackingID string) {
	k.update(func(c *Counters) { c.Approved[trackingID]++ })
}

func (k *counters) refused(trackingID string) {
	k.update(func(c *Counters) {
		c.ApprovalsRefused++
		c.RefusedByTracking[trackingID]++
	})
}

func (k *counters) cancelled() { k.update(func(c *Counters) { c.Cancelled++ }) }

// Counters returns a copy of the counters; later requests do not change it.
func (s *Server) Counters() Counters {
	s.counters.mu.Lock()
	defer s.counters.mu.Unlock()
	c := s.counters.c
	c.Requests = map[string]int{}
	for route, n := range s.counters.routes {
		if v := n.Load(); v > 0 {
			c.Requests[route] = int(v)
		}
	}
	c.Faults = maps.Clone(c.Faults)
	c.Approved = maps.Clone(c.Approved)
	c.RefusedByTracking = maps.Clone(c.RefusedByTracking)
	return c
}

// BatchInfo is a send-money batch as a test sees it.
type BatchInfo struct {
	FileID, TrackingID string
	Provider, Currency string
	WalletID           string
	DeviceID           string
	StatusCode, Status string
	// TxStatusCodes holds each transaction's status code, in request order.
	TxStatusCodes []string
	// Total is the sum of the amounts; Charges the estimated charges. Paid,
	// Failed and ActualCharges fill in as transactions settle.
	Total, Charges, Paid, Failed, ActualCharges client.Amount
	// Approvals is how many approvals the batch accepted (0 or 1).
	Approvals int
}

// Batch reports a send-money batch by tracking_id, after running every
// event that is due.
func (s *Server) Batch(trackingID string) (BatchInfo, bool) {
	s.lock()
	defer s.mu.Unlock()
	b := s.pay.byTracking[trackingID]
	if b == nil {
		return BatchInfo{}, false
	}
	info := BatchInfo{
		FileID: b.FileID, TrackingID: b.TrackingID, Provider: b.Provider, Currency: b.Currency,
		WalletID: b.Wallet.ID, DeviceID: b.DeviceID, StatusCode: b.StatusCode, Status: batchStatusText[b.StatusCode],
		Total: b.Total, Charges: b.Charges, Paid: b.Paid, Failed: b.Failed, ActualCharges: b.ActualCharges,
		Approvals: b.approvals,
	}
	info.TxStatusCodes = make([]string, len(b.Tx))
	for i, t := range b.Tx {
		info.TxStatusCodes[i] = t.StatusCode
	}
	return info, true
}
