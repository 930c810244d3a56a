// Package cmd is malipo's command line: root.go holds the command tree and
// the global flags, and each command group has its own file beside it (as
// soft-serve and gh lay theirs out). The module's main.go only calls Main.
package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/app"
	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/keystore"
)

// globals are the flags every command shares (docs/design.md §4).
type globals struct {
	profile      string
	baseURL      string
	noColor      bool
	allowLiveEnv bool
	noMouse      bool
	notifyAbove  amountFlag
}

// shellOptions adds the console flags every command that opens a console
// shares (--no-mouse, --notify-above) to o.
func (g *globals) shellOptions(o app.Options) app.Options {
	o.NoMouse, o.NotifyAbove = g.noMouse, g.notifyAbove.a
	return o
}

// amountFlag is a flag holding an amount in KES, parsed exactly
// (client.ParseAmount: "10000", "10,000", "KES 10,000.50"; never a float).
// set says it was given on the command line, so it wins over config.toml.
type amountFlag struct {
	a   client.Amount
	set bool
}

func (f *amountFlag) String() string { return f.a.Decimal() }
func (f *amountFlag) Type() string   { return "AMOUNT" }
func (f *amountFlag) Set(s string) error {
	a, err := client.ParseAmount(s)
	if err != nil {
		return err
	}
	if a < 0 {
		return fmt.Errorf("%q: a threshold cannot be negative (0 turns notifications off)", s)
	}
	f.a, f.set = a, true
	return nil
}

// notifyFor is the payment that rings the bell for profile p: the flag
// when given, else the profile's notify_above (parsed as strictly as its
// limits), else the default.
func (g *globals) notifyFor(p *keystore.Profile) (client.Amount, error) {
	if g.notifyAbove.set || p == nil || p.NotifyAbove == "" {
		return g.notifyAbove.a, nil
	}
	a, err := client.ParseAmount(p.NotifyAbove)
	if err != nil || a < 0 {
		return 0, fmt.Errorf("notify_above = %q is not an amount such as \"10,000\" (0 turns payment notifications off)", p.NotifyAbove)
	}
	return a, nil
}

// defaultNotifyAbove is the payment that rings the bell unless
// --notify-above says otherwise.
const defaultNotifyAbove = 10_000

// Main runs the command line on os.Args and returns the process's exit
// status (0 ok, 1 IntaSend said no, 2 usage, 3 cannot reach IntaSend).
func Main() int {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "malipo:", err)
		return exitCode(err)
	}
	return 0
}

// newRootCmd builds the command tree. cobra gives us subcommands, help and
// flag parsing that people know from kubectl and gh, so we do not hand-roll it.
func newRootCmd() *cobra.Command {
	g := &globals{notifyAbove: amountFlag{a: client.Units(defaultNotifyAbove)}}
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
	pf.StringVar(&g.baseURL, "base-url", "", "IntaSend API base `URL` (e.g. http://127.0.0.1:8089/api/v1/ for a malipo sim)")
	pf.BoolVar(&g.noColor, "no-color", false, "disable colours (NO_COLOR is honoured too)")
	pf.BoolVar(&g.noMouse, "no-mouse", false, "leave the mouse to the terminal (no clicks or wheel in the console)")
	pf.Var(&g.notifyAbove, "notify-above", "ring the bell for payments of at least this many KES, and for failed payouts (0: payments never ring)")
	pf.BoolVar(&g.allowLiveEnv, "allow-live-env", false, "accept live keys from MALIPO_* environment variables")
	root.AddCommand(
		newDemoCmd(g),
		newSimCmd(g),
		newLoginCmd(g),
		newLogoutCmd(g),
		newDeviceCmd(g),
		newPayoutsCmd(g),
		newServeCmd(g),
		newStoreCmd(),
		newDoctorCmd(g),
		newExplainCmd(),
		newMCPCmd(g),
	)
	root.AddCommand(newReadCmds(g)...)
	root.AddCommand(newEventCmds(g)...)
	root.AddCommand(newMoneyCmds(g)...)
	root.AddCommand(newReconcileCmd(g), newStatementCmd(g))
	return root
}
