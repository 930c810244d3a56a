package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/client"
)

// newExplainCmd is `malipo explain CODE`: the console's own code table
// (client.ExplainCode), so the command line and the screens agree.
func newExplainCmd() *cobra.Command {
	var asJSON, all bool
	c := &cobra.Command{
		Use:   "explain CODE",
		Short: "What an IntaSend status or failure code means and what to do",
		Long: "What an IntaSend status or failure code means and what to do about it:\n" +
			"batch codes (BP103, BF105, BE111…), payout row codes (TS100, TF105, TH107…),\n" +
			"collection states (FAILED, PARTIAL…), M-Pesa result codes (1, 1032, 1037, 2001…)\n" +
			"and card decline codes (05, 51…). An unknown code exits 2 with suggestions.",
		Example: "  malipo explain TF105\n  malipo explain 1032 --json | jq -r .action\n  malipo explain --all",
		Args: usageArgs(func(cmd *cobra.Command, args []string) error {
			if all {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		}),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if all {
				return explainAll(out, asJSON)
			}
			info, ok := client.ExplainCode(args[0])
			if !ok {
				return unknownCode(args[0])
			}
			if asJSON {
				return writeJSON(out, info)
			}
			writeExplanation(out, info)
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON document (docs/schemas/explain.json)")
	c.Flags().BoolVar(&all, "all", false, "list every code malipo knows")
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	return c
}

// unknownCode exits 2 and names the nearest known codes.
func unknownCode(code string) error {
	msg := fmt.Sprintf("unknown code %q", code)
	if s := client.SuggestCodes(code); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, ", ") + "?"
	}
	return usageError(fmt.Errorf("%s (malipo explain --all lists every code)", msg))
}

func writeExplanation(w io.Writer, c client.CodeInfo) {
	fmt.Fprintf(w, "%s (%s code): %s\n", c.Code, c.Kind, c.Status)
	fmt.Fprintf(w, "  means:       %s\n", c.Meaning)
	fmt.Fprintf(w, "  money moved: %s\n", c.Moved)
	fmt.Fprintf(w, "  what to do:  %s\n", c.Action)
}

func explainAll(w io.Writer, asJSON bool) error {
	list := client.Codes()
	if asJSON {
		return writeJSON(w, list)
	}
	r := &report{head: []string{"CODE", "KIND", "STATUS", "MONEY MOVED"}}
	for _, c := range list {
		r.rows = append(r.rows, []cell{txt(c.Code), txt(c.Kind), txt(c.Status), txt(c.Moved)})
	}
	return r.write(w, outTable)
}
