package table

import (
	"strconv"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// BenchmarkFrame draws one frame of a 40-row window (a 160x50 terminal) over
// 50, 1,000 and 10,000 rows, with the cursor in the middle and a paint on
// the amount: the cost must stay flat, since only visible rows are drawn.
// "baseline" is the least a frame can cost: the same visible cells joined
// with no layout, padding or paint.
//
//	go test -run '^$' -bench Frame -benchtime 2000x ./ui/components/table/
func BenchmarkFrame(b *testing.B) {
	const rows = 40
	names := make([]string, 10_000)
	amounts := make([]client.Amount, len(names))
	for i := range names {
		names[i] = "Customer " + strconv.Itoa(i)
		amounts[i] = client.Amount(i * 12345)
	}
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			var sb strings.Builder
			for i := 5000; i < 5000+rows; i++ {
				sb.WriteString(names[i])
				sb.WriteString(amounts[i].Format("KES"))
				sb.WriteByte('\n')
			}
			_ = sb.String()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/frame")
	})
	for _, n := range []int{50, 1_000, 10_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			c := &common.Common{Styles: common.NewStyles(true)}
			t := New(c, []Column{
				{Title: "NAME", Min: 10, Flex: 1},
				{Title: "EMAIL", Min: 10, Flex: 2},
				{Title: "STATUS", Min: 10, Drop: 1},
				{Title: "AMOUNT", Min: 16, Align: Right},
			})
			t.SetSize(160, rows)
			t.SetTotal(n)
			t.SetCursor(n / 2)
			out := text.NewPaint(c.Styles.MoneyOut)
			fill := func(i int, r *Row) {
				r.Add(names[i], "customer@example.co.ke", "✔ COMPLETE", amounts[i].Format("KES"))
				r.PaintCell(3, out)
			}
			for b.Loop() {
				_ = t.View(fill)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/frame")
		})
	}
}
