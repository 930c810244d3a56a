package sim

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/malipo/malipo/client"
)

// Hand-written JSON for the views of the hot routes (wallet list, payment
// status, send-money status). encoding/json walks each view by reflection
// and re-validates what Amount.MarshalJSON returns; that was the largest
// part of a status answer's CPU. The output is byte for byte what
// encoding/json writes with SetEscapeHTML(false) (writeJSON's settings):
// TestAppendJSONMatchesEncodingJSON fills every field of every view by
// reflection and compares, so a field added to a view without being added
// here fails that test.

// jsonAppender is a view that writes its own JSON.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

// jbuf builds one JSON value.
type jbuf []byte

// key writes a member name, with the comma before it unless it is the
// first member of its object.
func (b jbuf) key(k string) jbuf {
	if len(b) > 0 && b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, k...) // names are plain ASCII literals
	return append(b, '"', ':')
}

func (b jbuf) str(k, v string) jbuf { return appendJSONString(b.key(k), v) }

func (b jbuf) strPtr(k string, v *string) jbuf {
	if v == nil {
		return append(b.key(k), "null"...)
	}
	return b.str(k, *v)
}

func (b jbuf) amount(k string, a client.Amount) jbuf {
	b = append(b.key(k), '"')
	return append(a.AppendDecimal(b), '"')
}

func (b jbuf) boolean(k string, v bool) jbuf {
	return strconv.AppendBool(b.key(k), v)
}

func (b jbuf) integer(k string, v int) jbuf {
	return strconv.AppendInt(b.key(k), int64(v), 10)
}

