package wallets

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// setRange opens d on the statement and types the two ends.
func (d *driver) setRange(from, to string) {
	d.Press("d")
	d.Press("ctrl+u", "ctrl+k")
	d.TypeText(from)
	d.Press("tab", "ctrl+u", "ctrl+k")
	d.TypeText(to)
	d.Press("enter")
}

// TestStatementDateRange: the range narrows the rows (with the filter),
// says itself on the filter line, is refused with words when wrong, and
// the export writes exactly the rows shown, money as decimals and times
// in the export format.
// checkStatementExport: the export holds a header and the n rows shown,
// in order, with their time in EAT.
func checkStatementExport(t *testing.T, d *driver, dt *detail, n int) {
	t.Helper()
	got := exportTo(t, d)
	testcheck.Expect(t, fmt.Sprintf("export for %d rows", n), got, testcheck.C("a line per row and a header", len(got) == n+1),
		testcheck.C("header in EAT", len(got) > 0 && strings.HasPrefix(got[0][0], "Time (EAT +03:00)")))
	for i, rec := range got[1:] {
		tx := dt.at(i)
		want := []string{tx.CreatedAt.In(tuitest.EAT()).Format(time.DateTime), tx.TransType, tx.Value.Decimal(), tx.Currency, tx.RunningBalance.Decimal()}
		testcheck.Expect(t, fmt.Sprintf("line %d, want %q", i+1, want), rec, testcheck.C("the row", strings.Join(rec[:5], "|") == strings.Join(want, "|")),
			testcheck.C("its id", rec[7] == tx.ID))
	}
}

func TestStatementDateRange(t *testing.T) {
	f := history(t)
	eat := tuitest.EAT()
	cases := []struct {
		name, from, to, filter string
		first, end             time.Time // the rows' days: [first, end)
		label, err             string
	}{
		{name: "two days", from: "2026-11-20", to: "2026-11-21",
			first: time.Date(2026, 11, 20, 0, 0, 0, 0, eat), end: time.Date(2026, 11, 22, 0, 0, 0, 0, eat),
			label: "20 Nov 2026 – 21 Nov 2026"},
		{name: "words", from: "3d", to: "yesterday",
			first: time.Date(2026, 11, 19, 0, 0, 0, 0, eat), end: time.Date(2026, 11, 22, 0, 0, 0, 0, eat),
			label: "19 Nov 2026 – 21 Nov 2026"},
		{name: "with the filter", from: "7d", filter: "top-up",
			first: time.Date(2026, 11, 15, 0, 0, 0, 0, eat), end: time.Date(2026, 11, 23, 0, 0, 0, 0, eat),
			label: "since 15 Nov 2026"},
		{name: "reversed", from: "today", to: "7d", err: "from (22 Nov 2026) is after to (15 Nov 2026)"},
		{name: "not a date", from: "20/11", err: `"20/11" is not a date`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, f.common(), 120, 36).init()
			d.Press("enter")
			all := len(d.m.detail.rows)
			if tc.filter != "" {
				d.Press("/")
				d.TypeText(tc.filter)
				d.Press("enter")
			}
			d.setRange(tc.from, tc.to)
			dt := d.m.detail
			if tc.err != "" {
				testcheck.Expect(t, "a bad range", dt.rng, testcheck.C("form stays open", dt.picker != nil), testcheck.C("not applied", dt.rng.IsZero()))
				tuitest.MustContain(t, d.View(), tc.err)
				d.Press("esc")
				testcheck.Expect(t, "esc", dt.picker, testcheck.C("closes the form", dt.picker == nil), testcheck.C("releases the keyboard", !d.m.Capturing()))
				return
			}
			n := dt.tbl.Len()
			testcheck.Expect(t, fmt.Sprintf("rows shown of %d", all), n, testcheck.C("some", n != 0), testcheck.C("not all", n < all))
			for i := 0; i < n; i++ {
				tx := dt.at(i)
				testcheck.Expect(t, fmt.Sprintf("row %s %q at %v", tx.ID, tx.Narrative, tx.CreatedAt), tx.ID,
					testcheck.C("not before the range", !tx.CreatedAt.Before(tc.first)), testcheck.C("before its end", tx.CreatedAt.Before(tc.end)),
					testcheck.C("passes the filter", tc.filter == "" || strings.Contains(strings.ToLower(tx.Narrative), tc.filter)))
			}
			tuitest.MustContain(t, d.View(), tc.label, fmt.Sprintf("%d of %d lines", n, all))
			checkStatementExport(t, d, dt, n)
		})
	}
}

// exportTo exports the statement to a temporary path and reads it back.
func exportTo(t *testing.T, d *driver) [][]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "statement.csv")
	d.Press("E")
	tuitest.MustContain(t, d.View(), "Export statement lines as CSV")
	d.Press("ctrl+u", "ctrl+k")
	d.TypeText(path)
	d.Press("enter")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; toasts %q, errors %q", err, d.Toasts(), d.ErrorTexts())
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestStatementRangeLoadsPages: a range with a first day loads pages
// until a row before that day has come (newest first), so its rows, count
// and export are whole; a range of today on a statement that is all today
// loads every page.
func TestStatementRangeLoadsPages(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 22, 9, 0, 0, 0, tuitest.EAT()))
	settle := f.Server.SettlementWalletID()
	other := f.wallet("Other", "KES", false)
	f.collect("", client.Units(1000))
	for i := 0; i < 124; i++ {
		f.transfer(settle, other, client.Units(1), fmt.Sprintf("out %d", i))
		f.transfer(other, settle, client.Units(1), fmt.Sprintf("back %d", i))
		f.Advance(time.Second)
	}
	d := newDriver(t, f.common(), 80, 20).init()
	d.Press("enter")
	dt := d.m.detail
	if len(dt.rows) != 100 {
		t.Fatalf("first page: %d rows", len(dt.rows))
	}
	d.setRange("today", "")
	if len(dt.rows) != 250 || dt.next != 0 || dt.tbl.Len() != 250 {
		t.Fatalf("range of today: %d rows loaded, %d shown, next %d", len(dt.rows), dt.tbl.Len(), dt.next)
	}
}

// TestStatementExportRoles: only roles with PermExport have E.
func TestStatementExportRoles(t *testing.T) {
	f := history(t)
	for _, tc := range []struct {
		role string
		can  bool
	}{{common.RoleSupport, false}, {common.RoleMaker, true}} {
		c := f.Common(common.ModeDemo, tc.role)
		c.User = "amina"
		d := newDriver(t, c, 100, 30).init()
		d.Press("enter", "E")
		if d.m.exp.Open() != tc.can {
			t.Fatalf("%s: export open %v", tc.role, d.m.exp.Open())
		}
	}
}
