package sim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

const cToken = "ctl-token-4b1d"

// cNew is a simulator with the control API and a webhook to rcv.
func cNew(t *testing.T, rcv *wReceiver) *aEnv {
	t.Helper()
	return aNew(t, sim.Options{
		Control: sim.ControlOptions{Token: cToken},
		Webhook: sim.WebhookOptions{URL: rcv.url + "/hook", Challenge: wChallenge},
	})
}

// ctl calls the control API with the token.
func (e *aEnv) ctl(method, path string, body any) aResp {
	e.t.Helper()
	return cCall(e.t, method, strings.TrimSuffix(e.url, "/api/v1/")+"/_sim/"+path, body, "Bearer "+cToken)
}

func cCall(t *testing.T, method, url string, body any, auth string) aResp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := aResp{status: res.StatusCode, raw: string(raw)}
	if err := json.Unmarshal(raw, &out.body); err != nil {
		t.Fatalf("%s %s: not JSON: %q", method, url, raw)
	}
	return out
}

func TestControlAccess(t *testing.T) {
	rcv := wNewReceiver(t)
	on := cNew(t, rcv)
	off := aNew(t, sim.Options{})
	base := func(e *aEnv) string { return strings.TrimSuffix(e.url, "/api/v1/") + "/_sim/" }
	tests := []struct {
		name   string
		env    *aEnv
		auth   string
		status int
		detail string
	}{
		{"no token configured: no control API", off, "Bearer " + cToken, http.StatusNotFound, "Not found."},
		{"no token sent", on, "", http.StatusUnauthorized, "control token"},
		{"wrong token", on, "Bearer nope", http.StatusUnauthorized, "control token"},
		{"an API key is not the token", on, "Bearer " + aSecret, http.StatusUnauthorized, "control token"},
		{"token", on, "Bearer " + cToken, http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cCall(t, "GET", base(tt.env), nil, tt.auth).want(t, tt.status)
			if !strings.Contains(r.str("detail"), tt.detail) {
				t.Errorf("detail %q, want %q", r.str("detail"), tt.detail)
			}
		})
	}
	t.Run("not from loopback", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/_sim/", nil)
		req.RemoteAddr = "192.0.2.7:50000"
		req.Header.Set("Authorization", "Bearer "+cToken)
		w := httptest.NewRecorder()
		on.sim.ServeHTTP(w, req)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "loopback") {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})
	info := on.ctl("GET", "", nil).want(t, http.StatusOK)
	if info.str("clock") != "manual" || info.str("can_advance") != "true" || info.str("webhook.enabled") != "true" {
		t.Errorf("info %s", info.raw)
	}
	if strings.Contains(info.raw, wChallenge) {
		t.Error("the control API shows the challenge")
	}
}

// cRun triggers event, moves the clock to when it has settled, and
// delivers; it returns the trigger's answer.
func (e *aEnv) cRun(body map[string]any) aResp {
	e.t.Helper()
	r := e.ctl("POST", "trigger", body).want(e.t, http.StatusOK)
	settled, err := time.Parse(time.RFC3339Nano, r.str("settled_by"))
	if err != nil {
		e.t.Fatalf("settled_by: %v in %s", err, r.raw)
	}
	if by := settled.Sub(e.sim.Now()); by > 0 {
		e.ctl("POST", "clock/advance", map[string]any{"by": by.String()}).want(e.t, http.StatusOK)
	}
	e.ctl("POST", "webhooks/deliver", nil).want(e.t, http.StatusOK)
	return r
}

