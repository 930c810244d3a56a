package cmd

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/components/text"
)

// newReadCmds are the read-only commands for scripts (issue 15): each
// prints a table by default, or JSON, JSON lines or CSV. None moves money.
func newReadCmds(g *globals) []*cobra.Command {
	return []*cobra.Command{newWalletsCmd(g), newCollectionsCmd(g), newInvoiceCmd(g),
		newRefundsCmd(g), newSubscriptionsCmd(g), newBanksCmd(g)}
}

// newPayoutsReadCmds are `payouts status` and `payouts history`, added
// beside `payouts check`.
func newPayoutsReadCmds(g *globals) []*cobra.Command {
	return []*cobra.Command{newPayoutsStatusCmd(g), newPayoutsHistoryCmd(g)}
}

// readCmd builds one read command: it parses the output flags, loads the
// client, runs fetch and prints its report, mapping errors to exit codes.
func readCmd(g *globals, c *cobra.Command, fetch func(ctx context.Context, cl *client.Client, args []string) (*report, error)) *cobra.Command {
	f := &outFlags{}
	addOutputFlags(c, f)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		m, err := f.mode()
		if err != nil {
			return err
		}
		ctx := cmdContext(cmd)
		cl, err := readClient(ctx, g)
		if err != nil {
			return apiExit(err)
		}
		r, err := fetch(ctx, cl, args)
		if err != nil {
			return apiExit(err)
		}
		return r.write(cmd.OutOrStdout(), m)
	}
	return c
}

// ---- wallets ----

func newWalletsCmd(g *globals) *cobra.Command {
	c := readCmd(g, &cobra.Command{
		Use:   "wallets [ID]",
		Short: "List wallets and their balances, or show one wallet",
		Example: "  malipo wallets\n  malipo wallets 0QWDQ6Z --json | jq -r .available_balance\n" +
			"  malipo wallets -o csv > wallets.csv",
		Args: usageArgs(cobra.MaximumNArgs(1)),
	}, fetchWallets)
	c.AddCommand(newWalletTransactionsCmd(g))
	return c
}

func fetchWallets(ctx context.Context, cl *client.Client, args []string) (*report, error) {
	var list []client.Wallet
	var doc any
	if len(args) == 1 {
		w, err := cl.GetWallet(ctx, args[0])
		if err != nil {
			return nil, err
		}
		list, doc = []client.Wallet{*w}, w
	} else {
		var err error
		if list, err = cl.AllWallets(ctx); err != nil {
			return nil, err
		}
		list = nonNil(list)
		doc = list
	}
	r := &report{doc: doc, items: jsonItems(list), empty: "no wallets",
		head: []string{"WALLET", "LABEL", "TYPE", "CURRENCY", "AVAILABLE", "CURRENT", "DISBURSE"}}
	for _, w := range list {
		r.rows = append(r.rows, []cell{txt(w.ID), txt(orDash(w.Label)), txt(w.Type), txt(w.Currency),
			money(w.AvailableBalance, w.Currency), money(w.CurrentBalance, w.Currency), txt(yesNo(w.CanDisburse))})
	}
	return r, nil
}

func newWalletTransactionsCmd(g *globals) *cobra.Command {
	return readCmd(g, &cobra.Command{
		Use:     "transactions WALLET_ID",
		Short:   "A wallet's statement, newest first, with running balances",
		Example: "  malipo wallets transactions 0QWDQ6Z\n  malipo wallets transactions 0QWDQ6Z --jsonl | jq -r 'select(.trans_type==\"PAYOUT\") | .value'",
		Args:    usageArgs(cobra.ExactArgs(1)),
	}, func(ctx context.Context, cl *client.Client, args []string) (*report, error) {
		txs, err := allPages(ctx, func(ctx context.Context, page int) (*client.Page[client.WalletTransaction], error) {
			return cl.WalletTransactions(ctx, args[0], page)
		}, nil)
		if err != nil {
			return nil, err
		}
		return transactionsReport(nonNil(txs)), nil
	})
}

func transactionsReport(txs []client.WalletTransaction) *report {
	r := &report{doc: txs, items: jsonItems(txs), empty: "no transactions",
		head: []string{"TRANSACTION", "DATE", "TYPE", "STATUS", "VALUE", "BALANCE", "NARRATIVE"}}
	for _, t := range txs {
		r.rows = append(r.rows, []cell{txt(t.ID), txt(stamp(t.CreatedAt)), txt(t.TransType), txt(t.Status),
			money(t.Value, t.Currency), money(t.RunningBalance, t.Currency), txt(orDash(t.Narrative))})
	}
	return r
}

