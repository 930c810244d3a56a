package common

// Hand-off messages: one screen asks the shell (GoTo) to open another on a
// given item. They live here because views never import each other. Append
// new ones; do not change existing ones (other views depend on them).

// OpenRefundMsg asks the Refunds view to open the refund form for a paid
// invoice (sent from a COMPLETE collection row with `R`).
type OpenRefundMsg struct {
	InvoiceID string
}
