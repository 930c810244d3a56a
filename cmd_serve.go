package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/sshd"
	"github.com/malipo/malipo/ui"
	"github.com/malipo/malipo/ui/common"
)

// serveFlags are `malipo serve`'s options.
type serveFlags struct {
	addr       string
	users      string
	hostKey    string
	audit      string
	demo       bool
	idle       time.Duration
	grace      time.Duration
	noFourEyes bool
	maxAll     int
	maxPerUser int
}

func newServeCmd(g *globals) *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the console over SSH",
		Long: `Serve the console over SSH: each person logs in with their own SSH key and gets
the console with the role the users file gives them (viewer, support, maker,
approver). The IntaSend keys stay on this server (the profile's keystore, read
once at start); --demo serves the embedded simulator instead.

Users file (TOML), re-read on SIGHUP:

  [[user]]
  name = "wanjiru"
  role = "approver"
  keys = ["ssh-ed25519 AAAAC3Nza... wanjiru@laptop"]

Public-key logins only. Four-eyes is on: nobody approves a batch they initiated
(--no-four-eyes turns it off). Every login, logout, refusal and money-moving
action goes to the append-only audit log (JSON lines, fsynced).
SIGTERM or SIGINT drains: sessions are warned and get --grace to finish.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmdContext(cmd), g, f, cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", ":2222", "address to listen on")
	fl.StringVar(&f.users, "users", "", "users file (TOML; required)")
	fl.StringVar(&f.hostKey, "host-key", "", "host key file, made on first start (default $XDG_STATE_HOME/malipo/ssh_host_ed25519_key)")
	fl.StringVar(&f.audit, "audit", "", "audit log, appended to (default $XDG_STATE_HOME/malipo/audit.jsonl)")
	fl.BoolVar(&f.demo, "demo", false, "serve the embedded simulator instead of a profile's keys")
	fl.DurationVar(&f.idle, "idle", sshd.DefaultIdle, "log a session out after this long without a key press")
	fl.DurationVar(&f.grace, "grace", sshd.DefaultGrace, "how long sessions get to finish when the server stops")
	fl.BoolVar(&f.noFourEyes, "no-four-eyes", false, "allow approving a batch one initiated oneself")
	fl.IntVar(&f.maxAll, "max-sessions", sshd.DefaultMaxSessions, "most consoles open at once")
	fl.IntVar(&f.maxPerUser, "max-sessions-per-user", sshd.DefaultMaxSessionsPerUser, "most consoles one user may have open")
	cmd.AddCommand(newVerifyAuditCmd())
	return cmd
}

// newVerifyAuditCmd is `malipo serve verify-audit [FILE]`: check the audit
// log's hash chain (every line carries the hash of the one before it).
func newVerifyAuditCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "verify-audit [FILE]",
		Short: "Check that the audit log was not changed after it was written",
		Long: `Check the audit log's hash chain: every line carries the SHA-256 of the line
before it, so a line edited, removed or inserted later is found. (The last
line can only be vouched for by a copy kept elsewhere: ship the log off the box.)
Exits 1 when the chain is broken.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			} else {
				base, err := stateBase()
				if err != nil {
					return err
				}
				path = filepath.Join(base, "audit.jsonl")
			}
			c, err := sshd.VerifyAuditLog(path)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d records, chain intact", path, c.Lines)
			if len(c.Torn) > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), " (%d cut short by a crash: lines %v)", len(c.Torn), c.Torn)
			}
			fmt.Fprintln(cmd.OutOrStdout())
			return nil
		},
	}
}

// stateBase is $XDG_STATE_HOME/malipo (or ~/.local/state/malipo).
func stateBase() (string, error) {
	dir, err := payout.StateDir("serve")
	if err != nil {
		return "", err
	}
	return filepath.Dir(dir), nil
}

// serveBackend is the IntaSend side every session shares.
type serveBackend struct {
	cfg   sshd.Config
	close func()
}

