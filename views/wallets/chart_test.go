package wallets

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

func TestAggregate(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 30, 0, 0, tuitest.EAT())
	at := func(daysAgo int, hh, mm int) time.Time {
		return time.Date(2026, 11, 22-daysAgo, hh, mm, 0, 0, tuitest.EAT())
	}
	tx := func(v string, when time.Time, typ, status, note string) client.WalletTransaction {
		return client.WalletTransaction{ID: note + v, Value: client.MustAmount(v), CreatedAt: when, TransType: typ,
			Status: status, Narrative: note, Currency: "KES"}
	}
	tests := []struct {
		name    string
		txs     []client.WalletTransaction
		day     int // index into the 14 days
		in, out string
	}{
		{"a sale today", []client.WalletTransaction{tx("100.50", at(0, 8, 0), "SALE", "AVAILABLE", "s")}, 13, "100.50", "0"},
		{"charges are out", []client.WalletTransaction{
			tx("100", at(1, 8, 0), "SALE", "CLEARING", "s"), tx("-3", at(1, 8, 0), "CHARGE", "CLEARING", "c")}, 12, "100", "3"},
		{"cents add exactly", []client.WalletTransaction{
			tx("0.10", at(2, 8, 0), "SALE", "AVAILABLE", "a"), tx("0.20", at(2, 9, 0), "SALE", "AVAILABLE", "b")}, 11, "0.30", "0"},
		{"cancelled lines never moved money", []client.WalletTransaction{tx("50", at(0, 8, 0), "SALE", "CANCELLED", "x")}, 13, "0", "0"},
		{"a transfer between own wallets cancels out", []client.WalletTransaction{
			tx("-200", at(3, 8, 0), "ADJUSTMENT", "AVAILABLE", "float"), tx("200", at(3, 8, 0), "ADJUSTMENT", "AVAILABLE", "float")}, 10, "0", "0"},
		{"an unpaired adjustment counts", []client.WalletTransaction{tx("-200", at(3, 8, 0), "ADJUSTMENT", "AVAILABLE", "fee")}, 10, "0", "200"},
		{"first day starts at local midnight", []client.WalletTransaction{tx("7", at(13, 0, 0), "SALE", "AVAILABLE", "m")}, 0, "7", "0"},
		// 23:30 UTC on the 21st is 02:30 on the 22nd in Nairobi: today.
		{"bucketed in the view's zone", []client.WalletTransaction{
			{ID: "z", Value: client.Units(9), CreatedAt: time.Date(2026, 11, 21, 23, 30, 0, 0, time.UTC), Currency: "KES"}}, 13, "9", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := aggregate(tt.txs, now)
			days := f.By["KES"]
			if days == nil {
				days = make([]dayFlow, chartDays)
			}
			if got := days[tt.day]; got.In != client.MustAmount(tt.in) || got.Out != client.MustAmount(tt.out) {
				t.Fatalf("day %d = in %s out %s, want in %s out %s", tt.day, got.In, got.Out, tt.in, tt.out)
			}
		})
	}
	// Outside the window: the day before the first, and tomorrow.
	f := aggregate([]client.WalletTransaction{
		{Value: client.Units(1), CreatedAt: at(14, 23, 59), Currency: "KES"},
		{Value: client.Units(1), CreatedAt: at(-1, 0, 1), Currency: "KES"},
	}, now)
	if f.Count != 0 {
		t.Fatalf("counted %d transactions outside the window", f.Count)
	}
}

func TestCompact(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "999.99": "999", "1000": "1.0k", "12345": "12.3k", "999999": "999.9k",
		"1500000": "1.5M", "2000000000": "2.0B",
	} {
		if got := compact(client.MustAmount(in)); got != want {
			t.Errorf("compact(%s) = %q, want %q", in, got, want)
		}
	}
}

// The chart says in words which side is which, and stays inside its box.
func TestRenderChart(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 30, 0, 0, tuitest.EAT())
	f := aggregate([]client.WalletTransaction{
		{Value: client.Units(1000), CreatedAt: now, Currency: "KES"},
		{Value: client.Units(-250), CreatedAt: now.AddDate(0, 0, -1), Currency: "KES"},
	}, now)
	st := common.NewStyles(true)
	for _, sz := range [][2]int{{80, 8}, {80, 12}, {120, 20}, {160, 30}, {60, 3}} {
		out := ansi.Strip(renderChart(st, f, "KES", sz[0], sz[1]))
		lines := strings.Split(out, "\n")
		if len(lines) > sz[1] && sz[1] >= chartMinHeight {
			t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > sz[0] {
				t.Errorf("%dx%d: line %q is %d wide", sz[0], sz[1], l, w)
			}
		}
		if !strings.Contains(out, "in ▲ KES 1,000.00") || !strings.Contains(out, "out ▼ KES 250.00") {
			t.Errorf("%dx%d: totals missing:\n%s", sz[0], sz[1], out)
		}
		if sz[1] >= chartMinHeight && !strings.Contains(out, "▲ in above the line") {
			t.Errorf("%dx%d: legend missing:\n%s", sz[0], sz[1], out)
		}
	}
}
