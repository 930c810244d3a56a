package sim

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

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
// A reqCtx, with the body in it, is recycled once its answer is written
// (reqCtxs): handlers keep copies of what they need, never c, c.body or a
// slice of it (decoding copies: strings, json.RawMessage).
type reqCtx struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	body  []byte
	route string // the route pattern, e.g. "POST send-money/initiate/"

	// The answer json chose, written by flush once the handler has
	// returned, that is after its deferred s.mu.Unlock: encoding a view
	// under the state lock serialised every request behind the slowest.
	status   int
	answer   any
	answered bool

	// The publishable key, looked up once (see publicKey).
	pubKey    string
	pubKeyHit bool

	// The body as a flat object (flatjson.go), scanned once for both the
	// public key and decode; flatOK is false when it is not one.
	flat             []flatKV
	flatOK, flatDone bool
	flatBuf          [4]flatKV // room for the hot routes' bodies (two members)

	// The URL's query, parsed once (see query).
	q url.Values

	// bodyBuf holds a body of up to its size (the hot routes' are under
	// 200 bytes), so reading one allocates nothing.
	bodyBuf [512]byte
}

// reqCtxs recycles request contexts: one was the largest allocation of a
// short request, and every allocation is also collector work on the
// same two cores the clients use.
var reqCtxs = sync.Pool{New: func() any { return new(reqCtx) }}

// noQuery is the query of a URL without one; nothing writes to it.
var noQuery = url.Values{}

// query is c.r.URL.Query(), parsed at most once: URL.Query parses and
// allocates on every call, and a list handler asks several times.
func (c *reqCtx) query() url.Values {
	if c.q == nil {
		if c.r.URL.RawQuery == "" {
			c.q = noQuery
		} else {
			c.q = c.r.URL.Query()
		}
	}
	return c.q
}

type handler func(c *reqCtx)

// handle registers h for method and path (relative to /api/v1/, written
// with IntaSend's trailing slash). The slash-less form is served too: the
// Python SDK calls several GETs without it and Django would redirect.
func (s *Server) handle(method, path string, auth authMode, h handler) {
	route := method + " " + path
	count := s.counters.route(route)
	wrapped := func(w http.ResponseWriter, r *http.Request) {
		s.serve(route, count, auth, h, w, r)
	}
	full := apiPrefix + strings.TrimSuffix(path, "/")
	patterns := []string{method + " " + full + "/{$}", method + " " + full}
	for _, p := range patterns {
		s.mux.HandleFunc(p, wrapped)
	}
	if !strings.Contains(path, "{") {
		for i, p := range []string{full + "/", full} {
			s.exact[p] = append(s.exact[p], exactRoute{method, patterns[i], wrapped})
		}
	}
}

// exactRoute is a route without wildcards, found by its path alone;
// pattern is its ServeMux pattern (TestExactRoutesAreTheMuxs).
type exactRoute struct {
	method, pattern string
	h               http.HandlerFunc
}

// exactHandler is the handler of a route without wildcards registered for
// exactly r's method and path, or nil. ServeMux would pick the same one (a
// literal path is the most specific pattern that can match it), but only
// after cleaning the path and walking its routing tree, a tenth of a
// short request's own CPU. A path with escapes, a HEAD or anything else
// goes to the mux.
func (s *Server) exactHandler(r *http.Request) http.HandlerFunc {
	if r.URL.RawPath != "" {
		return nil
	}
	for _, e := range s.exact[r.URL.Path] {
		if e.method == r.Method {
			return e.h
		}
	}
	return nil
}

func (s *Server) serve(route string, count *atomic.Int64, auth authMode, h handler, w http.ResponseWriter, r *http.Request) {
	c := reqCtxs.Get().(*reqCtx)
	defer func() {
		c.flush() // the answers given before the handler runs (auth, faults)
		*c = reqCtx{}
		reqCtxs.Put(c)
	}()
	body, err := readRequestBody(r, c.bodyBuf[:])
	if err != nil {
		return // the client went away
	}
	c.s, c.w, c.r, c.body, c.route = s, w, r, body, route
	if len(body) > maxRequestBody {
		c.clientError(http.StatusRequestEntityTooLarge, "request_too_large", "Request body is too large.")
		return
	}
	count.Add(1)
	if s.faults.before(c) {
		return
	}
	if !c.authenticate(auth) {
		return
	}
	if s.faults.wrap(c, h) {
		return
	}
	c.run(h)
}

