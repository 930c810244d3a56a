package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The answer cache must never change an answer: two simulators, same seed
// and clock, one with the cache and one without, are driven through the
// same requests (the hot polls between every kind of state change: a
// handler's, an event's on the clock, the Go API's) and must answer each
// byte for byte alike.

const (
	acSecret = "ISSecretKey_test_5d1f1c7a-2b8e-4f63-9a0d-8c7e6b5a4f31"
	acPub    = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"
)

type acSim struct {
	s     *Server
	clock *ManualClock
}

func newACSim(cached bool) acSim {
	clock := NewManualClock(time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC))
	s := New(Options{Seed: true, Rand: 7, FailureRate: -1, Clock: clock})
	if !cached {
		s.answers.wallets.off, s.answers.payments.off, s.answers.payouts.off = true, true, true
	}
	return acSim{s: s, clock: clock}
}

// acCall is one request: the secret key unless pub, which sends none (the
// public key is then in the body, as the SDKs send it).
func (a acSim) call(method, path, body string, pub bool) (int, string) {
	req := httptest.NewRequest(method, "http://sim.test/api/v1/"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if !pub {
		req.Header.Set("Authorization", "Bearer "+acSecret)
	}
	rec := httptest.NewRecorder()
	a.s.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestAnswerCacheNeverChangesAnAnswer(t *testing.T) {
	on, off := newACSim(true), newACSim(false)
	var invoice, tracking string
	step := 0
	// both sends the same request to both and compares; it returns the
	// cached simulator's answer.
	both := func(method, path, body string, pub bool) string {
		t.Helper()
		step++
		c1, b1 := on.call(method, path, body, pub)
		c2, b2 := off.call(method, path, body, pub)
		if c1 != c2 || b1 != b2 {
			t.Fatalf("step %d %s %s: cached %d %s\nuncached %d %s", step, method, path, c1, b1, c2, b2)
		}
		return b1
	}
	polls := func() {
		t.Helper()
		for range 2 { // the second of each is a cache hit when nothing changed
			both("GET", "wallets/", "", false)
			both("GET", "wallets/?currency=KES", "", false)
			if invoice != "" {
				both("POST", "payment/status/", fmt.Sprintf(`{"invoice_id":%q,"public_key":%q}`, invoice, acPub), true)
				both("POST", "payment/status/", fmt.Sprintf(`{"invoice_id":%q}`, invoice), false)
			}
			if tracking != "" {
				both("POST", "send-money/status/", fmt.Sprintf(`{"tracking_id":%q}`, tracking), false)
			}
			both("POST", "payment/status/", fmt.Sprintf(`{"invoice_id":"NOPE","public_key":%q}`, acPub), true)
			both("POST", "send-money/status/", `{"tracking_id":"nope"}`, false)
		}
	}
	advance := func(d time.Duration) {
		on.clock.Advance(d)
		off.clock.Advance(d)
	}
	polls()
	var stk struct {
		Invoice struct {
			InvoiceID string `json:"invoice_id"`
		} `json:"invoice"`
	}
	acJSON(t, both("POST", "payment/mpesa-stk-push/", `{"phone_number":"254708374149","amount":100,"api_ref":"ac"}`, false), &stk)
	invoice = stk.Invoice.InvoiceID
	polls()
	var batch struct {
		TrackingID string `json:"tracking_id"`
	}
	acJSON(t, both("POST", "send-money/initiate/", `{"provider":"MPESA-B2C","currency":"KES","requires_approval":"YES",`+
		`"transactions":[{"name":"Jane Doe","account":"254708374149","amount":"150","narrative":"Salary"},`+
		`{"name":"John Doe","account":"254708374150","amount":"250","narrative":"Salary"}]}`, false), &batch)
	tracking = batch.TrackingID
	polls()
	// Events on the clock: the payment settles, nothing else moves yet.
	for range 6 {
		advance(time.Second)
		polls()
	}
	var approve struct {
		Nonce string `json:"nonce"`
	}
	acJSON(t, both("POST", "send-money/status/", fmt.Sprintf(`{"tracking_id":%q}`, tracking), false), &approve)
	both("POST", "send-money/approve/", fmt.Sprintf(`{"tracking_id":%q,"nonce":%q}`, tracking, approve.Nonce), false)
	polls()
	for range 12 {
		advance(700 * time.Millisecond)
		polls()
	}
	// The Go API changes state too.
	for _, a := range []acSim{on, off} {
		a.clock.Advance(time.Minute)
		a.s.Advance()
	}
	polls()
}

func acJSON(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
}

// Under -race: hits, misses and state changes from many goroutines, and
// every answer a client gets is one the state had.
func TestAnswerCacheConcurrent(t *testing.T) {
	a := newACSim(true)
	_, body := a.call("POST", "payment/mpesa-stk-push/", `{"phone_number":"254708374149","amount":100}`, false)
	var stk struct {
		Invoice struct {
			InvoiceID string `json:"invoice_id"`
		} `json:"invoice"`
	}
	acJSON(t, body, &stk)
	status := fmt.Sprintf(`{"invoice_id":%q,"public_key":%q}`, stk.Invoice.InvoiceID, acPub)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				if g == 0 && i%20 == 0 {
					a.clock.Advance(time.Second)
				}
				if code, b := a.call("POST", "payment/status/", status, true); code != http.StatusOK {
					t.Errorf("status %d %s", code, b)
					return
				}
				if code, b := a.call("GET", "wallets/", "", false); code != http.StatusOK {
					t.Errorf("wallets %d %s", code, b)
					return
				}
			}
		})
	}
	wg.Wait()
	// Once everything has settled, the cached answer is the fresh one.
	a.clock.Advance(time.Minute)
	_, cached := a.call("POST", "payment/status/", status, true)
	a.s.answers.payments.off = true
	_, fresh := a.call("POST", "payment/status/", status, true)
	if cached != fresh || !strings.Contains(fresh, `"state":"COMPLETE"`) {
		t.Fatalf("cached %s\nfresh %s", cached, fresh)
	}
}
