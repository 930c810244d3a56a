package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
)

func TestParseFaults(t *testing.T) {
	tests := []struct {
		spec   string
		want   []Fault
		errHas string
	}{
		{spec: "", want: nil},
		{spec: "approve:drop-after=0.2,initiate:5xx=0.1,*:latency=50ms,*:429=0.05", want: []Fault{
			{Route: "approve", Kind: DropAfter, Rate: 0.2},
			{Route: "initiate", Kind: ServerError, Rate: 0.1},
			{Route: "*", Kind: Latency, Latency: 50 * time.Millisecond},
			{Route: "*", Kind: TooMany, Rate: 0.05},
		}},
		{spec: "initiate:5xx=10%/503, send-money/status:timeout=2s/0.5 ,*:429=2s", want: []Fault{
			{Route: "initiate", Kind: ServerError, Rate: 0.1, Status: 503},
			{Route: "send-money/status", Kind: Timeout, Latency: 2 * time.Second, Rate: 0.5},
			{Route: "*", Kind: TooMany, RetryAfter: 2 * time.Second},
		}},
		{spec: "POST send-money/approve/:drop,wallets:error,*:throttle=1", want: []Fault{
			{Route: "POST send-money/approve/", Kind: DropBefore},
			{Route: "wallets", Kind: ServerError},
			{Route: "*", Kind: TooMany, Rate: 1},
		}},
		{spec: "approve", errHas: "ROUTE:KIND"},
		{spec: "approve:explode=0.1", errHas: "unknown kind"},
		{spec: "*:latency", errHas: "needs a duration"},
		{spec: "*:latency=0.5", errHas: "needs a duration"},
		{spec: "*:5xx=1.5", errHas: "bad argument"},
		{spec: "*:5xx=150%", errHas: "bad rate"},
		{spec: "*:5xx=0", errHas: "never fires"},
		{spec: "*:5xx=0%", errHas: "never fires"},
		{spec: "*:5xx=404", errHas: "500..599"},
		{spec: "*:429=503", errHas: "only 5xx"},
		{spec: "*:drop-after=2s", errHas: "no duration"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseFaults(tt.spec)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("err %v, want %q", err, tt.errHas)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v err %v, want %+v", got, err, tt.want)
			}
		})
	}
}

// send posts body to path and returns the response or the transport error.
func (e *payEnv) send(hc *http.Client, path, body string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testSecretKey)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

const okInitiate = `{"provider":"MPESA-B2C","currency":"KES","transactions":[{"account":"254712345678","amount":"100"}]}`