// readRequestBody reads the body, at most maxRequestBody+1 bytes (so an
// over-long one shows), into buf when it fits, else into a buffer of the
// announced size when there is one: io.ReadAll doubles its way up, leaving
// about as much garbage as a 5,000-line initiate's megabyte.
func readRequestBody(r *http.Request, buf []byte) ([]byte, error) {
	if r.ContentLength == 0 && (r.Body == nil || r.Body == http.NoBody) {
		return nil, nil // how net/http's server hands over a request without a body
	}
	if n := r.ContentLength; n > 0 && n <= maxRequestBody {
		body := buf[:0]
		if n > int64(cap(buf)) {
			body = make([]byte, n)
		}
		body = body[:n]
		_, err := io.ReadFull(r.Body, body)
		return body, err
	}
	// No length (chunked, as the Node SDK sends): into buf while it fits.
	lr := io.LimitReader(r.Body, maxRequestBody+1)
	n, err := io.ReadFull(lr, buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return buf[:n], nil
	case err != nil:
		return nil, err
	}
	rest, err := io.ReadAll(lr)
	return append(buf[:n:n], rest...), err
}

// run calls h and then writes the answer it chose (c.w must be set).
func (c *reqCtx) run(h handler) {
	h(c)
	c.flush()
}

// authenticate applies IntaSend's rules (docs/intasend-api.md §1.2). The 401 bodies are
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

// publicKeyHeaders are where SDKs put the publishable key, if not in the
// body, in the canonical form Header.Get would compute on every call.
var publicKeyHeaders = canonicalKeys("X-IntaSend-Public-API-Key", "INTASEND_PUBLIC_API_KEY", "X-IntaSend-Public-Key")

func canonicalKeys(keys ...string) []string {
	for i, k := range keys {
		keys[i] = textproto.CanonicalMIMEHeaderKey(k)
	}
	return keys
}

// publicKey finds the publishable key wherever an SDK put it. Auth and
// some handlers both ask, so the body is searched at most once.
func (c *reqCtx) publicKey() string {
	if !c.pubKeyHit {
		c.pubKey, c.pubKeyHit = c.findPublicKey(), true
	}
	return c.pubKey
}

func (c *reqCtx) findPublicKey() string {
	for _, h := range publicKeyHeaders {
		if vs := c.r.Header[h]; len(vs) > 0 && strings.TrimSpace(vs[0]) != "" {
			return strings.TrimSpace(vs[0])
		}
	}
	if kvs, ok := c.flatBody(); ok {
		key, _ := flatField(kvs, "public_key")
		return strings.TrimSpace(key)
	}
	var b struct {
		PublicKey string `json:"public_key"`
	}
	if mayNamePublicKey(c.body) && json.Unmarshal(c.body, &b) == nil {
		return strings.TrimSpace(b.PublicKey)
	}
	return ""
}

// mayNamePublicKey is false only for a body that cannot hold a public_key
// field, so most bodies (the Go client sends the key in a header) are not
// decoded for it. encoding/json matches keys case-insensitively and after
// unescaping, hence the fold and the backslash.
func mayNamePublicKey(body []byte) bool {
	const key = "public_key"
	if bytes.IndexByte(body, '\\') >= 0 {
		return true
	}
	for i := 0; i+len(key) <= len(body); i++ {
		if body[i]|0x20 == 'p' && bytes.EqualFold(body[i:i+len(key)], []byte(key)) {
			return true
		}
	}
	return false
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
	// A client sends the same key on every request: the last one accepted
	// of each kind is remembered (the answer depends on the key alone),
	// sparing ParseKey, which builds strings.
	memo := &s.goodKeys[0]
	if want == client.SecretKey {
		memo = &s.goodKeys[1]
	}
	if k := memo.Load(); k != nil && *k == key {
		return true
	}
	kind, env, err := client.ParseKey(key)
	// The simulator is a sandbox: live keys are refused, as the sandbox does.
	ok := err == nil && kind == want && env == client.Sandbox
	if ok {
		rememberKey(memo, key)
	}
	return ok
}

// rememberKey is apart from keyOK so that only a new key is copied to the
// heap, not every key keyOK is asked about.
func rememberKey(memo *atomic.Pointer[string], key string) { memo.Store(&key) }

// flatBody is the body as a flat object, if it is one (flatObject).
func (c *reqCtx) flatBody() ([]flatKV, bool) {
	if !c.flatDone {
		c.flat, c.flatOK = flatObject(c.flatBuf[:0], c.body)
		c.flatDone = true
	}
	return c.flat, c.flatOK
}

