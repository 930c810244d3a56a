package collections

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
	"github.com/malipo/malipo/userdir"
)

// setRange opens d and types the two ends.
func (d *driver) setRange(from, to string) {
	d.Press("d", "ctrl+u", "ctrl+k")
	d.TypeText(from)
	d.Press("tab", "ctrl+u", "ctrl+k")
	d.TypeText(to)
	d.Press("enter")
}

// TestDateRange: the range narrows the payments (with the state filter),
// says itself on the count line, reads older feed pages until its first
// day so it is whole, and esc clears it with the other filters.
func TestDateRange(t *testing.T) {
	eat := tuitest.EAT()
	cases := []struct {
		name, from, to string
		states         int // presses of s
		first, end     time.Time
		label          string
	}{
		{name: "yesterday", from: "yesterday", to: "yesterday",
			first: time.Date(2026, 11, 21, 0, 0, 0, 0, eat), end: time.Date(2026, 11, 22, 0, 0, 0, 0, eat), label: "21 Nov 2026 (d)"},
		{name: "a week back, complete only", from: "2026-11-10", to: "2026-11-16", states: 3,
			first: time.Date(2026, 11, 10, 0, 0, 0, 0, eat), end: time.Date(2026, 11, 17, 0, 0, 0, 0, eat), label: "10 Nov 2026 – 16 Nov 2026 (d)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := seeded(t)
			d := newDriver(t, f.common(), 120, 36).init()
			for range tc.states {
				d.Press("s")
			}
			d.setRange(tc.from, tc.to)
			n := d.m.rowCount()
			testcheck.Expect(t, fmt.Sprintf("%d rows, form open %v\n%s", n, d.m.picker != nil, d.View()), n,
				testcheck.C("some rows", n != 0), testcheck.C("the picker closed", d.m.picker == nil), testcheck.C("not capturing", !d.m.Capturing()))
			for i := range n {
				r := d.m.st.rows[d.m.tbl.Index(i)]
				testcheck.Expect(t, fmt.Sprintf("payment %s at %v, %s", r.inv.ID, r.at, r.inv.State), r.inv.ID,
					testcheck.C("not before the first day", !r.at.Before(tc.first)), testcheck.C("before the end", r.at.Before(tc.end)),
					testcheck.C("in the state filtered", tc.states == 0 || r.inv.State == stateCycle[tc.states]))
			}
			// Older pages were read until a payment before the first day came.
			oldest := d.m.st.rows[len(d.m.st.rows)-1].at
			testcheck.Expect(t, fmt.Sprintf("oldest loaded %v, next page %d", oldest, d.m.older.next), oldest,
				testcheck.C("the range whole (a payment before it loaded, or no older page)", oldest.Before(tc.first) || d.m.older.next == 0))
			tuitest.MustContain(t, d.View(), tc.label, d.m.tbl.Count("payment", "payments"))
			d.Press("esc")
			testcheck.Expect(t, fmt.Sprintf("after esc: range %v, state %d, %d of %d", d.m.rng, d.m.state, d.m.rowCount(), len(d.m.st.rows)), d.m.rng,
				testcheck.C("no range", d.m.rng.IsZero()), testcheck.C("no state filter", d.m.state == 0), testcheck.C("every row shown", d.m.rowCount() == len(d.m.st.rows)))
		})
	}
}

// TestExport: E writes the payments shown (range and filter applied) over
// SSH into the user's folder, typed cells and all, audited; roles without
// PermExport have no E.
func TestExport(t *testing.T) {
	f := seeded(t)
	dir, err := userdir.Open(t.TempDir(), "amina")
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	for _, role := range []string{common.RoleSupport, common.RoleMaker} {
		t.Run(role, func(t *testing.T) {
			rec := &recAuditor{}
			c := f.Common(common.ModeDemo, role)
			c.User, c.Files, c.Auditor = "amina", dir, rec
			d := newDriver(t, c, 120, 36).init()
			d.setRange("7d", "yesterday")
			d.Press("/")
			d.TypeText("m-pesa")
			d.Press("enter", "E")
			if role == common.RoleSupport {
				testcheck.Expect(t, "a support role's E", d.m.exp.Open(), testcheck.C("no export form", !d.m.exp.Open()))
				return
			}
			tuitest.MustContain(t, d.View(), "Export payments as CSV", "15 Nov 2026 – 21 Nov 2026")
			d.Press("enter")
			recs := readExport(t, d, filepath.Join(dir.Path(), "collections-2026-11-22.csv"))
			checkExportLines(t, d, recs)
			testcheck.Expect(t, "audit", rec.Events, testcheck.C("one event", len(rec.Events) == 1))
			ev := rec.Events[0]
			testcheck.Expect(t, "audit", rec.Events, testcheck.C("collection.export", ev.Action == "collection.export"), testcheck.C("ok", ev.Result == "ok"),
				testcheck.C("the range in the detail", strings.Contains(ev.Detail, "15 Nov 2026 – 21 Nov 2026")))
		})
	}
}

// readExport reads the CSV the export wrote, a header and a line per row
// shown.
func readExport(t *testing.T, d *driver, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; toasts %q", err, d.Toasts())
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	n := d.m.rowCount()
	testcheck.Expect(t, fmt.Sprintf("%d lines for %d rows", len(recs), n), recs, testcheck.C("rows shown", n != 0), testcheck.C("a line per row and a header", len(recs) == n+1))
	testcheck.Expect(t, "header", recs[0], testcheck.C("Time (EAT +03:00) first", recs[0][0] == "Time (EAT +03:00)"))
	return recs
}

// checkExportLines: each line holds its row's typed cells, in order.
func checkExportLines(t *testing.T, d *driver, recs [][]string) {
	t.Helper()
	for i, rec := range recs[1:] {
		r := d.m.st.rows[d.m.tbl.Index(i)]
		want := []string{r.at.In(tuitest.EAT()).Format(time.DateTime), r.inv.ID, r.inv.Account, method(r.inv.Provider), r.inv.Value.Decimal()}
		testcheck.Expect(t, fmt.Sprintf("line %d: %q, want %q…", i+1, rec, want), rec,
			testcheck.C("time, id, account, method, value", strings.Join(rec[:5], "|") == strings.Join(want, "|")), testcheck.C("state "+r.inv.State, rec[9] == r.inv.State),
			testcheck.C("net "+r.inv.NetAmount.Decimal()+" when complete", r.inv.State != client.InvoiceComplete || rec[7] == r.inv.NetAmount.Decimal()))
	}
}

// TestExportPaletteEntry: the palette offers the export with its key and
// permission, and choosing it opens the same form as E.
func TestExportPaletteEntry(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(), 120, 36).init()
	found := false
	for _, a := range d.m.Actions() {
		if a.Key.Help().Key == "E" {
			found = a.Perm == common.PermExport
			d.Feed(a.Msg)
		}
	}
	if !found || !d.m.exp.Open() {
		t.Fatalf("palette export: entry %v, form open %v", found, d.m.exp.Open())
	}
}