// ---- collections ----

type collectionsFlags struct {
	state, since string
	now          func() time.Time
}

func newCollectionsCmd(g *globals) *cobra.Command {
	f := &collectionsFlags{now: time.Now}
	c := &cobra.Command{
		Use:   "collections [--state S] [--since T]",
		Short: "Payments received (M-Pesa, card), newest first",
		Long: "Payments received, newest first, from the account's sales. IntaSend lists\n" +
			"only payments that reached a wallet: look a failed one up by its invoice id\n" +
			"(malipo invoice ID, as STK push callers keep it).\n" +
			"--state is an invoice state (PENDING, PROCESSING, COMPLETE, FAILED, RETRY,\n" +
			"CANCELED, PARTIAL); --since is a duration (90m, 24h, 7d), a date (2026-01-31,\n" +
			"from midnight in the machine's zone) or an RFC 3339 time.",
		Example: "  malipo collections --since 24h\n  malipo collections --state FAILED --since 7d --jsonl | jq -r .failed_code\n" +
			"  malipo collections --since 2026-01-01 -o csv > january.csv",
		Args: usageArgs(cobra.NoArgs),
	}
	c.Flags().StringVar(&f.state, "state", "", "only invoices in this state")
	c.Flags().StringVar(&f.since, "since", "", "only invoices created at or after this time")
	return readCmd(g, c, func(ctx context.Context, cl *client.Client, _ []string) (*report, error) {
		return fetchCollections(ctx, cl, f)
	})
}

var invoiceStates = []string{client.InvoicePending, client.InvoiceProcessing, client.InvoiceComplete,
	client.InvoiceFailed, client.InvoiceRetry, client.InvoiceCanceled, client.InvoicePartial}

func fetchCollections(ctx context.Context, cl *client.Client, f *collectionsFlags) (*report, error) {
	state := strings.ToUpper(f.state)
	if state != "" && !slices.Contains(invoiceStates, state) {
		return nil, usageError(fmt.Errorf("--state %q: want one of %s", f.state, strings.Join(invoiceStates, ", ")))
	}
	var since time.Time
	if f.since != "" {
		var err error
		if since, err = parseSince(f.since, f.now()); err != nil {
			return nil, usageError(err)
		}
	}
	// The feed comes newest first: stop paging once a page ends before --since.
	txs, err := allPages(ctx, func(ctx context.Context, page int) (*client.Page[client.WalletTransaction], error) {
		return cl.Transactions(ctx, client.TransactionFilter{TransType: "SALE", Page: page})
	}, func(t client.WalletTransaction) bool { return !since.IsZero() && t.CreatedAt.Before(since) })
	if err != nil {
		return nil, err
	}
	invs := []client.Invoice{}
	for _, t := range txs {
		inv := t.Invoice
		if inv == nil || state != "" && inv.State != state || inv.CreatedAt.Before(since) {
			continue
		}
		invs = append(invs, *inv)
	}
	return collectionsReport(invs), nil
}

func collectionsReport(invs []client.Invoice) *report {
	r := &report{doc: invs, items: jsonItems(invs), empty: "no collections",
		head: []string{"INVOICE", "DATE", "STATE", "PROVIDER", "ACCOUNT", "AMOUNT", "NET", "REASON"}}
	for _, i := range invs {
		r.rows = append(r.rows, []cell{txt(i.ID), txt(stamp(i.CreatedAt)), txt(i.State), txt(i.Provider),
			txt(orDash(i.Account)), money(i.Value, i.Currency), money(i.NetAmount, i.Currency), txt(text.FailedReason(i))})
	}
	return r
}

// sinceDays is "7d": days are not a time.Duration unit.
var sinceDays = regexp.MustCompile(`^(\d{1,4})d$`)

// parseSince reads --since against now (the caller's clock, so tests fix
// it): a duration back from now, a whole number of days, a date (midnight
// in now's zone) or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if m := sinceDays.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return now.AddDate(0, 0, -n), nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, now.Location()); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (90m, 24h, 7d), a date (2026-01-31) or an RFC 3339 time", s)
}

// ---- invoice ----

