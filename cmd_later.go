package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Commands whose issues are not done yet: they say so instead of pretending.

func newPayoutsCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "payouts", Short: "Payout batch tools"}
	c.AddCommand(&cobra.Command{Use: "check FILE.csv", Short: "Validate a payout CSV (not built yet: issue #6)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, _ []string) error { return errors.New("payouts check is not built yet (issue #6)") }})
	return c
}

func newServeCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "serve", Short: "Serve the console over SSH (not built yet: issue #7)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return errors.New("serve is not built yet (issue #7)") }}
}
