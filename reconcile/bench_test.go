package reconcile_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/reconcile"
)

// ledger100k is a 100,000-row ledger over 30 days and IntaSend's side of
// it: almost every order paid, 1% paid a shilling short, 1% unpaid, 1% of
// payments with no order, a few paid twice.
func ledger100k() ([]byte, *reconcile.Collections) {
	const n = 100_000
	var b bytes.Buffer
	b.WriteString("Order No,Order Date,Customer Phone,Total,Status\n")
	col := &reconcile.Collections{Payments: make([]reconcile.Payment, 0, n+n/100)}
	for i := range n {
		day := day0.AddDate(0, 0, i%30)
		amount := client.Units(int64(50 + i%5000))
		phone := fmt.Sprintf("2547%08d", i)
		fmt.Fprintf(&b, "ORD-%06d,%s,0%s,\"%s\",paid\n", i, day.Format("02/01/2006"), phone[3:], amount.String())
		paid := amount
		switch {
		case i%100 == 7:
			continue // unpaid
		case i%100 == 13:
			paid -= client.Units(1)
		}
		p := reconcile.Payment{InvoiceID: fmt.Sprintf("I%06d", i), APIRef: fmt.Sprintf("ORD-%06d", i), Amount: paid,
			Currency: "KES", State: "COMPLETE", Account: phone, At: day.Add(time.Duration(i%86400) * time.Second)}
		col.Payments = append(col.Payments, p)
		if i%100 == 21 {
			p.InvoiceID += "X"
			col.Payments = append(col.Payments, p) // paid twice
		}
		if i%100 == 42 {
			col.Payments = append(col.Payments, reconcile.Payment{InvoiceID: fmt.Sprintf("L%06d", i), Amount: paid,
				Currency: "KES", State: "COMPLETE", Account: phone, At: p.At})
		}
	}
	return b.Bytes(), col
}

func reconcile100k(b testing.TB, data []byte, col *reconcile.Collections) *reconcile.Result {
	lg := reconcile.ReadLedger(bytes.NewReader(data), eat)
	if lg.Refused != nil || len(lg.Orders) != 100_000 {
		b.Fatalf("refused %v, %d orders", lg.Refused, len(lg.Orders))
	}
	r := lg.Match(col)
	if c := r.Summary.Counts; c.Matched != 98_000 || c.UnpaidOrders != 1000 || c.AmountMismatch != 1000 || c.Duplicates != 1000 || c.PaidWithoutOrder != 1000 {
		b.Fatalf("counts %+v", c)
	}
	return r
}

// parseOnly is the baseline: encoding/csv reading the same file, no checks.
func parseOnly(b testing.TB, data []byte) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.ReuseRecord = true
	n := 0
	for {
		_, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	if n != 100_001 {
		b.Fatalf("%d records", n)
	}
}

// BenchmarkReconcile100k: read a 100,000-row ledger and match it against
// 101,000 payments (issue 16: under 2 s and 200 MB). Each iteration also
// times the baseline, encoding/csv merely reading the same file, with the
// benchmark's timer stopped, and reports the ratio.
func BenchmarkReconcile100k(b *testing.B) {
	data, col := ledger100k()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var base time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		t0 := time.Now()
		parseOnly(b, data)
		base += time.Since(t0)
		b.StartTimer()
		reconcile100k(b, data, col)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed())/float64(base), "x-baseline")
	b.Logf("baseline (encoding/csv only): %v/op; reconcile: %v/op", base/time.Duration(b.N), b.Elapsed()/time.Duration(b.N))
}

// TestReconcile100kMemory: everything a 100,000-row reconciliation
// allocates (reading, matching, the result) stays under 200 MB, so its
// peak heap does too. Bytes allocated do not depend on machine speed.
func TestReconcile100kMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 rows")
	}
	data, col := ledger100k()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := reconcile100k(t, data, col)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	if alloc > 200<<20 {
		t.Errorf("allocated %.0f MB for 100,000 rows; the budget is 200 MB", float64(alloc)/(1<<20))
	}
	t.Logf("allocated %.1f MB; %d matched", float64(alloc)/(1<<20), len(r.Matched))
}
