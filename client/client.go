// Package client is a typed client for the IntaSend REST API
// (docs/intasend-api.md is the contract). It imports nothing else of
// malipo's. Amounts are exact (Amount, integer cents); reads and status
// queries are retried with jittered backoff; money-moving calls never are.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Version goes into the User-Agent.
const Version = "0.1.0"

// maxBody bounds a response: a 5,000-transaction batch status is ~3 MB.
const maxBody = 64 << 20

// Client talks to one IntaSend account. It is safe for concurrent use.
type Client struct {
	secretKey      string
	publishableKey string
	env            Env
	base           *url.URL
	http           *http.Client
	signer         Signer
	retry          RetryPolicy
	userAgent      string
	urls           sync.Map // path → its absolute URL: status polls ask for the same few
	pages          *pageMemo
}

// RetryPolicy governs retries of calls that are safe to repeat.
type RetryPolicy struct {
	MaxAttempts int           // total tries, including the first; 1 disables retries
	BaseDelay   time.Duration // first backoff; doubles each time, with full jitter
	MaxDelay    time.Duration // cap on one backoff, and on an honoured Retry-After
}

// DefaultRetry is used unless WithRetry says otherwise.
var DefaultRetry = RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond, MaxDelay: 5 * time.Second}

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL points the client at another host, such as `malipo sim`.
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := parseBase(raw)
		c.base = u
		return err
	}
}

// parseBase reads a base URL, defaulting the path to /api/v1/.
func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("base URL %q: want scheme://host[/api/v1/]", raw)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/api/v1/"
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// WithHTTPClient replaces the default http.Client (keep-alive, 60 s timeout).
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) error { c.http = h; return nil }
}

// WithSigner signs approval nonces with a device key.
func WithSigner(s Signer) Option {
	return func(c *Client) error { c.signer = s; return nil }
}

// WithRetry sets the retry policy for idempotent calls.
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error {
		if p.MaxAttempts < 1 {
			p.MaxAttempts = 1
		}
		c.retry = p
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error { c.userAgent = ua; return nil }
}

// New makes a client. Either key may be empty (bank codes, checkout and
// payment status need only the publishable key), not both. Both must belong
// to the same environment; the environment picks the base URL unless
// WithBaseURL overrides it.
func New(publishableKey, secretKey string, opts ...Option) (*Client, error) {
	c := &Client{
		publishableKey: publishableKey,
		secretKey:      secretKey,
		retry:          DefaultRetry,
		userAgent:      "malipo/" + Version,
		pages:          newPageMemo(),
	}
	if publishableKey == "" && secretKey == "" {
		return nil, errors.New("intasend client: no API key given")
	}
	for _, k := range []struct {
		key  string
		want KeyKind
	}{{publishableKey, PublishableKey}, {secretKey, SecretKey}} {
		if k.key == "" {
			continue
		}
		kind, env, err := ParseKey(k.key)
		if err != nil {
			return nil, err
		}
		if kind != k.want {
			return nil, fmt.Errorf("%w: expected a %s key, got a %s key", ErrKeyFormat, k.want, kind)
		}
		if c.env != "" && c.env != env {
			return nil, fmt.Errorf("%w: the publishable key is for %s but the secret key is for %s", ErrKeyFormat, c.env, env)
		}
		c.env = env
	}
	base := SandboxBaseURL
	if c.env == Live {
		base = LiveBaseURL
	}
	if err := WithBaseURL(base)(c); err != nil {
		return nil, err
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	// The one place every client is made: whatever the base URL's source
	// (flag, config.toml, a test), keys never go out in clear.
	if err := checkBase(c.env, c.base); err != nil {
		return nil, err
	}
	if c.http == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 16
		c.http = &http.Client{Transport: tr, Timeout: 60 * time.Second}
	}
	return c, nil
}

// CloseIdleConnections closes the keep-alive connections no request is
// using (a bounded pool: at most 16, each closed after 90 s idle anyway).
// A server measuring what its sessions left behind uses it to leave the
// shared pool out of the count.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// Env is the environment the keys belong to.
func (c *Client) Env() Env { return c.env }

// BaseURL is where requests go.
func (c *Client) BaseURL() string { return c.base.String() }

// HasSigner reports whether approvals will be signed.
func (c *Client) HasSigner() bool { return c.signer != nil }

// String never shows the keys.
func (c *Client) String() string {
	return fmt.Sprintf("intasend.Client{%s %s secret=%s}", c.env, c.base, MaskKey(c.secretKey))
}

// GoString never shows the keys.
func (c *Client) GoString() string { return c.String() }

type authMode int

const (
	authSecret authMode = iota // Authorization: Bearer <secret key>
	authPublic                 // publishable key only, no Bearer (checkout, status)
	authNone                   // no key needed; the publishable key goes along if we have it (bank codes)
)

// call describes one request.
type call struct {
	method string
	path   string // relative to /api/v1/, e.g. "wallets/ABC123/"
	query  url.Values
	body   any
	auth   authMode
	// safe marks calls that may be repeated without effect (reads, status
	// queries). Only safe calls are retried.
	safe bool
}

