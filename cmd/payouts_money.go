package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
)

// ---- payouts initiate ----

type initiateFlags struct {
	rail, wallet string
	again, json  bool
}

func newPayoutsInitiateCmd(g *globals) *cobra.Command {
	f := &initiateFlags{}
	c := &cobra.Command{
		Use:   "initiate FILE.csv --rail RAIL",
		Short: "Create a payout batch from a CSV; it waits for approval (nothing is paid)",
		Long: "Create a payout batch at IntaSend from a CSV, exactly as the console's preview does:\n" +
			"the file is read as `malipo payouts check` reads it (any bad row refuses the whole\n" +
			"file), the wallet must cover the total plus estimated charges, the profile's payout\n" +
			"journal records the attempt before it is sent, and a batch identical to one\n" +
			"already initiated is refused unless --again. The batch is created with approval\n" +
			"required: it pays nobody until `malipo payouts approve TRACKING_ID` (or the\n" +
			"console) approves it. Prints the tracking id and IntaSend's estimated charges.\n\n" +
			"The call is sent once. If IntaSend's answer is lost, nothing is sent again: the\n" +
			"command exits 3 and the journal keeps the attempt, so initiating the same file\n" +
			"again is refused until you have looked (malipo payouts history).",
		Example: "  malipo payouts initiate salaries.csv --rail b2c\n" +
			"  TID=$(malipo payouts initiate salaries.csv --rail b2c --json | jq -r .tracking_id)",
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPayoutsInitiate(cmd, g, f, args[0])
		},
	}
	payoutFileArgs(c, &f.rail)
	c.Flags().StringVar(&f.wallet, "wallet", "", "wallet `ID` to pay from (default: the settlement wallet)")
	c.Flags().BoolVar(&f.again, "again", false, "initiate even though the journal has an identical batch (approving both pays twice)")
	addJSONFlag(c, &f.json)
	return c
}

// initiateOut is `payouts initiate --json` (docs/schemas/payout-initiate.json).
type initiateOut struct {
	TrackingID     string        `json:"tracking_id"`
	FileID         string        `json:"file_id"`
	Status         string        `json:"status"`
	StatusCode     string        `json:"status_code"`
	Rail           payout.Rail   `json:"rail"`
	WalletID       string        `json:"wallet_id"`
	Currency       string        `json:"currency"`
	Count          int           `json:"count"`
	Total          client.Amount `json:"total"`
	ChargeEstimate client.Amount `json:"charge_estimate"`
}

func runPayoutsInitiate(cmd *cobra.Command, g *globals, f *initiateFlags, path string) error {
	rail, err := payout.ParseRail(f.rail)
	if err != nil {
		return usageError(err)
	}
	ctx := cmdContext(cmd)
	env, err := loadMoneyEnv(ctx, g)
	if err != nil {
		return apiExit(err)
	}
	defer env.close()
	if err := env.openJournal(ctx, "payouts initiate"); err != nil {
		return err
	}
	banks := func() (payout.BankSet, error) { return fetchBanks(ctx, env.cl, cmd.ErrOrStderr()), nil }
	d, err := draftFromFile(cmd, path, rail, banks)
	if err != nil {
		return err
	}
	prior, err := initiable(ctx, env, f, d)
	if err != nil {
		_, sum := d.Totals()
		return env.auditRefusal(cmd.ErrOrStderr(), "payout.initiate", "", sum, d.Currency, err)
	}
	wctx, cancel := writeContext(ctx)
	defer cancel()
	// --again covers the batches shown here; the journal refuses any other
	// that a console or CLI initiates meanwhile (payout.ReserveInitiate).
	res := payout.Initiate(wctx, env.j, env.cl, d, env.creds.DeviceID, prior...)
	auditOutcome(cmd, env, d, res)
	return initiated(cmd, f, d, res)
}

