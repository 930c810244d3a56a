package client

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeResponses feeds arbitrary bytes to every response decoder and
// to the error parser: none may panic, and what decodes re-encodes. It is an
// internal test because parseAPIError is unexported.
func FuzzDecodeResponses(f *testing.F) {
	for _, s := range []string{
		`{"tracking_id":"c1acf08c","status":"Preview and approve","status_code":"BP101","nonce":"1aiw02","device_id":1,
		  "transactions":[{"status":"Pending","account":254723890353,"amount":10,"narrative":null}],"charge_estimate":50.0}`,
		`{"file_id":"0VZ4MOK","wallet":{"wallet_id":"0XDLWNK","current_balance":"0.50"},"failed_amount":0.0,"paid_amount":"38.00"}`,
		`{"invoice":{"id":"XMSLWOS","invoice_id":"XMSLWOS","state":"PENDING","net_amount":10.36,"value":"10.36","account":254712345678},"meta":{"customer":{"id":"ZOEW022"},"payment_link":"x"}}`,
		`{"count":1,"next":null,"previous":null,"results":[{"transaction_id":"A","invoice":null,"value":"-10.00"}]}`,
		`[{"wallet_id":"A"},{"id":7}]`,
		`{"chargeback_id":"VYBBVY4","invoice":"NR5XKGY","amount":"103.63"}`,
		`{"subscription_id":"S1","customer":{"customer_id":"C1"},"plan":"P1"}`,
		`{"origin":{"wallet_id":"A"},"destination":null}`,
		`{"detail":"Authentication credentials were not provided."}`,
		`{"details":["Device id not found"]}`,
		`{"type":"validation_error","errors":[{"code":"invalid","detail":"x","attr":null}]}`,
		`{"errors":{"label":["required"]}}`,
		`{"created_at":"2025-10-27T10:44:23.852593+03:00","amount":"1e400"}`,
		`null`, `""`, `{"amount":{}}`, `{"results":7}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		targets := []any{
			new(Batch), new(Invoice), new(Wallet), new(Customer), new(PaymentStatus), new(STKPushResponse),
			new(Checkout), new(Refund), new(Subscription), new(Plan), new(PaymentLink), new(Bank),
			new(IntraTransferResult), new(Page[WalletTransaction]), new(Page[Wallet]), new(Page[Bank]),
		}
		for _, v := range targets {
			if json.Unmarshal(data, v) != nil {
				continue
			}
			out, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T decoded %q but does not encode: %v", v, data, err)
			}
			_ = json.Unmarshal(out, v)
		}
		e := parseAPIError(400, "POST", "send-money/initiate/", data)
		if e == nil || e.Status != 400 || len(e.Body) > 512 {
			t.Fatalf("parseAPIError: %+v", e)
		}
		_ = e.Error()
		_ = e.Message()
	})
}
