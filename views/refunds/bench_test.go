package refunds

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/tuitest"
)

// benchModel is a view holding n refunds (made up, no simulator), as if
// n/100 pages had been loaded.
func benchModel(b *testing.B, n int) *Model {
	f := newFixture(b, false)
	m := newModel(f.common(""))
	m.sched = func(time.Duration, tea.Msg) tea.Cmd { return nil }
	m.SetSize(120, 36)
	rs := make([]client.Refund, n)
	statuses := []string{client.RefundPending, client.RefundCompleted, client.RefundDisputed}
	for i := range rs {
		rs[i] = client.Refund{ID: fmt.Sprintf("R%06d", i), Amount: client.Cents(int64(1000 + i*37)),
			Reason: reasons[i%len(reasons)], Status: statuses[i%3], ReasonDetails: "order " + fmt.Sprint(i),
			Invoice:   &client.Invoice{ID: fmt.Sprintf("I%06d", i), Account: "2547000" + fmt.Sprintf("%05d", i), Currency: "KES"},
			CreatedAt: start().Add(-time.Duration(i) * time.Minute)}
	}
	m.list.loading, m.list.seq = true, 1
	m.update(listPageMsg{seq: 1, page: 1, p: &client.Page[client.Refund]{Count: n, Results: rs}})
	if len(m.list.rows) != n {
		b.Fatalf("%d rows", len(m.list.rows))
	}
	return m
}

// BenchmarkRefundsListFrame draws the refunds list (docs/design.md §11: ≤ 1 ms a
// frame, the same at 50 and 5,000 rows).
func BenchmarkRefundsListFrame(b *testing.B) {
	for _, n := range []int{50, 5000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			m := benchModel(b, n)
			m.list.tbl.SetCursor(n / 2)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkRefundsFilterKeystroke is one keystroke in the list filter over
// 5,000 loaded refunds, and the frame after it.
func BenchmarkRefundsFilterKeystroke(b *testing.B) {
	m := benchModel(b, 5000)
	m.update(tuitest.MustKey("/"))
	m.update(tuitest.MustKey("4"))
	keys := []tea.KeyPressMsg{tuitest.MustKey("2"), tuitest.MustKey("backspace")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.update(keys[i%2])
		_ = m.View()
	}
}
