package cmd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
)

// newMoneyCmds are the collection commands that move money: stk-push
// and refund (the payout ones live under payouts).
func newMoneyCmds(g *globals) []*cobra.Command {
	return []*cobra.Command{newSTKPushCmd(g), newRefundCmd(g)}
}

// ---- stk-push ----

type stkFlags struct {
	ref, narrative, wallet string
	confirm                confirmFlag
	json                   bool
}

// apiRefRE is what IntaSend takes in api_ref (as the console's form checks).
var apiRefRE = regexp.MustCompile(`^[a-zA-Z0-9-_ ]+$`)

func newSTKPushCmd(g *globals) *cobra.Command {
	f := &stkFlags{}
	c := &cobra.Command{
		Use:   "stk-push PHONE AMOUNT",
		Short: "Ask a customer's phone for an M-Pesa payment (typed confirmation or --confirm AMOUNT)",
		Long: "Send an M-Pesa prompt (STK push) to PHONE for AMOUNT KES. On a terminal you type the\n" +
			"amount to confirm; a script passes --confirm AMOUNT equal to it. The request is sent\n" +
			"once: a repeat would prompt the customer twice. Every push carries an api_ref (yours\n" +
			"with --ref, else a fresh malipo-… one), so that when IntaSend's answer is lost the\n" +
			"command can look for the payment by it instead of asking again; if it is not found\n" +
			"the command exits 3 and says what to look for. Follow the invoice with malipo invoice ID.",
		Example: "  malipo stk-push 0712345678 1500 --ref ORDER-1042\n" +
			"  malipo stk-push 0712345678 1500 --ref ORDER-1042 --confirm 1500 --json | jq -r .invoice.invoice_id",
		Args: usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSTKPush(cmd, g, f, args[0], args[1])
		},
	}
	c.Flags().StringVar(&f.ref, "ref", "", "your reference (api_ref): letters, digits, -, _ and spaces")
	c.Flags().StringVar(&f.narrative, "narrative", "", "what the payment is for")
	c.Flags().StringVar(&f.wallet, "wallet", "", "wallet `ID` to credit (default: the settlement wallet)")
	addConfirmFlag(c, &f.confirm)
	addJSONFlag(c, &f.json)
	c.ValidArgsFunction = cobra.NoFileCompletions
	return c
}

// stkOut is `stk-push --json` (docs/schemas/stk-push.json).
type stkOut struct {
	APIRef  string         `json:"api_ref"`
	Invoice client.Invoice `json:"invoice"`
}

func (f *stkFlags) request(phone, amount string) (client.STKPushRequest, error) {
	p, err := client.ParsePhone(phone)
	if err != nil {
		return client.STKPushRequest{}, usageError(err)
	}
	a, err := client.ParseAmount(amount)
	if err != nil || a <= 0 {
		return client.STKPushRequest{}, usageError(fmt.Errorf("amount %q: want a positive amount such as 1500 or 1,500.00", amount))
	}
	ref := f.ref
	if ref == "" {
		ref = newRef()
	}
	switch {
	case utf8.RuneCountInString(ref) > uiform.STKRefMax || !apiRefRE.MatchString(ref):
		return client.STKPushRequest{}, usageError(fmt.Errorf("--ref %q: up to %d letters, digits, -, _ and spaces", ref, uiform.STKRefMax))
	case utf8.RuneCountInString(f.narrative) > uiform.STKNarrativeMax:
		return client.STKPushRequest{}, usageError(fmt.Errorf("--narrative: at most %d characters", uiform.STKNarrativeMax))
	}
	return client.STKPushRequest{Phone: p, Amount: a, APIRef: ref, Narrative: f.narrative, WalletID: f.wallet}, nil
}

// newRef is an api_ref of our own: what a lost answer is looked up by.
func newRef() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "malipo-" + hex.EncodeToString(b[:])
}

