package common

// Hand-off messages: one screen asks the shell (GoTo) to open another on a
// given item. They live here because views never import each other. Append
// new ones; do not change existing ones (other views depend on them).

import "github.com/malipo/malipo/client"

// OpenRefundMsg asks the Refunds view to open the refund form for a paid
// invoice (sent from a COMPLETE collection row with `R`).
type OpenRefundMsg struct {
	InvoiceID string
}

// OpenPaymentMsg asks Collections to show a payment the command palette
// found by id, phone or api_ref: its row is added when the list does not
// hold it (an older payment), selected, and its detail opened.
type OpenPaymentMsg struct {
	Invoice client.Invoice
}

// OpenBatchMsg asks Payouts to open a send-money batch by tracking id
// (found by the command palette).
type OpenBatchMsg struct {
	TrackingID string
}

// OpenChargebackMsg asks Refunds to open a refund (IntaSend's chargeback)
// the command palette found by its id.
type OpenChargebackMsg struct {
	Refund client.Refund
}
