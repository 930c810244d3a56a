package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/testcheck"
)

const (
	testPub    = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"
	testSecret = "ISSecretKey_test_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181"
)

// tinyServer answers every request with the next of answers (the last one
// repeats) and counts requests.
type tinyServer struct {
	*httptest.Server
	hits atomic.Int32
}

type answer struct {
	status int
	body   string
	header map[string]string
}

func newTinyServer(t *testing.T, answers ...answer) *tinyServer {
	t.Helper()
	ts := &tinyServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(ts.hits.Add(1)) - 1
		a := answers[min(n, len(answers)-1)]
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(ts.Close)
	return ts
}

func tinyClient(t *testing.T, url string, p client.RetryPolicy) *client.Client {
	t.Helper()
	c, err := client.New(testPub, testSecret, client.WithBaseURL(url), client.WithRetry(p))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var fastRetry = client.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}

func TestAPIErrorShapes(t *testing.T) {
	tests := []struct {
		name                     string
		status                   int
		body                     string
		wantType, wantDetail     string
		wantAttr, wantCode       string
		unauthorized, notFound   bool
		retryable, ambiguousResp bool
	}{
		{"drf detail", 401, `{"detail": "Authentication credentials were not provided."}`, "", "Authentication credentials were not provided.", "", "", true, false, false, false},
		{"plural details", 400, `{"details": "Device id not found"}`, "", "Device id not found", "", "", false, false, false, false},
		{"standardized", 400, `{"type":"validation_error","errors":[{"code":"invalid","detail":"Enter a valid phone number.","attr":"phone_number"},{"code":"required","detail":"This field is required.","attr":"amount"}]}`,
			"validation_error", "Enter a valid phone number.", "phone_number", "invalid", false, false, false, false},
		{"old field map", 400, `{"errors":{"label":["This field is required."]}}`, "", "This field is required.", "label", "invalid", false, false, false, false},
		{"detail list", 403, `{"detail":["You do not have permission."]}`, "", "You do not have permission.", "", "", true, false, false, false},
		{"not found", 404, `{"detail":"Not found."}`, "", "Not found.", "", "", false, true, false, false},
		{"html 502", 502, `<html>Bad gateway</html>`, "", "", "", "", false, false, true, true},
		{"throttled", 429, `{"detail":"Request was throttled."}`, "", "Request was throttled.", "", "", false, false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTinyServer(t, answer{status: tt.status, body: tt.body})
			c := tinyClient(t, ts.URL, client.RetryPolicy{MaxAttempts: 1})
			_, err := c.GetWallet(context.Background(), "ABC1234")
			var ae *client.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			testcheck.Expect(t, "APIError", fmt.Sprintf("status %d type %q detail %q attr %q code %q", ae.Status, ae.Type, ae.Detail, ae.Attr(), ae.Code()),
				testcheck.C(fmt.Sprint("status ", tt.status), ae.Status == tt.status), testcheck.C("type "+tt.wantType, ae.Type == tt.wantType),
				testcheck.C("detail "+tt.wantDetail, ae.Detail == tt.wantDetail), testcheck.C("attr "+tt.wantAttr, ae.Attr() == tt.wantAttr),
				testcheck.C("code "+tt.wantCode, ae.Code() == tt.wantCode))
			testcheck.Expect(t, "classification", fmt.Sprintf("unauthorized %v notfound %v retryable %v ambiguous %v",
				client.IsUnauthorized(err), client.IsNotFound(err), client.IsRetryable(err), client.IsAmbiguous(err)),
				testcheck.C("unauthorized as listed", client.IsUnauthorized(err) == tt.unauthorized), testcheck.C("not found as listed", client.IsNotFound(err) == tt.notFound),
				testcheck.C("retryable as listed", client.IsRetryable(err) == tt.retryable), testcheck.C("ambiguous as listed", client.IsAmbiguous(err) == tt.ambiguousResp))
			testcheck.Expect(t, "request", fmt.Sprintf("path %q method %q", ae.Path, ae.Method),
				testcheck.C("path wallets/ABC1234/", ae.Path == "wallets/ABC1234/"), testcheck.C("method GET", ae.Method == "GET"))
			testcheck.Expect(t, "Message()", ae.Message(), testcheck.C("the field first", tt.wantAttr == "" || strings.HasPrefix(ae.Message(), tt.wantAttr+": ")))
			testcheck.Expect(t, "error", "(not shown)", testcheck.C("no secret key in it", !strings.Contains(err.Error(), testSecret)))
		})
	}
}

