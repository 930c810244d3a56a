package collections

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// requestPush fills and confirms the STK push form.
func (d *driver) requestPush(phone, amount, ref string) {
	d.T.Helper()
	d.Press("p")
	d.TypeText(phone)
	d.Press("tab")
	d.TypeText(amount)
	d.Press("tab")
	d.TypeText(ref)
	d.Press("tab", "enter")
	d.Confirm()
}

func TestInitialLoad(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	if !d.m.loaded || len(d.m.st.rows) == 0 {
		t.Fatalf("nothing loaded: %d rows", len(d.m.st.rows))
	}
	for i := 1; i < len(d.m.st.rows); i++ {
		if d.m.st.rows[i].at.After(d.m.st.rows[i-1].at) {
			t.Fatalf("rows not newest first at %d", i)
		}
	}
	for _, r := range d.m.st.rows {
		if !r.newUntil.IsZero() {
			t.Fatalf("the first load marked %s new", r.inv.ID)
		}
	}
	if h, ok := d.Last(reflect.TypeFor[common.HealthMsg]()).(common.HealthMsg); !ok || !h.OK {
		t.Errorf("no healthy HealthMsg after the load: %#v", h)
	}
	if tm, ok := d.Pending(pollTickMsg{}); !ok || tm.After != pollEvery {
		t.Errorf("next poll not armed at %v: %+v", pollEvery, tm)
	}
	sum := d.m.sum.today
	if sum.count == 0 || sum.gross <= sum.net || sum.net <= 0 {
		t.Errorf("today's totals look wrong: %+v", sum)
	}
}

func TestNewRowsArriveMarkedNew(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	before := len(d.m.st.rows)
	id := f.push(sandboxPhone, client.Units(777), "WALK-IN")
	f.Advance(10 * time.Second) // the customer pays
	if n := d.Fire(pollTickMsg{}); n != 1 {
		t.Fatalf("%d poll timers pending, want 1", n)
	}
	r := d.row(id)
	if r == nil {
		t.Fatalf("the new payment %s did not arrive; %d rows", id, len(d.m.st.rows))
	}
	if len(d.m.st.rows) != before+1 || d.m.st.rows[0] != r {
		t.Errorf("new row not at the top (%d → %d rows)", before, len(d.m.st.rows))
	}
	if r.inv.State != client.InvoiceComplete || r.inv.NetAmount != client.Cents(777_00-23_31) {
		t.Errorf("row = %s net %s", r.inv.State, r.inv.NetAmount)
	}
	first := strings.Split(d.View(), "\n")[9]
	if !strings.Contains(first, common.SymNew) || !strings.Contains(first, id) {
		t.Errorf("first row is not marked new:\n%s", d.View())
	}
	f.Advance(newFor + time.Second)
	if strings.Contains(d.View(), common.SymNew) {
		t.Errorf("still marked new after %s:\n%s", newFor, d.View())
	}
	// The cursor stayed at the top, on the newest payment.
	if sel := d.m.selected(); sel != r {
		t.Errorf("cursor on %v, want the new row", sel.inv.ID)
	}
}

func TestCursorStaysOnItsRowWhenRowsArrive(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	d.Press("down", "down", "down")
	was := d.m.selected()
	f.push(sandboxPhone, client.Units(50), "")
	f.Advance(10 * time.Second)
	d.Fire(pollTickMsg{})
	if d.m.selected() != was || d.m.tbl.Cursor() != 4 {
		t.Errorf("cursor moved off its row: at %d", d.m.tbl.Cursor())
	}
}

func TestStateChangesInPlace(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	d.requestPush("0708 374 149", "1500", "ORDER-1")
	w := d.m.watch
	if w == nil {
		t.Fatalf("no watch after the push:\n%s", d.View())
	}
	r := d.row(w.id)
	if r == nil || r.inv.State != client.InvoicePending || !r.requested || d.m.st.rows[0] != r {
		t.Fatalf("requested invoice not at the top as PENDING: %+v", r)
	}
	n := len(d.m.st.rows)
	tm, ok := d.Pending(pollTickMsg{})
	if !ok || tm.After != pollFast {
		t.Fatalf("watching should poll every %s, got %+v", pollFast, tm)
	}
	seen := []string{r.inv.State}
	for i := 0; i < 10 && !r.inv.Final(); i++ {
		f.Advance(pollFast)
		d.Fire(pollTickMsg{})
		if s := d.row(w.id).inv.State; s != seen[len(seen)-1] {
			seen = append(seen, s)
		}
	}
	if got := strings.Join(seen, ">"); got != "PENDING>PROCESSING>COMPLETE" {
		t.Errorf("states seen %s", got)
	}
	if d.row(w.id) != r || len(d.m.st.rows) != n {
		t.Errorf("the row was replaced or duplicated (%d → %d rows)", n, len(d.m.st.rows))
	}
	if tm, _ := d.Pending(pollTickMsg{}); tm.After != pollEvery {
		t.Errorf("after the payment settled the pace should return to %s, got %s", pollEvery, tm.After)
	}
}

