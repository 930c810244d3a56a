package cmd

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/components/text"
)

// Exit statuses every scripting command keeps (README "Scripting").
const (
	exitOK          = 0
	exitRefused     = 1 // IntaSend (or a check) said no
	exitUsage       = 2 // the command line is wrong
	exitUnreachable = 3 // IntaSend could not be reached or is failing
)

// Output modes of the read commands.
const (
	outTable = "table"
	outCSV   = "csv"
	outJSON  = "json"
	outJSONL = "jsonl"
)

// outFlags are --json, --jsonl and --output, shared by every read.
type outFlags struct {
	json, jsonl bool
	output      string
}

// addOutputFlags registers the output flags. Usage errors of these
// commands (a bad flag, a missing argument) exit 2, as the README promises.
func addOutputFlags(c *cobra.Command, f *outFlags) {
	c.Flags().BoolVar(&f.json, "json", false, "print one JSON document (shapes: docs/schemas/)")
	c.Flags().BoolVar(&f.jsonl, "jsonl", false, "print one JSON object per line (lists)")
	c.Flags().StringVarP(&f.output, "output", "o", outTable, "table, csv, json or jsonl")
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
}

// mode resolves the flags to one output mode.
func (f *outFlags) mode() (string, error) {
	m := strings.ToLower(f.output)
	switch m {
	case outTable, outCSV, outJSON, outJSONL:
	default:
		return "", usageError(fmt.Errorf("--output %q: want table, csv, json or jsonl", f.output))
	}
	if f.json && f.jsonl {
		return "", usageError(errors.New("--json and --jsonl are exclusive"))
	}
	if f.json {
		m = outJSON
	}
	if f.jsonl {
		m = outJSONL
	}
	return m, nil
}

// usageError marks err as a usage error (exit 2).
func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

// usageArgs wraps a cobra argument check so a wrong count exits 2.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError(err)
		}
		return nil
	}
}

// apiExit maps a client error to the exit status a script tests: a 4xx is
// IntaSend saying no (1); a 5xx, a 429 or no answer at all is IntaSend
// being unreachable (3), worth retrying later. It is the one mapping every
// scripting command uses, and the same rule as the console's health dot
// (text.Reachable).
func apiExit(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*exitError](err); ok {
		return err
	}
	var ae *client.APIError
	var te *client.TransportError
	switch {
	case errors.As(err, &ae) && !text.Reachable(err):
		return &exitError{code: exitUnreachable, err: err}
	case errors.As(err, &ae):
		return &exitError{code: exitRefused, err: err} // its message names the call, status and reason
	case errors.As(err, &te), errors.Is(err, context.DeadlineExceeded):
		return &exitError{code: exitUnreachable, err: err}
	}
	return err
}

// readClient loads the profile's keys exactly as the console does
// (--profile, --base-url, --allow-live-env; live keys never over http).
func readClient(ctx context.Context, g *globals) (*client.Client, error) {
	creds, err := keystore.Load(ctx, g.profile, keystore.LoadOptions{AllowLiveEnv: g.allowLiveEnv, BaseURL: g.baseURL})
	if err != nil {
		return nil, err
	}
	return creds.Client()
}

// cell is one table cell: what a person reads and what CSV carries.
type cell struct {
	text, csv string
	right     bool // money: right-aligned
}

func txt(s string) cell { return cell{text: s, csv: s} }

// money is "KES 1,234.50" in a table and "1234.50" in CSV: exact cents
// both ways, and a spreadsheet reads the CSV one as a number.
func money(a client.Amount, currency string) cell {
	return cell{text: a.Format(currency), csv: a.Decimal(), right: true}
}

// report is what one read prints, in every mode.
type report struct {
	doc   any      // --json: one document
	items []any    // --jsonl: one line each (nil: doc on one line)
	head  []string // table and CSV header
	rows  [][]cell
	pre   []string // lines a table shows above its rows (not in CSV)
	empty string   // what the table says when there are no rows
}

// write prints r in mode m.
func (r *report) write(w io.Writer, m string) error {
	switch m {
	case outJSON:
		return writeJSON(w, r.doc)
	case outJSONL:
		return writeJSONL(w, r.doc, r.items)
	case outCSV:
		return writeCSVRows(w, r.head, r.rows)
	}
	for _, l := range r.pre {
		fmt.Fprintln(w, printable(l))
	}
	if len(r.rows) == 0 && r.empty != "" {
		_, err := fmt.Fprintln(w, r.empty)
		return err
	}
	return writeTable(w, r.head, r.rows)
}

func writeJSONL(w io.Writer, doc any, items []any) error {
	if items == nil {
		items = []any{doc}
	}
	enc := json.NewEncoder(w) // one compact object per line
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return err
		}
	}
	return nil
}

// writeCSVRows writes cells a spreadsheet would run as formulas defused
// (payout.SafeCell), like the console's results export.
func writeCSVRows(w io.Writer, head []string, rows [][]cell) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range rows {
		rec := make([]string, len(r))
		for i, c := range r {
			rec[i] = payout.SafeCell(c.csv)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeTable aligns columns two spaces apart, money to the right.
func writeTable(w io.Writer, head []string, rows [][]cell) error {
	widths := make([]int, len(head))
	right := make([]bool, len(head))
	for i, h := range head {
		widths[i] = text.Width(h)
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], text.Width(printable(c.text)))
			right[i] = right[i] || c.right
		}
	}
	line := func(cells []string) error {
		var b strings.Builder
		for i, s := range cells {
			if i > 0 {
				b.WriteString("  ")
			}
			if right[i] {
				b.WriteString(text.PadLeft(s, widths[i]))
			} else {
				b.WriteString(text.PadRight(s, widths[i]))
			}
		}
		_, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		return err
	}
	if err := line(head); err != nil {
		return err
	}
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = printable(c.text)
		}
		if err := line(cells); err != nil {
			return err
		}
	}
	return nil
}

// printable replaces control characters, so a name someone typed into a
// checkout cannot move the cursor or recolour the merchant's terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// jsonItems turns a typed list into --jsonl lines.
func jsonItems[T any](list []T) []any {
	out := make([]any, len(list))
	for i := range list {
		out[i] = list[i]
	}
	return out
}

// maxReadPages bounds how far a read follows IntaSend's pagination.
const maxReadPages = 1000

// allPages follows pages 1, 2, … until a page has no next link, or until
// stop says the rest is not wanted (a feed read newest first, past --since).
func allPages[T any](ctx context.Context, fetch func(context.Context, int) (*client.Page[T], error), stop func(T) bool) ([]T, error) {
	var all []T
	for page := 1; page <= maxReadPages; page++ {
		p, err := fetch(ctx, page)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Results...)
		n := len(p.Results)
		if n == 0 || !p.HasNext() || stop != nil && stop(p.Results[n-1]) {
			return all, nil
		}
	}
	return all, fmt.Errorf("more than %d pages; narrow the query", maxReadPages)
}

// orDash shows an empty value as a dash in tables.
func orDash(s string) string { return text.OrDash(s) }

// writeJSON prints v as one indented JSON document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
