package reconcile_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/malipo/malipo/reconcile"
)

var eat = time.FixedZone("EAT", 3*3600)

func utf16LE(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// TestReadLedger: loose headers, the payout importer's hostile-input
// rules, and line numbers on every problem.
func TestReadLedger(t *testing.T) {
	tests := []struct {
		name     string
		in       []byte
		refused  string
		orders   []string // reference@line amount date phone
		problems []string
	}{
		{"loose headers, extra column", []byte("Order No;Order Total;Order-Date;Customer Phone;Notes\nA-1;1,234.50;2026-03-01;0712 345 678;x\n"),
			"", []string{"A-1@2 1234.50 2026-03-01 254712345678"}, nil},
		{"BOM, title row, CRLF, day-first dates", []byte("\xEF\xBB\xBFShop orders March\r\nref,amount,date\r\nA-1,100,01/03/2026\r\nA-2,KES 50,2026-03-02 14:05\r\n"),
			"", []string{"A-1@3 100.00 2026-03-01 ", "A-2@4 50.00 2026-03-02 "}, []string{"line 1: warning: skipped: above the header row"}},
		{"utf-16", utf16LE("reference,amount,date\nA-1,10,2026-03-01\n"), "", []string{"A-1@2 10.00 2026-03-01 "}, nil},
		{"bad rows kept out with their lines", []byte("reference,amount,date,phone\n=HYPERLINK(1),10,2026-03-01,\nA-2,ten,2026-03-01,\nA-3,10,yesterday,\n,10,2026-03-01,\nA-5,10,2026-03-01,12\nA-6,\"5\"x,2026-03-01,\n"),
			"", []string{"A-5@6 10.00 2026-03-01 "}, []string{
				`line 2: reference: "=HYPERLINK(1)" looks like a spreadsheet formula: malipo does not send formulas`,
				`line 3: amount: "ten" is not a positive amount`,
				`line 4: date: "yesterday" is not a date (2026-03-01, 01/03/2026 day first, or 2026-03-01 14:05)`,
				`line 5: reference: empty: every order needs the reference its payment carries (api_ref)`,
				`line 6: phone: warning: "12" is not a Kenyan mobile number; the row is matched without it`,
				`line 7: not valid CSV: extraneous or missing " in quoted-field (a " inside a cell must be doubled, and the cell quoted): "A-6,\"5\"x,2026-03-01,"`}},
		{"missing column", []byte("reference,amount\nA,1\n"), "missing column(s): date (or order_date, created_at)", nil, nil},
		{"empty", nil, "the file is empty", nil, nil},
		{"workbook", []byte("PK\x03\x04xx"), "spreadsheet workbook", nil, nil},
		{"two reference columns", []byte("ref,order_id,amount,date\n"), `two columns give the reference ("ref" and "order_id")`, nil, nil},
		{"header only", []byte("ref,amount,date\n"), "no orders below the header row", nil, nil},
		{"too big", bytes.Repeat([]byte("x"), reconcile.MaxLedgerBytes+1), "over 64 MiB", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lg := reconcile.ReadLedger(bytes.NewReader(tt.in), eat)
			if tt.refused != "" {
				if lg.Refused == nil || !strings.Contains(lg.Refused.Error(), tt.refused) {
					t.Fatalf("refused %v, want %q", lg.Refused, tt.refused)
				}
				return
			}
			if lg.Refused != nil {
				t.Fatal(lg.Refused)
			}
			var got []string
			for _, o := range lg.Orders {
				got = append(got, strings.Join([]string{o.Reference + "@" + strconv.Itoa(o.Line), o.Amount.Decimal(),
					o.Date.Format(time.DateOnly), o.Phone}, " "))
			}
			if strings.Join(got, "|") != strings.Join(tt.orders, "|") {
				t.Errorf("orders:\n got %q\nwant %q", got, tt.orders)
			}
			var ps []string
			for _, p := range lg.Problems {
				ps = append(ps, p.String())
			}
			if strings.Join(ps, "|") != strings.Join(tt.problems, "|") {
				t.Errorf("problems:\n got %q\nwant %q", ps, tt.problems)
			}
		})
	}
}