func TestFilterAsYouType(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	target := d.m.st.rows[5].inv
	d.Press("/")
	if !d.m.Capturing() {
		t.Fatal("the filter does not capture keys")
	}
	d.TypeText(strings.ToLower(target.ID))
	if d.m.rowCount() == 0 || d.m.selected().inv.ID != target.ID {
		t.Fatalf("filter %q: %d rows, first %v", target.ID, d.m.rowCount(), d.m.selected())
	}
	if d.m.rowCount() >= len(d.m.st.rows) {
		t.Errorf("filter did not narrow: %d of %d", d.m.rowCount(), len(d.m.st.rows))
	}
	d.Press("enter") // keep the filter, leave the box
	if d.m.Capturing() || d.m.filter.Query() == "" {
		t.Errorf("enter should keep the filter and release keys")
	}
	d.Press("esc")
	if d.m.rowCount() != len(d.m.st.rows) || d.m.filter.Query() != "" {
		t.Errorf("esc did not clear the filter")
	}
	// Backspacing widens again (the narrowing shortcut must not stick).
	d.Press("/")
	d.TypeText("card")
	narrow := d.m.rowCount()
	d.Press("backspace", "backspace", "backspace", "backspace")
	if narrow == 0 || narrow >= len(d.m.st.rows) || d.m.rowCount() != len(d.m.st.rows) {
		t.Errorf("card: %d rows; after clearing %d of %d", narrow, d.m.rowCount(), len(d.m.st.rows))
	}
}

func TestStateFilter(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	d.requestPush(failPhone, "300", "ORDER-F")
	id := d.m.watch.id
	for i := 0; i < 10; i++ {
		f.Advance(pollFast)
		d.Fire(pollTickMsg{})
	}
	d.Press("esc") // close the watch
	want := []string{"PENDING", "PROCESSING", "COMPLETE", "FAILED", "all"}
	for _, state := range want {
		d.Press("s")
		if !strings.Contains(d.View(), "state: "+state) {
			t.Errorf("after s the filter line does not say %q:\n%s", state, d.View())
		}
		for i := 0; i < d.m.rowCount(); i++ {
			if r := d.m.view.at(d.m.st, i); state != "all" && r.inv.State != state {
				t.Errorf("state %s shows a %s row", state, r.inv.State)
			}
		}
		if state == "FAILED" {
			if d.m.rowCount() != 1 || d.m.selected().inv.ID != id {
				t.Errorf("FAILED shows %d rows", d.m.rowCount())
			}
			if v := d.View(); !strings.Contains(v, "✖ FAILED · The balance") {
				t.Errorf("the failure reason is not shown:\n%s", v)
			}
		}
	}
}

func TestDetail(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	r := d.m.selected()
	d.Press("enter")
	v := d.View()
	for _, s := range []string{"Payment " + r.inv.ID, "✔ COMPLETE", "Charges", r.inv.NetAmount.String(),
		"M-Pesa ref", r.inv.MpesaReference, "Refunds", "Payer"} {
		if !strings.Contains(v, s) {
			t.Errorf("detail lacks %q:\n%s", s, v)
		}
	}
	d.Press("esc")
	if d.m.detail != nil {
		t.Error("esc did not close the detail")
	}
}

func TestRefundHandOff(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	r := d.m.selected()
	d.Press("R")
	g, ok := d.Last(reflect.TypeFor[common.GoToMsg]()).(common.GoToMsg)
	testcheck.Expect(t, "R sent", g, testcheck.C("a GoToMsg", ok), testcheck.C("to Refunds", g.Tab == "Refunds"),
		testcheck.C("opening the refund of the row", g.Msg == (common.OpenRefundMsg{InvoiceID: r.inv.ID})))
	// The palette entry does the same, and names its permission.
	d.Shell = nil
	for _, a := range d.m.Actions() {
		if a.Key.Help().Key == "R" {
			testcheck.Check(t, "refund action", a.Perm, testcheck.C("PermRefund", a.Perm == common.PermRefund))
			d.Feed(a.Msg)
		}
	}
	g, _ = d.Last(reflect.TypeFor[common.GoToMsg]()).(common.GoToMsg)
	testcheck.Check(t, "palette refund sent", d.Shell, testcheck.C("a GoToMsg to Refunds", g.Tab == "Refunds"))
	// Not on an unpaid invoice.
	d.requestPush(failPhone, "100", "")
	d.Press("esc", "home")
	d.Shell = nil
	d.Press("R")
	testcheck.Check(t, "R on a PENDING payment", d.Shell, testcheck.C("no GoToMsg", d.Last(reflect.TypeFor[common.GoToMsg]()) == nil),
		testcheck.C("a toast saying why", strings.Contains(strings.Join(d.Toasts(), ""), "Only a COMPLETE payment")))
	checkViewerCannotRefund(t, f)
}

