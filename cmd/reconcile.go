package cmd

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/reconcile"
)

// eat is the zone ledger dates and --from/--to are read in: IntaSend's
// days are Nairobi days (UTC+3, no daylight saving).
var eat = time.FixedZone("EAT", 3*60*60)

type reconcileFlags struct {
	from, to string
	json     bool
}

func newReconcileCmd(g *globals) *cobra.Command {
	f := &reconcileFlags{}
	c := &cobra.Command{
		Use:   "reconcile LEDGER.csv [--from DATE] [--to DATE] [--json]",
		Short: "Match your order ledger against IntaSend's collections",
		Long: "Reads your orders from a CSV (columns reference, amount, date; phone and email\n" +
			"optional; names matched loosely, as payouts check does) and compares them with\n" +
			"IntaSend's COMPLETE payments by api_ref: matched, amount_mismatch,\n" +
			"paid_without_order, unpaid_orders (with failed or pending attempts and why),\n" +
			"duplicates (paid twice, or a reference on two ledger rows) and refunded.\n" +
			"\"Possible match\" suggestions (same amount and payer within a day, another\n" +
			"reference) are offered, never counted as matched.\n" +
			"Dates are Nairobi days; DD/MM/YYYY is read day first. Without --from/--to the\n" +
			"window is the days the ledger covers. Exit status: 0 all reconciled, 1 there\n" +
			"are differences (or rejected rows, or IntaSend said no), 2 usage or the file\n" +
			"cannot be read, 3 IntaSend unreachable. --json: docs/schemas/reconcile.json.",
		Example: "  malipo reconcile orders.csv\n  malipo reconcile orders.csv --from 2026-03-01 --to 2026-03-31 --json | jq .summary",
		Args:    usageArgs(cobra.ExactArgs(1)),
	}
	c.Flags().StringVar(&f.from, "from", "", "first day compared (YYYY-MM-DD)")
	c.Flags().StringVar(&f.to, "to", "", "last day compared (YYYY-MM-DD, inclusive)")
	c.Flags().BoolVar(&f.json, "json", false, "print one JSON document (docs/schemas/reconcile.json)")
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	c.RunE = func(cmd *cobra.Command, args []string) error { return runReconcile(cmd, g, f, args[0]) }
	return c
}

func runReconcile(cmd *cobra.Command, g *globals, f *reconcileFlags, path string) error {
	in, closeIn, err := openInput(cmd, path)
	if err != nil {
		return err
	}
	lg := reconcile.ReadLedger(in, eat)
	closeIn()
	if lg.Refused != nil {
		return &exitError{code: exitRefused, err: fmt.Errorf("%s: %w", path, lg.Refused)}
	}
	for _, p := range lg.Problems {
		fmt.Fprintln(cmd.ErrOrStderr(), path+": "+p.String())
	}
	w, err := f.window(lg.Orders)
	if err != nil {
		return err
	}
	ctx := cmdContext(cmd)
	cl, err := readClient(ctx, g)
	if err != nil {
		return apiExit(err)
	}
	col, err := reconcile.Fetch(ctx, cl, lg.Orders, w)
	if err != nil {
		return apiExit(err)
	}
	res := lg.Match(col)
	out := cmd.OutOrStdout()
	if f.json {
		err = writeJSON(out, res)
	} else {
		err = writeReconcile(out, res)
	}
	if err != nil {
		return err
	}
	if !res.Clean() {
		return &exitError{code: exitRefused, err: errors.New(differences(res))}
	}
	return nil
}

// window is --from/--to, each defaulting to the ledger's own span.
func (f *reconcileFlags) window(orders []reconcile.Order) (reconcile.Window, error) {
	w := reconcile.LedgerWindow(orders)
	for _, d := range []struct {
		flag, v string
		to      *time.Time
		shift   int
	}{{"--from", f.from, &w.From, 0}, {"--to", f.to, &w.To, 1}} {
		if d.v == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, d.v, eat)
		if err != nil {
			return w, usageError(fmt.Errorf("%s %q: want a date such as 2026-03-01", d.flag, d.v))
		}
		*d.to = t.AddDate(0, 0, d.shift)
	}
	if !w.From.IsZero() && !w.To.IsZero() && !w.From.Before(w.To) {
		return w, usageError(errors.New("--from is after --to"))
	}
	return w, nil
}

// differences is the one line main prints when the books do not agree.
func differences(r *reconcile.Result) string {
	c := r.Summary.Counts
	return fmt.Sprintf("not reconciled: %s, %s, %s, %s, %s",
		plural(c.AmountMismatch, "amount mismatch"), plural(c.PaidWithoutOrder, "payment without an order"),
		plural(c.UnpaidOrders, "unpaid order"), plural(c.Duplicates, "duplicate"), plural(r.Summary.RejectedRows, "rejected ledger row"))
}

