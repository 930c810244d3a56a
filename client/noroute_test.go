package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
)

// The simulator answers what no route matches as DRF does ({"detail"} in
// JSON); the client must turn those answers into typed errors that say
// IntaSend's words and are neither retried nor ambiguous.
func TestContractNoRouteErrors(t *testing.T) {
	s := sim.New(sim.Options{Clock: sim.NewManualClock(time.Date(2025, 10, 27, 7, 44, 23, 0, time.UTC))})
	tests := []struct {
		name     string
		handler  http.Handler
		base     string // path under the server
		status   int
		detail   string
		notFound bool
	}{
		{"an API version the server has not", s, "/api/v2/", 404, "Not found.", true},
		// A proxy that turns every method into DELETE: the paths exist, the
		// method does not.
		{"a method the route refuses", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Method = http.MethodDelete
			s.ServeHTTP(w, r)
		}), "/api/v1/", 405, `Method "DELETE" not allowed.`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(tt.handler)
			t.Cleanup(ts.Close)
			c, err := client.New(testPub, testSecret, client.WithBaseURL(ts.URL+tt.base), client.WithRetry(fastRetry))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListWallets(context.Background(), 1)
			var ae *client.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %T %v, want *client.APIError", err, err)
			}
			if ae.Status != tt.status || ae.Detail != tt.detail || ae.Message() != tt.detail {
				t.Errorf("APIError %d %q (message %q), want %d %q", ae.Status, ae.Detail, ae.Message(), tt.status, tt.detail)
			}
			if client.IsNotFound(err) != tt.notFound || client.IsRetryable(err) || client.IsAmbiguous(err) || client.IsUnauthorized(err) {
				t.Errorf("classified wrongly: notFound=%v retryable=%v ambiguous=%v", client.IsNotFound(err), client.IsRetryable(err), client.IsAmbiguous(err))
			}
		})
	}
}