func runSTKPush(cmd *cobra.Command, g *globals, f *stkFlags, phone, amount string) error {
	req, err := f.request(phone, amount)
	if err != nil {
		return err
	}
	ctx := cmdContext(cmd)
	env, err := loadMoneyEnv(ctx, g)
	if err != nil {
		return apiExit(err)
	}
	defer env.close()
	if err := env.openChain(ctx, "stk-push"); err != nil {
		return err
	}
	summary := fmt.Sprintf("An M-Pesa prompt for %s goes to %s (%s).\nReference: %s", req.Amount.Format("KES"), req.Phone.Display(), req.Phone, req.APIRef)
	if err := confirm(cmd, &f.confirm, req.Amount, "KES", summary); err != nil {
		return err
	}
	outcome, err := env.sending(cmd.ErrOrStderr(), common.AuditEvent{Action: "stk.push", Target: req.APIRef, Amount: req.Amount, Currency: "KES"})
	if err != nil {
		return err
	}
	sent := time.Now()
	wctx, cancel := writeContext(ctx)
	defer cancel()
	resp, err := env.cl.STKPush(wctx, req)
	outcome(err)
	if err != nil && client.IsAmbiguous(err) {
		inv, found := findByRef(wctx, env.cl, req.APIRef, sent)
		if !found {
			return unknownOutcome("IntaSend did not answer clearly (%v). The customer may still get a prompt, so it was NOT sent again. "+
				"Look for api_ref %s (malipo collections --since 1h) before asking again", err, req.APIRef)
		}
		resp = &client.STKPushResponse{Invoice: *inv}
	} else if err != nil {
		return apiExit(fmt.Errorf("IntaSend refused the M-Pesa request: %w", err))
	}
	out := stkOut{APIRef: req.APIRef, Invoice: resp.Invoice}
	if f.json {
		return writeJSON(cmd.OutOrStdout(), out)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Prompt sent to %s for %s: invoice %s (%s). Follow it with: malipo invoice %s\n",
		req.Phone.Display(), req.Amount.Format("KES"), resp.Invoice.ID, orDash(resp.Invoice.State), resp.Invoice.ID)
	return nil
}

// findByRef looks for the push's invoice among the account's payments
// since it was sent (IntaSend has no look-up by api_ref, and lists only
// payments that reached a wallet, so an unpaid prompt is not found).
func findByRef(ctx context.Context, cl *client.Client, ref string, since time.Time) (*client.Invoice, bool) {
	txs, err := allPages(ctx, func(ctx context.Context, page int) (*client.Page[client.WalletTransaction], error) {
		return cl.Transactions(ctx, client.TransactionFilter{TransType: "SALE", Page: page})
	}, func(t client.WalletTransaction) bool { return t.CreatedAt.Before(since.Add(-time.Hour)) })
	if err != nil {
		return nil, false
	}
	for _, t := range txs {
		if t.Invoice != nil && t.Invoice.APIRef == ref {
			return t.Invoice, true
		}
	}
	return nil, false
}

// ---- refund ----

type refundFlags struct {
	reason, details string
	confirm         confirmFlag
	json            bool
}

var refundReasons = []string{client.ReasonUnavailable, client.ReasonDelayed, client.ReasonWrong, client.ReasonDuplicate, client.ReasonOther}

