package export

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/userdir"
)

var now = time.Date(2026, 12, 3, 14, 5, 9, 0, tuitest.EAT())

func TestSafe(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Jane Wanjiku", "Jane Wanjiku"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+254712345678", "'+254712345678"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\r=1", "'\r=1"},
		{"-500.00", "-500.00"}, // a debit stays a number
		{"1234.50", "1234.50"},
		{"-", "'-"},
		{"", ""},
		{"a=b", "a=b"},
	}
	for _, tc := range cases {
		if got := Safe(tc.in); got != tc.want {
			t.Errorf("Safe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestWriteCSV: typed cells come out as decimals and export times, quoting
// survives commas, quotes and newlines, and a formula is defused.
func TestWriteCSV(t *testing.T) {
	rows := []struct {
		name string
		amt  client.Amount
		at   time.Time
	}{
		{`Otieno, "Jo"`, client.Amount(123450), time.Date(2026, 12, 2, 21, 0, 0, 0, time.UTC)},
		{"=cmd|' /C calc'!A0", client.Amount(-50000), time.Time{}},
		{"line\nbreak", client.Amount(100_000_000_00), now},
	}
	tbl := Collect(now, []string{"Name", "Amount", TimeTitle("Time", now)}, len(rows), func(i int, r *Record) {
		r.Text(rows[i].name)
		r.Money(rows[i].amt)
		r.Time(rows[i].at)
	})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, tbl); err != nil {
		t.Fatal(err)
	}
	want := "Name,Amount,Time (EAT +03:00)\n" +
		`"Otieno, ""Jo""",1234.50,2026-12-03 00:00:00` + "\n" +
		`'=cmd|' /C calc'!A0,-500.00,` + "\n" +
		"\"line\nbreak\",100000000.00,2026-12-03 14:05:09\n"
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
	back, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(back) != 4 || back[1][0] != `Otieno, "Jo"` {
		t.Fatalf("does not read back: %v %q", err, back)
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

func (r *recorder) last() common.AuditEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.evs) == 0 {
		return common.AuditEvent{}
	}
	return r.evs[len(r.evs)-1]
}

func sample() Spec {
	tbl := Collect(now, []string{"Invoice", "Amount"}, 3, func(i int, r *Record) {
		r.Text([]string{"INV1", "INV2", "INV3"}[i])
		r.Money(client.Amount((i + 1) * 100))
	})
	return Spec{Action: "collections.export", One: "payment", Many: "payments", Name: "collections-2026-12-03",
		Range: "01 Dec 2026 – 03 Dec 2026", Table: tbl}
}

type rig struct {
	*tuitest.Driver
	m   *Model
	rec *recorder
}

func newRig(t *testing.T, c *common.Common) *rig {
	rec := &recorder{}
	c.Styles, c.Now, c.Auditor = common.NewStyles(true), func() time.Time { return now }, rec
	m := New(c)
	r := &rig{m: &m, rec: rec}
	r.Driver = tuitest.NewDriver(t, func(msg tea.Msg) tea.Cmd { cmd, _ := r.m.Update(msg); return cmd },
		func() string { return r.m.View(80) })
	return r
}

func (r *rig) clear() {
	for range 80 {
		r.Press("backspace")
	}
}

const wantFile = "Invoice,Amount\nINV1,1.00\nINV2,2.00\nINV3,3.00\n"

// TestLocal: the path typed is written, an existing file is replaced only
// after "Replace", and each write is audited.
func TestLocal(t *testing.T) {
	r := newRig(t, &common.Common{})
	path := filepath.Join(t.TempDir(), "out.csv")
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.Run(r.m.Start(sample()))
	tuitest.MustContain(t, r.View(), "./collections-2026-12-03.csv", "3 payments", "01 Dec 2026 – 03 Dec 2026")
	r.clear()
	r.TypeText(path)
	r.Press("enter")
	c, ok := r.LastConfirm()
	if !ok || c.Perm != common.PermExport || !strings.Contains(c.Title, "out.csv") {
		t.Fatalf("no replace question: %+v", c)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Fatal("replaced before the answer")
	}
	r.Confirm()
	if b, _ := os.ReadFile(path); string(b) != wantFile {
		t.Fatalf("file:\n%s", b)
	}
	if ev := r.rec.last(); ev.Action != "collections.export" || ev.Result != "ok" || ev.Target != path {
		t.Fatalf("audit %+v", ev)
	}
	if ts := r.Toasts(); len(ts) == 0 || !strings.Contains(ts[len(ts)-1], "3 payments written to "+path) {
		t.Fatalf("toasts %q", ts)
	}
}

// TestLocalSpecialFile: a FIFO is refused at once, never opened for a
// reader that does not come.
func TestLocalSpecialFile(t *testing.T) {
	r := newRig(t, &common.Common{})
	fifo := filepath.Join(t.TempDir(), "pipe.csv")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no mkfifo:", err)
	}
	r.Run(r.m.Start(sample()))
	r.clear()
	r.TypeText(fifo)
	r.Press("enter")
	if errs := r.ErrorTexts(); len(errs) != 1 || !strings.Contains(errs[0], "not a regular file") {
		t.Fatalf("errors %q", errs)
	}
	if ev := r.rec.last(); ev.Result != "failed" {
		t.Fatalf("audit %+v", ev)
	}
}

// TestSSH: over SSH a plain name goes into the user's folder; a path is
// refused on the form, before anything is opened.
func TestSSH(t *testing.T) {
	dir, err := userdir.Open(t.TempDir(), "amina")
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	r := newRig(t, &common.Common{User: "amina", Role: common.RoleMaker, Files: dir})
	r.Run(r.m.Start(sample()))
	r.clear()
	r.TypeText("../../etc/passwd")
	r.Press("enter")
	if !r.m.Open() {
		t.Fatal("a path was accepted")
	}
	tuitest.MustContain(t, r.View(), "a file name only")
	r.clear()
	r.TypeText("dec.csv")
	r.Press("enter")
	b, err := os.ReadFile(filepath.Join(dir.Path(), "dec.csv"))
	if err != nil || string(b) != wantFile {
		t.Fatalf("folder file: %v\n%s", err, b)
	}
	if ts := r.Toasts(); !strings.Contains(ts[len(ts)-1], "scp -P PORT amina@HOST:dec.csv") {
		t.Fatalf("toasts %q", ts)
	}
	if ev := r.rec.last(); ev.Result != "ok" || ev.Detail != "3 rows, 01 Dec 2026 – 03 Dec 2026" {
		t.Fatalf("audit %+v", ev)
	}
}

// TestRoles: a role without PermExport gets no form, is told why, and the
// refusal is audited.
func TestRoles(t *testing.T) {
	cases := []struct {
		role string
		open bool
	}{{common.RoleViewer, false}, {common.RoleSupport, false}, {common.RoleMaker, true}, {common.RoleApprover, true}, {"", false}}
	for _, tc := range cases {
		t.Run(tc.role, func(t *testing.T) {
			r := newRig(t, &common.Common{User: "amina", Role: tc.role})
			r.Run(r.m.Start(sample()))
			if r.m.Open() != tc.open {
				t.Fatalf("open %v, want %v", r.m.Open(), tc.open)
			}
			if !tc.open {
				if ev := r.rec.last(); ev.Result != "refused" || ev.Action != "collections.export" {
					t.Fatalf("audit %+v", ev)
				}
			}
		})
	}
}

func TestEmptyAndEsc(t *testing.T) {
	r := newRig(t, &common.Common{})
	r.Run(r.m.Start(Spec{Action: "x.export", One: "line", Many: "lines"}))
	if r.m.Open() || !strings.Contains(strings.Join(r.Toasts(), ""), "No lines to export") {
		t.Fatalf("empty export: open %v, toasts %q", r.m.Open(), r.Toasts())
	}
	r.Run(r.m.Start(sample()))
	r.Press("esc")
	if r.m.Open() {
		t.Fatal("esc left the form open")
	}
}

func TestGolden(t *testing.T) {
	dir, err := userdir.Open(t.TempDir(), "amina")
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	for _, where := range []struct {
		name string
		c    *common.Common
	}{{"local", &common.Common{}}, {"ssh", &common.Common{User: "amina", Role: common.RoleMaker, Files: dir}}} {
		for _, size := range []string{"80x24", "120x40"} {
			w, h := tuitest.Body(t, size)
			r := newRig(t, where.c)
			r.Run(r.m.Start(sample()))
			tuitest.Screen(t, "export_"+where.name+"_"+size, tuitest.Strip(r.m.View(w)), w, h)
		}
	}
}

type shown []int

func (s shown) Len() int        { return len(s) }
func (s shown) Index(i int) int { return s[i] }

// TestRows: what a filtered table shows, in its order, nothing else.
func TestRows(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	tbl := Rows(now, []string{"Name"}, shown{3, 1}, func(row int, r *Record) { r.Text(names[row]) })
	if len(tbl.Rows) != 2 || tbl.Rows[0][0] != "d" || tbl.Rows[1][0] != "b" {
		t.Fatalf("rows %q", tbl.Rows)
	}
}
