package pulse

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
)

var start = time.Date(2026, 11, 22, 9, 30, 0, 0, tuitest.EAT())

func sale(at time.Duration, provider, value string) client.WalletTransaction {
	return client.WalletTransaction{TransType: "SALE", CreatedAt: start.Add(-at), Value: client.MustAmount(value),
		Invoice: &client.Invoice{Provider: provider}}
}

// TestCompute: sales land in the right 5-minute and hourly bars, sums are
// exact, attempts count the last LastN settled invoices only.
func TestCompute(t *testing.T) {
	lines := []client.WalletTransaction{
		sale(time.Minute, "M-PESA", "100.10"), sale(4*time.Minute, "M-PESA", "0.20"), sale(50*time.Minute, "M-PESA", "5"),
		sale(2*time.Hour, "M-PESA", "1000"), sale(25*time.Hour, "M-PESA", "7"), sale(3*time.Hour, "CARD-PAYMENT", "9999.99"),
		{TransType: "PAYOUT", CreatedAt: start.Add(-time.Hour), Value: client.Units(-300)},
		{TransType: "PAYOUT", CreatedAt: start.Add(-12 * time.Hour), Value: client.Units(-1)}, // yesterday
	}
	var invs []client.Invoice
	for i := range 25 {
		inv := client.Invoice{State: client.InvoiceComplete, UpdatedAt: start.Add(-time.Duration(i) * time.Minute)}
		switch {
		case i%5 == 1:
			inv.State, inv.FailedReason = client.InvoiceFailed, "Wrong PIN"
		case i == 3:
			inv.State, inv.FailedReason = client.InvoiceFailed, "Insufficient funds"
		case i == 4:
			inv.State = client.InvoicePending // not settled: not an attempt yet
		}
		invs = append(invs, inv)
	}
	w := &client.Wallet{AvailableBalance: client.Units(1000), CurrentBalance: client.MustAmount("1200.50")}
	s := Compute(start, lines, invs, w)
	C := testcheck.C
	testcheck.Expect(t, "channels", s.Channels, C("two", len(s.Channels) == 2), C("card first", len(s.Channels) > 0 && s.Channels[0].Provider == "CARD-PAYMENT"))
	mp := s.Channels[1]
	testcheck.Check(t, "M-Pesa", mp, C("hour sum 105.30", mp.HourSum == client.MustAmount("105.30")),
		C("day sum 1105.30", mp.DaySum == client.MustAmount("1105.30")), C("hour bucket 11", mp.Hour[11] == client.MustAmount("100.30")),
		C("hour bucket 1", mp.Hour[1] == client.Units(5)), C("day bucket 21", mp.Day[21] == client.Units(1000)))
	testcheck.Check(t, "attempts, ok, reasons", fmt.Sprintf("%d %d %+v", s.Attempts, s.OK, s.Reasons), C("LastN attempts", s.Attempts == LastN),
		C("15 ok", s.OK == 15), C("two reasons", len(s.Reasons) == 2), C("Wrong PIN ×4 first", len(s.Reasons) > 0 && s.Reasons[0] == (Reason{"Wrong PIN", 4})))
	testcheck.Check(t, "payouts, count, held", fmt.Sprint(s.PayoutsToday.Decimal(), s.PayoutCount, s.Held.Decimal()),
		C("today 300", s.PayoutsToday == client.Units(300)), C("one payout", s.PayoutCount == 1), C("held 200.50", s.Held == client.MustAmount("200.50")))
	got := spark([]client.Amount{0, 1, 4, 8})
	testcheck.Check(t, "spark", got, C("·▁▄█", got == "·▁▄█"))
}

type harness struct {
	s *tuitest.Sim
	m *Model
	d *tuitest.Driver
}

func newHarness(t *testing.T) *harness {
	s := tuitest.NewSim(t, start, tuitest.WithOptions(sim.Options{Seed: true, Rand: 7}))
	m := New(s.Common(common.ModeSandbox, ""))
	d := tuitest.NewDriver(t, func(msg tea.Msg) tea.Cmd { cmd, _ := m.Update(msg); return cmd }, func() string { return "" })
	m.SetSched(d.Sched)
	return &harness{s, m, d}
}

// screen compares the full strip and, as "_compact", the strip in the
// four lines Wallets gives it at 80x24.
func (h *harness) screen(t *testing.T, name string, w int) {
	t.Helper()
	got := tuitest.Strip(strings.Join(h.m.Lines(w, 10), "\n"))
	tuitest.Screen(t, name, got, w, 10)
	compact := tuitest.Strip(strings.Join(h.m.Lines(w, 4), "\n"))
	tuitest.Screen(t, name+"_compact", compact, w, 4)
}

