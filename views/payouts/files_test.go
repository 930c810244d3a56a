package payouts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/userdir"
)

// recorder is an Auditor that keeps what it is given, as the SSH server's
// audit log would (in order, safe from the commands' goroutines).
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

// find is the events of action, as "target result" lines.
func (r *recorder) find(action string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.evs {
		if ev.Action == action {
			out = append(out, ev.Target+" "+ev.Result)
		}
	}
	return out
}

func (r *recorder) last(action string) common.AuditEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.evs) - 1; i >= 0; i-- {
		if r.evs[i].Action == action {
			return r.evs[i]
		}
	}
	return common.AuditEvent{}
}

const goodCSV = "Name,Phone,Amount,Narrative\nJane,0708374149,100,nov\nJohn,0711222333,200,nov\n"

// session is a payouts view as an SSH user sees it: a role, a private
// folder and a recording audit log.
type session struct {
	*driver
	dir *userdir.Dir
	rec *recorder
}

func (f *fixture) ssh(t *testing.T, role string, w, h int) *session {
	t.Helper()
	dir, err := userdir.Open(t.TempDir(), "amina")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	rec := &recorder{}
	c := f.Common(common.ModeSandbox, role)
	c.User, c.Files, c.Auditor = "amina", dir, rec
	d := newDriver(t, f, c, w, h, WithJournal(f.j), WithResultsDir(f.dir))
	d.Run(d.m.Init())
	return &session{driver: d, dir: dir, rec: rec}
}

// local is the local console with a recording audit log.
func (f *fixture) local(t *testing.T, w, h int) (*driver, *recorder) {
	rec := &recorder{}
	c := f.common()
	c.Auditor = rec
	d := newDriver(t, f, c, w, h, WithJournal(f.j), WithResultsDir(f.dir))
	d.Run(d.m.Init())
	return d, rec
}

// put writes a file into the folder, last changed age before the
// fixture's clock, so "3m ago" reads the same on any day.
func (s *session) put(name, body string, age time.Duration) {
	s.T.Helper()
	p := filepath.Join(s.dir.Path(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		s.T.Fatal(err)
	}
	at := s.f.Clock.Now().Add(-age)
	if err := os.Chtimes(p, at, at); err != nil {
		s.T.Fatal(err)
	}
}

// within runs step, failing the test rather than hanging it when step
// blocks (a regression that opens a FIFO would wait for a writer
// forever); unblock then frees the stuck goroutine.
func within(t *testing.T, step func(), unblock func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); step() }()
	timer := time.NewTimer(20 * time.Second)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		unblock()
		t.Fatal("the step blocked: a FIFO was opened and waited on")
	}
}

func mkfifo(t *testing.T, path string) (unblock func()) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	return func() {
		if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
			f.Close()
		}
	}
}

func TestFolderImport(t *testing.T) {
	tests := []struct {
		name  string
		setup func(s *session)
		keys  []string
		want  []string // on screen
		rows  int      // rows in the draft after
		audit []string // payout.import events
	}{
		{name: "the newest file is imported with enter",
			setup: func(s *session) {
				s.put("old.csv", "Name,Phone,Amount\nOld,0708374149,50\n", 48*time.Hour)
				s.put("salaries.csv", goodCSV, 3*time.Minute)
			},
			keys: []string{"i", "enter"}, want: []string{"Imported 2 rows from salaries.csv"}, rows: 2,
			audit: []string{"salaries.csv ok"}},
		{name: "down picks an older file",
			setup: func(s *session) {
				s.put("old.csv", "Name,Phone,Amount\nOld,0708374149,50\n", 48*time.Hour)
				s.put("salaries.csv", goodCSV, 3*time.Minute)
			},
			keys: []string{"i", "down", "enter"}, want: []string{"Imported 1 rows from old.csv"}, rows: 1,
			audit: []string{"old.csv ok"}},
		{name: "an empty folder says how to copy a file in",
			keys: []string{"i"}, want: []string{"Your folder on the server is empty", "scp -P PORT salaries.csv amina@HOST:"}},
		{name: "esc closes the picker, nothing read",
			setup: func(s *session) { s.put("salaries.csv", goodCSV, time.Minute) },
			keys:  []string{"i", "esc"}},
		{name: "a bad file is refused with the reason",
			setup: func(s *session) { s.put("book.csv", "PK\x03\x04 not csv", time.Minute) },
			keys:  []string{"i", "enter"}, want: []string{"Refused", "spreadsheet workbook"},
			audit: []string{"book.csv failed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{})
			s := f.ssh(t, common.RoleMaker, 120, 36)
			if tc.setup != nil {
				tc.setup(s)
			}
			s.Press(tc.keys...)
			s.MustShow(tc.want...)
			if n := len(s.m.comp.d.Rows); n != tc.rows {
				t.Errorf("%d rows in the draft, want %d", n, tc.rows)
			}
			if got := s.rec.find("payout.import"); !slices.Equal(got, tc.audit) {
				t.Errorf("audit %q, want %q", got, tc.audit)
			}
		})
	}
}

