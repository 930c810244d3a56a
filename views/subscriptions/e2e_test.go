package subscriptions

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/testcheck"
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
	createGoldPlan(t, d)
	createWanjiku(d)
	id := createSubscription(t, f, d)

	// The customer completes setup; the first month is charged.
	f.Advance(time.Minute)
	d.Press("r")
	d.MustShow("● ACTIVE", "22 Dec 2026")
	testcheck.Check(t, "after the refresh found it ACTIVE", d.m.watch, testcheck.C("no longer followed", d.m.watch == nil))
	d.Press("enter")
	d.MustShow("Subscriptions › "+id, "● ACTIVE", "1 cycle charged", "KES 2,500.00", "CLEARING", "CARD-PAYMENT payment from wanjiku", "1 transaction\n")
	unsubscribeOpen(t, f, d, id)
	checkSecondUnsubscribeRefused(t, d)
}

// createGoldPlan makes a plan through the form: KES 2,500 every month
// until cancelled.
func createGoldPlan(t *testing.T, d *driver) {
	t.Helper()
	d.Press("p", "n")
	d.TypeText("Gold Monthly")
	d.Press("enter")
	d.TypeText("2,500")
	d.Press("enter")
	d.TypeText("1")
	d.Press("enter", "enter", "enter") // months, until cancelled
	d.Press("enter")                   // KES: the last field submits
	testcheck.Expect(t, "plan form after submit", d.View(), testcheck.C("closed", d.m.form == nil))
	d.MustShow("[Plans]", "Gold Monthly", "KES 2,500.00", "every month", "until cancelled")
}

// createWanjiku makes a customer through the form.
func createWanjiku(d *driver) {
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
}

// createSubscription subscribes the new customer to the new plan (offered
// first, the start date today), checks the simulator has it PENDING and
// the setup link is shown and copied; it returns its id.
func createSubscription(t *testing.T, f *fixture, d *driver) string {
	t.Helper()
	d.Press("s", "n")
	form := d.m.form
	got := form.Get("start").Value()
	testcheck.Expect(t, "start date default", got, testcheck.C("today, 2026-11-22", got == "2026-11-22"))
	testcheck.Expect(t, fmt.Sprintf("pickers offer %s/%s, want the new %s/%s", form.Get("customer").Value(), form.Get("plan").Value(), d.m.lastCustomer, d.m.lastPlan), form,
		testcheck.C("the new customer", form.Get("customer").Value() == d.m.lastCustomer), testcheck.C("the new plan", form.Get("plan").Value() == d.m.lastPlan))
	d.Press("enter", "enter", "enter", "enter")
	testcheck.Expect(t, "after create:\n"+d.View(), d.m.setup, testcheck.C("the form closed", d.m.form == nil), testcheck.C("a setup link", d.m.setup != nil))
	subs := f.Server.Subscriptions()
	testcheck.Expect(t, "simulator subscriptions", subs, testcheck.C("one", len(subs) == 1))
	testcheck.Expect(t, "simulator subscription", subs[0], testcheck.C("PENDING", subs[0].Status == client.SubscriptionPending),
		testcheck.C("the new customer", subs[0].CustomerID == d.m.lastCustomer), testcheck.C("the new plan", subs[0].PlanID == d.m.lastPlan))
	id := subs[0].ID
	url := d.m.setup.sub.SetupURL
	testcheck.Expect(t, "setup url for "+id, url, testcheck.C("the subscription's setup path", strings.HasSuffix(url, "/subscriptions/"+id+"/setup/")))
	d.MustShow("Subscription "+id+" created", "… PENDING", "The customer must open this link", url)
	d.Press("y")
	clip := d.Clipboard()
	testcheck.Expect(t, "clipboard", clip, testcheck.C("the setup url "+url, clip == url))
	d.MustShow("✔ copied")
	d.Press("esc")
	d.MustShow("[Subscriptions]", id, "… PENDING", "Wanjiku Kamau", "Gold Monthly", "22 Nov 2026")
	return id
}

// unsubscribeOpen unsubscribes the open subscription through the typed
// confirmation (its id, danger, admin) and checks it CANCELED on screen
// and in the simulator.
func unsubscribeOpen(t *testing.T, f *fixture, d *driver, id string) {
	t.Helper()
	d.Press("x")
	c := d.Confirm()
	testcheck.Expect(t, "confirmation", c, testcheck.C("typed id", c.Typed == id), testcheck.C("dangerous", c.Danger), testcheck.C("PermAdmin", c.Perm == common.PermAdmin),
		testcheck.C("naming customer and plan", strings.Contains(c.Body, "Wanjiku Kamau on Gold Monthly")))
	d.MustShow("✖ CANCELED", "next —")
	s := f.Server.Subscriptions()[0]
	testcheck.Expect(t, "simulator subscription", s, testcheck.C("CANCELED", s.Status == client.SubscriptionCanceled), testcheck.C("one charge", s.Charges == 1))
	d.Press("esc")
	d.MustShow(id, "✖ CANCELED")
}

// checkSecondUnsubscribeRefused: a second unsubscribe is refused here,
// without asking IntaSend.
func checkSecondUnsubscribeRefused(t *testing.T, d *driver) {
	t.Helper()
	asked := d.Count(reflect.TypeFor[common.ConfirmMsg]())
	d.Press("x")
	testcheck.Expect(t, "x on a CANCELED subscription", asked, testcheck.C("no confirmation asked", d.Count(reflect.TypeFor[common.ConfirmMsg]()) == asked))
	ts := d.Toasts()
	testcheck.Expect(t, "toasts", ts, testcheck.C("the last says already CANCELED", len(ts) > 0 && strings.Contains(ts[len(ts)-1], "already CANCELED")))
	errs := d.Errors()
	testcheck.Expect(t, "errors", errs, testcheck.C("none", len(errs) == 0))
}
