package client

import (
	"slices"
	"testing"
)

// TestCodeTable: every status code the client names is explained, each
// entry is complete, and codes are unique (a duplicate would make the
// console and `malipo explain` disagree about which entry wins).
func TestCodeTable(t *testing.T) {
	named := []string{BatchNew, BatchFailed, BatchWaitingApproval, BatchQueued, BatchFloatFailed, BatchFloatCheck,
		BatchFloatIssue, BatchValidating, BatchPaying, BatchSending, BatchCompleted, BatchEnded,
		TxSuccessful, TxPending, TxStarted, TxNotInitiated, TxResultsPending, TxUndetermined, TxFailed,
		TxObserved, TxCancelled, TxRetryQueued, "1", "1032", "1037", "2001"}
	for _, c := range named {
		if _, ok := ExplainCode(c); !ok {
			t.Errorf("%s is not in the code table", c)
		}
	}
	seen := map[string]bool{}
	for _, c := range Codes() {
		if seen[c.Code] {
			t.Errorf("%s twice", c.Code)
		}
		seen[c.Code] = true
		if c.Kind == "" || c.Status == "" || c.Meaning == "" || c.Action == "" || c.Moved == "" {
			t.Errorf("%s is incomplete: %+v", c.Code, c)
		}
	}
	// Rows in doubt carry the console's warning, so nobody resends them.
	for _, r := range []PayoutResult{{StatusCode: TxUndetermined}, {StatusCode: TxObserved}} {
		if !r.InDoubt() || CodeWords(r.StatusCode) != doNotResend {
			t.Errorf("%s: words %q", r.StatusCode, CodeWords(r.StatusCode))
		}
	}
}

func TestExplainCodeLookup(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		ok      bool
		suggest string // one of the suggestions for an unknown code
	}{
		{in: "bf105", want: "BF105", ok: true},
		{in: " TH107 ", want: "TH107", ok: true},
		{in: "1032", want: "1032", ok: true},
		{in: "BF15", suggest: "BF105"},
		{in: "TF1055", suggest: "TF105"},
		{in: "1033", suggest: "1032"},
		{in: "ZZZZZZZZZZ"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, ok := ExplainCode(tt.in)
			if ok != tt.ok || c.Code != tt.want {
				t.Fatalf("ExplainCode(%q) = %q, %v", tt.in, c.Code, ok)
			}
			got := SuggestCodes(tt.in)
			if len(got) > 3 || tt.suggest != "" && !slices.Contains(got, tt.suggest) || tt.suggest == "" && !tt.ok && len(got) > 0 {
				t.Errorf("SuggestCodes(%q) = %v, want %q among them", tt.in, got, tt.suggest)
			}
		})
	}
}
