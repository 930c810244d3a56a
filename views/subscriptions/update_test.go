package subscriptions

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
)

func TestSwitchLists(t *testing.T) {
	f := newFixture(t, true)
	tests := []struct {
		keys []string
		want tab
	}{
		{nil, tabSubs},
		{[]string{"p"}, tabPlans},
		{[]string{"c"}, tabCustomers},
		{[]string{"]"}, tabPlans}, // wraps
		{[]string{"["}, tabCustomers},
		{[]string{"p", "]"}, tabCustomers},
		{[]string{"c", "s"}, tabSubs},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, " "), func(t *testing.T) {
			d := newDriver(t, f.common(""), 80, 20).init()
			d.Press(tt.keys...)
			if d.m.tab != tt.want {
				t.Fatalf("on %s, want %s", d.m.tab, tt.want)
			}
			d.MustShow("[" + tt.want.String() + "]")
		})
	}
}

func TestNavigation(t *testing.T) {
	f := newFixture(t, true)
	tests := []struct {
		keys []string
		want int // cursor on the subscriptions list (7 rows)
	}{
		{nil, 0}, {[]string{"down"}, 1}, {[]string{"j", "j", "k"}, 1}, {[]string{"up"}, 0},
		{[]string{"end"}, 6}, {[]string{"G", "down"}, 6}, {[]string{"end", "g"}, 0}, {[]string{"pgdown"}, 6},
	}
	for _, tt := range tests {
		d := newDriver(t, f.common(""), 80, 20).init()
		d.Press(tt.keys...)
		if d.m.subs.tbl.Cursor() != tt.want {
			t.Errorf("%v: cursor %d, want %d", tt.keys, d.m.subs.tbl.Cursor(), tt.want)
		}
		id := d.m.subs.currentID()
		if !strings.Contains(d.View(), "▸ "+id) {
			t.Errorf("%v: the marked row is not %s:\n%s", tt.keys, id, d.View())
		}
	}
}

func TestFilterEachList(t *testing.T) {
	f := newFixture(t, true)
	tests := []struct {
		list  string
		query string
		want  int
	}{
		{"s", "active", 4},
		{"s", "gold active", 3},
		{"s", "veg", 2},
		{"p", "week", 2},
		{"p", "2,500", 1},
		{"c", "example.com", 7},
		{"c", "zzz", 0},
	}
	for _, tt := range tests {
		t.Run(tt.list+" "+tt.query, func(t *testing.T) {
			d := newDriver(t, f.common(""), 100, 24).init()
			d.Press(tt.list, "/")
			if !d.m.Capturing() {
				t.Fatal("filtering but Capturing() is false: letters would reach the shell")
			}
			d.TypeText(tt.query)
			d.Press("enter")
			if d.m.Capturing() {
				t.Fatal("still capturing after enter kept the filter")
			}
			d.MustShow(fmt.Sprintf("%d match", tt.want))
			if tt.want == 0 {
				d.MustShow("nothing loaded matches")
			}
			if got := strings.Count(d.View(), "\n") - 2; tt.want > 0 && got != tt.want {
				t.Errorf("%d rows drawn, want %d:\n%s", got, tt.want, d.View())
			}
			d.Press("esc")
			if d.m.active().hasQuery() {
				t.Fatal("esc did not clear the filter")
			}
		})
	}
}

// TestFilterTypingIsText: letters that are keys elsewhere (n, x, p, r) are
// text while the filter has focus.
func TestFilterTypingIsText(t *testing.T) {
	f := newFixture(t, true)
	d := newDriver(t, f.common(""), 80, 20).init()
	d.Press("/")
	d.TypeText("nxpr")
	if d.m.form != nil || d.m.tab != tabSubs || d.m.subs.loading || d.m.subs.filter.Query() != "nxpr" {
		t.Fatalf("form %v tab %s loading %v query %q", d.m.form != nil, d.m.tab, d.m.subs.loading, d.m.subs.filter.Query())
	}
}

