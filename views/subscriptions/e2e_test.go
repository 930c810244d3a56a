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
	d.MustShow("No subscriptions yet. Press n to create one.")

	// A plan: KES 2,500 every month until cancelled.
	d.Press("p", "n")
	d.TypeText("Gold Monthly")
	d.Press("enter")
	d.TypeText("2,500")
	d.Press("enter")
	d.TypeText("1")
	d.Press("enter", "enter", "enter") // months, until cancelled
	d.Press("enter")                   // KES: the last field submits
	if d.m.form != nil {
		t.Fatalf("plan form still open:\n%s", d.View())
	}
	d.MustShow("[Plans]", "Gold Monthly", "KES 2,500.00", "every month", "until cancelled")

	// A customer.
	d.Press("c", "n")
	d.TypeText("wanjiku@example.com")
	d.Press("tab")
	d.TypeText("Wanjiku")
	d.Press("tab")
	d.TypeText("Kamau")
	d.Press("tab")
	d.TypeText("CUST-0042")
	d.Press("enter")
	d.MustShow("[Customers]", "Wanjiku Kamau", "wanjiku@example.com", "CUST-0042")

	// The subscription: the new customer and plan are offered first; the
	// start date defaults to today.
	d.Press("s", "n")
	form := d.m.form
	if got := form.Get("start").Value(); got != "2026-11-22" {
		t.Fatalf("start date default %q", got)
	}
	if form.Get("customer").Value() != d.m.lastCustomer || form.Get("plan").Value() != d.m.lastPlan {
		t.Fatalf("pickers offer %s/%s, want the new %s/%s", form.Get("customer").Value(), form.Get("plan").Value(),
			d.m.lastCustomer, d.m.lastPlan)
	}
	d.Press("enter", "enter", "enter", "enter")
	if d.m.form != nil || d.m.setup == nil {
		t.Fatalf("no setup link after create:\n%s", d.View())
	}
	subs := f.Server.Subscriptions()
	if len(subs) != 1 || subs[0].Status != client.SubscriptionPending || subs[0].CustomerID != d.m.lastCustomer || subs[0].PlanID != d.m.lastPlan {
		t.Fatalf("simulator has %+v", subs)
	}
	id := subs[0].ID
	url := d.m.setup.sub.SetupURL
	if !strings.HasSuffix(url, "/subscriptions/"+id+"/setup/") {
		t.Fatalf("setup url %q for %s", url, id)
	}
	d.MustShow("Subscription "+id+" created", "… PENDING", "The customer must open this link", url)
	d.Press("y")
	if got := d.Clipboard(); got != url {
		t.Fatalf("clipboard %q, want %q", got, url)
	}
	d.MustShow("✔ copied")
	d.Press("esc")
	d.MustShow("[Subscriptions]", id, "… PENDING", "Wanjiku Kamau", "Gold Monthly", "22 Nov 2026")

	// The customer completes setup; the first month is charged.
	f.Advance(time.Minute)
	d.Press("r")
	d.MustShow("● ACTIVE", "22 Dec 2026")
	if d.m.watch != nil {
		t.Error("still following a subscription the refresh found ACTIVE")
	}
	d.Press("enter")
	d.MustShow("Subscriptions › "+id, "● ACTIVE", "1 cycle charged", "KES 2,500.00", "CLEARING", "CARD-PAYMENT payment from wanjiku", "1 transaction\n")

	// Unsubscribe from the open subscription: typed id, danger, admin.
	d.Press("x")
	c := d.Confirm()
	if c.Typed != id || !c.Danger || c.Perm != common.PermAdmin || !strings.Contains(c.Body, "Wanjiku Kamau on Gold Monthly") {
		t.Fatalf("confirmation %+v", c)
	}
	d.MustShow("✖ CANCELED", "next —")
	if s := f.Server.Subscriptions()[0]; s.Status != client.SubscriptionCanceled || s.Charges != 1 {
		t.Fatalf("simulator has %+v", s)
	}
	d.Press("esc")
	d.MustShow(id, "✖ CANCELED")

	// A second unsubscribe is refused here, without asking IntaSend.
	asked := d.Count(reflect.TypeFor[common.ConfirmMsg]())
	d.Press("x")
	if d.Count(reflect.TypeFor[common.ConfirmMsg]()) != asked {
		t.Fatal("asked to unsubscribe a CANCELED subscription")
	}
	if ts := d.Toasts(); !strings.Contains(ts[len(ts)-1], "already CANCELED") {
		t.Fatalf("toasts %q", ts)
	}
	if errs := d.Errors(); len(errs) != 0 {
		t.Fatalf("errors %+v", errs)
	}
}
