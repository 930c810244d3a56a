package client

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
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
	wireMatches[PaymentStatus](t, bodies)
}

// wired is what unmarshalWire made of one body, and its error.
type wired[T any] struct {
	v   T
	err error
}

// wireMatches decodes each body with unmarshalWire and with json.Unmarshal
// (the UnmarshalJSON methods) and fails where they differ: an error on one
// side only, or another value. It returns what unmarshalWire gave, by
// name, for a test's own checks.
func wireMatches[T any, P interface {
	*T
	wireDecoder
}](t *testing.T, bodies map[string]string) map[string]wired[T] {
	t.Helper()
	out := map[string]wired[T]{}
	for name, body := range bodies {
		var want, got T
		wantErr := json.Unmarshal([]byte(body), &want)
		gotErr := P(&got).unmarshalWire([]byte(body))
		out[name] = wired[T]{got, gotErr}
		if (gotErr != nil) != (wantErr != nil) {
			t.Errorf("%s: error %v, want %v", name, gotErr, wantErr)
			continue
		}
		if wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
	return out
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
	wireMatches[Batch](t, bodies)
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

// txBody is one wallet transaction of a GET transactions/ page as the
// simulator writes it.
const txBody = `{"transaction_id":"PTZGXT8","invoice":{"id":"ZM90B92","invoice_id":"ZM90B92","state":"COMPLETE",` +
	`"provider":"M-PESA","charges":"33.57","net_amount":"1085.43","currency":"KES","value":"1119.00","account":"254110259396",` +
	`"api_ref":"ORDER-81053","clearing_status":"AVAILABLE","mpesa_reference":"OCW897LT9O","host":"https://sandbox.intasend.com",` +
	`"retry_count":0,"failed_reason":null,"failed_code":null,"failed_code_link":"https://intasend.com/troubleshooting",` +
	`"created_at":"2026-12-03T08:04:58.404874+03:00","updated_at":"2026-12-03T08:05:23.404874+03:00"},"currency":"KES",` +
	`"value":"-33.57","running_balance":"1341599.64","narrative":"Collection charges for invoice ZM90B92","trans_type":"CHARGE",` +
	`"status":"AVAILABLE","created_at":"2026-12-03T08:05:23.404874+03:00","updated_at":"2026-12-03T08:05:23.404874+03:00"}`

// Page[WalletTransaction].unmarshalWire must give exactly what
// json.Unmarshal gives (through Page's and Invoice's UnmarshalJSON), for
// the envelope and the bare array, errors included.
func TestTransactionsPageWireMatchesUnmarshal(t *testing.T) {
	noInvoice := strings.Replace(txBody, txBody[strings.Index(txBody, `"invoice":{`):strings.Index(txBody, `},"currency"`)+2], `"invoice":null,`, 1)
	page := `{"count":437,"next":"http://127.0.0.1:46457/api/v1/transactions/?page=2","previous":null,"results":[` +
		txBody + `,` + noInvoice + `]}`
	bodies := map[string]string{
		"simulator page":   page,
		"bare array":       " [" + txBody + "," + noInvoice + "] ",
		"empty results":    `{"count":0,"next":null,"previous":null,"results":[]}`,
		"null results":     `{"count":0,"results":null}`,
		"null":             `null`,
		"no invoice field": `{"results":[{"transaction_id":"X","value":"1.00"}]}`,
		"empty invoice":    `{"results":[{"transaction_id":"X","invoice":{}}]}`,
		"invoice numbers": strings.NewReplacer(`"account":"254110259396"`, `"account":254110259396`, `"retry_count":0`, `"retry_count":"2"`,
			`"invoice_id":"ZM90B92",`, ``).Replace(page),
		"escapes":               strings.Replace(page, `"narrative":"Collection`, `"narrative":"\u00e9 \"Collection`, 1),
		"bad amount":            strings.Replace(page, `"value":"-33.57"`, `"value":"abc"`, 1),
		"bad invoice":           strings.Replace(page, `"charges":"33.57"`, `"charges":"x"`, 1),
		"invoice not an object": `{"results":[{"transaction_id":"X","invoice":"ZM90B92"}]}`,
		"bad time":              strings.Replace(page, `"created_at":"2026-12-03T08:05:23.404874+03:00"`, `"created_at":"today"`, 1),
		"not json":              page[:200],
		"empty":                 `{}`,
	}
	for name, w := range wireMatches[Page[WalletTransaction]](t, bodies) {
		got := w.v
		if strings.HasSuffix(name, "page") && (w.err != nil || len(got.Results) != 2 || got.Results[0].Invoice == nil || got.Results[1].Invoice != nil) {
			t.Errorf("%s: %v, %+v: want two transactions, the first with its invoice", name, w.err, got)
		}
	}
	// Other pages decode as they did.
	var want, got Page[Invoice]
	body := `{"count":1,"results":[` + txBody[strings.Index(txBody, `{"id"`):strings.Index(txBody, `},"currency"`)+1] + `]}`
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	if err := got.unmarshalWire([]byte(body)); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("invoice page: %v\n got %+v\nwant %+v", err, got, want)
	}
}

// BenchmarkTransactionsPageDecode: a page of 100 wallet transactions
// through unmarshalWire against json.Unmarshal through the UnmarshalJSON
// methods (the baseline), per page:
//
//	go test -run '^$' -bench TransactionsPageDecode ./client/
func BenchmarkTransactionsPageDecode(b *testing.B) {
	body := []byte(`{"count":100,"next":null,"previous":null,"results":[` + strings.Repeat(txBody+",", 99) + txBody + `]}`)
	var wire, plain time.Duration
	for _, side := range []struct {
		d      *time.Duration
		decode func(*Page[WalletTransaction]) error
	}{
		{&plain, func(p *Page[WalletTransaction]) error { return json.Unmarshal(body, p) }},
		{&wire, func(p *Page[WalletTransaction]) error { return p.unmarshalWire(body) }},
	} {
		start := time.Now()
		for range b.N {
			var p Page[WalletTransaction]
			if err := side.decode(&p); err != nil || len(p.Results) != 100 {
				b.Fatal(err, len(p.Results))
			}
		}
		*side.d = time.Since(start) / time.Duration(b.N)
	}
	b.ReportMetric(float64(wire.Microseconds()), "µs/page")
	b.ReportMetric(float64(plain.Microseconds()), "baseline-µs/page")
	b.ReportMetric(float64(plain)/float64(wire), "speedup")
}
