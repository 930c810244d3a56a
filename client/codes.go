package client

import (
	"slices"
	"strings"
)

// Code kinds: where a code appears.
const (
	KindBatch       = "batch"       // a send-money batch's status_code
	KindTransaction = "transaction" // a payout row's status_code
	KindInvoice     = "invoice"     // a collection's state
	KindMpesa       = "mpesa"       // an M-Pesa result code in a failed collection's failed_code
	KindCard        = "card"        // a card decline code in a failed collection's failed_code
)

// CodeInfo is what one IntaSend status or failure code means and what a
// merchant should do about it. It is the one table the console and
// `malipo explain` both read, so the two never give different advice.
type CodeInfo struct {
	Code    string `json:"code"`
	Kind    string `json:"kind"`
	Status  string `json:"status"`  // IntaSend's (or M-Pesa's) own words
	Meaning string `json:"meaning"` // what it means, in plain words
	Action  string `json:"action"`  // what to do
	// Moved says whether money may have left (or reached) the account:
	// "no", "yes" or "unknown". It decides whether resending is safe.
	Moved string `json:"money_moved"`
	// Words are the console's short words beside IntaSend's status, where
	// IntaSend's own text leaves the outcome vague; empty otherwise.
	Words string `json:"-"`
}

// doNotResend is the one piece of advice every in-doubt row must carry:
// sending it again may pay the recipient twice.
const doNotResend = "ask IntaSend support; do not resend"

const (
	movedNo      = "no"
	movedYes     = "yes"
	movedUnknown = "unknown"
	waitAction   = "Nothing to do: wait; the batch moves on by itself."
)

