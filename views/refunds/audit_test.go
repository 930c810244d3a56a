package refunds

import (
	"errors"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
)

// recAuditor records audit events (tuitest.Auditor).
type recAuditor = tuitest.Auditor

// TestRefundAudited: each refund's outcome reaches the audit log against
// its invoice: taken, refused by IntaSend, or unclear.
func TestRefundAudited(t *testing.T) {
	tests := []struct {
		name   string
		before func(f *fixture)
		result string
	}{
		{"taken", func(*fixture) {}, "ok"},
		{"refused", func(f *fixture) {
			// Another agent refunds first, leaving less than asked for.
			if _, err := f.Client.CreateRefund(f.Ctx, client.RefundRequest{InvoiceID: halfRefunded, Amount: client.Units(100), Reason: client.ReasonOther}); err != nil {
				t.Fatal(err)
			}
		}, "refused"},
		{"unclear", func(f *fixture) {
			f.Server.SetFaults([]sim.Fault{{Route: "POST chargebacks/", Kind: sim.DropAfter, Rate: 1}})
		}, "ambiguous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := seeded(t)
			aud := &recAuditor{}
			c := f.common("")
			c.Auditor = aud
			d := newDriver(t, c, 80, 20)
			d.find(halfRefunded)
			d.Press("R", "enter", "enter", "enter") // 150.00, first reason, no details
			tt.before(f)
			d.confirm()
			f.Server.SetFaults(nil)
			ev := aud.One(t)
			if ev.Action != "refund.create" || ev.Target != halfRefunded || ev.Amount != client.Units(150) ||
				ev.Currency != "KES" || ev.Result != tt.result || (tt.result == "ok") != (ev.Detail == "") {
				t.Fatalf("audit event %+v, want result %s", ev, tt.result)
			}
		})
	}
}

// TestAuditFailureIsShown: when the audit log cannot take the outcome the
// person is told the record is not durable.
func TestAuditFailureIsShown(t *testing.T) {
	f := seeded(t)
	c := f.common("")
	c.Auditor = &recAuditor{Fail: errors.New("disk full")}
	d := newDriver(t, c, 80, 20)
	d.find(halfRefunded)
	d.Press("R", "enter", "enter", "enter")
	d.confirm()
	ts := strings.Join(d.Toasts(), "\n")
	if !strings.Contains(ts, "audit log could not record") || !strings.Contains(ts, "not durable: disk full") {
		t.Fatalf("toasts %q", ts)
	}
	if !strings.Contains(ts, "requested") {
		t.Fatalf("the refund itself is no longer reported: %q", ts)
	}
}
