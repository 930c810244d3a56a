package sim

// Webhook delivery: an outbox on the simulator's clock.
//
// Events (webhook_events.go) are queued under the state lock; the HTTP
// posts are made by DeliverDue, which takes what is due, lets go of every
// lock, sends, and records the outcome. So a slow or hanging receiver never
// blocks the API, a test steps a ManualClock and calls DeliverDue to see each
// attempt, and `malipo sim` runs DeliverDue in a loop (RunWebhooks).
//
// Policy, from IntaSend's webhook docs (docs/intasend-api.md §2.10):
//   - One attempt when the event happens, then "five more times with
//     exponential delays", the first after 5 minutes, then 20: each delay is
//     four times the last, so retries come 5m, 20m, 1h20m, 5h20m and 21h20m
//     after the attempt before. After the sixth failure the delivery is given up.
//   - Only a 2xx answer is a success; redirects are not followed (IntaSend
//     posts to the URL you gave), timeouts and transport errors are failures.
//   - The account's webhook is disabled after 20 consecutive failed
//     attempts: its pending deliveries are dropped and new events are not
//     queued until EnableWebhook (IntaSend: "contact customer support").
//     Per-request callback_urls are retried the same way but never disable
//     anything: they belong to one batch.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"
)

// WebhookOptions configure the account's webhook, as the IntaSend dashboard does.
type WebhookOptions struct {
	// URL receives every collection, send-money and chargeback event.
	// Empty: only per-request callback_urls get events.
	URL string
	// Challenge is put in every payload as "challenge", as IntaSend does;
	// receivers compare it with theirs.
	Challenge string
	// Secret, when set, signs each body: X-IntaSend-Signature carries the
	// lower-case hex HMAC-SHA256 of the body. IntaSend documents no such
	// header; it is the simulator's option for receivers that want one.
	Secret string
	// Client sends the posts. Nil: a client that follows no redirects.
	Client *http.Client
	// Timeout bounds one attempt (default 10s).
	Timeout time.Duration
}

// Delivery headers. The X-Sim-* ones are the simulator's own: IntaSend
// sends none of them, so receivers must not depend on them in production.
const (
	HeaderSignature = "X-IntaSend-Signature"
	HeaderEventID   = "X-Sim-Event-Id"
	HeaderEventType = "X-Sim-Event-Type"
	HeaderAttempt   = "X-Sim-Attempt"
)

// webhookMaxAttempts is the first attempt plus IntaSend's five retries.
const webhookMaxAttempts = 6

// webhookDisableAfter is how many consecutive failures disable the webhook.
const webhookDisableAfter = 20

// webhookKeepDone bounds the log: finished deliveries beyond it are dropped,
// oldest first, so a simulator left running for days stays small.
const webhookKeepDone = 1000

// WebhookRetryDelays returns the waits before each retry: 5m, then ×4.
func WebhookRetryDelays() []time.Duration {
	d := make([]time.Duration, webhookMaxAttempts-1)
	for i := range d {
		d[i] = 5 * time.Minute << (2 * i)
	}
	return d
}

// Event is one state change announced to receivers.
type Event struct {
	ID     string    `json:"id"` // stable across retries, for de-duplication
	Type   string    `json:"type"`
	Object string    `json:"object"` // invoice_id, tracking_id or chargeback_id
	State  string    `json:"state"`  // state, status_code or status
	At     time.Time `json:"at"`
}

// Delivery targets.
const (
	TargetWebhook  = "webhook"
	TargetCallback = "callback_url"
)

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"   // six attempts failed
	DeliveryDisabled  = "disabled" // dropped when the webhook was disabled
)

// WebhookAttempt is one POST of a delivery.
type WebhookAttempt struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code,omitempty"` // 0: no answer
	Error      string    `json:"error,omitempty"`
}

// WebhookDelivery is one event on its way to one URL. The body is not
// part of it: it holds the challenge.
type WebhookDelivery struct {
	Event       Event            `json:"event"`
	Target      string           `json:"target"`
	URL         string           `json:"url"` // without a password
	Status      string           `json:"status"`
	Attempts    []WebhookAttempt `json:"attempts"`
	NextAttempt *time.Time       `json:"next_attempt"`
}