// codes is the table. Sources: IntaSend's send-money status list
// (docs/intasend-api.md §4), the simulator's documented scenarios, Safaricom's
// Daraja STK result codes and ISO 8583 card response codes.
var codes = []CodeInfo{
	{Code: BatchNew, Kind: KindBatch, Status: "Preview and approve", Words: "reading the file", Moved: movedNo,
		Meaning: "IntaSend is reading the batch file; it will wait for approval next (BP103).",
		Action:  "Wait a moment, then review the charges and approve."},
	{Code: BatchFailed, Kind: KindBatch, Status: "Failed Processing", Words: "batch failed, nothing sent", Moved: movedNo,
		Meaning: "The batch could not be processed; no payment was sent and any hold was released.",
		Action:  "Check the rows (malipo payouts check FILE.csv) and initiate a new batch."},
	{Code: BatchWaitingApproval, Kind: KindBatch, Status: "Preview and approve", Moved: movedNo,
		Meaning: "The batch is waiting for your approval; nothing moves until it is approved.",
		Action:  "Review the recipients and charges, then approve it in the console (or cancel it)."},
	{Code: BatchQueued, Kind: KindBatch, Status: "Confirming balance", Moved: movedNo,
		Meaning: "Approved; IntaSend is confirming the wallet can cover the batch.", Action: waitAction},
	{Code: BatchFloatFailed, Kind: KindBatch, Status: "Failed Processing", Words: "float check failed, nothing sent", Moved: movedNo,
		Meaning: "The wallet could not cover the batch total plus charges; nothing was sent.",
		Action:  "Fund the wallet (M-Pesa top-up or a transfer between wallets), then initiate the batch again."},
	{Code: BatchFloatCheck, Kind: KindBatch, Status: "Processing (FLT)", Moved: movedNo,
		Meaning: "IntaSend is checking the wallet's float before sending.", Action: waitAction},
	{Code: BatchFloatIssue, Kind: KindBatch, Status: "Failed Processing", Words: "float check issue, nothing sent", Moved: movedNo,
		Meaning: "The advance float check hit a problem and the batch was stopped before any payment.",
		Action:  "Initiate the batch again later; if it happens again, ask IntaSend support."},
	{Code: BatchValidating, Kind: KindBatch, Status: "Processing (FLTRSLT)", Moved: movedNo,
		Meaning: "IntaSend is validating the float check's result.", Action: waitAction},
	{Code: BatchPaying, Kind: KindBatch, Status: "Sending payment", Moved: movedUnknown,
		Meaning: "Payments are being sent.", Action: waitAction + " Watch each row's code."},
	{Code: BatchSending, Kind: KindBatch, Status: "Processing payment", Moved: movedUnknown,
		Meaning: "Payments are out; some rows are still waiting for the provider's result.",
		Action:  waitAction + " Watch each row's code."},
	{Code: BatchCompleted, Kind: KindBatch, Status: "Completed", Moved: movedYes,
		Meaning: "Every row has a final result; only TS100 rows were paid.",
		Action:  "Check the rows: resend only TF103, TF106 and TC108 rows, in a new batch."},
	{Code: BatchEnded, Kind: KindBatch, Status: "Cancelled", Words: "ended early", Moved: movedUnknown,
		Meaning: "The batch ended early (or was cancelled): rows settled before the stop were paid, the rest are TC108.",
		Action:  "Check the rows: resend only the TC108 (and TF103, TF106) rows, in a new batch."},

	{Code: TxSuccessful, Kind: KindTransaction, Status: "Successful", Moved: movedYes,
		Meaning: "The payment reached the recipient.", Action: "Nothing to do."},
	{Code: TxPending, Kind: KindTransaction, Status: "Pending", Moved: movedNo,
		Meaning: "The payment is queued.", Action: "Nothing to do: wait."},
	{Code: TxStarted, Kind: KindTransaction, Status: "Processing", Moved: movedUnknown,
		Meaning: "The payment was sent to the provider; the result is not in yet.", Action: "Nothing to do: wait. Do not resend."},
	{Code: TxNotInitiated, Kind: KindTransaction, Status: "Unsuccessful", Moved: movedNo,
		Meaning: "The payment was never sent (failed to initiate).",
		Action:  "Fix the row if its reason says so, then send it again in a new batch."},
	{Code: TxResultsPending, Kind: KindTransaction, Status: "Processing results", Moved: movedUnknown,
		Meaning: "The provider's result is still being processed; the payment may yet succeed.",
		Action:  "Wait; do not resend (it may pay twice)."},
	{Code: TxUndetermined, Kind: KindTransaction, Status: "Status undetermined", Words: doNotResend, Moved: movedUnknown,
		Meaning: "Nobody can yet say whether the payment was made; its money stays held.",
		Action:  "Ask IntaSend support with the tracking id and transaction id; do not resend (it may pay twice)."},
	{Code: TxFailed, Kind: KindTransaction, Status: "Unsuccessful", Moved: movedNo,
		Meaning: "The payment failed; the recipient was not paid and the money is back in the wallet.",
		Action:  "Read the row's reason (wrong account, limit, recipient not registered), fix it and send it again in a new batch."},
	{Code: TxObserved, Kind: KindTransaction, Status: "Under observation", Words: doNotResend, Moved: movedUnknown,
		Meaning: "IntaSend is confirming the result with the provider; it usually settles on its own.",
		Action:  "Wait, and ask IntaSend support if it lasts; do not resend (it may pay twice)."},
	{Code: TxCancelled, Kind: KindTransaction, Status: "Cancelled", Moved: movedNo,
		Meaning: "The payment was cancelled before it was sent.", Action: "Send it again in a new batch if it is still owed."},
	{Code: TxRetryQueued, Kind: KindTransaction, Status: "Queued for retry", Moved: movedUnknown,
		Meaning: "The provider was busy; IntaSend will try again by itself.", Action: "Nothing to do: wait. Do not resend."},

	{Code: InvoicePending, Kind: KindInvoice, Status: "PENDING", Moved: movedNo,
		Meaning: "The payment request was sent; the customer has not answered yet.", Action: "Wait for the customer."},
	{Code: InvoiceProcessing, Kind: KindInvoice, Status: "PROCESSING", Moved: movedUnknown,
		Meaning: "The customer answered; the provider is processing the payment.", Action: "Wait; do not ask the customer to pay again."},
	{Code: InvoiceComplete, Kind: KindInvoice, Status: "COMPLETE", Moved: movedYes,
		Meaning: "Paid; the money is in the wallet (clearing, then available).", Action: "Deliver the goods or service."},
	{Code: InvoiceFailed, Kind: KindInvoice, Status: "FAILED", Moved: movedNo,
		Meaning: "The payment failed; its failed_code says why.", Action: "Run malipo explain on the failed_code, then ask the customer to try again."},
	{Code: InvoiceRetry, Kind: KindInvoice, Status: "RETRY", Moved: movedNo,
		Meaning: "The prompt is being sent to the customer again.", Action: "Wait for the customer."},
	{Code: InvoiceCanceled, Kind: KindInvoice, Status: "CANCELED", Moved: movedNo,
		Meaning: "The payment was cancelled before the customer paid.", Action: "Send a new request if the customer still wants to pay."},
	{Code: InvoicePartial, Kind: KindInvoice, Status: "PARTIAL", Moved: movedYes,
		Meaning: "The customer paid part of the amount; the rest will not come on its own.", Action: "Ask the customer for the balance in a new request."},

	{Code: "0", Kind: KindMpesa, Status: "The service request is processed successfully", Moved: movedYes,
		Meaning: "M-Pesa accepted the payment.", Action: "Nothing to do."},
	{Code: "1", Kind: KindMpesa, Status: "The balance is insufficient for the transaction", Moved: movedNo,
		Meaning: "The customer's M-Pesa (and Fuliza) balance could not cover the amount.",
		Action:  "Ask the customer to top up, or request a smaller amount."},
	{Code: "1001", Kind: KindMpesa, Status: "Unable to lock subscriber, a transaction is already in process for the current subscriber", Moved: movedNo,
		Meaning: "The customer has another M-Pesa transaction in progress.", Action: "Wait a minute or two, then send the request again."},
	{Code: "1019", Kind: KindMpesa, Status: "Transaction has expired", Moved: movedNo,
		Meaning: "The prompt expired before the customer finished.", Action: "Send the request again."},
	{Code: "1025", Kind: KindMpesa, Status: "An error occurred while sending a push request", Moved: movedNo,
		Meaning: "M-Pesa could not deliver the prompt.", Action: "Send the request again; if it repeats, ask the customer to restart the phone."},
	{Code: "1032", Kind: KindMpesa, Status: "Request cancelled by user", Moved: movedNo,
		Meaning: "The customer dismissed the M-Pesa prompt.", Action: "Ask whether they meant to pay; send a new request if so."},
	{Code: "1037", Kind: KindMpesa, Status: "DS timeout user cannot be reached", Moved: movedNo,
		Meaning: "The prompt did not reach the phone, or was not answered in time (phone off, no network, SIM not updated).",
		Action:  "Ask the customer to check the phone is on and unlocked, then send the request again."},
	{Code: "2001", Kind: KindMpesa, Status: "The initiator information is invalid", Moved: movedNo,
		Meaning: "The customer entered a wrong M-Pesa PIN.", Action: "Ask the customer to try again with the right PIN."},
	{Code: "9999", Kind: KindMpesa, Status: "An error occurred while sending a push request", Moved: movedNo,
		Meaning: "M-Pesa had an internal error.", Action: "Send the request again later."},

	{Code: "05", Kind: KindCard, Status: "Do not honour", Moved: movedNo,
		Meaning: "The card's bank declined the payment without a reason.", Action: "Ask the customer to call their bank or use another card."},
	{Code: "51", Kind: KindCard, Status: "Insufficient funds", Moved: movedNo,
		Meaning: "The card's account could not cover the amount.", Action: "Ask the customer to use another card or M-Pesa."},
	{Code: "54", Kind: KindCard, Status: "Expired card", Moved: movedNo,
		Meaning: "The card has expired.", Action: "Ask the customer to use another card."},
	{Code: "3DS", Kind: KindCard, Status: "3-D Secure authentication failed", Moved: movedNo,
		Meaning: "The customer did not pass the card issuer's 3-D Secure check.", Action: "Ask the customer to try again and complete the bank's check, or use another card."},
}

