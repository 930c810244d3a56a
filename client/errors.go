package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// ErrorDetail is one entry of IntaSend's drf-standardized-errors body:
// {"type": "validation_error", "errors": [{"code", "detail", "attr"}]}.
type ErrorDetail struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Attr   string `json:"attr"`
}

// APIError is a non-2xx answer from IntaSend.
type APIError struct {
	Status     int           // HTTP status code
	Method     string        // request method
	Path       string        // path under /api/v1/
	Type       string        // "validation_error", "client_error", "server_error", ...
	Detail     string        // the first human message IntaSend gave
	Errors     []ErrorDetail // every error entry, when IntaSend sent a list
	RetryAfter time.Duration // from Retry-After on 429/503, zero if absent
	// Body is the raw body, cut to 512 bytes. It never contains our secrets:
	// IntaSend does not echo credentials.
	Body string
}

// Code is the first error's code ("invalid", "not_found", ...).
func (e *APIError) Code() string {
	if len(e.Errors) > 0 {
		return e.Errors[0].Code
	}
	return ""
}

// Attr is the field the first error is about, if any.
func (e *APIError) Attr() string {
	if len(e.Errors) > 0 {
		return e.Errors[0].Attr
	}
	return ""
}

// Message is IntaSend's own words, with the field they concern.
func (e *APIError) Message() string {
	msg := e.Detail
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if a := e.Attr(); a != "" && !strings.Contains(msg, a) {
		msg = a + ": " + msg
	}
	return msg
}

func (e *APIError) Error() string {
	return fmt.Sprintf("intasend %s %s: %d %s", e.Method, e.Path, e.Status, e.Message())
}

// Temporary reports whether the same request may succeed later (429, 5xx).
// It says nothing about whether repeating it is safe: see Retryable.
func (e *APIError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// Ambiguous reports whether the request may have taken effect even though it
// failed: a 5xx can come after the work was done. A 4xx never moved money.
func (e *APIError) Ambiguous() bool { return e.Status >= 500 }

// TransportError is a failure to get any answer: a refused or dropped
// connection, a timeout, a truncated body.
type TransportError struct {
	Method, Path string
	// Sent is true when the request may have reached IntaSend: after a
	// timeout or a dropped connection we cannot know whether it was processed.
	Sent bool
	Err  error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("intasend %s %s: %v", e.Method, e.Path, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// IsRetryable reports whether err is worth retrying for a call that is safe
// to repeat (reads and status queries). Callers of money-moving calls use
// IsAmbiguous instead and query the status before doing anything else.
func IsRetryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Temporary()
	}
	var te *TransportError
	return errors.As(err, &te)
}

// IsAmbiguous reports whether a failed call may nevertheless have taken
// effect. After an ambiguous failure of initiate, approve, a transfer or a
// refund, ask IntaSend for the status; never send it again blindly.
func IsAmbiguous(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Ambiguous()
	}
	var te *TransportError
	if errors.As(err, &te) {
		return te.Sent
	}
	return false
}

// IsNotFound reports a 404.
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// IsUnauthorized reports a 401 or 403: wrong, missing or live-vs-test keys.
func IsUnauthorized(err error) bool {
	s := statusOf(err)
	return s == http.StatusUnauthorized || s == http.StatusForbidden
}

func statusOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// parseAPIError reads every error shape IntaSend is known to use:
// {"detail": "..."}, {"details": "..."} and {"type", "errors": [...]}.
func parseAPIError(status int, method, path string, body []byte) *APIError {
	e := &APIError{Status: status, Method: method, Path: path}
	if len(body) > 512 {
		e.Body = string(body[:512])
	} else {
		e.Body = string(body)
	}
	var shape struct {
		Type    string          `json:"type"`
		Detail  json.RawMessage `json:"detail"`
		Details json.RawMessage `json:"details"`
		Errors  json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &shape) != nil {
		return e
	}
	e.Type = shape.Type
	e.Detail = firstText(shape.Detail)
	if e.Detail == "" {
		e.Detail = firstText(shape.Details)
	}
	var list []ErrorDetail
	if json.Unmarshal(shape.Errors, &list) == nil {
		e.Errors = list
	} else {
		// Older DRF shape: {"errors": {"field": ["message"]}}.
		var byField map[string][]string
		if json.Unmarshal(shape.Errors, &byField) == nil {
			// Sorted, so Attr() and Detail name the same field every time.
			for _, f := range slices.Sorted(maps.Keys(byField)) {
				for _, m := range byField[f] {
					e.Errors = append(e.Errors, ErrorDetail{Code: "invalid", Detail: m, Attr: f})
				}
			}
		}
	}
	if e.Detail == "" && len(e.Errors) > 0 {
		e.Detail = e.Errors[0].Detail
	}
	return e
}

// firstText reads a JSON string, or the first string of a JSON array.
func firstText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return list[0]
	}
	return ""
}