func TestControlTriggersEachEvent(t *testing.T) {
	batch := []string{"send_money:BP104", "send_money:BP106", "send_money:BP108", "send_money:BP109", "send_money:BP110", "send_money:BC100"}
	tests := []struct {
		body      map[string]any
		want      []string
		wantCB    []string
		field     string // in the last webhook payload
		wantField string
	}{
		{map[string]any{"event": "collection.complete", "amount": "250"},
			[]string{"collection:PENDING", "collection:PROCESSING", "collection:COMPLETE"}, nil, "net_amount", "242.50"},
		{map[string]any{"event": "collection.failed"},
			[]string{"collection:PENDING", "collection:PROCESSING", "collection:FAILED"}, nil, "failed_code", "1032"},
		{map[string]any{"event": "collection.failed", "account": "254700000004"},
			[]string{"collection:PENDING", "collection:PROCESSING", "collection:FAILED"}, nil, "failed_code", "2001"},
		{map[string]any{"event": "send_money.complete", "amount": "1000", "callback_url": "CB"},
			batch, batch, "transactions.0.status_code", "TS100"},
		{map[string]any{"event": "send_money.failed"}, batch, nil, "transactions.0.status_code", "TF106"},
		{map[string]any{"event": "chargeback.new", "amount": "300"},
			[]string{"collection:COMPLETE", "chargeback:PENDING", "chargeback:COMPLETED"}, nil, "amount", "300.00"},
	}
	for _, tt := range tests {
		name := tt.body["event"].(string)
		if a, ok := tt.body["account"]; ok {
			name += " " + a.(string)
		}
		t.Run(name, func(t *testing.T) {
			rcv := wNewReceiver(t)
			e := cNew(t, rcv)
			if tt.body["callback_url"] != nil {
				tt.body["callback_url"] = rcv.url + "/cb"
			}
			r := e.cRun(tt.body)
			if r.str("event") != tt.body["event"] || !r.has("object") {
				t.Errorf("answer %s", r.raw)
			}
			if got := rcv.states("/hook"); !slices.Equal(got, tt.want) {
				t.Fatalf("webhook got %v, want %v", got, tt.want)
			}
			if got := rcv.states("/cb"); !slices.Equal(got, tt.wantCB) {
				t.Errorf("callback_url got %v, want %v", got, tt.wantCB)
			}
			hits := rcv.got()
			last := hits[len(hits)-1].body
			if got := last.str(tt.field); got != tt.wantField {
				t.Errorf("%s = %q, want %q in %s", tt.field, got, tt.wantField, last.raw)
			}
		})
	}
}

func TestControlDisputeTrigger(t *testing.T) {
	rcv := wNewReceiver(t)
	e := cNew(t, rcv)
	r := e.ctl("POST", "trigger", map[string]any{"event": "chargeback.new"}).want(t, http.StatusOK)
	id := r.str("object.chargeback_id")
	d := e.ctl("POST", "trigger", map[string]any{"event": "chargeback.disputed", "chargeback_id": id}).want(t, http.StatusOK)
	if d.str("object.status") != "DISPUTED" {
		t.Fatalf("answer %s", d.raw)
	}
	e.ctl("POST", "webhooks/deliver", nil).want(t, http.StatusOK)
	want := []string{"collection:COMPLETE", "chargeback:PENDING", "chargeback:DISPUTED"}
	if got := rcv.states("/hook"); !slices.Equal(got, want) {
		t.Fatalf("webhook got %v, want %v", got, want)
	}
	e.ctl("POST", "trigger", map[string]any{"event": "chargeback.disputed", "chargeback_id": id}).want(t, http.StatusBadRequest)
}

func TestControlTriggerErrors(t *testing.T) {
	e := cNew(t, wNewReceiver(t))
	tests := []struct {
		name string
		body any
		has  string
	}{
		{"unknown event", map[string]any{"event": "payment.succeeded"}, "collection.complete"},
		{"no event", map[string]any{}, "Unknown event"},
		{"misspelt field", map[string]any{"event": "collection.complete", "amout": "5"}, "unknown field"},
		{"bad amount", map[string]any{"event": "collection.complete", "amount": "abc"}, "amount"},
		{"negative payout", map[string]any{"event": "send_money.complete", "amount": "-5"}, "amount"},
		{"no such invoice", map[string]any{"event": "chargeback.new", "invoice_id": "NOPE"}, "does_not_exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.ctl("POST", "trigger", tt.body).want(t, http.StatusBadRequest)
			if !strings.Contains(r.raw, tt.has) {
				t.Errorf("answer %s, want %q in it", r.raw, tt.has)
			}
		})
	}
}

