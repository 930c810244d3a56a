package collections

import (
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// TestTodaySummaryFailures: the header counts the failures this view has
// seen, and says nothing about failures when it has seen none (IntaSend's
// feed lists completed payments only, so "0 failed" would be a claim it
// cannot make).
func TestTodaySummaryFailures(t *testing.T) {
	now := time.Date(2026, 12, 3, 11, 30, 0, 0, time.UTC)
	paid := client.Invoice{ID: "PAID001", State: client.InvoiceComplete, Value: 150000, NetAmount: 145500, CreatedAt: now.Add(-time.Hour)}
	failed := client.Invoice{ID: "FAIL001", State: client.InvoiceFailed, Value: 20000, CreatedAt: now.Add(-30 * time.Minute)}
	for _, tc := range []struct {
		name     string
		invs     []client.Invoice
		want     string
		wantNone bool
	}{
		{"none seen", []client.Invoice{paid}, "Today  1 paid · gross KES 1,500.00 · net KES 1,455.00", true},
		{"one seen", []client.Invoice{paid, failed}, "· ✖ 1 failed", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore()
			for _, inv := range tc.invs {
				st.upsert(inv, nil, time.UTC, time.Time{})
			}
			var sm summary
			sm.compute(st, now)
			m := &Model{sum: sm, width: 120, c: &common.Common{Styles: common.NewStyles(true)}}
			got := m.totalsLine()
			if !strings.Contains(got, tc.want) || tc.wantNone == strings.Contains(got, "failed") {
				t.Errorf("totals %q; want %q, failures mentioned %v", got, tc.want, !tc.wantNone)
			}
		})
	}
}
