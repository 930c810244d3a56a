package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FaultKind is what an injected fault does to a request.
type FaultKind int

const (
	// Latency delays the request by Fault.Latency, then serves it normally.
	Latency FaultKind = iota + 1
	// ServerError answers Fault.Status (default 500) without processing.
	ServerError
	// TooMany answers 429 with Retry-After (Fault.RetryAfter, default 1 s)
	// without processing.
	TooMany
	// DropBefore closes the connection before processing: nothing happened,
	// and the client sees a transport error.
	DropBefore
	// DropAfter processes the request, then closes the connection instead
	// of answering: it happened, but the client cannot know (the ambiguous
	// case that must never make a client approve twice).
	DropAfter
	// Timeout processes the request, then stalls for Fault.Latency (default
	// 30 s) before answering, outlasting a client's timeout.
	Timeout
)

var faultKindNames = map[FaultKind]string{
	Latency: "latency", ServerError: "5xx", TooMany: "429",
	DropBefore: "drop-before", DropAfter: "drop-after", Timeout: "timeout",
}

// String is the kind's name in a fault spec and in Counters.Faults.
func (k FaultKind) String() string {
	if n, ok := faultKindNames[k]; ok {
		return n
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault injects one kind of failure into matching requests.
type Fault struct {
	// Route selects requests: "*" (or "") matches every route; otherwise a
	// substring of the route "METHOD path/", e.g. "approve",
	// "send-money/status", "POST send-money/initiate/".
	Route string
	Kind  FaultKind
	// Rate is the probability in [0,1] that a matching request gets the
	// fault. Zero means always (a fault with no rate is meant to happen).
	Rate float64
	// Latency is the delay (Latency) or the stall (Timeout).
	Latency time.Duration
	// RetryAfter is sent with TooMany, rounded up to whole seconds.
	RetryAfter time.Duration
	// Status is the ServerError status (500..599; default 500).
	Status int
}

func (f Fault) matches(route string) bool {
	return f.Route == "" || f.Route == "*" || strings.Contains(route, f.Route)
}

// faultSet holds the active faults with their own lock and random source,
// seeded from the simulator's, so fault decisions never touch the state
// lock (they run before it is taken).
type faultSet struct {
	mu     sync.Mutex
	faults []Fault
	rng    *rand.Rand
	// active is len(faults), read without the lock: with no faults set (the
	// usual case) a request takes no lock here.
	active atomic.Int64
}

func newFaultSet(f []Fault, rng *rand.Rand) *faultSet {
	// Called from New before the server is shared, so rng is safe to use.
	seed := rng.Uint64()
	fs := &faultSet{faults: append([]Fault(nil), f...), rng: rand.New(rand.NewPCG(seed, seed^0xfa017))}
	fs.active.Store(int64(len(f)))
	return fs
}

// SetFaults replaces the active faults; nil turns fault injection off.
func (s *Server) SetFaults(f []Fault) {
	s.faults.mu.Lock()
	s.faults.faults = append([]Fault(nil), f...)
	s.faults.active.Store(int64(len(f)))
	s.faults.mu.Unlock()
}

// pick returns the matching faults that fire for this request, in order.
func (fs *faultSet) pick(route string) []Fault {
	if fs.active.Load() == 0 {
		return nil
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var out []Fault
	for _, f := range fs.faults {
		if !f.matches(route) {
			continue
		}
		if f.Rate > 0 && f.Rate < 1 && fs.rng.Float64() >= f.Rate {
			continue
		}
		out = append(out, f)
	}
	return out
}

// before may answer the request itself (injected error, dropped connection
// before processing); it returns true when it did. It also applies latency.
func (fs *faultSet) before(c *reqCtx) bool {
	fired := fs.pick(c.route)
	var after *Fault
	defer func() {
		if after != nil {
			// Carried to wrap on the request's context: reqCtx is shared.
			c.r = c.r.WithContext(context.WithValue(c.r.Context(), afterFaultKey{}, *after))
		}
	}()
	for _, f := range fired {
		switch f.Kind {
		case Latency:
			c.s.counters.fault(f.Kind)
			if !sleepCtx(c.r, f.Latency) {
				return true // the client went away
			}
		case ServerError:
			c.s.counters.fault(f.Kind)
			status := f.Status
			if status < 500 || status > 599 {
				status = http.StatusInternalServerError
			}
			detail := "A server error occurred."
			if status == http.StatusServiceUnavailable {
				detail = "Service temporarily unavailable, try again later."
			}
			c.json(status, map[string]any{"type": "server_error", "errors": []ErrorItem{{Code: "error", Detail: detail}}})
			return true
		case TooMany:
			c.s.counters.fault(f.Kind)
			secs := int((max(f.RetryAfter, time.Second) + time.Second - 1) / time.Second)
			c.w.Header().Set("Retry-After", strconv.Itoa(secs))
			c.clientError(http.StatusTooManyRequests, "throttled",
				fmt.Sprintf("Request was throttled. Expected available in %d second%s.", secs, plural(secs)))
			return true
		case DropBefore:
			c.s.counters.fault(f.Kind)
			dropConn(c.w)
			return true
		case DropAfter, Timeout:
			if after == nil {
				after = &f // only the first after-fault applies
			}
		}
	}
	return false
}

type afterFaultKey struct{}

// wrap may run h and then lose or delay the answer; it returns true when it
// ran h itself.
func (fs *faultSet) wrap(c *reqCtx, h handler) bool {
	f, ok := c.r.Context().Value(afterFaultKey{}).(Fault)
	if !ok {
		return false
	}
	orig := c.w
	buf := &bufferWriter{header: http.Header{}}
	c.w = buf
	c.run(h)
	c.w = orig
	c.s.counters.fault(f.Kind)
	if f.Kind == DropAfter {
		dropConn(orig)
		return true
	}
	stall := f.Latency
	if stall <= 0 {
		stall = 30 * time.Second
	}
	if sleepCtx(c.r, stall) {
		buf.copyTo(orig)
	}
	return true
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// sleepCtx waits d unless the client goes away first; it reports whether
// the full delay passed.
func sleepCtx(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// dropConn closes the client's connection without an answer. Hijacking
// works on HTTP/1.x; elsewhere http.ErrAbortHandler makes the server reset
// the stream.
func dropConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // RST, not a graceful FIN: a real drop
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// bufferWriter captures a handler's answer so a fault can discard or delay it.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferWriter) copyTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// FaultSpecHelp documents ParseFaults' grammar (shown by `malipo sim --help`).
const FaultSpecHelp = `A fault spec is a comma-separated list of rules:

  RULE  = ROUTE ":" KIND [ "=" ARG { "/" ARG } ]
  ROUTE = "*" (every route) | a piece of the route "METHOD path/", e.g.
          approve, initiate, send-money/status, "POST wallets/"
  KIND  = latency | 5xx | 429 | drop-before | drop-after | timeout
          (aliases: error = 5xx, throttle = 429, drop = drop-before)
  ARG   = a rate: 0.2 or 20% (probability per matching request; default
          always) | a duration: 50ms, 2s (latency: the delay; timeout: the
          stall, default 30s; 429: Retry-After, default 1s) | a status
          500-599 (5xx only; default 500)

  latency      wait, then serve normally
  5xx          answer a server error without processing
  429          answer 429 Too Many Requests with Retry-After, no processing
  drop-before  close the connection before processing (nothing happened)
  drop-after   process, then close the connection (it happened; the client
               cannot tell)
  timeout      process, then stall before answering

Example: approve:drop-after=0.2,initiate:5xx=0.1/503,*:latency=50ms,*:429=5%/2s`

var faultKindByName = map[string]FaultKind{
	"latency": Latency, "delay": Latency,
	"5xx": ServerError, "error": ServerError, "server-error": ServerError,
	"429": TooMany, "throttle": TooMany, "too-many": TooMany,
	"drop-before": DropBefore, "drop": DropBefore,
	"drop-after": DropAfter,
	"timeout":    Timeout,
}

// ParseFaults reads a fault spec (see FaultSpecHelp), e.g.
// "approve:drop-after=0.2,initiate:5xx=0.1,*:latency=50ms,*:429=0.05".
func ParseFaults(spec string) ([]Fault, error) {
	var out []Fault
	for _, rule := range strings.Split(spec, ",") {
		rule = strings.TrimSpace(rule)
		if rule == "" {
			continue
		}
		f, err := parseFaultRule(rule)
		if err != nil {
			return nil, fmt.Errorf("fault %q: %w", rule, err)
		}
		out = append(out, f)
	}
	return out, nil
}

func parseFaultRule(rule string) (Fault, error) {
	route, rest, ok := strings.Cut(rule, ":")
	if !ok {
		return Fault{}, errors.New(`want ROUTE:KIND[=ARG], e.g. "approve:drop-after=0.2"`)
	}
	kindName, args, _ := strings.Cut(rest, "=")
	kind, ok := faultKindByName[strings.ToLower(strings.TrimSpace(kindName))]
	if !ok {
		return Fault{}, fmt.Errorf("unknown kind %q (latency, 5xx, 429, drop-before, drop-after, timeout)", kindName)
	}
	f := Fault{Route: strings.TrimSpace(route), Kind: kind}
	if args == "" {
		if kind == Latency {
			return Fault{}, errors.New("latency needs a duration, e.g. *:latency=50ms")
		}
		return f, nil
	}
	for _, a := range strings.Split(args, "/") {
		if err := f.setArg(strings.TrimSpace(a)); err != nil {
			return Fault{}, err
		}
	}
	if kind == Latency && f.Latency <= 0 {
		return Fault{}, errors.New("latency needs a duration, e.g. *:latency=50ms")
	}
	return f, nil
}

func (f *Fault) setArg(a string) error {
	if p, ok := strings.CutSuffix(a, "%"); ok {
		return f.setPercent(a, p)
	}
	if d, err := time.ParseDuration(a); err == nil && d > 0 && strings.IndexFunc(a, isUnit) >= 0 {
		return f.setDuration(d)
	}
	if n, err := strconv.Atoi(a); err == nil && n >= 100 {
		return f.setStatus(n)
	}
	v, err := strconv.ParseFloat(a, 64)
	if err != nil || v < 0 || v > 1 {
		return fmt.Errorf("bad argument %q: want a rate (0.2, 20%%), a duration (50ms) or a 5xx status", a)
	}
	if v == 0 {
		return errors.New("a rate of 0 never fires; leave the rule out")
	}
	f.Rate = v
	return nil
}

// setPercent takes a rate written as a percentage (p is a without its %).
func (f *Fault) setPercent(a, p string) error {
	v, err := strconv.ParseFloat(p, 64)
	if err != nil || v < 0 || v > 100 {
		return fmt.Errorf("bad rate %q (0%%..100%%)", a)
	}
	if v == 0 {
		return errors.New("a rate of 0% never fires; leave the rule out")
	}
	f.Rate = v / 100
	return nil
}

// setDuration is a latency (latency, timeout) or a Retry-After (429).
func (f *Fault) setDuration(d time.Duration) error {
	switch f.Kind {
	case Latency, Timeout:
		f.Latency = d
	case TooMany:
		f.RetryAfter = d
	default:
		return fmt.Errorf("%s takes no duration", f.Kind)
	}
	return nil
}

// setStatus is a 5xx fault's status.
func (f *Fault) setStatus(n int) error {
	if f.Kind != ServerError || n > 599 || n < 500 {
		return fmt.Errorf("status %d: only 5xx takes a status, 500..599", n)
	}
	f.Status = n
	return nil
}

func isUnit(r rune) bool { return r >= 'a' && r <= 'z' || r == 'µ' }