// TestViewerRole: a role without PermAdmin has no create or unsubscribe
// keys (unbound, not refused) and none in help.
func TestViewerRole(t *testing.T) {
	f := newFixture(t, true)
	for _, role := range []string{common.RoleViewer, common.RoleSupport, common.RoleMaker} {
		d := newDriver(t, f.common(role), 80, 20).init()
		for _, list := range []string{"p", "c", "s"} {
			d.Press(list, "n")
			if d.m.form != nil {
				t.Fatalf("%s: n opened a form on %s", role, d.m.tab)
			}
		}
		d.Press("x")
		if n := d.Count(reflect.TypeFor[common.ConfirmMsg]()); n != 0 {
			t.Fatalf("%s: x asked for a confirmation", role)
		}
		for _, b := range d.m.ShortHelp() {
			if k := b.Help().Key; k == "n" || k == "x" {
				t.Errorf("%s: help offers %s", role, k)
			}
		}
		// The palette's messages are guarded too.
		d.Feed(openFormMsg{formPlan})
		if d.m.form != nil {
			t.Fatalf("%s: the palette opened a form", role)
		}
		d.Feed(unsubConfirmedMsg{id: d.m.subs.currentID()})
		if d.m.unsubbing != "" {
			t.Fatalf("%s: unsubscribed", role)
		}
		if strings.Contains(d.View(), "Press n") {
			t.Errorf("%s: the screen offers n", role)
		}
	}
	d := newDriver(t, f.common(common.RoleApprover), 80, 20).init()
	d.Press("n")
	if d.m.form == nil {
		t.Fatal("an approver cannot create")
	}
}

func TestActionsNeedAdmin(t *testing.T) {
	f := newFixture(t, false)
	d := newDriver(t, f.common(""), 80, 20)
	n := 0
	for _, a := range d.m.Actions() {
		if strings.HasPrefix(a.Title, "Create") {
			n++
			if a.Perm != common.PermAdmin {
				t.Errorf("%q has perm %q", a.Title, a.Perm)
			}
		}
	}
	if n != 3 {
		t.Fatalf("%d create actions", n)
	}
}

// TestBadInput: each form refuses what IntaSend would, says why under the
// field, sends nothing and keeps every character typed.
func TestBadInput(t *testing.T) {
	f := newFixture(t, true)
	tests := []struct {
		name  string
		list  string
		fill  func(d *driver)
		field string
		msg   string
		keep  map[string]string
	}{
		{"bad amount", "p", func(d *driver) {
			d.TypeText("Silver")
			d.Press("tab")
			d.TypeText("12abc")
			d.Press("tab")
			d.TypeText("1")
		}, "amount", "", map[string]string{"name": "Silver", "amount": "12abc", "frequency": "1"}},
		{"zero amount", "p", func(d *driver) {
			d.TypeText("Silver")
			d.Press("tab")
			d.TypeText("0")
			d.Press("tab")
			d.TypeText("1")
		}, "amount", "must be more than zero", map[string]string{"amount": "0"}},
		{"frequency zero", "p", func(d *driver) {
			d.TypeText("Silver")
			d.Press("tab")
			d.TypeText("100")
			d.Press("tab")
			d.TypeText("0")
		}, "frequency", "a whole number, 1 or more", map[string]string{"frequency": "0"}},
		{"plan name too long", "p", func(d *driver) {
			d.m.form.Get("name").SetValue(strings.Repeat("x", 33)) // set whole, as a value from elsewhere is
			d.Press("tab")
			d.TypeText("100")
			d.Press("tab")
			d.TypeText("1")
		}, "name", "at most 32 characters", nil},
		{"missing last name", "c", func(d *driver) {
			d.TypeText("amina@example.com")
			d.Press("tab")
			d.TypeText("Amina")
			d.Press("tab", "tab")
			d.TypeText("REF-7")
		}, "last_name", "a last name is required", map[string]string{"email": "amina@example.com", "first_name": "Amina", "reference": "REF-7"}},
		{"bad email", "c", func(d *driver) {
			d.TypeText("amina.example.com")
			d.Press("tab")
			d.TypeText("Amina")
			d.Press("tab")
			d.TypeText("Otieno")
		}, "email", "not an email address", map[string]string{"email": "amina.example.com", "last_name": "Otieno"}},
		{"past start date", "s", func(d *driver) {
			d.Press("tab", "tab")
			d.clear(10)
			d.TypeText("2026-11-21")
			d.Press("tab")
			d.TypeText("ORDER-1")
		}, "start", "the start date cannot be in the past (today is 2026-11-22)", map[string]string{"start": "2026-11-21", "reference": "ORDER-1"}},
		{"not a date", "s", func(d *driver) {
			d.Press("tab", "tab")
			d.clear(10)
			d.TypeText("22/11/2026")
		}, "start", "not a date: use YYYY-MM-DD", map[string]string{"start": "22/11/2026"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t, f.common(""), 100, 30).init()
			before := len(f.Server.Subscriptions())
			d.Press(tt.list, "n")
			tt.fill(d)
			submitForm(d)
			fm := d.m.form
			if fm == nil || fm.State != uiform.Editing {
				t.Fatalf("the form was sent or closed:\n%s", d.View())
			}
			fl := fm.Get(tt.field)
			if fl.Err == "" || !strings.Contains(fl.Err, tt.msg) {
				t.Fatalf("%s error %q, want %q", tt.field, fl.Err, tt.msg)
			}
			if fm.Current() != fl {
				t.Errorf("focus on %s, want the wrong field %s", fm.Current().Key, tt.field)
			}
			d.MustShow("✖ " + string([]rune(fl.Err)[:min(20, len([]rune(fl.Err)))]))
			for k, v := range tt.keep {
				if got := fm.Get(k).Value(); got != v {
					t.Errorf("%s now %q, typed %q", k, got, v)
				}
			}
			if len(f.Server.Subscriptions()) != before {
				t.Fatal("a subscription was created")
			}
		})
	}
}

