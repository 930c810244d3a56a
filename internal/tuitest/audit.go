package tuitest

import (
	"testing"

	"github.com/malipo/malipo/ui/common"
)

// Auditor is a common.Auditor that records every event; with Fail set it
// refuses them, as a full disk would, so a test sees what a view does when
// the audit log cannot be written.
type Auditor struct {
	Events []common.AuditEvent
	Fail   error
}

// Audit records ev, or returns Fail.
func (a *Auditor) Audit(ev common.AuditEvent) error {
	if a.Fail != nil {
		return a.Fail
	}
	a.Events = append(a.Events, ev)
	return nil
}

// One is the only event recorded; the test fails unless there is exactly
// one (a money move is audited once, never twice, never not at all).
func (a *Auditor) One(t testing.TB) common.AuditEvent {
	t.Helper()
	if len(a.Events) != 1 {
		t.Fatalf("audit events %+v, want exactly one", a.Events)
	}
	return a.Events[0]
}

// WantEvent fails unless got is want in action, target, amount, currency
// and result, and carries a detail exactly when the result is not "ok".
func WantEvent(t testing.TB, got, want common.AuditEvent) {
	t.Helper()
	if got.Action != want.Action || got.Target != want.Target || got.Amount != want.Amount ||
		got.Currency != want.Currency || got.Result != want.Result {
		t.Fatalf("audit event %+v, want %+v", got, want)
	}
	if (want.Result == "ok") != (got.Detail == "") {
		t.Fatalf("detail %q for result %s", got.Detail, got.Result)
	}
}