// flatDecoder is a request type that can fill itself from a flat object
// exactly as json.Unmarshal would.
type flatDecoder interface{ decodeFlat(kvs []flatKV) }

// decodeFlat decodes a flat body into the types that know how without
// encoding/json; false leaves v to it.
func (c *reqCtx) decodeFlat(v any) bool {
	kvs, ok := c.flatBody()
	if !ok {
		return false
	}
	switch v := v.(type) {
	case *map[string]json.RawMessage:
		if *v == nil {
			*v = make(map[string]json.RawMessage, len(kvs))
		}
		flatRawMap(*v, kvs)
		return true
	case flatDecoder:
		v.decodeFlat(kvs)
		return true
	}
	return false
}

// decode reads the JSON body into v, answering 400 itself when it cannot.
// An empty body decodes as {}.
func (c *reqCtx) decode(v any) bool {
	if c.decodeFlat(v) {
		return true
	}
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

// json sets the answer; flush writes it after the handler returns, with
// the state lock released. So v must share no memory that state changes
// write to: the views are value copies (strings, amounts, fresh slices),
// never pointers into the store.
func (c *reqCtx) json(status int, v any) {
	c.status, c.answer, c.answered = status, v, true
}

// flush writes the answer json set, if any, once.
func (c *reqCtx) flush() {
	if !c.answered {
		return
	}
	c.answered = false
	writeJSON(c.w, c.status, c.answer)
	c.answer = nil
}

// jsonContentType is set by map assignment: Header.Set would canonicalise
// the name and allocate the value's slice on every answer.
var jsonContentType = []string{"application/json"}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header()["Content-Type"] = jsonContentType
	if e, ok := v.(*cachedAnswer); ok {
		w.WriteHeader(status)
		_, _ = w.Write(e.body)
		return
	}
	bp := answerBufs.Get().(*[]byte)
	defer answerBufs.Put(bp)
	if st, ok := v.(jsonStreamer); ok {
		w.WriteHeader(status)
		body := st.streamJSON((*bp)[:0], func(b []byte) []byte {
			_, _ = w.Write(b)
			return b[:0]
		})
		_, _ = w.Write(append(body, '\n')) // as json.Encoder ends a value
		if cap(body) <= maxPooledAnswer {
			*bp = body[:0]
		}
		return
	}
	if body, ok := appendFast((*bp)[:0], v); ok {
		w.WriteHeader(status)
		_, _ = w.Write(append(body, '\n'))
		if cap(body) <= maxPooledAnswer {
			*bp = body[:0]
		}
		return
	}
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// answerBufs recycles the buffers of hand-encoded answers (encode.go); a
// buffer grown past maxPooledAnswer is left to the collector.
var answerBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxPooledAnswer = 64 << 10

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

// strSlab hands out the nullable (*string) fields of one view from one
// array: a status view has up to nine, and strPtr's allocation each was
// the larger part of building it. Growing the slab leaves the pointers
// already handed out pointing at the old array, which holds the same
// strings, so they stay right.
type strSlab []string

func (sl *strSlab) ptr(s string) *string {
	if s == "" {
		return nil
	}
	if len(*sl) == cap(*sl) {
		*sl = make([]string, 0, 8)
	}
	*sl = append(*sl, s)
	return &(*sl)[len(*sl)-1]
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
	if out, ok := pageOf(c, items); ok {
		c.json(http.StatusOK, out)
	}
}

// pageOf is the page paginate answers; when ok is false it has answered 404.
func pageOf[T any](c *reqCtx, items []T) (pageJSON, bool) {
	size := defaultPageSize
	// Atoi("") would allocate its error on every list without the parameter.
	if ps := c.query().Get("page_size"); ps != "" {
		if v, err := strconv.Atoi(ps); err == nil && v > 0 {
			size = min(v, maxPageSize)
		}
	}
	page := 1
	if p := c.query().Get("page"); p != "" {
		v, err := strconv.Atoi(p)
		if err != nil || v < 1 {
			c.detail(http.StatusNotFound, "Invalid page.")
			return pageJSON{}, false
		}
		page = v
	}
	start := (page - 1) * size
	if start > 0 && start >= len(items) {
		c.detail(http.StatusNotFound, "Invalid page.")
		return pageJSON{}, false
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
	return out, true
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
