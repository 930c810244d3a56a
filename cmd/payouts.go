package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/userdir"
)

// bankCodesTimeout bounds the one call `payouts check` may make.
const bankCodesTimeout = 10 * time.Second

// newPayoutsCmd is `malipo payouts …`: batch tools for scripts.
func newPayoutsCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "payouts", Short: "Payout batch tools"}
	c.AddCommand(newPayoutsCheckCmd(g), newPayoutsDraftCmd(g), newPayoutsInitiateCmd(g), newPayoutsApproveCmd(g))
	c.AddCommand(newPayoutsReadCmds(g)...)
	return c
}

type checkFlags struct {
	rail    string
	offline bool
	quiet   bool
	json    bool
}

func newPayoutsCheckCmd(g *globals) *cobra.Command {
	f := &checkFlags{}
	c := &cobra.Command{
		Use:   "check FILE.csv --rail RAIL",
		Short: "Validate a payout CSV: one line per bad row, non-zero exit if any",
		Long: "Validate a payout CSV the way the console imports it, without sending anything.\n" +
			"Prints one line per problem (line, field, reason; warnings marked), then a summary.\n" +
			"Exits non-zero when any row is bad; warnings alone exit 0. FILE may be - for stdin.\n\n" +
			"Columns (header names ignore case): name, account (or phone, phone_number, msisdn,\n" +
			"account_number), amount, bank_code (or bank; PESALINK), account_type (or type:\n" +
			"PayBill|TillNumber; MPESA-B2B), account_reference (or reference), narrative (or\n" +
			"description), id_number. Other columns are ignored.\n\n" +
			"PESALINK bank codes come from IntaSend when the profile has keys (or MALIPO_* keys\n" +
			"are set), else from malipo's built-in copy of IntaSend's list (--offline forces it).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPayoutsCheck(cmd, g, f, args[0])
		},
	}
	payoutFileArgs(c, &f.rail)
	c.Flags().BoolVar(&f.offline, "offline", false, "use the built-in bank list; never call IntaSend")
	c.Flags().BoolVar(&f.quiet, "quiet", false, "print only errors and the summary, not warnings")
	c.Flags().BoolVar(&f.json, "json", false, "print the verdict as one JSON document (docs/schemas/payouts-check.json)")
	c.Example = "  malipo payouts check salaries.csv --rail b2c\n  malipo payouts check - --rail bank --json < suppliers.csv | jq .bad"
	return c
}

func runPayoutsCheck(cmd *cobra.Command, g *globals, f *checkFlags, path string) error {
	rail, err := payout.ParseRail(f.rail)
	if err != nil {
		return err
	}
	im, _, err := importFile(cmd, path, rail, func() (payout.BankSet, error) {
		return checkBanks(cmdContext(cmd), g, f, cmd.ErrOrStderr())
	})
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if f.json {
		if err := writeJSON(out, checkVerdict(im, rail, f.quiet)); err != nil {
			return err
		}
	} else {
		for _, p := range im.Problems {
			if !(f.quiet && p.Warning) {
				fmt.Fprintln(out, p.String())
			}
		}
		printCheckSummary(out, im, rail)
	}
	if bad := im.Bad(); bad > 0 {
		return fmt.Errorf("%s: %s of %s; fix them and check again", path, plural(bad, "bad row"), payout.FormatCount(im.DataRows))
	}
	return nil
}

// printCheckSummary ends with a newline whatever comes next, so the
// error line main prints on stderr starts a line of its own.
func printCheckSummary(out io.Writer, im *payout.Import, rail payout.Rail) {
	d := payout.Draft{Rail: rail, Rows: im.Rows}
	count, sum := d.Totals()
	fmt.Fprintf(out, "%s: %s, %s good, %s bad, %s; good rows total %s\n",
		rail, plural(im.DataRows, "row"), payout.FormatCount(count), payout.FormatCount(im.Bad()), plural(im.Warnings(), "warning"), sum.Format("KES"))
}

// checkOut is `payouts check --json` (docs/schemas/payouts-check.json).
type checkOut struct {
	Rail     payout.Rail      `json:"rail"`
	Rows     int              `json:"rows"`
	Good     int              `json:"good"`
	Bad      int              `json:"bad"`
	Warnings int              `json:"warnings"`
	Total    client.Amount    `json:"total"` // of the good rows
	Problems []payout.Problem `json:"problems"`
}

func checkVerdict(im *payout.Import, rail payout.Rail, quiet bool) checkOut {
	d := payout.Draft{Rail: rail, Rows: im.Rows}
	count, sum := d.Totals()
	out := checkOut{Rail: rail, Rows: im.DataRows, Good: count, Bad: im.Bad(), Warnings: im.Warnings(), Total: sum, Problems: []payout.Problem{}}
	for _, p := range im.Problems {
		if !(quiet && p.Warning) {
			out.Problems = append(out.Problems, p)
		}
	}
	return out
}

// plural counts with grouped digits: "1 row", "5,001 rows".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return payout.FormatCount(n) + " " + what + "s"
}

// openInput opens FILE, or stdin for "-". A FIFO, a device or a folder is
// refused at once (userdir.OpenRegular) rather than read or waited on; a
// file that cannot be read at all exits 2, like grep's "trouble", so a
// script can tell it from a file with bad rows (1).
func openInput(cmd *cobra.Command, path string) (io.Reader, func(), error) {
	if path == "-" {
		return cmd.InOrStdin(), func() {}, nil
	}
	fh, err := userdir.OpenRegular(path)
	if err != nil {
		return nil, nil, &exitError{code: 2, err: err}
	}
	return fh, func() { fh.Close() }, nil
}

// exitError is an error that exits with a status other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode is the status main exits with for err.
func exitCode(err error) int {
	if e, ok := errors.AsType[*exitError](err); ok {
		return e.code
	}
	return 1
}

// checkBanks fetches IntaSend's bank list with the profile's keys, or
// falls back to the built-in copy (saying so on stderr when it tried). A
// base URL that would send the keys in clear is an error, not a fallback:
// the setup is wrong, and saying so once beats a note on every check.
func checkBanks(ctx context.Context, g *globals, f *checkFlags, errw io.Writer) (payout.BankSet, error) {
	if f.offline {
		return payout.DefaultBanks(), nil
	}
	noPrompt := func(context.Context, keystore.PassphraseRequest) (string, error) {
		return "", errors.New("not asking for a passphrase to check a file")
	}
	creds, err := keystore.Load(ctx, g.profile, keystore.LoadOptions{AllowLiveEnv: g.allowLiveEnv, BaseURL: g.baseURL, Passphrase: noPrompt})
	if errors.Is(err, keystore.ErrNotFound) {
		return payout.DefaultBanks(), nil
	}
	if err == nil {
		cl, cerr := creds.Client()
		if err = cerr; err == nil {
			ctx, cancel := context.WithTimeout(ctx, bankCodesTimeout)
			defer cancel()
			list, berr := cl.BankCodes(ctx)
			if err = berr; err == nil && len(list) > 0 {
				return payout.NewBankSet(list), nil
			}
		}
	}
	if errors.Is(err, client.ErrPlainHTTP) {
		return nil, fmt.Errorf("%w (or check the file with --offline)", err)
	}
	fmt.Fprintf(errw, "note: using the built-in bank list (IntaSend's could not be fetched: %v)\n", err)
	return payout.DefaultBanks(), nil
}