// initiable picks the paying wallet and runs the checks before initiate:
// the wallet covers the batch, and no identical batch was initiated
// (prior: those --again passes over).
func initiable(ctx context.Context, env *moneyEnv, f *initiateFlags, d *payout.Draft) (prior []payout.Entry, err error) {
	if d.WalletID, err = payingWallet(ctx, env.cl, f.wallet, d); err != nil {
		return nil, err
	}
	prior = env.j.Initiated(d.Fingerprint())
	if len(prior) > 0 && !f.again {
		return nil, &exitError{code: exitRefused, err: errors.New(duplicateText(prior))}
	}
	return prior, nil
}

// auditOutcome records on the shared chain what became of an initiate:
// refused by the journal's duplicate guard or not recorded (nothing sent),
// or IntaSend's answer; a record that cannot be written is said, as the
// console says it, since the batch exists anyway.
func auditOutcome(cmd *cobra.Command, env *moneyEnv, d *payout.Draft, res payout.InitiateResult) {
	_, sum := d.Totals()
	tid := ""
	if res.Batch != nil {
		tid = res.Batch.TrackingID
	}
	ev := audit.Event("payout.initiate", tid, sum, d.Currency, res.Err)
	switch {
	case res.Refusal != nil:
		ev.Result, ev.Detail = audit.Refused, res.Refusal.Error()
	case res.JournalErr != nil:
		ev.Result, ev.Detail = audit.Failed, "the journal could not record the attempt; nothing was sent: "+res.JournalErr.Error()
	}
	if err := env.audit(ev); err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: the audit chain could not record the outcome: %v\n", err)
	}
}

// draftFromFile reads FILE through the same import as `payouts check` (one
// verdict for both) and refuses it whole when any row is bad, listing the
// problems on stderr; the draft's own checks (the console's preview) follow.
func draftFromFile(cmd *cobra.Command, path string, rail payout.Rail, bankList bankSource) (*payout.Draft, error) {
	im, banks, err := importFile(cmd, path, rail, bankList)
	if err != nil {
		return nil, err
	}
	errw := cmd.ErrOrStderr()
	if bad := im.Bad(); bad > 0 {
		for _, p := range im.Problems {
			if !p.Warning {
				fmt.Fprintln(errw, p.String())
			}
		}
		return nil, fmt.Errorf("%s: %s of %s; nothing was initiated (malipo payouts check shows every problem)",
			path, plural(bad, "bad row"), payout.FormatCount(im.DataRows))
	}
	d := payout.NewDraft(rail, time.Now())
	d.Rows = im.Rows
	if len(d.Rows) == 0 {
		return nil, fmt.Errorf("%s: no rows to pay; nothing was initiated", path)
	}
	if ps := d.Problems(banks); payout.Errors(ps) > 0 {
		for _, p := range ps {
			if !p.Warning {
				fmt.Fprintln(errw, p.String())
			}
		}
		return nil, fmt.Errorf("%s: the batch has %s; nothing was initiated", path, plural(payout.Errors(ps), "error"))
	}
	return d, nil
}

// bankSource gives the PESALINK bank list; it is asked only for a
// PESALINK file that opened, so a missing file fails before any call.
type bankSource func() (payout.BankSet, error)

// importFile is the one CSV import of `payouts check`, `draft` and
// `initiate`: a file that cannot be read exits 2, one that is not a payout
// file at all exits 1 with the reason. It returns the bank list it used.
func importFile(cmd *cobra.Command, path string, rail payout.Rail, bankList bankSource) (*payout.Import, payout.BankSet, error) {
	in, closeIn, err := openInput(cmd, path)
	if err != nil {
		return nil, nil, err
	}
	defer closeIn()
	var banks payout.BankSet = payout.DefaultBanks()
	if rail == payout.PesaLink {
		if banks, err = bankList(); err != nil {
			return nil, nil, err
		}
	}
	im := payout.ImportCSV(in, rail, banks)
	if im.Refused != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, im.Refused)
	}
	return im, banks, nil
}

