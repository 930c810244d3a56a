package payout_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
)

// fields lists the fields with errors (warnings: "~field"), sorted.
func fields(ps []payout.Problem) []string {
	var out []string
	for _, p := range ps {
		f := p.Field
		if p.Warning {
			f = "~" + f
		}
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

func row(name, account, amount string) payout.Row {
	return payout.Row{Name: name, Account: account, AmountText: amount, Narrative: "Salary"}
}

func TestValidateRowPerRail(t *testing.T) {
	long := strings.Repeat("a", 241)
	with := func(r payout.Row, f func(*payout.Row)) payout.Row { f(&r); return r }
	cases := []struct {
		name string
		rail payout.Rail
		row  payout.Row
		want []string // fields with problems; "~x" = warning on x
	}{
		// M-Pesa B2C
		{"b2c ok 254", payout.B2C, row("Jane Doe", "254712345678", "10"), nil},
		{"b2c ok 07 with spaces", payout.B2C, row("Jane Doe", "0712 345 678", "150000"), nil},
		{"b2c ok 01 and +254", payout.B2C, row("Jane", "+254 110 345 678", "99.50"), nil},
		{"b2c short phone", payout.B2C, row("Jane", "0712 34", "100"), []string{"account"}},
		{"b2c landline", payout.B2C, row("Jane", "0201234567", "100"), []string{"account"}},
		{"b2c letters", payout.B2C, row("Jane", "07123abc78", "100"), []string{"account"}},
		{"b2c missing account", payout.B2C, row("Jane", "", "100"), []string{"account"}},
		{"b2c below min", payout.B2C, row("Jane", "0712345678", "9.99"), []string{"amount"}},
		{"b2c above max", payout.B2C, row("Jane", "0712345678", "150000.01"), []string{"amount"}},
		{"b2c zero", payout.B2C, row("Jane", "0712345678", "0"), []string{"amount"}},
		{"b2c negative", payout.B2C, row("Jane", "0712345678", "-50"), []string{"amount"}},
		{"b2c amount text", payout.B2C, row("Jane", "0712345678", "ten"), []string{"amount"}},
		{"b2c three decimals", payout.B2C, row("Jane", "0712345678", "10.005"), []string{"amount"}},
		{"b2c amount missing", payout.B2C, row("Jane", "0712345678", ""), []string{"amount"}},
		{"b2c amount with KES and commas", payout.B2C, row("Jane", "0712345678", "KES 1,500.50"), nil},
		{"b2c name bad chars", payout.B2C, row("O'Brien, Jane", "0712345678", "100"), []string{"name"}},
		{"b2c name accent", payout.B2C, row("José", "0712345678", "100"), []string{"name"}},
		{"b2c name too long", payout.B2C, row(long, "0712345678", "100"), []string{"name"}},
		{"b2c name empty warns", payout.B2C, row("", "0712345678", "100"), []string{"~name"}},
		{"b2c narrative bad chars", payout.B2C, with(row("Jane", "0712345678", "100"), func(r *payout.Row) { r.Narrative = "pay; now!" }), []string{"narrative"}},
		{"b2c narrative 22 ok", payout.B2C, with(row("Jane", "0712345678", "100"), func(r *payout.Row) { r.Narrative = strings.Repeat("n", 22) }), nil},
		{"b2c narrative 23 warns", payout.B2C, with(row("Jane", "0712345678", "100"), func(r *payout.Row) { r.Narrative = strings.Repeat("n", 23) }), []string{"~narrative"}},
		{"b2c narrative 241", payout.B2C, with(row("Jane", "0712345678", "100"), func(r *payout.Row) { r.Narrative = long }), []string{"narrative"}},
		{"b2c id number 21", payout.B2C, with(row("Jane", "0712345678", "100"), func(r *payout.Row) { r.IDNumber = strings.Repeat("1", 21) }), []string{"id_number"}},
		{"b2c bad account type even here", payout.B2C, with(row("Jane", "0712345678", "100"), func(r *payout.Row) { r.AccountType = "paybill" }), []string{"account_type"}},
		{"b2c amount field only", payout.B2C, payout.Row{Name: "Jane", Account: "0712345678", Amount: client.Units(50)}, nil},

		// M-Pesa B2B
		{"b2b paybill ok", payout.B2B, with(row("KPLC", "888880", "2500"), func(r *payout.Row) { r.AccountType, r.AccountReference = "PayBill", "12345678" }), nil},
		{"b2b till ok", payout.B2B, with(row("Shop", "5212 34", "250000"), func(r *payout.Row) { r.AccountType = "TillNumber" }), nil},
		{"b2b type lower case", payout.B2B, with(row("Shop", "521234", "100"), func(r *payout.Row) { r.AccountType = "tillnumber" }), []string{"account_type"}},
		{"b2b type missing", payout.B2B, row("Shop", "521234", "100"), []string{"account_type"}},
		{"b2b paybill no ref", payout.B2B, with(row("KPLC", "888880", "100"), func(r *payout.Row) { r.AccountType = "PayBill" }), []string{"account_reference"}},
		{"b2b ref 21", payout.B2B, with(row("KPLC", "888880", "100"), func(r *payout.Row) { r.AccountType, r.AccountReference = "PayBill", strings.Repeat("r", 21) }), []string{"account_reference"}},
		{"b2b 3 digits", payout.B2B, with(row("Shop", "521", "100"), func(r *payout.Row) { r.AccountType = "TillNumber" }), []string{"account"}},
		{"b2b 9 digits", payout.B2B, with(row("Shop", "123456789", "100"), func(r *payout.Row) { r.AccountType = "TillNumber" }), []string{"account"}},
		{"b2b above max", payout.B2B, with(row("Shop", "521234", "250000.01"), func(r *payout.Row) { r.AccountType = "TillNumber" }), []string{"amount"}},

		// PesaLink
		{"bank ok", payout.PesaLink, with(row("Jane", "0123 4567 8901", "100"), func(r *payout.Row) { r.BankCode = "68" }), nil},
		{"bank code missing", payout.PesaLink, row("Jane", "01234567", "100"), []string{"bank_code"}},
		{"bank code unknown", payout.PesaLink, with(row("Jane", "01234567", "100"), func(r *payout.Row) { r.BankCode = "999" }), []string{"bank_code"}},
		{"bank below min", payout.PesaLink, with(row("Jane", "01234567", "99.99"), func(r *payout.Row) { r.BankCode = "1" }), []string{"amount"}},
		{"bank above max", payout.PesaLink, with(row("Jane", "01234567", "1000000"), func(r *payout.Row) { r.BankCode = "1" }), []string{"amount"}},
		{"bank account dashes", payout.PesaLink, with(row("Jane", "0123-4567", "100"), func(r *payout.Row) { r.BankCode = "1" }), []string{"account"}},
		{"bank account 25 digits", payout.PesaLink, with(row("Jane", strings.Repeat("1", 25), "100"), func(r *payout.Row) { r.BankCode = "1" }), []string{"account"}},
		{"bank account excel", payout.PesaLink, with(row("Jane", "1.23457E+11", "100"), func(r *payout.Row) { r.BankCode = "1" }), []string{"account"}},

		// IntaSend P2P
		{"p2p ok one cent", payout.P2P, row("Jane", "12345", "0.01"), nil},
		{"p2p huge", payout.P2P, row("Jane", "12345", "5000000"), nil},
		{"p2p zero", payout.P2P, row("Jane", "12345", "0.00"), []string{"amount"}},

		// Airtime
		{"airtime ok no name", payout.Airtime, row("", "0712345678", "10"), nil},
		{"airtime above max", payout.Airtime, row("", "0712345678", "10000.01"), []string{"amount"}},
		{"airtime till number", payout.Airtime, row("", "521234", "50"), []string{"account"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := fields(payout.ValidateRow(c.rail, c.row, nil))
			if !slices.Equal(got, c.want) {
				t.Errorf("problems on %v, want %v: %v", got, c.want, payout.ValidateRow(c.rail, c.row, nil))
			}
		})
	}
}

func TestValidateRowReasons(t *testing.T) {
	cases := []struct {
		rail payout.Rail
		row  payout.Row
		want string
	}{
		{payout.B2C, payout.Row{Line: 12, Name: "A", Account: "0712 34", AmountText: "100"}, `line 12: account: "0712 34" is too short`},
		{payout.B2C, payout.Row{Line: 3, Name: "A", Account: "0712345678", AmountText: "5"}, `line 3: amount: 5.00 is below the MPESA-B2C minimum of 10.00`},
		{payout.B2B, payout.Row{Name: "A", Account: "521234", AccountType: "paybill", AmountText: "50"}, `account_type: "paybill" is not a valid choice: use PayBill or TillNumber (case-sensitive)`},
		{payout.PesaLink, payout.Row{Name: "A", Account: "1", BankCode: "4", AmountText: "500"}, `bank_code: "4" is not a known bank code`},
		{payout.B2C, payout.Row{Line: 5, Name: "A", Account: "0712345678", AmountText: "50", Narrative: "November salary and bonus"}, `line 5: warning: narrative: 25 characters: the recipient's SMS shows only the first 22`},
		{payout.B2C, payout.Row{Name: "A;B", Account: "0712345678", AmountText: "50"}, `name: "A;B" has characters IntaSend refuses (';')`},
	}
	for _, c := range cases {
		ps := payout.ValidateRow(c.rail, c.row, nil)
		if len(ps) == 0 || !strings.HasPrefix(ps[0].String(), c.want) {
			t.Errorf("%v: got %v, want a problem starting %q", c.row, ps, c.want)
		}
	}
}

func TestNormalizeRow(t *testing.T) {
	r := payout.NormalizeRow(payout.B2C, payout.Row{Name: "  Jane ", Account: " 0712-345-678 ", AmountText: " 1,000.5 "})
	if r.Name != "Jane" || r.Account != "254712345678" || r.Amount != client.MustAmount("1000.50") {
		t.Errorf("normalised b2c row = %+v", r)
	}
	r = payout.NormalizeRow(payout.PesaLink, payout.Row{Account: "0123 4567\t89"})
	if r.Account != "0123456789" {
		t.Errorf("bank account = %q, want spaces removed", r.Account)
	}
	r = payout.NormalizeRow(payout.PesaLink, payout.Row{Account: "0712345678"})
	if r.Account != "0712345678" {
		t.Errorf("a bank account that looks like a phone must not become one: %q", r.Account)
	}
}

func TestParseRail(t *testing.T) {
	for in, want := range map[string]payout.Rail{"b2c": payout.B2C, "MPESA-B2C": payout.B2C, "Bank": payout.PesaLink,
		"p2p": payout.P2P, "intasend": payout.P2P, "b2b": payout.B2B, "AIRTIME": payout.Airtime} {
		if got, err := payout.ParseRail(in); err != nil || got != want {
			t.Errorf("ParseRail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := payout.ParseRail("mpesa-b2x"); err == nil {
		t.Error("ParseRail accepted an unknown rail")
	}
}
