package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// STUB (sim-B).
func newSimCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "sim", Short: "Run the IntaSend simulator over HTTP", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return errors.New("not built yet") }}
}
