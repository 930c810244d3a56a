package subscriptions

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// TestEndToEndSubscription does what a merchant does, by keys only,
// against the simulator over loopback HTTP: a plan, a customer and a
// subscription through the forms; the setup link shown and copied; the
// customer finishing setup (the simulator's clock moves on) so a refresh
// shows ACTIVE and the first charge; unsubscribing through the typed
// confirmation; CANCELED on screen and in the simulator's own state.
func TestEndToEndSubscription(t *testing.T) {
	f := newFixture(t, false)
	d := newDriver(t, f.common(""), 120, 36).init()
	d.mustShow("No subscriptions yet. Press n to create one.")

	// A plan: KES 2,500 every month until cancelled.
	d.press("p", "n")
	d.typeText("Gold Monthly")
	d.press("enter")
	d.typeText("2,500")
	d.press("enter")
	d.typeText("1")
	d.press("enter", "enter", "enter") // months, until cancelled
	d.press("enter")                   // KES: the last field submits
	if d.m.form != nil {
		t.Fatalf("plan form still open:\n%s", d.view())
	}
	d.mustShow("[Plans]", "Gold Monthly", "KES 2,500.00", "every month", "until cancelled")

	// A customer.
	d.press("c", "n")
	d.typeText("wanjiku@example.com")
	d.press("tab")
	d.typeText("Wanjiku")
	d.press("tab")
	d.typeText("Kamau")
	d.press("tab")
	d.typeText("CUST-0042")
	d.press("enter")
	d.mustShow("[Customers]", "Wanjiku Kamau", "wanjiku@example.com", "CUST-0042")

	// The subscription: the new customer and plan are offered first; the
	// start date defaults to today.
	d.press("s", "n")
	form := d.m.form
	if got := form.get("start").value(); got != "2026-11-22" {
		t.Fatalf("start date default %q", got)
	}
	if form.get("customer").value() != d.m.lastCustomer || form.get("plan").value() != d.m.lastPlan {
		t.Fatalf("pickers offer %s/%s, want the new %s/%s", form.get("customer").value(), form.get("plan").value(),
			d.m.lastCustomer, d.m.lastPlan)
	}
	d.press("enter", "enter", "enter", "enter")
	if d.m.form != nil || d.m.setup == nil {
		t.Fatalf("no setup link after create:\n%s", d.view())
	}
	subs := f.srv.Subscriptions()
	if len(subs) != 1 || subs[0].Status != client.SubscriptionPending || subs[0].CustomerID != d.m.lastCustomer || subs[0].PlanID != d.m.lastPlan {
		t.Fatalf("simulator has %+v", subs)
	}
	id := subs[0].ID
	url := d.m.setup.sub.SetupURL
	if !strings.HasSuffix(url, "/subscriptions/"+id+"/setup/") {
		t.Fatalf("setup url %q for %s", url, id)
	}
	d.mustShow("Subscription "+id+" created", "… PENDING", "The customer must open this link", url)
	d.press("y")
	if got := d.clipboard(); got != url {
		t.Fatalf("clipboard %q, want %q", got, url)
	}
	d.mustShow("✔ copied")
	d.press("esc")
	d.mustShow("[Subscriptions]", id, "… PENDING", "Wanjiku Kamau", "Gold Monthly", "2026-11-22")

	// The customer completes setup; the first month is charged.
	f.advance(time.Minute)
	d.press("r")
	d.mustShow("● ACTIVE", "2026-12-22")
	if d.m.watch != nil {
		t.Error("still following a subscription the refresh found ACTIVE")
	}
	d.press("enter")
	d.mustShow("Subscriptions › "+id, "● ACTIVE", "1 cycle charged", "KES 2,500.00", "CLEARING", "CARD-PAYMENT payment from wanjiku", "1 transaction\n")

	// Unsubscribe from the open subscription: typed id, danger, admin.
	d.press("x")
	c := d.confirm()
	if c.Typed != id || !c.Danger || c.Perm != common.PermAdmin || !strings.Contains(c.Body, "Wanjiku Kamau on Gold Monthly") {
		t.Fatalf("confirmation %+v", c)
	}
	d.mustShow("✖ CANCELED", "next —")
	if s := f.srv.Subscriptions()[0]; s.Status != client.SubscriptionCanceled || s.Charges != 1 {
		t.Fatalf("simulator has %+v", s)
	}
	d.press("esc")
	d.mustShow(id, "✖ CANCELED")

	// A second unsubscribe is refused here, without asking IntaSend.
	asked := d.count(reflect.TypeFor[common.ConfirmMsg]())
	d.press("x")
	if d.count(reflect.TypeFor[common.ConfirmMsg]()) != asked {
		t.Fatal("asked to unsubscribe a CANCELED subscription")
	}
	if ts := d.toasts(); !strings.Contains(ts[len(ts)-1], "already CANCELED") {
		t.Fatalf("toasts %q", ts)
	}
	if errs := d.errors(); len(errs) != 0 {
		t.Fatalf("errors %+v", errs)
	}
}
