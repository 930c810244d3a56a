package client_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/malipo/malipo/client"
)

// recorded is one request as the server saw it.
type recorded struct {
	method, path, query, auth, pubHeader string
	body                                 map[string]any
}

// recorder answers 200 {answer} and keeps every request.
func recorder(t *testing.T, answer string) (*httptest.Server, func() []recorded) {
	var mu sync.Mutex
	var got []recorded
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec := recorded{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery,
			auth: r.Header.Get("Authorization"), pubHeader: r.Header.Get("X-IntaSend-Public-API-Key")}
		if len(b) > 0 {
			if err := json.Unmarshal(b, &rec.body); err != nil {
				t.Errorf("%s %s: body is not a JSON object: %s", r.Method, r.URL.Path, b)
			}
		}
		mu.Lock()
		got = append(got, rec)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(ts.Close)
	return ts, func() []recorded { mu.Lock(); defer mu.Unlock(); return append([]recorded(nil), got...) }
}

// TestWireFormat checks what goes over the wire for the calls whose shape
// the contract pins: paths, Bearer or not, public_key in the body, amounts
// as decimal strings, requires_approval YES/NO.
func TestWireFormat(t *testing.T) {
	ts, requests := recorder(t, `{"tracking_id":"t-1","nonce":"1aiw02","status_code":"BP103","device_id":1}`)
	c := tinyClient(t, ts.URL, fastRetry)
	ctx := context.Background()
	_, _ = c.Checkout(ctx, client.CheckoutRequest{Amount: client.MustAmount("10.5"), Email: "a@b.co"})
	_, _ = c.PaymentStatus(ctx, "NR5XKGY")
	_, _ = c.STKPush(ctx, client.STKPushRequest{Phone: "+254 712 345 678", Amount: client.Units(38), APIRef: "order-1"})
	b, _ := c.InitiatePayout(ctx, client.InitiateRequest{Provider: client.MPesaB2C,
		Transactions: []client.PayoutItem{{Name: "Jane Doe", Account: "254712345678", Amount: client.Units(38), Narrative: "salary"}}})
	_, _ = c.InitiatePayout(ctx, client.InitiateRequest{Provider: client.Airtime, SkipApproval: true,
		Transactions: []client.PayoutItem{{Account: "254712345678", Amount: client.Units(5)}}})
	_, _ = c.ApprovePayout(ctx, b)
	_, _ = c.Transactions(ctx, client.TransactionFilter{TransType: "SALE", StartDate: "2025-01-01", Page: 2})
	_, _ = c.CreateWallet(ctx, client.CreateWalletRequest{Label: "ops", CanDisburse: true})
	_, _ = c.IntraTransfer(ctx, "AAA1111", client.IntraTransferRequest{ToWalletID: "BBB2222", Amount: client.Units(7), Narrative: "float"})
	_, _ = c.CreateRefund(ctx, client.RefundRequest{InvoiceID: "NR5XKGY", Amount: client.Units(3), Reason: client.ReasonDuplicate})
	_, _ = c.BankCodes(ctx)

	got := requests()
	if len(got) != 11 {
		t.Fatalf("%d requests, want 11", len(got))
	}
	want := []struct {
		method, path, query string
		bearer              bool
		fields              map[string]any
	}{
		{"POST", "/api/v1/checkout/", "", false, map[string]any{"public_key": testPub, "amount": "10.50", "currency": "KES", "email": "a@b.co"}},
		{"POST", "/api/v1/payment/status/", "", false, map[string]any{"public_key": testPub, "invoice_id": "NR5XKGY"}},
		{"POST", "/api/v1/payment/mpesa-stk-push/", "", true, map[string]any{"phone_number": "254712345678", "amount": "38.00", "api_ref": "order-1", "method": "M-PESA", "currency": "KES"}},
		{"POST", "/api/v1/send-money/initiate/", "", true, map[string]any{"provider": "MPESA-B2C", "requires_approval": "YES", "currency": "KES"}},
		{"POST", "/api/v1/send-money/initiate/", "", true, map[string]any{"provider": "AIRTIME", "requires_approval": "NO"}},
		{"POST", "/api/v1/send-money/approve/", "", true, map[string]any{"tracking_id": "t-1", "nonce": "1aiw02", "status_code": "BP103", "device_id": float64(1)}},
		{"GET", "/api/v1/transactions/", "page=2&start_date=2025-01-01&trans_type=SALE", true, nil},
		{"POST", "/api/v1/wallets/", "", true, map[string]any{"wallet_type": "WORKING", "label": "ops", "can_disburse": true, "currency": "KES"}},
		{"POST", "/api/v1/wallets/AAA1111/intra_transfer/", "", true, map[string]any{"wallet_id": "BBB2222", "amount": "7.00", "narrative": "float"}},
		{"POST", "/api/v1/chargebacks/", "", true, map[string]any{"invoice": "NR5XKGY", "amount": "3.00", "reason": "Duplicate payment"}},
		{"GET", "/api/v1/send-money/bank-codes/ke/", "", false, nil},
	}
	for i, w := range want {
		g := got[i]
		if g.method != w.method || g.path != w.path || g.query != w.query {
			t.Errorf("request %d: %s %s?%s, want %s %s?%s", i, g.method, g.path, g.query, w.method, w.path, w.query)
		}
		if (g.auth == "Bearer "+testSecret) != w.bearer || (!w.bearer && g.auth != "") {
			t.Errorf("%s: Authorization %q, want bearer=%v", w.path, client.MaskKey(g.auth), w.bearer)
		}
		if g.pubHeader != testPub {
			t.Errorf("%s: public key header %q", w.path, g.pubHeader)
		}
		for k, v := range w.fields {
			if g.body[k] != v {
				t.Errorf("%s: body[%q] = %#v, want %#v", w.path, k, g.body[k], v)
			}
		}
	}
	items, _ := got[3].body["transactions"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["amount"] != "38.00" || items[0].(map[string]any)["account"] != "254712345678" {
		t.Errorf("initiate transactions = %#v", got[3].body["transactions"])
	}
}

// TestApproveSignsNonce: with a device key the nonce is replaced by its
// signature and everything else is echoed back.
func TestApproveSignsNonce(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ts, requests := recorder(t, `{"tracking_id":"t-1","status_code":"BP104"}`)
	c, err := client.New(testPub, testSecret, client.WithBaseURL(ts.URL), client.WithSigner(client.NewRSASigner(key)))
	if err != nil || !c.HasSigner() {
		t.Fatal(err)
	}
	var b client.Batch
	if err := json.Unmarshal([]byte(`{"tracking_id":"t-1","nonce":"1aiw02","device_id":"7","wallet":{"wallet_id":"W1"},"transactions":[{"account":254723890353,"amount":10}]}`), &b); err != nil {
		t.Fatal(err)
	}
	if b.DeviceID != "7" || b.Transactions[0].Account != "254723890353" || b.Transactions[0].Amount != client.Units(10) {
		t.Fatalf("decoded %+v", b)
	}
	out, err := c.ApprovePayout(context.Background(), &b)
	if err != nil || out.StatusCode != client.BatchQueued {
		t.Fatalf("approve = %+v, %v", out, err)
	}
	body := requests()[0].body
	sig, _ := body["nonce"].(string)
	if err := client.VerifyNonce(&key.PublicKey, "1aiw02", sig); err != nil {
		t.Fatalf("nonce sent is not the signature: %v", err)
	}
	if body["tracking_id"] != "t-1" || body["device_id"] != "7" || body["wallet"].(map[string]any)["wallet_id"] != "W1" {
		t.Fatalf("the initiate response was not echoed: %#v", body)
	}
	if tx := body["transactions"].([]any)[0].(map[string]any); tx["account"] != float64(254723890353) {
		t.Fatalf("transactions were not echoed unchanged: %#v", tx)
	}
}