// do performs c, retrying if it is safe, and decodes a 2xx body into out.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("intasend %s %s: encode request: %w", cl.method, cl.path, err)
		}
	}
	attempts := 1
	if cl.safe {
		attempts = c.retry.MaxAttempts
	}
	var err error
	for try := 1; ; try++ {
		var wait time.Duration
		wait, err = c.once(ctx, cl, payload, out)
		if err == nil || try >= attempts || !IsRetryable(err) || ctx.Err() != nil {
			return err
		}
		if wait == 0 {
			wait = c.backoff(try)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// decodeInto performs cl and returns its 2xx answer decoded into a new T:
// the shape of nearly every typed call.
func decodeInto[T any](ctx context.Context, c *Client, cl call) (*T, error) {
	var out T
	if err := c.do(ctx, cl, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// backoff is full jitter: a random wait in [0, min(max, base·2^(try-1))].
func (c *Client) backoff(try int) time.Duration {
	d := c.retry.BaseDelay << (try - 1)
	if d <= 0 || d > c.retry.MaxDelay {
		d = c.retry.MaxDelay
	}
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}

// once sends one request. It returns the Retry-After wait IntaSend asked
// for, if any.
func (c *Client) once(ctx context.Context, cl call, payload []byte, out any) (time.Duration, error) {
	// WroteRequest runs on the transport's writer goroutine, which may still
	// be running when Do returns (an early answer): hence the atomic.
	var sent atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { sent.Store(true) }}
	req, err := c.newRequest(httptrace.WithClientTrace(ctx, trace), cl, payload)
	if err != nil {
		return 0, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, &TransportError{Method: cl.method, Path: cl.path, Sent: sent.Load(), Err: scrub(err)}
	}
	defer resp.Body.Close()
	data, err := readBody(resp)
	if err != nil {
		return 0, &TransportError{Method: cl.method, Path: cl.path, Sent: true, Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := parseAPIError(resp.StatusCode, cl.method, cl.path, data)
		ae.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), c.retry.MaxDelay)
		return ae.RetryAfter, ae
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return 0, nil
	}
	if err := unmarshal(data, out); err != nil {
		return 0, fmt.Errorf("intasend %s %s: %w: %w", cl.method, cl.path, errDecode, err)
	}
	return 0, nil
}

// newRequest builds cl's request with its headers and the key it needs,
// or says which key is missing.
func (c *Client) newRequest(ctx context.Context, cl call, payload []byte) (*http.Request, error) {
	target := c.url(cl.path)
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("intasend %s %s: %w", cl.method, cl.path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.publishableKey != "" {
		req.Header.Set("X-IntaSend-Public-API-Key", c.publishableKey)
	}
	if cl.auth == authPublic && c.publishableKey == "" {
		return nil, fmt.Errorf("intasend %s %s: this call needs the publishable key", cl.method, cl.path)
	}
	if cl.auth == authSecret {
		if c.secretKey == "" {
			return nil, fmt.Errorf("intasend %s %s: this call needs the secret key", cl.method, cl.path)
		}
		req.Header.Set("Authorization", "Bearer "+c.secretKey)
	}
	return req, nil
}

// url is the absolute URL of an API path (without a query), built once.
func (c *Client) url(path string) string {
	if u, ok := c.urls.Load(path); ok {
		return u.(string)
	}
	u := c.base.JoinPath(path)
	if strings.HasSuffix(path, "/") && !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	c.urls.Store(path, u.String())
	return u.String()
}

// readBody reads an answer (at most maxBody bytes) into a buffer of its
// exact size. io.ReadAll grows by doubling: for a 5,000-line batch (~2.6
// MB, sent chunked, so of no announced size) it left as much garbage again
// and a buffer up to twice the answer, which Batch.Raw then kept.
func readBody(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n <= maxBody {
		data := make([]byte, n)
		_, err := io.ReadFull(resp.Body, data)
		return data, err
	}
	r := io.LimitReader(resp.Body, maxBody)
	var blocks [][]byte // full blocks, each twice the one before (to 1 MB)
	cur := make([]byte, 0, 4<<10)
	total := 0
	for {
		if len(cur) == cap(cur) {
			blocks = append(blocks, cur)
			cur = make([]byte, 0, min(2*cap(cur), 1<<20))
		}
		n, err := r.Read(cur[len(cur):cap(cur)])
		cur, total = cur[:len(cur)+n], total+n
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err // as io.ReadAll: a cut-off answer is a transport error
		}
	}
	if len(blocks) == 0 {
		return cur, nil // the usual small answer: no copy
	}
	data := make([]byte, 0, total)
	for _, b := range blocks {
		data = append(data, b...)
	}
	return append(data, cur...), nil
}

// wireDecoder is an answer type that decodes itself in one pass (see
// PaymentStatus.unmarshalWire); the rest go through json.Unmarshal.
type wireDecoder interface {
	unmarshalWire(data []byte) error
}

func unmarshal(data []byte, out any) error {
	if d, ok := out.(wireDecoder); ok {
		return d.unmarshalWire(data)
	}
	return json.Unmarshal(data, out)
}

// errDecode marks a 2xx answer whose body could not be decoded: the call
// took effect even though its result is unknown.
var errDecode = errors.New("decode response")

// retryAfter reads seconds or an HTTP date, capped at max.
func retryAfter(h string, max time.Duration) time.Duration {
	if h == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	}
	if d < 0 {
		d = 0
	}
	if max > 0 && d > max {
		d = max
	}
	return d
}

// scrub drops the URL from *url.Error: it carries no key today, but query
// strings are a classic way for one to leak into a log.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Page is IntaSend's DRF pagination envelope.
type Page[T any] struct {
	Count    int    `json:"count"`
	Next     string `json:"next"`
	Previous string `json:"previous"`
	Results  []T    `json:"results"`
}

// UnmarshalJSON decodes either a paginated envelope or a bare array (old responses).
func (p *Page[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		p.Count, p.Next, p.Previous = 0, "", ""
		if err := json.Unmarshal(b, &p.Results); err != nil {
			return err
		}
		p.Count = len(p.Results)
		return nil
	}
	type plain Page[T]
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = Page[T](v)
	return nil
}

// HasNext reports whether another page follows.
func (p *Page[T]) HasNext() bool { return p.Next != "" }
