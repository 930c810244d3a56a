// Package common is what the shell (package ui) and every screen (views/*)
// share: the View interface, the Common context, the theme and the messages
// views use to ask the shell for toasts, errors and confirmations. It sits
// below both, so views never import the shell or each other.
package common

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/userdir"
)

// Mode is the environment badge in the status bar.
type Mode string

const (
	ModeDemo    Mode = "DEMO"
	ModeSandbox Mode = "SANDBOX"
	ModeLive    Mode = "LIVE"
)

// Common is the context every view gets: who we are talking to and how to
// draw. It is built once by the shell and shared by pointer; views read it,
// only the shell writes it (sizes, theme after a background-colour answer).
type Common struct {
	Client  *client.Client
	Styles  *Styles
	Profile string
	Mode    Mode
	// Role is the SSH user's role; empty when running locally (all allowed).
	Role string
	// User is the SSH user's name; empty locally.
	User string
	// Self is who a local console acts as (the OS user@host its journal
	// records as initiator) when there is no SSH user: on a shared store
	// four-eyes compares batches' initiators with it. Empty over SSH.
	Self string
	// Now is the clock views use for "3m ago" labels and timers; tests fix it.
	Now func() time.Time
	// FourEyes forbids approving a payout batch one initiated oneself
	// (on by default over SSH). The shell enforces it on ConfirmMsg.
	FourEyes bool
	// Auditor records privileged actions (the SSH server's audit log);
	// nil when running locally. Use c.Audit, which tolerates nil.
	Auditor Auditor
	// Files is the SSH user's private folder (files/<user>/ on the
	// server, reached with scp/sftp). When set, imports and exports name
	// files in it by plain name and nothing typed is ever a path; nil in
	// the local console, which keeps its path prompts.
	Files *userdir.Dir
	// Ctx is the session's context: the SSH server cancels it when the
	// session ends, the local console when the program stops, so reads and
	// timers still pending stop with them instead of outliving the user
	// (writes use WriteContext). Read it through Context; set it before
	// the program starts, never after.
	Ctx context.Context
	// Pace stretches the live screens' polling while webhooks bring the
	// news (malipo serve --webhooks): polling is then a slow safety net.
	// Serve also spreads each wait a little, so its sessions do not poll
	// in step. Nil: poll at the pace asked for. Read it through LivePace.
	Pace func(time.Duration) time.Duration
}

// LivePace is how long a live screen waits before polling again when it
// would wait d.
func (c *Common) LivePace(d time.Duration) time.Duration {
	if c == nil || c.Pace == nil {
		return d
	}
	return c.Pace(d)
}

// Context is the context every request a view sends derives from (with
// its own timeout): the session's, or Background when none is set (tests,
// tools).
func (c *Common) Context() context.Context {
	if c == nil || c.Ctx == nil {
		return context.Background()
	}
	return c.Ctx
}

// WriteContext is for calls that change something at IntaSend (initiate,
// approve, refund, transfer, an M-Pesa prompt, a plan): it keeps the
// session's values but is not cancelled when the session ends. A write
// cut off after it was sent may still have happened; letting it finish
// (within its own timeout) means its outcome reaches the journal and the
// audit log instead of being lost with the session. Reads use Context.
func (c *Common) WriteContext() context.Context {
	return context.WithoutCancel(c.Context())
}

// AuditEvent is one privileged action for the audit log. The SSH server
// adds time, user, key fingerprint and role.
type AuditEvent struct {
	Action   string // "payout.initiate", "payout.approve", "refund.create", ...
	Target   string // tracking id, invoice id, wallet id
	Amount   client.Amount
	Currency string
	Result   string // "requested", "ok", "refused", "failed", "ambiguous"; the shell also writes "cancelled"
	Detail   string // IntaSend's message on failure; never a secret
}

// Auditor writes audit events durably (fsynced) before returning.
type Auditor interface {
	Audit(AuditEvent) error
}

// Audit records ev when an auditor is set. Views call it with the outcome
// of each money-moving call, before telling the user it is done; the shell
// records confirmations. An error means the record is not durable: the
// caller must not report the action as done without saying so.
func (c *Common) Audit(ev AuditEvent) error {
	if c == nil || c.Auditor == nil {
		return nil
	}
	return c.Auditor.Audit(ev)
}

