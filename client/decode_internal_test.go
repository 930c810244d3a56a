package client

import (
	"encoding/json"
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