// TestFolderImportOnlyRegularFiles plants what only someone with a shell on
// the server could: a symlink out of the folder, a FIFO, a folder and a
// hidden file. None is listed; a file swapped for a FIFO after the listing
// is refused at once, not waited on.
func TestFolderImportOnlyRegularFiles(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	s := f.ssh(t, common.RoleMaker, 120, 36)
	s.put("salaries.csv", goodCSV, time.Minute)
	outside := writeCSV(t, f.dir, "outside.csv", goodCSV)
	base := s.dir.Path()
	if err := os.Symlink(outside, filepath.Join(base, "link.csv")); err != nil {
		t.Fatal(err)
	}
	unblock := mkfifo(t, filepath.Join(base, "pipe.csv"))
	if err := os.Mkdir(filepath.Join(base, "sub.csv"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.put(".hidden.csv", goodCSV, time.Minute)

	s.Press("i")
	var names []string
	for _, e := range s.m.files.entries {
		names = append(names, e.Name)
	}
	if !slices.Equal(names, []string{"salaries.csv"}) {
		t.Fatalf("listed %q, want only salaries.csv", names)
	}
	for _, bad := range []string{"link.csv", "pipe.csv", "sub.csv", ".hidden.csv"} {
		if strings.Contains(s.View(), bad) {
			t.Errorf("picker shows %s:\n%s", bad, s.View())
		}
	}

	// Swap the listed file for a FIFO before enter.
	p := filepath.Join(base, "salaries.csv")
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	unblock2 := mkfifo(t, p)
	within(t, func() { s.Press("enter") }, func() { unblock(); unblock2() })
	s.MustShow("Refused", "not a regular file")
	if n := len(s.m.comp.d.Rows); n != 0 {
		t.Fatalf("%d rows imported from a FIFO", n)
	}
	if got := s.rec.find("payout.import"); !slices.Equal(got, []string{"salaries.csv failed"}) {
		t.Errorf("audit %q", got)
	}
}

// finished composes, approves and settles a two-row batch.
func finished(d *driver) {
	d.T.Helper()
	d.addRow("Jane Wanjiku", "0708374149", "1000", "nov")
	d.addRow("Bad Number", "0700000002", "234.50", "bonus")
	d.Press("p", "A")
	d.Confirm()
	d.settle()
}

func TestFolderExport(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	s := f.ssh(t, common.RoleApprover, 120, 36)
	finished(s.driver)
	tid := s.m.batch.b.TrackingID
	name := "payout-results-" + tid + ".csv"

	s.Press("E")
	testcheck.Expect(t, "export prompt\n"+s.View(), name, testcheck.C("offers the default name", s.m.prompt != nil && s.m.prompt.input.Value() == name))
	s.Press("enter")
	got, err := os.ReadFile(filepath.Join(s.dir.Path(), name))
	testcheck.Must(t, "read the export", err)
	testcheck.Expect(t, "exported", string(got), testcheck.C("header", bytes.HasPrefix(got, []byte("name,"))),
		testcheck.C("three lines", bytes.Count(got, []byte("\n")) == 3))
	s.MustShow("Results written to your folder as " + name)
	toasts := s.Toasts()
	// The toast says how to fetch it.
	testcheck.Contains(t, "last toast", toasts[len(toasts)-1], "scp -P PORT amina@HOST:"+name+" .")

	// Again: the existing file is replaced only after a confirmation.
	testcheck.Must(t, "plant a file", os.WriteFile(filepath.Join(s.dir.Path(), name), []byte("mine"), 0o600))
	before := s.confirms()
	s.Press("E", "enter")
	b, _ := os.ReadFile(filepath.Join(s.dir.Path(), name))
	testcheck.Expect(t, "export over a file\n"+s.View(), string(b), testcheck.C("asks to replace", s.confirms() == before+1),
		testcheck.C("not replaced before the confirmation", string(b) == "mine"))
	c := s.Confirm()
	testcheck.Check(t, "confirmation", c, testcheck.C("export permission", c.Perm == common.PermExport), testcheck.C("payout.export", c.Action == "payout.export"))
	b, _ = os.ReadFile(filepath.Join(s.dir.Path(), name))
	testcheck.Expect(t, "the file after confirming", string(b), testcheck.C("the results", bytes.Equal(b, got)))

	// A typed path is refused in the prompt, which keeps what was typed.
	s.Press("E")
	s.m.prompt.input.SetValue("../../users.toml")
	s.Press("enter")
	testcheck.Expect(t, "a path in the prompt\n"+s.View(), "../../users.toml",
		testcheck.C("prompt keeps it", s.m.prompt != nil && s.m.prompt.input.Value() == "../../users.toml"),
		testcheck.C("refused", strings.Contains(s.View(), "a file name only")))
	s.Press("esc")

	// A FIFO planted under the name is never written through.
	unblock := mkfifo(t, filepath.Join(s.dir.Path(), "pipe.csv"))
	s.Press("E")
	s.m.prompt.input.SetValue("pipe.csv")
	within(t, func() { s.Press("enter") }, unblock)
	errs := s.ErrorTexts()
	testcheck.Check(t, "FIFO export", errs, testcheck.C("refused", len(errs) > 0 && strings.Contains(errs[len(errs)-1], "not a regular file")))
	want := []string{name + " ok", name + " ok", "pipe.csv failed"}
	audit := s.rec.find("payout.export")
	testcheck.Check(t, fmt.Sprintf("audit, want %q", want), audit, testcheck.C("every export", slices.Equal(audit, want)))
}

func TestLocalExportSpecialFiles(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d, rec := f.local(t, 120, 36)
	finished(d)
	fifo := filepath.Join(f.dir, "pipe.csv")
	unblock := mkfifo(t, fifo)
	link := filepath.Join(f.dir, "link.csv")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	existing := writeCSV(t, f.dir, "keep.csv", "precious")
	tests := []struct {
		name, path string
		confirm    bool   // a replace confirmation is asked
		err        string // error panel
	}{
		{name: "FIFO", path: fifo, err: "not a regular file"},
		{name: "symlink to a FIFO", path: link, err: "not a regular file"},
		{name: "folder", path: f.dir, err: "not a regular file"},
		{name: "device", path: os.DevNull, err: "not a regular file"},
		{name: "existing file asks first", path: existing, confirm: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs, confirms := len(d.Errors()), d.confirms()
			d.Press("E")
			d.m.prompt.input.SetValue(tc.path)
			within(t, func() { d.Press("enter") }, unblock)
			if tc.confirm != (d.confirms() > confirms) {
				t.Errorf("confirmation asked: %v, want %v", d.confirms() > confirms, tc.confirm)
			}
			if tc.err != "" {
				got := d.ErrorTexts()
				if len(got) == errs || !strings.Contains(got[len(got)-1], tc.err) {
					t.Errorf("errors %q, want %q", got[errs:], tc.err)
				}
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "precious" {
		t.Errorf("an existing file was truncated without asking: %q", b)
	}
	d.Confirm() // now replace it
	if b, _ := os.ReadFile(existing); !bytes.HasPrefix(b, []byte("name,")) {
		t.Errorf("replace after confirmation wrote %q", b)
	}
	if got := rec.find("payout.export"); len(got) != 5 || got[4] != existing+" ok" {
		t.Errorf("audit %q", got)
	}
}

func TestLocalImportSpecialFiles(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d, rec := f.local(t, 120, 36)
	fifo := filepath.Join(f.dir, "pipe.csv")
	unblock := mkfifo(t, fifo)
	tests := []struct{ name, path, want string }{
		{"FIFO", fifo, "not a regular file"},
		{"folder", f.dir, "not a regular file"},
		{"device", os.DevNull, "not a regular file"},
		{"missing", filepath.Join(f.dir, "nope.csv"), "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d.Press("i")
			d.TypeText(tc.path)
			within(t, func() { d.Press("enter") }, unblock)
			tuitest.MustContain(t, d.View(), "Refused", tc.want)
			d.Press("esc")
			if d.m.imp != nil || len(d.m.comp.d.Rows) != 0 {
				t.Fatalf("panel %v, %d rows", d.m.imp != nil, len(d.m.comp.d.Rows))
			}
		})
	}
	if got := rec.find("payout.import"); len(got) != len(tests) {
		t.Errorf("audit %q", got)
	}
}

func TestRoleRefusals(t *testing.T) {
	msgs := []struct {
		name   string
		msg    tea.Msg
		action string
	}{
		{"palette import", importOpenMsg{}, "payout.import"},
		{"paste", tea.PasteMsg{Content: goodCSV}, "payout.import"},
		{"palette export", exportKeyMsg{}, "payout.export"},
		{"palette copy", copyKeyMsg{}, "payout.export"},
	}
	for _, role := range []string{common.RoleViewer, common.RoleSupport} {
		t.Run(role, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{})
			s := f.ssh(t, role, 120, 36)
			s.put("salaries.csv", goodCSV, time.Minute)
			for _, k := range []string{"i", "E", "y"} {
				s.Press(k)
				if s.m.files != nil || s.m.prompt != nil || s.Clipboard() != "" {
					t.Fatalf("%s is bound for %s:\n%s", k, role, s.View())
				}
			}
			for _, b := range [][]string{flatKeys(s.m.ShortHelp()), flatKeys(s.m.FullHelp()...)} {
				for _, k := range []string{"i", "E", "y"} {
					if slices.Contains(b, k) {
						t.Errorf("help offers %s to %s", k, role)
					}
				}
			}
			for _, m := range msgs {
				s.Feed(m.msg)
				ev := s.rec.last(m.action)
				if ev.Result != "refused" || !strings.Contains(ev.Detail, role) {
					t.Errorf("%s: audit %+v", m.name, ev)
				}
			}
			if n := len(s.rec.find("payout.import")) + len(s.rec.find("payout.export")); n != len(msgs) {
				t.Errorf("%d refusals audited, want %d", n, len(msgs))
			}
			if len(s.m.comp.d.Rows) != 0 {
				t.Errorf("a refused paste added rows")
			}
		})
	}
}

func flatKeys(groups ...[]key.Binding) []string {
	var out []string
	for _, g := range groups {
		for _, b := range g {
			if b.Enabled() {
				out = append(out, b.Keys()...)
			}
		}
	}
	return out
}

func TestPasteImport(t *testing.T) {
	tests := []struct {
		name  string
		ssh   bool
		keys  []string // before the paste
		paste string
		rows  int
		want  string
		audit []string
	}{
		{name: "on the composer", paste: goodCSV, rows: 2, want: "Imported 2 rows from paste", audit: []string{"paste ok"}},
		{name: "into the path prompt", keys: []string{"i"}, paste: goodCSV, rows: 2, want: "Imported 2 rows from paste", audit: []string{"paste ok"}},
		{name: "a path pasted into the prompt stays a path", keys: []string{"i"}, paste: "/tmp/salaries.csv", want: "/tmp/salaries.csv"},
		{name: "into the folder picker", ssh: true, keys: []string{"i"}, paste: goodCSV, rows: 2, want: "Imported 2 rows from paste", audit: []string{"paste ok"}},
		{name: "over the size cap", paste: strings.Repeat("x", userdir.MaxFileSize+1), want: "over the 32 MiB limit", audit: []string{"paste failed"}},
		{name: "blank", paste: " \n ", want: "Payouts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{})
			var d *driver
			var rec *recorder
			if tc.ssh {
				s := f.ssh(t, common.RoleMaker, 120, 36)
				d, rec = s.driver, s.rec
			} else {
				d, rec = f.local(t, 120, 36)
			}
			d.Press(tc.keys...)
			d.Feed(tea.PasteMsg{Content: tc.paste})
			d.MustShow(tc.want)
			if n := len(d.m.comp.d.Rows); n != tc.rows {
				t.Errorf("%d rows, want %d", n, tc.rows)
			}
			if got := rec.find("payout.import"); !slices.Equal(got, tc.audit) {
				t.Errorf("audit %q, want %q", got, tc.audit)
			}
		})
	}
}

func TestCopyResults(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	s := f.ssh(t, common.RoleApprover, 120, 36)
	finished(s.driver)
	var want bytes.Buffer
	if err := payout.WriteResultsCSV(&want, s.m.batch.b); err != nil {
		t.Fatal(err)
	}
	s.Press("y")
	if got := s.Clipboard(); got != want.String() {
		t.Fatalf("clipboard %q, want %q", got, want.String())
	}
	s.MustShow("Results CSV (2 rows) copied to the clipboard")
	if got := s.rec.find("payout.export"); !slices.Equal(got, []string{"clipboard ok"}) {
		t.Errorf("audit %q", got)
	}

	// Too big for a terminal's clipboard: said so, nothing sent.
	s.m.clipMax = 100
	n := len(s.Shell)
	s.Press("y")
	for _, m := range s.Shell[n:] {
		if _, ok := m.(common.ClipboardMsg); ok {
			t.Fatalf("an oversized CSV was sent to the clipboard")
		}
	}
	if toasts := s.Toasts(); !strings.Contains(toasts[len(toasts)-1], "export it with E instead") {
		t.Errorf("toasts %q", toasts)
	}
}

// TestImportCancel: esc while a file is being read abandons the import;
// its answer, when it comes, is dropped.
func TestImportCancel(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d, rec := f.local(t, 120, 36)
	path := writeCSV(t, f.dir, "pay.csv", goodCSV)
	var held []tea.Msg
	d.Intercept = func(msg tea.Msg) bool {
		if _, ok := msg.(importedMsg); ok {
			held = append(held, msg)
			return true
		}
		return false
	}
	d.Press("i")
	d.TypeText(path)
	d.Press("enter")
	d.MustShow("reading and checking", "esc cancel")
	d.Press("esc")
	if d.m.imp != nil {
		t.Fatalf("esc did not abandon the import:\n%s", d.View())
	}
	d.MustShow("cancelled; nothing was added")
	d.Intercept = nil
	for _, m := range held {
		d.Feed(m)
	}
	if len(held) != 1 || len(d.m.comp.d.Rows) != 0 || d.m.imp != nil {
		t.Fatalf("%d answers, %d rows after cancelling", len(held), len(d.m.comp.d.Rows))
	}
	if got := rec.find("payout.import"); !slices.Equal(got, []string{path + " cancelled"}) {
		t.Errorf("audit %q", got)
	}
}

// TestCtxReader: an abandoned import's read stops at the next chunk.
func TestCtxReader(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := ctxReader{ctx: ctx, r: strings.NewReader(goodCSV)}
	buf := make([]byte, 4)
	if _, err := r.Read(buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := r.Read(buf); !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %v", err)
	}
}

func TestGoldenPicker(t *testing.T) {
	screens := []struct {
		name  string
		sizes []string
		setup func(s *session)
	}{
		{"import-picker", []string{"80x24", "120x40", "160x50"}, func(s *session) {
			s.put("salaries-november-2026-final-final-v3-approved-by-finance.csv", goodCSV, 3*time.Minute)
			s.put("bonus.csv", "Name,Phone,Amount\nJane,0708374149,100\n", 5*time.Hour)
			s.put("october.csv", strings.Repeat(goodCSV, 40), 3*24*time.Hour)
			s.put("september.csv", goodCSV, 40*24*time.Hour)
			s.Press("i", "down")
		}},
		{"import-picker-empty", []string{"80x24"}, func(s *session) { s.Press("i") }},
	}
	for _, sc := range screens {
		for _, size := range sc.sizes {
			name := sc.name + "_" + size
			t.Run(name, func(t *testing.T) {
				f := newFixture(t, fixtureOpt{})
				w, h := tuitest.Body(t, size)
				s := f.ssh(t, common.RoleMaker, w, h)
				sc.setup(s)
				tuitest.Screen(t, name, s.View(), w, h)
			})
		}
	}
}

// TestFolderRelist: a file copied in while the picker is open shows up on
// the shell's r (Refresh).
func TestFolderRelist(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	s := f.ssh(t, common.RoleMaker, 120, 36)
	s.Press("i")
	s.MustShow("Your folder on the server is empty")
	s.put("salaries.csv", goodCSV, time.Minute)
	s.Run(s.m.Refresh())
	s.MustShow("salaries.csv", "1m ago")
	s.Press("enter")
	if n := len(s.m.comp.d.Rows); n != 2 {
		t.Fatalf("%d rows", n)
	}
}

// TestImportVerdictMatchesCheck: the console's import counts and lists the
// same bad rows as `payouts check` for the same file (cmd_payouts_test.go
// checks the command on this text): a =HYPERLINK line is not valid CSV,
// so it is a bad row kept aside, not dropped.
func TestImportVerdictMatchesCheck(t *testing.T) {
	const hyperlinkCSV = "name,phone,amount\nJane,0712345678,100\n=HYPERLINK(\"http://x\",\"Bob\"),0722000111,100\nBad,07,100\n"
	f := newFixture(t, fixtureOpt{})
	d, _ := f.local(t, 120, 36)
	d.Feed(tea.PasteMsg{Content: hyperlinkCSV})
	d.MustShow("1 added · ✖ 2 bad rows kept aside", `line 3: not valid CSV: bare "`, `line 4: account: "07" is too short`)
	d.Press("enter")
	rows := d.m.comp.d.Rows
	if len(rows) != 3 || rows[2].Account != "07" {
		t.Fatalf("rows %q\n%s", rowsOf(d.m), d.View())
	}
	// The line that is not CSV comes in with all its text, to fix here.
	if r := rows[1]; r.Line != 3 || !strings.Contains(r.Name+r.Account, "HYPERLINK") || !strings.Contains(r.Name+r.Account, "0722000111") {
		t.Errorf("the bad CSV line came in as %+v", r)
	}
}

// TestImportIntoDraftAsks: importing into a draft that has rows asks
// whether the file replaces them or is appended (the same file imported
// twice used to double every payment silently); esc adds nothing, and a
// replace is one step of undo.
func TestImportIntoDraftAsks(t *testing.T) {
	tests := []struct {
		name  string
		keys  []string
		rows  int
		audit []string
	}{
		{"replace", []string{"r"}, 2, []string{"paste ok", "paste ok"}},
		{"append", []string{"a", "esc"}, 5, []string{"paste ok", "paste ok"}},
		{"cancel", []string{"esc"}, 3, []string{"paste ok", "paste cancelled"}},
		{"replace, then undo", []string{"r", "u"}, 3, []string{"paste ok", "paste ok"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{})
			d, rec := f.local(t, 120, 36)
			d.Feed(tea.PasteMsg{Content: goodCSV}) // an empty draft: no question
			d.addRow("Mary", "0722000111", "300", "nov")
			d.Feed(tea.PasteMsg{Content: goodCSV})
			d.MustShow("the draft already has 3 rows", "pays everyone in it twice", "r replace the draft's rows", "a append to the draft")
			if !d.m.Capturing() {
				t.Error("the question does not take keys: r would refresh instead")
			}
			d.Press(tc.keys...)
			if n := len(d.m.comp.d.Rows); n != tc.rows {
				t.Errorf("%d rows, want %d\n%s", n, tc.rows, d.View())
			}
			if got := rec.find("payout.import"); !slices.Equal(got, tc.audit) {
				t.Errorf("audit %q, want %q", got, tc.audit)
			}
		})
	}
}

