package cmd

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/sshd"
	"github.com/malipo/malipo/store"
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
	auditEvery int64
	startups   string
	memSession float64 // MiB of soft memory limit a session (0: no governor)
	loginGrace time.Duration
	zone       string
	loc        *time.Location // zone, loaded by checkServeFlags
	hooks      webhookFlags
	store      string
	db         *store.Store // opened from store: nil for the embedded files
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
action goes to the append-only audit log (JSON lines, fsynced), each record
signed with the server's audit key (Ed25519, made on first start and kept in
the profile's keystore, or read from MALIPO_AUDIT_KEY_FILE). At start, on
SIGHUP and every --audit-checkpoint-every records the log's head is printed
("audit head COUNT:SIG"); keep those lines elsewhere (journald shipped off
the box) and check them with verify-audit --checkpoint.
SIGTERM or SIGINT drains: sessions are warned and get --grace to finish.

Every session reads IntaSend through one shared cache: identical reads in
flight are made once, answers are kept a few seconds, and anything that
moves money empties it. --webhooks ADDR receives IntaSend's webhooks (the
challenge from MALIPO_WEBHOOK_CHALLENGE; TLS with --webhooks-cert/-key, or
plain HTTP behind a TLS proxy): each new event is recorded in the event log
(malipo events), empties the cache and updates every open console at once,
and while events flow the consoles poll only as a safety net. With --demo,
the embedded simulator posts its webhooks there.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmdContext(cmd), g, f, cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", ":2222", "address to listen on")
	fl.StringVar(&f.zone, "zone", "Africa/Nairobi", "time zone the consoles show times and days in (an IANA name, or Local for this machine's)")
	fl.StringVar(&f.users, "users", "", "users file (TOML; required)")
	fl.StringVar(&f.hostKey, "host-key", "", "host key file, made on first start (default $XDG_STATE_HOME/malipo/ssh_host_ed25519_key)")
	fl.StringVar(&f.audit, "audit", "", "audit log, appended to (default $XDG_STATE_HOME/malipo/audit.jsonl)")
	fl.BoolVar(&f.demo, "demo", false, "serve the embedded simulator instead of a profile's keys")
	fl.DurationVar(&f.idle, "idle", sshd.DefaultIdle, "log a session out after this long without a key press")
	fl.DurationVar(&f.grace, "grace", sshd.DefaultGrace, "how long sessions get to finish when the server stops")
	fl.BoolVar(&f.noFourEyes, "no-four-eyes", false, "allow approving a batch one initiated oneself")
	fl.IntVar(&f.maxAll, "max-sessions", sshd.DefaultMaxSessions, "most consoles open at once")
	fl.IntVar(&f.maxPerUser, "max-sessions-per-user", sshd.DefaultMaxSessionsPerUser, "most consoles one user may have open")
	fl.Int64Var(&f.auditEvery, "audit-checkpoint-every", 1000, "print the audit log's head every this many records (0: only at start and on SIGHUP)")
	fl.StringVar(&f.startups, "max-startups", sshd.DefaultMaxStartups.String(),
		"cap on connections not logged in yet, start:rate:full as OpenSSH's MaxStartups (random drops from start, all at full)")
	fl.DurationVar(&f.loginGrace, "login-grace", sshd.DefaultHandshakeTimeout,
		"how long a connection may take to log in, as OpenSSH's LoginGraceTime (each holds a --max-startups slot meanwhile)")
	fl.Float64Var(&f.memSession, "memory-per-session", 1.75,
		"soft memory limit: 32 MiB + this many MiB a session open, so garbage is collected before it piles up (0: Go's default; GOMEMLIMIT wins)")
	addWebhookFlags(fl, &f.hooks)
	fl.StringVar(&f.store, "store", "", "shared state for several hosts: postgres:// URL, no password (also MALIPO_STORE, store in config.toml; see malipo store)")
	cmd.AddCommand(newVerifyAuditCmd(g), newAuditKeyCmd(g))
	return cmd
}