// byCode indexes codes by their upper-case code.
var byCode = func() map[string]CodeInfo {
	m := make(map[string]CodeInfo, len(codes))
	for _, c := range codes {
		m[strings.ToUpper(c.Code)] = c
	}
	return m
}()

// ExplainCode looks a code up, ignoring case and surrounding space.
func ExplainCode(code string) (CodeInfo, bool) {
	c, ok := byCode[strings.ToUpper(strings.TrimSpace(code))]
	return c, ok
}

// CodeWords are the console's short words for code ("" when it has none).
func CodeWords(code string) string {
	c, _ := ExplainCode(code)
	return c.Words
}

// Codes lists every known code, in the table's order.
func Codes() []CodeInfo { return slices.Clone(codes) }

// SuggestCodes names up to three known codes closest to an unknown one
// (fewest edits), so a typo such as "BF15" points at BF105.
func SuggestCodes(code string) []string {
	code = strings.ToUpper(strings.TrimSpace(code))
	type near struct {
		code string
		dist int
	}
	var all []near
	for _, c := range codes {
		if d := editDistance(code, strings.ToUpper(c.Code)); d <= max(2, len(code)/2) {
			all = append(all, near{c.Code, d})
		}
	}
	slices.SortStableFunc(all, func(a, b near) int { return a.dist - b.dist })
	var out []string
	for _, n := range all[:min(3, len(all))] {
		out = append(out, n.code)
	}
	return out
}

// editDistance is Levenshtein's distance over bytes (codes are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