// appendJSONString writes s as a JSON string. Plain printable ASCII (ids,
// amounts, times, names) is copied; anything else goes through
// encoding/json so escapes and invalid UTF-8 come out exactly as it writes them.
func appendJSONString(b jbuf, s string) jbuf {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return appendJSONStringSlow(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendJSONStringSlow(b jbuf, s string) jbuf {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

func (w walletJSON) appendJSON(b []byte) []byte {
	j := append(jbuf(b), '{')
	j = j.str("wallet_id", w.WalletID).str("label", w.Label).boolean("can_disburse", w.CanDisburse)
	j = j.str("currency", w.Currency).str("wallet_type", w.WalletType)
	j = j.amount("current_balance", w.CurrentBalance).amount("available_balance", w.AvailableBalance)
	j = j.str("updated_at", w.UpdatedAt).str("created_at", w.CreatedAt)
	return append(j, '}')
}

// appendJSON writes the envelope itself when the results are of a view
// that writes its own JSON; ok is false otherwise.
func (p pageJSON) appendJSON(b []byte) ([]byte, bool) {
	r, ok := p.Results.([]walletJSON)
	if !ok || r == nil {
		return b, false
	}
	j := append(jbuf(b), '{')
	j = j.integer("count", p.Count).strPtr("next", p.Next).strPtr("previous", p.Previous)
	j = append(j.key("results"), '[')
	for i := range r {
		if i > 0 {
			j = append(j, ',')
		}
		j = r[i].appendJSON(j)
	}
	return append(j, ']', '}'), true
}

// jsonStreamer is a view that can be written out in pieces (see
// batchJSON.streamJSON).
type jsonStreamer interface {
	streamJSON(b []byte, flush func([]byte) []byte) []byte
}

// appendFast writes v with the hand-written encoders when it has one.
func appendFast(b []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case jsonAppender:
		return v.appendJSON(b), true
	case pageJSON:
		return v.appendJSON(b)
	}
	return b, false
}

func (v invoiceJSON) appendJSON(b []byte) []byte {
	j := append(jbuf(b), '{')
	j = j.str("id", v.ID).str("invoice_id", v.InvoiceID).str("state", v.State).str("provider", v.Provider)
	j = j.amount("charges", v.Charges).amount("net_amount", v.NetAmount).str("currency", v.Currency)
	j = j.amount("value", v.Value).str("account", v.Account).strPtr("api_ref", v.APIRef)
	j = j.strPtr("clearing_status", v.ClearingStatus).strPtr("mpesa_reference", v.MpesaReference)
	j = j.str("host", v.Host).integer("retry_count", v.RetryCount)
	j = j.strPtr("failed_reason", v.FailedReason).strPtr("failed_code", v.FailedCode)
	j = j.str("failed_code_link", v.FailedCodeLink).str("created_at", v.CreatedAt).str("updated_at", v.UpdatedAt)
	return append(j, '}')
}

func (v *customerJSON) appendJSON(b []byte) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	j := append(jbuf(b), '{')
	j = j.str("customer_id", v.CustomerID).strPtr("phone_number", v.PhoneNumber).strPtr("email", v.Email)
	j = j.strPtr("first_name", v.FirstName).strPtr("last_name", v.LastName).strPtr("country", v.Country)
	j = j.strPtr("zipcode", v.Zipcode).strPtr("provider", v.Provider)
	j = j.str("created_at", v.CreatedAt).str("updated_at", v.UpdatedAt)
	return append(j, '}')
}

func (v metaJSON) appendJSON(b []byte) []byte {
	j := append(jbuf(b), '{')
	j = j.str("id", v.ID)
	j = v.Customer.appendJSON(j.key("customer"))
	j = j.strPtr("payment_link", v.PaymentLink).strPtr("customer_comment", v.CustomerComment)
	j = j.str("created_at", v.CreatedAt).str("updated_at", v.UpdatedAt)
	return append(j, '}')
}

func (v paymentStatusJSON) appendJSON(b []byte) []byte {
	j := append(jbuf(b), '{')
	j = v.Invoice.appendJSON(j.key("invoice"))
	j = v.Meta.appendJSON(jbuf(j).key("meta"))
	return append(j, '}')
}

func (v payWalletJSON) appendJSON(b []byte) []byte {
	j := append(jbuf(b), '{')
	j = j.str("wallet_id", v.WalletID).str("label", v.Label).boolean("can_disburse", v.CanDisburse)
	j = j.str("currency", v.Currency).str("wallet_type", v.WalletType)
	j = j.amount("current_balance", v.CurrentBalance).amount("available_balance", v.AvailableBalance)
	j = j.str("updated_at", v.UpdatedAt)
	return append(j, '}')
}

func (v payTxJSON) appendJSON(b []byte) []byte {
	j := append(jbuf(b), '{')
	j = j.str("transaction_id", v.TransactionID).str("status", v.Status).str("status_code", v.StatusCode)
	j = j.strPtr("status_description", v.StatusDescription).str("request_reference_id", v.RequestReferenceID)
	j = j.str("provider", v.Provider).strPtr("bank_code", v.BankCode).strPtr("name", v.Name)
	j = j.str("account", v.Account).strPtr("id_number", v.IDNumber).strPtr("account_type", v.AccountType)
	j = j.strPtr("account_reference", v.AccountReference).strPtr("provider_reference", v.ProviderReference)
	j = j.strPtr("provider_account_name", v.ProviderAccountName)
	j = j.amount("amount", v.Amount).amount("charge", v.Charge).strPtr("narrative", v.Narrative)
	j = j.str("file_id", v.FileID).strPtr("idempotency_key", v.IdempotencyKey).str("currency", v.Currency)
	j = j.str("created_at", v.CreatedAt).str("updated_at", v.UpdatedAt)
	return append(j, '}')
}

func (v batchJSON) appendJSON(b []byte) []byte { return v.streamJSON(b, nil) }

// batchStream writes a batch whose transaction views are built one at a
// time (see Server.batchAnswer): head holds every other field.
type batchStream struct {
	head batchJSON
	b    *batch
}

func (a batchStream) appendJSON(b []byte) []byte { return a.streamJSON(b, nil) }

func (a batchStream) streamJSON(b []byte, flush func([]byte) []byte) []byte {
	return a.head.streamTx(b, flush, len(a.b.Tx), false, func(i int) payTxJSON { return payTxView(a.b, a.b.Tx[i]) })
}

// answerChunk is how much of a streamed answer is built before it is
// written out.
const answerChunk = 32 << 10

// streamJSON writes the batch, handing the buffer to flush (when not nil)
// whenever it holds answerChunk bytes, so a 5,000-line answer (~2.6 MB)
// never sits whole in memory.
func (v batchJSON) streamJSON(b []byte, flush func([]byte) []byte) []byte {
	return v.streamTx(b, flush, len(v.Transactions), v.Transactions == nil, func(i int) payTxJSON { return v.Transactions[i] })
}

// streamTx writes v with n transactions given by tx (JSON null when nilTx).
func (v batchJSON) streamTx(b []byte, flush func([]byte) []byte, n int, nilTx bool, tx func(int) payTxJSON) []byte {
	j := append(jbuf(b), '{')
	j = j.str("file_id", v.FileID).strPtr("device_id", v.DeviceID).str("tracking_id", v.TrackingID)
	j = j.strPtr("batch_reference", v.BatchReference).str("status", v.Status).str("status_code", v.StatusCode)
	if v.Nonce != "" {
		j = j.str("nonce", v.Nonce)
	}
	j = v.Wallet.appendJSON(j.key("wallet"))
	j = jbuf(j).key("transactions")
	if nilTx {
		j = append(j, "null"...)
	} else {
		j = append(j, '[')
		for i := range n {
			if i > 0 {
				j = append(j, ',')
			}
			j = tx(i).appendJSON(j)
			if flush != nil && len(j) >= answerChunk {
				j = flush(j)
			}
		}
		j = append(j, ']')
	}
	j = j.amount("charge_estimate", v.ChargeEstimate).amount("total_amount_estimate", v.TotalAmountEstimate)
	j = j.amount("total_amount", v.TotalAmount).integer("transactions_count", v.TransactionsCount)
	j = j.amount("actual_charges", v.ActualCharges).amount("paid_amount", v.PaidAmount)
	j = j.amount("failed_amount", v.FailedAmount).str("created_at", v.CreatedAt).str("updated_at", v.UpdatedAt)
	return append(j, '}')
}
