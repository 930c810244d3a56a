package payouts

import (
	"crypto/rsa"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/payout"
)

// TestOpsImportsFixesApprovesAndWatches is issue 6's "done when", end to
// end through the simulator: an ops person imports a 5,000-row CSV, fixes
// the three bad rows it flags, previews, approves with the device key and
// watches every payout settle; the money moves exactly once.
func TestOpsImportsFixesApprovesAndWatches(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000-row end to end")
	}
	pemData, err := os.ReadFile("../../client/testdata/device-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	priv, err := client.ParsePrivateKeyPEM(pemData)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, fixtureOpt{
		sim:    sim.Options{Devices: map[string]*rsa.PublicKey{"7": &priv.PublicKey}},
		signer: client.NewRSASigner(priv),
	})
	wallet := f.Server.SettlementWalletID()
	before, _ := f.Server.Wallet(wallet)

	// 5,000 payees at KES 20 each; lines 1001, 2502 and 4999 are bad.
	bad := map[int]string{
		1001: "Bad Phone,0712 34,20,nov salary",   // too short
		2502: "Low Amount,0712002502,5.00,nov",    // below the B2C minimum
		4999: "Landline,0202004999,20,nov salary", // not a mobile number
	}
	var b strings.Builder
	b.WriteString("Name,Phone,Amount,Narrative\n")
	for line := 2; line <= payout.MaxRows+1; line++ {
		if row, ok := bad[line]; ok {
			b.WriteString(row + "\n")
			continue
		}
		fmt.Fprintf(&b, "Payee %d,07%08d,20,nov salary\n", line, 12000000+line)
	}
	path := writeCSV(t, f.dir, "november.csv", b.String())

	d := f.open(120, 36, WithDeviceID("7"))
	d.Press("i")
	d.TypeText(path)
	d.Press("enter")
	if n := len(d.m.comp.d.Rows); n != payout.MaxRows-3 {
		t.Fatalf("%d good rows imported, want %d:\n%s", n, payout.MaxRows-3, d.View())
	}
	v := d.View()
	for _, want := range []string{"3 bad rows", "line 1001: account:", "line 2502: amount:", "line 4999: account:"} {
		if !strings.Contains(v, want) {
			t.Errorf("import panel lacks %q:\n%s", want, v)
		}
	}

	// Bring the bad rows in and fix each in place: they come last.
	d.Press("enter")
	if n, bad := len(d.m.comp.d.Rows), d.m.comp.nErr; n != payout.MaxRows || bad != 3 {
		t.Fatalf("%d rows, %d with errors after taking the bad rows in", n, bad)
	}
	d.Press("p")
	if d.m.batch != nil {
		t.Fatal("preview allowed while rows have errors")
	}
	fixes := []struct {
		field int // B2C form order: name, phone, amount, narrative
		value string
	}{{1, "0712001001"}, {2, "20"}, {1, "0712004999"}}
	d.Press("end", "up", "up")
	for i, fx := range fixes {
		if i > 0 {
			d.Press("down")
		}
		d.Press("e")
		d.m.form.Focus(fx.field)
		d.Press("ctrl+u")
		d.TypeText(fx.value)
		d.m.form.Focus(len(d.m.form.Fields) - 1)
		d.Press("enter")
		if d.m.form != nil {
			t.Fatalf("fix %d not accepted:\n%s", i+1, d.View())
		}
	}
	if d.m.comp.nErr != 0 {
		t.Fatalf("%d rows still have errors:\n%s", d.m.comp.nErr, d.View())
	}
	n, sum := d.m.comp.d.Totals()
	if n != payout.MaxRows || sum != client.Units(20*payout.MaxRows) {
		t.Fatalf("draft %d rows, %s", n, sum)
	}

	// Preview: IntaSend's charges and total; approve with the typed total.
	d.Press("p")
	if d.m.batch == nil || d.m.batch.phase != phasePreview {
		t.Fatalf("no preview: %q\n%s", d.ErrorTexts(), d.View())
	}
	tid := d.m.batch.b.TrackingID
	charges := d.m.batch.b.ChargeEstimate
	if info, _ := f.Server.Batch(tid); info.DeviceID != "7" || len(info.TxStatusCodes) != payout.MaxRows {
		t.Fatalf("batch at the simulator: device %q, %d transactions", info.DeviceID, len(info.TxStatusCodes))
	}
	d.Press("A")
	d.Press("A") // a double keypress must not approve twice
	if c := d.Confirm(); c.Typed != d.m.batch.total().String() {
		t.Fatalf("confirmation wants %q, total %s", c.Typed, d.m.batch.total())
	}
	d.settle()

	info, _ := f.Server.Batch(tid)
	if info.StatusCode != client.BatchCompleted || info.Approvals != 1 || f.Server.Counters().Approved[tid] != 1 {
		t.Fatalf("batch %s, approvals %d (counter %d)", info.StatusCode, info.Approvals, f.Server.Counters().Approved[tid])
	}
	for i, code := range info.TxStatusCodes {
		if code != "TS100" {
			t.Fatalf("transaction %d ended %s", i, code)
		}
	}
	if v := d.View(); !strings.Contains(v, "Completed (BC100)") || !strings.Contains(v, "Paid KES 100,000.00 (5,000) · ✖ failed KES 0.00 (0)") {
		t.Errorf("tracking screen does not show the settled batch:\n%s", v)
	}
	after, _ := f.Server.Wallet(wallet)
	if moved, want := before.Available-after.Available, client.Units(20*payout.MaxRows)+charges; moved != want {
		t.Fatalf("wallet moved %s, want %s (payouts + charges)", moved, want)
	}
}
