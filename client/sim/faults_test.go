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
	"github.com/malipo/malipo/internal/testcheck"
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

// faultOutcome is what one initiate call under a fault came to; status and
// header are zero when the transport failed, so conditions on them can be
// evaluated before knowing whether there was an answer.
type faultOutcome struct {
	status  int
	header  http.Header
	body    []byte
	err     error
	elapsed time.Duration
	c       Counters
}

// errCode is the first error code of an error body, "" when it has none or
// is not one.
func (o faultOutcome) errCode() string {
	var b errBody
	if json.Unmarshal(o.body, &b) != nil || len(b.Errors) == 0 {
		return ""
	}
	return b.Errors[0].Code
}

// errType is the error body's type, "" when the body is not one.
func (o faultOutcome) errType() string {
	var b errBody
	if json.Unmarshal(o.body, &b) != nil {
		return ""
	}
	return b.Type
}

// batchCode is the batch answer's status code, "" when the body is not one.
func (o faultOutcome) batchCode() string {
	var b batchJSON
	if json.Unmarshal(o.body, &b) != nil {
		return ""
	}
	return b.StatusCode
}

func faultOK(o faultOutcome, status int) []testcheck.Cond {
	return []testcheck.Cond{testcheck.C("no transport error", o.err == nil), testcheck.C(fmt.Sprint("status ", status), o.status == status)}
}

func initiated(o faultOutcome, n int) testcheck.Cond {
	return testcheck.C(fmt.Sprint("initiated ", n), o.c.Initiated == n)
}

func TestFaultKinds(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
		want  func(o faultOutcome) []testcheck.Cond
	}{
		{"latency", Fault{Route: "initiate", Kind: Latency, Latency: 60 * time.Millisecond},
			func(o faultOutcome) []testcheck.Cond {
				return append(faultOK(o, 200), testcheck.C("elapsed >= 60ms", o.elapsed >= 60*time.Millisecond), initiated(o, 1))
			}},
		{"5xx default", Fault{Route: "initiate", Kind: ServerError},
			func(o faultOutcome) []testcheck.Cond {
				return append(faultOK(o, 500), testcheck.C("type server_error", o.errType() == "server_error"), initiated(o, 0))
			}},
		{"503", Fault{Route: "initiate", Kind: ServerError, Status: 503},
			func(o faultOutcome) []testcheck.Cond { return append(faultOK(o, 503), initiated(o, 0)) }},
		{"429", Fault{Route: "initiate", Kind: TooMany, RetryAfter: 1500 * time.Millisecond},
			func(o faultOutcome) []testcheck.Cond {
				return append(faultOK(o, 429), testcheck.C("Retry-After 2", o.header.Get("Retry-After") == "2"),
					testcheck.C("code throttled", o.errCode() == "throttled"), initiated(o, 0))
			}},
		{"drop-before", Fault{Route: "initiate", Kind: DropBefore},
			func(o faultOutcome) []testcheck.Cond {
				// Nothing may happen.
				return []testcheck.Cond{testcheck.C("transport error", o.err != nil), initiated(o, 0)}
			}},
		{"drop-after", Fault{Route: "initiate", Kind: DropAfter},
			func(o faultOutcome) []testcheck.Cond {
				// Processed, answer lost.
				return []testcheck.Cond{testcheck.C("transport error", o.err != nil), initiated(o, 1)}
			}},
		{"timeout beyond the client's", Fault{Route: "initiate", Kind: Timeout, Latency: 10 * time.Second},
			func(o faultOutcome) []testcheck.Cond {
				return []testcheck.Cond{testcheck.C("transport error", o.err != nil),
					testcheck.C("elapsed <= 5s", o.elapsed <= 5*time.Second), initiated(o, 1)}
			}},
		{"slow answer within the client's timeout", Fault{Route: "initiate", Kind: Timeout, Latency: 50 * time.Millisecond},
			func(o faultOutcome) []testcheck.Cond {
				return append(faultOK(o, 200), testcheck.C("BP103", o.batchCode() == "BP103"),
					testcheck.C("elapsed >= 50ms", o.elapsed >= 50*time.Millisecond))
			}},
		{"other routes untouched", Fault{Route: "approve", Kind: DropBefore},
			func(o faultOutcome) []testcheck.Cond {
				return append(faultOK(o, 200), initiated(o, 1), testcheck.C("no faults", len(o.c.Faults) == 0))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := initiateUnder(t, tt.fault)
			testcheck.Check(t, "outcome", fmt.Sprintf("err %v status %d body %s elapsed %v counters %+v", o.err, o.status, o.body, o.elapsed, o.c),
				tt.want(o)...)
			testcheck.Check(t, "Faults", o.c.Faults,
				testcheck.C("the fault counted once", tt.fault.Route != "initiate" || o.c.Faults[tt.fault.Kind.String()] == 1))
			testcheck.Check(t, "Requests", o.c.Requests, testcheck.C("one initiate", o.c.Requests["POST send-money/initiate/"] == 1))
		})
	}
}

// initiateUnder sends one initiate to a simulator with fault f.
func initiateUnder(t *testing.T, f Fault) faultOutcome {
	t.Helper()
	e := newPayEnv(t, Options{Faults: []Fault{f}}, 0)
	// A short client timeout only where it is what is tested (the server
	// stalls far beyond it); elsewhere a generous one, so a loaded machine
	// is not mistaken for a fault.
	hc := &http.Client{Timeout: 10 * time.Second}
	if f.Kind == Timeout && f.Latency >= 10*time.Second {
		hc.Timeout = 500 * time.Millisecond
	}
	t.Cleanup(hc.CloseIdleConnections)
	start := time.Now()
	resp, body, err := e.send(hc, "send-money/initiate/", okInitiate)
	o := faultOutcome{body: body, err: err, elapsed: time.Since(start), c: e.s.Counters()}
	if resp != nil {
		o.status, o.header = resp.StatusCode, resp.Header
	}
	return o
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
