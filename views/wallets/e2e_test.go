package wallets

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/tuitest"
)

// TestEndToEndTransfer moves money between two wallets the way a person
// does (keys, form, typed confirmation), against the simulator over
// loopback HTTP, then checks that every balance on screen is the
// simulator's own.
func TestEndToEndTransfer(t *testing.T) {
	f := history(t)
	d := newDriver(t, f.common(), 120, 36).init()
	before, _ := f.Server.Wallet(f.ids["settlement"])

	d.Press("t") // from the settlement wallet, to Operations (first choice)
	d.Press("tab")
	d.TypeText("1,500")
	d.Press("tab")
	d.TypeText("float for the week")
	d.Press("enter")
	c := d.Confirm()
	if c.Typed != "1,500.00" {
		t.Fatalf("typed confirmation %q", c.Typed)
	}
	if d.m.form != nil {
		t.Fatalf("form still open after the transfer:\n%s", d.View())
	}
	ts := d.Toasts()
	if len(ts) == 0 || !strings.Contains(ts[len(ts)-1], "Moved KES 1,500.00 from default to Operations") {
		t.Fatalf("toasts %q", ts)
	}
	after, _ := f.Server.Wallet(f.ids["settlement"])
	if before.Available-after.Available != client.Units(1500) {
		t.Fatalf("settlement moved by %s", before.Available-after.Available)
	}
	assertBalancesMatch(t, d, f.Server)

	// Both statements show the transfer on top, with the simulator's balance.
	for label, key := range map[string]string{"default": "settlement", "Operations": "Operations"} {
		w, _ := f.Server.Wallet(f.ids[key])
		for i, x := range d.m.wallets {
			if x.ID == w.ID {
				d.m.setCursor(i)
			}
		}
		d.Press("enter")
		top := d.m.detail.rows[0]
		if top.Narrative != "float for the week" || top.RunningBalance != w.Current {
			t.Errorf("%s: top line %+v, simulator balance %s", label, top, w.Current)
		}
		sign := "+"
		if label == "default" {
			sign = "−"
		}
		if v := d.View(); !strings.Contains(v, sign+"KES 1,500.00") {
			t.Errorf("%s statement:\n%s", label, v)
		}
		d.Press("esc")
	}
}

// assertBalancesMatch finds each simulator wallet's row on screen and
// compares both balances, then the per-currency totals.
func assertBalancesMatch(t *testing.T, d *driver, s *sim.Server) {
	t.Helper()
	assertViewBalances(t, d.View(), s)
}

func assertViewBalances(t *testing.T, view string, s *sim.Server) {
	t.Helper()
	totals := map[string][2]client.Amount{}
	for _, w := range s.Wallets() {
		row := rowFor(view, w.Label)
		if row == "" {
			t.Fatalf("no row for %s:\n%s", w.Label, view)
		}
		for _, a := range []client.Amount{w.Available, w.Current} {
			if !strings.Contains(row, a.Format(w.Currency)) {
				t.Errorf("%s shows %q, simulator has available %s current %s", w.Label, row, w.Available, w.Current)
			}
		}
		t := totals[w.Currency]
		totals[w.Currency] = [2]client.Amount{t[0] + w.Available, t[1] + w.Current}
	}
	for cur, tt := range totals {
		row := lineWith(view, "Total "+cur)
		if !strings.Contains(row, tt[0].Format(cur)) || !strings.Contains(row, tt[1].Format(cur)) {
			t.Errorf("total %s row %q, simulator %s / %s", cur, row, tt[0], tt[1])
		}
	}
}

// rowFor is the table row whose label column starts with label (the first
// two cells are the cursor mark).
func rowFor(s, label string) string {
	for _, l := range strings.Split(s, "\n") {
		if r := []rune(l); len(r) > 2 && strings.HasPrefix(string(r[2:]), label+"  ") {
			return l
		}
	}
	return ""
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// TestStatementPaging loads a long statement page by page as the cursor
// nears the end, and never while filtered.
func TestStatementPaging(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 22, 9, 0, 0, 0, tuitest.EAT()))
	settle := f.Server.SettlementWalletID()
	other := f.wallet("Other", "KES", false)
	f.collect("", client.Units(1000))
	for i := 0; i < 124; i++ { // 2 lines on the settlement wallet + 124 + 124 = 250
		f.transfer(settle, other, client.Units(1), fmt.Sprintf("out %d%s", i, map[bool]string{true: " needle"}[i == 0]))
		f.transfer(other, settle, client.Units(1), fmt.Sprintf("back %d", i))
		f.Advance(time.Second)
	}
	d := newDriver(t, f.common(), 80, 20).init()
	d.Press("enter")
	dt := d.m.detail
	pageState := func() string { return fmt.Sprintf("%d rows, next %d, count %d", len(dt.rows), dt.next, dt.count) }
	testcheck.Expect(t, "first page", pageState(), testcheck.C("100 rows", len(dt.rows) == 100), testcheck.C("next 2", dt.next == 2),
		testcheck.C("count 250", dt.count == 250), testcheck.C("header says so", strings.Contains(d.View(), "100 of 250 loaded")))
	// A filter that fills the screen from what is loaded fetches nothing.
	d.Press("/")
	d.TypeText("back 1")
	d.Press("end")
	testcheck.Expect(t, "rows with the filter", len(dt.rows), testcheck.C("no more pages", len(dt.rows) == 100))
	d.Press("esc")
	// Near the end: the next page comes.
	d.Press("end")
	testcheck.Expect(t, "after end", pageState(), testcheck.C("200 rows", len(dt.rows) == 200), testcheck.C("next 3", dt.next == 3))
	d.Press("end")
	testcheck.Expect(t, "after the last page", pageState(), testcheck.C("250 rows", len(dt.rows) == 250), testcheck.C("no next", dt.next == 0))
	seen := map[string]bool{}
	for _, r := range dt.rows {
		testcheck.Expect(t, "row "+r.ID, seen[r.ID], testcheck.C("loaded once", !seen[r.ID]))
		seen[r.ID] = true
	}
	// New money on top arrives with a refresh and the cursor stays put.
	cur := dt.currentID()
	f.collect("", client.Units(77))
	d.Press("r")
	testcheck.Expect(t, fmt.Sprintf("after refresh: cursor on %s (was %s), top %s", dt.currentID(), cur, dt.rows[0].TransType), len(dt.rows),
		testcheck.C("252 rows", len(dt.rows) == 252), testcheck.C("cursor stays", dt.currentID() == cur), testcheck.C("CHARGE on top", dt.rows[0].TransType == "CHARGE"))
}

