package reconcile

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/userdir"
)

var start = time.Date(2026, 11, 22, 9, 30, 0, 0, tuitest.EAT())

// ledgerFile writes the shop's ledger for the seeded history with one
// order paid a shilling short, one never paid and one written twice.
func ledgerFile(t *testing.T, s *tuitest.Sim, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "orders.csv")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(fh)
	_ = w.Write([]string{"Order No", "Total", "Date", "Phone"})
	seen := map[string]bool{}
	n := 0
	for _, inv := range s.Server.Invoices() {
		if inv.State != client.InvoiceComplete || !strings.HasPrefix(inv.APIRef, "ORDER-") || seen[inv.APIRef] {
			continue
		}
		seen[inv.APIRef] = true
		n++
		amount := inv.Value
		if n == 3 {
			amount += client.Units(1) // ordered a shilling more than was paid
		}
		row := []string{inv.APIRef, amount.Decimal(), inv.CreatedAt.In(eat).Format(time.DateOnly), inv.Account}
		_ = w.Write(row)
		if n == 5 {
			_ = w.Write(row) // written twice
		}
	}
	_ = w.Write([]string{"ORDER-NEVER", "999", start.Format(time.DateOnly), ""})
	w.Flush()
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func newSim(t *testing.T) *tuitest.Sim {
	return tuitest.NewSim(t, start, tuitest.WithOptions(sim.Options{Seed: true, Rand: 7}))
}

// TestReconcileScreens: the tab before a file is opened, the path prompt,
// the findings and a finding's evidence, at 80x24 and 120x40.
func TestReconcileScreens(t *testing.T) {
	for _, size := range []string{"80x24", "120x40"} {
		t.Run(size, func(t *testing.T) {
			s := newSim(t)
			path := ledgerFile(t, s, t.TempDir())
			m := New(s.Common(common.ModeSandbox, "")).(*Model)
			w, h := tuitest.Body(t, size)
			m.SetSize(w, h)
			d := tuitest.ForModel(t, m)
			m.SetSched(d.Sched)
			tuitest.Screen(t, "idle_"+size, d.View(), w, h)
			d.Press("o")
			d.TypeText("orders.csv")
			tuitest.Screen(t, "prompt_"+size, d.View(), w, h)
			m.input.SetValue(path) // the temporary path changes every run; the golden shows the typed name
			d.Press("enter")
			got := d.View()
			tuitest.MustContain(t, got, "1 mismatched", "1 unpaid", "duplicates", "ORDER-NEVER", "Mismatch")
			tuitest.Screen(t, "findings_"+size, got, w, h)
			d.Press("enter")
			detail := d.View()
			tuitest.MustContain(t, detail, "Ledger line", "IntaSend invoice")
			tuitest.Screen(t, "detail_"+size, detail, w, h)
		})
	}
}

// TestReconcileOverSSH: over SSH the file comes from the user's folder,
// picked from a list; nothing typed is a path.
func TestReconcileOverSSH(t *testing.T) {
	s := newSim(t)
	dir, err := userdir.Open(t.TempDir(), "amina")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	ledgerFile(t, s, dir.Path())
	c := s.Common(common.ModeSandbox, common.RoleMaker)
	c.Files = dir
	m := New(c).(*Model)
	w, h := tuitest.Body(t, "80x24")
	m.SetSize(w, h)
	d := tuitest.ForModel(t, m)
	m.SetSched(d.Sched)
	d.Press("o")
	if m.Capturing() {
		t.Fatal("over SSH the tab must not take a typed path")
	}
	d.MustShow("orders.csv", "pick a ledger from your folder")
	d.Press("enter")
	d.MustShow("orders.csv · ", "1 unpaid")
}

// TestReconcileRefusedFile: a file that is not a ledger says why.
func TestReconcileRefusedFile(t *testing.T) {
	s := newSim(t)
	path := filepath.Join(t.TempDir(), "payroll.csv")
	_ = os.WriteFile(path, []byte("name,phone,amount\nJane,0712345678,100\n"), 0o600)
	m := New(s.Common(common.ModeSandbox, "")).(*Model)
	d := tuitest.ForModel(t, m)
	m.SetSched(d.Sched)
	d.Press("o")
	m.input.SetValue(path)
	d.Press("enter")
	d.MustShow("missing column(s): reference")
}

// TestSettlementScreens: s shows where the money went, a day a row, and
// enter explains a day by its statement lines.
func TestSettlementScreens(t *testing.T) {
	for _, size := range []string{"80x24", "120x40"} {
		t.Run(size, func(t *testing.T) {
			s := newSim(t)
			m := New(s.Common(common.ModeSandbox, "")).(*Model)
			w, h := tuitest.Body(t, size)
			m.SetSize(w, h)
			d := tuitest.ForModel(t, m)
			m.SetSched(d.Sched)
			d.Press("s")
			got := d.View()
			tuitest.MustContain(t, got, "Where the money went", "every day's lines add up", "2026-11-22")
			tuitest.Screen(t, "settlement_"+size, got, w, h)
			d.Press("down", "down", "enter")
			detail := d.View()
			tuitest.MustContain(t, detail, "Where the money went on 2026-11-20", "Collections by M-Pesa", "lines ")
			tuitest.Screen(t, "settlement_detail_"+size, detail, w, h)
			d.Press("esc", "esc")
			if m.stage != stageIdle {
				t.Errorf("esc from the settlement went to stage %d", m.stage)
			}
		})
	}
}