func TestRetryReadsWithBackoff(t *testing.T) {
	ts := newTinyServer(t,
		answer{status: 503, body: `{"detail":"maintenance"}`},
		answer{status: 502, body: `bad gateway`},
		answer{status: 200, body: `{"wallet_id":"ABC1234","label":"default","current_balance":"10.00"}`})
	c := tinyClient(t, ts.URL, fastRetry)
	w, err := c.GetWallet(context.Background(), "ABC1234")
	if err != nil {
		t.Fatal(err)
	}
	if w.ID != "ABC1234" || w.CurrentBalance != client.Units(10) || ts.hits.Load() != 3 {
		t.Fatalf("wallet %+v after %d requests, want the third answer", w, ts.hits.Load())
	}
}

func TestRetryGivesUp(t *testing.T) {
	ts := newTinyServer(t, answer{status: 503, body: `{"detail":"maintenance"}`})
	c := tinyClient(t, ts.URL, fastRetry)
	_, err := c.ListWallets(context.Background(), 1)
	if !client.IsRetryable(err) || ts.hits.Load() != 4 {
		t.Fatalf("err %v after %d requests; want 4 attempts then the 503", err, ts.hits.Load())
	}
	// A 4xx is final at once.
	ts4 := newTinyServer(t, answer{status: 400, body: `{"detail":"bad"}`})
	_, err = tinyClient(t, ts4.URL, fastRetry).ListWallets(context.Background(), 1)
	if err == nil || ts4.hits.Load() != 1 {
		t.Fatalf("400 was retried: %d requests", ts4.hits.Load())
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	ts := newTinyServer(t,
		answer{status: 429, body: `{"detail":"Request was throttled."}`, header: map[string]string{"Retry-After": "1"}},
		answer{status: 200, body: `{"invoice":{"invoice_id":"NR5XKGY","state":"COMPLETE"}}`})
	c := tinyClient(t, ts.URL, client.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 3 * time.Second})
	start := time.Now()
	st, err := c.PaymentStatus(context.Background(), "NR5XKGY")
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Fatalf("retried after %v; Retry-After asked for 1 s", took)
	}
	if st.Invoice.State != client.InvoiceComplete || ts.hits.Load() != 2 {
		t.Fatalf("state %q after %d requests", st.Invoice.State, ts.hits.Load())
	}
}

func TestRetryStopsOnContext(t *testing.T) {
	ts := newTinyServer(t, answer{status: 503, body: `{}`, header: map[string]string{"Retry-After": "5"}})
	c := tinyClient(t, ts.URL, client.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.GetWallet(ctx, "X1"); err == nil {
		t.Fatal("want an error")
	}
	if time.Since(start) > 2*time.Second || ts.hits.Load() != 1 {
		t.Fatalf("did not stop on the context: %v, %d requests", time.Since(start), ts.hits.Load())
	}
}

// Money-moving calls are sent once, whatever the answer.
func TestMoneyMovingCallsNotRetried(t *testing.T) {
	batch := `{"tracking_id":"c1acf08c-5cc1-4b3e-b4a8-e43bc068aa56","nonce":"1aiw02","status_code":"BP103"}`
	calls := []struct {
		name string
		run  func(c *client.Client) error
	}{
		{"initiate", func(c *client.Client) error {
			_, err := c.InitiatePayout(context.Background(), client.InitiateRequest{Provider: client.MPesaB2C,
				Transactions: []client.PayoutItem{{Name: "Jane", Account: "254712345678", Amount: client.Units(10)}}})
			return err
		}},
		{"approve", func(c *client.Client) error {
			var b client.Batch
			if err := b.UnmarshalJSON([]byte(batch)); err != nil {
				return err
			}
			_, err := c.ApprovePayout(context.Background(), &b)
			return err
		}},
		{"stk push", func(c *client.Client) error {
			_, err := c.STKPush(context.Background(), client.STKPushRequest{Phone: "0712345678", Amount: client.Units(10)})
			return err
		}},
		{"intra transfer", func(c *client.Client) error {
			_, err := c.IntraTransfer(context.Background(), "AAA1111", client.IntraTransferRequest{ToWalletID: "BBB2222", Amount: client.Units(1), Narrative: "x"})
			return err
		}},
		{"refund", func(c *client.Client) error {
			_, err := c.CreateRefund(context.Background(), client.RefundRequest{InvoiceID: "NR5XKGY", Amount: client.Units(1)})
			return err
		}},
		{"checkout", func(c *client.Client) error {
			_, err := c.Checkout(context.Background(), client.CheckoutRequest{Amount: client.Units(1)})
			return err
		}},
		{"cancel", func(c *client.Client) error {
			_, err := c.CancelPayout(context.Background(), "0VZ4MOK")
			return err
		}},
	}
	for _, cl := range calls {
		t.Run(cl.name, func(t *testing.T) {
			ts := newTinyServer(t, answer{status: 503, body: `{"detail":"maintenance"}`})
			err := cl.run(tinyClient(t, ts.URL, fastRetry))
			if !client.IsAmbiguous(err) {
				t.Fatalf("err = %v, want an ambiguous 503", err)
			}
			if n := ts.hits.Load(); n != 1 {
				t.Fatalf("%d requests; a money-moving call must be sent once", n)
			}
		})
	}
}

func TestTransportErrorIsAmbiguous(t *testing.T) {
	// A server that accepts the request and hangs up without answering.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj, ok := w.(http.Hijacker)
		if !ok {
			t.Error("no hijacker")
			return
		}
		conn, _, _ := hj.Hijack()
		conn.Close()
	}))
	defer ts.Close()
	c := tinyClient(t, ts.URL, client.RetryPolicy{MaxAttempts: 1})
	_, err := c.InitiatePayout(context.Background(), client.InitiateRequest{Provider: client.MPesaB2C,
		Transactions: []client.PayoutItem{{Account: "254712345678", Amount: client.Units(1)}}})
	var te *client.TransportError
	if !errors.As(err, &te) || !te.Sent || !client.IsAmbiguous(err) || !client.IsRetryable(err) {
		t.Fatalf("err = %#v; want a sent, ambiguous TransportError", err)
	}
	// Nothing listening: not sent, so not ambiguous.
	ts.Close()
	_, err = c.InitiatePayout(context.Background(), client.InitiateRequest{Provider: client.MPesaB2C,
		Transactions: []client.PayoutItem{{Account: "254712345678", Amount: client.Units(1)}}})
	if !errors.As(err, &te) || te.Sent || client.IsAmbiguous(err) {
		t.Fatalf("err = %#v; want an unsent TransportError", err)
	}
}

