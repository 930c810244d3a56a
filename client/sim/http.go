package sim

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/malipo/malipo/client"
)

const apiPrefix = "/api/v1/"

// maxRequestBody bounds a request: a 5,000-transaction initiate is ~1.5 MB.
const maxRequestBody = 16 << 20

type authMode int

const (
	authSecret   authMode = iota // Bearer ISSecretKey_… required
	authPublic                   // publishable key in a header or the body; no Bearer
	authOptional                 // nothing required (bank codes)
)

// reqCtx is one request as a handler sees it: the body is read once so the
// auth layer can look for public_key in it and the handler can decode it.
type reqCtx struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	body  []byte
	route string // the route pattern, e.g. "POST send-money/initiate/"
}

type handler func(c *reqCtx)

// handle registers h for method and path (relative to /api/v1/, written
// with IntaSend's trailing slash). The slash-less form is served too: the
// Python SDK calls several GETs without it and Django would redirect.
func (s *Server) handle(method, path string, auth authMode, h handler) {
	route := method + " " + path
	wrapped := func(w http.ResponseWriter, r *http.Request) {
		s.serve(route, auth, h, w, r)
	}
	full := apiPrefix + strings.TrimSuffix(path, "/")
	s.mux.HandleFunc(method+" "+full+"/{$}", wrapped)
	s.mux.HandleFunc(method+" "+full, wrapped)
}

func (s *Server) serve(route string, auth authMode, h handler, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return // the client went away
	}
	c := &reqCtx{s: s, w: w, r: r, body: body, route: route}
	if len(body) > maxRequestBody {
		c.clientError(http.StatusRequestEntityTooLarge, "request_too_large", "Request body is too large.")
		return
	}
	s.counters.request(route)
	if s.faults.before(c) {
		return
	}
	if !c.authenticate(auth) {
		return
	}
	if s.faults.wrap(c, h) {
		return
	}
	h(c)
}

// authenticate applies IntaSend's rules (contract §1.2). The 401 bodies are
// DRF's, which is what IntaSend answers.
func (c *reqCtx) authenticate(mode authMode) bool {
	switch mode {
	case authSecret:
		h := c.r.Header.Get("Authorization")
		if h == "" {
			c.detail(http.StatusUnauthorized, "Authentication credentials were not provided.")
			return false
		}
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || !c.s.secretKeyOK(strings.TrimSpace(tok)) {
			c.detail(http.StatusUnauthorized, "Invalid token.")
			return false
		}
		return true
	case authPublic:
		key := c.publicKey()
		if key == "" {
			c.detail(http.StatusUnauthorized, "Authentication credentials were not provided.")
			return false
		}
		if !c.s.publishableKeyOK(key) {
			c.detail(http.StatusUnauthorized, "Invalid public key.")
			return false
		}
		return true
	}
	// Optional: a key that is present must still be valid.
	if key := c.publicKey(); key != "" && !c.s.publishableKeyOK(key) {
		c.detail(http.StatusUnauthorized, "Invalid public key.")
		return false
	}
	return true
}

// publicKey finds the publishable key wherever an SDK put it.
func (c *reqCtx) publicKey() string {
	for _, h := range []string{"X-IntaSend-Public-API-Key", "INTASEND_PUBLIC_API_KEY", "X-IntaSend-Public-Key"} {
		if v := strings.TrimSpace(c.r.Header.Get(h)); v != "" {
			return v
		}
	}
	var b struct {
		PublicKey string `json:"public_key"`
	}
	if len(c.body) > 0 && json.Unmarshal(c.body, &b) == nil {
		return strings.TrimSpace(b.PublicKey)
	}
	return ""
}

// secretKeyOK accepts the pinned key, or any well-formed test key.
func (s *Server) secretKeyOK(tok string) bool {
	return s.keyOK(tok, client.SecretKey, s.opts.SecretKey)
}

func (s *Server) publishableKeyOK(key string) bool {
	return s.keyOK(key, client.PublishableKey, s.opts.PublishableKey)
}

func (s *Server) keyOK(key string, want client.KeyKind, pinned string) bool {
	if pinned != "" {
		return subtle.ConstantTimeCompare([]byte(key), []byte(pinned)) == 1
	}
	kind, env, err := client.ParseKey(key)
	// The simulator is a sandbox: live keys are refused, as the sandbox does.
	return err == nil && kind == want && env == client.Sandbox
}

// decode reads the JSON body into v, answering 400 itself when it cannot.
// An empty body decodes as {}.
func (c *reqCtx) decode(v any) bool {
	b := bytes.TrimSpace(c.body)
	if len(b) == 0 {
		b = []byte("{}")
	}
	if err := json.Unmarshal(b, v); err != nil {
		attr := ""
		var te *json.UnmarshalTypeError
		if ok := asTypeErr(err, &te); ok {
			attr = te.Field
		}
		if attr != "" {
			c.invalid(attr, "invalid", fmt.Sprintf("Invalid value for %s.", attr))
		} else {
			c.parseError(err)
		}
		return false
	}
	return true
}

