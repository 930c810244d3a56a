// Package readcache is one shared read layer in front of IntaSend for a
// process that serves many consoles (`malipo serve`). It is an
// http.RoundTripper under the one client every session shares:
//
//   - identical reads in flight are merged (singleflight): 100 sessions
//     opening Collections at once make one request;
//   - a read's 2xx answer is kept for a short TTL, so a view shown again
//     within it (a tab switch) does not ask IntaSend again;
//   - anything that is not a plain read (initiate, approve, a refund, a PUT)
//     is passed through untouched, never merged or kept, and empties the
//     cache: after money moved, every session reads afresh. A webhook does
//     the same through Invalidate.
//
// Only what is certainly a read is cached: GET, and the few POSTs that
// IntaSend uses to look something up (status queries, checkout details, a
// fee estimate). The client's own "safe" flag is not enough: it marks
// retryable calls, and an idempotent PUT (a customer's update) is
// retryable but moves state.
//
// The layer sits below the client's retries and decoding: each session
// still decodes its own copy, so no session can change another's data.
package readcache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Defaults.
const (
	// DefaultTTL keeps a read for less than the consoles' live pace
	// (common.LiveEvery, 5 s): N sessions polling the same list at that
	// pace cost about one request per TTL, whatever N.
	DefaultTTL = 4 * time.Second
	// DefaultStatusTTL is shorter: a status query follows one payment a
	// person is watching on their phone, polled every 1.5 s.
	DefaultStatusTTL = time.Second
	// DefaultMaxBytes bounds what the cache holds (bodies), whatever the
	// number of sessions.
	DefaultMaxBytes = 32 << 20
	// fetchTimeout bounds a merged request: it no longer belongs to any
	// one session, so no session's cancellation ends it.
	fetchTimeout = 60 * time.Second
	// maxBody matches the client's own bound on an answer.
	maxBody = 64 << 20
)

// readPOSTs are the POST paths (below /api/v1/) that only read.
var readPOSTs = map[string]bool{
	"payment/status/":              true,
	"send-money/status/":           true,
	"checkout/details/":            true,
	"payment/get_amount_estimate/": true,
}

// statusPaths get DefaultStatusTTL.
var statusPaths = map[string]bool{"payment/status/": true, "send-money/status/": true}

// Options configure a Cache. Zero values take the defaults.
type Options struct {
	TTL, StatusTTL time.Duration
	MaxBytes       int
	// Now is the clock for expiry (tests).
	Now func() time.Time
}

// Cache is the shared read layer. It is safe for concurrent use.
type Cache struct {
	next  http.RoundTripper
	opts  Options
	group singleflight.Group

	mu      sync.Mutex
	gen     uint64 // bumped by every invalidation: a read begun before it is not kept
	entries map[string]*entry
	bytes   int

	upstream, hits, merged, invalidations atomic.Int64
	waiting                               atomic.Int64 // reads waiting on a request now
}

// entry is one kept answer.
type entry struct {
	status  int
	header  http.Header
	body    []byte
	expires time.Time
}

// Stats says what the cache did.
type Stats struct {
	Upstream      int64 // requests that reached IntaSend (reads and the rest)
	Hits          int64 // reads answered from a kept answer
	Merged        int64 // reads that shared their request with others (the one that made it included)
	Invalidations int64
	Waiting       int64 // reads waiting on a request right now
}

