package common

import (
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
)

// Copier is optionally implemented by views that show ids. On `y` the shell
// asks the active view for the id under its cursor and copies it with OSC 52
// (which reaches the user's own clipboard over SSH too), with a toast
// "copied INV123". Label names what it is ("invoice", "tracking id").
//
// A view that binds `y` itself somewhere (a results CSV, a setup link)
// returns an empty text there: the shell then hands `y` to the view, so a
// view's own binding always wins over the shell's.
type Copier interface {
	CopyText() (label, text string)
}

// Clickable is optionally implemented by views with a list. The shell does
// the hit-testing of its own chrome (tabs, dialog buttons) and hands a click
// in the body to the view as a row of the body (0 is the body's first line),
// never as raw terminal coordinates. A click selects the row under it; a
// click on the row already selected opens it, as enter would (so a double
// click opens). Clicks outside the list do nothing.
//
// The hit-test of a list is the shared table's (table.Model.Click): a view
// subtracts the lines above its table's header and opens on "again".
type Clickable interface {
	ClickRow(y int) tea.Cmd
}

// PaymentReceivedMsg says a collection has just completed while the console
// was watching (never for the history read at start). The shell decides
// whether it deserves a bell and a toast (the --notify-above threshold), so
// over SSH each session decides for itself.
type PaymentReceivedMsg struct {
	Invoice  string
	Amount   client.Amount
	Currency string
	Account  string // the payer's phone or e-mail, as IntaSend gives it
}

// PayoutFailedMsg says a payout this console is tracking failed: one row
// (Account set) or the whole batch (Rows is how many failed; Reason is
// IntaSend's words). The shell rings and shows a toast.
type PayoutFailedMsg struct {
	Tracking string
	Account  string
	Amount   client.Amount
	Rows     int
	Reason   string
}

// PaymentReceived returns a command that reports a completed collection.
func PaymentReceived(m PaymentReceivedMsg) tea.Cmd { return func() tea.Msg { return m } }

// PayoutFailed returns a command that reports a failed payout.
func PayoutFailed(m PayoutFailedMsg) tea.Cmd { return func() tea.Msg { return m } }
