package cmd

import (
	"github.com/spf13/cobra"

	"github.com/malipo/malipo/payout"
)

// Shell completion: cobra's own `malipo completion bash|zsh|fish|powershell`
// completes every command and flag; these add the values malipo knows
// (rails, refund reasons) and the files a payout command reads.

// completeRail offers the rails' names.
func completeRail(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return []cobra.Completion{
		cobra.CompletionWithDesc(string(payout.B2C), "M-Pesa to phones"),
		cobra.CompletionWithDesc(string(payout.B2B), "M-Pesa to paybills and tills"),
		cobra.CompletionWithDesc(string(payout.PesaLink), "bank accounts"),
		cobra.CompletionWithDesc(string(payout.P2P), "IntaSend wallets"),
		cobra.CompletionWithDesc(string(payout.Airtime), "airtime"),
	}, cobra.ShellCompDirectiveNoFileComp
}

// csvFile completes FILE.csv, the first argument.
func csvFile(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return []cobra.Completion{"csv"}, cobra.ShellCompDirectiveFilterFileExt
}

// payoutFileArgs gives a command that reads a payout file (check, draft,
// initiate) its required --rail flag and both completions, so the three
// commands name and complete the rail alike.
func payoutFileArgs(c *cobra.Command, rail *string) {
	c.Flags().StringVar(rail, "rail", "", "MPESA-B2C|MPESA-B2B|PESALINK|INTASEND|AIRTIME (or b2c, b2b, bank, p2p, airtime)")
	_ = c.MarkFlagRequired("rail")
	c.ValidArgsFunction = csvFile
	_ = c.RegisterFlagCompletionFunc("rail", completeRail)
}

func completeReason(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return []cobra.Completion{"unavailable", "delayed", "wrong", "duplicate", "other"}, cobra.ShellCompDirectiveNoFileComp
}
