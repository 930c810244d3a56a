package sim_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

// scCheck is a state expected a cumulative time after the push.
type scCheck struct {
	after time.Duration
	state string
}

// Each magic number's scenario, stepped on the manual clock: the state at
// checkpoints, the final money and the recorded event list.
func TestCollectionScenarios(t *testing.T) {
	steps := aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal)
	tests := []struct {
		name, phone string
		checks      []scCheck
		events      []string
		value, net  string // final invoice value and net_amount ("" for no money)
		failedCode  string
		retryCount  string
	}{
		{name: "never answered", phone: "254700000005", checks: []scCheck{{steps, "PENDING"}, {59 * time.Second, "PENDING"}, {60 * time.Second, "FAILED"}},
			events: []string{"PENDING", "FAILED"}, failedCode: "1037"},
		{name: "late callback", phone: "254700000006", checks: []scCheck{{steps, "PROCESSING"}, {9 * time.Minute, "PROCESSING"}, {10 * time.Minute, "COMPLETE"}},
			events: []string{"PENDING", "PROCESSING", "COMPLETE"}, value: "1000.00", net: "970.00"},
		{name: "duplicate callback", phone: "254700000007", checks: []scCheck{{steps, "COMPLETE"}},
			events: []string{"PENDING", "PROCESSING", "COMPLETE", "COMPLETE"}, value: "1000.00", net: "970.00"},
		{name: "retry", phone: "254700000008", checks: []scCheck{{aTiming.STKProcessing + aTiming.STKFinal, "RETRY"}, {aTiming.STKProcessing + 2*aTiming.STKFinal, "PROCESSING"}, {aTiming.STKProcessing + 3*aTiming.STKFinal, "COMPLETE"}},
			events: []string{"PENDING", "PROCESSING", "RETRY", "PROCESSING", "COMPLETE"}, value: "1000.00", net: "970.00", retryCount: "1"},
		{name: "canceled", phone: "254700000009", checks: []scCheck{{aTiming.STKProcessing, "CANCELED"}, {time.Hour, "CANCELED"}},
			events: []string{"PENDING", "CANCELED"}},
		{name: "partial", phone: "254700000010", checks: []scCheck{{steps, "PARTIAL"}},
			events: []string{"PENDING", "PROCESSING", "PARTIAL"}, value: "500.00", net: "485.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := aNew(t, sim.Options{FailureRate: 1}) // the scenario wins over random failures
			before, _ := e.sim.Wallet(e.sim.SettlementWalletID())
			id := e.aStk(tt.phone, 1000, nil).want(t, http.StatusOK).str("invoice.invoice_id")
			var elapsed time.Duration
			for _, c := range tt.checks {
				e.advance(c.after - elapsed)
				elapsed = c.after
				st := e.call("POST", "payment/status/", map[string]any{"invoice_id": id, "public_key": aPub}, "Authorization", aNoAuth).want(t, http.StatusOK)
				if got := st.str("invoice.state"); got != c.state {
					t.Fatalf("after %s: %s, want %s", c.after, got, c.state)
				}
			}
			e.advance(2 * time.Minute) // clearing
			st := e.call("POST", "payment/status/", map[string]any{"invoice_id": id, "public_key": aPub}, "Authorization", aNoAuth)
			inv, _ := e.sim.Invoice(id)
			var events []string
			for _, ev := range inv.Events {
				events = append(events, ev.State)
			}
			if !slices.Equal(events, tt.events) {
				t.Fatalf("events %v, want %v", events, tt.events)
			}
			n := len(inv.Events)
			testcheck.Expect(t, "events in order", inv.Events, testcheck.C("last not before the one before", n < 2 || !inv.Events[n-1].At.Before(inv.Events[n-2].At)))
			testcheck.Expect(t, "status", st.raw,
				testcheck.C("failed_code "+tt.failedCode, tt.failedCode == "" || st.str("invoice.failed_code") == tt.failedCode),
				testcheck.C("retry_count "+tt.retryCount, tt.retryCount == "" || st.str("invoice.retry_count") == tt.retryCount))
			after, _ := e.sim.Wallet(e.sim.SettlementWalletID())
			credited := after.Available - before.Available
			if tt.value == "" {
				testcheck.Expect(t, "wallet moved without a payment", credited, testcheck.C("not moved", credited == 0))
				return
			}
			testcheck.Expect(t, "value, net, credited", []string{st.str("invoice.value"), st.str("invoice.net_amount"), credited.Decimal()},
				testcheck.C("value "+tt.value, st.str("invoice.value") == tt.value), testcheck.C("net "+tt.net, st.str("invoice.net_amount") == tt.net),
				testcheck.C("credited "+tt.net, credited.Decimal() == tt.net))
		})
	}
}