func TestControlAdvancesTheClock(t *testing.T) {
	e := cNew(t, wNewReceiver(t))
	tests := []struct {
		body   map[string]any
		status int
		moved  time.Duration
	}{
		{map[string]any{"by": "5m"}, http.StatusOK, 5 * time.Minute},
		{map[string]any{"seconds": 90}, http.StatusOK, 90 * time.Second},
		{map[string]any{"by": "-5m"}, http.StatusBadRequest, 0},
		{map[string]any{"by": "soon"}, http.StatusBadRequest, 0},
		{map[string]any{"by": "5m", "seconds": 5}, http.StatusBadRequest, 0},
		{map[string]any{"seconds": 400 * 24 * 3600}, http.StatusBadRequest, 0},
		{map[string]any{}, http.StatusBadRequest, 0},
	}
	for _, tt := range tests {
		before := e.sim.Now()
		r := e.ctl("POST", "clock/advance", tt.body).want(t, tt.status)
		if got := e.sim.Now().Sub(before); got != tt.moved {
			t.Errorf("%v moved the clock %v, want %v (%s)", tt.body, got, tt.moved, r.raw)
		}
	}
	// An STK push settles when the control API moves the clock.
	id := e.aStk(aOK, "10", nil).want(t, http.StatusOK).str("invoice.invoice_id")
	e.ctl("POST", "clock/advance", map[string]any{"by": "10s"}).want(t, http.StatusOK)
	if inv, _ := e.sim.Invoice(id); inv.State != "COMPLETE" {
		t.Errorf("invoice %s after advancing", inv.State)
	}

	realSim := sim.New(sim.Options{Control: sim.ControlOptions{Token: cToken}})
	srv := httptest.NewServer(realSim)
	defer srv.Close()
	cCall(t, "POST", srv.URL+"/_sim/clock/advance", map[string]any{"by": "1m"}, "Bearer "+cToken).want(t, http.StatusConflict)

	off := sim.NewOffsetClock()
	offSim := sim.New(sim.Options{Clock: off, Control: sim.ControlOptions{Token: cToken}})
	srv2 := httptest.NewServer(offSim)
	defer srv2.Close()
	cCall(t, "POST", srv2.URL+"/_sim/clock/advance", map[string]any{"by": "48h"}, "Bearer "+cToken).want(t, http.StatusOK)
	if ahead := time.Until(offSim.Now()); ahead < 47*time.Hour {
		t.Errorf("offset clock is %v ahead, want 48h", ahead)
	}
}

func TestControlWebhookLogCountersAndEnable(t *testing.T) {
	rcv := wNewReceiver(t, http.StatusInternalServerError)
	e := cNew(t, rcv)
	for range 4 {
		e.wInitiate("YES", "")
	}
	d := e.ctl("POST", "webhooks/deliver", nil).want(t, http.StatusOK)
	d.fields(t, "deliver answer", "attempted", "4", "deliveries.0.attempts.0.status_code", "500",
		"deliveries.0.next_attempt", "2026-03-02T06:05:00Z", "deliveries.0.status", "pending")
	testcheck.Check(t, "delivery log", d.raw, testcheck.C("challenge not shown", !strings.Contains(d.raw, wChallenge)))
	e.ctl("GET", "counters", nil).want(t, http.StatusOK).fields(t, "counters",
		"webhook_deliveries.pending", "4", "initiated", "4", "requests.POST send-money/initiate/", "4")
	for range 6 {
		e.ctl("POST", "clock/advance", map[string]any{"by": "24h"}).want(t, http.StatusOK)
		e.ctl("POST", "webhooks/deliver", nil).want(t, http.StatusOK)
	}
	e.ctl("GET", "webhooks", nil).want(t, http.StatusOK).fields(t, "webhooks", "webhook.enabled", "false",
		"webhook.consecutive_failures", "20", "retry_delays", `["5m0s","20m0s","1h20m0s","5h20m0s","21h20m0s"]`)
	e.ctl("POST", "webhooks/enable", nil).want(t, http.StatusOK).fields(t, "enable answer",
		"webhook.enabled", "true", "webhook.consecutive_failures", "0")
}
