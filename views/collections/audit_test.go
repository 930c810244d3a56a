package collections

import (
	"errors"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// recAuditor records audit events (tuitest.Auditor).
type recAuditor = tuitest.Auditor

func audited(t *testing.T, fail error) (*fixture, *driver, *recAuditor) {
	f := newFixture(t, morning(), sim.Options{})
	aud := &recAuditor{Fail: fail}
	c := f.common()
	c.Auditor = aud
	return f, newDriver(t, c, 120, 36).init(), aud
}

func wantEvent(t *testing.T, aud *recAuditor, want common.AuditEvent) {
	t.Helper()
	got := aud.One(t)
	tuitest.WantEvent(t, got, want)
	if strings.Contains(got.Target+got.Detail, "708374149") {
		t.Fatalf("the customer's phone number went to the audit log: %+v", got)
	}
}

// TestPushAudited: an M-Pesa prompt's outcome reaches the audit log against
// its invoice (or, with no invoice, the reference), never the phone.
func TestPushAudited(t *testing.T) {
	tests := []struct {
		name   string
		fault  sim.FaultKind
		result string
	}{
		{"sent", 0, "ok"},
		{"rate limited", sim.TooMany, "failed"},
		{"unclear", sim.DropAfter, "ambiguous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, d, aud := audited(t, nil)
			if tt.fault != 0 {
				f.Server.SetFaults([]sim.Fault{{Route: "mpesa-stk-push", Kind: tt.fault}})
			}
			d.requestPush("0708374149", "100", "INV-7")
			f.Server.SetFaults(nil)
			target := "INV-7"
			if tt.result == "ok" {
				target = d.m.watch.id
			}
			wantEvent(t, aud, common.AuditEvent{Action: "collect.stk_push", Target: target,
				Amount: client.Units(100), Currency: "KES", Result: tt.result})
		})
	}
}

func TestCheckoutAudited(t *testing.T) {
	tests := []struct {
		name   string
		fault  sim.FaultKind
		result string
	}{
		{"made", 0, "ok"},
		{"rate limited", sim.TooMany, "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, d, aud := audited(t, nil)
			if tt.fault != 0 {
				f.Server.SetFaults([]sim.Fault{{Route: "checkout", Kind: tt.fault}})
			}
			d.Press("l")
			d.TypeText("2500")
			d.Press("tab")
			d.TypeText("jane@example.com")
			d.Press("tab")
			d.TypeText("Jane Wanjiru")
			d.Press("tab", "enter")
			d.Confirm()
			f.Server.SetFaults(nil)
			target := ""
			if tt.result == "ok" {
				target = d.m.link.co.ID
			}
			wantEvent(t, aud, common.AuditEvent{Action: "collect.checkout", Target: target,
				Amount: client.Units(2500), Currency: "KES", Result: tt.result})
		})
	}
}

// TestAuditFailureIsShown: when the audit log cannot take the outcome the
// person is told the record is not durable.
func TestAuditFailureIsShown(t *testing.T) {
	_, d, _ := audited(t, errors.New("disk full"))
	d.requestPush("0708374149", "100", "INV-7")
	ts := strings.Join(d.Toasts(), "\n")
	if !strings.Contains(ts, "audit log could not record") || !strings.Contains(ts, "not durable: disk full") {
		t.Fatalf("toasts %q", ts)
	}
	if d.m.watch == nil || !strings.Contains(ts, "Prompt sent") {
		t.Fatalf("the push itself is no longer reported: %q", ts)
	}
}