// fetchBanks is IntaSend's bank list, or the built-in copy when it cannot
// be read (IntaSend checks the codes again when the batch is initiated).
func fetchBanks(ctx context.Context, cl *client.Client, errw io.Writer) payout.BankSet {
	ctx, cancel := context.WithTimeout(ctx, bankCodesTimeout)
	defer cancel()
	list, err := cl.BankCodes(ctx)
	if err == nil && len(list) > 0 {
		return payout.NewBankSet(list)
	}
	fmt.Fprintf(errw, "note: using the built-in bank list (IntaSend's could not be fetched: %v)\n", err)
	return payout.DefaultBanks()
}

// payingWallet reads the paying wallet afresh (--wallet, else the
// settlement wallet of the batch's currency) and refuses a batch it cannot
// cover with its estimated charges, as the console's preview does: such a
// batch is never created.
func payingWallet(ctx context.Context, cl *client.Client, id string, d *payout.Draft) (string, error) {
	if id == "" {
		ws, err := cl.AllWallets(ctx)
		if err != nil {
			return "", apiExit(err)
		}
		for _, w := range ws {
			if w.Type == client.WalletSettlement && (w.Currency == "" || w.Currency == d.Currency) {
				id = w.ID
				break
			}
		}
		if id == "" {
			return "", usageError(errors.New("no settlement wallet found: name the wallet to pay from with --wallet ID"))
		}
	}
	w, err := cl.GetWallet(ctx, id)
	if err != nil {
		return "", apiExit(err)
	}
	_, sum := d.Totals()
	chg := d.EstimatedCharges()
	if need := sum + chg; w.AvailableBalance < need {
		return "", &exitError{code: exitRefused, err: fmt.Errorf("wallet %s has %s available; the batch needs %s plus estimated charges %s: %s short. Nothing was initiated",
			w.ID, w.AvailableBalance.Format(d.Currency), sum.Format(d.Currency), chg.Format(d.Currency), (need - w.AvailableBalance).Format(d.Currency))}
	}
	return w.ID, nil
}

// duplicateText says why an identical batch is refused, and how to go on.
func duplicateText(prior []payout.Entry) string {
	e := prior[len(prior)-1]
	tid := e.TrackingID
	if tid == "" {
		tid = "no tracking id: its answer was lost"
	}
	return fmt.Sprintf("an identical batch (same rail, wallet, accounts and amounts) was already initiated at %s by %s (%s, %s); "+
		"initiating again makes a second batch and approving both pays everyone twice. Nothing was initiated; pass --again if you mean it",
		stamp(e.InitiatedAt), orDash(e.Initiator), tid, e.Status)
}

// initiated reports Initiate's result.
func initiated(cmd *cobra.Command, f *initiateFlags, d *payout.Draft, res payout.InitiateResult) error {
	errw := cmd.ErrOrStderr()
	if res.RecordErr != nil {
		fmt.Fprintf(errw, "warning: the payout journal could not record IntaSend's answer: %v\n", res.RecordErr)
	}
	switch {
	case res.Refusal != nil:
		return &exitError{code: exitRefused, err: fmt.Errorf("not initiated: %w", res.Refusal)}
	case res.JournalErr != nil:
		return fmt.Errorf("the payout journal could not record the attempt, so nothing was sent to IntaSend: %w", res.JournalErr)
	case res.Err != nil && client.IsAmbiguous(res.Err):
		return unknownOutcome("IntaSend did not answer clearly (%v). A batch may have been created; it was NOT sent again, and it cannot pay anyone "+
			"without an approval. The journal keeps the attempt (malipo payouts history); initiating this file again is refused until you pass --again", res.Err)
	case res.Err != nil:
		printRowErrors(errw, res.Err)
		return apiExit(fmt.Errorf("IntaSend refused the batch, nothing was initiated: %w", res.Err))
	}
	b := res.Batch
	count, sum := d.Totals()
	out := initiateOut{TrackingID: b.TrackingID, FileID: b.FileID, Status: b.Status, StatusCode: b.StatusCode, Rail: d.Rail,
		WalletID: d.WalletID, Currency: d.Currency, Count: count, Total: sum, ChargeEstimate: b.ChargeEstimate}
	if f.json {
		return writeJSON(cmd.OutOrStdout(), out)
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "Initiated batch %s (file %s): %s, %s plus estimated charges %s, from wallet %s.\n",
		b.TrackingID, orDash(b.FileID), plural(count, "payout"), sum.Format(d.Currency), b.ChargeEstimate.Format(d.Currency), d.WalletID)
	fmt.Fprintf(w, "It waits for approval (%s); nothing is paid until: malipo payouts approve %s\n", orDash(b.StatusCode), b.TrackingID)
	return nil
}

