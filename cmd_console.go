package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// STUB (console issue #4).
func runConsole(cmd *cobra.Command, g *globals) error {
	return errors.New("the console is not built yet; run `malipo sim`")
}

func newDemoCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "demo", Short: "Open the console on the embedded simulator (seeded, live)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return errors.New("demo mode is not built yet") }}
}