// TestDuplicateRefund: a reference paid twice is a refund candidate; R on
// it hands the latest payment to the Refunds tab, as Collections' R does,
// and a role that may not refund is told so (and audited).
func TestDuplicateRefund(t *testing.T) {
	for _, tc := range []struct {
		size, role string
		refunds    bool
	}{{"80x24", "", true}, {"120x40", "", true}, {"80x24", common.RoleViewer, false}} {
		t.Run(tc.size+"_"+tc.role, func(t *testing.T) {
			s := tuitest.NewSim(t, start, tuitest.WithOptions(sim.Options{Seed: true, Rand: 7, FailureRate: -1}))
			path := ledgerFile(t, s, t.TempDir())
			c := s.Common(common.ModeSandbox, tc.role)
			paid := firstOrderPaid(s)
			again, err := c.Client.STKPush(t.Context(), client.STKPushRequest{Phone: "254708374149", Amount: paid.Value, APIRef: paid.APIRef})
			if err != nil {
				t.Fatal(err)
			}
			s.Advance(5 * time.Minute)
			m := New(c).(*Model)
			w, h := tuitest.Body(t, tc.size)
			m.SetSize(w, h)
			d := tuitest.ForModel(t, m)
			m.SetSched(d.Sched)
			reconcileLedger(d, m, path, tc.role != "")
			d.Press("R") // on a row that is no duplicate: nothing is handed over
			if d.Last(reflect.TypeFor[common.GoToMsg]()) != nil {
				t.Fatal("R on a mismatch opened Refunds")
			}
			openDuplicate(t, d, m, paid.APIRef)
			detail := d.View()
			tuitest.MustContain(t, detail, "R opens Refunds", again.Invoice.ID)
			if tc.refunds {
				tuitest.Screen(t, "duplicate_"+tc.size, detail, w, h)
			}
			d.Press("R")
			checkRefundHandOff(t, d, tc.refunds, again.Invoice.ID)
		})
	}
}

// firstOrderPaid is the first complete seeded payment of an ORDER-
// reference.
func firstOrderPaid(s *tuitest.Sim) sim.InvoiceInfo {
	for _, inv := range s.Server.Invoices() {
		if inv.State == client.InvoiceComplete && strings.HasPrefix(inv.APIRef, "ORDER-") {
			return inv
		}
	}
	return sim.InvoiceInfo{}
}

// reconcileLedger reconciles the ledger at path: imported with o, or, for
// a role that may not import, with r on the file already named.
func reconcileLedger(d *tuitest.Driver, m *Model, path string, viewer bool) {
	if viewer {
		m.source = source{path: path}
		d.Press("r")
		return
	}
	d.Press("o")
	m.input.SetValue(path)
	d.Press("enter")
}

// openDuplicate moves to the duplicate finding of ref and opens it.
func openDuplicate(t *testing.T, d *tuitest.Driver, m *Model, ref string) {
	t.Helper()
	row := slices.IndexFunc(m.finds, func(f finding) bool { return f.kind == kindDup && f.ref == ref })
	if row < 0 {
		t.Fatalf("no duplicate finding for %s: %v", ref, m.finds)
	}
	for range row {
		d.Press("down")
	}
	d.Press("enter")
}

// checkRefundHandOff checks what R on the duplicate did: handed the latest
// payment (invoiceID) to Refunds, or, for a role that may not refund, told
// the user so.
func checkRefundHandOff(t *testing.T, d *tuitest.Driver, refunds bool, invoiceID string) {
	t.Helper()
	g, _ := d.Last(reflect.TypeFor[common.GoToMsg]()).(common.GoToMsg)
	if !refunds {
		if g.Tab != "" || !strings.Contains(strings.Join(d.Toasts(), ""), "may not refund") {
			t.Fatalf("viewer: goto %+v toasts %v", g, d.Toasts())
		}
		return
	}
	if want := (common.OpenRefundMsg{InvoiceID: invoiceID}); g.Tab != "Refunds" || g.Msg != want {
		t.Fatalf("R sent %+v, want Refunds %+v", g, want)
	}
}

// TestReconcileSpinner: while the ledger is read the shared busy spinner
// turns on the tab's scheduler, and stops by itself once the findings come.
func TestReconcileSpinner(t *testing.T) {
	s := newSim(t)
	path := ledgerFile(t, s, t.TempDir())
	m := New(s.Common(common.ModeSandbox, "")).(*Model)
	d := tuitest.ForModel(t, m)
	m.SetSched(d.Sched)
	held := d.Hold(doneMsg{})
	d.Press("o")
	m.input.SetValue(path)
	d.Press("enter")
	before := d.View()
	tuitest.MustContain(t, before, "Reading the ledger")
	if _, ok := d.Pending(spinMsg{}); !ok {
		t.Fatal("no spinner frame scheduled while loading")
	}
	d.Fire(spinMsg{})
	if after := d.View(); after == before {
		t.Error("the spinner did not turn")
	}
	held.Drain()
	held.Stop()
	if n := d.Fire(spinMsg{}); n != 1 || m.spin.Running() {
		t.Errorf("spinner after the findings: fired %d, running %v", n, m.spin.Running())
	}
	if _, ok := d.Pending(spinMsg{}); ok {
		t.Error("the spinner keeps turning after the findings came")
	}
}