// Tick is tea.Tick that gives up when ctx ends. tea.Tick's goroutine
// waits for its timer even after the program has quit, and its closure
// holds the model it was made for: over SSH, every refresh or idle timer
// of a logged-out session would keep that whole console in memory until
// it fired.
func Tick(ctx context.Context, d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case now := <-t.C:
			return fn(now)
		case <-ctx.Done():
			return nil
		}
	}
}

// RequestTimeout bounds one IntaSend call of a screen: long enough for a
// slow network and the client's retries of a read, short enough that a
// spinner never turns for ever.
const RequestTimeout = 30 * time.Second

// Bounded is base with RequestTimeout: a screen's request, still cancelled
// with the session when base is Context() (a write's WriteContext is not).
func Bounded(base context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(base, RequestTimeout)
}

// Scheduler turns "deliver msg after d" into a command: a screen's timers
// go through one (Common.After in production), so tests can record them and
// fire them by hand instead of waiting.
type Scheduler func(d time.Duration, msg tea.Msg) tea.Cmd

// After delivers msg after d, unless the session ends first: the views'
// timers (refresh, polling).
func (c *Common) After(d time.Duration, msg tea.Msg) tea.Cmd {
	return Tick(c.Context(), d, func(time.Time) tea.Msg { return msg })
}