func newRefundCmd(g *globals) *cobra.Command {
	f := &refundFlags{}
	c := &cobra.Command{
		Use:   "refund INVOICE_ID AMOUNT",
		Short: "Refund (part of) a payment (typed confirmation or --confirm AMOUNT)",
		Long: "Ask IntaSend to refund AMOUNT of a COMPLETE payment, as the console's refund form does:\n" +
			"the payment and its earlier refunds are read first and AMOUNT may not exceed what is\n" +
			"left. On a terminal you type the amount to confirm; a script passes --confirm AMOUNT.\n" +
			"The refund is sent once. If IntaSend's answer is lost the invoice's refunds are read\n" +
			"again: a new one for the amount is reported, otherwise the command exits 3 and it must\n" +
			"be checked (malipo refunds) before refunding again.\n" +
			"--reason: unavailable, delayed, wrong, duplicate or other (IntaSend's reasons).",
		Example: "  malipo refund NR5XKGY 500 --reason duplicate\n" +
			"  malipo refund NR5XKGY 500 --reason wrong --details \"sent size 42\" --confirm 500 --json",
		Args: usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRefund(cmd, g, f, args[0], args[1])
		},
	}
	c.Flags().StringVar(&f.reason, "reason", "other", "unavailable|delayed|wrong|duplicate|other")
	c.Flags().StringVar(&f.details, "details", "", "what happened (optional)")
	_ = c.RegisterFlagCompletionFunc("reason", completeReason)
	addConfirmFlag(c, &f.confirm)
	addJSONFlag(c, &f.json)
	c.ValidArgsFunction = cobra.NoFileCompletions
	return c
}

// reason maps --reason to IntaSend's wording: a word of it or all of it.
func (f *refundFlags) reasonName() (string, error) {
	r := strings.ToLower(strings.TrimSpace(f.reason))
	for _, full := range refundReasons {
		if r == strings.ToLower(full) || r == strings.ToLower(strings.Fields(full)[0]) {
			return full, nil
		}
	}
	return "", usageError(fmt.Errorf("--reason %q: want unavailable, delayed, wrong, duplicate or other", f.reason))
}

func (f *refundFlags) request(invoice, amount string) (client.RefundRequest, error) {
	a, err := client.ParseAmount(amount)
	if err != nil || a <= 0 {
		return client.RefundRequest{}, usageError(fmt.Errorf("amount %q: want a positive amount such as 500 or 1,500.00", amount))
	}
	reason, err := f.reasonName()
	if err != nil {
		return client.RefundRequest{}, err
	}
	if utf8.RuneCountInString(f.details) > uiform.ReasonDetailsMax || strings.ContainsAny(f.details, "<>") {
		return client.RefundRequest{}, usageError(fmt.Errorf("--details: at most %d characters, without < or >", uiform.ReasonDetailsMax))
	}
	return client.RefundRequest{InvoiceID: invoice, Amount: a, Reason: reason, ReasonDetails: f.details}, nil
}

func runRefund(cmd *cobra.Command, g *globals, f *refundFlags, invoice, amount string) error {
	req, err := f.request(invoice, amount)
	if err != nil {
		return err
	}
	ctx := cmdContext(cmd)
	env, err := loadMoneyEnv(ctx, g)
	if err != nil {
		return apiExit(err)
	}
	defer env.close()
	if err := env.openChain(ctx, "refund"); err != nil {
		return err
	}
	st, earlier, err := refundable(ctx, env.cl, req)
	if err != nil {
		return err
	}
	cur := orKES(st.Invoice.Currency)
	left := st.Invoice.Value - refunded(earlier)
	summary := fmt.Sprintf("Refund %s of invoice %s (paid %s by %s), reason %q.\nThe customer gets %s back; %s stays refundable.",
		req.Amount.Format(cur), req.InvoiceID, st.Invoice.Value.Format(cur), orDash(payerOf(st)), req.Reason, req.Amount.Format(cur), (left - req.Amount).Format(cur))
	if err := confirm(cmd, &f.confirm, req.Amount, cur, summary); err != nil {
		return err
	}
	outcome, err := env.sending(cmd.ErrOrStderr(), common.AuditEvent{Action: "refund.create", Target: req.InvoiceID, Amount: req.Amount, Currency: cur})
	if err != nil {
		return err
	}
	wctx, cancel := writeContext(ctx)
	defer cancel()
	r, err := env.cl.CreateRefund(wctx, req) // never retried: it moves money
	outcome(err)
	if err != nil && client.IsAmbiguous(err) {
		found, ok := newRefund(wctx, env.cl, req, earlier)
		if !ok {
			return unknownOutcome("IntaSend did not answer clearly (%v). The refund of %s on %s may have gone through, so it was NOT sent again. "+
				"Check its refunds (malipo refunds) before refunding again", err, req.Amount.Format(cur), req.InvoiceID)
		}
		r = found
	} else if err != nil {
		return apiExit(fmt.Errorf("IntaSend refused the refund: %w", err))
	}
	if f.json {
		return writeJSON(cmd.OutOrStdout(), r)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Refund %s of %s on %s requested (%s). Follow it with: malipo refunds %s\n",
		r.ID, r.Amount.Format(cur), req.InvoiceID, orDash(r.Status), r.ID)
	return nil
}

