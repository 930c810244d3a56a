package cmd

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/settle"
)

type statementFlags struct {
	byDay          bool
	wallet         string
	from, to       string
	json           bool
	now            func() time.Time
	defaultWindowD int
}

func newStatementCmd(g *globals) *cobra.Command {
	f := &statementFlags{now: time.Now, defaultWindowD: 14}
	c := &cobra.Command{
		Use:   "statement [--by-day] [--wallet ID] [--from DATE] [--to DATE] [--json]",
		Short: "Where the money went: collections, charges, refunds, payouts, transfers and the net change",
		Long: "A wallet's settlement over a window (the KES settlement wallet unless --wallet):\n" +
			"gross collections by channel, IntaSend's collection charges, refunds, payouts and\n" +
			"their charges, transfers between wallets and anything else, adding up exactly to\n" +
			"the balance movement from the opening to the closing balance. --by-day gives one\n" +
			"row per day (Nairobi days). The window defaults to the last 14 days, today\n" +
			"included. A day whose lines do not add up to IntaSend's own running balance is\n" +
			"marked and the command exits 1. --json: docs/schemas/statement.json; each\n" +
			"category lists the transaction and invoice ids that make it.",
		Example: "  malipo statement --by-day\n  malipo statement --from 2026-03-01 --to 2026-03-31\n" +
			"  malipo statement --by-day --json | jq '.days[] | {date, net_change}'",
		Args: usageArgs(cobra.NoArgs),
	}
	c.Flags().BoolVar(&f.byDay, "by-day", false, "one row per day")
	c.Flags().StringVar(&f.wallet, "wallet", "", "wallet id (default: the KES settlement wallet)")
	c.Flags().StringVar(&f.from, "from", "", "first day (YYYY-MM-DD; default 13 days before --to)")
	c.Flags().StringVar(&f.to, "to", "", "last day, inclusive (YYYY-MM-DD; default today)")
	c.Flags().BoolVar(&f.json, "json", false, "print one JSON document (docs/schemas/statement.json)")
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	c.RunE = func(cmd *cobra.Command, _ []string) error { return runStatement(cmd, g, f) }
	return c
}

// window is [from, to+1 day) in Nairobi days.
func (f *statementFlags) window() (time.Time, time.Time, error) {
	y, m, d := f.now().In(eat).Date()
	to := time.Date(y, m, d, 0, 0, 0, 0, eat)
	var err error
	if f.to != "" {
		if to, err = time.ParseInLocation(time.DateOnly, f.to, eat); err != nil {
			return to, to, usageError(fmt.Errorf("--to %q: want a date such as 2026-03-01", f.to))
		}
	}
	from := to.AddDate(0, 0, 1-f.defaultWindowD)
	if f.from != "" {
		if from, err = time.ParseInLocation(time.DateOnly, f.from, eat); err != nil {
			return from, to, usageError(fmt.Errorf("--from %q: want a date such as 2026-03-01", f.from))
		}
	}
	if from.After(to) {
		return from, to, usageError(errors.New("--from is after --to"))
	}
	return from, to.AddDate(0, 0, 1), nil
}

func runStatement(cmd *cobra.Command, g *globals, f *statementFlags) error {
	from, to, err := f.window()
	if err != nil {
		return err
	}
	ctx := cmdContext(cmd)
	cl, err := readClient(ctx, g)
	if err != nil {
		return apiExit(err)
	}
	s, err := settle.Fetch(ctx, cl, f.wallet, from, to)
	if err != nil {
		return apiExit(err)
	}
	out := cmd.OutOrStdout()
	if f.json {
		err = writeJSON(out, s)
	} else {
		err = writeStatement(out, s, f.byDay)
	}
	if err != nil {
		return err
	}
	for _, d := range s.Days {
		if !d.AddsUp {
			return &exitError{code: exitRefused, err: fmt.Errorf("%s: the lines add up to %s but the balance moved %s",
				d.Date, d.Net.Format(s.Currency), d.Movement.Format(s.Currency))}
		}
	}
	return nil
}

// writeStatement prints one settlement table: a row per day (--by-day) or
// one for the window, and the total.
func writeStatement(w io.Writer, s *settle.Settlement, byDay bool) error {
	fmt.Fprintf(w, "wallet %s, %s to %s\n", s.WalletID, s.From, s.To)
	channels := s.Total.Channels()
	head := []string{"DAY", "OPENING"}
	for _, ch := range channels {
		head = append(head, strings.ToUpper(channelName(ch)))
	}
	head = append(head, "CHARGES", "REFUNDS", "PAYOUTS", "PAYOUT FEES", "TRANSFERS", "OTHER", "NET", "CLOSING")
	row := func(label string, d *settle.Day) []cell {
		r := []cell{txt(label), money(d.Opening, s.Currency)}
		for _, ch := range channels {
			r = append(r, money(d.Amount(settle.Collections(ch)), s.Currency))
		}
		r = append(r, money(d.Amount(settle.CollectionCharges), s.Currency), money(d.Amount(settle.Refunds), s.Currency),
			money(d.Amount(settle.Payouts), s.Currency), money(d.Amount(settle.PayoutCharges), s.Currency),
			money(d.Amount(settle.TransfersIn)+d.Amount(settle.TransfersOut), s.Currency), money(d.Amount(settle.Other), s.Currency),
			money(d.Net, s.Currency), money(d.Closing, s.Currency))
		if !d.AddsUp {
			r[0] = txt(label + " !")
		}
		return r
	}
	var rows [][]cell
	if byDay {
		for i := range s.Days {
			rows = append(rows, row(s.Days[i].Date, &s.Days[i]))
		}
	}
	rows = append(rows, row("total", &s.Total))
	return writeTable(w, head, rows)
}

// channelName is a provider as people say it.
func channelName(p string) string {
	switch p {
	case "M-PESA":
		return "M-Pesa"
	case "CARD-PAYMENT":
		return "Card"
	case "BANK-ACH":
		return "Bank"
	case "BITCOIN":
		return "Bitcoin"
	case "COOP_B2B":
		return "Co-op"
	}
	return p
}
