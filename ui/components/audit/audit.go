// Package audit turns the outcome of a money-moving or account-changing
// call into the audit log's vocabulary, the same way on every screen.
package audit

import (
	"errors"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// Results an outcome is classified as.
const (
	OK        = "ok"        // IntaSend did it
	Refused   = "refused"   // IntaSend said no (a 4xx other than 429): nothing happened
	Ambiguous = "ambiguous" // it may have happened (5xx, or no answer after sending)
	Failed    = "failed"    // it did not happen (throttled, or never sent)
)

// Event describes a call's outcome for the audit log. Detail is IntaSend's
// message or the error text when the call did not succeed; currency
// defaults to KES.
func Event(action, target string, amount client.Amount, currency string, err error) common.AuditEvent {
	ev := common.AuditEvent{Action: action, Target: target, Amount: amount, Currency: currency, Result: OK}
	switch {
	case err == nil:
	case IsRefusal(err):
		ev.Result, ev.Detail = Refused, text.ErrText(err)
	case client.IsAmbiguous(err):
		ev.Result, ev.Detail = Ambiguous, text.ErrText(err)
	default:
		ev.Result, ev.Detail = Failed, text.ErrText(err)
	}
	if ev.Currency == "" {
		ev.Currency = "KES"
	}
	return ev
}

// IsRefusal reports IntaSend refusing the request itself (a 4xx other than
// 429): nothing happened, and sending the same again would be refused too.
func IsRefusal(err error) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != 429
}

// Warning tells the person the audit log did not take the outcome of what
// they just did: the call itself went as shown, but its record is not
// durable. Nil when err is nil.
func Warning(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return common.Toast(common.ToastWarn, common.SymWarn+" The audit log could not record this action's outcome, so its record is not durable: "+err.Error())
}
