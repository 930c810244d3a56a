package sim

// The control API: /_sim/, outside /api/v1/, so that tests and tools in any
// language (and `malipo trigger`) can drive the simulator as Go tests do
// through the Go API: move the clock, trigger events, read counters and the
// webhook delivery log. JSON in and out; errors are {"detail": …}.
//
// Access: it exists only when ControlOptions.Token is set, and it answers
// only requests from a loopback address that carry "Authorization: Bearer
// <token>". Loopback, because it can move time and money and must stay off
// the network even when the API listens on 0.0.0.0. A token, because
// loopback is not enough: a web page in the developer's browser can reach
// 127.0.0.1 (through DNS rebinding, or a form post), and so can other users
// of the machine; a browser cannot send an Authorization header cross-origin
// without a preflight the simulator never grants, and a rebound page does
// not know the token. `malipo sim` makes a random token unless one is given
// and prints it.

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// ControlOptions configure the /_sim/ control API.
type ControlOptions struct {
	// Token is the Bearer token the control API requires. Empty: the
	// control API answers 404, as if it did not exist.
	Token string
}

const controlPrefix = "/_sim/"

// maxControlAdvance bounds one clock step: a year is more than any state
// machine or retry schedule needs.
const maxControlAdvance = 366 * 24 * time.Hour

// ControlEndpoints lists the control API for GET /_sim/ and the docs.
var ControlEndpoints = []string{
	"GET  /_sim/                   the clock and the webhook's state",
	"POST /_sim/clock/advance      {\"by\":\"5m\"} or {\"seconds\":300}: move a manual or offset clock forward",
	"POST /_sim/trigger            {\"event\":\"collection.complete\", …}: start a scenario",
	"GET  /_sim/counters           requests, faults, approvals, webhook deliveries",
	"GET  /_sim/webhooks           the webhook's state and the delivery log",
	"POST /_sim/webhooks/deliver   make every delivery attempt that is due now",
	"POST /_sim/webhooks/enable    re-enable a webhook disabled after 20 failures",
}

func (s *Server) routesControl() {
	ctl := func(pattern string, h http.HandlerFunc) {
		s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if s.controlAllowed(w, r) {
				h(w, r)
			}
		})
	}
	ctl("GET "+controlPrefix+"{$}", s.ctlInfo)
	ctl("POST "+controlPrefix+"clock/advance", s.ctlAdvance)
	ctl("POST "+controlPrefix+"trigger", s.ctlTrigger)
	ctl("GET "+controlPrefix+"counters", s.ctlCounters)
	ctl("GET "+controlPrefix+"webhooks", s.ctlWebhooks)
	ctl("POST "+controlPrefix+"webhooks/deliver", s.ctlDeliver)
	ctl("POST "+controlPrefix+"webhooks/enable", s.ctlEnable)
}

func ctlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"detail": msg})
}

// controlAllowed applies the access rule above, answering itself when it refuses.
func (s *Server) controlAllowed(w http.ResponseWriter, r *http.Request) bool {
	token := s.opts.Control.Token
	if token == "" {
		ctlError(w, http.StatusNotFound, "Not found.")
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		ctlError(w, http.StatusForbidden, "The control API answers loopback clients only.")
		return false
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) != 1 {
		ctlError(w, http.StatusUnauthorized, "Invalid or missing control token (Authorization: Bearer <token>).")
		return false
	}
	return true
}

// ctlDecode reads a JSON body into v ({} when empty), answering 400 itself.
func ctlDecode(w http.ResponseWriter, r *http.Request, v any) bool {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
		ctlError(w, http.StatusBadRequest, "Cannot read the body: "+err.Error())
		return false
	}
	b := bytes.TrimSpace(buf.Bytes())
	if len(b) == 0 {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a misspelt field must not be silently ignored
	if err := dec.Decode(v); err != nil {
		ctlError(w, http.StatusBadRequest, "JSON parse error - "+err.Error())
		return false
	}
	return true
}

type ctlInfoJSON struct {
	Now        time.Time    `json:"now"`
	Clock      string       `json:"clock"`
	CanAdvance bool         `json:"can_advance"`
	Webhook    WebhookState `json:"webhook"`
	Endpoints  []string     `json:"endpoints"`
}

func (s *Server) clockKind() (string, bool) {
	switch s.clock.(type) {
	case *ManualClock:
		return "manual", true
	case *OffsetClock:
		return "offset", true
	case realClock:
		return "real", false
	}
	_, ok := s.clock.(interface{ Advance(time.Duration) })
	return "custom", ok
}

