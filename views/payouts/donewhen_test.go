package payouts

import (
	"crypto/rsa"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
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
	testcheck.Must(t, "device key", err)
	priv, err := client.ParsePrivateKeyPEM(pemData)
	testcheck.Must(t, "parse device key", err)
	f := newFixture(t, fixtureOpt{
		sim:    sim.Options{Devices: map[string]*rsa.PublicKey{"7": &priv.PublicKey}},
		signer: client.NewRSASigner(priv),
	})
	wallet := f.Server.SettlementWalletID()
	before, _ := f.Server.Wallet(wallet)

	d := f.open(120, 36, WithDeviceID("7"))
	opsImport(t, d, writeCSV(t, f.dir, "november.csv", opsCSV()))
	opsFixBadRows(t, d)
	tid, charges := opsPreview(t, f, d)
	d.Press("A")
	d.Press("A") // a double keypress must not approve twice
	c := d.Confirm()
	testcheck.Expect(t, "confirmation, total "+d.m.batch.total().String(), c.Typed,
		testcheck.C("wants the total", c.Typed == d.m.batch.total().String()))
	d.settle()

	info, _ := f.Server.Batch(tid)
	approved := f.Server.Counters().Approved[tid]
	testcheck.Expect(t, "batch, approvals, counter", fmt.Sprint(info.StatusCode, info.Approvals, approved),
		testcheck.C("completed", info.StatusCode == client.BatchCompleted), testcheck.C("one approval", info.Approvals == 1),
		testcheck.C("approved once", approved == 1))
	for i, code := range info.TxStatusCodes {
		testcheck.Expect(t, fmt.Sprint("transaction ", i), code, testcheck.C("TS100", code == "TS100"))
	}
	// The tracking screen shows the settled batch.
	testcheck.Contains(t, "tracking screen", d.View(), "Completed (BC100)", "Paid KES 100,000.00 (5,000) · ✖ failed KES 0.00 (0)")
	after, _ := f.Server.Wallet(wallet)
	moved, want := before.Available-after.Available, client.Units(20*payout.MaxRows)+charges
	testcheck.Expect(t, "wallet moved, want "+want.String()+" (payouts + charges)", moved, testcheck.C("exactly once", moved == want))
}

// opsCSV is 5,000 payees at KES 20 each; lines 1001, 2502 and 4999 are bad.
func opsCSV() string {
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
	return b.String()
}

// opsImport imports path: the good rows come in, the bad ones are listed.
func opsImport(t *testing.T, d *driver, path string) {
	t.Helper()
	d.Press("i")
	d.TypeText(path)
	d.Press("enter")
	n := len(d.m.comp.d.Rows)
	testcheck.Expect(t, fmt.Sprintf("good rows imported\n%s", d.View()), n, testcheck.C(fmt.Sprint(payout.MaxRows-3), n == payout.MaxRows-3))
	testcheck.Contains(t, "import panel", d.View(), "3 bad rows", "line 1001: account:", "line 2502: amount:", "line 4999: account:")
}

// opsFixBadRows brings the bad rows in (they come last), shows preview is
// refused while they have errors, and fixes each in place.
func opsFixBadRows(t *testing.T, d *driver) {
	t.Helper()
	d.Press("enter")
	n, bad := len(d.m.comp.d.Rows), d.m.comp.nErr
	testcheck.Expect(t, "rows, with errors, after taking the bad rows in", []int{n, bad},
		testcheck.C("all rows", n == payout.MaxRows), testcheck.C("3 with errors", bad == 3))
	d.Press("p")
	testcheck.Expect(t, "preview while rows have errors", d.m.batch, testcheck.C("refused", d.m.batch == nil))
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
		testcheck.Expect(t, fmt.Sprintf("fix %d\n%s", i+1, d.View()), d.m.form, testcheck.C("accepted", d.m.form == nil))
	}
	testcheck.Expect(t, "rows with errors\n"+d.View(), d.m.comp.nErr, testcheck.C("none", d.m.comp.nErr == 0))
	rows, sum := d.m.comp.d.Totals()
	testcheck.Expect(t, "draft rows, sum", fmt.Sprint(rows, sum), testcheck.C("all rows", rows == payout.MaxRows),
		testcheck.C("KES 20 each", sum == client.Units(20*payout.MaxRows)))
}

// opsPreview previews the batch (IntaSend's charges and total) and checks
// the simulator holds it with the device and every row.
func opsPreview(t *testing.T, f *fixture, d *driver) (string, client.Amount) {
	t.Helper()
	d.Press("p")
	testcheck.Expect(t, fmt.Sprintf("preview %q\n%s", d.ErrorTexts(), d.View()), d.m.batch,
		testcheck.C("shown", d.m.batch != nil && d.m.batch.phase == phasePreview))
	tid := d.m.batch.b.TrackingID
	info, _ := f.Server.Batch(tid)
	testcheck.Expect(t, "batch at the simulator (device, transactions)", fmt.Sprint(info.DeviceID, len(info.TxStatusCodes)),
		testcheck.C("device 7", info.DeviceID == "7"), testcheck.C("every row", len(info.TxStatusCodes) == payout.MaxRows))
	return tid, d.m.batch.b.ChargeEstimate
}