// TestPulseBanner: the strip at 80 and 120 columns while all is well,
// when most recent payments fail (wrong PINs, no funds), and when
// IntaSend stops answering; the banner goes once it answers again.
func TestPulseBanner(t *testing.T) {
	for _, w := range []int{80, 120} {
		size := map[int]string{80: "80x24", 120: "120x40"}[w]
		t.Run(size, func(t *testing.T) {
			h := newHarness(t)
			h.d.Run(h.m.Start())
			if h.m.Wrong() {
				t.Fatal("banner on a healthy account")
			}
			h.screen(t, "healthy_"+size, w)

			for i := range 14 { // most recent attempts fail
				phone := []string{"254700000001", "254700000002", "254700000003"}[i%3]
				if _, err := h.s.Client.STKPush(t.Context(), client.STKPushRequest{Phone: client.Phone(phone), Amount: client.Units(100)}); err != nil {
					t.Fatal(err)
				}
			}
			h.s.Advance(2 * time.Minute)
			if n := h.d.Fire(Refresh()); n != 1 {
				t.Fatalf("%d refresh timers", n)
			}
			if !h.m.Wrong() {
				t.Fatalf("no banner at %.0f%%", 100*h.m.snap.Rate())
			}
			h.screen(t, "failing_"+size, w)

			h.s.Server.SetFaults([]sim.Fault{{Route: "*", Kind: sim.ServerError, Status: 503}})
			h.d.Fire(Refresh())
			h.screen(t, "down_"+size, w)
			tuitest.MustContain(t, strings.Join(h.m.Lines(w, 10), "\n"), "IntaSend is not answering")

			h.s.Server.SetFaults(nil)
			h.d.Fire(Refresh())
			if h.m.err != nil {
				t.Errorf("still failing: %v", h.m.err)
			}
		})
	}
}

// TestPulseEvents: the strip runs whether or not its host is shown (the
// status bar's alarm needs it); a burst of collection webhooks costs one
// refresh after EventDelay, an event during a refresh one more once it
// lands, and the minute timer of before is dropped, so there is one chain
// of refreshes only. Other events are ignored.
func TestPulseEvents(t *testing.T) {
	h := newHarness(t)
	if h.m.Event(common.WebhookMsg{Type: "collection"}) != nil {
		t.Fatal("an event before Start read IntaSend")
	}
	h.d.Run(h.m.Start())
	if h.d.Run(h.m.Start()); h.m.seq != 1 {
		t.Fatalf("Start twice: %d reads", h.m.seq)
	}
	first := h.m.snap
	if _, err := h.s.Client.STKPush(t.Context(), client.STKPushRequest{Phone: "254700000002", Amount: client.Units(100)}); err != nil {
		t.Fatal(err)
	}
	h.s.Advance(2 * time.Minute)
	for _, ev := range []tea.Msg{common.WebhookMsg{Type: "collection"}, common.WebhookMsg{Type: "collection"},
		common.CollectionsCompletedMsg{}, common.WebhookMsg{Type: "chargeback"}} {
		h.d.Run(h.m.Event(ev))
	}
	if got := h.d.PendingOne(soonMsg{}); got != EventDelay {
		t.Fatalf("event refresh after %v", got)
	}
	if n := h.d.Fire(Soon()); n != 1 || h.m.snap == first || h.m.seq != 2 {
		t.Fatalf("%d event timers, %d reads", n, h.m.seq)
	}
	if n := h.d.Fire(Refresh()); n != 2 || h.m.seq != 3 {
		t.Fatalf("the replaced minute timer read too: %d timers, %d reads", n, h.m.seq)
	}
	h.d.PendingOne(tickMsg{})

	// An event while a read is in flight: one more read once it lands.
	held := h.d.Hold(dataMsg{})
	h.d.Fire(Refresh())
	h.d.Run(h.m.Event(common.WebhookMsg{Type: "send_money"}))
	h.d.Fire(Soon())
	if h.m.seq != 4 || !h.m.again {
		t.Fatalf("reads %d again %v", h.m.seq, h.m.again)
	}
	held.Drain()
	held.Stop()
	if h.m.seq != 5 || h.m.loading {
		t.Fatalf("no read after the one in flight: %d reads, loading %v", h.m.seq, h.m.loading)
	}
	h.d.PendingOne(tickMsg{})
}