// printRowErrors lists IntaSend's per-row refusals ("transactions.3.account").
func printRowErrors(w io.Writer, err error) {
	for _, r := range payout.RowErrors(err) {
		fmt.Fprintf(w, "row %d: %s: %s\n", r.Row+1, orDash(r.Field), r.Detail)
	}
}

// ---- payouts approve ----

type approveFlags struct {
	confirm confirmFlag
	json    bool
}

func newPayoutsApproveCmd(g *globals) *cobra.Command {
	f := &approveFlags{}
	c := &cobra.Command{
		Use:   "approve TRACKING_ID",
		Short: "Approve a payout batch: this pays it (typed confirmation or --confirm AMOUNT)",
		Long: "Approve a batch that waits for approval, exactly as the console's approval does:\n" +
			"the wallet must cover it, the profile's approval limits (approve_limit, daily_limit,\n" +
			"monthly_limit in config.toml) apply, the payout journal records the approval under\n" +
			"its lock (so two consoles or scripts never both send it), and the approval is sent\n" +
			"once (client ApproveOnce: an answer in doubt is settled by a status read, never by\n" +
			"approving again).\n\n" +
			"On a terminal you type the batch total to confirm. Without a terminal the command\n" +
			"refuses unless --confirm AMOUNT equals the batch total (any spelling: 1500,\n" +
			"1,500.00, KES 1,500). Exit 1 when it was refused, 3 when the outcome is unknown.",
		Example: "  malipo payouts approve 5ZXL8QW\n  malipo payouts approve 5ZXL8QW --confirm 14750.50 --json",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPayoutsApprove(cmd, g, f, args[0])
		},
	}
	addConfirmFlag(c, &f.confirm)
	addJSONFlag(c, &f.json)
	c.ValidArgsFunction = cobra.NoFileCompletions
	return c
}

// approveOut is `payouts approve --json` (docs/schemas/payout-approve.json).
type approveOut struct {
	TrackingID string        `json:"tracking_id"`
	Outcome    string        `json:"outcome"` // approved, or recorded (more approvals needed; nothing sent)
	Approvals  int           `json:"approvals"`
	Need       int           `json:"need"`
	By         []string      `json:"by"`
	Total      client.Amount `json:"total"`
	Currency   string        `json:"currency"`
	Status     string        `json:"status"`
	StatusCode string        `json:"status_code"`
}

func runPayoutsApprove(cmd *cobra.Command, g *globals, f *approveFlags, tid string) error {
	ctx := cmdContext(cmd)
	env, err := loadMoneyEnv(ctx, g)
	if err != nil {
		return apiExit(err)
	}
	defer env.close()
	if err := env.openJournal(ctx, "payouts approve"); err != nil {
		return err
	}
	pol, err := localPolicy(env.creds.Profile)
	if err != nil {
		return err
	}
	var p *payout.Policy
	if pol != nil {
		p = pol()
	}
	errw := cmd.ErrOrStderr()
	b, req, standing, err := approvable(ctx, env, p, tid)
	if err != nil {
		return env.auditRefusal(errw, "payout.approve", tid, req.Total, req.Currency, err)
	}
	if err := confirm(cmd, &f.confirm, req.Total, req.Currency, approveSummary(b, req, standing)); err != nil {
		return env.auditRefusal(errw, "payout.approve", tid, req.Total, req.Currency, err)
	}
	// As the console records its confirmation: no record, no call.
	ev := common.AuditEvent{Action: "payout.approve", Target: tid, Amount: req.Total, Currency: req.Currency, Result: "requested", Detail: "confirmed"}
	if err := env.audit(ev); err != nil {
		return fmt.Errorf("not approved: the audit chain could not record the approval, so nothing was sent: %w", err)
	}
	wctx, cancel := writeContext(ctx)
	defer cancel()
	res := payout.Approve(wctx, env.j, env.cl, b, req)
	auditApproveOutcome(errw, env, req, res)
	return approved(cmd, f, env.j, req, res)
}