// TestNewDraft: n empties the draft after a confirmation that names what
// is discarded; the journal no longer offers it back.
func TestNewDraft(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	d, _ := f.local(t, 120, 36)
	d.Feed(tea.PasteMsg{Content: goodCSV})
	old := d.m.comp.d.ID
	wallet := d.m.comp.d.WalletID
	d.Press("n")
	c, ok := d.LastConfirm()
	if !ok || !strings.Contains(c.Body, "2 rows (KES 300.00) is discarded") || c.ConfirmLabel == "" || c.Perm != common.PermInitiate {
		t.Fatalf("no confirmation before discarding: %+v", c)
	}
	if len(d.m.comp.d.Rows) != 2 {
		t.Fatal("the draft was emptied before the confirmation")
	}
	d.Feed(c.OnConfirm)
	if len(d.m.comp.d.Rows) != 0 || d.m.comp.d.ID == old || d.m.comp.d.WalletID != wallet {
		t.Fatalf("draft %s with %d rows, wallet %q", d.m.comp.d.ID, len(d.m.comp.d.Rows), d.m.comp.d.WalletID)
	}
	if ds, _ := f.j.Drafts(); len(ds) != 0 {
		t.Errorf("the discarded draft is still in the journal: %d drafts", len(ds))
	}
	d.Press("n") // empty: nothing to lose, nothing asked
	if d.confirms() != 1 {
		t.Errorf("an empty draft asked again")
	}
	if !slices.ContainsFunc(d.m.Actions(), func(a common.Action) bool { return a.Key.Help().Key == "n" && a.Perm == common.PermInitiate }) {
		t.Error("no palette action for a new draft")
	}
}
