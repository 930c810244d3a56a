// Package webhook reads IntaSend's webhooks: the checks every receiver
// makes (the challenge in the body, and the signature when a secret is
// configured), what an event is about, and Receiver, the handler
// `malipo serve --webhooks` mounts to turn events into live screens.
// `malipo listen` (cmd/events.go) uses the same checks.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
)

// MaxBody bounds one webhook: IntaSend's bodies are a few KB; a batch's
// transactions make them larger, never megabytes.
const MaxBody = 1 << 20

// Verify checks the challenge in the body and, with a secret, the
// signature. It returns the HTTP status to answer (200 when good) and why
// not; the reason never contains either secret.
func Verify(challenge, secret string, h http.Header, raw []byte) (int, string) {
	var b struct {
		Challenge *string `json:"challenge"`
	}
	if json.Unmarshal(raw, &b) != nil {
		return http.StatusBadRequest, "the body is not a JSON object"
	}
	if challenge != "" && (b.Challenge == nil || subtle.ConstantTimeCompare([]byte(*b.Challenge), []byte(challenge)) != 1) {
		return http.StatusUnauthorized, "wrong or missing challenge"
	}
	if secret != "" {
		got, _ := hex.DecodeString(h.Get(sim.HeaderSignature))
		want, _ := hex.DecodeString(sim.SignWebhook(secret, raw))
		if !hmac.Equal(got, want) {
			return http.StatusForbidden, "wrong or missing " + sim.HeaderSignature
		}
	}
	return http.StatusOK, ""
}

// Summary is what an event is about.
type Summary struct {
	Type     string // sim.EventCollection, sim.EventSendMoney, sim.EventChargeback or "unknown"
	Object   string // invoice_id, tracking_id or chargeback_id
	State    string
	Amount   string // a two-place decimal string, "" when none
	Currency string
}

// Describe reads an IntaSend body. The kinds are told apart by their id
// field; a chargeback carries its invoice, so it is looked at first.
func Describe(body []byte) Summary {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(body, &m)
	var s Summary
	switch {
	case m["chargeback_id"] != nil:
		s.Type, s.Object, s.State, s.Amount = sim.EventChargeback, jsonStr(m["chargeback_id"]), jsonStr(m["status"]), jsonStr(m["amount"])
	case m["tracking_id"] != nil:
		s.Type, s.Object, s.Amount = sim.EventSendMoney, jsonStr(m["tracking_id"]), jsonStr(m["total_amount"])
		s.State = strings.TrimSpace(jsonStr(m["status_code"]) + " " + jsonStr(m["status"]))
	case m["invoice_id"] != nil:
		s.Type, s.Object, s.State = sim.EventCollection, jsonStr(m["invoice_id"]), jsonStr(m["state"])
		s.Amount, s.Currency = jsonStr(m["value"]), jsonStr(m["currency"])
	default:
		s.Type = "unknown"
	}
	// Money as the commands print it: a two-place decimal string.
	if a, err := client.ParseAmount(s.Amount); err == nil && s.Amount != "" {
		s.Amount = a.Decimal()
	} else {
		s.Amount = ""
	}
	if s.Currency == "" && s.Amount != "" {
		s.Currency = "KES"
	}
	return s
}

// jsonStr reads a JSON string or number as text ("" otherwise).
func jsonStr(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

var eventIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// SenderID is the simulator's X-Sim-Event-Id when it sent a sane one
// (stable across retries), else "" (IntaSend sends none).
func SenderID(h http.Header) string {
	if id := h.Get(sim.HeaderEventID); eventIDPattern.MatchString(id) {
		return id
	}
	return ""
}

// EventID is SenderID, or a fresh id.
func EventID(h http.Header) string {
	if id := SenderID(h); id != "" {
		return id
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "wh_" + hex.EncodeToString(b[:])
}
