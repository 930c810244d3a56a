package sim

import (
	"math/rand/v2"
	"testing"
	"time"
)

// ts writes its digits by hand; it must agree with time.Format everywhere.
func TestTSMatchesFormat(t *testing.T) {
	times := []time.Time{
		{}, // year 1
		time.Date(2025, 10, 27, 7, 44, 23, 852593999, time.UTC),
		time.Date(2025, 12, 31, 21, 0, 0, 0, time.UTC), // the next day in Nairobi
		time.Date(9999, 12, 31, 20, 59, 59, 999999999, time.UTC),
		time.Date(9999, 12, 31, 21, 0, 0, 0, time.UTC), // year 10000 in Nairobi
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 2, 9, 0, 0, 1000, nairobi),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		times = append(times, time.Unix(rng.Int64N(1<<36)-1<<34, rng.Int64N(1e9)))
	}
	for _, tm := range times {
		if got, want := ts(tm), tm.In(nairobi).Format(tsLayout); got != want {
			t.Fatalf("ts(%v) = %q, want %q", tm, got, want)
		}
	}
}

// Only bodies that cannot name public_key skip decoding for it.
func TestMayNamePublicKey(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{``, false},
		{`{"invoice_id":"ABC"}`, false},
		{`{"invoice_id":"ABC","public_key":"ISPubKey_test_x"}`, true},
		{`{"PUBLIC_KEY":"ISPubKey_test_x"}`, true},
		{`{"Public_Key":"x"}`, true},
		{`{"public\u005fkey":"x"}`, true},
		{`{"public":"x"}`, false},
	}
	for _, tt := range tests {
		if got := mayNamePublicKey([]byte(tt.body)); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.body, got, tt.want)
		}
	}
}