func newInvoiceCmd(g *globals) *cobra.Command {
	return readCmd(g, &cobra.Command{
		Use:     "invoice INVOICE_ID",
		Short:   "One payment's state, amounts, failure reason and payer",
		Example: "  malipo invoice NR5XKGY\n  malipo invoice NR5XKGY --json | jq -r .invoice.state",
		Args:    usageArgs(cobra.ExactArgs(1)),
	}, func(ctx context.Context, cl *client.Client, args []string) (*report, error) {
		st, err := cl.PaymentStatus(ctx, args[0])
		if err != nil {
			return nil, err
		}
		return invoiceReport(st), nil
	})
}

func invoiceReport(st *client.PaymentStatus) *report {
	i := st.Invoice
	cu := st.Meta.Customer
	payer := strings.TrimSpace(strings.Join([]string{cu.FirstName, cu.LastName, cu.PhoneNumber, cu.Email}, " "))
	rows := [][2]any{{"Invoice", i.ID}, {"State", i.State}, {"Provider", i.Provider}, {"Account", i.Account},
		{"Amount", money(i.Value, i.Currency)}, {"Charges", money(i.Charges, i.Currency)}, {"Net", money(i.NetAmount, i.Currency)},
		{"api_ref", i.APIRef}, {"M-Pesa ref", i.MpesaReference}, {"Clearing", i.ClearingStatus},
		{"Failure", text.FailedReason(i)}, {"Failure code", i.FailedCode}, {"Payer", payer},
		{"Created", stamp(i.CreatedAt)}, {"Updated", stamp(i.UpdatedAt)}}
	return keyValueReport(st, rows)
}

// keyValueReport is a two-column FIELD/VALUE table for one object.
func keyValueReport(doc any, kv [][2]any) *report {
	r := &report{doc: doc, head: []string{"FIELD", "VALUE"}}
	for _, p := range kv {
		v, ok := p[1].(cell)
		if !ok {
			v = txt(orDash(fmt.Sprint(p[1])))
		}
		v.right = false // one value per line: nothing to align
		r.rows = append(r.rows, []cell{txt(p[0].(string)), v})
	}
	return r
}

// ---- payouts status / history ----

func newPayoutsStatusCmd(g *globals) *cobra.Command {
	return readCmd(g, &cobra.Command{
		Use:   "status TRACKING_ID",
		Short: "A payout batch's status and every row's result",
		Long: "A payout batch's status and every row's result, with what each code means\n" +
			"(rows in doubt, TF105 and TH107, must not be resent: see malipo explain).\n" +
			"--output csv writes the console's results export.",
		Example: "  malipo payouts status 5ZXL8QW\n  malipo payouts status 5ZXL8QW --json | jq -r .status_code\n" +
			"  malipo payouts status 5ZXL8QW -o csv > results.csv",
		Args: usageArgs(cobra.ExactArgs(1)),
	}, func(ctx context.Context, cl *client.Client, args []string) (*report, error) {
		b, err := cl.PayoutStatus(ctx, args[0])
		if err != nil {
			return nil, err
		}
		return batchReport(b), nil
	})
}

func batchReport(b *client.Batch) *report {
	cur := "KES"
	if b.Wallet != nil && b.Wallet.Currency != "" {
		cur = b.Wallet.Currency
	}
	status := fmt.Sprintf("%s (%s)", b.Status, b.StatusCode)
	if c, ok := client.ExplainCode(b.StatusCode); ok {
		status += ": " + c.Meaning
	}
	r := &report{doc: b, items: jsonItems(b.Transactions),
		pre: []string{"Batch " + b.TrackingID + " · " + status,
			fmt.Sprintf("Total %s · charges %s · paid %s · failed %s · %d rows", b.TotalAmount.Format(cur),
				b.ActualCharges.Format(cur), b.PaidAmount.Format(cur), b.FailedAmount.Format(cur), len(b.Transactions))},
		head: []string{"NAME", "ACCOUNT", "AMOUNT", "CHARGE", "CODE", "STATUS", "REFERENCE"}}
	for _, t := range b.Transactions {
		words := t.StatusDescription
		if w := client.CodeWords(t.StatusCode); w != "" {
			words = "! " + t.Status + ": " + w // rows in doubt: never resend
		}
		r.rows = append(r.rows, []cell{txt(orDash(t.Name)), txt(t.Account), money(t.Amount, cur), money(t.Charge, cur),
			txt(t.StatusCode), txt(orDash(words)), txt(orDash(t.ProviderReference))})
	}
	return r
}