// checkViewerCannotRefund: a viewer may not refund or collect; the keys
// are unbound and the help does not offer them.
func checkViewerCannotRefund(t *testing.T, f *fixture) {
	t.Helper()
	c := f.common()
	c.Role = common.RoleViewer
	v := newDriver(t, c, 120, 36).init()
	v.Press("R", "p", "l")
	testcheck.Check(t, "viewer's R/p/l", v.Shell, testcheck.C("only the load's HealthMsg", len(v.Shell) == 1), testcheck.C("no form", v.m.form == nil))
	for _, b := range v.m.ShortHelp() {
		k := b.Help().Key
		testcheck.Check(t, "viewer's help", k, testcheck.C("no R, p or l", k != "R" && k != "p" && k != "l"))
	}
}

func TestPollsNeverOverlap(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	d.Timers, d.polls = nil, 0
	d.hold = true
	d.Feed(pollTickMsg{gen: d.m.timerGen})
	if d.polls != 1 || !d.m.inFlight {
		t.Fatalf("the tick did not start a poll (%d)", d.polls)
	}
	d.Feed(pollTickMsg{gen: d.m.timerGen}) // a second tick while the first poll is out
	d.Run(d.m.Refresh())                   // and a manual refresh
	if d.polls != 1 {
		t.Errorf("%d polls in flight, want 1", d.polls)
	}
	// A poll of a loaded list shows nothing while in flight, so it arms
	// no spinner clock either (a frame per tick in every SSH session).
	if len(d.Timers) > 0 {
		t.Errorf("timers armed while in flight: %+v", d.Timers)
	}
	d.release()
	if d.m.inFlight {
		t.Error("still in flight after the answer")
	}
	if n := countTimers(d, pollTickMsg{}); n != 1 {
		t.Errorf("%d poll timers after the answer, want 1", n)
	}
}

func countTimers(d *driver, sample any) int {
	n := 0
	for _, tm := range d.Timers {
		if reflect.TypeOf(tm.Msg) == reflect.TypeOf(sample) {
			n++
		}
	}
	return n
}

func TestHiddenPausesPolling(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	d.Run(d.m.SetShown(false))
	before := d.polls
	d.Fire(pollTickMsg{})
	if d.polls != before {
		t.Errorf("a hidden view polled")
	}
	if countTimers(d, pollTickMsg{}) != 0 {
		t.Errorf("a hidden view re-armed its timer")
	}
	if !strings.Contains(d.View(), "paused") {
		t.Errorf("title does not say paused:\n%s", d.View())
	}
	f.push(sandboxPhone, client.Units(90), "")
	f.Advance(10 * time.Second)
	d.Run(d.m.SetShown(true)) // catches up at once
	if d.polls != before+1 || d.m.sum.today.count == 0 || !strings.Contains(d.View(), "live") {
		t.Errorf("showing again did not poll (%d → %d)", before, d.polls)
	}
}

func TestErrorsBackOff(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	f.Server.SetFaults([]sim.Fault{{Route: "transactions", Kind: sim.ServerError, Status: 503}})
	var waits []time.Duration
	for i := 0; i < 4; i++ {
		d.Fire(pollTickMsg{})
		tm, ok := d.Pending(pollTickMsg{})
		if !ok {
			t.Fatal("no timer after a failed poll")
		}
		waits = append(waits, tm.After)
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second, 30 * time.Second}
	if !reflect.DeepEqual(waits, want) {
		t.Errorf("back-off %v, want %v", waits, want)
	}
	if h := d.Last(reflect.TypeFor[common.HealthMsg]()).(common.HealthMsg); h.OK {
		t.Error("a 503 was reported healthy")
	}
	if v := d.View(); !strings.Contains(v, "stale") || !strings.Contains(v, "retry in 30s") {
		t.Errorf("staleness not shown:\n%s", v)
	}
	if len(d.m.st.rows) == 0 {
		t.Error("stale rows were dropped")
	}
	if d.Last(reflect.TypeFor[common.ErrorMsg]()) != nil {
		t.Error("a background poll failure opened the error panel")
	}
	f.Server.SetFaults(nil)
	d.Fire(pollTickMsg{})
	if tm, _ := d.Pending(pollTickMsg{}); tm.After != pollEvery || d.m.pollErr != "" {
		t.Errorf("recovery: next %s, err %q", tm.After, d.m.pollErr)
	}
	if h := d.Last(reflect.TypeFor[common.HealthMsg]()).(common.HealthMsg); !h.OK {
		t.Error("recovery not reported healthy")
	}
}

