package sim_test

// Plain HTTP tests of the hosted pages (pages*.go): status codes, forms,
// escaping and headers. pages_browser_test.go drives the same pages in a
// real Chromium.

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
)

// pgEnv is a simulator on a manual clock with a page-fetching HTTP client
// that does not follow redirects (a 303 is an answer to check).
type pgEnv struct {
	*aEnv
	base string // http://127.0.0.1:port
	hc   *http.Client
}

func pgNew(t *testing.T, opts sim.Options) *pgEnv {
	e := aNew(t, opts)
	return &pgEnv{aEnv: e, base: strings.TrimSuffix(e.url, "/api/v1/"), hc: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// pgPage is one page answer.
type pgPage struct {
	status int
	header http.Header
	body   string
}

// get fetches a path (or absolute URL) on the simulator.
func (e *pgEnv) get(path string) pgPage {
	e.t.Helper()
	return e.do(http.MethodGet, path, nil)
}

// post sends a form; hdr pairs add headers.
func (e *pgEnv) post(path string, form url.Values, hdr ...string) pgPage {
	e.t.Helper()
	return e.do(http.MethodPost, path, form, hdr...)
}

func (e *pgEnv) do(method, path string, form url.Values, hdr ...string) pgPage {
	e.t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = e.base + path
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return pgPage{status: res.StatusCode, header: res.Header, body: string(b)}
}

// checkout creates a checkout through the API; extra overrides the body.
func (e *pgEnv) checkout(extra map[string]any) aResp {
	e.t.Helper()
	body := map[string]any{"public_key": aPub, "amount": "1234.50", "currency": "KES", "comment": "Order 7",
		"api_ref": "order-7", "redirect_url": "https://shop.example.com/done?order=7"}
	for k, v := range extra {
		body[k] = v
	}
	return e.call("POST", "checkout/", body, "Authorization", aNoAuth).want(e.t, http.StatusCreated)
}

// link creates a payment link through the API.
func (e *pgEnv) link(extra map[string]any) aResp {
	e.t.Helper()
	body := map[string]any{"title": "School fees", "currency": "KES", "amount": 2500,
		"redirect_url": "https://school.example.com/thanks"}
	for k, v := range extra {
		body[k] = v
	}
	return e.call("POST", "paymentlinks/", body).want(e.t, http.StatusCreated)
}

// path turns a checkout or link url into a path on this simulator.
func pgPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// formOf fetches a page and returns its form token.
func (e *pgEnv) token(path string) string {
	e.t.Helper()
	p := e.get(path)
	_, rest, ok := strings.Cut(p.body, `name="token" value="`)
	if !ok {
		e.t.Fatalf("GET %s: no form token in %d page:\n%s", path, p.status, p.body)
	}
	tok, _, _ := strings.Cut(rest, `"`)
	return tok
}

// pay posts a pay form with the page's own token.
func (e *pgEnv) pay(path string, fields ...string) pgPage {
	e.t.Helper()
	form := url.Values{"token": {e.token(path)}}
	for i := 0; i+1 < len(fields); i += 2 {
		form.Set(fields[i], fields[i+1])
	}
	return e.post(path, form)
}

// settle steps the clock past any payment's last step.
func (e *pgEnv) settle() { e.advance(aStep(aTiming.STKProcessing) + aStep(aTiming.STKFinal)) }

// invoiceOf reads the invoice id from a 303's Location.
func invoiceOf(t *testing.T, p pgPage) string {
	t.Helper()
	if p.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303; body:\n%s", p.status, p.body)
	}
	u, err := url.Parse(p.header.Get("Location"))
	if err != nil || u.Query().Get("invoice") == "" {
		t.Fatalf("Location %q has no invoice", p.header.Get("Location"))
	}
	return u.Query().Get("invoice")
}

func TestPagesStatusCodes(t *testing.T) {
	card := func(number, exp string) []string {
		return []string{"method", "card", "card_number", number, "card_exp", exp, "card_cvc", "123"}
	}
	cases := []struct {
		name string
		// run does the request; it may set the scene first.
		run     func(e *pgEnv, co, link string) pgPage
		status  int
		want    []string
		notWant []string
	}{
		{"checkout form", func(e *pgEnv, co, _ string) pgPage { return e.get(co) }, 200,
			[]string{"KES 1,234.50", "Malipo Demo Shop", "Order 7", "order-7", "Pay with M-Pesa", "Pay with card"}, nil},
		{"unknown checkout", func(e *pgEnv, _, _ string) pgPage {
			return e.get("/checkout/9f0c2b1e-0000-4000-8000-000000000000/express/")
		}, 404, []string{"Checkout not found"}, []string{"Pay with"}},
		{"expired checkout", func(e *pgEnv, co, _ string) pgPage {
			e.advance(25 * time.Hour)
			return e.get(co)
		}, 410, []string{"Checkout expired"}, []string{"Pay with"}},
		{"paid checkout visited again", func(e *pgEnv, co, _ string) pgPage {
			invoiceOf(e.t, e.pay(co, "method", "mpesa", "phone", aOK))
			e.settle()
			return e.get(co)
		}, 410, []string{"Already paid", "tracking_id="}, []string{"Pay with"}},
		{"post with a forged token", func(e *pgEnv, co, _ string) pgPage {
			return e.post(co, url.Values{"token": {"00112233"}, "method": {"mpesa"}, "phone": {aOK}})
		}, 403, []string{"Form out of date"}, nil},
		{"post from another site", func(e *pgEnv, co, _ string) pgPage {
			form := url.Values{"token": {e.token(co)}, "method": {"mpesa"}, "phone": {aOK}}
			return e.post(co, form, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		}, 403, []string{"another site"}, nil},
		{"post an invalid phone", func(e *pgEnv, co, _ string) pgPage {
			return e.pay(co, "method", "mpesa", "phone", "12345")
		}, 400, []string{"Enter a Kenyan mobile number", `value="12345"`}, nil},
		{"post no method", func(e *pgEnv, co, _ string) pgPage { return e.pay(co) }, 400, []string{"Choose how to pay"}, nil},
		{"post a bad card number, not echoed", func(e *pgEnv, co, _ string) pgPage {
			return e.pay(co, card("4242 4242 4242 4241", "12/34")...)
		}, 400, []string{"valid card number"}, []string{"4242424242424241", "4242 4242 4242 4241"}},
		{"post an expired card", func(e *pgEnv, co, _ string) pgPage {
			return e.pay(co, card("4242424242424242", "02/26")...) // the clock is in March 2026
		}, 400, []string{"This card has expired"}, nil},
		{"post M-Pesa", func(e *pgEnv, co, _ string) pgPage {
			return e.pay(co, "method", "mpesa", "phone", "0708 374 149")
		}, 303, nil, nil},
		{"waiting page", func(e *pgEnv, co, _ string) pgPage {
			inv := invoiceOf(e.t, e.pay(co, "method", "mpesa", "phone", aOK))
			return e.get(co + "?invoice=" + inv)
		}, 200, []string{`id="waiting"`, "/static/pay.js", `http-equiv="refresh"`}, []string{"Pay with"}},
		{"post again while paying", func(e *pgEnv, co, _ string) pgPage {
			form := url.Values{"token": {e.token(co)}, "method": {"mpesa"}, "phone": {aOK}}
			inv := invoiceOf(e.t, e.post(co, form))
			p := e.post(co, form) // a double click, or the back button
			if got := invoiceOf(e.t, p); got != inv {
				e.t.Errorf("second post started %s, want the first attempt %s", got, inv)
			}
			return p
		}, 303, nil, nil},
		{"failed attempt shows the form again", func(e *pgEnv, co, _ string) pgPage {
			inv := invoiceOf(e.t, e.pay(co, "method", "mpesa", "phone", aBroke))
			e.settle()
			return e.get(co + "?invoice=" + inv)
		}, 200, []string{"Payment failed.", "The balance is insufficient for the transaction", "Pay with M-Pesa"}, nil},
		{"status of another checkout's invoice", func(e *pgEnv, co, _ string) pgPage {
			other := pgPath(e.t, e.checkout(nil).str("url"))
			inv := invoiceOf(e.t, e.pay(other, "method", "mpesa", "phone", aOK))
			return e.get(co + "status/?invoice=" + inv)
		}, 404, []string{`"Not found."`}, nil},
		{"link form", func(e *pgEnv, _, link string) pgPage { return e.get(link) }, 200,
			[]string{"School fees", "KES 2,500.00", "Pay with M-Pesa"}, []string{`id="amount-mpesa"`}},
		{"link without an amount asks for one", func(e *pgEnv, _, _ string) pgPage {
			return e.get(pgPath(e.t, e.link(map[string]any{"amount": 0}).str("url")))
		}, 200, []string{`id="amount-mpesa"`, `id="amount-card"`, "Enter the amount you want to pay"}, nil},
		{"link post without the amount", func(e *pgEnv, _, _ string) pgPage {
			l := pgPath(e.t, e.link(map[string]any{"amount": 0}).str("url"))
			return e.pay(l, "method", "mpesa", "phone", aOK)
		}, 400, []string{"Enter the amount to pay"}, nil},
		{"link over M-Pesa's limit", func(e *pgEnv, _, _ string) pgPage {
			l := pgPath(e.t, e.link(map[string]any{"amount": 0}).str("url"))
			return e.pay(l, "method", "mpesa", "phone", aOK, "amount", "150000.01")
		}, 400, []string{"at most KES 150,000.00"}, nil},
		{"link post", func(e *pgEnv, _, link string) pgPage { return e.pay(link, "method", "mpesa", "phone", aOK) }, 303, nil, nil},
		{"unknown link", func(e *pgEnv, _, _ string) pgPage {
			return e.get("/pay/9f0c2b1e-0000-4000-8000-000000000000/")
		}, 404, []string{"Payment link not found"}, nil},
		{"inactive link", func(e *pgEnv, _, _ string) pgPage {
			return e.get(pgPath(e.t, e.link(map[string]any{"is_active": false}).str("url")))
		}, 410, []string{"switched off"}, nil},
		{"used-up link", func(e *pgEnv, _, _ string) pgPage {
			l := pgPath(e.t, e.link(map[string]any{"usage_limit": 1}).str("url"))
			invoiceOf(e.t, e.pay(l, "method", "mpesa", "phone", aOK))
			e.settle()
			return e.get(l)
		}, 410, []string{"used up"}, nil},
		{"USD checkout offers card only", func(e *pgEnv, _, _ string) pgPage {
			return e.get(pgPath(e.t, e.checkout(map[string]any{"currency": "USD", "amount": "10"}).str("url")))
		}, 200, []string{"USD 10.00", "Pay with card"}, []string{"Pay with M-Pesa"}},
		{"customer pays the fee", func(e *pgEnv, _, _ string) pgPage {
			return e.get(pgPath(e.t, e.checkout(map[string]any{"amount": "1000", "mobile_tarrif": "CUSTOMER-PAYS"}).str("url")))
		}, 200, []string{"You pay KES 1,030.00, including a fee of KES 30.00."}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := pgNew(t, sim.Options{})
			co := pgPath(t, e.checkout(nil).str("url"))
			link := pgPath(t, e.link(nil).str("url"))
			p := tc.run(e, co, link)
			if p.status != tc.status {
				t.Fatalf("status %d, want %d; body:\n%s", p.status, tc.status, p.body)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.body, w) {
					t.Errorf("page lacks %q:\n%s", w, p.body)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(p.body, w) {
					t.Errorf("page has %q:\n%s", w, p.body)
				}
			}
		})
	}
}

// Every payment the pages start runs the simulator's state machine to the
// outcome its magic number promises, and the result page says so.
func TestPagesPaymentOutcomes(t *testing.T) {
	cases := []struct {
		name   string
		fields []string
		state  string
		reason string // the failed reason on the invoice and the page
	}{
		{"M-Pesa sandbox number", []string{"method", "mpesa", "phone", aOK}, "COMPLETE", ""},
		{"M-Pesa cancelled by user", []string{"method", "mpesa", "phone", "0700000002"}, "FAILED", "Request cancelled by user"},
		{"card 4242", []string{"method", "card", "card_number", "4242 4242 4242 4242", "card_exp", "12/34", "card_cvc", "123"}, "COMPLETE", ""},
		{"card 3-D Secure", []string{"method", "card", "card_number", "4000 0000 0000 3063", "card_exp", "12/34", "card_cvc", "123"}, "FAILED", "3-D Secure authentication failed"},
		{"card declined", []string{"method", "card", "card_number", "4000000000000002", "card_exp", "1/2030", "card_cvc", "1234"}, "FAILED", "Do not honour"},
		{"card insufficient funds", []string{"method", "card", "card_number", "4000-0000-0000-9995", "card_exp", "03/26", "card_cvc", "123"}, "FAILED", "Insufficient funds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := pgNew(t, sim.Options{})
			co := e.checkout(nil)
			path := pgPath(t, co.str("url"))
			id := invoiceOf(t, e.pay(path, tc.fields...))
			e.settle()
			inv, _ := e.sim.Invoice(id)
			if inv.State != tc.state || inv.FailedReason != tc.reason || inv.CheckoutID != co.str("id") {
				t.Fatalf("invoice %s: %s %q (checkout %s), want %s %q", id, inv.State, inv.FailedReason, inv.CheckoutID, tc.state, tc.reason)
			}
			p := e.get(path + "?invoice=" + id)
			if p.status != http.StatusOK {
				t.Fatalf("result page: status %d", p.status)
			}
			want := `id="paid"`
			if tc.reason != "" {
				want = tc.reason
			}
			if !strings.Contains(p.body, want) {
				t.Errorf("result page lacks %q:\n%s", want, p.body)
			}
		})
	}
}