// WebhookState is the account's webhook as the dashboard would show it.
type WebhookState struct {
	URL                 string `json:"url"`
	Enabled             bool   `json:"enabled"`
	ConsecutiveFailures int    `json:"consecutive_failures"`
	Signed              bool   `json:"signed"`
}

type delivery struct {
	WebhookDelivery
	seq      int64
	url      string
	body     []byte
	due      time.Time
	inflight bool
}

// hookState is the outbox. Its lock nests inside s.mu (events are queued
// with s.mu held) and is held alone while results are recorded.
type hookState struct {
	mu       sync.Mutex
	opts     WebhookOptions
	client   *http.Client
	tag      string
	watch    watcher // guarded by s.mu, not mu
	nEvents  int64
	seq      int64
	queue    []*delivery
	failures int
	disabled bool
}

func (s *Server) initWebhooks() {
	h := &s.hooks
	h.opts = s.opts.Webhook
	if h.opts.Timeout <= 0 {
		h.opts.Timeout = 10 * time.Second
	}
	h.client = h.opts.Client
	if h.client == nil {
		h.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	h.tag = runTag(s.opts.Rand, s.clock.Now())
	s.startWatching()
}

// wants reports whether an event has anywhere to go.
func (h *hookState) wants(callback string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return callback != "" || (h.opts.URL != "" && !h.disabled)
}

func (h *hookState) enqueue(ev Event, body []byte, callback string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nEvents++
	ev.ID = eventID(h.tag, h.nEvents)
	add := func(target, u string) {
		h.seq++
		due := ev.At
		h.queue = append(h.queue, &delivery{
			WebhookDelivery: WebhookDelivery{Event: ev, Target: target, URL: redactURL(u), Status: DeliveryPending, NextAttempt: &due},
			seq:             h.seq, url: u, body: body, due: due,
		})
	}
	if h.opts.URL != "" && !h.disabled {
		add(TargetWebhook, h.opts.URL)
	}
	if callback != "" {
		add(TargetCallback, callback)
	}
}

func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	return p.Redacted()
}

// DeliverDue brings every state machine up to the clock, then makes every
// delivery attempt that is due, one after another in the order they fell
// due, without holding the simulator's lock. It returns how many attempts
// it made. Tests call it after stepping a ManualClock; RunWebhooks calls it
// in a loop.
func (s *Server) DeliverDue(ctx context.Context) int {
	s.lock()
	now := s.clock.Now()
	s.mu.Unlock()
	due := s.hooks.take(now)
	made := 0
	for i, d := range due {
		if ctx.Err() != nil { // shutting down: what is left stays due
			s.hooks.release(due[i:])
			break
		}
		if !s.hooks.stillWanted(d) {
			continue
		}
		at := s.clock.Now()
		code, err := s.hooks.post(ctx, d)
		if ctx.Err() != nil && code == 0 {
			s.hooks.release(due[i:]) // our cancellation, not the receiver's failure
			break
		}
		s.hooks.record(d, at, code, err)
		made++
	}
	return made
}

// release puts deliveries taken by take back, unattempted.
func (h *hookState) release(ds []*delivery) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, d := range ds {
		d.inflight = false
	}
}

// take marks the due deliveries in flight and returns them in due order.
func (h *hookState) take(now time.Time) []*delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	var due []*delivery
	for _, d := range h.queue {
		if d.Status == DeliveryPending && !d.inflight && !d.due.After(now) {
			d.inflight = true
			due = append(due, d)
		}
	}
	slices.SortFunc(due, func(a, b *delivery) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return int(a.seq - b.seq)
	})
	return due
}

// stillWanted drops a webhook delivery whose webhook was disabled by an
// earlier attempt of the same round.
func (h *hookState) stillWanted(d *delivery) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if d.Status != DeliveryPending {
		d.inflight = false
		return false
	}
	return true
}

