package client_test

import (
	"testing"

	"github.com/malipo/malipo/client"
)

// TestEstimatePayoutCharge: band edges belong to the lower band; past the
// last band the last fee applies; free rails cost nothing.
func TestEstimatePayoutCharge(t *testing.T) {
	tests := []struct {
		provider string
		amount   client.Amount
		want     client.Amount
	}{
		{client.MPesaB2C, client.Units(38), client.Units(10)},
		{client.MPesaB2C, client.Units(1000), client.Units(10)},
		{client.MPesaB2C, client.MustAmount("1000.01"), client.Units(20)},
		{client.MPesaB2C, client.Units(150000), client.Units(100)},
		{client.MPesaB2C, client.Units(1_000_000), client.Units(100)},
		{client.MPesaB2B, client.Units(10000), client.Units(60)},
		{client.PesaLink, client.Units(100001), client.Units(100)},
		{client.IntaSendP2P, client.Units(5000), 0},
		{client.Airtime, client.Units(50), 0},
		{"NOT-A-RAIL", client.Units(50), 0},
	}
	for _, tt := range tests {
		if got := client.EstimatePayoutCharge(tt.provider, tt.amount); got != tt.want {
			t.Errorf("%s %s: %s, want %s", tt.provider, tt.amount, got, tt.want)
		}
	}
}
