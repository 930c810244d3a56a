package refunds

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/userdir"
)

// TestCopyAndClick: y copies the refund under the cursor (or the open
// one, or the payment's invoice), a click selects a row and a second
// click opens it, as in Collections and Payouts.
func TestCopyAndClick(t *testing.T) {
	f := seeded(t)
	d := newDriver(t, f.common(""), 80, 20)
	steps := []struct {
		name        string
		do          func()
		label, text string
		screen      screen
	}{
		{"first row", func() {}, "refund", "ECX0XJS", scrList},
		{"click third", func() { d.Run(d.m.ClickRow(listTop + 3)) }, "refund", "ZZ7RHP9", scrList},
		{"click header", func() { d.Run(d.m.ClickRow(listTop)) }, "refund", "ZZ7RHP9", scrList},
		{"click below the rows", func() { d.Run(d.m.ClickRow(listTop + 9)) }, "refund", "ZZ7RHP9", scrList},
		{"click it again opens", func() { d.Run(d.m.ClickRow(listTop + 3)) }, "refund", "ZZ7RHP9", scrDetail},
		{"clicks on a detail do nothing", func() { d.Run(d.m.ClickRow(listTop + 1)) }, "refund", "ZZ7RHP9", scrDetail},
		{"its payment", func() { d.Press("p") }, "invoice", "V1D8D8F", scrPayment},
		{"find box takes y", func() { d.Press("f") }, "", "", scrPayment},
	}
	for _, s := range steps {
		s.do()
		label, text := d.m.CopyText()
		if label != s.label || text != s.text || d.m.screen() != s.screen {
			t.Fatalf("%s: copy %q %q on screen %d, want %q %q on %d\n%s", s.name, label, text, d.m.screen(), s.label, s.text, s.screen, d.View())
		}
	}
}

// TestExport: E writes the refunds the filter shows to the user's folder
// over SSH, audited; a support role (no PermExport) has no E.
func TestExport(t *testing.T) {
	f := seeded(t)
	dir, err := userdir.Open(t.TempDir(), "amina")
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	for _, tc := range []struct {
		role   string
		filter string
		want   string
	}{
		{common.RoleMaker, "completed", "Created (EAT +03:00),Refund,Invoice,Amount,Currency,Reason,Details,Status,Account\n" +
			"2026-11-03 14:30:55,ZZ7RHP9,V1D8D8F,150.00,KES,"},
		{common.RoleSupport, "", ""},
	} {
		t.Run(tc.role, func(t *testing.T) {
			rec := &recAuditor{}
			c := f.common(tc.role)
			c.User, c.Files, c.Auditor = "amina", dir, rec
			d := newDriver(t, c, 100, 30)
			if tc.filter != "" {
				d.Press("/")
				d.TypeText(tc.filter)
				d.Press("enter")
			}
			d.Press("E")
			if tc.want == "" {
				if d.m.exp.Open() || strings.Contains(d.View(), "Export") {
					t.Fatalf("a %s may export:\n%s", tc.role, d.View())
				}
				return
			}
			tuitest.MustContain(t, d.View(), "Export refunds as CSV", "2 refunds")
			d.Press("ctrl+u", "ctrl+k")
			d.TypeText("refunds.csv")
			d.Press("enter")
			b, err := os.ReadFile(filepath.Join(dir.Path(), "refunds.csv"))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			if len(lines) != 3 || !strings.HasPrefix(string(b), tc.want) || !strings.Contains(lines[2], "QE3WJUQ") {
				t.Fatalf("file:\n%s", b)
			}
			if len(rec.Events) != 1 || rec.Events[0].Action != "refund.export" || rec.Events[0].Result != "ok" {
				t.Fatalf("audit %+v", rec.Events)
			}
		})
	}
}