// writeReconcile prints the summary and one table per list that has rows.
func writeReconcile(w io.Writer, r *reconcile.Result) error {
	s := r.Summary
	fmt.Fprintf(w, "%s to %s: %s (%s), %s (%s)\n", orDash(s.From), orDash(s.To),
		plural(s.Orders, "order"), s.Sums.Orders.KES(), plural(s.Payments, "payment"), s.Sums.Payments.KES())
	fmt.Fprintf(w, "matched %d · amount mismatch %d · paid without order %d · unpaid %d · duplicates %d · refunded %d · possible matches %d\n",
		s.Counts.Matched, s.Counts.AmountMismatch, s.Counts.PaidWithoutOrder, s.Counts.UnpaidOrders,
		s.Counts.Duplicates, s.Counts.Refunded, s.Counts.PossibleMatches)
	for _, sec := range reconcileSections(r) {
		if len(sec.rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d)\n", sec.title, len(sec.rows))
		if err := writeTable(w, sec.head, sec.rows); err != nil {
			return err
		}
	}
	return nil
}

type section struct {
	title string
	head  []string
	rows  [][]cell
}

func reconcileSections(r *reconcile.Result) []section {
	mm := section{title: "Amount mismatch", head: []string{"REFERENCE", "LINE", "ORDERED", "PAID", "DIFFERENCE", "INVOICE"}}
	for _, m := range r.AmountMismatch {
		mm.rows = append(mm.rows, []cell{txt(m.Reference), txt(fmt.Sprint(m.Order.Line)), money(m.Order.Amount, "KES"),
			money(m.Payment.Amount, m.Payment.Currency), money(m.Difference, "KES"), txt(m.Payment.InvoiceID)})
	}
	pw := section{title: "Paid without an order", head: []string{"INVOICE", "API_REF", "DATE", "AMOUNT", "ACCOUNT", "POSSIBLE ORDER"}}
	for _, u := range r.PaidWithoutOrder {
		pw.rows = append(pw.rows, []cell{txt(u.Payment.InvoiceID), txt(orDash(u.Payment.APIRef)), txt(stamp(u.Payment.At)),
			money(u.Payment.Amount, u.Payment.Currency), txt(orDash(u.Payment.Account)), txt(orDash(possibleOrder(u.PossibleOrders)))})
	}
	up := section{title: "Unpaid orders", head: []string{"REFERENCE", "LINE", "DATE", "AMOUNT", "ATTEMPTS", "POSSIBLE MATCH"}}
	for _, u := range r.UnpaidOrders {
		up.rows = append(up.rows, []cell{txt(u.Order.Reference), txt(fmt.Sprint(u.Order.Line)), txt(u.Order.Date.Format(time.DateOnly)),
			money(u.Order.Amount, "KES"), txt(orDash(attemptsText(u.Attempts))), txt(orDash(possiblePayment(u.PossibleMatches)))})
	}
	du := section{title: "Duplicates", head: []string{"REFERENCE", "KIND", "LINES", "INVOICES", "EXTRA PAID"}}
	for _, d := range r.Duplicates {
		du.rows = append(du.rows, []cell{txt(d.Reference), txt(d.Kind), txt(orDash(linesOf(d.Orders))),
			txt(orDash(invoicesOf(d.Payments))), money(d.Extra, "KES")})
	}
	rf := section{title: "Refunded", head: []string{"REFERENCE", "INVOICE", "PAID", "REFUNDED", "PENDING"}}
	for _, f := range r.Refunded {
		rf.rows = append(rf.rows, []cell{txt(f.Reference), txt(f.Payment.InvoiceID), money(f.Payment.Amount, f.Payment.Currency),
			money(f.Refunded, "KES"), money(f.Pending, "KES")})
	}
	return []section{mm, pw, up, du, rf}
}

func possibleOrder(os []reconcile.Order) string {
	if len(os) == 0 {
		return ""
	}
	return fmt.Sprintf("%s (line %d)", os[0].Reference, os[0].Line)
}

func possiblePayment(ps []reconcile.Payment) string {
	if len(ps) == 0 {
		return ""
	}
	return ps[0].InvoiceID + " " + orDash(ps[0].APIRef)
}

func attemptsText(as []reconcile.Attempt) string {
	if len(as) == 0 {
		return ""
	}
	s := as[0].State + ": " + as[0].Reason
	if len(as) > 1 {
		s += fmt.Sprintf(" (+%d more)", len(as)-1)
	}
	return s
}

func linesOf(os []reconcile.Order) string {
	s := ""
	for i, o := range os {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(o.Line)
	}
	return s
}

func invoicesOf(ps []reconcile.Payment) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += ", "
		}
		s += p.InvoiceID
	}
	return s
}
