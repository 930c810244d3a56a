package sim

// Hosted pages: what a customer sees at a checkout's url
// (/checkout/{id}/express/) and a payment link's url (/pay/{id}/). IntaSend
// serves these from its own site; the simulator serves small stand-ins so a
// shop's whole flow (create a checkout, send the customer to it, take the
// customer back at redirect_url, confirm with payment/status/) runs locally.
//
// The pages are server-rendered html/template (pages/*.html, embedded), work
// without JavaScript (a waiting page reloads itself through <noscript>
// <meta refresh>), and use one small script only to poll the payment's state
// sooner. Every answer carries a strict Content-Security-Policy: nothing
// but this origin's own script, style and form targets. Forms are guarded
// twice against cross-site posting: net/http's CrossOriginProtection (Fetch
// metadata and Origin, the standard library's own check) and a per-checkout
// (per-link) token, an HMAC under a random per-server key, in a hidden field.
// Pages never show or carry API keys; card numbers are never echoed back.
//
// Payments go through the simulator's own collection machinery: M-Pesa
// through runInvoice (so the magic phone numbers and scenarios apply), cards
// through runCard (pages_pay.go) with magic test card numbers.

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"time"
)

//go:embed pages
var pageFiles embed.FS

// pageTemplates are parsed once: each page is the shared layout plus its body.
var pageTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"pay", "wait", "done", "gone"} {
		out[name] = template.Must(template.ParseFS(pageFiles, "pages/layout.html", "pages/"+name+".html"))
	}
	return out
}()

// pageCSP allows this origin's script, style, fetches and form posts, and
// nothing else: no inline script or style, no frames, no plugins, no <base>.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

const (
	// checkoutTTL is how long an unpaid checkout can be paid. IntaSend
	// documents no expiry; a day is the simulator's choice.
	checkoutTTL = 24 * time.Hour
	// redirectDelay is how long the success page shows before the customer
	// is sent to redirect_url.
	redirectDelay = 3
	// maxFormBody bounds a page's form post.
	maxFormBody = 16 << 10
	// defaultBusinessName is the merchant the pages show without
	// Options.BusinessName.
	defaultBusinessName = "Malipo Demo Shop"
)

// pageState is what the pages keep beside the API's state. Guarded by s.mu.
type pageState struct {
	key []byte // HMAC key of the forms' tokens
	// opened: checkouts whose page a customer has opened; the generator
	// leaves those for the customer to pay.
	opened map[string]bool
	// linkCheckouts: the checkouts a payment link made, to count its uses.
	linkCheckouts map[string][]*checkout
}

func (s *Server) routesPages() {
	s.pages.key = make([]byte, 32)
	_, _ = rand.Read(s.pages.key) // never fails (crypto/rand panics instead)
	s.pages.opened = map[string]bool{}
	s.pages.linkCheckouts = map[string][]*checkout{}

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writePage(w, gone(http.StatusForbidden, "Request refused",
			"This form was sent from another site. Open the payment page again and pay from there."))
	}))
	s.mux.HandleFunc("GET /checkout/{id}/express/{$}", s.checkoutPage)
	s.mux.Handle("POST /checkout/{id}/express/{$}", cop.Handler(http.HandlerFunc(s.checkoutPay)))
	s.mux.HandleFunc("GET /checkout/{id}/express/status/{$}", s.checkoutStatus)
	s.mux.HandleFunc("GET /pay/{id}/{$}", s.linkPage)
	s.mux.Handle("POST /pay/{id}/{$}", cop.Handler(http.HandlerFunc(s.linkPay)))
	assets, _ := fs.Sub(pageFiles, "pages/static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", assetServer(http.FileServerFS(assets))))
}

// assetServer adds the pages' security headers to the static files.
func assetServer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w.Header())
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}

func pageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}

// page is one answer: a template with its data, or a redirect.
type page struct {
	status   int
	tmpl     string
	data     any
	location string // 303 See Other to here
	refresh  string // Refresh header: "3; url=…" sends the customer on
}

// gone is an error page (unknown, expired, used, refused).
func gone(status int, heading, message string) page {
	return page{status: status, tmpl: "gone", data: goneView{Heading: heading, Message: message}}
}

type goneView struct {
	Heading, Message string
	ReturnURL        string
}

// seeOther answers a form post with a redirect, so a reload never posts twice.
func seeOther(location string) page { return page{status: http.StatusSeeOther, location: location} }

// writePage renders p into a buffer first, so a template error is a clean
// 500 rather than half a page.
func writePage(w http.ResponseWriter, p page) {
	h := w.Header()
	pageHeaders(h)
	h.Set("Cache-Control", "no-store")
	if p.location != "" {
		h.Set("Location", p.location)
		w.WriteHeader(p.status)
		return
	}
	var buf bytes.Buffer
	if err := pageTemplates[p.tmpl].ExecuteTemplate(&buf, "layout", p.data); err != nil {
		http.Error(w, "page error: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if p.refresh != "" {
		h.Set("Refresh", p.refresh)
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(p.status)
	_, _ = w.Write(buf.Bytes())
}

// formToken is the hidden field that proves a post came from the page this
// simulator rendered for that checkout or link (kind "checkout" or "link").
func (s *Server) formToken(kind, id string) string {
	m := hmac.New(sha256.New, s.pages.key)
	m.Write([]byte(kind + "\x00" + id))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

func (s *Server) tokenOK(kind, id, got string) bool {
	return hmac.Equal([]byte(got), []byte(s.formToken(kind, id)))
}

// businessName is the merchant the pages name.
func (s *Server) businessName() string {
	if s.opts.BusinessName != "" {
		return s.opts.BusinessName
	}
	return defaultBusinessName
}

// pageOpened reports whether a customer has opened checkout id's page.
// Call with s.mu held.
func (s *Server) pageOpened(id string) bool { return s.pages.opened[id] }
