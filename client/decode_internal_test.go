package client

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// statusBody is a payment/status/ answer as the simulator writes it.
const statusBody = `{"invoice":{"id":"GOP53BG","invoice_id":"GOP53BG","state":"FAILED","provider":"M-PESA",` +
	`"charges":"0.00","net_amount":"100.00","currency":"KES","value":"100.00","account":"254708374149",` +
	`"api_ref":"bench","clearing_status":"PENDING","mpesa_reference":null,"host":"http://127.0.0.1:44359",` +
	`"retry_count":0,"failed_reason":"Request cancelled by user","failed_code":"1032",` +
	`"failed_code_link":"https://intasend.com/troubleshooting","created_at":"2026-12-03T07:51:13.609752+03:00",` +
	`"updated_at":"2026-12-03T07:51:13.609752+03:00"},"meta":{"id":"84d9f38f-ce14-4e96-81ed-f552219b0106",` +
	`"customer":{"customer_id":"FG0PO7H","phone_number":"254708374149","email":null,"first_name":null,` +
	`"last_name":null,"country":"KE","zipcode":null,"provider":"M-PESA","created_at":"2026-12-03T07:51:13.609752+03:00",` +
	`"updated_at":"2026-12-03T07:51:13.609752+03:00"},"payment_link":null,"customer_comment":null,` +
	`"created_at":"2026-12-03T07:51:13.609752+03:00","updated_at":"2026-12-03T07:51:13.609752+03:00"}}`