func (s *Server) ctlInfo(w http.ResponseWriter, _ *http.Request) {
	kind, can := s.clockKind()
	writeJSON(w, http.StatusOK, ctlInfoJSON{Now: s.Now(), Clock: kind, CanAdvance: can,
		Webhook: s.Webhook(), Endpoints: ControlEndpoints})
}

func (s *Server) ctlAdvance(w http.ResponseWriter, r *http.Request) {
	var b struct {
		By      string `json:"by"`
		Seconds *int64 `json:"seconds"`
	}
	if !ctlDecode(w, r, &b) {
		return
	}
	d, msg := advanceBy(b.By, b.Seconds)
	if msg != "" {
		ctlError(w, http.StatusBadRequest, msg)
		return
	}
	adv, ok := s.clock.(interface{ Advance(time.Duration) })
	if !ok {
		ctlError(w, http.StatusConflict, "This simulator runs on the real clock, which cannot be advanced; start it with --clock offset or manual.")
		return
	}
	adv.Advance(d)
	s.Advance()
	writeJSON(w, http.StatusOK, map[string]any{"now": s.Now(), "advanced_by": d.String()})
}

// advanceBy reads a step from {"by": "5m"} or {"seconds": 300}.
func advanceBy(by string, seconds *int64) (time.Duration, string) {
	var d time.Duration
	switch {
	case by != "" && seconds != nil:
		return 0, `Give "by" or "seconds", not both.`
	case by != "":
		v, err := time.ParseDuration(by)
		if err != nil {
			return 0, fmt.Sprintf(`"by": %v (write e.g. "90s", "5m", "26h")`, err)
		}
		d = v
	case seconds != nil:
		if *seconds > int64(maxControlAdvance/time.Second) {
			return 0, "The clock moves at most 366 days per step."
		}
		d = time.Duration(*seconds) * time.Second
	default:
		return 0, `Give "by" (e.g. "5m") or "seconds".`
	}
	if d <= 0 || d > maxControlAdvance {
		return 0, "The clock moves forward only, by at most 366 days per step."
	}
	return d, ""
}

// counterJSON is Counters in the API's snake_case, plus the outbox.
type counterJSON struct {
	Requests          map[string]int `json:"requests"`
	Faults            map[string]int `json:"faults"`
	Initiated         int            `json:"initiated"`
	Approved          map[string]int `json:"approved"`
	ApprovalsRefused  int            `json:"approvals_refused"`
	RefusedByTracking map[string]int `json:"refused_by_tracking"`
	Cancelled         int            `json:"cancelled"`
	Webhooks          map[string]int `json:"webhook_deliveries"`
}

func (s *Server) ctlCounters(w http.ResponseWriter, _ *http.Request) {
	c := s.Counters()
	byStatus := map[string]int{DeliveryPending: 0, DeliveryDelivered: 0, DeliveryFailed: 0, DeliveryDisabled: 0}
	for _, d := range s.WebhookDeliveries() {
		byStatus[d.Status]++
	}
	writeJSON(w, http.StatusOK, counterJSON{Requests: c.Requests, Faults: c.Faults, Initiated: c.Initiated,
		Approved: c.Approved, ApprovalsRefused: c.ApprovalsRefused, RefusedByTracking: c.RefusedByTracking,
		Cancelled: c.Cancelled, Webhooks: byStatus})
}

type ctlWebhooksJSON struct {
	Webhook     WebhookState      `json:"webhook"`
	RetryDelays []string          `json:"retry_delays"`
	Deliveries  []WebhookDelivery `json:"deliveries"`
}

func (s *Server) webhooksView() ctlWebhooksJSON {
	var delays []string
	for _, d := range WebhookRetryDelays() {
		delays = append(delays, d.String())
	}
	return ctlWebhooksJSON{Webhook: s.Webhook(), RetryDelays: delays, Deliveries: s.WebhookDeliveries()}
}

func (s *Server) ctlWebhooks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.webhooksView())
}

func (s *Server) ctlDeliver(w http.ResponseWriter, r *http.Request) {
	n := s.DeliverDue(r.Context())
	v := s.webhooksView()
	writeJSON(w, http.StatusOK, map[string]any{"attempted": n, "webhook": v.Webhook, "deliveries": v.Deliveries})
}

