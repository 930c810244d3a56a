package wallets

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

// audited drives the wallets view with a recording auditor.
func audited(t *testing.T, fail error) (*fixture, *driver, *recAuditor) {
	f := small(t)
	aud := &recAuditor{Fail: fail}
	c := f.common()
	c.Auditor = aud
	return f, newDriver(t, c, 80, 20).init(), aud
}

func wantEvent(t *testing.T, aud *recAuditor, want common.AuditEvent) {
	t.Helper()
	got := aud.One(t)
	tuitest.WantEvent(t, got, want)
}

// TestTransferAudited: a transfer's outcome reaches the audit log, both
// when IntaSend moves the money and when it refuses.
func TestTransferAudited(t *testing.T) {
	tests := []struct {
		name   string
		before func(f *fixture)
		result string
	}{
		{"moved", func(*fixture) {}, "ok"},
		{"refused", func(f *fixture) {
			f.transfer(f.ids["settlement"], f.ids["Charlie"], client.Units(9000), "elsewhere")
		}, "refused"},
		{"ambiguous", func(f *fixture) {
			f.Server.SetFaults([]sim.Fault{{Route: "intra_transfer", Kind: sim.DropAfter}})
		}, "ambiguous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, d, aud := audited(t, nil)
			d.Press("t")
			tt.before(f)
			submitForm(d, map[string]string{"amount": "1000", "narrative": "rent"})
			tr := *d.m.form.meta.transfer
			d.Confirm()
			f.Server.SetFaults(nil)
			wantEvent(t, aud, common.AuditEvent{Action: "wallet.transfer", Target: f.ids["settlement"] + "→" + tr.to.ID,
				Amount: client.Units(1000), Currency: "KES", Result: tt.result})
		})
	}
}

func TestCreateAudited(t *testing.T) {
	f, d, aud := audited(t, nil)
	d.Press("n")
	d.TypeText("Payroll")
	submitForm(d, map[string]string{})
	d.Confirm()
	w, ok := d.m.selected()
	if !ok || w.Label != "Payroll" {
		t.Fatalf("cursor on %+v", w)
	}
	wantEvent(t, aud, common.AuditEvent{Action: "wallet.create", Target: w.ID, Currency: "KES", Result: "ok"})

	// An unclear answer is recorded as such, against the label asked for.
	aud.Events = nil
	d.Press("n")
	d.TypeText("Savings")
	submitForm(d, map[string]string{})
	f.Server.SetFaults([]sim.Fault{{Route: "POST wallets/", Kind: sim.DropAfter}})
	d.Confirm()
	f.Server.SetFaults(nil)
	wantEvent(t, aud, common.AuditEvent{Action: "wallet.create", Target: "Savings", Currency: "KES", Result: "ambiguous"})
}

func TestFundAudited(t *testing.T) {
	f, d, aud := audited(t, nil)
	d.Press("down", "f") // fund Alpha
	submitForm(d, map[string]string{"phone": "0708374149", "amount": "250"})
	d.Confirm()
	if d.m.stk == nil {
		t.Fatal("no status panel after the push")
	}
	wantEvent(t, aud, common.AuditEvent{Action: "wallet.fund", Target: d.m.stk.inv.ID,
		Amount: client.Units(250), Currency: "KES", Result: "ok"})

	aud.Events = nil
	d.Press("esc", "f")
	submitForm(d, map[string]string{"phone": "0708374149", "amount": "250"})
	f.Server.SetFaults([]sim.Fault{{Route: "mpesa-stk-push", Kind: sim.DropAfter}})
	d.Confirm()
	f.Server.SetFaults(nil)
	wantEvent(t, aud, common.AuditEvent{Action: "wallet.fund", Target: f.ids["Alpha"],
		Amount: client.Units(250), Currency: "KES", Result: "ambiguous"})
}

// TestAuditFailureIsShown: when the audit log cannot take the outcome the
// person is told the record is not durable, next to the success toast.
func TestAuditFailureIsShown(t *testing.T) {
	_, d, _ := audited(t, errors.New("disk full"))
	d.Press("t")
	submitForm(d, map[string]string{"amount": "1000", "narrative": "rent"})
	d.Confirm()
	ts := strings.Join(d.Toasts(), "\n")
	if !strings.Contains(ts, "audit log could not record") || !strings.Contains(ts, "not durable: disk full") {
		t.Fatalf("toasts %q", ts)
	}
	if !strings.Contains(ts, "Moved KES 1,000.00") {
		t.Fatalf("the transfer itself is no longer reported: %q", ts)
	}
}