// backend loads the profile's keys once (or starts the demo) and opens
// the journal every session records payouts in.
func backend(ctx context.Context, g *globals, f *serveFlags) (*serveBackend, error) {
	if f.demo {
		d, err := ui.StartDemo(ui.DemoOptions{})
		if err != nil {
			return nil, err
		}
		// The demo's journal lives as long as its simulator does.
		dir, err := os.MkdirTemp("", "malipo-serve-demo-")
		if err != nil {
			d.Close()
			return nil, err
		}
		j, err := payout.OpenJournal(dir)
		if err != nil {
			d.Close()
			os.RemoveAll(dir)
			return nil, err
		}
		return &serveBackend{
			cfg:   sshd.Config{Client: d.Client, Mode: common.ModeDemo, Profile: "demo", Journal: j},
			close: func() { j.Close(); d.Close(); os.RemoveAll(dir) },
		}, nil
	}
	creds, err := keystore.Load(ctx, g.profile, keystore.LoadOptions{AllowLiveEnv: g.allowLiveEnv, BaseURL: g.baseURL})
	if errors.Is(err, keystore.ErrNotFound) {
		return nil, fmt.Errorf("no keys stored for profile %q: run `malipo login --profile %s` on this server first, or use --demo", g.profile, g.profile)
	}
	if err != nil {
		return nil, err
	}
	cl, err := creds.Client()
	if err != nil {
		return nil, err
	}
	dir, err := payout.StateDir(creds.Profile)
	if err != nil {
		return nil, err
	}
	j, err := payout.OpenJournal(dir)
	if err != nil {
		return nil, err
	}
	return &serveBackend{
		cfg:   sshd.Config{Client: cl, Mode: modeFor(creds.Env), Profile: creds.Profile, Journal: j, DeviceID: creds.DeviceID},
		close: func() { j.Close() },
	}, nil
}

func runServe(ctx context.Context, g *globals, f *serveFlags, stderr io.Writer) error {
	if f.users == "" {
		return errors.New("serve: --users FILE is required (see malipo serve --help for its shape)")
	}
	if f.demo && g.profile != keystore.DefaultProfile {
		return errors.New("serve: --demo and --profile are exclusive")
	}
	base, err := stateBase()
	if err != nil {
		return err
	}
	if f.hostKey == "" {
		f.hostKey = filepath.Join(base, "ssh_host_ed25519_key")
	}
	if f.audit == "" {
		f.audit = filepath.Join(base, "audit.jsonl")
	}
	// Everything that can fail on bad input fails before any key is loaded.
	users, err := sshd.LoadUsers(f.users)
	if err != nil {
		return err
	}
	hostPEM, hostFP, err := sshd.HostKey(f.hostKey)
	if err != nil {
		return err
	}
	audit, err := sshd.OpenAuditLog(f.audit)
	if err != nil {
		return err
	}
	defer audit.Close()
	be, err := backend(ctx, g, f)
	if err != nil {
		return err
	}
	defer be.close()

	cfg := be.cfg
	cfg.UsersFile, cfg.HostKeyPEM, cfg.Audit = f.users, hostPEM, audit
	// Each user's folder for scp/sftp, import and export: files/<user>/
	// under the serve state dir, payout.StateDir("serve"), whatever the
	// profile.
	cfg.StateDir = filepath.Join(base, "serve")
	cfg.Idle, cfg.Grace, cfg.FourEyes, cfg.NoColor, cfg.Log = f.idle, f.grace, !f.noFourEyes, g.noColor, stderr
	cfg.MaxSessions, cfg.MaxSessionsPerUser = f.maxAll, f.maxPerUser
	if f.idle == 0 {
		cfg.Idle = -1 // --idle 0: never
	}
	srv, err := sshd.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintf(stderr, "malipo serve: listening on %s · %s · %d users · host key %s · audit log %s\n",
		ln.Addr(), cfg.Mode, len(users.Names()), hostFP, f.audit)
	_ = audit.Write(sshd.Record{Event: "server.start", Result: "ok", Detail: fmt.Sprintf("%s on %s, %d users, four-eyes %v", cfg.Mode, ln.Addr(), len(users.Names()), cfg.FourEyes)})
	err = serveUntilSignal(ctx, srv, ln, f.grace, stderr)
	result := "stopped"
	if err != nil {
		result = "failed"
	}
	_ = audit.Write(sshd.Record{Event: "server.stop", Result: result, Detail: errString(err)})
	return err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// serveUntilSignal serves until SIGTERM/SIGINT (drain) and re-reads the
// users file on SIGHUP. A second SIGTERM/SIGINT stops at once.
func serveUntilSignal(ctx context.Context, srv *sshd.Server, ln net.Listener, grace time.Duration, stderr io.Writer) error {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	for {
		select {
		case err := <-served:
			return err
		case <-ctx.Done():
			return drain(srv, served, sigs, grace, stderr)
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				_ = srv.Reload() // logs why when the file is bad; the old list stays
				continue
			}
			return drain(srv, served, sigs, grace, stderr)
		}
	}
}

func drain(srv *sshd.Server, served chan error, sigs chan os.Signal, grace time.Duration, stderr io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace+10*time.Second)
	defer cancel()
	go func() {
		for sig := range sigs {
			if sig != syscall.SIGHUP {
				fmt.Fprintln(stderr, "malipo serve: second signal, stopping now")
				cancel()
				return
			}
		}
	}()
	err := srv.Shutdown(ctx)
	<-served
	fmt.Fprintln(stderr, "malipo serve: stopped")
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return srv.Close()
	}
	return err
}
