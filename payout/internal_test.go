package payout

import (
	"testing"

	"github.com/malipo/malipo/client"
)

// FuzzQuickPhone: the allocation-free fast path agrees with
// client.ParsePhone wherever it answers.
func FuzzQuickPhone(f *testing.F) {
	for _, s := range []string{"0712345678", "0112345678", "+254712345678", "+254112345678", "0812345678", "071234567a", "+25471234567", "07123456789"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, ok := quickPhone(s)
		if !ok {
			return
		}
		p, err := client.ParsePhone(s)
		if err != nil || p.String() != q {
			t.Fatalf("quickPhone(%q) = %q; ParsePhone = %q, %v", s, q, p, err)
		}
	})
}

// TestQuickPhone covers both spellings and the near misses.
func TestQuickPhone(t *testing.T) {
	for in, want := range map[string]string{"0712345678": "254712345678", "0110345678": "254110345678",
		"+254712345678": "254712345678", "0812345678": "", "+254812345678": "", "071234567": "", "+2547123456789": ""} {
		got, ok := quickPhone(in)
		if ok != (want != "") || got != want {
			t.Errorf("quickPhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
