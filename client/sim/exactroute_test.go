package sim

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// exactHandler must choose what ServeMux would: for every route it knows,
// the mux's pattern for the same request is the route's own; what it does
// not know (HEAD, escapes, wildcards, unknown paths) it leaves to the mux.
func TestExactRoutesAreTheMuxs(t *testing.T) {
	s := New(Options{Control: ControlOptions{Token: "t"}})
	if len(s.exact) < 20 {
		t.Fatalf("only %d exact paths", len(s.exact))
	}
	for path, routes := range s.exact {
		for _, e := range routes {
			r := httptest.NewRequest(e.method, "http://sim.test"+path, nil)
			if _, pattern := s.mux.Handler(r); pattern != e.pattern {
				t.Errorf("%s %s: mux picks %q, exact route is %q", e.method, path, pattern, e.pattern)
			}
			if s.exactHandler(r) == nil {
				t.Errorf("%s %s: no exact handler", e.method, path)
			}
		}
	}
	for _, target := range []string{
		"HEAD /api/v1/wallets/",          // the mux serves HEAD with GET's handler
		"GET /api/v1/wallet%73/",         // an escape: left to the mux
		"GET /api/v1/wallets/ABC/",       // a wildcard route
		"GET /api/v1//wallets/",          // unclean: the mux redirects
		"GET /api/v1/nope/",              // unknown
		"DELETE /api/v1/payment/status/", // a known path, another method: 405 from the mux
	} {
		method, path, _ := strings.Cut(target, " ")
		r := httptest.NewRequest(method, "http://sim.test"+path, nil)
		if s.exactHandler(r) != nil {
			t.Errorf("%s: exact handler for a request the mux must judge", target)
		}
	}
	// And through ServeHTTP the answer is the same either way.
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, "http://sim.test/api/v1/payment/status/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE payment/status/: %d", rec.Code)
	}
}
