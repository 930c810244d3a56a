package collections

import (
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
)

// Every invoice state the API can return reads as a word and a symbol,
// never the raw state alone (issue 12 §5 adds RETRY and PARTIAL).
func TestStateTextEveryState(t *testing.T) {
	tests := []struct{ state, want string }{
		{client.InvoicePending, "PENDING"},
		{client.InvoiceProcessing, "PROCESSING"},
		{client.InvoiceComplete, "COMPLETE"},
		{client.InvoiceFailed, "FAILED"},
		{client.InvoiceCanceled, "CANCELED"},
		{client.InvoiceRetry, "RETRY · prompt sent again"},
		{client.InvoicePartial, "PARTIAL · part paid"},
	}
	for _, tt := range tests {
		got := stateText(client.Invoice{State: tt.state})
		if !strings.Contains(got, tt.want) || got == tt.state {
			t.Errorf("%s renders %q, want a symbol and %q", tt.state, got, tt.want)
		}
	}
}
