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
