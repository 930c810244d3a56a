package sim_test

// Shared helpers for sim-A's tests. Every name starts with "a" so the other
// test files of this package can add their own without clashes.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

const (
	aSecret = "ISSecretKey_test_5d1f1c7a-2b8e-4f63-9a0d-8c7e6b5a4f31"
	aPub    = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"
	// aOK always succeeds (IntaSend's sandbox number); aBroke always fails.
	aOK    = "254708374149"
	aBroke = "254700000001"
)

var aStart = time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC) // 09:00 in Nairobi

// aTiming makes every state change land at a known bound: jitter is ±25%,
// so advancing by aStep(d) always passes a step of nominal length d.
var aTiming = sim.Timing{
	STKProcessing: 2 * time.Second,
	STKFinal:      4 * time.Second,
	BatchStep:     time.Second,
	TxStep:        time.Second,
	Chargeback:    20 * time.Second,
	Subscription:  10 * time.Second,
	Generator:     6 * time.Second,
}

func aStep(d time.Duration) time.Duration { return d * 5 / 4 }

// aEnv is a simulator on a manual clock behind a real loopback server.
type aEnv struct {
	t     *testing.T
	sim   *sim.Server
	clock *sim.ManualClock
	url   string // …/api/v1/
}

// aNew starts a simulator; FailureRate 0 means "never fail" here, so
// outcomes are deterministic unless a test asks otherwise.
func aNew(t *testing.T, opts sim.Options) *aEnv {
	t.Helper()
	clock := sim.NewManualClock(aStart)
	if opts.Clock == nil {
		opts.Clock = clock
	}
	if opts.FailureRate == 0 {
		opts.FailureRate = -1
	}
	if opts.Timing == (sim.Timing{}) {
		opts.Timing = aTiming
	}
	s := sim.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &aEnv{t: t, sim: s, clock: clock, url: srv.URL + "/api/v1/"}
}

// aResp is a decoded answer.
type aResp struct {
	status int
	body   any
	raw    string
}

// str follows a dotted path ("invoice.state", "errors.0.attr") to a value
// and renders it as a string ("" when absent; JSON null is "<nil>").
func (r aResp) str(path string) string {
	v := r.get(path)
	switch x := v.(type) {
	case nil:
		if r.has(path) {
			return "<nil>"
		}
		return ""
	case string:
		return x
	case float64:
		b, _ := json.Marshal(x)
		return string(b)
	case bool:
		if x {
			return "true"
		}
		return "false"
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func (r aResp) has(path string) bool {
	_, ok := r.lookup(path)
	return ok
}

func (r aResp) get(path string) any {
	v, _ := r.lookup(path)
	return v
}

func (r aResp) lookup(path string) (any, bool) {
	cur := r.body
	if path == "" {
		return cur, true
	}
	for _, p := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[p]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i := 0
			for _, ch := range p {
				if ch < '0' || ch > '9' {
					return nil, false
				}
				i = i*10 + int(ch-'0')
			}
			if i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// len is the length of the array at path.
func (r aResp) len(path string) int {
	a, _ := r.get(path).([]any)
	return len(a)
}

// aNoAuth as a header value removes the default Bearer.
const aNoAuth = "-"

// call sends one request. body may be nil, a string (sent raw) or any value
// (sent as JSON). hdr pairs override headers; Authorization defaults to the
// test secret key ("-" removes it).
func (e *aEnv) call(method, path string, body any, hdr ...string) aResp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+aSecret)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == aNoAuth {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := aResp{status: res.StatusCode, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			e.t.Fatalf("%s %s: answer is not JSON: %q", method, path, raw)
		}
	}
	return out
}

// want fails unless the answer has the status; it returns r for chaining.
func (r aResp) want(t *testing.T, status int) aResp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
	return r
}

// wantErr checks a validation error names attr with code.
func (r aResp) wantErr(t *testing.T, attr, code string) {
	t.Helper()
	r.want(t, http.StatusBadRequest)
	if r.str("type") != "validation_error" {
		t.Fatalf("type %q, want validation_error; body %s", r.str("type"), r.raw)
	}
	for i := range r.len("errors") {
		p := "errors." + aItoa(i)
		if r.str(p+".attr") == attr && (code == "" || r.str(p+".code") == code) {
			if r.str(p+".detail") == "" {
				t.Fatalf("error for %s has no detail: %s", attr, r.raw)
			}
			return
		}
	}
	t.Fatalf("no %s error for %q in %s", code, attr, r.raw)
}

// fields stops the test unless each path of pairs (path, want, path, want,
// ...) reads want: one named condition per field instead of a chain of ||.
func (r aResp) fields(t *testing.T, what string, pairs ...string) aResp {
	t.Helper()
	conds := make([]testcheck.Cond, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		conds = append(conds, testcheck.C(pairs[i]+" = "+pairs[i+1], r.str(pairs[i]) == pairs[i+1]))
	}
	testcheck.Expect(t, what, r.raw, conds...)
	return r
}

func aItoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// advance moves the clock and lets the simulator run what is due.
func (e *aEnv) advance(d time.Duration) {
	e.clock.Advance(d)
	e.sim.Advance()
}

// aStk pushes an STK request with the Python SDK's body shape.
func (e *aEnv) aStk(phone string, amount any, extra map[string]any) aResp {
	body := map[string]any{"public_key": aPub, "currency": "KES", "method": "M-PESA", "amount": amount,
		"phone_number": phone, "api_ref": "API Request", "name": "Jane Doe", "email": "jane@example.com", "narrative": "Purchase"}
	for k, v := range extra {
		body[k] = v
	}
	return e.call("POST", "payment/mpesa-stk-push/", body, "INTASEND_PUBLIC_API_KEY", aPub)
}

// aCollect pushes an STK request that succeeds and steps the clock until
// the money has cleared; it returns the invoice id.
func (e *aEnv) aCollect(amount any, walletID string) string {
	e.t.Helper()
	extra := map[string]any{}
	if walletID != "" {
		extra["wallet_id"] = walletID
	}
	r := e.aStk(aOK, amount, extra).want(e.t, http.StatusOK)
	e.advance(aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal) + time.Minute)
	id := r.str("invoice.invoice_id")
	if inv, _ := e.sim.Invoice(id); inv.State != "COMPLETE" || inv.ClearingStatus != "AVAILABLE" {
		e.t.Fatalf("invoice %s is %s/%s, want COMPLETE/AVAILABLE", id, inv.State, inv.ClearingStatus)
	}
	return id
}
