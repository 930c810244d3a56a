package subscriptions

import (
	"errors"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// auditEvent describes a money-moving or account-changing call's outcome
// for the audit log, classified as views/payouts does: "ok", "refused"
// (IntaSend said no, so nothing happened), "ambiguous" (it may have
// happened) or "failed". Detail is IntaSend's message or the error text.
func auditEvent(action, target string, amount client.Amount, currency string, err error) common.AuditEvent {
	ev := common.AuditEvent{Action: action, Target: target, Amount: amount, Currency: currency, Result: "ok"}
	var ae *client.APIError
	switch {
	case err == nil:
	case errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != 429:
		ev.Result, ev.Detail = "refused", text.ErrText(err)
	case client.IsAmbiguous(err):
		ev.Result, ev.Detail = "ambiguous", text.ErrText(err)
	default:
		ev.Result, ev.Detail = "failed", text.ErrText(err)
	}
	if ev.Currency == "" {
		ev.Currency = "KES"
	}
	return ev
}

// auditWarning tells the person the audit log did not take the outcome of
// what they just did: the call itself went as shown, but its record is not
// durable.
func auditWarning(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return common.Toast(common.ToastWarn, common.SymWarn+" The audit log could not record this action's outcome, so its record is not durable: "+err.Error())
}
