package wallets

import "testing"

func TestCopyTextIsTheWalletID(t *testing.T) {
	f := small(t)
	tests := []struct {
		name string
		keys []string
	}{
		{"the first wallet", nil},
		{"the wallet under the cursor", []string{"down", "down"}},
		{"the open wallet", []string{"down", "enter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t, f.common(), 80, 20).init()
			d.Press(tt.keys...)
			w, _ := d.m.selected()
			if label, id := d.m.CopyText(); label != "wallet" || id == "" || id != w.ID {
				t.Fatalf("CopyText = %q %q, want wallet %q", label, id, w.ID)
			}
		})
	}
}

// TestClickRow: a click selects a wallet and a second click opens its
// statement; on the statement a click selects a line and a second click
// shows it whole, as enter does. The header and the lines above it are no
// rows.
func TestClickRow(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 100, 30).init()
	first := d.m.wallets[0] // the settlement wallet: a sale and its charge
	steps := []struct {
		name     string
		y        int
		wallet   string // the open wallet, "" for the list
		cursor   int
		lineOpen bool
	}{
		{"the title line", 0, "", 0, false},
		{"the header", listTop, "", 0, false},
		{"the second wallet", listTop + 2, "", 1, false},
		{"the first wallet", listTop + 1, "", 0, false},
		{"again: its statement", listTop + 1, first.ID, 0, false},
		{"the balances line", 1, first.ID, 0, false},
		{"the second line", statementTop + 2, first.ID, 1, false},
		{"again: the line whole", statementTop + 2, first.ID, 1, true},
		{"a click on the line shown", statementTop + 2, first.ID, 1, true},
	}
	for _, s := range steps {
		d.Run(d.m.ClickRow(s.y))
		open, cursor := "", d.m.list.Cursor()
		lineOpen := false
		if d.m.detail != nil {
			open, cursor, lineOpen = d.m.detail.wallet.ID, d.m.detail.tbl.Cursor(), d.m.detail.tbl.DetailOpen()
		}
		if open != s.wallet || cursor != s.cursor || lineOpen != s.lineOpen {
			t.Fatalf("%s: open %q cursor %d line %v; want %q %d %v\n%s", s.name, open, cursor, lineOpen, s.wallet, s.cursor, s.lineOpen, d.View())
		}
	}
}
