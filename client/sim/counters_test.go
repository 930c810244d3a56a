package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/malipo/malipo/client"
)

func TestCountersRequestsAndCopy(t *testing.T) {
	e := newPayEnv(t, Options{}, 0)
	// Refused by auth still counts as a request on its route.
	resp, err := e.hc.Post(e.ts.URL+"/api/v1/send-money/status/", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	e.do("send-money/status/", `{"tracking_id":"x"}`)
	e.do("send-money/initiate", okInitiate) // slash-less counts on the same route
	c := e.s.Counters()
	if c.Requests["POST send-money/status/"] != 2 || c.Requests["POST send-money/initiate/"] != 1 || c.Initiated != 1 {
		t.Fatalf("counters %+v", c)
	}
	c.Requests["POST send-money/status/"] = 99
	c.Approved["x"] = 5
	if again := e.s.Counters(); again.Requests["POST send-money/status/"] != 2 || len(again.Approved) != 0 {
		t.Errorf("Counters() shares its maps: %+v", again)
	}
}

// Many clients at once, each approving its batch twice: every batch is
// approved exactly once, the rest refused, and the float adds up.
func TestCountersConcurrentApprovals(t *testing.T) {
	const n = 40
	e := newPayEnv(t, Options{}, client.Units(1_000_000))
	var wg sync.WaitGroup
	tracking := make([]string, n)
	for i := range n {
		wg.Go(func() {
			status, raw := e.do("send-money/initiate/", okInitiate)
			if status != http.StatusOK {
				t.Errorf("initiate %d: %d", i, status)
				return
			}
			var b batchJSON
			_ = json.Unmarshal(raw, &b)
			tracking[i] = b.TrackingID
			var inner sync.WaitGroup
			for range 2 {
				inner.Go(func() { e.do("send-money/approve/", string(raw)) })
			}
			inner.Wait()
		})
	}
	wg.Wait()
	e.clock.Advance(10 * DefaultTiming.BatchStep)
	e.s.Advance()
	c := e.s.Counters()
	if c.Initiated != n || c.ApprovalsRefused != n || len(c.Approved) != n {
		t.Fatalf("initiated %d refused %d approved %d", c.Initiated, c.ApprovalsRefused, len(c.Approved))
	}
	for _, id := range tracking {
		if c.Approved[id] != 1 {
			t.Errorf("%s approved %d times", id, c.Approved[id])
		}
		if info, ok := e.s.Batch(id); !ok || info.StatusCode != "BC100" || info.Paid != client.Units(100) {
			t.Errorf("%s: %+v", id, info)
		}
	}
	if cur, avail := e.balances(e.settlement().ID); cur != client.Units(1_000_000-n*110) || avail != cur {
		t.Errorf("balances %s / %s", cur, avail)
	}
}
