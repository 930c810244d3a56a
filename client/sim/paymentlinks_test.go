package sim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

func TestPaymentLinks(t *testing.T) {
	e := aNew(t, sim.Options{})
	// PY's body: title, currency, amount (default 0), tariffs, is_active.
	r := e.call("POST", "paymentlinks/", map[string]any{"title": "Workshop ticket", "currency": "KES", "amount": 1500,
		"mobile_tarrif": "BUSINESS-PAYS", "card_tarrif": "CUSTOMER-PAYS", "is_active": true}).want(t, http.StatusCreated)
	id := r.str("id")
	testcheck.Expect(t, "create", r.raw, testcheck.C("id of 36", len(id) == 36),
		testcheck.C("url http://", strings.HasPrefix(r.str("url"), "http://")),
		testcheck.C("url ends /pay/<id>/", strings.HasSuffix(r.str("url"), "/pay/"+id+"/")))
	r.fields(t, "create", "amount", "1500", "is_active", "true", "card_tarrif", "CUSTOMER-PAYS")
	e.call("GET", "paymentlinks/"+id, nil).want(t, http.StatusOK).fields(t, "get", "title", "Workshop ticket")
	u := e.call("PUT", "paymentlinks/"+id+"/", map[string]any{"title": "Workshop ticket 2", "amount": "2000", "is_active": false}).want(t, http.StatusOK)
	u.fields(t, "put", "title", "Workshop ticket 2", "amount", "2000", "is_active", "false", "id", id)
	e.call("PUT", "paymentlinks/"+id+"/", map[string]any{"amount": 1}).wantErr(t, "title", "required")
	e.call("GET", "paymentlinks/"+id+"/", nil).want(t, http.StatusOK).fields(t, "link after a refused PUT", "title", "Workshop ticket 2")
	e.call("POST", "paymentlinks/", map[string]any{"title": "Donations"}).want(t, http.StatusCreated)
	e.call("GET", "paymentlinks/", nil).want(t, http.StatusOK).fields(t, "list", "count", "2", "results.0.title", "Donations", "results.0.amount", "0")
	e.call("GET", "paymentlinks/9f0c2b1e-0000-4000-8000-000000000000/", nil).want(t, http.StatusNotFound)
	e.call("PUT", "paymentlinks/9f0c2b1e-0000-4000-8000-000000000000/", map[string]any{"title": "x"}).want(t, http.StatusNotFound)
}

func TestPaymentLinkValidation(t *testing.T) {
	e := aNew(t, sim.Options{})
	cases := []struct {
		name string
		body map[string]any
		attr string
		code string
	}{
		{"title missing", map[string]any{"amount": 1}, "title", "required"},
		{"title pattern", map[string]any{"title": "50% off!"}, "title", "invalid"},
		{"title too long", map[string]any{"title": strings.Repeat("t", 141)}, "title", "max_length"},
		{"amount not an integer", map[string]any{"title": "x", "amount": "10.50"}, "amount", "invalid"},
		{"amount negative", map[string]any{"title": "x", "amount": -1}, "amount", "min_value"},
		{"usage limit negative", map[string]any{"title": "x", "usage_limit": -2}, "usage_limit", "min_value"},
		{"currency", map[string]any{"title": "x", "currency": "BTC"}, "currency", "invalid_choice"},
		{"tariff", map[string]any{"title": "x", "mobile_tarrif": "FREE"}, "mobile_tarrif", "invalid_choice"},
		{"redirect", map[string]any{"title": "x", "redirect_url": "ftp://example.com/x"}, "redirect_url", "invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.call("POST", "paymentlinks/", c.body).wantErr(t, c.attr, c.code)
		})
	}
}
