package client_test

import (
	"testing"

	"github.com/malipo/malipo/client"
)

// Every documented transaction code, and one nobody documented: only
// TF103, TF106 and TC108 may be sent again; TF105 and TH107 are in doubt;
// TF104 is neither failed nor in doubt, only unfinished.
func TestPayoutResultStates(t *testing.T) {
	tests := []struct {
		code                  string
		paid, failed, inDoubt bool
	}{
		{code: "TS100", paid: true},
		{code: "TP101"},
		{code: "TP102"},
		{code: "TF103", failed: true},
		{code: "TF104"},
		{code: "TF105", inDoubt: true},
		{code: "TF106", failed: true},
		{code: "TH107", inDoubt: true},
		{code: "TC108", failed: true},
		{code: "TR109"},
		{code: "TF199"}, // unknown: never taken for a failure
		{code: ""},
	}
	for _, tt := range tests {
		r := client.PayoutResult{StatusCode: tt.code}
		if r.Paid() != tt.paid || r.Failed() != tt.failed || r.InDoubt() != tt.inDoubt {
			t.Errorf("%q: paid %v failed %v in doubt %v; want %v %v %v", tt.code, r.Paid(), r.Failed(), r.InDoubt(), tt.paid, tt.failed, tt.inDoubt)
		}
	}
}

// A batch stays unfinished while any state may still change, and Final
// covers every failed and ended code.
func TestBatchFinal(t *testing.T) {
	tests := []struct {
		code            string
		final, approved bool
	}{
		{"BP101", false, false}, {"BF102", true, false}, {"BP103", false, false}, {"BP104", false, true},
		{"BF105", true, true}, {"BP106", false, true}, {"BF107", true, true}, {"BP108", false, true},
		{"BP109", false, true}, {"BP110", false, true}, {"BC100", true, true}, {"BE111", true, false},
	}
	ranThenEnded := client.Batch{StatusCode: "BE111", Transactions: []client.PayoutResult{{StatusCode: "TS100"}, {StatusCode: "TC108"}}}
	if !ranThenEnded.Approved() || !ranThenEnded.Final() {
		t.Errorf("a batch that paid a row and then ended early was approved")
	}
	for _, tt := range tests {
		b := client.Batch{StatusCode: tt.code, Transactions: []client.PayoutResult{{StatusCode: "TC108"}}}
		if b.Final() != tt.final || b.Approved() != tt.approved {
			t.Errorf("%s: final %v approved %v, want %v %v", tt.code, b.Final(), b.Approved(), tt.final, tt.approved)
		}
	}
}