// submitForm presses enter on the last field.
func submitForm(d *driver) {
	fm := d.m.form
	fm.Focus(len(fm.Fields) - 1)
	d.Press("enter")
}

// TestPlaceholderIsNotAValue: the plan form's frequency shows "<e.g. 1>"
// when empty, and enter there stays on the field and says what is missing
// instead of moving on as if 1 had been typed; nothing is sent.
func TestPlaceholderIsNotAValue(t *testing.T) {
	f := newFixture(t, true)
	d := newDriver(t, f.common(""), 80, 20).init()
	plans := len(d.m.plans.rows)
	d.Press("p", "n")
	d.TypeText("Gold")
	d.Press("enter")
	d.TypeText("2500")
	d.Press("enter")
	d.MustShow("Every           <e.g. 1>")
	d.Press("enter")
	fm := d.m.form
	if fm == nil || fm.Current().Key != "frequency" {
		t.Fatalf("enter on an empty frequency moved on:\n%s", d.View())
	}
	d.MustShow("✖ how many units between charges")
	for range fm.Fields {
		d.Press("enter")
	}
	if d.m.form == nil || len(d.m.plans.rows) != plans {
		t.Fatalf("a plan with no frequency was sent")
	}
	d.TypeText("1")
	submitForm(d)
	if d.m.form != nil || len(d.m.plans.rows) != plans+1 {
		t.Fatalf("the filled form did not create the plan:\n%s", d.View())
	}
}

// TestRefusedKeepsForm: IntaSend's refusals, from the simulator, land on
// the form: its message at the foot, a field's error under the field with
// the focus on it, and every value as typed.
func TestRefusedKeepsForm(t *testing.T) {
	f := newFixture(t, true)
	d := newDriver(t, f.common(""), 100, 30).init()
	before := len(d.m.custs.rows)
	f.Server.SetFaults([]sim.Fault{{Route: "POST subscriptions-customers/", Kind: sim.TooMany}})
	d.Press("c", "n")
	d.TypeText("amina@example.com")
	d.Press("tab")
	d.TypeText("Amina")
	d.Press("tab")
	d.TypeText("Otieno")
	submitForm(d)
	fm := d.m.form
	if fm == nil || fm.State != uiform.Editing || fm.Err == "" {
		t.Fatalf("form after a refused create: %+v\n%s", fm, d.View())
	}
	for k, v := range map[string]string{"email": "amina@example.com", "first_name": "Amina", "last_name": "Otieno"} {
		if got := fm.Get(k).Value(); got != v {
			t.Errorf("%s now %q, typed %q", k, got, v)
		}
	}
	d.MustShow("IntaSend:", "Otieno")
	f.Server.SetFaults(nil)
	d.Press("enter") // the same form, sent again once IntaSend takes it
	if d.m.form != nil || len(d.m.custs.rows) != before+1 {
		t.Fatalf("second try: form %v, %d customers (had %d)\n%s", d.m.form != nil, len(d.m.custs.rows), before, d.View())
	}

	// A customer this console lists but IntaSend does not know (removed
	// from another session): the refusal names customer_id, and the
	// error goes under the Customer line.
	d.m.custs.rows = append(d.m.custs.rows, client.SubscriptionCustomer{ID: "GONE123", Email: "gone@example.com", FirstName: "Gone", LastName: "Away"})
	d.Press("s", "n")
	d.TypeText("gone")
	d.Press("tab", "tab", "tab")
	d.TypeText("ORDER-9")
	subs := len(f.Server.Subscriptions())
	d.Press("enter")
	fm = d.m.form
	if fm == nil || fm.State != uiform.Editing {
		t.Fatalf("form closed on a refusal:\n%s", d.View())
	}
	if c := fm.Get("customer"); !strings.Contains(c.Err, "does not exist") || c.Value() != "GONE123" || fm.Current() != c {
		t.Fatalf("customer field: err %q value %q focused %v", c.Err, c.Value(), fm.Current() == c)
	}
	if fm.Value("reference") != "ORDER-9" || len(f.Server.Subscriptions()) != subs {
		t.Fatalf("reference %q, %d subscriptions (had %d)", fm.Value("reference"), len(f.Server.Subscriptions()), subs)
	}
	d.MustShow("✖ Invalid pk", "ORDER-9")
}