func (s *Server) ctlEnable(w http.ResponseWriter, _ *http.Request) {
	s.EnableWebhook()
	writeJSON(w, http.StatusOK, map[string]any{"webhook": s.Webhook()})
}

// ---- triggers ----

// triggerReq is the body of POST /_sim/trigger. Only event is required.
type triggerReq struct {
	Event        string            `json:"event"`
	Amount       client.FlexString `json:"amount"`        // default 100 (KES)
	Account      string            `json:"account"`       // *.failed: which magic number (reason)
	APIRef       string            `json:"api_ref"`       // collections
	CallbackURL  string            `json:"callback_url"`  // send money
	InvoiceID    string            `json:"invoice_id"`    // chargeback.new: refund this invoice
	ChargebackID string            `json:"chargeback_id"` // chargeback.disputed
}

// trigger starts one scenario through the API's own handlers and returns
// their answer, and how long the scenario needs on the clock to finish.
type trigger func(s *Server, host string, t triggerReq) (status int, body []byte, takes time.Duration)

// Triggers lists the scenarios POST /_sim/trigger starts, for the docs.
var Triggers = []string{
	"collection.complete: an M-Pesa STK push from 254708374149: PENDING, PROCESSING, COMPLETE",
	"collection.failed: an STK push from 254700000002 (or account 254700000001…4): PENDING, PROCESSING, FAILED",
	"send_money.complete: a B2C batch (requires_approval NO) to 254708374149: BP104 … BC100, TS100",
	"send_money.failed: a B2C batch to 254700000002 (or account …1, …3, …4): BP104 … BC100, TF106",
	"chargeback.new: a refund of invoice_id (default: a new paid invoice): PENDING, then COMPLETED",
	"chargeback.disputed: chargeback_id (PENDING) becomes DISPUTED",
}

var triggers = map[string]trigger{
	"collection.complete": func(s *Server, host string, t triggerReq) (int, []byte, time.Duration) {
		return s.triggerCollection(host, t, SandboxTestAccount)
	},
	"collection.failed": func(s *Server, host string, t triggerReq) (int, []byte, time.Duration) {
		return s.triggerCollection(host, t, failingAccount(t.Account))
	},
	"send_money.complete": func(s *Server, host string, t triggerReq) (int, []byte, time.Duration) {
		return s.triggerSendMoney(host, t, SandboxTestAccount)
	},
	"send_money.failed": func(s *Server, host string, t triggerReq) (int, []byte, time.Duration) {
		return s.triggerSendMoney(host, t, failingAccount(t.Account))
	},
	"chargeback.new":      (*Server).triggerChargeback,
	"chargeback.disputed": (*Server).triggerDispute,
}

// failingAccount picks a magic number that always fails (the default is
// "Request cancelled by user" for collections).
func failingAccount(asked string) string {
	if _, ok := magicPayoutFailures[asked]; ok {
		return asked
	}
	return MagicFailAccount
}

func (s *Server) ctlTrigger(w http.ResponseWriter, r *http.Request) {
	var t triggerReq
	if !ctlDecode(w, r, &t) {
		return
	}
	run := triggers[t.Event]
	if run == nil {
		ctlError(w, http.StatusBadRequest, fmt.Sprintf("Unknown event %q; one of: %s.", t.Event, strings.Join(triggerNames(), ", ")))
		return
	}
	if strings.TrimSpace(string(t.Amount)) == "" {
		t.Amount = "100"
	}
	status, body, takes := run(s, r.Host, t)
	if status >= 300 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body) // the API's own error, e.g. a validation error
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"event": t.Event, "object": json.RawMessage(body), "settled_by": s.Now().Add(takes),
	})
}

func triggerNames() []string {
	names := make([]string, 0, len(Triggers))
	for _, t := range Triggers {
		name, _, _ := strings.Cut(t, ":")
		names = append(names, name)
	}
	return names
}

// callAPI runs one of the API's handlers in process, as if a client had
// sent body (no faults, no auth: the control API already checked who asks).
// The handler takes the state lock itself, so the caller must not hold it.
func (s *Server) callAPI(h handler, host, path string, body any) (int, []byte) {
	raw, err := json.Marshal(body)
	if err != nil {
		return http.StatusInternalServerError, []byte(`{"detail":"cannot encode the request"}`)
	}
	req := httptest.NewRequest(http.MethodPost, apiPrefix+path, bytes.NewReader(raw))
	req.Host = host
	rec := httptest.NewRecorder()
	(&reqCtx{s: s, w: rec, r: req, body: raw, route: "POST " + path}).run(h)
	return rec.Code, rec.Body.Bytes()
}