// auditApproveOutcome records on the shared chain what became of a
// confirmed approval: refused by the journal (nothing sent), recorded as
// one step of several, or IntaSend's answer.
func auditApproveOutcome(errw io.Writer, env *moneyEnv, req payout.ApprovalRequest, res payout.ApproveResult) {
	ev := audit.Event("payout.approve", req.TrackingID, req.Total, req.Currency, res.Err)
	switch {
	case res.Refusal != nil:
		ev.Result, ev.Detail = audit.Refused, res.Refusal.Error()
	case res.JournalErr != nil:
		ev.Result, ev.Detail = audit.Failed, "the journal could not record the approval; nothing was sent: "+res.JournalErr.Error()
	case res.Step != nil:
		ev.Result, ev.Detail = "recorded", fmt.Sprintf("approval %d of %d; nothing sent yet", res.Step.Count, res.Step.Need)
	}
	if err := env.audit(ev); err != nil {
		fmt.Fprintf(errw, "warning: the audit chain could not record the outcome: %v\n", err)
	}
}

// approvable reads the batch and runs every check the console runs before
// its dialog opens: it waits for approval, the wallet covers it, and the
// journal would record this approval (limits, expiry, another approver).
// An approval whose outcome the journal lacks is settled from the status
// first, as the console's pending list does.
func approvable(ctx context.Context, env *moneyEnv, p *payout.Policy, tid string) (*client.Batch, payout.ApprovalRequest, payout.ApprovalResult, error) {
	var req payout.ApprovalRequest
	b, err := env.cl.PayoutStatus(ctx, tid)
	if err != nil {
		return nil, req, payout.ApprovalResult{}, apiExit(err)
	}
	if e, ok := env.j.Entry(tid); ok && e.Status == payout.StatusApproving {
		_, _ = env.j.ResolveApproval(tid, b)
	}
	if !b.WaitingApproval() {
		return nil, req, payout.ApprovalResult{}, &exitError{code: exitRefused, err: fmt.Errorf("batch %s does not wait for approval: %s", tid, batchState(b))}
	}
	req = p.ApprovalFor(env.j, b, "")
	if w := b.Wallet; w != nil && w.AvailableBalance < req.Total+b.ChargeEstimate {
		need := req.Total + b.ChargeEstimate
		return nil, req, payout.ApprovalResult{}, &exitError{code: exitRefused, err: fmt.Errorf(
			"not approved: the wallet's available %s is less than the total plus charges %s (short by %s); top it up first",
			w.AvailableBalance.Format(req.Currency), need.Format(req.Currency), (need - w.AvailableBalance).Format(req.Currency))}
	}
	standing, err := env.j.CheckApproval(req)
	if err != nil {
		return nil, req, standing, &exitError{code: exitRefused, err: fmt.Errorf("not approved: %w", err)}
	}
	if err := fourEyes(env, tid); err != nil {
		return nil, req, standing, err
	}
	return b, req, standing, nil
}

// fourEyes, on a shared store, refuses to approve a batch this machine's
// user initiated: serve's consoles hold four-eyes across hosts, and a
// command on one of them must not be the way around it. On the files (one
// person's machine) there is nobody else to ask.
func fourEyes(env *moneyEnv, tid string) error {
	if env.db == nil {
		return nil
	}
	if e, ok := env.j.Entry(tid); ok && e.Initiator != "" && strings.EqualFold(e.Initiator, env.j.Initiator()) {
		return &exitError{code: exitRefused, err: fmt.Errorf("not approved: four-eyes: you (%s) initiated batch %s; another approver must approve it", e.Initiator, tid)}
	}
	return nil
}