// refundable reads the payment and its refunds and refuses what the
// console's form refuses: a payment not COMPLETE, an amount over what is left.
func refundable(ctx context.Context, cl *client.Client, req client.RefundRequest) (*client.PaymentStatus, []client.Refund, error) {
	st, err := cl.PaymentStatus(ctx, req.InvoiceID)
	if err != nil {
		return nil, nil, apiExit(err)
	}
	if st.Invoice.State != client.InvoiceComplete {
		return nil, nil, &exitError{code: exitRefused, err: fmt.Errorf("only COMPLETE payments can be refunded; %s is %s", req.InvoiceID, st.Invoice.State)}
	}
	earlier, err := refundsOf(ctx, cl, req.InvoiceID)
	if err != nil {
		return nil, nil, apiExit(fmt.Errorf("earlier refunds of %s could not be read, so what is left is unknown: %w", req.InvoiceID, err))
	}
	cur := orKES(st.Invoice.Currency)
	if left := st.Invoice.Value - refunded(earlier); req.Amount > left {
		return nil, nil, &exitError{code: exitRefused, err: fmt.Errorf("%s is more than the %s left to refund on %s (paid %s, %s refunded or pending)",
			req.Amount.Format(cur), max(left, 0).Format(cur), req.InvoiceID, st.Invoice.Value.Format(cur), refunded(earlier).Format(cur))}
	}
	return st, earlier, nil
}

// refundsOf is every refund of one invoice.
func refundsOf(ctx context.Context, cl *client.Client, invoice string) ([]client.Refund, error) {
	all, err := allPages(ctx, cl.ListRefunds, nil)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(r client.Refund) bool { return refundInvoice(r) != invoice }), nil
}

func refundInvoice(r client.Refund) string {
	if r.Invoice != nil && r.Invoice.ID != "" {
		return r.Invoice.ID
	}
	if r.Transaction != nil && r.Transaction.Invoice != nil {
		return r.Transaction.Invoice.ID
	}
	return ""
}

// refunded sums the refunds that still hold part of the payment
// (cancelled and disputed ones give it back), as the console counts.
func refunded(rs []client.Refund) client.Amount {
	var sum client.Amount
	for _, r := range rs {
		if r.Status != client.RefundCancelled && r.Status != client.RefundDisputed {
			sum += r.Amount
		}
	}
	return sum
}

// newRefund is the status read after a lost answer: a refund of the
// invoice for the amount that was not there before.
func newRefund(ctx context.Context, cl *client.Client, req client.RefundRequest, earlier []client.Refund) (*client.Refund, bool) {
	now, err := refundsOf(ctx, cl, req.InvoiceID)
	if err != nil {
		return nil, false
	}
	for i := range now {
		r := &now[i]
		known := slices.ContainsFunc(earlier, func(e client.Refund) bool { return e.ID == r.ID })
		if !known && r.Amount == req.Amount {
			return r, true
		}
	}
	return nil, false
}

func payerOf(st *client.PaymentStatus) string {
	cu := st.Meta.Customer
	name := strings.TrimSpace(cu.FirstName + " " + cu.LastName)
	acct := st.Invoice.Account
	switch {
	case name == "":
		return acct
	case acct == "":
		return name
	}
	return name + " · " + acct
}

func orKES(cur string) string {
	if cur == "" {
		return "KES"
	}
	return cur
}