// newVerifyAuditCmd is `malipo serve verify-audit [FILE]`: check the audit
// log's signatures, its chain and optionally checkpoints.
func newVerifyAuditCmd(g *globals) *cobra.Command {
	var checkpoints []string
	var pubHex, storeFlag string
	var demo bool
	cmd := &cobra.Command{
		Use:   "verify-audit [FILE]",
		Short: "Check that the audit log was not changed after it was written",
		Long: `Check the audit log: it must begin with its genesis record, every record must
carry the one before it and be signed with the server's audit key, and every
line must be a whole record, except a record cut short by a crash (kept, and
signed for by the next record when the server started again). A log whose
newest records were removed still passes that: give the heads the server
printed ("audit head COUNT:SIG") with --checkpoint to prove they are still
there. The key is read like serve reads it (the profile's keystore, or
MALIPO_AUDIT_KEY_FILE); on another machine give its public half with
--public-key (see malipo serve audit-key). Exits 1 when anything fails.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if storeFlag != "" || len(args) == 0 && os.Getenv(EnvStore) != "" {
				return runVerifyAuditStore(cmdContext(cmd), g, cmd.OutOrStdout(), storeFlag, pubHex, checkpoints)
			}
			return runVerifyAudit(cmdContext(cmd), g, cmd.OutOrStdout(), args, pubHex, checkpoints, demo)
		},
	}
	cmd.Flags().StringVar(&storeFlag, "store", "", "check the chain every host shares on this store (postgres:// URL, no password) instead of a file")
	cmd.Flags().StringArrayVar(&checkpoints, "checkpoint", nil, "a head the server printed, COUNT:SIG, that the log must still contain (repeatable)")
	cmd.Flags().StringVar(&pubHex, "public-key", "", "the audit key's public half (hex), instead of reading the key from the keystore")
	cmd.Flags().BoolVar(&demo, "demo", false, "check the log of malipo serve --demo (its own file and key)")
	return cmd
}

func runVerifyAudit(ctx context.Context, g *globals, out io.Writer, args []string, pubHex string, checkpoints []string, demo bool) error {
	path, err := auditPath(args, demo)
	if err != nil {
		return err
	}
	var heads []sshd.Head
	for _, c := range checkpoints {
		h, err := sshd.ParseHead(c)
		if err != nil {
			return err
		}
		heads = append(heads, h)
	}
	pub, err := auditPublicKey(ctx, g, pubHex, demo)
	if err != nil {
		return err
	}
	c, err := sshd.VerifyAuditLog(path, pub, heads...)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(out, "%s: %d records, chain intact, signed with %s (log %s, host key %s)", path, c.Records, keystore.AuditKeyFingerprint(pub), c.LogID, c.HostKey)
	if len(heads) > 0 {
		fmt.Fprintf(out, "; %d checkpoints found", len(heads))
	}
	if len(c.Torn) > 0 {
		fmt.Fprintf(out, " (%d cut short by a crash: lines %v)", len(c.Torn), c.Torn)
	}
	fmt.Fprintf(out, "\nhead %s\n", c.Head)
	return nil
}

// auditPath is the log named on the command line, or serve's default.
func auditPath(args []string, demo bool) (string, error) {
	if len(args) == 1 {
		return args[0], nil
	}
	base, err := stateBase()
	if err != nil {
		return "", err
	}
	if demo {
		return filepath.Join(demoDir(base), "audit.jsonl"), nil
	}
	return filepath.Join(base, "audit.jsonl"), nil
}

// demoDir keeps `serve --demo`'s audit log and key apart from a real
// profile's: the two are signed with different keys and must never mix.
func demoDir(base string) string { return filepath.Join(base, "demo") }

// auditPublicKey is --public-key, or the public half of the key serve
// uses (never created here: a missing key is an error).
func auditPublicKey(ctx context.Context, g *globals, pubHex string, demo bool) (ed25519.PublicKey, error) {
	if demo && pubHex == "" {
		return demoAuditPublicKey()
	}
	if pubHex != "" {
		b, err := hex.DecodeString(strings.TrimSpace(pubHex))
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("--public-key: want the hex of a %d-byte Ed25519 public key (malipo serve audit-key prints it)", ed25519.PublicKeySize)
		}
		return ed25519.PublicKey(b), nil
	}
	k, _, err := keystore.LoadAuditKey(ctx, keystore.AuditKeyOptions{Profile: g.profile})
	if errors.Is(err, keystore.ErrNotFound) {
		return nil, fmt.Errorf("no audit key on this machine (%w): run where malipo serve runs, or pass --public-key", err)
	}
	if err != nil {
		return nil, err
	}
	return k.Public(), nil
}

// newAuditKeyCmd is `malipo serve audit-key`: print the audit key's public
// half, for auditors who check a copy of the log elsewhere.
func newAuditKeyCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "audit-key",
		Short: "Print the public half of the key that signs the audit log",
		Long: `Print the public half of the audit key (hex) and its fingerprint. It can only
verify, never sign: give it to whoever checks copies of the log, for
malipo serve verify-audit --public-key. The private key is never printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, _, err := keystore.LoadAuditKey(cmdContext(cmd), keystore.AuditKeyOptions{Profile: g.profile})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%x %s\n", []byte(k.Public()), k.Fingerprint())
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
	live  *live // the shared read cache and the webhook receiver
	close func()
}

// backend loads the profile's keys once (or starts the demo) and opens
// the journal every session records payouts in.
func backend(ctx context.Context, g *globals, f *serveFlags, pass keystore.PassphraseFunc) (*serveBackend, error) {
	lv, err := newLive(&f.hooks, f.demo)
	if err != nil {
		return nil, err
	}
	lv.db = f.db // with --store, webhook events reach every host
	if f.demo {
		d, cl, err := startServeDemo(lv)
		if err != nil {
			return nil, err
		}
		// The demo's journal lives as long as its simulator does.
		dir, err := os.MkdirTemp("", "malipo-serve-demo-")
		if err != nil {
			d.Close()
			return nil, err
		}
		j, err := openServeJournal(f.db, "demo", dir)
		if err != nil {
			d.Close()
			os.RemoveAll(dir)
			return nil, err
		}
		return &serveBackend{
			live:  lv,
			cfg:   sshd.Config{Client: cl, Mode: common.ModeDemo, Profile: "demo", Journal: j, NotifyAbove: g.notifyAbove.a},
			close: func() { lv.stopDemo(); j.Close(); d.Close(); os.RemoveAll(dir) },
		}, nil
	}
	creds, err := keystore.Load(ctx, g.profile, keystore.LoadOptions{AllowLiveEnv: g.allowLiveEnv, BaseURL: g.baseURL, Passphrase: pass})
	if errors.Is(err, keystore.ErrNotFound) {
		return nil, fmt.Errorf("no keys stored for profile %q: run `malipo login --profile %s` on this server first, or use --demo", g.profile, g.profile)
	}
	if err != nil {
		return nil, err
	}
	cl, err := creds.Client(client.WithHTTPClient(lv.cache.HTTPClient()))
	if err != nil {
		return nil, err
	}
	dir, err := payout.StateDir(creds.Profile)
	if err != nil {
		return nil, err
	}
	notify, err := serveNotifyAbove(g, creds.Profile)
	if err != nil {
		return nil, err
	}
	j, err := openServeJournal(f.db, creds.Profile, dir)
	if err != nil {
		return nil, err
	}
	return &serveBackend{
		live: lv,
		cfg: sshd.Config{Client: cl, Mode: modeFor(creds.Env), Profile: creds.Profile, Journal: j, DeviceID: creds.DeviceID,
			NotifyAbove: notify},
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
	f.defaults(base)
	// Everything that can fail on bad input fails before any key is loaded.
	startups, err := checkServeFlags(f)
	if err != nil {
		return err
	}
	users, err := sshd.LoadUsers(f.users)
	if err != nil {
		return err
	}
	hostPEM, hostFP, err := sshd.HostKey(f.hostKey)
	if err != nil {
		return err
	}
	if f.db, err = serveStore(ctx, f, stderr); err != nil {
		return err
	}
	defer f.closeStore()
	pass := oncePassphrase(keystore.DefaultPassphrase)
	audit, err := openAudit(ctx, g, f, hostFP, pass, stderr)
	if err != nil {
		return err
	}
	defer audit.Close()
	be, err := backend(ctx, g, f, pass)
	if err != nil {
		return err
	}
	defer be.close()

	cfg := be.cfg
	defer f.shareJournal(ctx, cfg, audit, hostFP, stderr)()
	cfg.UsersFile, cfg.HostKeyPEM, cfg.Audit = f.users, hostPEM, audit
	// Each user's folder for scp/sftp, import and export: files/<user>/
	// under the serve state dir, payout.StateDir("serve"), whatever the
	// profile.
	cfg.StateDir = filepath.Join(base, "serve")
	cfg.Idle, cfg.Grace, cfg.FourEyes, cfg.NoColor, cfg.Log = f.idle, f.grace, !f.noFourEyes, g.noColor, stderr
	cfg.MaxSessions, cfg.MaxSessionsPerUser, cfg.MaxStartups, cfg.HandshakeTimeout = f.maxAll, f.maxPerUser, startups, f.loginGrace
	cfg.NoMouse = g.noMouse // backend set NotifyAbove: the profile's, or the flag's
	cfg.Pace = be.live.pace
	cfg.Zone = f.loc
	if f.idle == 0 {
		cfg.Idle = -1 // --idle 0: never
	}
	srv, err := sshd.New(cfg)
	if err != nil {
		return err
	}
	defer be.live.start(ctx, cfg.Profile, srv, stderr)()
	defer governMemory(ctx, f.memSession, srv.Sessions, stderr)()
	defer watchStore(ctx, f.db, srv.Broadcast, flushAudit(audit, stderr), stderr)()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintf(stderr, "malipo serve: listening on %s · %s · %d users · host key %s · audit log %s\n",
		ln.Addr(), cfg.Mode, len(users.Names()), hostFP, f.audit)
	_ = audit.Write(sshd.Record{Event: "server.start", Result: "ok", Detail: fmt.Sprintf("%s on %s, %d users, four-eyes %v", cfg.Mode, ln.Addr(), len(users.Names()), cfg.FourEyes)})
	audit.Checkpoint()
	err = serveUntilSignal(ctx, srv, audit, ln, f.grace, stderr)
	result := "stopped"
	if err != nil {
		result = "failed"
	}
	_ = audit.Write(sshd.Record{Event: "server.stop", Result: result, Detail: errString(err)})
	return err
}

// checkServeFlags is parseServeFlags and the login grace.
func checkServeFlags(f *serveFlags) (sshd.MaxStartups, error) {
	if f.loginGrace <= 0 {
		return sshd.MaxStartups{}, fmt.Errorf("serve: --login-grace %s: want a positive duration", f.loginGrace)
	}
	loc, err := time.LoadLocation(f.zone)
	if err != nil {
		return sshd.MaxStartups{}, fmt.Errorf("serve: --zone %q: want an IANA zone name (Africa/Nairobi) or Local: %w", f.zone, err)
	}
	f.loc = loc
	return parseServeFlags(f)
}

// defaults fills in the host key's and the audit log's paths.
func (f *serveFlags) defaults(base string) {
	if f.hostKey == "" {
		f.hostKey = filepath.Join(base, "ssh_host_ed25519_key")
	}
	if f.audit == "" {
		f.audit = filepath.Join(base, "audit.jsonl")
		if f.demo {
			f.audit = filepath.Join(demoDir(base), "audit.jsonl")
		}
	}
}

// openAudit loads (on first start: makes) the audit key from the
// profile's keystore and opens the log it signs. Heads go to stderr
// (journald), away from the log, so a copy survives the log's edits.
func openAudit(ctx context.Context, g *globals, f *serveFlags, hostFP string, pass keystore.PassphraseFunc, stderr io.Writer) (*sshd.AuditLog, error) {
	key, created, where, err := loadServeAuditKey(ctx, g, f, pass)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	if created {
		fmt.Fprintf(stderr, "malipo serve: made a new audit key %s (kept %s; `malipo serve audit-key` prints its public half)\n", key.Fingerprint(), where)
	}
	var mu sync.Mutex
	o := sshd.AuditOptions{
		HostKey:         hostFP,
		CheckpointEvery: f.auditEvery,
		OnCheckpoint: func(h sshd.Head) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(stderr, "malipo serve: audit head %s\n", h)
		},
	}
	if f.db != nil {
		return sshd.OpenAuditStore(ctx, f.db, key.PrivateKey(), o)
	}
	return sshd.OpenAuditLog(f.audit, key.PrivateKey(), o)
}

// demoAuditPublicKey reads (never makes) the demo's audit key.
func demoAuditPublicKey() (ed25519.PublicKey, error) {
	base, err := stateBase()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(demoDir(base), "audit-key")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no demo audit key (%w): malipo serve --demo makes it on first start", err)
	}
	k, _, err := keystore.DemoAuditKey(path)
	if err != nil {
		return nil, err
	}
	return k.Public(), nil
}