// synthRows makes n statement lines for render tests and benchmarks.
func synthRows(n int) []client.WalletTransaction {
	rows := make([]client.WalletTransaction, n)
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, tuitest.EAT())
	bal := client.Units(1_000_000)
	for i := range rows {
		v := client.Amount(int64(i%97+1) * 1234)
		typ, note := "SALE", fmt.Sprintf("M-PESA payment from 2547%08d", i)
		if i%3 == 0 {
			v, typ, note = -v/3, "PAYOUT", fmt.Sprintf("MPESA-B2C to supplier %d", i)
		}
		rows[i] = client.WalletTransaction{ID: fmt.Sprintf("TX%07d", i), Currency: "KES", Value: v, RunningBalance: bal,
			Narrative: note, TransType: typ, Status: "AVAILABLE", CreatedAt: t0.Add(-time.Duration(i) * time.Minute)}
		bal -= v
	}
	return rows
}

// openWith opens the first wallet and feeds it rows as one loaded page.
func openWith(d *driver, rows []client.WalletTransaction, next bool) {
	w := client.Wallet{ID: "SYNTH01", Label: "Synthetic", Currency: "KES", Type: "WORKING"}
	d.m.wallets, d.m.loaded = []client.Wallet{w}, true
	d.m.setCursor(0)
	d.m.detail = d.m.newDetail(w)
	d.m.detail.loading = true
	p := &client.Page[client.WalletTransaction]{Count: len(rows), Results: rows}
	if next {
		p.Next = "more"
	}
	d.Feed(txPageMsg{walletID: w.ID, gen: d.m.seq, page: 1, p: p})
}

// TestWindowing: 10,000 loaded rows draw exactly one screen.
func TestWindowing(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 22, 9, 0, 0, 0, tuitest.EAT()))
	for _, n := range []int{3, 50, 10_000} {
		d := newDriver(t, f.common(), 80, 20)
		openWith(d, synthRows(n), false)
		d.Press("pgdown", "pgdown", "down")
		v := d.View()
		tuitest.CheckBox(t, v, 80, 20)
		lines := strings.Count(v, "\n") + 1
		if want := min(n, d.m.detailRows()) + 4; lines != want {
			t.Errorf("%d rows: %d lines drawn, want %d", n, lines, want)
		}
		if !strings.Contains(v, "▸ ") {
			t.Errorf("%d rows: cursor row not drawn", n)
		}
	}
}

// `/` searches the whole statement, not only the rows loaded (issue 11,
// item 13): while the filter keeps less than a screenful and pages remain,
// it loads them one at a time, saying so; clearing the filter stops it.
func TestFilterSearchesEveryPage(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 22, 9, 0, 0, 0, tuitest.EAT()))
	settle := f.Server.SettlementWalletID()
	other := f.wallet("Other", "KES", false)
	f.collect("", client.Units(1000))
	for i := 0; i < 124; i++ { // 250 lines on the settlement wallet; "needle" is on the oldest page
		f.transfer(settle, other, client.Units(1), fmt.Sprintf("out %d%s", i, map[bool]string{true: " needle"}[i == 0]))
		f.transfer(other, settle, client.Units(1), fmt.Sprintf("back %d", i))
		f.Advance(time.Second)
	}
	cases := []struct {
		name      string
		clear     bool // esc while the second page is on its way
		wantRows  int
		wantMatch int
		wantLine  string
	}{
		{"searches to the end", false, 250, 1, "1 match of 250 (all loaded)"},
		{"clearing stops it", true, 200, 0, "200 of 250 loaded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, f.common(), 80, 20).init()
			d.Press("enter")
			dt := d.m.detail
			// Hold pages back, to see the search under way.
			held := d.Hold(txPageMsg{})
			d.Press("/")
			d.TypeText("needle")
			if len(held.Msgs) != 1 || !strings.Contains(d.View(), "searching… 100 of 250 loaded · 0 match") {
				t.Fatalf("%d pages asked for while typing, want 1 at a time; screen:\n%s", len(held.Msgs), d.View())
			}
			if tc.clear {
				d.Press("esc")
			}
			// Deliver each page; the next is asked for only as one lands.
			held.Drain()
			match := 0
			if dt.tbl.Filtered() {
				match = dt.shown()
			}
			if len(dt.rows) != tc.wantRows || match != tc.wantMatch {
				t.Fatalf("%d rows loaded, %d match; want %d, %d", len(dt.rows), match, tc.wantRows, tc.wantMatch)
			}
			if !strings.Contains(d.View(), tc.wantLine) {
				t.Fatalf("screen lacks %q:\n%s", tc.wantLine, d.View())
			}
		})
	}
}
