package tuitest

import (
	"errors"
	"testing"

	"github.com/malipo/malipo/ui/common"
)

// fails reports whether f called Fatalf on ft.
func fails(ft *fatalTB, f func()) (failed bool) {
	defer func() {
		if r := recover(); r != nil {
			if r != ft {
				panic(r)
			}
			failed = true
		}
	}()
	f()
	return false
}

// TestAuditor: events are recorded, a Fail refuses them, One wants
// exactly one, and WantEvent compares what the audit log relies on.
func TestAuditor(t *testing.T) {
	ok := common.AuditEvent{Action: "wallet.transfer", Target: "A→B", Amount: 150_000, Currency: "KES", Result: "ok"}
	var a Auditor
	ft := &fatalTB{TB: t}
	if !fails(ft, func() { a.One(ft) }) {
		t.Error("One passed with no event")
	}
	if err := a.Audit(ok); err != nil || len(a.Events) != 1 {
		t.Fatalf("Audit = %v, events %v", err, a.Events)
	}
	if fails(ft, func() { WantEvent(ft, a.One(ft), ok) }) {
		t.Errorf("the recorded event did not match itself: %s", ft.msg)
	}
	failed := ok
	failed.Result = "failed" // and no detail
	other := ok
	other.Amount++
	for _, want := range []common.AuditEvent{failed, other} {
		if !fails(ft, func() { WantEvent(ft, ok, want) }) {
			t.Errorf("WantEvent passed %+v against %+v", ok, want)
		}
	}
	_ = a.Audit(ok)
	if !fails(ft, func() { a.One(ft) }) {
		t.Error("One passed with two events")
	}
	full := Auditor{Fail: errors.New("disk full")}
	if err := full.Audit(ok); err == nil || len(full.Events) != 0 {
		t.Errorf("a failing auditor returned %v and kept %v", err, full.Events)
	}
}
