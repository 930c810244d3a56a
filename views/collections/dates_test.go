package collections

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
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
			if n == 0 || d.m.picker != nil || d.m.Capturing() {
				t.Fatalf("%d rows, form open %v\n%s", n, d.m.picker != nil, d.View())
			}
			for i := range n {
				r := d.m.st.rows[d.m.tbl.Index(i)]
				if r.at.Before(tc.first) || !r.at.Before(tc.end) {
					t.Fatalf("payment %s at %v outside the range", r.inv.ID, r.at)
				}
				if tc.states > 0 && r.inv.State != stateCycle[tc.states] {
					t.Fatalf("payment %s is %s", r.inv.ID, r.inv.State)
				}
			}
			// Older pages were read until a payment before the first day came.
			if oldest := d.m.st.rows[len(d.m.st.rows)-1].at; !oldest.Before(tc.first) && d.m.older.next != 0 {
				t.Fatalf("oldest loaded %v, next page %d: the range may be cut", oldest, d.m.older.next)
			}
			tuitest.MustContain(t, d.View(), tc.label, d.m.tbl.Count("payment", "payments"))
			d.Press("esc")
			if !d.m.rng.IsZero() || d.m.state != 0 || d.m.rowCount() != len(d.m.st.rows) {
				t.Fatalf("esc left a filter: range %v, state %d, %d of %d", d.m.rng, d.m.state, d.m.rowCount(), len(d.m.st.rows))
			}
		})
	}
}

type recorder struct {
	mu  sync.Mutex
	evs []common.AuditEvent
}

func (r *recorder) Audit(ev common.AuditEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, ev)
	return nil
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
			rec := &recorder{}
			c := f.Common(common.ModeDemo, role)
			c.User, c.Files, c.Auditor = "amina", dir, rec
			d := newDriver(t, c, 120, 36).init()
			d.setRange("7d", "yesterday")
			d.Press("/")
			d.TypeText("m-pesa")
			d.Press("enter", "E")
			if role == common.RoleSupport {
				if d.m.exp.Open() {
					t.Fatal("a support role may export")
				}
				return
			}
			tuitest.MustContain(t, d.View(), "Export payments as CSV", "15 Nov 2026 – 21 Nov 2026")
			d.Press("enter")
			b, err := os.ReadFile(filepath.Join(dir.Path(), "collections-2026-11-22.csv"))
			if err != nil {
				t.Fatalf("%v; toasts %q", err, d.Toasts())
			}
			recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			n := d.m.rowCount()
			if len(recs) != n+1 || n == 0 || recs[0][0] != "Time (EAT +03:00)" {
				t.Fatalf("%d lines for %d rows, header %q", len(recs), n, recs[0])
			}
			for i, rec := range recs[1:] {
				r := d.m.st.rows[d.m.tbl.Index(i)]
				want := []string{r.at.In(tuitest.EAT()).Format(time.DateTime), r.inv.ID, r.inv.Account, method(r.inv.Provider), r.inv.Value.Decimal()}
				if strings.Join(rec[:5], "|") != strings.Join(want, "|") || rec[9] != r.inv.State {
					t.Fatalf("line %d: %q, want %q…", i+1, rec, want)
				}
				if r.inv.State == client.InvoiceComplete && rec[7] != r.inv.NetAmount.Decimal() {
					t.Fatalf("line %d: net %q, want %s", i+1, rec[7], r.inv.NetAmount.Decimal())
				}
			}
			if len(rec.evs) != 1 || rec.evs[0].Action != "collection.export" || rec.evs[0].Result != "ok" ||
				!strings.Contains(rec.evs[0].Detail, "15 Nov 2026 – 21 Nov 2026") {
				t.Fatalf("audit %+v", rec.evs)
			}
		})
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