// TestAmbiguousCreate: a 5xx may have created the plan; the form closes,
// nothing is sent again, the lists reload and the person is told.
func TestAmbiguousCreate(t *testing.T) {
	f := newFixture(t, true)
	d := newDriver(t, f.common(""), 100, 30).init()
	d.Press("p", "n")
	fm := d.m.form
	fm.State = uiform.Sending
	d.Feed(planDoneMsg{seq: fm.Seq, err: &client.APIError{Status: 502}})
	if d.m.form != nil {
		t.Fatal("form still open after an ambiguous failure")
	}
	errs := d.Errors()
	if len(errs) != 1 || !strings.Contains(errs[0].Title, "outcome unknown") || !strings.Contains(errs[0].Err.Error(), "check the list") {
		t.Fatalf("errors %+v", errs)
	}
}

func TestSubscriptionPickerSearch(t *testing.T) {
	f := newFixture(t, true)
	d := newDriver(t, f.common(""), 100, 30).init()
	d.Press("n")
	cu := d.m.form.Get("customer")
	d.TypeText("wafula")
	if o, _ := cu.Selected(); cu.Shown() != 1 || !strings.Contains(o.Label, "James Wafula") {
		t.Fatalf("search kept %d, chose %q", cu.Shown(), o.Label)
	}
	d.MustShow("‹ James Wafula", "1 of 7")
	d.clear(6) // every customer again, still on James Wafula
	was := cu.Value()
	d.Press("right")
	if cu.Value() == was || cu.Shown() != 7 {
		t.Fatalf("right stayed on %s (%d match)", was, cu.Shown())
	}
	d.TypeText("nobody")
	submitForm(d)
	if cu.Err != "choose a customer" {
		t.Fatalf("customer error %q", cu.Err)
	}
}

// TestUnsubscribeCancelled: cancelling the dialog sends nothing.
func TestUnsubscribeCancelled(t *testing.T) {
	f := newFixture(t, true)
	d := newDriver(t, f.common(""), 100, 30).init()
	d.Press("/")
	d.TypeText("active")
	d.Press("enter", "x")
	c, ok := d.Last(reflect.TypeFor[common.ConfirmMsg]()).(common.ConfirmMsg)
	if !ok || c.OnCancel != nil && c.OnCancel == c.OnConfirm {
		t.Fatal("no confirmation")
	}
	for _, s := range f.Server.Subscriptions() {
		if s.Status == client.SubscriptionCanceled && s.ID == c.Typed {
			t.Fatal("unsubscribed before confirming")
		}
	}
	// An unsubscribe IntaSend refuses shows its message.
	d.Feed(unsubDoneMsg{id: c.Typed, err: &client.APIError{Status: 400, Detail: "Subscription is already CANCELED."}})
	errs := d.Errors()
	if len(errs) != 1 || !strings.Contains(errs[0].Title, c.Typed) {
		t.Fatalf("errors %+v", errs)
	}
}

// TestPaging loads a long list page by page as the cursor nears the end,
// and never while filtered.
func TestPaging(t *testing.T) {
	f := newFixture(t, false)
	for i := range 150 {
		if _, err := f.Client.CreatePlan(f.Ctx, client.PlanRequest{Name: fmt.Sprintf("Plan %03d", i), Frequency: 1,
			FrequencyUnit: client.Monthly, Amount: client.Units(int64(100 + i))}); err != nil {
			t.Fatal(err)
		}
	}
	d := newDriver(t, f.common(""), 80, 20).init()
	d.Press("p")
	if len(d.m.plans.rows) != 100 || d.m.plans.next != 2 {
		t.Fatalf("first page: %d rows, next %d", len(d.m.plans.rows), d.m.plans.next)
	}
	d.MustShow("100 of 150 plans loaded")
	d.Press("/")
	d.TypeText("plan 00")
	d.Press("end")
	if len(d.m.plans.rows) != 100 {
		t.Fatal("the filter loaded more")
	}
	d.Press("esc", "end", "end")
	if len(d.m.plans.rows) != 150 || d.m.plans.next != 0 {
		t.Fatalf("after end: %d rows, next %d", len(d.m.plans.rows), d.m.plans.next)
	}
	d.MustShow("150 plans", "Plan 000")
	// A refresh keeps the older page and the cursor.
	cur := d.m.plans.currentID()
	d.Press("r")
	if len(d.m.plans.rows) != 150 || d.m.plans.currentID() != cur {
		t.Fatalf("after refresh: %d rows, cursor %s (was %s)", len(d.m.plans.rows), d.m.plans.currentID(), cur)
	}
}

