package text

import (
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// ErrText is what a person should read about err: IntaSend's own words when
// it answered, otherwise the error.
func ErrText(err error) string {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	return err.Error()
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
