package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/ui"
	"github.com/malipo/malipo/ui/common"
)

// runConsole opens the console with the profile's stored keys. With no keys
// stored it opens the onboarding screen (demo now, or how to log in)
// instead of failing: a first run should never end in an error.
func runConsole(cmd *cobra.Command, g *globals) error {
	c := &common.Common{Profile: g.profile}
	m := ui.New(c, ui.Options{Onboarding: true})
	return ui.Run(cmdContext(cmd), m, ui.RunOptions{NoColor: g.noColor})
}

// newDemoCmd is `malipo demo`: the simulator in process, seeded and live,
// behind a loopback listener; nothing touches the keyring.
func newDemoCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Open the console on the embedded simulator (seeded, live)",
		Long: "Open the console on a simulated IntaSend account that runs inside malipo:\n" +
			"seeded wallets and history, payments arriving on their own, and nothing\n" +
			"written to your keyring. Press ? inside for every key.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmdContext(cmd), g)
		},
	}
}

func runDemo(ctx context.Context, g *globals) error {
	d, err := ui.StartDemo(ui.DemoOptions{})
	if err != nil {
		return err
	}
	defer d.Close()
	c := &common.Common{Client: d.Client, Profile: "demo", Mode: common.ModeDemo}
	return ui.Run(ctx, ui.New(c, ui.Options{}), ui.RunOptions{NoColor: g.noColor})
}

func cmdContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