// The success page sends the customer back to redirect_url with IntaSend's
// tracking_id, signature and checkout_id, keeping the url's own query.
func TestPagesReturnToShop(t *testing.T) {
	e := pgNew(t, sim.Options{})
	co := e.checkout(nil)
	path := pgPath(t, co.str("url"))
	id := invoiceOf(t, e.pay(path, "method", "mpesa", "phone", aOK))
	e.settle()
	p := e.get(path + "?invoice=" + id)
	secs, target, ok := strings.Cut(p.header.Get("Refresh"), "; url=")
	if !ok || secs != "3" {
		t.Fatalf("Refresh %q, want 3; url=…", p.header.Get("Refresh"))
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := url.Values{"order": {"7"}, "tracking_id": {id}, "signature": {co.str("signature")}, "checkout_id": {co.str("id")}}
	if u.Host != "shop.example.com" || u.Path != "/done" || q.Encode() != want.Encode() {
		t.Fatalf("redirect to %s, want https://shop.example.com/done?%s", target, want.Encode())
	}
	if !strings.Contains(p.body, "KES 1,234.50") || !strings.Contains(p.body, id) {
		t.Errorf("success page lacks the amount or invoice:\n%s", p.body)
	}
	// The shop checks the payment with what it was given, as IntaSend's
	// plugins do; the simulator verifies the signature.
	r := e.call("POST", "payment/status/", map[string]any{"invoice_id": q.Get("tracking_id"),
		"checkout_id": q.Get("checkout_id"), "signature": q.Get("signature")}, "Authorization", aNoAuth)
	if r.want(t, http.StatusOK).str("invoice.state") != "COMPLETE" {
		t.Fatalf("payment/status: %s", r.raw)
	}
}

// What the customer or the shop wrote is shown as text, never as markup.
func TestPagesEscaping(t *testing.T) {
	hostile := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	e := pgNew(t, sim.Options{BusinessName: `Evil <b>&</b> "Co"`})
	co := e.checkout(map[string]any{"comment": hostile})
	path := pgPath(t, co.str("url"))
	form := e.get(path).body
	id := invoiceOf(t, e.pay(path, "method", "mpesa", "phone", aOK))
	waiting := e.get(path + "?invoice=" + id).body
	e.settle()
	for p, body := range map[string]string{"form": form, "waiting": waiting, "paid": e.get(path + "?invoice=" + id).body} {
		for _, raw := range []string{"<script>alert", "<img src=x", "<b>&</b>"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s shows %q unescaped", p, raw)
			}
		}
		for _, esc := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "Evil &lt;b&gt;&amp;&lt;/b&gt; &#34;Co&#34;"} {
			if !strings.Contains(body, esc) {
				t.Errorf("%s lacks the escaped %q:\n%s", p, esc, body)
			}
		}
	}
}