// loadServeAuditKey is the profile's audit key from its keystore, or with
// --demo the demo's key file: the demo writes nothing to the OS keyring (as
// `malipo demo` does not) and so also runs where there is none.
func loadServeAuditKey(ctx context.Context, g *globals, f *serveFlags, pass keystore.PassphraseFunc) (*keystore.AuditKey, bool, string, error) {
	if f.demo && os.Getenv(keystore.EnvAuditKeyFile) == "" {
		base, err := stateBase()
		if err != nil {
			return nil, false, "", err
		}
		path := filepath.Join(demoDir(base), "audit-key")
		k, created, err := keystore.DemoAuditKey(path)
		return k, created, "in " + path + ", for the demo only", err
	}
	k, created, err := keystore.LoadAuditKey(ctx, keystore.AuditKeyOptions{Profile: g.profile, Passphrase: pass, Create: true})
	return k, created, "in the keystore", err
}

// oncePassphrase asks fn once and remembers the answer, so the audit key
// and the profile's keys in the same encrypted-file backend need one prompt.
func oncePassphrase(fn keystore.PassphraseFunc) keystore.PassphraseFunc {
	var mu sync.Mutex
	var got string
	return func(ctx context.Context, req keystore.PassphraseRequest) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if got != "" {
			return got, nil
		}
		p, err := fn(ctx, req)
		if err == nil {
			got = p
		}
		return p, err
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// serveUntilSignal serves until SIGTERM/SIGINT (drain) and re-reads the
// users file on SIGHUP (printing the audit head too). A second SIGTERM/SIGINT stops at once.
func serveUntilSignal(ctx context.Context, srv *sshd.Server, audit *sshd.AuditLog, ln net.Listener, grace time.Duration, stderr io.Writer) error {
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
				audit.Checkpoint()
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

// serveNotifyAbove is the sessions' bell threshold: the served profile's
// notify_above unless --notify-above says otherwise (the demo has no
// profile settings and takes the flag).
func serveNotifyAbove(g *globals, profile string) (client.Amount, error) {
	prof, err := profileSettings(profile)
	if err == nil {
		var a client.Amount
		if a, err = g.notifyFor(prof); err == nil {
			return a, nil
		}
	}
	return 0, fmt.Errorf("config.toml, profile %q: %w", profile, err)
}
