package client_test

import (
	"fmt"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
)

// BenchmarkInitiate5000 initiates one 5,000-transaction batch (IntaSend's
// tested ceiling) per op through the client and the simulator over
// loopback: encode ~1 MB, validate 5,000 items, decode the ~2.5 MB answer.
func BenchmarkInitiate5000(b *testing.B) {
	e := newEnv(b, sim.Options{})
	items := make([]client.PayoutItem, 5000)
	for i := range items {
		items[i] = client.PayoutItem{Name: fmt.Sprintf("Payee %d", i), Account: fmt.Sprintf("2547%08d", i),
			Amount: client.Cents(int64(1000 + i)), Narrative: "October salary"}
	}
	req := client.InitiateRequest{Provider: client.MPesaB2C, Transactions: items}
	b.ReportAllocs()
	for b.Loop() {
		bt, err := e.c.InitiatePayout(e.ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if bt.TransactionsCount != 5000 || len(bt.Transactions) != 5000 {
			b.Fatalf("%d transactions back", len(bt.Transactions))
		}
	}
}

// BenchmarkStatusQueries1000 is docs/design.md §11's client figure: 1,000
// sequential status queries over one keep-alive connection per op.
func BenchmarkStatusQueries1000(b *testing.B) {
	const n = 1000
	e := newEnv(b, sim.Options{})
	stk, err := e.c.STKPush(e.ctx, client.STKPushRequest{Phone: sandboxPhone, Amount: client.Units(100)})
	if err != nil {
		b.Fatal(err)
	}
	batch, err := e.c.InitiatePayout(e.ctx, client.InitiateRequest{Provider: client.MPesaB2C, Transactions: payoutItems(1)})
	if err != nil {
		b.Fatal(err)
	}
	queries := []struct {
		name string
		do   func() error
	}{
		{"payment", func() error { _, err := e.c.PaymentStatus(e.ctx, stk.Invoice.ID); return err }},
		{"payout", func() error { _, err := e.c.PayoutStatus(e.ctx, batch.TrackingID); return err }},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for range n {
					if err := q.do(); err != nil {
						b.Fatal(err)
					}
				}
			}
			perQuery := float64(b.Elapsed().Nanoseconds()) / float64(b.N*n)
			b.ReportMetric(perQuery, "ns/query")
			b.ReportMetric(1e9/perQuery, "queries/s")
		})
	}
}
