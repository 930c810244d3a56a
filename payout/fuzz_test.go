package payout_test

import (
	"bytes"
	"testing"

	"github.com/malipo/malipo/payout"
)

// FuzzImportCSV: ImportCSV never panics; every row it keeps validates
// clean on its own; every line number it reports lies within the file;
// problems come in line order.
func FuzzImportCSV(f *testing.F) {
	f.Add([]byte(goodB2C), uint8(0))
	for i, r := range payout.Rails() {
		f.Add([]byte(mixedFiles[r]), uint8(i))
	}
	f.Add([]byte("name,phone,amount\n\"Jane\nDoe\",0712345678,100\nJa\"ne,0712,1\n"), uint8(0))
	f.Add([]byte("\xef\xbb\xbfname;phone;amount\r\nJos\xe9;+254712345678;=1+1\r\n"), uint8(0))
	f.Add(utf16Bytes(goodB2C, false), uint8(0))
	f.Add([]byte("name,account,bank,amount\nJane,0123,68,100\nJane,0123,68,100.00\n"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, railIdx uint8) {
		rails := payout.Rails()
		rail := rails[int(railIdx)%len(rails)]
		im := payout.ImportCSV(bytes.NewReader(data), rail, nil)
		maxLine := bytes.Count(data, []byte{'\n'}) + 1
		if im.Refused != nil {
			if len(im.Rows) != 0 || len(im.Rejected) != 0 {
				t.Fatalf("refused (%v) but kept rows", im.Refused)
			}
			return
		}
		if len(im.Rows)+len(im.Rejected) > im.DataRows || im.DataRows > payout.MaxRows {
			t.Fatalf("%d kept + %d rejected of %d data rows", len(im.Rows), len(im.Rejected), im.DataRows)
		}
		for i, r := range im.Rows {
			if ps := payout.ValidateRow(rail, r, nil); payout.Errors(ps) > 0 {
				t.Fatalf("kept row %d %+v fails validation: %v", i, r, ps)
			}
			if r.Line < 2 || r.Line > maxLine {
				t.Fatalf("row on line %d of a %d-line file", r.Line, maxLine)
			}
		}
		last := 0
		for _, p := range im.Problems {
			if p.Line < 1 || p.Line > maxLine || p.Line < last {
				t.Fatalf("problem %v out of place (file has %d lines, previous line %d)", p, maxLine, last)
			}
			if p.Row >= len(im.Rows) {
				t.Fatalf("problem %v points past the rows", p)
			}
			last = p.Line
		}
		// One verdict: every error is on a rejected row's line, and every
		// rejected row has an error, so no bad row is dropped unlisted.
		bad := map[int]bool{}
		for _, r := range im.Rejected {
			bad[r.Line] = true
		}
		listed := map[int]bool{}
		for _, p := range im.Problems {
			if p.Warning {
				continue
			}
			if !bad[p.Line] {
				t.Fatalf("error %v is on no rejected row", p)
			}
			listed[p.Line] = true
		}
		if len(listed) != len(bad) {
			t.Fatalf("rejected rows on lines %v, errors listed on %v", bad, listed)
		}
		d := &payout.Draft{Rail: rail, Rows: im.Rows}
		_ = d.Fingerprint()
		_ = d.Request()
	})
}
