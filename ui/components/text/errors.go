package text

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// ErrText is what a person should read about err: IntaSend's own words when
// it answered; for a network failure, what happened in words ("cannot
// reach IntaSend at 127.0.0.1:8089 (connection refused)"), never Go's
// "dial tcp …: connect: …". ErrDetail keeps the raw error for a detail view.
func ErrText(err error) string {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	var te *client.TransportError
	if errors.As(err, &te) {
		return NetText(te.Err, te.Sent)
	}
	return err.Error()
}

// ErrDetail is the raw error, for the detail line under ErrText's words
// (what support or a log search needs): "" when ErrText already says it
// all.
func ErrDetail(err error) string {
	if err == nil || ErrText(err) == err.Error() {
		return ""
	}
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ""
	}
	return err.Error()
}

// NetText words a failure below HTTP. sent says the request may have
// reached IntaSend (a timeout or a drop after writing it).
func NetText(err error, sent bool) string {
	at := ""
	var op *net.OpError
	if errors.As(err, &op) && op.Addr != nil {
		at = " at " + op.Addr.String()
	}
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var cert *tls.CertificateVerificationError
	switch {
	case errors.Is(err, context.Canceled):
		return "the request to IntaSend was cancelled"
	case errors.As(err, &dns):
		return "cannot reach IntaSend: no address found for " + dns.Name
	case errors.Is(err, syscall.ECONNREFUSED):
		return "cannot reach IntaSend" + at + " (connection refused)"
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &cert):
		return "cannot reach IntaSend" + at + " securely (its certificate is not trusted)"
	case isTimeout(err):
		if sent {
			return "IntaSend" + at + " did not answer in time (the request was sent)"
		}
		return "cannot reach IntaSend" + at + " (timed out)"
	case sent:
		return "the connection to IntaSend" + at + " dropped after the request was sent"
	}
	return "cannot reach IntaSend" + at
}

// isTimeout reports a deadline passed, whichever layer noticed.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// Reason drops the `invalid amount "x": ` style prefix of parse errors, so
// a field's message is the part a person can act on.
func Reason(err error) string {
	s := err.Error()
	if _, after, ok := strings.Cut(s, "\": "); ok {
		return after
	}
	return s
}

// Reachable says whether IntaSend answered at all: a 4xx is a healthy
// connection with a refused request; a 5xx, a 429 or a network error is not.
func Reachable(err error) bool {
	if err == nil {
		return true
	}
	var ae *client.APIError
	return errors.As(err, &ae) && ae.Status < 500 && ae.Status != 429
}

// Health reports a request's outcome, finished at at, to the status bar.
func Health(err error, at time.Time) tea.Cmd {
	ok := Reachable(err)
	return func() tea.Msg { return common.HealthMsg{OK: ok, At: at} }
}
