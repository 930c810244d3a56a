package collections

import (
	"fmt"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
)

// synth fills the view with n realistic rows (every 7th a card payment,
// every 9th failed, a few open), newest first, a minute apart.
func synth(d *driver, n int) {
	now := d.m.c.Now()
	loc := now.Location()
	reasons := []string{"Request cancelled by user", "The balance is insufficient for the transaction", "DS timeout user cannot be reached"}
	for i := 0; i < n; i++ { // newest first: each row appends
		inv := client.Invoice{
			ID: fmt.Sprintf("%07X", 0x1A2B3C0+i*7919), State: client.InvoiceComplete, Provider: "M-PESA",
			Value: client.Cents(int64(5_000 + (i*7717)%2_000_000)), Currency: "KES",
			Account: fmt.Sprintf("2547%08d", (i*104729)%100_000_000), APIRef: fmt.Sprintf("ORDER-%05d", i%100_000),
			CreatedAt: now.Add(-time.Duration(i) * time.Minute), MpesaReference: fmt.Sprintf("SK%08X", i),
		}
		inv.UpdatedAt = inv.CreatedAt
		switch {
		case i%7 == 3:
			inv.Provider, inv.Account = "CARD-PAYMENT", fmt.Sprintf("customer%d@example.com", i)
		case i%9 == 4:
			inv.State, inv.FailedReason = client.InvoiceFailed, reasons[i%len(reasons)]
		case i < 3:
			inv.State = client.InvoiceProcessing
		}
		if inv.State == client.InvoiceComplete {
			inv.Charges = inv.Value * 3 / 100
			inv.NetAmount = inv.Value - inv.Charges
		}
		d.m.st.upsert(inv, nil, loc, time.Time{})
	}
	d.m.loaded = true
	d.m.afterData()
}

func benchDriver(b *testing.B, n int) *driver {
	f := newFixture(b, morning(), sim0Options())
	d := newDriver(b, f.common(), 120, 36)
	synth(d, n)
	if len(d.m.st.rows) != n {
		b.Fatalf("%d rows, want %d", len(d.m.st.rows), n)
	}
	return d
}

func sim0Options() sim.Options { return sim.Options{} }

// BenchmarkCollectionsRender10k is one frame of the list at 120x40 (body
// 120x36) with 10,000 rows in memory and the cursor mid-way; rows=50 is
// the same frame over 50 rows, to show windowing keeps them equal.
func BenchmarkCollectionsRender10k(b *testing.B) {
	for _, n := range []int{50, 10_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			d := benchDriver(b, n)
			d.m.setCursor(n / 2)
			b.ReportAllocs()
			for b.Loop() {
				_ = d.m.View()
			}
		})
	}
}

// BenchmarkCollectionsFilter10k is one keystroke in the filter over 10,000
// rows, including the frame drawn after it: the first character (a search
// of every row), a narrowing one (searches the previous matches) and a
// backspace (a search of every row again).
func BenchmarkCollectionsFilter10k(b *testing.B) {
	b.Run("first-char", func(b *testing.B) {
		d := benchDriver(b, 10_000)
		d.Press("/")
		b.ReportAllocs()
		for b.Loop() {
			d.TypeText("m")
			_ = d.m.View()
			d.m.filter.Clear() // reset without a search
			d.m.view = shown{}
			d.m.filter.Focus()
		}
	})
	for _, tc := range []struct{ name, base, key string }{
		{"narrowing", "order-1", "2"},
		{"backspace", "order-12", "backspace"},
		{"narrowing-fuzzy", "mpsa", "c"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			d := benchDriver(b, 10_000)
			d.Press("/")
			d.TypeText(tc.base)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				d.m.filter.Clear()
				d.m.view = shown{}
				d.m.filter.Focus()
				d.TypeText(tc.base)
				b.StartTimer()
				if tc.key == "backspace" {
					d.Press("backspace")
				} else {
					d.TypeText(tc.key)
				}
				_ = d.m.View()
			}
		})
	}
}