// PaymentStatus.unmarshalWire must give exactly what json.Unmarshal gives
// (through Invoice's and Customer's UnmarshalJSON), for every shape the
// API or the SDK samples use, errors included.
func TestPaymentStatusWireMatchesUnmarshal(t *testing.T) {
	bodies := map[string]string{
		"simulator": statusBody,
		"numbers": strings.NewReplacer(`"account":"254708374149"`, `"account":254708374149`,
			`"phone_number":"254708374149"`, `"phone_number":254708374149`, `"failed_code":"1032"`, `"failed_code":1032`,
			`"value":"100.00"`, `"value":100`, `"retry_count":0`, `"retry_count":"2"`).Replace(statusBody),
		"old ids":         strings.NewReplacer(`"invoice_id":"GOP53BG",`, ``, `"customer_id":"FG0PO7H"`, `"id":7`).Replace(statusBody),
		"escapes":         strings.Replace(statusBody, `"api_ref":"bench"`, `"api_ref":"b\u00e9nch \"x\""`, 1),
		"null customer":   strings.Replace(statusBody, `"customer":{"customer_id"`, `"customer":null,"x":{"customer_id"`, 1),
		"blank amount":    strings.Replace(statusBody, `"charges":"0.00"`, `"charges":" "`, 1),
		"payment link":    strings.Replace(statusBody, `"payment_link":null`, `"payment_link":"https://pay/x"`, 1),
		"bad amount":      strings.Replace(statusBody, `"charges":"0.00"`, `"charges":"abc"`, 1),
		"bad retry count": strings.Replace(statusBody, `"retry_count":0`, `"retry_count":"x"`, 1),
		"bad time":        strings.Replace(statusBody, `"created_at":"2026-12-03T07:51:13.609752+03:00"`, `"created_at":"yesterday"`, 1),
		"not json":        statusBody[:100],
		"empty":           `{}`,
	}
	for name, body := range bodies {
		var want, got PaymentStatus
		wantErr := json.Unmarshal([]byte(body), &want)
		gotErr := got.unmarshalWire([]byte(body))
		if (gotErr != nil) != (wantErr != nil) {
			t.Errorf("%s: error %v, want %v", name, gotErr, wantErr)
			continue
		}
		if wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

// batchBody is a send-money answer as the simulator writes it.
const batchBody = ` {"file_id":"WAQ8UQQ","device_id":null,"tracking_id":"3d6aa90a-7673-444a-961f-7c15d4b60fce",` +
	`"batch_reference":null,"status":"Confirming balance","status_code":"BP104","nonce":"1aiw02","wallet":{"wallet_id":"9ZM48JN",` +
	`"label":"default","can_disburse":true,"currency":"KES","wallet_type":"SETTLEMENT","current_balance":"1280933.57",` +
	`"available_balance":"1279723.57","updated_at":"2026-12-03T07:51:13.610228+03:00"},"transactions":[{"transaction_id":"L5XS06Y",` +
	`"status":"Pending","status_code":"TP101","status_description":null,"request_reference_id":"686fd68e-b48b-4200-8b9d-526781d637ae",` +
	`"provider":"MPESA-B2C","bank_code":null,"name":"Jane Doe","account":"254708374149","id_number":null,"account_type":null,` +
	`"account_reference":null,"provider_reference":null,"provider_account_name":null,"amount":"150.00","charge":"10.00",` +
	`"narrative":"Salary","file_id":"WAQ8UQQ","idempotency_key":null,"currency":"KES","created_at":"2026-12-03T07:51:13.610228+03:00",` +
	`"updated_at":"2026-12-03T07:51:13.610228+03:00"}],"charge_estimate":"10.00","total_amount_estimate":"160.00",` +
	`"total_amount":"150.00","transactions_count":1,"actual_charges":"0.00","paid_amount":"0.00","failed_amount":"0.00",` +
	`"created_at":"2026-12-03T07:51:13.610228+03:00","updated_at":"2026-12-03T07:51:13.610228+03:00"} `

// Batch.unmarshalWire must give what json.Unmarshal gives (Raw included).
func TestBatchWireMatchesUnmarshal(t *testing.T) {
	bodies := map[string]string{
		"simulator": batchBody,
		"sample shapes": strings.NewReplacer(`"device_id":null`, `"device_id":1`, `"account":"254708374149"`, `"account":254708374149`,
			`"transactions_count":1`, `"transactions_count":"1"`, `"nonce":"1aiw02"`, `"nonce":102030`, `"amount":"150.00"`, `"amount":150`,
			`"bank_code":null`, `"bank_code":2`).Replace(batchBody),
		"no transactions":    strings.Replace(batchBody, `"transactions":[{`, `"transactions":null,"x":[{`, 1),
		"empty transactions": strings.Replace(batchBody, `"transactions":[{`, `"transactions":[],"x":[{`, 1),
		"bad account":        strings.Replace(batchBody, `"account":"254708374149"`, `"account":{}`, 1),
		"bad count":          strings.Replace(batchBody, `"transactions_count":1`, `"transactions_count":"one"`, 1),
		"not json":           batchBody[:200],
	}
	for name, body := range bodies {
		var want, got Batch
		wantErr := json.Unmarshal([]byte(body), &want)
		gotErr := got.unmarshalWire([]byte(body))
		if (gotErr != nil) != (wantErr != nil) {
			t.Errorf("%s: error %v, want %v", name, gotErr, wantErr)
			continue
		}
		if wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

// errAfter yields data, then fails as a cut connection does.
type errAfter struct {
	r   *strings.Reader
	err error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if e.r.Len() == 0 {
		return 0, e.err
	}
	return e.r.Read(p)
}

// readBody returns the answer's bytes whatever its size and framing, and a
// cut-off answer's error (so it stays a transport error, as with ReadAll).
func TestReadBody(t *testing.T) {
	for _, n := range []int{0, 1, 4095, 4096, 4097, 12288, 300_001} {
		body := strings.Repeat("x", n)
		for _, length := range []int64{-1, int64(n)} {
			resp := &http.Response{Body: io.NopCloser(strings.NewReader(body)), ContentLength: length}
			got, err := readBody(resp)
			if err != nil || string(got) != body {
				t.Errorf("%d bytes (length %d): %d bytes back, %v", n, length, len(got), err)
			}
		}
		resp := &http.Response{Body: io.NopCloser(&errAfter{strings.NewReader(body), io.ErrUnexpectedEOF}), ContentLength: -1}
		if _, err := readBody(resp); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%d bytes then a cut: %v", n, err)
		}
	}
}