func newPayoutsHistoryCmd(g *globals) *cobra.Command {
	f := &outFlags{}
	c := &cobra.Command{
		Use:   "history",
		Short: "Batches initiated from this profile, from its local journal",
		Long: "Batches initiated from this machine with this profile, oldest first, as the\n" +
			"payout journal recorded them (the same journal the console's duplicate guard\n" +
			"reads). It needs no keys and makes no call to IntaSend.",
		Example: "  malipo payouts history\n  malipo payouts history --jsonl | jq -r 'select(.status==\"approving\") | .tracking_id'",
		Args:    usageArgs(cobra.NoArgs),
	}
	addOutputFlags(c, f)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		m, err := f.mode()
		if err != nil {
			return err
		}
		entries, err := journalEntries(g.profile)
		if err != nil {
			return err
		}
		return historyReport(entries).write(cmd.OutOrStdout(), m)
	}
	return c
}

func journalEntries(profile string) ([]payout.Entry, error) {
	j, done, err := openProfileJournal(profile)
	if err != nil {
		return nil, err
	}
	defer done()
	return nonNil(j.Entries()), nil
}

func historyReport(es []payout.Entry) *report {
	// Payee keys are the journal's own "paid before" index (short hashes
	// of accounts): not for scripts, and a hash of a phone number is no
	// secret, so they stay inside the journal.
	es = slices.Clone(es)
	for i := range es {
		es[i].Payees = nil
	}
	r := &report{doc: es, items: jsonItems(es), empty: "no batches in this profile's journal",
		head: []string{"INITIATED", "TRACKING", "RAIL", "ROWS", "TOTAL", "STATUS", "CODE", "BY"}}
	for _, e := range es {
		r.rows = append(r.rows, []cell{txt(stamp(e.InitiatedAt)), txt(orDash(e.TrackingID)), txt(string(e.Rail)),
			txt(strconv.Itoa(e.Count)), money(e.Total, e.Currency), txt(e.Status), txt(orDash(e.StatusCode)), txt(orDash(e.Initiator))})
	}
	return r
}

// ---- refunds ----

func newRefundsCmd(g *globals) *cobra.Command {
	return readCmd(g, &cobra.Command{
		Use:     "refunds [ID]",
		Short:   "List refunds, or show one",
		Example: "  malipo refunds\n  malipo refunds --jsonl | jq -r 'select(.status==\"PENDING\") | .chargeback_id'\n  malipo refunds RF7Q2 --json",
		Args:    usageArgs(cobra.MaximumNArgs(1)),
	}, fetchRefunds)
}

func fetchRefunds(ctx context.Context, cl *client.Client, args []string) (*report, error) {
	var list []client.Refund
	var doc any
	if len(args) == 1 {
		rf, err := cl.GetRefund(ctx, args[0])
		if err != nil {
			return nil, err
		}
		list, doc = []client.Refund{*rf}, rf
	} else {
		var err error
		if list, err = allPages(ctx, cl.ListRefunds, nil); err != nil {
			return nil, err
		}
		list = nonNil(list)
		doc = list
	}
	r := &report{doc: doc, items: jsonItems(list), empty: "no refunds",
		head: []string{"REFUND", "DATE", "INVOICE", "AMOUNT", "STATUS", "REASON"}}
	for _, rf := range list {
		inv, cur := "", "KES"
		if rf.Invoice != nil {
			inv, cur = rf.Invoice.ID, rf.Invoice.Currency
		}
		r.rows = append(r.rows, []cell{txt(rf.ID), txt(stamp(rf.CreatedAt)), txt(orDash(inv)), money(rf.Amount, cur),
			txt(rf.Status), txt(orDash(rf.Reason))})
	}
	return r, nil
}

// ---- subscriptions ----