// View is one screen of the console (docs/design.md §8). The shell routes global
// keys first, then messages to the active view; data messages (those a view
// produced with its own commands) reach it even while it is hidden.
type View interface {
	Init() tea.Cmd
	Update(tea.Msg) (View, tea.Cmd)
	// View renders the screen body (without the shell's header and status bar).
	View() string
	// SetSize gives the body's size in cells.
	SetSize(width, height int)
	// Title is the tab label.
	Title() string
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Capturing is true while the view is taking text input (a form, a
	// filter): the shell then leaves single-letter keys to the view.
	Capturing() bool
	// Actions are offered in the command palette.
	Actions() []Action
}

// Shown is optionally implemented by views that poll: the shell tells them
// when they become visible or hidden, so polling can pause while hidden.
type Shown interface {
	SetShown(shown bool) tea.Cmd
}

// Action is a palette entry. Msg is the message sent to the view that
// offered it when the action is chosen.
type Action struct {
	Title string
	Help  string
	// Key is the view's own binding that does the same thing: the palette
	// shows its help key beside the title, and the shell swallows its keys
	// for roles without Perm. Leave it zero for palette-only actions.
	Key key.Binding
	Msg tea.Msg
	// Danger marks money-moving actions: hidden for roles that may not use
	// them (the shell decides), always confirmed.
	Danger bool
	// Perm is the permission the action needs (see Permission).
	Perm Permission
}

// Permission names what a role may do (docs/design.md §10). The shell checks it in
// one place so no view can bypass it.
type Permission string

const (
	PermView     Permission = ""         // everyone
	PermCollect  Permission = "collect"  // STK push requests, checkout links
	PermRefund   Permission = "refund"   // refunds
	PermTransfer Permission = "transfer" // move money between own wallets
	PermInitiate Permission = "initiate" // compose and initiate payouts
	PermApprove  Permission = "approve"  // approve and cancel payouts
	PermAdmin    Permission = "admin"    // create wallets, plans
	PermImport   Permission = "import"   // bring a file in: CSV import, scp/sftp upload
	PermExport   Permission = "export"   // take a file out: results/CSV export, scp/sftp download
)

// ToastKind says how a toast looks; a word or symbol always goes with the
// colour so status is never shown by colour alone.
type ToastKind int

const (
	ToastInfo ToastKind = iota
	ToastSuccess
	ToastWarn
	ToastError
)

// ToastMsg asks the shell for a toast that clears itself.
type ToastMsg struct {
	Kind ToastKind
	Text string
}

// Toast returns a command that shows a toast.
func Toast(kind ToastKind, text string) tea.Cmd {
	return func() tea.Msg { return ToastMsg{Kind: kind, Text: text} }
}

// ErrorMsg asks the shell to show a dismissible error panel. Title says what
// was being done ("Transfer failed"); Err carries IntaSend's own message.
type ErrorMsg struct {
	Title string
	Err   error
}

// Error returns a command that shows an error panel.
func Error(title string, err error) tea.Cmd {
	return func() tea.Msg { return ErrorMsg{Title: title, Err: err} }
}

// HealthMsg reports the outcome of a request to IntaSend, for the status
// bar's connection health and last-refresh time.
type HealthMsg struct {
	OK bool
	At time.Time
}

// ConfirmMsg asks the shell for a confirmation dialog. The dialog defaults
// to Cancel; when Typed is set the user must type it before Confirm is
// possible. An amount written as client.Amount.String writes it
// ("4,300.00") is matched by value: any spelling of the same cents
// unlocks (4300, 4,300, 4300.00, KES 4,300.00). Anything else (the last
// characters of a batch id, a subscription id) must be typed exactly. On
// confirm the shell sends OnConfirm to the view that asked; on cancel,
// OnCancel (if any).
type ConfirmMsg struct {
	Title     string
	Body      string
	Typed     string
	Danger    bool
	Perm      Permission
	OnConfirm tea.Msg
	OnCancel  tea.Msg
	// Action, Target and Amount describe the action for the audit log.
	Action string
	Target string
	Amount client.Amount
	// Initiator is who initiated the thing being approved (a payout
	// batch); with FourEyes the shell refuses when it is the current user.
	Initiator string
	// ConfirmLabel and CancelLabel name the buttons after what they do
	// ("Cancel batch" / "Keep batch"), so a dialog about cancelling never
	// offers a button called Cancel that means the opposite. Empty:
	// "Confirm" and "Cancel".
	ConfirmLabel, CancelLabel string
}

// Confirm returns a command that opens a confirmation dialog.
func Confirm(c ConfirmMsg) tea.Cmd { return func() tea.Msg { return c } }

// Refresher is optionally implemented by views that reload on demand. The
// shell calls Refresh on `r` and on the palette's "Refresh"; a view that
// does not implement it gets the `r` key itself instead.
type Refresher interface {
	Refresh() tea.Cmd
}

// DigitTaker is optionally implemented by views that are pickers: their
// list filters as you type, and what people type there is often a number
// (a bank code). While TakesDigits is true the shell leaves the digits to
// the view instead of switching tabs with 1…6 ("68" on Banks must find
// bank 68, not open tab 6 and filter by 8); tab, shift+tab and the palette
// still switch. A view with a filter box focused gets every key anyway
// (Capturing).
type DigitTaker interface {
	TakesDigits() bool
}

// QuitGuard is optionally implemented by views holding work that quitting
// would lose, leave unsure or leave waiting (an unsaved draft, an approval
// in flight, a batch waiting for approval). When QuitWarning is not empty
// the shell asks before quitting, on `q` and on ctrl+c alike (a second
// ctrl+c quits at once); when it is empty, nothing is asked.
type QuitGuard interface {
	QuitWarning() string
}

// ExitNoter is optionally implemented by views that leave something
// pending when the console closes (a payout batch waiting for approval).
// The shell collects the notes as it quits and Run prints them on the
// terminal once the console's screen is gone, so the last thing the user
// sees says what still waits.
type ExitNoter interface {
	ExitNote() string
}

// GoToMsg asks the shell to switch to the tab whose Title() is Tab and then
// deliver Msg to that view. It is how one screen hands work to another
// (a collection row's "refund" opens the Refunds view on that invoice)
// without views importing each other.
type GoToMsg struct {
	Tab string
	Msg tea.Msg
}

// GoTo returns a command that switches tab and delivers msg there.
func GoTo(tab string, msg tea.Msg) tea.Cmd {
	return func() tea.Msg { return GoToMsg{Tab: tab, Msg: msg} }
}

// ClipboardMsg asks the shell to put Text on the terminal's clipboard
// (OSC 52, which works over SSH). Views use it rather than
// tea.SetClipboard, whose unexported message the shell could not route.
type ClipboardMsg struct {
	Text string
}

// Clipboard returns a command that copies text to the terminal's clipboard.
func Clipboard(text string) tea.Cmd {
	return func() tea.Msg { return ClipboardMsg{Text: text} }
}
