package payout_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/payout"
)

const (
	testPub    = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"
	testSecret = "ISSecretKey_test_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181"
)

func simClient(t *testing.T) *client.Client {
	t.Helper()
	srv := sim.New(sim.Options{Clock: sim.NewManualClock(t0), Rand: 7, FailureRate: -1})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := client.New(testPub, testSecret, client.WithBaseURL(ts.URL), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	name240 = strings.Repeat("N", 240)
	nar23   = strings.Repeat("n", 23)
)

// mixedFiles hold, per rail, rows at every edge of the rules: good ones
// (which the simulator must accept) and bad ones (which it must refuse,
// unless malipo is deliberately stricter: see stricter).
var mixedFiles = map[payout.Rail]string{
	payout.B2C: "name,phone,amount,narrative,id_number\n" +
		"Jane Doe,0712 345 678,10,Salary,\n" + // minimum
		"John,+254 722-000-111,150000,Salary," + strings.Repeat("1", 20) + "\n" + // maximum, id 20
		"Mary,254110345678,99.99," + nar23 + ",\n" + // 01…, narrative warning
		name240 + ",0733000111,100,x_y-z 9,\n" + // 240-char name
		",0744000111,100,,\n" + // no name: warning only
		"Short,0712 34,100,,\n" + // bad phone
		"Low,0712345679,9.99,,\n" + // below minimum
		"High,0712345679,150000.01,,\n" + // above maximum
		"Land,0201234567,100,,\n" + // landline
		"Semi,0712345679,100,pay;now,\n" + // narrative characters
		"Long," + "0712345679,100,," + strings.Repeat("1", 21) + "\n" + // id 21
		"Name241" + strings.Repeat("N", 234) + ",0712345679,100,,\n", // 241-char name
	payout.B2B: "name,account,account_type,account_reference,amount,narrative\n" +
		"KPLC,888880,PayBill,12345678901234567890,250000,Power\n" + // max, ref 20
		"Shop,5212,TillNumber,,10,Stock\n" + // 4 digits, minimum
		"Shop2,1234 5678,TillNumber,,500,Stock\n" + // 8 digits with a space
		"Bad type,521234,Till,,100,\n" +
		"Lower,521234,paybill,X,100,\n" +
		"No ref,888880,PayBill,,100,\n" +
		"Ref21,888880,PayBill," + strings.Repeat("r", 21) + ",100,\n" +
		"Three,521,TillNumber,,100,\n" +
		"Nine,123456789,TillNumber,,100,\n" +
		"High,521234,TillNumber,,250000.01,\n" +
		"No type,521234,,,100,\n",
	payout.PesaLink: "name,account_number,bank_code,amount,narrative\n" +
		"Jane,0123 4567 8901,68,100,Rent\n" +
		"John,123456789012345678901234,1,999999,Rent\n" + // 24 digits, max
		"Mary,55555,97,5000," + nar23 + "\n" +
		"Low,0123456789,1,99.99,\n" +
		"High,0123456789,1,1000000,\n" +
		"NoBank,0123456789,,1000,\n" +
		"BadBank,0123456789,4,1000,\n" +
		"Long,1234567890123456789012345,1,1000,\n" +
		"Dash,0123-456,1,1000,\n",
	payout.P2P: "name,account,amount,narrative\n" +
		"Jane,12345,0.01,Refund\n" +
		"John,999,5000000,Refund\n" +
		"Zero,12345,0,\n" +
		"Letters,ABC123,100,\n",
	payout.Airtime: "phone,amount,narrative\n" +
		"0712345678,10,Top up\n" +
		"+254110345678,10000,\n" +
		"0712345678,9,\n" +
		"0712345678,10000.01,\n" +
		"888880,50,\n",
}

// TestImportAgreesWithSimulator: everything ImportCSV keeps, the simulator
// accepts in one batch; every row it rejects, the simulator refuses.
func TestImportAgreesWithSimulator(t *testing.T) {
	c := simClient(t)
	ctx := context.Background()
	banks, err := c.BankCodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bs := payout.NewBankSet(banks)
	for _, rail := range payout.Rails() {
		t.Run(string(rail), func(t *testing.T) {
			im := payout.ImportCSV(strings.NewReader(mixedFiles[rail]), rail, bs)
			if im.Refused != nil {
				t.Fatal(im.Refused)
			}
			if len(im.Rows) < 2 || len(im.Rejected) < 2 {
				t.Fatalf("the mixed file should have good and bad rows: %d good, %d rejected", len(im.Rows), len(im.Rejected))
			}
			d := payout.NewDraft(rail, t0)
			d.Rows = im.Rows
			b, err := c.InitiatePayout(ctx, d.Request())
			if err != nil {
				t.Fatalf("the simulator refused rows malipo accepted: %v", err)
			}
			if b.TransactionsCount != len(im.Rows) || b.StatusCode != client.BatchWaitingApproval {
				t.Errorf("batch %d rows status %s, want %d BP103", b.TransactionsCount, b.StatusCode, len(im.Rows))
			}
			if _, sum := d.Totals(); b.TotalAmount != sum {
				t.Errorf("simulator total %s, draft total %s", b.TotalAmount.Decimal(), sum.Decimal())
			}
			for _, r := range im.Rejected {
				one := &payout.Draft{Rail: rail, Rows: []payout.Row{r}}
				_, err := c.InitiatePayout(ctx, one.Request())
				var ae *client.APIError
				if !errors.As(err, &ae) || ae.Status != 400 {
					t.Errorf("line %d (%+v): malipo rejects it, the simulator answered %v", r.Line, r, err)
				}
			}
		})
	}
}

// TestBuiltinBanksMatchSimulator: the offline list is the one the
// simulator (standing in for IntaSend) serves, codes and names.
func TestBuiltinBanksMatchSimulator(t *testing.T) {
	banks, err := simClient(t).BankCodes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := payout.DefaultBanks().List()
	want := payout.NewBankSet(banks).List()
	if !slices.Equal(got, want) {
		t.Errorf("built-in banks differ from the simulator's:\n%v\n%v", got, want)
	}
	if n := payout.DefaultBanks().Name("68"); n != "Equity Bank" {
		t.Errorf("bank 68 is %q", n)
	}
}

// TestDraftRequestThroughSimulator: a hand-made draft, phones typed any
// way, goes through initiate and the journal records it.
func TestDraftRequestThroughSimulator(t *testing.T) {
	c := simClient(t)
	j := openJournal(t, t.TempDir())
	d := sampleDraft()
	d.WalletID = ""
	must(t, j.SaveDraft(d))
	must(t, j.RecordInitiating(d))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := c.InitiatePayout(ctx, d.Request())
	if err != nil {
		t.Fatal(err)
	}
	must(t, j.RecordInitiated(d, b))
	if b.BatchReference != "malipo-"+d.ID || b.Transactions[0].Account != "254712345678" {
		t.Errorf("batch %s first account %s", b.BatchReference, b.Transactions[0].Account)
	}
	e, ok := j.Entry(b.TrackingID)
	if !ok || e.FileID != b.FileID || e.StatusCode != client.BatchWaitingApproval || e.Status != payout.StatusInitiated {
		t.Errorf("journal entry %+v", e)
	}
	if got := fmt.Sprint(len(j.Initiated(d.Fingerprint()))); got != "1" {
		t.Errorf("duplicate guard finds %s batches", got)
	}
}

// FuzzValidateRowAgreesWithSimulator: for any row, ValidateRow finds an
// error exactly when the simulator refuses that row alone. Rows where
// malipo is deliberately stricter are left out: bytes that are not UTF-8
// (JSON would replace them), and accounts with line breaks or form feeds
// (which the OAS pattern's \s allows and no real account has).
func FuzzValidateRowAgreesWithSimulator(f *testing.F) {
	srv := sim.New(sim.Options{Clock: sim.NewManualClock(t0), Rand: 7, FailureRate: -1})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	c, err := client.New(testPub, testSecret, client.WithBaseURL(ts.URL), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		f.Fatal(err)
	}
	seeds := []payout.Row{
		{Name: "Jane", Account: "0712 345 678", AmountText: "10"},
		{Name: "Jane", Account: "0712345678", AmountText: "9.99", Narrative: "x"},
		{Name: "Shop", Account: "521234", AccountType: "PayBill", AccountReference: "A1", AmountText: "250000"},
		{Name: "J", Account: "0123 456", BankCode: "68", AmountText: "100"},
		{Name: "J;", Account: "12", AmountText: "0.01", IDNumber: "123456789012345678901"},
		{Account: "+254110345678", AmountText: "10000.01"},
	}
	for i, r := range seeds {
		f.Add(uint8(i), r.Name, r.Account, r.BankCode, r.AccountType, r.AccountReference, r.Narrative, r.IDNumber, r.AmountText)
	}
	f.Fuzz(func(t *testing.T, railIdx uint8, name, account, bank, typ, ref, narrative, id, amount string) {
		rails := payout.Rails()
		rail := rails[int(railIdx)%len(rails)]
		r := payout.Row{Name: name, Account: account, BankCode: bank, AccountType: typ, AccountReference: ref,
			Narrative: narrative, IDNumber: id, AmountText: amount}
		for _, s := range []string{name, account, bank, typ, ref, narrative, id, amount} {
			if !utf8.ValidString(s) || len(s) > 300 {
				return
			}
		}
		if strings.ContainsAny(account, "\n\r\f\v") || amount == "" {
			return
		}
		ours := payout.Errors(payout.ValidateRow(rail, r, nil)) > 0
		d := &payout.Draft{Rail: rail, Rows: []payout.Row{r}}
		_, err := c.InitiatePayout(context.Background(), d.Request())
		var ae *client.APIError
		theirs := errors.As(err, &ae) && ae.Status == 400
		if err != nil && !theirs {
			t.Fatalf("simulator: %v", err)
		}
		if ours != theirs {
			t.Fatalf("%s row %+v: malipo says bad=%v %v; simulator says bad=%v %v", rail, r, ours, payout.ValidateRow(rail, r, nil), theirs, err)
		}
	})
}