// New wraps next (when nil, a keep-alive transport like the client's own).
func New(next http.RoundTripper, o Options) *Cache {
	if next == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 16
		next = tr
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.StatusTTL <= 0 {
		o.StatusTTL = DefaultStatusTTL
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Cache{next: next, opts: o, entries: map[string]*entry{}}
}

// HTTPClient is an http.Client over the cache, for client.WithHTTPClient
// (the client's usual 60 s timeout).
func (c *Cache) HTTPClient() *http.Client {
	return &http.Client{Transport: c, Timeout: 60 * time.Second}
}

// CloseIdleConnections passes on to the transport below, so the client's
// CloseIdleConnections still reaches the pool.
func (c *Cache) CloseIdleConnections() {
	if ci, ok := c.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// Stats returns the counters so far.
func (c *Cache) Stats() Stats {
	return Stats{Upstream: c.upstream.Load(), Hits: c.hits.Load(), Merged: c.merged.Load(), Invalidations: c.invalidations.Load(), Waiting: c.waiting.Load()}
}

// Invalidate forgets every kept answer, and makes reads in flight not be
// kept either: something changed at IntaSend (money moved, a webhook came).
func (c *Cache) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
	c.bytes = 0
	c.invalidations.Add(1)
}

// RoundTrip answers reads from the cache or one merged request; everything
// else goes straight through and then empties the cache.
func (c *Cache) RoundTrip(req *http.Request) (*http.Response, error) {
	key, ttl, ok, err := c.keyOf(req)
	if err != nil {
		return nil, err
	}
	if !ok {
		return c.passThrough(req)
	}
	c.mu.Lock()
	e, gen := c.entries[key], c.gen
	if e != nil && c.opts.Now().Before(e.expires) {
		c.mu.Unlock()
		c.hits.Add(1)
		return e.response(req), nil
	}
	c.mu.Unlock()
	// The generation is part of the flight's name: a read asked for after
	// an invalidation never joins one that began before it.
	flight := strconv.FormatUint(gen, 10) + " " + key
	ch := c.group.DoChan(flight, func() (any, error) { return c.fetch(req, key, gen, ttl) })
	c.waiting.Add(1)
	defer c.waiting.Add(-1)
	select {
	case r := <-ch:
		if r.Shared {
			c.merged.Add(1)
		}
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*entry).response(req), nil
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
}

// passThrough sends what is not a read, once, and invalidates before and
// after: a read that overlaps it is neither kept nor joined.
func (c *Cache) passThrough(req *http.Request) (*http.Response, error) {
	c.Invalidate()
	defer c.Invalidate()
	c.upstream.Add(1)
	return c.next.RoundTrip(req)
}

// fetch makes the one request of a flight, detached from the session that
// happened to start it (others may be waiting on it), and keeps a 2xx
// answer unless an invalidation came meanwhile.
func (c *Cache) fetch(req *http.Request, key string, gen uint64, ttl time.Duration) (*entry, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(req.Context()), fetchTimeout)
	defer cancel()
	out := req.Clone(ctx)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		out.Body = body
	}
	c.upstream.Add(1)
	resp, err := c.next.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	e := &entry{status: resp.StatusCode, header: resp.Header.Clone(), body: body, expires: c.opts.Now().Add(ttl)}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		c.keep(key, gen, e)
	}
	return e, nil
}

// keep stores e if nothing was invalidated since the read began, making
// room within MaxBytes: expired answers go first, then the oldest.
func (c *Cache) keep(key string, gen uint64, e *entry) {
	size := len(e.body) + len(key)
	if size > c.opts.MaxBytes/4 {
		return // one huge batch status would push out everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if old := c.entries[key]; old != nil {
		c.bytes -= len(old.body) + len(key)
	}
	c.entries[key] = e
	c.bytes += size
	if c.bytes > c.opts.MaxBytes {
		c.evict()
	}
}

// evict drops expired answers, then the soonest to expire, until the
// cache fits. Called with mu held.
func (c *Cache) evict() {
	now := c.opts.Now()
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			c.drop(k, e)
		}
	}
	for c.bytes > c.opts.MaxBytes && len(c.entries) > 0 {
		var oldK string
		var old *entry
		for k, e := range c.entries {
			if old == nil || e.expires.Before(old.expires) {
				oldK, old = k, e
			}
		}
		c.drop(oldK, old)
	}
}

func (c *Cache) drop(k string, e *entry) {
	delete(c.entries, k)
	c.bytes -= len(e.body) + len(k)
}

// Bytes is the size of what is kept (tests, figures).
func (c *Cache) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Len is how many answers are kept (tests, figures).
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// keyOf names a read: method, URL, body, and a digest of the credentials
// (a cache shared by two accounts must not answer one with the other's
// data; the digest keeps the keys themselves out of the map). ok is false
// for anything that is not a read.
func (c *Cache) keyOf(req *http.Request) (key string, ttl time.Duration, ok bool, err error) {
	rel := apiPath(req.URL.Path)
	switch {
	case req.Method == http.MethodGet:
		ttl = c.opts.TTL
	case req.Method == http.MethodPost && readPOSTs[rel]:
		ttl = c.opts.TTL
		if statusPaths[rel] {
			ttl = c.opts.StatusTTL
		}
	default:
		return "", 0, false, nil
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		if body, err = io.ReadAll(io.LimitReader(req.Body, maxBody)); err != nil {
			return "", 0, false, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	h := sha256.New()
	for _, k := range []string{"Authorization", "X-IntaSend-Public-API-Key"} {
		io.WriteString(h, req.Header.Get(k)+"\n")
	}
	h.Write(body)
	return req.Method + " " + req.URL.String() + " " + hex.EncodeToString(h.Sum(nil)[:12]), ttl, true, nil
}

// apiPath is the path below /api/v1/ (or the path itself).
func apiPath(p string) string {
	if i := strings.Index(p, "/api/v1/"); i >= 0 {
		return p[i+len("/api/v1/"):]
	}
	return strings.TrimPrefix(p, "/")
}

// response is a fresh *http.Response over the kept body: each caller
// reads its own reader; the bytes are shared and never written.
func (e *entry) response(req *http.Request) *http.Response {
	return &http.Response{
		Status:        strconv.Itoa(e.status) + " " + http.StatusText(e.status),
		StatusCode:    e.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        e.header.Clone(),
		Body:          io.NopCloser(bytes.NewReader(e.body)),
		ContentLength: int64(len(e.body)),
		Request:       req,
	}
}