func (h *hookState) post(ctx context.Context, d *delivery) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, h.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "malipo-sim-webhooks/1")
	req.Header.Set(HeaderEventID, d.Event.ID)
	req.Header.Set(HeaderEventType, d.Event.Type)
	req.Header.Set(HeaderAttempt, strconv.Itoa(len(d.Attempts)+1))
	if h.opts.Secret != "" {
		req.Header.Set(HeaderSignature, SignWebhook(h.opts.Secret, d.body))
	}
	res, err := h.client.Do(req)
	if err != nil {
		return 0, err
	}
	// Drain a little so the connection can be reused; the answer's body
	// means nothing to IntaSend.
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, errors.New(res.Status)
	}
	return res.StatusCode, nil
}

// SignWebhook is the X-IntaSend-Signature of body: the lower-case hex
// HMAC-SHA256 with secret. Receivers compare it with hmac.Equal.
func SignWebhook(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// record notes an attempt's outcome and decides what happens next.
func (h *hookState) record(d *delivery, at time.Time, code int, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	d.inflight = false
	a := WebhookAttempt{At: at, StatusCode: code}
	if err != nil {
		a.Error = err.Error()
	}
	d.Attempts = append(d.Attempts, a)
	switch {
	case err == nil:
		d.Status, d.NextAttempt, d.body = DeliveryDelivered, nil, nil
	case len(d.Attempts) >= webhookMaxAttempts:
		d.Status, d.NextAttempt, d.body = DeliveryFailed, nil, nil
	default:
		d.due = at.Add(WebhookRetryDelays()[len(d.Attempts)-1])
		next := d.due
		d.NextAttempt = &next
	}
	if d.Target == TargetWebhook {
		h.countWebhook(err == nil)
	}
	h.trim()
}

// countWebhook tracks consecutive failures of the account's webhook and
// disables it at the threshold. Call with h.mu held.
func (h *hookState) countWebhook(ok bool) {
	if ok {
		h.failures = 0
		return
	}
	h.failures++
	if h.failures < webhookDisableAfter || h.disabled {
		return
	}
	h.disabled = true
	for _, d := range h.queue {
		if d.Target == TargetWebhook && d.Status == DeliveryPending {
			d.Status, d.NextAttempt, d.body = DeliveryDisabled, nil, nil
		}
	}
}

// trim drops the oldest finished deliveries beyond webhookKeepDone.
func (h *hookState) trim() {
	done := 0
	for _, d := range h.queue {
		if d.Status != DeliveryPending {
			done++
		}
	}
	if done <= webhookKeepDone {
		return
	}
	drop := done - webhookKeepDone
	h.queue = slices.DeleteFunc(h.queue, func(d *delivery) bool {
		if drop > 0 && d.Status != DeliveryPending && !d.inflight {
			drop--
			return true
		}
		return false
	})
}

// WebhookDeliveries returns the delivery log, oldest event first, after
// bringing every state machine up to the clock (so it lists what is due
// now). It is a copy: later attempts do not change it.
func (s *Server) WebhookDeliveries() []WebhookDelivery {
	s.Advance()
	h := &s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]WebhookDelivery, len(h.queue))
	for i, d := range h.queue {
		out[i] = d.WebhookDelivery
		out[i].Attempts = slices.Clone(d.Attempts)
		if d.NextAttempt != nil {
			next := *d.NextAttempt
			out[i].NextAttempt = &next
		}
	}
	return out
}

// Webhook reports the account's webhook: enabled, and its failure streak.
func (s *Server) Webhook() WebhookState {
	h := &s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	return WebhookState{URL: redactURL(h.opts.URL), Enabled: h.opts.URL != "" && !h.disabled,
		ConsecutiveFailures: h.failures, Signed: h.opts.Secret != ""}
}

// EnableWebhook re-enables a webhook disabled by failures (what IntaSend's
// support does on request). Deliveries dropped when it was disabled stay
// dropped, as they would at IntaSend.
func (s *Server) EnableWebhook() {
	h := &s.hooks
	h.mu.Lock()
	h.disabled, h.failures = false, 0
	h.mu.Unlock()
}

// RunWebhooks calls DeliverDue every interval until ctx ends: `malipo
// sim`'s sender on the real clock. As a side effect the state machines
// move (and announce their changes) even when no request arrives.
func (s *Server) RunWebhooks(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.DeliverDue(ctx)
		}
	}
}
