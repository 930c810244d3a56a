package text

import (
	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// InvoiceState is a payment's state as a symbol and a word (never colour
// alone), with the reason when it failed: Collections' rows and detail and
// the STK push panels of Collections and Wallets all say it this way.
func InvoiceState(inv client.Invoice) string {
	switch inv.State {
	case client.InvoiceComplete:
		return common.SymOK + " COMPLETE"
	case client.InvoiceFailed, client.InvoiceCanceled:
		s := common.SymFailed + " " + inv.State
		if r := FailedReason(inv); r != "" {
			s += " · " + r
		}
		return s
	case client.InvoicePartial:
		// Final but short: say so, so nobody waits for the rest.
		return common.SymFailed + " PARTIAL · part paid"
	case client.InvoiceRetry:
		return common.SymPending + " RETRY · prompt sent again"
	case "":
		return "—"
	}
	return common.SymPending + " " + inv.State
}

// FailedReason is why a payment failed: IntaSend's words, else M-Pesa's
// words for the code (the table `malipo explain` reads), else the code;
// "" when neither is given.
func FailedReason(inv client.Invoice) string {
	switch {
	case inv.FailedReason != "":
		return inv.FailedReason
	case inv.FailedCode != "":
		if c, ok := client.ExplainCode(inv.FailedCode); ok {
			return c.Status + " (code " + inv.FailedCode + ")"
		}
		return "code " + inv.FailedCode
	}
	return ""
}

// PushStatus is the status line of a panel that follows an STK push: the
// state in its colour, and while the customer's phone is still to answer,
// the spinner and what is happening. Final states stop the spinner.
func PushStatus(st *common.Styles, spin string, inv client.Invoice) string {
	switch inv.State {
	case client.InvoiceComplete:
		return st.OK.Render(InvoiceState(inv)) + " · paid"
	case client.InvoiceFailed, client.InvoiceCanceled, client.InvoicePartial:
		return st.Failed.Render(InvoiceState(inv))
	case client.InvoiceProcessing:
		return spin + " " + st.Pending.Render(InvoiceState(inv)) + " · the customer is entering their PIN"
	case client.InvoiceRetry:
		return spin + " " + st.Pending.Render(InvoiceState(inv))
	case "":
		inv.State = client.InvoicePending // sent, no answer yet
	}
	return spin + " " + st.Pending.Render(InvoiceState(inv)) + " · waiting for the customer's phone"
}
