package payout_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
)

// file5000 is a realistic 5,000-row B2C file: phones written three ways,
// names, narratives, thousands separators.
func file5000() []byte {
	var b bytes.Buffer
	b.WriteString("Name,Phone Number,Amount,Narrative,Employee No\n")
	forms := []string{"07%08d", "+254 7%08d", "2547%08d"}
	for i := range payout.MaxRows {
		fmt.Fprintf(&b, "Person Number %d,"+forms[i%3]+",\"%d,%03d.50\",November salary,E%05d\n", i, i, 1+i%90, i%1000, i)
	}
	return b.Bytes()
}

// BenchmarkImportValidate5000: docs/design.md §11 target ≤ 10 ms.
func BenchmarkImportValidate5000(b *testing.B) {
	data := file5000()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		im := payout.ImportCSV(bytes.NewReader(data), payout.B2C, nil)
		if im.Refused != nil || len(im.Rows) != payout.MaxRows {
			b.Fatalf("refused %v, %d rows", im.Refused, len(im.Rows))
		}
	}
}

// BenchmarkDraftProblems5000 re-validates an open 5,000-row draft, as the
// composer does after an edit.
func BenchmarkDraftProblems5000(b *testing.B) {
	im := payout.ImportCSV(bytes.NewReader(file5000()), payout.B2C, nil)
	d := &payout.Draft{ID: "bench", Rail: payout.B2C, Rows: im.Rows}
	b.ReportAllocs()
	for b.Loop() {
		if ps := d.Problems(nil); payout.Errors(ps) != 0 {
			b.Fatal(ps[0])
		}
	}
}

// BenchmarkSaveDraft5000: the autosave of a 5,000-row draft, fsyncs
// included (each iteration changes one row so nothing is skipped).
func BenchmarkSaveDraft5000(b *testing.B) {
	j, err := payout.OpenJournal(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	im := payout.ImportCSV(bytes.NewReader(file5000()), payout.B2C, nil)
	d := payout.NewDraft(payout.B2C, t0)
	d.Rows = im.Rows
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		d.Rows[i%len(d.Rows)].Amount = client.Units(int64(i))
		if err := j.SaveDraft(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFingerprint5000(b *testing.B) {
	im := payout.ImportCSV(bytes.NewReader(file5000()), payout.B2C, nil)
	d := &payout.Draft{Rail: payout.B2C, Rows: im.Rows}
	b.ReportAllocs()
	for b.Loop() {
		_ = d.Fingerprint()
	}
}

// BenchmarkDraftJSON5000 is SaveDraft without the disk: the encoding share.
func BenchmarkDraftJSON5000(b *testing.B) {
	im := payout.ImportCSV(bytes.NewReader(file5000()), payout.B2C, nil)
	d := payout.NewDraft(payout.B2C, t0)
	d.Rows = im.Rows
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(d); err != nil {
			b.Fatal(err)
		}
	}
}