// batchState is "Completed (BC100): all paid" from the code table.
func batchState(b *client.Batch) string {
	s := fmt.Sprintf("%s (%s)", orDash(b.Status), orDash(b.StatusCode))
	if c, ok := client.ExplainCode(b.StatusCode); ok {
		s += ": " + c.Meaning
	}
	return s
}

// approveSummary is what the person reads before typing the amount.
func approveSummary(b *client.Batch, req payout.ApprovalRequest, standing payout.ApprovalResult) string {
	cur := req.Currency
	from := "the settlement wallet"
	if b.Wallet != nil {
		from = "wallet " + b.Wallet.ID
		if b.Wallet.Label != "" {
			from = b.Wallet.Label + " (" + b.Wallet.ID + ")"
		}
	}
	s := fmt.Sprintf("Approve batch %s (file %s): pays %s from %s, %s plus charges %s.",
		b.TrackingID, orDash(b.FileID), plural(len(b.Transactions), "payout"), from, req.Total.Format(cur), b.ChargeEstimate.Format(cur))
	if n, ex := repeatedRows(b.Transactions); n > 0 {
		what := payout.FormatCount(n) + " rows pay"
		if n == 1 {
			what = "1 row pays"
		}
		s += fmt.Sprintf("\nWarning: %s the same account the same amount as another row (%s).", what, strings.Join(ex, ", "))
	}
	if standing.Need > 1 {
		s += fmt.Sprintf("\nApproval %d of %d (%s).", standing.Count, standing.Need, req.Rule)
		if !standing.Last {
			s += " It is recorded; nothing is sent to IntaSend until the last one."
		}
	}
	return s
}

// repeatedRows counts rows that pay an account the same amount as an
// earlier row (payout.Repeats), with up to three examples: the last look
// before money moves, as in the console.
func repeatedRows(txs []client.PayoutResult) (int, []string) {
	n, reps := payout.Repeats(txs)
	var ex []string
	for _, r := range reps[:min(len(reps), 3)] {
		ex = append(ex, r.Account+" "+r.Amount.Format("KES"))
	}
	return n, ex
}

// approved reports Approve's result with the exit status a script tests.
func approved(cmd *cobra.Command, f *approveFlags, j *payout.Journal, req payout.ApprovalRequest, res payout.ApproveResult) error {
	if res.RecordErr != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: the payout journal could not record IntaSend's answer: %v\n", res.RecordErr)
	}
	if err := approveError(req, res); err != nil {
		return err
	}
	out := approveOut{TrackingID: req.TrackingID, Outcome: "approved", Approvals: 1, Need: 1, By: []string{},
		Total: req.Total, Currency: req.Currency}
	if s := res.Step; s != nil {
		out.Outcome, out.Approvals, out.Need, out.By = "recorded", s.Count, s.Need, s.By
	} else if e, ok := j.Entry(req.TrackingID); ok {
		out.Approvals, out.Need, out.By = len(e.Approvals), max(e.Need, 1), nonNil(approverNames(e))
	}
	if res.Batch != nil {
		out.Status, out.StatusCode = res.Batch.Status, res.Batch.StatusCode
	}
	if f.json {
		return writeJSON(cmd.OutOrStdout(), out)
	}
	w := cmd.OutOrStdout()
	if out.Outcome == "recorded" {
		fmt.Fprintf(w, "Your approval of %s is recorded: %d of %d approvals (%s). Nothing was sent to IntaSend; it needs %s more.\n",
			req.TrackingID, out.Approvals, out.Need, strings.Join(out.By, ", "), plural(out.Need-out.Approvals, "approver"))
		return nil
	}
	fmt.Fprintf(w, "Approved batch %s: paying %s (%s). Follow it with: malipo payouts status %s\n",
		req.TrackingID, req.Total.Format(req.Currency), orDash(out.StatusCode), req.TrackingID)
	return nil
}

