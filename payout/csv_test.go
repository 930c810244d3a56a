package payout_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
)

func importString(rail payout.Rail, s string) *payout.Import {
	return payout.ImportCSV(strings.NewReader(s), rail, nil)
}

// problemLines renders every problem as `payouts check` prints it.
func problemLines(im *payout.Import) string {
	var b strings.Builder
	for _, p := range im.Problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

func utf16Bytes(s string, bigEndian bool) []byte {
	var out []byte
	if bigEndian {
		out = []byte{0xFE, 0xFF}
	} else {
		out = []byte{0xFF, 0xFE}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

const goodB2C = "name,phone,amount,narrative\n" +
	"Jane Doe,0712 345 678,1500,Salary Nov\n" +
	"John Kamau,+254 722 000 111,\"2,500.50\",Salary Nov\n" +
	"Achieng,254110345678,10,Bonus\n"

func TestImportGoodFiles(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		rail   payout.Rail
		rows   int
		total  client.Amount
		lines  []int // Line of each kept row
		warned int
	}{
		{"plain", []byte(goodB2C), payout.B2C, 3, client.MustAmount("4010.50"), []int{2, 3, 4}, 0},
		{"utf-8 BOM and CRLF", append([]byte{0xEF, 0xBB, 0xBF}, strings.ReplaceAll(goodB2C, "\n", "\r\n")...), payout.B2C, 3, client.MustAmount("4010.50"), []int{2, 3, 4}, 0},
		{"utf-16le BOM", utf16Bytes(goodB2C, false), payout.B2C, 3, client.MustAmount("4010.50"), []int{2, 3, 4}, 0},
		{"utf-16be BOM", utf16Bytes(strings.ReplaceAll(goodB2C, "\n", "\r\n"), true), payout.B2C, 3, client.MustAmount("4010.50"), []int{2, 3, 4}, 0},
		{"aliases any case, extra columns ignored", []byte("Full Name,MSISDN,Employee No,AMOUNT,Description\n" +
			"Jane Doe,0712345678,E1,100,Salary\n"), payout.B2C, 1, client.Units(100), []int{2}, 1},
		{"blank lines and comma-only lines skipped", []byte("\n\nname,phone,amount\n\nJane,0712345678,100\n,,\n  , ,\nJohn,0722000111,200\n\n"),
			payout.B2C, 2, client.Units(300), []int{5, 8}, 0},
		{"title rows above the header", []byte("Salaries November 2026,,\nACME Ltd,,\n\nname,phone,amount\nJane,0712345678,100\n"),
			payout.B2C, 1, client.Units(100), []int{5}, 2},
		{"title with commas above a semicolon header", []byte("Payroll Nov 2026,,,\nName;Phone;Amount\nJane;0712345678;100\nJohn;0722000111;100\n"),
			payout.B2C, 2, client.Units(200), []int{3, 4}, 1},
		{"type and bank columns mean nothing on b2c (one warning for both)", []byte("name,phone,amount,type,bank\nJane,0712345678,100,Salary,KCB\n"),
			payout.B2C, 1, client.Units(100), []int{2}, 1},
		{"classic Mac line endings (CR alone)", []byte(strings.ReplaceAll(goodB2C, "\n", "\r")), payout.B2C, 3, client.MustAmount("4010.50"), []int{2, 3, 4}, 0},
		{"byte-order mark written twice", append([]byte("\xEF\xBB\xBF\xEF\xBB\xBF"), goodB2C...), payout.B2C, 3, client.MustAmount("4010.50"), []int{2, 3, 4}, 0},
		{"utf-16 BOM over a UTF-8 BOM", utf16Bytes("\ufeff"+goodB2C, false), payout.B2C, 3, client.MustAmount("4010.50"), []int{2, 3, 4}, 0},
		{"semicolons", []byte("name;phone;amount\nJane;0712345678;100\n"), payout.B2C, 1, client.Units(100), []int{2}, 0},
		{"tabs", []byte("name\tphone\tamount\nJane\t0712345678\t100\n"), payout.B2C, 1, client.Units(100), []int{2}, 0},
		{"quoted cells with doubled quotes elsewhere", []byte("name,phone,amount,notes\n\"Jane Doe\",\"0712345678\",\"100\",\"said \"\"hi\"\"\"\n"),
			payout.B2C, 1, client.Units(100), []int{2}, 1},
		{"b2b paybill and till", []byte("name,account,type,reference,amount,narrative\nKPLC,888880,PayBill,12345,2500,Power\nShop,521234,TillNumber,,300,Stock\n"),
			payout.B2B, 2, client.Units(2800), []int{2, 3}, 0},
		{"pesalink", []byte("name,account_number,bank,amount\nJane,0123 4567 89,68,1000\nJohn,9988776655,1,\"150,000\"\n"),
			payout.PesaLink, 2, client.Units(151000), []int{2, 3}, 0},
		{"p2p", []byte("name,account,amount\nJane,12345,0.50\n"), payout.P2P, 1, client.Cents(50), []int{2}, 0},
		{"airtime without names", []byte("phone,amount\n0712345678,50\n0110345678,20\n"), payout.Airtime, 2, client.Units(70), []int{2, 3}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im := payout.ImportCSV(bytes.NewReader(c.data), c.rail, nil)
			if im.Refused != nil {
				t.Fatalf("refused: %v", im.Refused)
			}
			if len(im.Rows) != c.rows || len(im.Rejected) != 0 || im.Bad() != 0 {
				t.Fatalf("rows %d rejected %d bad %d, want %d good:\n%s", len(im.Rows), len(im.Rejected), im.Bad(), c.rows, problemLines(im))
			}
			d := payout.Draft{Rail: c.rail, Rows: im.Rows}
			if _, sum := d.Totals(); sum != c.total {
				t.Errorf("total %s, want %s", sum.Decimal(), c.total.Decimal())
			}
			for i, r := range im.Rows {
				if r.Line != c.lines[i] {
					t.Errorf("row %d on line %d, want %d", i, r.Line, c.lines[i])
				}
			}
			if im.Warnings() != c.warned {
				t.Errorf("%d warnings, want %d:\n%s", im.Warnings(), c.warned, problemLines(im))
			}
		})
	}
}

func TestImportNormalises(t *testing.T) {
	im := importString(payout.B2C, goodB2C)
	want := []string{"254712345678", "254722000111", "254110345678"}
	for i, r := range im.Rows {
		if r.Account != want[i] {
			t.Errorf("row %d account %q, want %q", i, r.Account, want[i])
		}
	}
	if im.Rows[1].Amount != client.MustAmount("2500.50") || im.Rows[1].AmountText != "2,500.50" {
		t.Errorf("row 2 amount %v text %q", im.Rows[1].Amount, im.Rows[1].AmountText)
	}
	if im.Columns["account"] != "phone" || im.Columns["narrative"] != "narrative" {
		t.Errorf("columns %v", im.Columns)
	}
}

// TestImportBadRows: each bad row is reported on its line with its reason;
// the good rows around it stay.
func TestImportBadRows(t *testing.T) {
	huge := strings.Repeat("x", 2000)
	cases := []struct {
		name  string
		rail  payout.Rail
		data  string
		want  []string // substrings of the report, in order
		good  int
		bad   int
		lines []int // lines of rejected rows
	}{
		{"short phone", payout.B2C, "name,phone,amount\nJane,0712345678,100\nBad,0712 34,100\nJohn,0722000111,100\n",
			[]string{`line 3: account: "0712 34" is too short`}, 2, 1, []int{3}},
		{"windows-1252 name", payout.B2C, "name,phone,amount\nJos\xe9,0712345678,100\nJohn,0722000111,100\n",
			[]string{`line 2: name: not UTF-8 text`}, 1, 1, []int{2}},
		{"huge cell", payout.B2C, "name,phone,amount,narrative\nJane,0712345678,100," + huge + "\nJohn,0722000111,100,ok\n",
			[]string{`line 2: narrative: the cell is 2000 bytes; the limit is 1024`}, 1, 1, []int{2}},
		{"huge ignored column is fine", payout.B2C, "name,phone,amount,notes\nJane,0712345678,100," + huge + "\n",
			nil, 1, 0, nil},
		{"formula name", payout.B2C, "name,phone,amount\n=cmd|' /C calc'!A0,0712345678,100\nJohn,0722000111,100\n",
			[]string{`line 2: name: "=cmd|' /C calc'!A0" looks like a spreadsheet formula`}, 1, 1, []int{2}},
		{"formula reference", payout.B2B, "name,account,type,reference,amount\nKPLC,888880,PayBill,@SUM(A1),100\n",
			[]string{`line 2: account_reference: "@SUM(A1)" looks like a spreadsheet formula`}, 0, 1, []int{2}},
		{"formula minus", payout.B2C, "name,phone,amount,narrative\nJane,0712345678,100,-2+3+cmd\n",
			[]string{`line 2: narrative: "-2+3+cmd" looks like a spreadsheet formula`}, 0, 1, []int{2}},
		{"plus phone is data", payout.B2C, "name,phone,amount\nJane,+254712345678,100\n", nil, 1, 0, nil},
		{"negative amount is an amount problem", payout.B2C, "name,phone,amount\nJane,0712345678,-100\n",
			[]string{`line 2: amount: -100.00: must be more than 0`}, 0, 1, []int{2}},
		{"embedded newline keeps line numbers", payout.B2C, "name,phone,amount,narrative\n\"Jane\nDoe\",0712345678,100,x\nJohn,0722000111,100,ok\n",
			[]string{`line 2: name: "Jane\nDoe" has characters IntaSend refuses`}, 1, 1, []int{2}},
		{"embedded newline, next row's line", payout.B2C, "name,phone,amount,narrative\nJane,0712345678,100,\"two\nlines\"\nJohn,0722000111,abc,ok\n",
			[]string{`line 2: narrative:`, `line 4: amount: "abc" is not an amount`}, 0, 2, []int{2, 4}},
		{"bare quote", payout.B2C, "name,phone,amount\nJa\"ne,0712345678,100\nJohn,0722000111,100\n",
			[]string{`line 2: not valid CSV: bare " in non-quoted-field`}, 1, 1, []int{2}},
		{"quote closed then junk, across lines", payout.B2C, "name,phone,amount\n\"Jane\nDoe\"x,0712345678,100\nJohn,0722000111,100\n",
			[]string{`line 2: not valid CSV: extraneous or missing " in quoted-field`}, 1, 1, []int{2}},
		{"a =HYPERLINK cell is a bad row, kept aside like any other", payout.B2C,
			"name,phone,amount\nJane,0712345678,100\n=HYPERLINK(\"http://x\",\"Bob\"),0722000111,100\nBad,07,100\n",
			[]string{`line 3: not valid CSV: bare "`, `line 4: account: "07" is too short`}, 1, 2, []int{3, 4}},
		{"short row", payout.B2C, "name,phone,amount\nJane,0712345678\nJohn,0722000111,100\n",
			[]string{`line 2: amount: required`}, 1, 1, []int{2}},
		{"excel scientific", payout.B2C, "name,phone,amount\nJane,2.54712E+11,100\n",
			[]string{`line 2: account: "2.54712E+11" is a number a spreadsheet rewrote in scientific notation`}, 0, 1, []int{2}},
		{"duplicates warn, both stay", payout.B2C, "name,phone,amount\nJane,0712345678,100\nJane again,254712345678,100.00\nJane,0712345678,200\n",
			[]string{`line 3: warning: account: same account and amount as line 2 (254712345678, 100.00)`}, 3, 0, nil},
		{"b2b lower-case type", payout.B2B, "name,account,type,amount\nShop,521234,tillnumber,100\n",
			[]string{`line 2: account_type: "tillnumber" is not a valid choice`}, 0, 1, []int{2}},
		{"pesalink unknown bank", payout.PesaLink, "name,account,bank_code,amount\nJane,0123456789,4,1000\n",
			[]string{`line 2: bank_code: "4" is not a known bank code`}, 0, 1, []int{2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im := importString(c.rail, c.data)
			if im.Refused != nil {
				t.Fatalf("refused: %v", im.Refused)
			}
			report := problemLines(im)
			at := 0
			for _, w := range c.want {
				i := strings.Index(report[at:], w)
				if i < 0 {
					t.Fatalf("report lacks %q (in order):\n%s", w, report)
				}
				at += i + len(w)
			}
			if len(im.Rows) != c.good || im.Bad() != c.bad {
				t.Errorf("good %d bad %d, want %d and %d:\n%s", len(im.Rows), im.Bad(), c.good, c.bad, report)
			}
			var lines []int
			for _, r := range im.Rejected {
				lines = append(lines, r.Line)
				if len(r.Narrative) > payout.MaxCellBytes || len(r.Name) > payout.MaxCellBytes {
					t.Errorf("rejected row keeps a huge cell (%d bytes)", len(r.Narrative))
				}
			}
			if fmt.Sprint(lines) != fmt.Sprint(c.lines) && !(len(lines) == 0 && len(c.lines) == 0) {
				t.Errorf("rejected lines %v, want %v", lines, c.lines)
			}
			for _, r := range im.Rows {
				if ps := payout.ValidateRow(c.rail, r, nil); payout.Errors(ps) > 0 {
					t.Errorf("kept row %+v has errors %v", r, ps)
				}
			}
		})
	}
}

func TestImportRefusesFiles(t *testing.T) {
	rows := func(n int) string {
		var b strings.Builder
		b.WriteString("name,phone,amount\n")
		for i := range n {
			fmt.Fprintf(&b, "Person %d,07%08d,100\n", i, i)
		}
		return b.String()
	}
	cases := []struct {
		name string
		rail payout.Rail
		data []byte
		want string
	}{
		{"5,001 rows", payout.B2C, []byte(rows(5001)), "5,001 rows: IntaSend's maximum is 5,000 per batch; split the file"},
		{"empty", payout.B2C, nil, "the file is empty"},
		{"only blank lines", payout.B2C, []byte("\n\n \n"), "the file is empty"},
		{"header only", payout.B2C, []byte("name,phone,amount\n"), "no payments below the header row"},
		{"no header", payout.B2C, []byte("0712345678,100\n0722000111,200\n"), `line 1 is not a header row: expected column names such as name, account (or phone), amount, narrative; got "0712345678,100"`},
		{"no header, many rows", payout.B2C, []byte(strings.Repeat("0712345678,100\n", 10)), "line 1 is not a header row"},
		{"b2c missing amount", payout.B2C, []byte("name,phone\nJane,0712345678\n"), "missing column(s) for MPESA-B2C: amount"},
		{"b2b missing type", payout.B2B, []byte("name,account,amount\nShop,521234,100\n"), "missing column(s) for MPESA-B2B: account_type or type"},
		{"pesalink missing bank and account", payout.PesaLink, []byte("name,amount\nJane,100\n"),
			"missing column(s) for PESALINK: account, phone, phone_number, msisdn or account_number; bank_code or bank"},
		{"two account columns", payout.B2C, []byte("name,phone,msisdn,amount\n"), `two columns give the account ("phone" and "msisdn")`},
		{"utf-16 without BOM", payout.B2C, utf16Bytes(goodB2C, false)[2:], "looks like UTF-16 without a byte-order mark"},
		{"utf-16 odd length", payout.B2C, append(utf16Bytes(goodB2C, false), 'x'), "odd number of bytes"},
		{"xlsx", payout.B2C, []byte("PK\x03\x04rest of a zip"), "spreadsheet workbook (.xlsx or .ods), not CSV"},
		{"runaway quote", payout.B2C, []byte("name,phone,amount\n\"Jane,0712345678,100\nJohn,0722000111,100\nMary,0733000111,100\n"),
			"line 2: a quoted cell never closes"},
		{"unknown rail", payout.Rail("MPESA"), []byte(goodB2C), `unknown rail "MPESA"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im := payout.ImportCSV(bytes.NewReader(c.data), c.rail, nil)
			if im.Refused == nil || !strings.Contains(im.Refused.Error(), c.want) {
				t.Fatalf("Refused = %v, want %q", im.Refused, c.want)
			}
			if len(im.Rows) != 0 || len(im.Rejected) != 0 {
				t.Errorf("a refused file still gave %d rows and %d rejected", len(im.Rows), len(im.Rejected))
			}
		})
	}
	t.Run("5,000 rows accepted", func(t *testing.T) {
		im := importString(payout.B2C, rows(5000))
		if im.Refused != nil || len(im.Rows) != 5000 || im.Bad() != 0 {
			t.Fatalf("refused %v, rows %d, bad %d", im.Refused, len(im.Rows), im.Bad())
		}
		if im.Rows[4999].Line != 5001 {
			t.Errorf("last row on line %d, want 5001", im.Rows[4999].Line)
		}
	})
}

// TestImportBadCSVRowKept: a line that is not valid CSV is kept aside with
// its text, so fixing it in the draft loses nothing typed.
func TestImportBadCSVRowKept(t *testing.T) {
	im := importString(payout.B2C, "name,phone,amount\nJa\"ne,0712345678,100\n")
	if len(im.Rejected) != 1 {
		t.Fatalf("rejected %+v:\n%s", im.Rejected, problemLines(im))
	}
	if r := im.Rejected[0]; r.Line != 2 || r.Name != `Ja"ne` || r.Account != "0712345678" || r.AmountText != "100" {
		t.Errorf("rejected row %+v", r)
	}
}

// TestImportManyIgnoredColumns: 100,000 unknown columns give one warning
// with a count, not 100,000.
func TestImportManyIgnoredColumns(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,phone,amount")
	for i := range 100_000 {
		fmt.Fprintf(&b, ",x%d", i)
	}
	b.WriteString("\nJane,0712345678,100\n")
	im := importString(payout.B2C, b.String())
	if im.Refused != nil || len(im.Rows) != 1 {
		t.Fatalf("refused %v rows %d", im.Refused, len(im.Rows))
	}
	want := `line 1: warning: 100,000 columns are not used for MPESA-B2C payouts; they are ignored: "x0", "x1", "x2", "x3", "x4" and 99,995 more` + "\n"
	if got := problemLines(im); got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}

func TestImportCustomBanks(t *testing.T) {
	banks := payout.NewBankSet([]client.Bank{{Name: "Only Bank", Code: "900"}})
	im := payout.ImportCSV(strings.NewReader("name,account,bank,amount\nJane,0123456789,900,1000\nJohn,0123456789,68,1000\n"), payout.PesaLink, banks)
	if len(im.Rows) != 1 || im.Rows[0].BankCode != "900" || im.Bad() != 1 {
		t.Errorf("rows %+v, bad %d:\n%s", im.Rows, im.Bad(), problemLines(im))
	}
}

// TestImportProblemRows: a kept row's warnings point at it in Rows; a
// rejected row's problems have Row -1 and its line.
func TestImportProblemRows(t *testing.T) {
	im := importString(payout.B2C, "name,phone,amount,narrative\nJane,0712345678,100,ok\nBad,07,100,ok\nJane,0712345678,100,ok\nMary,0733000111,50,a narrative far too long for sms\n")
	want := []payout.Problem{
		{Line: 3, Row: -1, Field: "account"},
		{Line: 4, Row: 1, Field: "account", Warning: true},
		{Line: 5, Row: 2, Field: "narrative", Warning: true},
	}
	if len(im.Problems) != len(want) {
		t.Fatalf("problems:\n%s", problemLines(im))
	}
	for i, w := range want {
		p := im.Problems[i]
		if p.Line != w.Line || p.Row != w.Row || p.Field != w.Field || p.Warning != w.Warning {
			t.Errorf("problem %d = %+v, want %+v", i, p, w)
		}
		if p.Row >= 0 && im.Rows[p.Row].Line != p.Line {
			t.Errorf("problem %d points at row %d on line %d", i, p.Row, im.Rows[p.Row].Line)
		}
	}
	if len(im.Rejected) != 1 || im.Rejected[0].Line != 3 || im.Rejected[0].Account != "07" {
		t.Errorf("rejected %+v", im.Rejected)
	}
}
