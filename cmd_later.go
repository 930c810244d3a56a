package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Commands whose issues are not done yet: they say so instead of pretending.

func newServeCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "serve", Short: "Serve the console over SSH (not built yet: issue #7)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return errors.New("serve is not built yet (issue #7)") }}
}