// approveError maps what did not approve to an exit status: refusals 1,
// an IntaSend that could not be reached (nothing approved) or an outcome
// still unknown 3.
func approveError(req payout.ApprovalRequest, res payout.ApproveResult) error {
	refused := func(format string, a ...any) error {
		return &exitError{code: exitRefused, err: fmt.Errorf(format, a...)}
	}
	switch err := res.Err; {
	case res.Refusal != nil:
		return refused("not approved: %w", res.Refusal)
	case res.JournalErr != nil:
		return fmt.Errorf("not approved: the payout journal could not record the approval, so nothing was sent: %w", res.JournalErr)
	case res.Step != nil, err == nil:
		return nil
	case errors.Is(err, client.ErrNotApproved):
		return refused("IntaSend ended the batch without approving it: %w", err)
	case errors.Is(err, client.ErrStillWaiting):
		return &exitError{code: exitUnreachable, err: fmt.Errorf("not approved: IntaSend could not take the approval; the batch still waits and approving again later is safe: %w", err)}
	case payout.Refused(err):
		return refused("IntaSend refused the approval, nothing moved: %w", err)
	}
	return unknownOutcome("the approval's outcome is unknown (%v). It was NOT sent again; the journal keeps the batch as approving. "+
		"Read its status before anything else: malipo payouts status %s", res.Err, req.TrackingID)
}

func approverNames(e payout.Entry) []string {
	out := make([]string, len(e.Approvals))
	for i, a := range e.Approvals {
		out[i] = a.By
	}
	return out
}

// ---- payouts draft ----

type draftFlags struct {
	rail, wallet string
	offline      bool
	json         bool
}

func newPayoutsDraftCmd(g *globals) *cobra.Command {
	f := &draftFlags{}
	c := &cobra.Command{
		Use:   "draft FILE.csv --rail RAIL",
		Short: "Save a CSV as a payout draft for a person to review in the console (sends nothing)",
		Long: "Read a CSV as `malipo payouts check` does and, when every row is good, save it as a\n" +
			"draft in the profile's payout journal. The console's Payouts screen offers it back to\n" +
			"review, preview and approve. Nothing is sent to IntaSend (PESALINK bank codes are\n" +
			"checked against IntaSend's list when keys are at hand, as payouts check does).",
		Example: "  malipo payouts draft salaries.csv --rail b2c --wallet 0QWDQ6Z\n  malipo payouts draft - --rail b2c --json < salaries.csv",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPayoutsDraft(cmd, g, f, args[0])
		},
	}
	payoutFileArgs(c, &f.rail)
	c.Flags().StringVar(&f.wallet, "wallet", "", "wallet `ID` the batch will pay from")
	c.Flags().BoolVar(&f.offline, "offline", false, "use the built-in bank list; never call IntaSend")
	addJSONFlag(c, &f.json)
	return c
}

// draftOut is `payouts draft --json` (docs/schemas/payout-draft.json).
type draftOut struct {
	DraftID  string        `json:"draft_id"`
	Rail     payout.Rail   `json:"rail"`
	WalletID string        `json:"wallet_id"`
	Currency string        `json:"currency"`
	Count    int           `json:"count"`
	Total    client.Amount `json:"total"`
}

func runPayoutsDraft(cmd *cobra.Command, g *globals, f *draftFlags, path string) error {
	rail, err := payout.ParseRail(f.rail)
	if err != nil {
		return usageError(err)
	}
	banks := func() (payout.BankSet, error) {
		return checkBanks(cmdContext(cmd), g, &checkFlags{offline: f.offline}, cmd.ErrOrStderr())
	}
	d, err := draftFromFile(cmd, path, rail, banks)
	if err != nil {
		return err
	}
	d.WalletID = f.wallet
	j, done, err := openProfileJournal(g.profile)
	if err != nil {
		return err
	}
	defer done()
	if err := j.SaveDraft(d); err != nil {
		return err
	}
	count, sum := d.Totals()
	out := draftOut{DraftID: d.ID, Rail: rail, WalletID: d.WalletID, Currency: d.Currency, Count: count, Total: sum}
	if f.json {
		return writeJSON(cmd.OutOrStdout(), out)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Saved draft %s: %s, %s on %s. Nothing was sent; review it in the console (Payouts).\n",
		d.ID, plural(count, "payout"), sum.Format(d.Currency), rail)
	return nil
}