// Every answer of the pages carries the strict CSP and never an API key.
func TestPagesHeaders(t *testing.T) {
	e := pgNew(t, sim.Options{})
	path := pgPath(t, e.checkout(nil).str("url"))
	id := invoiceOf(t, e.pay(path, "method", "mpesa", "phone", aOK))
	cases := []struct {
		path, contentType, cache string
	}{
		{pgPath(t, e.checkout(nil).str("url")), "text/html; charset=utf-8", "no-store"},
		{path + "?invoice=" + id, "text/html; charset=utf-8", "no-store"},
		{path + "status/?invoice=" + id, "application/json", "no-store"},
		{"/checkout/nope/express/", "text/html; charset=utf-8", "no-store"},
		{pgPath(t, e.link(nil).str("url")), "text/html; charset=utf-8", "no-store"},
		{"/static/pay.js", "text/javascript; charset=utf-8", "no-cache"},
		{"/static/pages.css", "text/css; charset=utf-8", "no-cache"},
	}
	const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	for _, tc := range cases {
		p := e.get(tc.path)
		h := p.header
		if h.Get("Content-Security-Policy") != csp || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("X-Frame-Options") != "DENY" || h.Get("Content-Type") != tc.contentType || h.Get("Cache-Control") != tc.cache {
			t.Errorf("%s: headers %v", tc.path, h)
		}
		for _, secret := range []string{aPub, aSecret, "ISPubKey_", "ISSecretKey_"} {
			if strings.Contains(p.body, secret) {
				t.Errorf("%s shows an API key", tc.path)
			}
		}
	}
}

// With the generator on, a checkout nobody opens is paid by a simulated
// customer; one whose page is open is left to the customer on it.
func TestPagesGeneratorLeavesOpenCheckouts(t *testing.T) {
	e := pgNew(t, sim.Options{Generator: true})
	open, closed := e.checkout(nil), e.checkout(nil)
	e.get(pgPath(t, open.str("url")))
	e.advance(5 * time.Minute)
	for _, tc := range []struct {
		co   aResp
		paid string
	}{{open, "false"}, {closed, "true"}} {
		r := e.call("POST", "checkout/details/", map[string]any{"public_key": aPub, "checkout_id": tc.co.str("id"),
			"signature": tc.co.str("signature")}, "Authorization", aNoAuth).want(t, http.StatusOK)
		if r.str("paid") != tc.paid {
			t.Errorf("checkout %s: paid %s, want %s", tc.co.str("id"), r.str("paid"), tc.paid)
		}
	}
}
