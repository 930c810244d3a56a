package payout_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/payout"
)

// FuzzImportCSV: ImportCSV never panics; every row it keeps validates
// clean on its own; every line number it reports lies within the file;
// problems come in line order.
// fuzzCheckKeptRows: every kept row passes validation and sits on a data
// line of the file.
func fuzzCheckKeptRows(t *testing.T, rail payout.Rail, rows []payout.Row, maxLine int) {
	t.Helper()
	for i, r := range rows {
		ps := payout.ValidateRow(rail, r, nil)
		testcheck.Expect(t, fmt.Sprintf("kept row %d %+v (file of %d lines)", i, r, maxLine), ps,
			testcheck.C("passes validation", payout.Errors(ps) == 0),
			testcheck.C("line >= 2", r.Line >= 2), testcheck.C("line inside the file", r.Line <= maxLine))
	}
}

// fuzzCheckProblems: problems are in line order inside the file, point at
// kept rows at most, and give one verdict: every error is on a rejected
// row's line, and every rejected row has an error, so no bad row is
// dropped unlisted.
func fuzzCheckProblems(t *testing.T, im *payout.Import, maxLine int) {
	t.Helper()
	bad := map[int]bool{}
	for _, r := range im.Rejected {
		bad[r.Line] = true
	}
	listed := map[int]bool{}
	last := 0
	for _, p := range im.Problems {
		testcheck.Expect(t, fmt.Sprintf("problem %v (file has %d lines, previous line %d)", p, maxLine, last), p,
			testcheck.C("line >= 1", p.Line >= 1), testcheck.C("line inside the file", p.Line <= maxLine),
			testcheck.C("in line order", p.Line >= last), testcheck.C("row not past the rows", p.Row < len(im.Rows)),
			testcheck.C("an error is on a rejected row", p.Warning || bad[p.Line]))
		last = p.Line
		if !p.Warning {
			listed[p.Line] = true
		}
	}
	testcheck.Expect(t, fmt.Sprintf("rejected rows on lines %v, errors listed on", bad), listed,
		testcheck.C("every rejected row listed", len(listed) == len(bad)))
}

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
			testcheck.Expect(t, fmt.Sprintf("refused (%v)", im.Refused), im, testcheck.C("no rows kept", len(im.Rows) == 0),
				testcheck.C("no rows rejected", len(im.Rejected) == 0))
			return
		}
		testcheck.Expect(t, fmt.Sprintf("%d kept + %d rejected of %d data rows", len(im.Rows), len(im.Rejected), im.DataRows), im.DataRows,
			testcheck.C("kept + rejected <= data rows", len(im.Rows)+len(im.Rejected) <= im.DataRows),
			testcheck.C("data rows <= MaxRows", im.DataRows <= payout.MaxRows))
		fuzzCheckKeptRows(t, rail, im.Rows, maxLine)
		fuzzCheckProblems(t, im, maxLine)
		d := &payout.Draft{Rail: rail, Rows: im.Rows}
		_ = d.Fingerprint()
		_ = d.Request()
	})
}
