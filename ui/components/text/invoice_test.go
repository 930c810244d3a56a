package text

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// TestInvoiceWords: every state reads as a symbol and a word (RETRY and
// PARTIAL say what they mean), a failure says why, and the STK panel's line
// spins only while the phone may still answer.
func TestInvoiceWords(t *testing.T) {
	const spin = "@"
	st := common.NewStyles(true)
	tests := []struct {
		inv      client.Invoice
		state    string // InvoiceState
		push     string // PushStatus, stripped
		spinning bool
	}{
		{client.Invoice{}, "—", "… PENDING · waiting for the customer's phone", true},
		{client.Invoice{State: client.InvoicePending}, "… PENDING", "… PENDING · waiting for the customer's phone", true},
		{client.Invoice{State: client.InvoiceProcessing}, "… PROCESSING", "… PROCESSING · the customer is entering their PIN", true},
		{client.Invoice{State: client.InvoiceRetry}, "… RETRY · prompt sent again", "… RETRY · prompt sent again", true},
		{client.Invoice{State: client.InvoiceComplete}, "✔ COMPLETE", "✔ COMPLETE · paid", false},
		{client.Invoice{State: client.InvoicePartial}, "✖ PARTIAL · part paid", "✖ PARTIAL · part paid", false},
		{client.Invoice{State: client.InvoiceFailed, FailedReason: "Insufficient balance"},
			"✖ FAILED · Insufficient balance", "✖ FAILED · Insufficient balance", false},
		{client.Invoice{State: client.InvoiceFailed, FailedCode: "1032"},
			"✖ FAILED · Request cancelled by user (code 1032)", "✖ FAILED · Request cancelled by user (code 1032)", false},
		{client.Invoice{State: client.InvoiceCanceled, FailedCode: "X9"}, "✖ CANCELED · code X9", "✖ CANCELED · code X9", false},
		{client.Invoice{State: client.InvoiceFailed}, "✖ FAILED", "✖ FAILED", false},
	}
	for _, tt := range tests {
		if got := InvoiceState(tt.inv); got != tt.state {
			t.Errorf("InvoiceState(%+v) = %q, want %q", tt.inv, got, tt.state)
		}
		got := ansi.Strip(PushStatus(st, spin, tt.inv))
		if spinning := strings.HasPrefix(got, spin+" "); spinning != tt.spinning {
			t.Errorf("PushStatus(%s) = %q: spinning %v, want %v", tt.inv.State, got, spinning, tt.spinning)
		}
		if got = strings.TrimPrefix(got, spin+" "); got != tt.push {
			t.Errorf("PushStatus(%s) = %q, want %q", tt.inv.State, got, tt.push)
		}
	}
}
