package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/app"
	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/demo"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
)

// runConsole opens the console with the profile's stored keys. With no keys
// stored it opens the onboarding screen (demo now, or how to log in)
// instead of failing: a first run should never end in an error.
func runConsole(cmd *cobra.Command, g *globals) error {
	ctx := cmdContext(cmd)
	m, done, err := consoleModel(ctx, g)
	if err != nil {
		return err
	}
	defer done()
	return app.Run(ctx, m, app.RunOptions{NoColor: g.noColor})
}

// consoleModel loads the profile's keys and builds the shell for them, or
// the onboarding screen when there are none. The profile's payout journal
// (drafts, the duplicate guard) is opened here; done closes it.
func consoleModel(ctx context.Context, g *globals) (m *app.Model, done func(), err error) {
	creds, err := keystore.Load(ctx, g.profile, keystore.LoadOptions{AllowLiveEnv: g.allowLiveEnv, BaseURL: g.baseURL,
		Progress: keystore.TerminalSpinner(os.Stderr)})
	if errors.Is(err, keystore.ErrNotFound) {
		return app.New(&common.Common{Profile: g.profile}, g.shellOptions(app.Options{Onboarding: true})), func() {}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	cl, err := creds.Client()
	if err != nil {
		return nil, nil, err
	}
	lj, err := openLocalJournal(ctx, creds.Profile, "console")
	if err != nil {
		return nil, nil, err
	}
	j, done := lj.j, lj.close
	if lj.auditErr != nil {
		// The console opens (reads need no audit), but says up front why
		// every money move in it will be refused.
		fmt.Fprintf(os.Stderr, "malipo: money moves are refused in this console: %v\n", lj.auditErr)
	}
	prof, err := profileSettings(creds.Profile)
	if err != nil {
		done()
		return nil, nil, err
	}
	pol, err := profilePolicy(creds.Profile, prof)
	if err != nil {
		done()
		return nil, nil, err
	}
	opts := g.shellOptions(app.Options{Journal: j, DeviceID: creds.DeviceID, Policy: pol})
	if opts.NotifyAbove, err = g.notifyFor(prof); err != nil {
		done()
		return nil, nil, fmt.Errorf("config.toml, profile %q: %w", creds.Profile, err)
	}
	// On a shared store the shell's confirmations and refusals and the
	// views' outcomes go to its audit chain (nil on the files).
	c := &common.Common{Client: cl, Profile: creds.Profile, Mode: modeFor(creds.Env), Auditor: lj.audit}
	if lj.db != nil {
		// On a shared store other approvers exist, and serve's consoles
		// hold four-eyes across hosts: this console must not be the way
		// around it (the payout commands refuse the same; see fourEyes).
		c.FourEyes, c.Self = true, j.Initiator()
	}
	m = app.New(c, opts)
	return m, done, nil
}

// modeFor is the status bar's badge for the keys' environment.
func modeFor(env client.Env) common.Mode {
	if env == client.Live {
		return common.ModeLive
	}
	return common.ModeSandbox
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
			return runDemo(cmdContext(cmd), demo.Options{}, app.RunOptions{NoColor: g.noColor}, g.shellOptions(app.Options{}))
		},
	}
}

// runDemo starts the demo backend, runs the console on it and stops the
// backend when the console ends; so are the shell's options (mouse, notifications).
func runDemo(ctx context.Context, do demo.Options, ro app.RunOptions, so app.Options) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(demoMemoryLimit))
	}
	d, err := demo.Start(do)
	if err != nil {
		return err
	}
	defer d.Close()
	return app.Run(ctx, demoModel(d, so), ro)
}

// demoMemoryLimit is the Go runtime's soft memory limit in `malipo demo`
// (unless GOMEMLIMIT says otherwise). The demo hosts the simulator, so
// previewing a 5,000-row batch makes megabytes of short-lived buffers on
// both sides of the loopback; with no limit the runtime kept the freed
// pages resident and the process peaked near 60 MB RSS, against a live
// heap under 15 MB. With the limit the scavenger hands them back and the
// peak stays under 50 MB (docs/performance.md); the limit is soft, so a
// larger live heap costs GC CPU, never a failure. 24 MiB (was 32, then
// 28) keeps the peak under 50 MB as the binary grows and Wallets' pulse
// joins the demo (34 MB resident before the import); the live heap peaks
// near 13 MB, so the collector still has room.
const demoMemoryLimit = 24 << 20

// demoModel is the console on a running demo.
func demoModel(d *demo.Backend, so app.Options) *app.Model {
	return app.New(&common.Common{Client: d.Client, Profile: "demo", Mode: common.ModeDemo, Now: d.Now}, so)
}

func cmdContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// localPolicy is the local console's approval policy: the profile's
// approve_limit, daily_limit and monthly_limit from config.toml, for the
// one person at the keyboard (the policy's "" user). The local console
// never needs several approvers: that takes several people, which is what
// malipo serve is for. No limits set: nil, the old behaviour.
func localPolicy(profile string) (func() *payout.Policy, error) {
	p, err := profileSettings(profile)
	if err != nil {
		return nil, err
	}
	return profilePolicy(profile, p)
}

// profilePolicy is localPolicy for settings already read (p nil: none).
func profilePolicy(profile string, p *keystore.Profile) (func() *payout.Policy, error) {
	if p == nil {
		return nil, nil
	}
	lim, err := profileLimits(p)
	if err != nil {
		return nil, fmt.Errorf("config.toml, profile %q: %w", profile, err)
	}
	if lim == (payout.Limits{}) {
		return nil, nil
	}
	pol := &payout.Policy{Limits: map[string]payout.Limits{"": lim}}
	return func() *payout.Policy { return pol }, nil
}

// profileSettings is the profile's settings in config.toml (nil: none).
func profileSettings(profile string) (*keystore.Profile, error) {
	dir, err := keystore.ConfigDir()
	if err != nil {
		return nil, err
	}
	cfg, err := keystore.ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	return cfg.Profiles[profile], nil
}

// profileLimits parses the profile's limits exactly (no float), each
// named in its error.
func profileLimits(p *keystore.Profile) (payout.Limits, error) {
	var lim payout.Limits
	for _, f := range []struct {
		key, val string
		to       *client.Amount
	}{
		{"approve_limit", p.ApproveLimit, &lim.Approve},
		{"daily_limit", p.DailyLimit, &lim.Daily},
		{"monthly_limit", p.MonthlyLimit, &lim.Monthly},
	} {
		if f.val == "" {
			continue
		}
		a, err := client.ParseAmount(f.val)
		if err != nil || a <= 0 {
			return lim, fmt.Errorf("%s = %q is not a positive amount such as \"5,000,000.00\"", f.key, f.val)
		}
		*f.to = a
	}
	return lim, nil
}