// TestPulseAlarm: the status bar hears of the alarm when it comes, when
// its words change and when it goes, and not on every refresh; once the
// host hears IntaSend answer again, the alarm goes within EventDelay.
func TestPulseAlarm(t *testing.T) {
	h := newHarness(t)
	h.d.Run(h.m.Start())
	alarms := func() []common.AlarmMsg {
		var out []common.AlarmMsg
		for _, m := range h.d.Shell {
			if a, ok := m.(common.AlarmMsg); ok {
				out = append(out, a)
			}
		}
		return out
	}
	h.d.Fire(Refresh())
	if got := alarms(); len(got) != 0 {
		t.Fatalf("alarms on a healthy account: %+v", got)
	}
	h.s.Server.SetFaults([]sim.Fault{{Route: "*", Kind: sim.ServerError, Status: 503}})
	h.d.Fire(Refresh())
	h.d.Fire(Refresh())
	h.s.Server.SetFaults(nil)
	// The host heard IntaSend answer: the strip reads soon, not at its
	// backed-off minute.
	h.d.Run(h.m.Answered())
	if n := h.d.Fire(Soon()); n != 1 || h.m.err != nil {
		t.Fatalf("%d reads after IntaSend answered the host; err %v", n, h.m.err)
	}
	if h.m.Answered() != nil {
		t.Error("a healthy strip read again because the host's read went through")
	}
	want := []common.AlarmMsg{{Text: "✖ IntaSend not answering", Short: "✖ IntaSend", Unreachable: true}, {}}
	if got := alarms(); !slices.Equal(got, want) {
		t.Fatalf("alarms %+v, want %+v", got, want)
	}
}

// batchFixture initiates real batches on the simulator and records them in
// a real journal, as the Payouts tab does.
type batchFixture struct {
	h *harness
	j *payout.Journal
}

