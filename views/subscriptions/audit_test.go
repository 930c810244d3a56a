package subscriptions

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// recAuditor records audit events (tuitest.Auditor).
type recAuditor = tuitest.Auditor

func audited(t *testing.T, seed bool, fail error) (*fixture, *driver, *recAuditor) {
	f := newFixture(t, seed)
	aud := &recAuditor{Fail: fail}
	c := f.common("")
	c.Auditor = aud
	return f, newDriver(t, c, 120, 36).init(), aud
}

// line is an event as "action target amount currency result".
func line(ev common.AuditEvent) string {
	return strings.Join([]string{ev.Action, ev.Target, ev.Amount.String(), ev.Currency, ev.Result}, " ")
}

func createPlan(d *driver) {
	d.Press("p", "n")
	d.TypeText("Gold Monthly")
	d.Press("enter")
	d.TypeText("2,500")
	d.Press("enter")
	d.TypeText("1")
	d.Press("enter", "enter", "enter", "enter")
}

// TestCreateAndCancelAudited: creating a plan, a customer and a
// subscription, then unsubscribing, each reach the audit log with the id
// IntaSend gave and the result.
func TestCreateAndCancelAudited(t *testing.T) {
	f, d, aud := audited(t, false, nil)
	createPlan(d)
	d.Press("c", "n")
	d.TypeText("wanjiku@example.com")
	d.Press("tab")
	d.TypeText("Wanjiku")
	d.Press("tab")
	d.TypeText("Kamau")
	d.Press("tab")
	d.TypeText("CUST-0042")
	d.Press("enter")
	d.Press("s", "n")
	d.Press("enter", "enter", "enter", "enter")
	subs := f.Server.Subscriptions()
	if len(subs) != 1 {
		t.Fatalf("simulator has %+v", subs)
	}
	id := subs[0].ID
	d.Press("esc", "enter", "x")
	d.Confirm()
	var got []string
	for _, ev := range aud.Events {
		got = append(got, line(ev))
		if ev.Detail != "" {
			t.Errorf("detail on a success: %+v", ev)
		}
	}
	want := []string{
		"subscription.plan.create " + d.m.lastPlan + " 2,500.00 KES ok",
		"subscription.customer.create " + d.m.lastCustomer + " 0.00 KES ok",
		"subscription.create " + id + " 0.00 KES ok",
		"subscription.cancel " + id + " 0.00 KES ok",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFailuresAudited(t *testing.T) {
	t.Run("plan rate limited", func(t *testing.T) {
		f, d, aud := audited(t, false, nil)
		f.Server.SetFaults([]sim.Fault{{Route: "POST subscriptions-plans/", Kind: sim.TooMany}})
		createPlan(d)
		f.Server.SetFaults(nil)
		if len(aud.Events) != 1 || line(aud.Events[0]) != "subscription.plan.create Gold Monthly 2,500.00 KES failed" || aud.Events[0].Detail == "" {
			t.Fatalf("audit %+v", aud.Events)
		}
	})
	for _, tt := range []struct {
		name   string
		before func(f *fixture, id string)
		result string
	}{
		// Someone else unsubscribed it first: IntaSend refuses.
		{"refused", func(f *fixture, id string) {
			if _, err := f.Client.Unsubscribe(f.Ctx, id); err != nil {
				t.Fatal(err)
			}
		}, "refused"},
		{"unclear", func(f *fixture, _ string) {
			f.Server.SetFaults([]sim.Fault{{Route: "unsubscribe", Kind: sim.DropAfter}})
		}, "ambiguous"},
	} {
		t.Run("unsubscribe "+tt.name, func(t *testing.T) {
			f, d, aud := audited(t, true, nil)
			d.Press("/")
			d.TypeText("active")
			d.Press("enter", "x")
			c, ok := d.Last(reflect.TypeFor[common.ConfirmMsg]()).(common.ConfirmMsg)
			if !ok {
				t.Fatal("no confirmation")
			}
			tt.before(f, c.Typed)
			d.Confirm()
			f.Server.SetFaults(nil)
			if len(aud.Events) != 1 || line(aud.Events[0]) != "subscription.cancel "+c.Typed+" 0.00 KES "+tt.result || aud.Events[0].Detail == "" {
				t.Fatalf("audit %+v", aud.Events)
			}
		})
	}
}

// TestAuditFailureIsShown: when the audit log cannot take the outcome the
// person is told the record is not durable.
func TestAuditFailureIsShown(t *testing.T) {
	_, d, _ := audited(t, false, errors.New("disk full"))
	createPlan(d)
	ts := strings.Join(d.Toasts(), "\n")
	if !strings.Contains(ts, "audit log could not record") || !strings.Contains(ts, "not durable: disk full") {
		t.Fatalf("toasts %q", ts)
	}
	if !strings.Contains(ts, "Created plan Gold Monthly") {
		t.Fatalf("the plan itself is no longer reported: %q", ts)
	}
}