// TestLoadError: a list that cannot load says so, and r tries again.
func TestLoadError(t *testing.T) {
	f := newFixture(t, true)
	c := f.common("")
	bad, err := client.New(tuitest.TestPub, tuitest.TestSecret, client.WithBaseURL("http://127.0.0.1:1"),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	c.Client = bad
	d := newDriver(t, c, 80, 20).init()
	if errs := d.Errors(); len(errs) != 3 {
		t.Fatalf("%d error panels, want one per list", len(errs))
	}
	d.MustShow("✖ could not load (r tries again): cannot reach IntaSend at 127.0.0.1:1")
	if h, ok := d.Last(reflect.TypeFor[common.HealthMsg]()).(common.HealthMsg); !ok || h.OK {
		t.Fatal("health not reported as down")
	}
	c.Client = f.Client
	d.Press("r")
	d.MustShow("7 subscriptions")
}

// TestSpinner runs while a list loads and stops after.
func TestSpinner(t *testing.T) {
	f := newFixture(t, true)
	d := newDriver(t, f.common(""), 80, 20)
	cmd := d.m.Init()
	if !d.m.busy() || !strings.Contains(d.View(), "loading") {
		t.Fatalf("not loading:\n%s", d.View())
	}
	d.Run(cmd)
	if d.m.busy() {
		t.Fatal("still busy")
	}
	d.Feed(spinMsg{})
	if d.m.spin.Running() {
		t.Fatal("the spinner keeps ticking when idle")
	}
}

// TestFollowNewSubscription: a new PENDING subscription is re-read on a
// timer (never two requests at once) until the customer has set it up;
// hiding the view pauses it.
func TestFollowNewSubscription(t *testing.T) {
	f := newFixture(t, true)
	d := newDriver(t, f.common(""), 100, 30).init()
	d.Press("n", "enter", "enter", "enter", "enter")
	if d.m.watch == nil || len(d.Timers) == 0 {
		t.Fatal("the new subscription is not followed")
	}
	id := d.m.watch.id
	fire := func() int { return d.Fire(watchTickMsg{}) }
	if fire() != 1 || d.m.watch == nil {
		t.Fatal("still PENDING: followed on")
	}
	// Hidden: the timer is dropped and nothing is asked.
	d.Run(d.m.SetShown(false))
	if n := fire(); n != 1 || d.m.watch.inFlight {
		t.Fatalf("%d timers fired while hidden", n)
	}
	f.Advance(time.Minute) // the customer sets up
	d.Run(d.m.SetShown(true))
	if d.m.watch != nil {
		t.Fatal("still following after setup")
	}
	sb, _ := d.m.subs.byID(id)
	if sb.Status != client.SubscriptionActive || d.m.setup.sub.Status != client.SubscriptionActive {
		t.Fatalf("status %s, panel %s", sb.Status, d.m.setup.sub.Status)
	}
	d.MustShow("● ACTIVE")
	if ts := d.Toasts(); !strings.Contains(ts[len(ts)-1], "Subscription "+id+" is now ACTIVE") {
		t.Fatalf("toasts %q", ts)
	}
	if fire() != 0 {
		t.Fatal("a timer is left")
	}
}

// TestFilterByNamesArrivingLater: subscriptions that name their customer
// and plan by id only are found by name once those lists arrive.
func TestFilterByNamesArrivingLater(t *testing.T) {
	f := newFixture(t, false)
	d := newDriver(t, f.common(""), 100, 30)
	d.m.subs.setPage(1, []client.Subscription{{ID: "SUB0001", CustomerID: "CUS0001", PlanID: "PLN0001", Status: "ACTIVE"}}, false, 1)
	d.Press("/")
	d.TypeText("wanjiku")
	d.Press("enter")
	if d.m.subs.shown() != 0 {
		t.Fatal("matched before the customer was known")
	}
	d.Feed(pageMsg[client.SubscriptionCustomer]{l: d.m.custs, gen: d.m.custs.gen, page: 1, p: &client.Page[client.SubscriptionCustomer]{
		Count: 1, Results: []client.SubscriptionCustomer{{ID: "CUS0001", FirstName: "Wanjiku", LastName: "Kamau"}}}})
	if d.m.subs.shown() != 1 {
		t.Fatal("the customer's name did not reach the filter")
	}
}