func TestQuitWarningAndCapturing(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	if d.m.QuitWarning() != "" || d.m.Capturing() {
		t.Errorf("idle view: warning %q, capturing %v", d.m.QuitWarning(), d.m.Capturing())
	}
	d.Press("p")
	if !d.m.Capturing() || d.m.QuitWarning() != "" {
		t.Errorf("empty form: capturing %v, warning %q", d.m.Capturing(), d.m.QuitWarning())
	}
	d.TypeText("0708")
	if !strings.Contains(d.m.QuitWarning(), "unsent input") {
		t.Errorf("typed form: warning %q", d.m.QuitWarning())
	}
	d.Press("esc")
	d.requestPush(sandboxPhone, "10", "")
	if !strings.Contains(d.m.QuitWarning(), "still pending") {
		t.Errorf("open push: warning %q", d.m.QuitWarning())
	}
	for i := 0; i < 10; i++ {
		f.Advance(pollFast)
		d.Fire(pollTickMsg{})
	}
	if d.m.QuitWarning() != "" {
		t.Errorf("settled push: warning %q", d.m.QuitWarning())
	}
	// The spinner stops once nothing is under way.
	for i := 0; i < 3; i++ {
		d.Fire(spinMsg{})
	}
	if d.m.spin.Running() || countTimers(d, spinMsg{}) != 0 {
		t.Error("the spinner keeps ticking with nothing to wait for")
	}
}

// An open invoice IntaSend does not know is asked about once, not forever.
func TestUnknownInvoiceNotPolledForever(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	loc := tuitest.EAT()
	d.m.st.upsert(client.Invoice{ID: "NOSUCH1", State: client.InvoicePending, CreatedAt: f.Clock.Now()}, nil, loc, time.Time{})
	if ids := d.m.toCheck(); len(ids) != 1 || ids[0] != "NOSUCH1" {
		t.Fatalf("toCheck = %v", ids)
	}
	d.Fire(pollTickMsg{})
	if ids := d.m.toCheck(); len(ids) != 0 {
		t.Errorf("still asking about %v after a 404", ids)
	}
	if d.m.pollErr != "" {
		t.Errorf("a 404 counted as a failed poll: %q", d.m.pollErr)
	}
}

// A payment that completes between two polls is announced to the other
// screens (Wallets refreshes its balances on it); the first load, which
// brings history, announces nothing (issue 11, item 11).
func TestCompletedPaymentIsBroadcast(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	broadcasts := reflect.TypeFor[common.BroadcastMsg]()
	if n := d.Count(broadcasts); n != 0 {
		t.Fatalf("the first load broadcast %d times", n)
	}
	d.Fire(pollTickMsg{}) // nothing new
	if n := d.Count(broadcasts); n != 0 {
		t.Fatalf("a quiet poll broadcast %d times", n)
	}
	id := f.push(sandboxPhone, client.Units(777), "WALK-IN")
	f.Advance(10 * time.Second) // the customer pays
	d.Fire(pollTickMsg{})
	b, _ := d.Last(broadcasts).(common.BroadcastMsg)
	got, ok := b.Msg.(common.CollectionsCompletedMsg)
	if !ok || !slices.Contains(got.InvoiceIDs, id) {
		t.Fatalf("broadcast %+v, want CollectionsCompletedMsg naming %s", b, id)
	}
	d.Fire(pollTickMsg{}) // the same payment again: no second announcement
	if n := d.Count(broadcasts); n != 1 {
		t.Fatalf("%d broadcasts, want 1", n)
	}
}

