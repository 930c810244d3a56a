package sim_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/malipo/malipo/client/sim"
)

// What no route matches answers as DRF does, in JSON, never Go's plain
// text: the Python SDK calls resp.json() on every answer.
func TestNoRouteAnswersDRFJSON(t *testing.T) {
	tests := []struct {
		method, path string
		status       int
		detail       string
		allow        string
	}{
		{"GET", "/api/v1/nowhere/", 404, "Not found.", ""},
		{"GET", "/favicon.ico", 404, "Not found.", ""},
		{"GET", "/", 404, "Not found.", ""},
		{"POST", "/api/v2/wallets/", 404, "Not found.", ""},
		{"DELETE", "/api/v1/wallets/", 405, `Method "DELETE" not allowed.`, "GET, HEAD, POST"},
		{"POST", "/api/v1/send-money/bank-codes/ke", 405, `Method "POST" not allowed.`, "GET, HEAD"},
		{"PATCH", "/api/v1/wallets/W1/", 405, `Method "PATCH" not allowed.`, "GET, HEAD"},
		{"GET", "/api/v1/send-money/initiate/", 405, `Method "GET" not allowed.`, "POST"},
	}
	ts := httptest.NewServer(sim.New(sim.Options{Clock: sim.NewManualClock(aStart)}))
	t.Cleanup(ts.Close)
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+aSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("%d: body is not JSON: %v", resp.StatusCode, err)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if resp.StatusCode != tt.status || body["detail"] != tt.detail || resp.Header.Get("Allow") != tt.allow {
				t.Errorf("got %d %v Allow %q; want %d %q Allow %q",
					resp.StatusCode, body, resp.Header.Get("Allow"), tt.status, tt.detail, tt.allow)
			}
		})
	}
}