func TestFaultKinds(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
		check func(t *testing.T, resp *http.Response, body []byte, err error, elapsed time.Duration, c Counters)
	}{
		{"latency", Fault{Route: "initiate", Kind: Latency, Latency: 60 * time.Millisecond},
			func(t *testing.T, resp *http.Response, _ []byte, err error, elapsed time.Duration, c Counters) {
				if err != nil || resp.StatusCode != 200 || elapsed < 60*time.Millisecond || c.Initiated != 1 {
					t.Errorf("err %v elapsed %v initiated %d", err, elapsed, c.Initiated)
				}
			}},
		{"5xx default", Fault{Route: "initiate", Kind: ServerError},
			func(t *testing.T, resp *http.Response, body []byte, err error, _ time.Duration, c Counters) {
				var b errBody
				if err != nil || resp.StatusCode != 500 || json.Unmarshal(body, &b) != nil || b.Type != "server_error" || c.Initiated != 0 {
					t.Errorf("err %v body %s initiated %d", err, body, c.Initiated)
				}
			}},
		{"503", Fault{Route: "initiate", Kind: ServerError, Status: 503},
			func(t *testing.T, resp *http.Response, body []byte, err error, _ time.Duration, c Counters) {
				if err != nil || resp.StatusCode != 503 || c.Initiated != 0 {
					t.Errorf("err %v body %s", err, body)
				}
			}},
		{"429", Fault{Route: "initiate", Kind: TooMany, RetryAfter: 1500 * time.Millisecond},
			func(t *testing.T, resp *http.Response, body []byte, err error, _ time.Duration, c Counters) {
				var b errBody
				if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" ||
					json.Unmarshal(body, &b) != nil || b.Errors[0].Code != "throttled" || c.Initiated != 0 {
					t.Errorf("err %v Retry-After %q body %s", err, resp.Header.Get("Retry-After"), body)
				}
			}},
		{"drop-before", Fault{Route: "initiate", Kind: DropBefore},
			func(t *testing.T, _ *http.Response, _ []byte, err error, _ time.Duration, c Counters) {
				if err == nil || c.Initiated != 0 {
					t.Errorf("err %v initiated %d: nothing may happen", err, c.Initiated)
				}
			}},
		{"drop-after", Fault{Route: "initiate", Kind: DropAfter},
			func(t *testing.T, _ *http.Response, _ []byte, err error, _ time.Duration, c Counters) {
				if err == nil || c.Initiated != 1 {
					t.Errorf("err %v initiated %d: processed, answer lost", err, c.Initiated)
				}
			}},
		{"timeout beyond the client's", Fault{Route: "initiate", Kind: Timeout, Latency: 10 * time.Second},
			func(t *testing.T, _ *http.Response, _ []byte, err error, elapsed time.Duration, c Counters) {
				if err == nil || elapsed > 5*time.Second || c.Initiated != 1 {
					t.Errorf("err %v elapsed %v initiated %d", err, elapsed, c.Initiated)
				}
			}},
		{"slow answer within the client's timeout", Fault{Route: "initiate", Kind: Timeout, Latency: 50 * time.Millisecond},
			func(t *testing.T, resp *http.Response, body []byte, err error, elapsed time.Duration, c Counters) {
				var b batchJSON
				if err != nil || resp.StatusCode != 200 || json.Unmarshal(body, &b) != nil || b.StatusCode != "BP103" || elapsed < 50*time.Millisecond {
					t.Errorf("err %v elapsed %v body %s", err, elapsed, body)
				}
			}},
		{"other routes untouched", Fault{Route: "approve", Kind: DropBefore},
			func(t *testing.T, resp *http.Response, _ []byte, err error, _ time.Duration, c Counters) {
				if err != nil || resp.StatusCode != 200 || c.Initiated != 1 || len(c.Faults) != 0 {
					t.Errorf("err %v counters %+v", err, c)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newPayEnv(t, Options{Faults: []Fault{tt.fault}}, 0)
			// A short client timeout only where it is what is tested (the
			// server stalls far beyond it); elsewhere a generous one, so a
			// loaded machine is not mistaken for a fault.
			hc := &http.Client{Timeout: 10 * time.Second}
			if tt.fault.Kind == Timeout && tt.fault.Latency >= 10*time.Second {
				hc.Timeout = 500 * time.Millisecond
			}
			t.Cleanup(hc.CloseIdleConnections)
			start := time.Now()
			resp, body, err := e.send(hc, "send-money/initiate/", okInitiate)
			elapsed := time.Since(start)
			c := e.s.Counters()
			tt.check(t, resp, body, err, elapsed, c)
			if tt.fault.Route == "initiate" && c.Faults[tt.fault.Kind.String()] != 1 {
				t.Errorf("Faults = %v", c.Faults)
			}
			if c.Requests["POST send-money/initiate/"] != 1 {
				t.Errorf("Requests = %v", c.Requests)
			}
		})
	}
}

// The ambiguous case end to end: the approval happened, the client never
// heard; asking for the status shows it, and a blind retry is refused.
func TestDropAfterApprove(t *testing.T) {
	e := newPayEnv(t, Options{}, client.Units(1000))
	b, raw := e.batchOK("send-money/initiate/", okInitiate)
	e.s.SetFaults([]Fault{{Route: "approve", Kind: DropAfter}})
	if _, _, err := e.send(e.hc, "send-money/approve/", string(raw)); err == nil {
		t.Fatal("approve answered despite drop-after")
	}
	if st := e.status(b.TrackingID); st.StatusCode != "BP104" {
		t.Fatalf("status after the dropped approve: %s", st.StatusCode)
	}
	e.s.SetFaults(nil)
	status, body := e.do("send-money/approve/", string(raw))
	e.wantErr(400, body, status, "", "already_approved")
	e.clock.Advance(10 * DefaultTiming.BatchStep)
	if cur, _ := e.balances(e.settlement().ID); cur != client.Units(1000-110) {
		t.Errorf("balance %s: paid once?", cur)
	}
	c := e.s.Counters()
	if c.Approved[b.TrackingID] != 1 || c.Faults["drop-after"] != 1 || c.ApprovalsRefused != 1 {
		t.Errorf("counters %+v", c)
	}
}

func TestFaultRate(t *testing.T) {
	e := newPayEnv(t, Options{Rand: 99}, 0)
	b, _ := e.batchOK("send-money/initiate/", okInitiate)
	e.s.SetFaults([]Fault{{Route: "send-money/status", Kind: ServerError, Rate: 0.3}})
	errs := 0
	for range 300 {
		resp, _, err := e.send(e.hc, "send-money/status/", fmt.Sprintf(`{"tracking_id":%q}`, b.TrackingID))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == 500 {
			errs++
		} else if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if errs < 60 || errs > 120 {
		t.Errorf("%d of 300 failed at rate 0.3", errs)
	}
	if c := e.s.Counters(); c.Faults["5xx"] != errs || c.Requests["POST send-money/status/"] != 300 {
		t.Errorf("Faults %v Requests %v", c.Faults, c.Requests)
	}
}