// `/` searches the whole feed, not only the rows the first load brought
// (issue 11, item 13): while it keeps less than a screenful it reads older
// pages, one at a time, saying so; clearing the filter stops it.
func TestFilterSearchesOlderPages(t *testing.T) {
	f := seeded(t)
	id := oldestSaleInvoice(t, f)
	cases := []struct {
		name  string
		clear bool // esc while the first older page is on its way
	}{
		{"searches to the end", false},
		{"clearing stops it", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, f.common(), 120, 36).init()
			testcheck.Expect(t, "the first load", id, testcheck.C("does not hold it", d.row(id) == nil), testcheck.C("has an older page", d.m.older.next != 0))
			loadedFirst := len(d.m.st.rows)
			held := holdOlderPages(d)
			d.Press("/")
			d.TypeText(id)
			testcheck.Expect(t, fmt.Sprintf("%d older pages asked for while typing; screen:\n%s", len(*held), d.View()), *held,
				testcheck.C("one at a time", len(*held) == 1), testcheck.C("saying it searches", strings.Contains(d.View(), "searching… ")))
			if tc.clear {
				checkClearStopsSearch(t, d, held, loadedFirst)
				return
			}
			for len(*held) > 0 { // deliver each page; the next is asked for as one lands
				msg := (*held)[0]
				*held = (*held)[1:]
				d.Run(d.Update(msg)) // past the intercept, which would hold it again
			}
			want := fmt.Sprintf("1 match of %d (all loaded)", len(d.m.st.rows))
			testcheck.Expect(t, "search; screen:\n"+d.View(), id, testcheck.C("found", d.row(id) != nil), testcheck.C("the one row", d.m.rowCount() == 1),
				testcheck.C("says "+want, strings.Contains(d.View(), want)))
		})
	}
}

// oldestSaleInvoice is the invoice of the oldest sale of the seeded month,
// far outside the first load.
func oldestSaleInvoice(t *testing.T, f *fixture) string {
	t.Helper()
	var oldest client.WalletTransaction
	for page := 1; ; page++ {
		pg, err := f.Client.Transactions(f.Ctx, client.TransactionFilter{TransType: "SALE", Page: page})
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Results) > 0 {
			oldest = pg.Results[len(pg.Results)-1]
		}
		if !pg.HasNext() || len(pg.Results) == 0 {
			break
		}
	}
	if oldest.Invoice == nil {
		t.Fatal("no sale with an invoice in the seeded feed")
	}
	return oldest.Invoice.ID
}

// holdOlderPages makes d hold back older-page answers; they gather in the
// slice returned.
func holdOlderPages(d *driver) *[]tea.Msg {
	var held []tea.Msg
	d.Intercept = func(msg tea.Msg) bool {
		_, ok := msg.(olderMsg)
		if ok {
			held = append(held, msg)
		}
		return ok || d.intercept(msg)
	}
	return &held
}

// checkClearStopsSearch clears the filter while the first older page is
// in flight: the page lands (and is kept); even if the feed went on past
// it, nothing more is asked for.
func checkClearStopsSearch(t *testing.T, d *driver, held *[]tea.Msg, loadedFirst int) {
	t.Helper()
	d.Press("esc")
	page := (*held)[0].(olderMsg)
	page.more = true
	*held = nil
	d.Run(d.Update(page))
	testcheck.Expect(t, fmt.Sprintf("after clearing: %d pages asked for, next %d, %d rows (first load %d)", len(*held), d.m.older.next, len(d.m.st.rows), loadedFirst), *held,
		testcheck.C("no page asked for", len(*held) == 0), testcheck.C("not loading", !d.m.older.loading),
		testcheck.C("next is the page after", d.m.older.next == page.page+1), testcheck.C("the page kept", len(d.m.st.rows) > loadedFirst))
}

// TestFilterIsTheSharedBox: Collections' "/" is the table's FilterBox, so
// it behaves as every other list's: spaces alone are no filter (enter
// leaves an empty box and the plain count), and esc in the box clears it.
func TestFilterIsTheSharedBox(t *testing.T) {
	f := seeded(t)
	for _, tc := range []struct {
		name, typed, key string
		capturing        bool
		line             string
	}{
		{"spaces are no filter", "   ", "enter", false, "/ filter"},
		{"enter keeps a query", "mpesa", "enter", false, "match"},
		{"esc clears", "mpesa", "esc", false, "/ filter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, f.common(), 120, 36).init()
			d.Press("/")
			d.TypeText(tc.typed)
			d.Press(tc.key)
			line := tuitest.Strip(d.m.filterLine())
			if d.m.Capturing() != tc.capturing || !strings.Contains(line, tc.line) {
				t.Fatalf("capturing %v, filter line %q; want %v and %q", d.m.Capturing(), line, tc.capturing, tc.line)
			}
			if tc.line == "/ filter" && (d.m.rowCount() != len(d.m.st.rows) || !strings.Contains(line, d.m.tbl.Count("payment", "payments"))) {
				t.Fatalf("rows %d of %d, line %q", d.m.rowCount(), len(d.m.st.rows), line)
			}
		})
	}
}