func asTypeErr(err error, target **json.UnmarshalTypeError) bool {
	te, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*target = te
	}
	return ok
}

// ---- responses ----

func (c *reqCtx) json(status int, v any) {
	writeJSON(c.w, status, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// ErrorItem is one entry of a drf-standardized-errors body.
type ErrorItem struct {
	Code   string  `json:"code"`
	Detail string  `json:"detail"`
	Attr   *string `json:"attr"`
}

// detail answers {"detail": msg}: DRF's shape for auth and not-found errors.
func (c *reqCtx) detail(status int, msg string) {
	c.json(status, map[string]string{"detail": msg})
}

// invalid answers a 400 validation error about one field.
func (c *reqCtx) invalid(attr, code, detail string) {
	c.invalidAll([]ErrorItem{{Code: code, Detail: detail, Attr: strPtr(attr)}})
}

// invalidAll answers a 400 validation error with several entries.
func (c *reqCtx) invalidAll(items []ErrorItem) {
	c.json(http.StatusBadRequest, map[string]any{"type": "validation_error", "errors": items})
}

// clientError answers a non-field error: {"type":"client_error","errors":[…]}.
func (c *reqCtx) clientError(status int, code, detail string) {
	c.json(status, map[string]any{"type": "client_error", "errors": []ErrorItem{{Code: code, Detail: detail}}})
}

func (c *reqCtx) parseError(err error) {
	c.clientError(http.StatusBadRequest, "parse_error", "JSON parse error - "+err.Error())
}

func (c *reqCtx) notFound() {
	c.detail(http.StatusNotFound, "Not found.")
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// getByID answers GET …/{id}/ for any entity kept in a map by id: its
// view, or DRF's 404 {"detail": "Not found."}.
func getByID[T, V any](s *Server, c *reqCtx, byID map[string]*T, view func(*T) V) {
	s.lock()
	defer s.mu.Unlock()
	e := byID[c.r.PathValue("id")]
	if e == nil {
		c.notFound()
		return
	}
	c.json(http.StatusOK, view(e))
}

// ---- pagination ----

// defaultPageSize is DRF's PageNumberPagination size as IntaSend appears to
// configure it; ?page_size= may ask for up to maxPageSize.
const (
	defaultPageSize = 100
	maxPageSize     = 500
)

// pageJSON is DRF's envelope.
type pageJSON struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  any     `json:"results"`
}

// paginate answers one page of items (already filtered and ordered) with
// absolute next/previous links, or 404 {"detail":"Invalid page."} as DRF does.
func paginate[T any](c *reqCtx, items []T) {
	size := defaultPageSize
	if v, err := strconv.Atoi(c.r.URL.Query().Get("page_size")); err == nil && v > 0 {
		size = min(v, maxPageSize)
	}
	page := 1
	if p := c.r.URL.Query().Get("page"); p != "" {
		v, err := strconv.Atoi(p)
		if err != nil || v < 1 {
			c.detail(http.StatusNotFound, "Invalid page.")
			return
		}
		page = v
	}
	start := (page - 1) * size
	if start > 0 && start >= len(items) {
		c.detail(http.StatusNotFound, "Invalid page.")
		return
	}
	end := min(start+size, len(items))
	out := pageJSON{Count: len(items), Results: items[start:end]}
	if out.Results == nil || end == start {
		out.Results = []T{}
	}
	if end < len(items) {
		out.Next = c.pageLink(page + 1)
	}
	if page > 1 {
		out.Previous = c.pageLink(page - 1)
	}
	c.json(http.StatusOK, out)
}

func (c *reqCtx) pageLink(page int) *string {
	u := url.URL{Scheme: "http", Host: c.r.Host, Path: c.r.URL.Path}
	if c.r.TLS != nil {
		u.Scheme = "https"
	}
	if base := c.s.opts.BaseURL; base != "" {
		if b, err := url.Parse(base); err == nil {
			u.Scheme, u.Host = b.Scheme, b.Host
		}
	}
	q := c.r.URL.Query()
	q.Set("page", strconv.Itoa(page))
	u.RawQuery = q.Encode()
	s := u.String()
	return &s
}

// hostURL is the simulator's own origin, for links such as checkout URLs.
func (c *reqCtx) hostURL() string {
	if base := c.s.opts.BaseURL; base != "" {
		if b, err := url.Parse(base); err == nil {
			return b.Scheme + "://" + b.Host
		}
	}
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host
}
