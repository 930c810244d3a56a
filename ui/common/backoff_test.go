package common

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		base, most time.Duration
		failures   int
		want       time.Duration
	}{
		{5 * time.Second, time.Minute, 0, 5 * time.Second},
		{5 * time.Second, time.Minute, 1, 10 * time.Second},
		{5 * time.Second, time.Minute, 3, 40 * time.Second},
		{5 * time.Second, time.Minute, 4, time.Minute}, // 80 s capped
		{5 * time.Second, time.Minute, 1000, time.Minute},
		{2 * time.Minute, time.Minute, 0, time.Minute}, // a base above the cap
	}
	for _, tt := range tests {
		if got := Backoff(tt.base, tt.most, tt.failures); got != tt.want {
			t.Errorf("Backoff(%v, %v, %d) = %v, want %v", tt.base, tt.most, tt.failures, got, tt.want)
		}
	}
}