func TestClientSideValidation(t *testing.T) {
	ts := newTinyServer(t, answer{status: 200, body: `{}`})
	c := tinyClient(t, ts.URL, fastRetry)
	ctx := context.Background()
	checks := []struct {
		name string
		err  error
	}{
		{"stk bad phone", func() error {
			_, err := c.STKPush(ctx, client.STKPushRequest{Phone: "0201234567", Amount: client.Units(1)})
			return err
		}()},
		{"stk zero amount", func() error {
			_, err := c.STKPush(ctx, client.STKPushRequest{Phone: "0712345678"})
			return err
		}()},
		{"unknown provider", func() error {
			_, err := c.InitiatePayout(ctx, client.InitiateRequest{Provider: "BANK", Transactions: []client.PayoutItem{{}}})
			return err
		}()},
		{"empty batch", func() error {
			_, err := c.InitiatePayout(ctx, client.InitiateRequest{Provider: client.PesaLink})
			return err
		}()},
		{"empty wallet id", func() error { _, err := c.GetWallet(ctx, ""); return err }()},
		{"dot-dot wallet id", func() error { _, err := c.GetWallet(ctx, ".."); return err }()},
		{"approve without nonce", func() error {
			_, err := c.ApprovePayout(ctx, &client.Batch{TrackingID: "t"})
			return err
		}()},
	}
	for _, ch := range checks {
		if ch.err == nil {
			t.Errorf("%s: accepted", ch.name)
		}
	}
	if n := ts.hits.Load(); n != 0 {
		t.Fatalf("%d requests reached the server; client-side checks should stop them", n)
	}
}

func TestPublishableOnlyClient(t *testing.T) {
	ts := newTinyServer(t, answer{status: 200, body: `[{"bank_name":"KCB","bank_code":1},{"bank_name":"NCBA","bank_code":"7"}]`})
	c, err := client.New("", testSecret, client.WithBaseURL(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	banks, err := c.BankCodes(context.Background())
	if err != nil || len(banks) != 2 || banks[0].Code != "1" || banks[1].Name != "NCBA" {
		t.Fatalf("BankCodes = %+v, %v", banks, err)
	}
	if _, err := c.PaymentStatus(context.Background(), "NR5XKGY"); err == nil || !strings.Contains(err.Error(), "publishable key") {
		t.Fatalf("PaymentStatus without a publishable key: %v", err)
	}
	p, _ := client.New(testPub, "", client.WithBaseURL(ts.URL))
	if _, err := p.ListWallets(context.Background(), 1); err == nil || !strings.Contains(err.Error(), "secret key") {
		t.Fatalf("ListWallets without a secret key: %v", err)
	}
}

// The old {"errors": {field: [..]}} shape names the same field every time.
func TestAPIErrorFieldMapIsStable(t *testing.T) {
	ts := newTinyServer(t, answer{status: 400, body: `{"errors":{"zeta":["z"],"amount":["a"],"label":["l"]}}`})
	c := tinyClient(t, ts.URL, client.RetryPolicy{MaxAttempts: 1})
	for range 20 {
		_, err := c.ListWallets(context.Background(), 1)
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Attr() != "amount" || ae.Detail != "a" || len(ae.Errors) != 3 {
			t.Fatalf("got %+v", ae)
		}
	}
}