func newSubscriptionsCmd(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:     "subscriptions plans|customers|list",
		Short:   "Subscription plans, subscribers and subscriptions",
		Example: "  malipo subscriptions plans\n  malipo subscriptions list --json | jq -r '.[] | select(.status==\"ACTIVE\") | .subscription_id'",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError(errors.New("name what to list: plans, customers or list (see malipo subscriptions --help)"))
		},
	}
	c.AddCommand(
		readCmd(g, &cobra.Command{Use: "plans", Short: "Subscription plans", Args: usageArgs(cobra.NoArgs),
			Example: "  malipo subscriptions plans -o csv"}, fetchPlans),
		readCmd(g, &cobra.Command{Use: "customers", Short: "Subscribers", Args: usageArgs(cobra.NoArgs),
			Example: "  malipo subscriptions customers --jsonl"}, fetchSubscribers),
		readCmd(g, &cobra.Command{Use: "list", Short: "Subscriptions and their status", Args: usageArgs(cobra.NoArgs),
			Example: "  malipo subscriptions list --json"}, fetchSubscriptions),
	)
	return c
}

func fetchPlans(ctx context.Context, cl *client.Client, _ []string) (*report, error) {
	list, err := allPages(ctx, cl.ListPlans, nil)
	if err != nil {
		return nil, err
	}
	list = nonNil(list)
	r := &report{doc: list, items: jsonItems(list), empty: "no plans",
		head: []string{"PLAN", "NAME", "AMOUNT", "EVERY", "CYCLES"}}
	for _, p := range list {
		r.rows = append(r.rows, []cell{txt(p.ID), txt(p.Name), money(p.Amount, p.Currency),
			txt(fmt.Sprintf("%d %s", p.Frequency, p.FrequencyUnit)), txt(strconv.Itoa(p.BillingCycles))})
	}
	return r, nil
}

func fetchSubscribers(ctx context.Context, cl *client.Client, _ []string) (*report, error) {
	list, err := allPages(ctx, cl.ListSubscriptionCustomers, nil)
	if err != nil {
		return nil, err
	}
	list = nonNil(list)
	r := &report{doc: list, items: jsonItems(list), empty: "no subscribers",
		head: []string{"CUSTOMER", "NAME", "EMAIL", "REFERENCE", "CREATED"}}
	for _, s := range list {
		r.rows = append(r.rows, []cell{txt(s.ID), txt(orDash(strings.TrimSpace(s.FirstName + " " + s.LastName))),
			txt(orDash(s.Email)), txt(orDash(s.Reference)), txt(stamp(s.CreatedAt))})
	}
	return r, nil
}

// subscriptionOut is a subscription as the CLI prints it: client.Subscription
// keeps its customer and plan out of JSON (they arrive in several shapes),
// so their ids are named here.
type subscriptionOut struct {
	client.Subscription
	CustomerID string `json:"customer_id"`
	PlanID     string `json:"plan_id"`
}

func fetchSubscriptions(ctx context.Context, cl *client.Client, _ []string) (*report, error) {
	list, err := allPages(ctx, cl.ListSubscriptions, nil)
	if err != nil {
		return nil, err
	}
	out := make([]subscriptionOut, len(list))
	r := &report{empty: "no subscriptions", head: []string{"SUBSCRIPTION", "STATUS", "CUSTOMER", "PLAN", "NEXT BILLING", "CYCLES DONE"}}
	for i, s := range list {
		out[i] = subscriptionOut{Subscription: s, CustomerID: s.CustomerID, PlanID: s.PlanID}
		r.rows = append(r.rows, []cell{txt(s.ID), txt(s.Status), txt(orDash(s.CustomerID)), txt(orDash(s.PlanID)),
			txt(orDash(s.NextBilling)), txt(strconv.Itoa(s.CyclesDone))})
	}
	r.doc, r.items = out, jsonItems(out)
	return r, nil
}

// ---- banks ----

func newBanksCmd(g *globals) *cobra.Command {
	return readCmd(g, &cobra.Command{
		Use:     "banks",
		Short:   "PesaLink bank codes",
		Example: "  malipo banks\n  malipo banks --json | jq -r '.[] | select(.bank_name|test(\"equity\";\"i\")) | .bank_code'",
		Args:    usageArgs(cobra.NoArgs),
	}, func(ctx context.Context, cl *client.Client, _ []string) (*report, error) {
		list, err := cl.BankCodes(ctx)
		if err != nil {
			return nil, err
		}
		list = nonNil(list)
		r := &report{doc: list, items: jsonItems(list), empty: "no banks", head: []string{"CODE", "BANK"}}
		for _, b := range list {
			r.rows = append(r.rows, []cell{txt(b.Code), txt(b.Name)})
		}
		return r, nil
	})
}

// ---- small helpers ----

// nonNil makes an empty list print as [] in JSON, never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// stamp is a time as a table shows it, in the machine's zone.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04")
}
