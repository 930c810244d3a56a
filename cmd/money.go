package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/store"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
)

// The money-moving commands (payouts initiate|approve, stk-push, refund)
// share this file's rules: the same keys and journal as the console, a
// typed confirmation of the amount on a terminal or --confirm AMOUNT from
// a script (refused with neither), one call that is never retried, and a
// status read when IntaSend's answer leaves the outcome in doubt.

// writeTimeout bounds one money-moving call with its status reads, as the
// console bounds ApproveOnce.
const writeTimeout = 60 * time.Second

// writeContext is the context a money-moving call runs under: not
// cancelled by Ctrl-C once sent (its outcome must still reach the journal),
// bounded in time.
func writeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
}

// moneyEnv is what a money-moving command works with: the profile's keys
// loaded exactly as the console loads them, and its payout journal.
type moneyEnv struct {
	creds *keystore.Credentials
	cl    *client.Client
	j     *payout.Journal // nil until openJournal
	db    *store.Store    // the shared store the journal is on, if any
	lj    *localJournal
	aud   common.Auditor // the shared chain, as this machine's user (nil on the files)
}

func loadMoneyEnv(ctx context.Context, g *globals) (*moneyEnv, error) {
	creds, err := keystore.Load(ctx, g.profile, keystore.LoadOptions{AllowLiveEnv: g.allowLiveEnv, BaseURL: g.baseURL})
	if err != nil {
		return nil, err
	}
	cl, err := creds.Client()
	if err != nil {
		return nil, err
	}
	return &moneyEnv{creds: creds, cl: cl}, nil
}

// openJournal opens the profile's payout journal: the one the console's
// duplicate guard, pending list and approvals read and write. With a
// shared store (MALIPO_STORE, config.toml) it is the journal every serve
// host uses, so its cross-host guards hold here too, and every step and
// refusal goes to the store's audit chain as this machine's user (via
// names the command). Without the audit key the command is refused
// before anything is sent.
func (e *moneyEnv) openJournal(ctx context.Context, via string) error {
	lj, err := openLocalJournal(ctx, e.creds.Profile, via)
	if err != nil {
		return err
	}
	e.lj, e.j, e.db, e.aud = lj, lj.j, lj.db, lj.audit
	if lj.auditErr != nil {
		return &exitError{code: exitRefused, err: fmt.Errorf("nothing was sent: %w", lj.auditErr)}
	}
	return nil
}

// audit records ev on the shared chain (nothing on the files).
func (e *moneyEnv) audit(ev common.AuditEvent) error {
	if e.aud == nil {
		return nil
	}
	return e.aud.Audit(ev)
}

// auditRefusal records a refusal and returns it: best effort, as the
// refusal stands whether or not it is recorded (a note says so).
func (e *moneyEnv) auditRefusal(errw io.Writer, action, target string, amount client.Amount, currency string, refusal error) error {
	if refusal == nil {
		return nil
	}
	ev := common.AuditEvent{Action: action, Target: target, Amount: amount, Currency: currency, Result: "refused", Detail: refusal.Error()}
	if exitCode(refusal) != exitRefused {
		ev.Result = "failed" // not a no: it could not be checked (IntaSend unreachable, a bad file)
	}
	if err := e.audit(ev); err != nil {
		fmt.Fprintf(errw, "note: the audit chain could not record this refusal: %v\n", err)
	}
	return refusal
}

// openChain, when a shared store is named, opens its audit chain for a
// command that keeps no journal (stk-push, refund), as openJournal does:
// refused without the audit key.
func (e *moneyEnv) openChain(ctx context.Context, via string) error {
	if u, err := storeURL(""); err != nil || u == "" {
		return err
	}
	return e.openJournal(ctx, via)
}

// sending records a confirmed call on the shared chain before it is sent
// (no record, no call, as the console's confirmation) and returns what
// records its outcome.
func (e *moneyEnv) sending(errw io.Writer, ev common.AuditEvent) (outcome func(error), err error) {
	ev.Result, ev.Detail = "requested", "confirmed"
	if err := e.audit(ev); err != nil {
		return nil, fmt.Errorf("not sent: the audit chain could not record it: %w", err)
	}
	return func(callErr error) {
		out := audit.Event(ev.Action, ev.Target, ev.Amount, ev.Currency, callErr)
		if err := e.audit(out); err != nil {
			fmt.Fprintf(errw, "warning: the audit chain could not record the outcome: %v\n", err)
		}
	}, nil
}

func (e *moneyEnv) close() {
	if e.lj != nil {
		e.lj.close()
	}
}

// confirmFlag is --confirm AMOUNT: the amount a script confirms.
type confirmFlag struct {
	value string
	set   bool
}

func (f *confirmFlag) String() string { return f.value }
func (f *confirmFlag) Type() string   { return "AMOUNT" }
func (f *confirmFlag) Set(s string) error {
	f.value, f.set = s, true
	return nil
}

func addConfirmFlag(c *cobra.Command, f *confirmFlag) {
	c.Flags().Var(f, "confirm", "confirm without a prompt: the exact amount, in any spelling (\"1500\", \"1,500.00\", \"KES 1,500\")")
}

// errNoConfirmation is the refusal when there is neither a terminal to
// ask on nor --confirm.
var errNoConfirmation = errors.New("not confirmed: type the amount on a terminal, or pass --confirm AMOUNT equal to it")

// matchConfirm checks a confirmation against the amount: any spelling of
// the same amount passes; anything else, or nothing, is refused.
func matchConfirm(typed string, want client.Amount, cur string) error {
	if strings.TrimSpace(typed) == "" {
		return errNoConfirmation
	}
	a, err := client.ParseAmount(typed)
	if err != nil {
		return fmt.Errorf("not confirmed: %q is not an amount; the amount is %s", typed, want.Format(cur))
	}
	if a != want {
		return fmt.Errorf("not confirmed: %s is not the amount, %s; nothing was sent", a.Format(cur), want.Format(cur))
	}
	return nil
}

// confirm asks for the amount: --confirm when given (never a prompt then),
// else a typed answer on a terminal, else a refusal (exit 2: a script must
// say --confirm). summary is what the person is shown before typing.
func confirm(cmd *cobra.Command, f *confirmFlag, want client.Amount, cur, summary string) error {
	if f.set {
		if err := matchConfirm(f.value, want, cur); err != nil {
			return &exitError{code: exitRefused, err: err}
		}
		return nil
	}
	in, ok := cmd.InOrStdin().(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return usageError(errNoConfirmation)
	}
	errw := cmd.ErrOrStderr()
	fmt.Fprintln(errw, summary)
	fmt.Fprintf(errw, "Type the amount (%s) to confirm, or press Enter to cancel: ", want.Format(cur))
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if strings.TrimSpace(line) == "" {
		return &exitError{code: exitRefused, err: errors.New("cancelled: nothing was sent")}
	}
	if err := matchConfirm(line, want, cur); err != nil {
		return &exitError{code: exitRefused, err: err}
	}
	return nil
}

// jsonFlag is --json alone, for commands that print one result.
func addJSONFlag(c *cobra.Command, p *bool) {
	c.Flags().BoolVar(p, "json", false, "print the result as one JSON document (shapes: docs/schemas/)")
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
}

// unknownOutcome is the exit for a money-moving call whose outcome is
// still in doubt after the status read: 3, as for an IntaSend that cannot
// be reached, so a script stops and a person looks.
func unknownOutcome(format string, a ...any) error {
	return &exitError{code: exitUnreachable, err: fmt.Errorf(format, a...)}
}