func (s *Server) triggerCollection(host string, t triggerReq, account string) (int, []byte, time.Duration) {
	apiRef := t.APIRef
	if apiRef == "" {
		apiRef = "sim-trigger"
	}
	code, body := s.callAPI(s.stkPush, host, "payment/mpesa-stk-push/", map[string]any{
		"amount": t.Amount, "phone_number": account, "currency": "KES", "api_ref": apiRef,
		"narrative": "Triggered through the simulator's control API",
	})
	tm := s.opts.Timing
	return code, body, aboveJitter(tm.STKProcessing + tm.STKFinal)
}

// aboveJitter is the longest a jittered step of nominal d can take.
func aboveJitter(d time.Duration) time.Duration { return d * 5 / 4 }

func (s *Server) triggerSendMoney(host string, t triggerReq, account string) (int, []byte, time.Duration) {
	var k checks
	amount, ok := k.amount("amount", t.Amount, true)
	if !ok || !k.positive("amount", amount) {
		return http.StatusBadRequest, mustJSON(map[string]any{"type": "validation_error", "errors": k.items}), 0
	}
	walletID := s.fundPayout(amount + payoutCharge("MPESA-B2C", amount))
	body := map[string]any{
		"provider": "MPESA-B2C", "currency": "KES", "requires_approval": "NO", "wallet_id": walletID,
		"transactions": []map[string]any{{"name": "Jane Doe", "account": account, "amount": t.Amount,
			"narrative": "Triggered"}},
	}
	if t.CallbackURL != "" {
		body["callback_url"] = t.CallbackURL
	}
	code, out := s.callAPI(s.handleInitiate, host, "send-money/initiate/", body)
	tm := s.opts.Timing
	return code, out, 5*tm.BatchStep + tm.TxStep
}

// fundPayout tops up the KES settlement wallet with a DEPOSIT when it cannot
// cover need, so a triggered payout does not fail its float check on an
// empty account. It returns the wallet's id.
func (s *Server) fundPayout(need client.Amount) string {
	s.lock()
	defer s.mu.Unlock()
	w := s.ensureSettlementWallet()
	if short := need - w.Available; short > 0 {
		_, _ = s.post(w, short, "DEPOSIT", "AVAILABLE", "Deposit for a send-money batch triggered through the simulator's control API", "", s.clock.Now())
	}
	return w.ID
}

func (s *Server) triggerChargeback(host string, t triggerReq) (int, []byte, time.Duration) {
	id := t.InvoiceID
	if id == "" {
		var k checks
		amount, ok := k.amount("amount", t.Amount, true)
		if !ok || !k.positive("amount", amount) {
			return http.StatusBadRequest, mustJSON(map[string]any{"type": "validation_error", "errors": k.items}), 0
		}
		id = s.paidInvoice(amount)
	}
	code, body := s.callAPI(s.createChargeback, host, "chargebacks/", map[string]any{
		"invoice": id, "amount": t.Amount, "reason": "Other",
		"reason_details": "Triggered through the simulator's control API",
	})
	return code, body, aboveJitter(s.opts.Timing.Chargeback)
}

// paidInvoice makes a COMPLETE M-Pesa payment whose money is available at
// once: the fixture a triggered refund needs. Its own COMPLETE event is sent.
// The customer pays the charges (CUSTOMER-PAYS), so the wallet receives
// exactly amount and can cover a refund of all of it.
func (s *Server) paidInvoice(amount client.Amount) string {
	s.lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	inv := s.newInvoice(invoiceSpec{provider: "M-PESA", currency: "KES", account: SandboxTestAccount, tariff: "CUSTOMER-PAYS",
		apiRef: "sim-trigger", narrative: "Paid invoice for a triggered chargeback", amount: amount}, now)
	s.settleInvoice(inv, nil, now, false)
	return inv.ID
}

func (s *Server) triggerDispute(_ string, t triggerReq) (int, []byte, time.Duration) {
	if err := s.DisputeChargeback(t.ChargebackID); err != nil {
		return http.StatusBadRequest, mustJSON(map[string]string{"detail": err.Error()}), 0
	}
	s.lock()
	defer s.mu.Unlock()
	return http.StatusOK, mustJSON(s.chargebackView(s.refunds.byID[t.ChargebackID])), 0
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs and maps are passed
	}
	return b
}