func (f *batchFixture) initiate(t *testing.T, account string, amount client.Amount) *client.Batch {
	t.Helper()
	d := payout.NewDraft(payout.Rail(client.MPesaB2C), start)
	d.Rows = []payout.Row{{Name: "Payee", Account: account, Amount: amount}}
	if err := f.j.RecordInitiating(d); err != nil {
		t.Fatal(err)
	}
	b, err := f.h.s.Client.InitiatePayout(t.Context(), client.InitiateRequest{Provider: client.MPesaB2C,
		Transactions: []client.PayoutItem{{Name: "Payee", Account: account, Amount: amount}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.j.RecordInitiated(d, b); err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *batchFixture) approve(t *testing.T, b *client.Batch) {
	t.Helper()
	got, err := f.h.s.Client.ApprovePayout(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.j.RecordApproved(b.TrackingID, got); err != nil {
		t.Fatal(err)
	}
}

// TestPulsePayouts: with the journal the strip counts the batches in
// flight and failed today from IntaSend's own status, and the float left
// is the available balance less the waiting batches and their charge
// estimates, to the cent.
// checkPulsePayouts: the snapshot counts the batches in flight, failed and
// waiting, sums what waits with its charges and takes it from the float.
func checkPulsePayouts(t *testing.T, s *tuitest.Sim, m *Model, waiting []*client.Batch) {
	t.Helper()
	testcheck.Expect(t, fmt.Sprintf("snapshot (error %v)", m.err), m.snap, testcheck.C("taken", m.snap != nil))
	p := m.snap.Payouts
	testcheck.Expect(t, "payouts", p, testcheck.C("one in flight", p.InFlight == 1), testcheck.C("one failed today", p.FailedToday == 1),
		testcheck.C("two waiting", p.Waiting == 2))
	var wantTotal, wantCharges client.Amount
	for _, b := range waiting {
		wantTotal += b.TotalAmount
		wantCharges += b.ChargeEstimate
	}
	testcheck.Check(t, fmt.Sprintf("waiting %s + %s (want %s + %s)", p.WaitingTotal.Decimal(), p.WaitingCharges.Decimal(), wantTotal.Decimal(), wantCharges.Decimal()), p,
		testcheck.C("charges estimated", wantCharges != 0), testcheck.C("total 12800.25", p.WaitingTotal == client.MustAmount("12800.25")),
		testcheck.C("charges", p.WaitingCharges == wantCharges), testcheck.C("none unestimated", p.Unestimated == 0))
	ws, err := s.Client.AllWallets(t.Context())
	testcheck.Must(t, "wallets", err)
	for _, wl := range ws {
		isKES := wl.Type == client.WalletSettlement && wl.Currency == "KES"
		testcheck.Check(t, fmt.Sprintf("float %s from available %s", m.snap.Float().Decimal(), wl.AvailableBalance.Decimal()), wl.ID,
			testcheck.C("available less what waits", !isKES || m.snap.Float() == wl.AvailableBalance-client.MustAmount("12800.25")-wantCharges))
	}
}

func TestPulsePayouts(t *testing.T) {
	for _, w := range []int{80, 120} {
		size := map[int]string{80: "80x24", 120: "120x40"}[w]
		t.Run(size, func(t *testing.T) {
			s := tuitest.NewSim(t, start, tuitest.WithOptions(sim.Options{Seed: true, Rand: 7}))
			j, err := payout.OpenJournal(t.TempDir())
			testcheck.Must(t, "journal", err)
			t.Cleanup(func() { j.Close() })
			j.SetClock(s.Clock.Now)
			m := New(s.Common(common.ModeSandbox, ""), WithBatches(j))
			d := tuitest.NewDriver(t, func(msg tea.Msg) tea.Cmd { cmd, _ := m.Update(msg); return cmd }, func() string { return "" })
			m.SetSched(d.Sched)
			f := &batchFixture{h: &harness{s, m, d}, j: j}

			failing := f.initiate(t, "254700000202", client.Units(500)) // fails at validation once approved
			f.approve(t, failing)
			s.Advance(3 * sim.DefaultTiming.BatchStep)
			f.approve(t, f.initiate(t, "254712345678", client.MustAmount("1500.50"))) // in flight
			waiting := []*client.Batch{f.initiate(t, "254712345679", client.Units(800)), f.initiate(t, "254712345670", client.MustAmount("12000.25"))}

			d.Run(m.Start())
			checkPulsePayouts(t, s, m, waiting)
			got := strings.Join(m.Lines(w, 10), "\n")
			tuitest.MustContain(t, got, "1 batch in flight", "1 failed today", "Float left", "2 waiting: KES 12,800.25")
			f.h.screen(t, "payouts_"+size, w)
		})
	}
}

// TestPulseTally: the status codes sort into waiting, in flight and failed
// today; a failure before midnight is not today's.
func TestPulseTally(t *testing.T) {
	today := midnight(start)
	bs := []*client.Batch{
		{StatusCode: client.BatchWaitingApproval, TotalAmount: client.Units(100), ChargeEstimate: client.Units(10)},
		{StatusCode: client.BatchNew, Transactions: []client.PayoutResult{{Amount: client.MustAmount("0.50")}}},
		{StatusCode: client.BatchPaying}, {StatusCode: client.BatchQueued},
		{StatusCode: client.BatchFloatFailed, UpdatedAt: today},
		{StatusCode: client.BatchCompleted, FailedAmount: client.Units(1), UpdatedAt: today.Add(time.Hour)},
		{StatusCode: client.BatchFailed, UpdatedAt: today.Add(-time.Second)},
		{StatusCode: client.BatchCompleted, UpdatedAt: today.Add(time.Hour)},
	}
	p := tally(bs, today)
	want := Payouts{Known: true, InFlight: 2, FailedToday: 2, Waiting: 2, WaitingTotal: client.MustAmount("100.50"),
		WaitingCharges: client.Units(10), Unestimated: 1}
	if p != want {
		t.Errorf("tally %+v, want %+v", p, want)
	}
}

// TestPulseBackoff: while IntaSend fails the strip asks less often
// (common.Backoff up to RefreshMost), and at once again at the normal
// pace when it answers; the first read turns the shared spinner.
func TestPulseBackoff(t *testing.T) {
	h := newHarness(t)
	h.s.Server.SetFaults([]sim.Fault{{Route: "*", Kind: sim.ServerError, Status: 503}})
	h.d.Run(h.m.Start())
	if _, ok := h.d.Pending(spinMsg{}); !ok {
		t.Error("no spinner frame for the first read")
	}
	var waits []time.Duration
	for range 5 {
		waits = append(waits, h.d.PendingOne(tickMsg{}))
		h.d.Fire(Refresh())
	}
	want := []time.Duration{2 * time.Minute, 4 * time.Minute, RefreshMost, RefreshMost, RefreshMost}
	if !slices.Equal(waits, want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	h.s.Server.SetFaults(nil)
	h.d.Fire(Refresh())
	if got := h.d.PendingOne(tickMsg{}); got != RefreshEvery || h.m.err != nil {
		t.Errorf("after recovery wait %v err %v", got, h.m.err)
	}
	h.d.Fire(spinMsg{})
	if h.m.spin.Running() {
		t.Error("spinner still turning once the figures came")
	}
}
