package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// STUB (keystore issue #3).
func newLoginCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "login", Short: "Store IntaSend API keys for a profile", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return errors.New("not built yet") }}
}

func newLogoutCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "logout", Short: "Forget a profile's keys", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return errors.New("not built yet") }}
}

func newDeviceCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "device", Short: "Manage the device key that signs approvals"}
}
