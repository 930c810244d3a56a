package wallets

import (
	"fmt"
	"testing"
	"time"

	"github.com/malipo/malipo/internal/tuitest"
)

// BenchmarkWalletsRender is one frame of the wallet list with totals and
// the 14-day chart at 120x40 (body 120x36), as drawn on a key press or a
// spinner tick (the chart is cached until its data, size or theme change).
func BenchmarkWalletsRender(b *testing.B) {
	f := history(b)
	d := newDriver(b, f.common(), 120, 36).init()
	if len(d.m.wallets) == 0 || !d.m.flowsLoaded {
		b.Fatal("nothing loaded")
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = d.m.View()
	}
}

// BenchmarkWalletsRenderNewData is the same frame when the chart must be
// drawn again (new data arrived): the worst case, once per refresh.
func BenchmarkWalletsRenderNewData(b *testing.B) {
	f := history(b)
	d := newDriver(b, f.common(), 120, 36).init()
	b.ReportAllocs()
	for b.Loop() {
		d.m.flowsVer++
		_ = d.m.View()
	}
}

// BenchmarkWalletTransactionsRender is one frame of an open wallet with 50
// and with 10,000 rows loaded, the cursor mid-way: windowing makes them
// cost the same.
func BenchmarkWalletTransactionsRender(b *testing.B) {
	f := newFixture(b, time.Date(2026, 11, 22, 9, 0, 0, 0, tuitest.EAT()))
	for _, n := range []int{50, 10_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			d := newDriver(b, f.common(), 120, 36)
			openWith(d, synthRows(n), false)
			d.m.detail.tbl.SetCursor(n / 2)
			b.ReportAllocs()
			for b.Loop() {
				_ = d.m.View()
			}
		})
	}
}

// BenchmarkFilterKeystroke is one keystroke in the filter over 10,000
// loaded rows (the as-you-type cost).
func BenchmarkFilterKeystroke(b *testing.B) {
	f := newFixture(b, time.Date(2026, 11, 22, 9, 0, 0, 0, tuitest.EAT()))
	d := newDriver(b, f.common(), 120, 36)
	openWith(d, synthRows(10_000), false)
	d.Press("/")
	d.TypeText("payou")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			d.TypeText("t")
		} else {
			d.Press("backspace")
		}
		_ = d.m.View()
	}
}
