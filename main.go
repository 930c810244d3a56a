// Command malipo is a terminal console for IntaSend merchants.
//
// main.go holds the command tree and global flags; each command's wiring
// lives in a cmd_*.go file beside it. Nothing else belongs in package main.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// globals are the flags every command shares (design §4).
type globals struct {
	profile      string
	baseURL      string
	noColor      bool
	allowLiveEnv bool
}

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "malipo:", err)
		os.Exit(exitCode(err))
	}
}

// newRootCmd builds the command tree. cobra gives us subcommands, help and
// flag parsing that people know from kubectl and gh, so we do not hand-roll it.
func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "malipo",
		Short:         "A terminal console for IntaSend merchants",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConsole(cmd, g)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.profile, "profile", "default", "profile whose keys and settings to use")
	pf.StringVar(&g.baseURL, "base-url", "", "IntaSend API base URL (e.g. a `malipo sim`)")
	pf.BoolVar(&g.noColor, "no-color", false, "disable colours (NO_COLOR is honoured too)")
	pf.BoolVar(&g.allowLiveEnv, "allow-live-env", false, "accept live keys from MALIPO_* environment variables")
	root.AddCommand(
		newDemoCmd(g),
		newSimCmd(g),
		newLoginCmd(g),
		newLogoutCmd(g),
		newDeviceCmd(g),
		newPayoutsCmd(g),
		newServeCmd(g),
	)
	return root
}
